"""The database going away and coming back; deadlines and load shedding."""
import time

from harness import (Postgres, Psql, Server, in_thread, lock_table, run_cli, run_tests,
                     wait_lock_waiters, wait_until)


def timed_get(server, path, timeout=15):
    start = time.monotonic()
    try:
        r = server.get(path, timeout=timeout)
        return r.status, time.monotonic() - start, r
    except Exception as exc:  # noqa: BLE001 - a hang shows up as a timeout
        return repr(exc), time.monotonic() - start, None


def main(tap, scratch):
    pg = Postgres(scratch)
    url = pg.conninfo
    tap.eq(run_cli(["migrate"], env={"DATABASE_URL": url}).returncode, 0, "migrated")

    server = Server(scratch, url, env={"HAILONG_DB_POOL_SIZE": "2",
                                       "HAILONG_DB_TIMEOUT": "3s",
                                       "HAILONG_DB_CONNECT_TIMEOUT": "1s"})
    tap.eq(wait_until(lambda: server.get("/healthz").status == 200, 10), True,
           "healthy with the database up")

    for mode in ("fast", "immediate"):
        pg.stop(mode)
        status, took, _ = timed_get(server, "/healthz")
        tap.eq(status, 503, f"PostgreSQL stopped ({mode}): /healthz answers 503")
        tap.ok(took < 3.5, f"the 503 comes within the deadline ({took:.2f} s)")
        status, took, _ = timed_get(server, "/healthz")
        tap.ok(status == 503 and took < 1.0,
               f"while it stays down, 503 comes at once ({took:.2f} s)")
        tap.ok(server.proc.poll() is None, "the server keeps running")
        pg.start()
        start = time.monotonic()
        back = wait_until(lambda: server.get("/healthz").status == 200, 15, 0.05)
        tap.ok(back, f"PostgreSQL back ({mode}): /healthz 200 again without a server restart "
               f"({time.monotonic() - start:.2f} s)", server.log_text())
    tap.ok(server.wait_log(r"level=warn .*database connection lost", timeout=1) is not None,
           "the outage is logged")
    tap.ok(server.wait_log(r"database connection ready again", timeout=1) is not None,
           "the recovery is logged")
    server.signal(15)
    tap.eq(server.wait(30), 0, "the server stops cleanly after the outages")

    # Deadlines and the bounded wait queue: one connection, one waiting slot,
    # and a lock that keeps the health query from finishing.
    server = Server(scratch, url, env={"HAILONG_DB_POOL_SIZE": "1",
                                       "HAILONG_DB_QUEUE_MAX": "1",
                                       "HAILONG_DB_TIMEOUT": "1500ms"})
    tap.eq(wait_until(lambda: server.get("/healthz").status == 200, 10), True, "second server up")
    locker = Psql(url)
    scratch.on_cleanup(locker.close)
    lock_table(pg, locker)
    first = in_thread(timed_get, server, "/healthz")
    wait_lock_waiters(pg)
    second = in_thread(timed_get, server, "/healthz")
    time.sleep(0.3)
    status, took, third = timed_get(server, "/healthz")
    tap.ok(status == 503 and took < 0.5,
           f"queue full: the third request gets 503 at once ({took:.2f} s)")
    tap.eq(third.header("Retry-After") if third else None, "2", "with Retry-After")
    for name, (thread, holder) in (("running", first), ("waiting", second)):
        thread.join(10)
        got = holder[0] if holder else None
        tap.ok(got and got[0] == 503 and got[1] < 3.0,
               f"the {name} request gets 503 at its deadline, no hang ({got})")
    locker.send("ROLLBACK;")
    back = wait_until(lambda: server.get("/healthz").status == 200, 10, 0.05)
    tap.ok(back, "after the lock is gone the pool has reconnected and answers 200")
    tap.ok(server.wait_log(r"deadline passed", timeout=2) is not None,
           "deadline failures are logged", server.log_text())

    # A client that leaves while its query waits does not break the pool.
    lock_table(pg, locker)
    server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=0.2)
    locker.send("ROLLBACK;")
    tap.ok(wait_until(lambda: server.get("/healthz").status == 200, 10, 0.05),
           "a client that hung up mid-query leaves the server healthy")
    locker.close()
    server.signal(15)
    tap.eq(server.wait(30), 0, "second server stops cleanly")

    # Admission control: with max-inflight 1 a second concurrent request is shed.
    server = Server(scratch, url, env={"HAILONG_MAX_INFLIGHT": "1", "HAILONG_DB_TIMEOUT": "2s"})
    locker = Psql(url)
    scratch.on_cleanup(locker.close)
    lock_table(pg, locker)
    slow = in_thread(timed_get, server, "/healthz")
    wait_lock_waiters(pg)
    status, took, r = timed_get(server, "/healthz")
    tap.ok(status == 503 and took < 0.5 and r.json()["error"]["code"] == "busy",
           f"over max-inflight: 503 busy at once ({took:.2f} s)")
    locker.send("ROLLBACK;")
    slow[0].join(10)
    tap.ok(slow[1] and slow[1][0][0] in (200, 503), "the admitted request finishes", slow[1])
    locker.close()


run_tests(main)
