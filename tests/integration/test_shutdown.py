"""SIGTERM/SIGINT: stop accepting, finish in-flight requests, exit 0."""
import signal
import socket
import time

from harness import (Postgres, Psql, Server, in_thread, lock_table, run_cli, run_tests,
                     wait_lock_waiters)


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except OSError:
        return True


def hold_and_wait(pg, locker, server):
    """Locks the table /healthz reads, then sends /healthz and returns once
    its query waits for the lock (fixed sleeps were sometimes too short on
    a busy machine)."""
    lock_table(pg, locker)
    inflight = in_thread(server.get, "/healthz", timeout=20)
    wait_lock_waiters(pg)
    return inflight


def main(tap, scratch):
    pg = Postgres(scratch)
    url = pg.conninfo
    tap.eq(run_cli(["migrate"], env={"DATABASE_URL": url}).returncode, 0, "migrated")

    for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
        server = Server(scratch, url, env={"HAILONG_DB_TIMEOUT": "10s",
                                           "HAILONG_SHUTDOWN_GRACE": "10s"})
        locker = Psql(url)
        scratch.on_cleanup(locker.close)
        inflight = hold_and_wait(pg, locker, server)
        server.signal(sig)
        tap.ok(server.wait_log(rf"{name} received", timeout=5) is not None,
               f"{name}: logged", server.log_text())
        tap.ok(refused(server.port), f"{name}: new connections are refused at once")
        tap.ok(server.proc.poll() is None, f"{name}: the server waits for its in-flight request")
        locker.send("ROLLBACK;")
        inflight[0].join(15)
        got = inflight[1][0] if inflight[1] else None
        tap.eq(getattr(got, "status", got), 200, f"{name}: the in-flight request completes with 200")
        tap.eq(server.wait(15), 0, f"{name}: the server exits 0 after it")
        tap.ok(server.wait_log(r"msg=stopped", timeout=2) is not None, f"{name}: logs stopped")
        locker.close()
        tap.eq(pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hailong'"),
               "0", f"{name}: no database connection is left open")

    # The grace period bounds the wait.
    server = Server(scratch, url, env={"HAILONG_DB_TIMEOUT": "30s",
                                       "HAILONG_SHUTDOWN_GRACE": "1s"})
    locker = Psql(url)
    scratch.on_cleanup(locker.close)
    inflight = hold_and_wait(pg, locker, server)
    start = time.monotonic()
    server.signal(signal.SIGTERM)
    code = server.wait(15)
    took = time.monotonic() - start
    tap.ok(code == 0 and 0.8 < took < 5, f"grace over: exits 0 after about 1 s ({took:.2f} s)")
    inflight[0].join(10)
    got = inflight[1][0] if inflight[1] else None
    tap.ok(getattr(got, "status", None) == 503 or isinstance(got, Exception),
           "the unfinished request gets 503 or a closed connection, not a hang", got)
    tap.ok(server.wait_log(r"grace period over", timeout=1) is not None, "grace expiry logged")
    locker.send("ROLLBACK;")
    locker.close()

    # A second signal stops at once.
    server = Server(scratch, url, env={"HAILONG_DB_TIMEOUT": "30s",
                                       "HAILONG_SHUTDOWN_GRACE": "60s"})
    locker = Psql(url)
    scratch.on_cleanup(locker.close)
    inflight = hold_and_wait(pg, locker, server)
    server.signal(signal.SIGTERM)
    time.sleep(0.3)
    start = time.monotonic()
    server.signal(signal.SIGTERM)
    code = server.wait(10)
    tap.ok(code == 0 and time.monotonic() - start < 3, "a second signal stops at once")
    inflight[0].join(10)
    locker.send("ROLLBACK;")
    locker.close()


run_tests(main)
