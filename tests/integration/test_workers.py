"""Several worker processes on one port (--workers, server/workers.c):
the kernel spreads connections over them, every submission is stored once
whichever worker took it, only one worker counts responses into tallies,
a worker killed with -9 is started again while the others keep serving,
SIGTERM stops them all cleanly, and killing the supervisor itself takes
the workers down with it."""
import os
import signal
import socket
import subprocess
import time

from harness import BINARY, App, Server, process_sockets, run_tests, submit, wait_until


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return sorted(int(p) for p in out.stdout.split())


def metric(text, name):
    """The value of an unlabelled sample, or None."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ", 1)[1][0] != "Z"


def main(tap, scratch):
    app = App(scratch, env={"HAILONG_WORKERS": "2"})
    server, pg = app.server, app.pg
    tap.ok(server.wait_log(r"msg=\"workers started\" workers=2", timeout=30),
           "the supervisor started two workers", server.log_text())
    tap.ok(server.wait_log(r"msg=listening .*worker=1", timeout=30), "worker 1 listens too")
    workers = children(server.proc.pid)
    tap.eq(len(workers), 2, f"two worker processes under the supervisor: {workers}")

    # Connections are spread: hold 60 open and see where they landed.
    before = {w: process_sockets(w) for w in workers}
    held = []
    for _ in range(60):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
        held.append(s)
    gained = {w: process_sockets(w) - before[w] for w in workers}
    tap.ok(all(n >= 5 for n in gained.values()) and sum(gained.values()) >= 60,
           f"each worker took a share of 60 connections: {sorted(gained.values())}")
    for s in held:
        s.close()

    code = app.code_of("hop-phu-huynh-nhanh")
    base = int(pg.psql("SELECT count(*) FROM response"))
    statuses = [submit(server, code) for _ in range(60)]
    tap.eq(statuses, [200] * 60, "60 parents submit, each on new connections")
    tap.eq(int(pg.psql("SELECT count(*) FROM response")) - base, 60,
           "and 60 responses are stored, once each, whichever worker took them")
    counted = wait_until(lambda: pg.psql("SELECT count(*) FROM response_batch_queue") == "0", 30)
    tap.ok(counted, "the aggregation job (worker 0's) counts them all")
    # One registry for all workers (shared memory): whichever worker answers
    # the scrape, it sums every worker's counts and shows worker 0's job,
    # which worker 0 publishes each second.
    time.sleep(1.5)
    scrapes = [server.get("/metrics").text for _ in range(8)]
    accepted = {metric(s, "hailong_submissions_accepted_total") for s in scrapes}
    pools = {metric(s, "hailong_db_pool_size") for s in scrapes}
    runs = [metric(s, "hailong_aggregation_runs_total") for s in scrapes]
    tap.eq(accepted, {60.0}, "every scrape, whichever worker answers, counts all 60 submissions")
    tap.eq(pools, {16.0}, "and both workers' pools (8 connections each)")
    tap.ok(all(r is not None and r >= 1 for r in runs),
           f"and the aggregation job of worker 0 on every scrape: runs {runs}")
    errors = [line for line in server.log_text().splitlines() if "level=error" in line]
    tap.eq(errors, [], "no worker logged an error")

    # kill -9 one worker: the other serves meanwhile, the supervisor starts
    # a new one.
    mark = len(server.lines)
    os.kill(workers[1], signal.SIGKILL)
    # Connections the kernel hands the killed worker until its last thread
    # is gone are reset, as they would be with a single process.  Its
    # socket is closed for certain once the supervisor has reaped it (the
    # main thread turns zombie earlier); from then on the other answers.
    tap.ok(server.wait_log(r"worker stopped; starting it again", timeout=10, start=mark),
           "the supervisor notices the dead worker")
    statuses = [server.get("/healthz").status for _ in range(20)]
    tap.eq(statuses, [200] * 20, "while a worker is down or starting, the other answers")
    tap.ok(server.wait_log(r"msg=listening .*worker=", timeout=30, start=mark),
           "and starts a new one, which listens")
    now = children(server.proc.pid)
    tap.ok(len(now) == 2 and workers[1] not in now and workers[0] in now,
           f"two workers again, one of them new: {workers} -> {now}")
    tap.eq(submit(server, code), 200, "a parent submits after the restart")

    # SIGTERM: every worker finishes and the supervisor exits 0.
    server.signal(signal.SIGTERM)
    tap.eq(server.wait(30), 0, "SIGTERM: the supervisor exits 0")
    tap.ok(wait_until(lambda: not any(alive(w) for w in now), 10), "and no worker is left")
    tap.eq(server.log_text().count("msg=stopped"), 2, "both workers stopped cleanly")

    # kill -9 of the supervisor takes its workers down (they get SIGTERM).
    second = Server(scratch, app.url, env={"HAILONG_WORKERS": "2"})
    tap.ok(second.wait_log(r"msg=\"workers started\"", timeout=30), "a second supervisor starts")
    orphans = children(second.proc.pid)
    second.kill()
    tap.ok(wait_until(lambda: not any(alive(w) for w in orphans), 15),
           f"kill -9 of the supervisor: its workers {orphans} stop too")
    refused = False
    try:
        socket.create_connection(("127.0.0.1", second.port), timeout=2).close()
    except OSError:
        refused = True
    tap.ok(refused, "and the port is closed")

    # A worker that cannot start stops the supervisor with its status.
    bad = subprocess.run([BINARY, "serve"],
                         env={**os.environ, "DATABASE_URL": app.url, "HAILONG_WORKERS": "2",
                              "HAILONG_LISTEN": f"127.0.0.1:{held_port(scratch)}"},
                         capture_output=True, text=True, timeout=60)
    tap.ok(bad.returncode == 1 and "cannot listen" in bad.stderr,
           "a port taken by another program: the workers cannot start, exit 1",
           f"{bad.returncode} {bad.stderr[-500:]}")


def held_port(scratch):
    """A port held by a plain listening socket without SO_REUSEPORT."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    scratch.on_cleanup(s.close)
    return s.getsockname()[1]


run_tests(main)
