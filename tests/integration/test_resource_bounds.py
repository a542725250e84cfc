"""Resource bounds (issue 9, point 5): 10,000 idle keep-alive connections
held open do not stop the server answering others, and cost it a bounded
amount of memory (measured: VmRSS); a flood of submissions beyond what the
server takes in at once (--max-inflight) while the database is stuck gets
503 at once instead of waiting in an unbounded queue, and the ones it took
in are answered within the database deadline counted from their arrival
(not from when their turn came: they used to wait 3, 6, 9 … s behind each
other), and none answered 503 is stored afterwards (a statement cancelled by
its deadline used to be split and sent again row by row)."""
import selectors
import socket
import threading
import time
import urllib.parse

from harness import App, Psql, Server, body_for, lock_table, run_tests, wait_until

FORM = "hop-phu-huynh-nhanh"
IDLE = 10_000
PER_CONNECTION_MAX = 16 * 1024  # bytes of server memory per idle connection
# A static answer: what is measured is the connections, not the database.
REQUEST = b"GET /robots.txt HTTP/1.1\r\nHost: hailong.test\r\n\r\n"


def status_kib(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def complete(response):
    """Whether response holds a whole HTTP answer (headers and body)."""
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


def open_idle(port, count, deadline):
    """count connections that each made one keep-alive request and got its
    answer, then stay open doing nothing.  Returns (sockets, answered)."""
    sel = selectors.DefaultSelector()
    socks, answered, pending = [], 0, 0
    buffers = {}
    while (len(socks) < count or pending) and time.monotonic() < deadline:
        # At most 500 on their way at once: the listen backlog is finite.
        while len(socks) < count and pending < 500:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            sel.register(s, selectors.EVENT_WRITE)
            socks.append(s)
            buffers[s] = b""
            pending += 1
        for key, events in sel.select(timeout=1):
            s = key.fileobj
            if events & selectors.EVENT_WRITE:
                try:
                    s.send(REQUEST)
                except OSError:
                    sel.unregister(s)
                    pending -= 1
                    continue
                sel.modify(s, selectors.EVENT_READ)
            else:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                buffers[s] += data
                if not data or complete(buffers[s]):
                    sel.unregister(s)
                    pending -= 1
                    answered += buffers[s].startswith(b"HTTP/1.1 200")
    sel.close()
    return socks, answered


def idle_connections(tap, app):
    server = app.server
    code = app.code_of(FORM)
    pid = server.proc.pid
    for _ in range(20):  # warm: the first pages allocate what every page reuses
        server.get(f"/s/{code}")
    before = status_kib(pid, "VmRSS")
    started = time.monotonic()
    socks, answered = open_idle(server.port, IDLE, started + 120)
    took = time.monotonic() - started
    tap.ok(len(socks) == IDLE and answered == IDLE,
           f"{IDLE} keep-alive connections opened, each answered once ({took:.1f} s)",
           f"{len(socks)} opened, {answered} answered")
    time.sleep(0.5)
    held = status_kib(pid, "VmRSS")
    per = (held - before) * 1024 / IDLE
    tap.diag(f"server VmRSS {before} kB -> {held} kB with {IDLE} idle connections: "
             f"{per:.0f} bytes each")
    tap.ok(per < PER_CONNECTION_MAX,
           f"memory per idle connection {per:.0f} bytes (< {PER_CONNECTION_MAX})")
    times, statuses = [], []
    for _ in range(50):
        t = time.monotonic()
        statuses.append(server.get(f"/s/{code}", timeout=5).status)
        times.append(time.monotonic() - t)
    times.sort()
    tap.ok(statuses == [200] * 50 and times[-1] < 1.0,
           f"meanwhile another client's 50 requests: all 200, slowest {times[-1] * 1000:.0f} ms "
           f"(median {times[25] * 1000:.0f} ms)", statuses)
    alive = sum(1 for s in socks[:: IDLE // 100] if s.fileno() >= 0)
    for s in socks:
        s.close()
    tap.ok(alive == 100, "the idle connections were still open when closed by the client")
    tap.ok(wait_until(lambda: server.get("/healthz").status == 200, 10, 0.1),
           "after they close the server goes on")


def flood(tap, app):
    code = app.code_of(FORM)
    inflight = 40
    server = Server(app.scratch, app.url, env={
        "HAILONG_MAX_INFLIGHT": str(inflight), "HAILONG_DB_TIMEOUT": "3s",
        "HAILONG_RATE_LIMIT": "1000000", "HAILONG_RATE_BURST": "1000000"})
    bodies = [urllib.parse.urlencode(body_for(server.get(f"/s/{code}").text))
              for _ in range(inflight * 4)]
    locker = Psql(app.url)
    tap.ok(lock_table(app.pg, locker, "response"), "the responses table is locked: commits wait")
    results = [None] * len(bodies)

    def send(i):
        t = time.monotonic()
        try:
            r = server.request("POST", f"/s/{code}", body=bodies[i], timeout=15,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            results[i] = (r.status, time.monotonic() - t)
        except Exception as exc:  # noqa: BLE001 - a hang or reset is a finding
            results[i] = (repr(exc), time.monotonic() - t)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    locker.send("ROLLBACK;")
    locker.close()
    seen = {}
    for s, took in results:
        key = (s, round(took))
        seen[key] = seen.get(key, 0) + 1
    tap.diag("outcomes (status, seconds): " + ", ".join(f"{k}: {n}" for k, n in sorted(seen.items(), key=str)))
    busy = [s for s, took in results if s == 503 and took < 1.0]
    waited = [took for s, took in results if not (s == 503 and took < 1.0)]
    other = {s for s, _ in results if s not in (200, 503)}
    tap.ok(len(busy) >= len(bodies) - inflight,
           f"{len(bodies)} submissions at once, {inflight} taken in: {len(busy)} got 503 "
           f"within 1 s", sorted(set(results), key=str)[:10])
    tap.ok(not other, "no other outcome: no hang, no reset, no 500", other)
    tap.ok(len(waited) == inflight and max(waited) < 3.0 + 2.0,
           f"the {len(waited)} taken in were answered within the database deadline (3 s) "
           f"+ 2 s, none later than the others: slowest {max(waited or [0]):.1f} s")
    tap.ok(wait_until(lambda: server.get("/healthz").status == 200, 10, 0.1),
           "once the lock is gone the server answers again")
    time.sleep(1)
    acked = sum(1 for s, _ in results if s == 200)
    tap.eq(int(app.pg.psql("SELECT count(*) FROM response")), acked,
           "stored: exactly the submissions answered 200, none of those answered 503")
    server.signal(15)
    tap.eq(server.wait(20), 0, "and stops cleanly")


def main(tap, scratch):
    app = App(scratch, env={"HAILONG_HTTP_TIMEOUT": "120s", "HAILONG_RATE_LIMIT": "1000000",
                            "HAILONG_RATE_BURST": "1000000"})
    app.scratch = scratch
    idle_connections(tap, app)
    app.server.signal(15)
    tap.eq(app.server.wait(30), 0, "the server stops cleanly with nothing left open")
    flood(tap, app)


run_tests(main)
