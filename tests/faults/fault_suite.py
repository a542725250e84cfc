#!/usr/bin/env python3
"""Fault suite (issue 9): parents keep submitting while the server is killed,
PostgreSQL restarts, its connection limit runs out and it turns slow.

A load client (a few threads, a steady rate, loopback, every request with a
timeout) records for each submission id whether it was acknowledged (200
with a receipt), refused (an HTTP answer that is not an acknowledgement) or
went unanswered (reset, connection refused, client timeout).  Each fault is
injected several times; after each one the load pauses and the database is
compared with what the client was told:

  lost        acknowledged but not stored                       must be 0
  duplicated  one submission id stored more than once           must be 0
  refused     answered with a refusal, yet stored               must be 0
  recovery    first acknowledgement after the fault ends        <= 5 s
  latency     every answer within the request deadline + margin
  answered    during a database fault every client gets an answer (503),
              never a reset or a hang

Then every refused or unanswered submission is sent again, as the 503 page
asks a parent to do: each must now be acknowledged, and the stored set must
equal the acknowledged set exactly.  The table of faults is printed as TAP
comments; any violation is a failed TAP line and a non-zero exit.

Run by meson (`meson test --suite faults`) with HAILONG_BIN and
HAILONG_SOURCE_ROOT set, or by hand:  python3 tests/faults/fault_suite.py
(FAULT_ROUNDS=1 for a quicker pass).
"""
import base64
import http.client
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import (App, Postgres, Psql, Server, form_fields, form_token,  # noqa: E402
                     lock_table, run_cli, run_tests, wait_until)

FORM = "hop-phu-huynh-nhanh"
DB_TIMEOUT_S = 2.0          # HAILONG_DB_TIMEOUT: the request deadline under test
MARGIN_S = 1.0              # loopback, a shared 2-core machine, ASan
RECOVERY_LIMIT_S = 5.0
CLIENT_TIMEOUT_S = 15.0     # a hang shows as a client timeout, well past the deadline
THREADS = 4
RATE = 40.0                 # submissions per second, all threads together
MAX_CONNECTIONS = 30
POOL_SIZE = 4
ROUNDS = int(os.environ.get("FAULT_ROUNDS", "2"))

SERVER_ENV = {
    "HAILONG_DB_TIMEOUT": f"{int(DB_TIMEOUT_S * 1000)}ms",
    "HAILONG_DB_CONNECT_TIMEOUT": "1s",
    "HAILONG_DB_POOL_SIZE": str(POOL_SIZE),
    # A parent's form is refused by the rate limit before any fault: out of the way.
    "HAILONG_RATE_LIMIT": "1000000",
    "HAILONG_RATE_BURST": "1000000",
    "HAILONG_SHUTDOWN_GRACE": "3s",
}


def submission_id(token):
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return str(uuid.UUID(bytes=raw[:16]))


def free_port():
    """A loopback port for the server, kept across kill -9 and restart."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the load client --------------------------------------------------------

class Attempt:
    __slots__ = ("sid", "start", "end", "status", "acked", "retry")

    def __init__(self, sid, start, end, status, acked, retry):
        self.sid, self.start, self.end = sid, start, end
        self.status, self.acked, self.retry = status, acked, retry

    @property
    def answered(self):
        return isinstance(self.status, int)


class Load:
    """Steady POST /s/{code} from THREADS threads; every attempt recorded."""

    def __init__(self, port, code, answers, tokens):
        self.port = port
        self.code = code
        self.answers = answers
        self.tokens = tokens
        self.next = 0
        self.lock = threading.Lock()
        self.attempts = []
        self.state = {}        # sid -> "acked" | "refused" | "unanswered"
        self.token_of = {}
        self.running = threading.Event()
        self.stopping = False
        self.inflight = 0
        self.threads = [threading.Thread(target=self._worker, daemon=True)
                        for _ in range(THREADS)]

    def start(self):
        self.running.set()
        for t in self.threads:
            t.start()

    def pause(self):
        """Stops fresh submissions and waits for those in flight."""
        self.running.clear()
        return wait_until(lambda: self.inflight == 0, CLIENT_TIMEOUT_S + 5, 0.02)

    def resume(self):
        self.running.set()

    def stop(self):
        self.stopping = True
        self.running.set()
        for t in self.threads:
            t.join(CLIENT_TIMEOUT_S + 5)

    def post(self, token, retry=False):
        """One attempt; recorded, returns it."""
        sid = submission_id(token)
        body = urllib.parse.urlencode(dict(self.answers, t=token))
        start = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT_S)
        try:
            conn.request("POST", f"/s/{self.code}", body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            status = resp.status
            acked = status == 200 and 'class="rc"' in text
        except Exception as exc:  # noqa: BLE001 - reset, refused, timeout: no answer
            status, acked = type(exc).__name__, False
        finally:
            conn.close()
        a = Attempt(sid, start, time.monotonic(), status, acked, retry)
        with self.lock:
            self.attempts.append(a)
            self.token_of[sid] = token
            if acked:
                self.state[sid] = "acked"
            elif self.state.get(sid) != "acked":
                self.state[sid] = "refused" if a.answered else "unanswered"
        return a

    def _worker(self):
        period = THREADS / RATE
        while not self.stopping:
            self.running.wait()
            if self.stopping:
                return
            with self.lock:
                if not self.running.is_set() or self.next >= len(self.tokens):
                    token = None
                else:
                    token = self.tokens[self.next]
                    self.next += 1
                    self.inflight += 1
            if token is None:
                time.sleep(0.01)
                continue
            start = time.monotonic()
            try:
                self.post(token)
            finally:
                with self.lock:
                    self.inflight -= 1
            left = period - (time.monotonic() - start)
            if left > 0:
                time.sleep(left)

    def since(self, t0):
        with self.lock:
            return [a for a in self.attempts if a.start >= t0]


# ---- holding every connection slot -------------------------------------------

class PgWire:
    """A bare PostgreSQL protocol connection over the unix socket: enough to
    hold a connection slot and run one simple query, without a driver."""

    def __init__(self, socket_dir, name="fault-hog"):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(os.path.join(socket_dir, ".s.PGSQL.5432"))
        params = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in (
            ("user", "hailong"), ("database", "hailong"), ("application_name", name))) + b"\0"
        self.sock.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        self.error = None
        self._until_ready()

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed by the server")
            data += chunk
        return data

    def _until_ready(self):
        while True:
            kind = self._read(1)
            (length,) = struct.unpack("!i", self._read(4))
            payload = self._read(length - 4)
            if kind == b"E":
                fields = dict((f[:1], f[1:].decode("utf-8", "replace"))
                              for f in payload.split(b"\0") if f)
                self.error = fields.get(b"C", "?") + " " + fields.get(b"M", "")
                if self.sock is not None and fields.get(b"S") in ("FATAL", "PANIC"):
                    raise ConnectionError(self.error)
            elif kind == b"Z":
                return

    def query(self, sql):
        data = sql.encode() + b"\0"
        self.sock.sendall(b"Q" + struct.pack("!i", 4 + len(data)) + data)
        self._until_ready()

    def close(self):
        try:
            self.sock.sendall(b"X" + struct.pack("!i", 4))
        except OSError:
            pass
        self.sock.close()


def fill_slots(socket_dir, hogs, cap=MAX_CONNECTIONS + 5):
    """Opens connections until PostgreSQL refuses one (too many clients)."""
    refused = None
    while len(hogs) < cap:
        try:
            hogs.append(PgWire(socket_dir))
        except (ConnectionError, OSError) as exc:
            refused = str(exc)
            break
    return refused


# ---- the suite -----------------------------------------------------------------

class Suite:
    def __init__(self, tap, scratch):
        self.tap = tap
        self.scratch = scratch
        self.port = free_port()
        self.env = dict(SERVER_ENV, HAILONG_LISTEN=f"127.0.0.1:{self.port}")
        pg = Postgres(scratch)
        # A small connection limit the suite can fill (set by ALTER SYSTEM, which
        # outlasts pg.sh rewriting its own settings on every start).
        pg.psql(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS}")
        pg.stop("fast")
        pg.start()
        self.pg = pg
        self.socket_dir = dict(kv.split("=", 1) for kv in pg.conninfo.split())["host"]
        app = App(scratch, env=self.env, pg=pg)
        self.server = app.server
        self.code = app.code_of(FORM)
        html = self.server.get(f"/s/{self.code}").text
        answers = {}
        for name, values in form_fields(html).items():
            choices = [v for v in values if v != "x"]
            if choices:
                answers[name] = choices[-1]
        tap.ok(form_token(html) and answers, "the demo round's form opens", html[:500])
        out = run_cli(["bench-tokens", self.code, "20000"], env={"DATABASE_URL": pg.conninfo})
        tap.eq(out.returncode, 0, "form tokens minted")
        self.load = Load(self.port, self.code, answers, out.stdout.split())
        self.rows = {}      # fault kind -> aggregated row of the table
        self.resent = 0

    # -- faults: each returns the monotonic time the fault ended ---------------

    def kill_server(self):
        self.server.proc.kill()
        self.server.proc.wait(10)
        time.sleep(0.5)  # clients meet a closed port meanwhile
        old = self.server
        self.server = Server(self.scratch, self.pg.conninfo, env=self.env)
        if old.log_text().count("ERROR: AddressSanitizer"):
            self.tap.ok(False, "no sanitizer report before the kill", old.log_text()[-3000:])
        return time.monotonic()

    def restart_pg(self, mode):
        self.pg.stop(mode)
        time.sleep(1.0)
        self.pg.start()
        return time.monotonic()

    def exhaust(self, hold=2.5):
        hogs = []
        refused = fill_slots(self.socket_dir, hogs)
        self.tap.ok(refused and "53300" in refused,
                    f"connection limit reached with {len(hogs)} connections", refused)
        # The pool's connections are already open: end them, and take every
        # slot they free, so the pool must reconnect into a full server.
        end = time.monotonic() + hold
        while time.monotonic() < end:
            if hogs:
                try:
                    hogs[0].query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                  " WHERE application_name LIKE 'hailong%'")
                except (ConnectionError, OSError):
                    hogs.pop(0)
            fill_slots(self.socket_dir, hogs)
            time.sleep(0.2)
        for h in hogs:
            h.close()
        return time.monotonic()

    def lock_response(self, hold=4.0):
        locker = Psql(self.pg.conninfo)
        self.scratch.on_cleanup(locker.close)
        self.tap.ok(lock_table(self.pg, locker, "response"), "response table locked")
        time.sleep(hold)
        locker.send("ROLLBACK;")
        locker.close()
        return time.monotonic()

    def slow_inserts(self, seconds, hold=4.0):
        self.pg.psql(
            "CREATE OR REPLACE FUNCTION fault_slow() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$BEGIN PERFORM pg_sleep({seconds}); RETURN NULL; END$$;"
            " CREATE TRIGGER fault_slow BEFORE INSERT ON response"
            " FOR EACH STATEMENT EXECUTE FUNCTION fault_slow()")
        time.sleep(hold)
        self.pg.psql("DROP TRIGGER fault_slow ON response")
        return time.monotonic()

    # -- checks ----------------------------------------------------------------

    def stored(self):
        ids = self.pg.psql("SELECT submission_id FROM response").split()
        dups = self.pg.psql("SELECT count(*) FROM (SELECT submission_id FROM response"
                            " GROUP BY submission_id HAVING count(*) > 1) d")
        return ids, int(dups)

    def inject(self, kind, label, fault):
        tap, load = self.tap, self.load
        time.sleep(1.5)  # steady load before the fault
        t0 = time.monotonic()
        t_end = fault()
        db_fault = kind != "kill -9 server"
        # Recovery: the first acknowledgement of a submission sent after the
        # fault ended.
        first = wait_until(lambda: min((a.end for a in load.since(t_end) if a.acked),
                                       default=None), 15, 0.05)
        recovery = (first - t_end) if first else None
        time.sleep(0.5)
        tap.ok(load.pause(), f"{label}: the load client's requests all ended")
        attempts = load.since(t0)
        alive = self.server.proc.poll() is None
        tap.ok(alive, f"{label}: the server is still running", self.server.log_text()[-3000:])
        tap.ok(recovery is not None and recovery <= RECOVERY_LIMIT_S,
               f"{label}: recovered {recovery if recovery is None else round(recovery, 2)} s "
               f"after the fault ended (limit {RECOVERY_LIMIT_S} s)")
        answered = [a for a in attempts if a.answered]
        latency = max((a.end - a.start for a in answered), default=0.0)
        slow = [a for a in answered if a.end - a.start > DB_TIMEOUT_S + MARGIN_S]
        tap.ok(not slow, f"{label}: every answer within the deadline "
               f"{DB_TIMEOUT_S:.0f} s + {MARGIN_S:.0f} s (slowest {latency:.2f} s)",
               "\n".join(f"{a.status} after {a.end - a.start:.2f} s" for a in slow[:10]))
        if db_fault:
            unanswered = [a for a in attempts if not a.answered]
            tap.ok(not unanswered, f"{label}: every client got an answer, no reset or hang",
                   "\n".join(f"{a.status} after {a.end - a.start:.2f} s"
                             for a in unanswered[:10]))
        statuses = {}
        for a in attempts:
            statuses[a.status] = statuses.get(a.status, 0) + 1
        tap.diag(f"{label}: outcomes {dict(sorted(statuses.items(), key=str))}")

        # The database against what the client was told, before any resend.
        ids, dups = self.stored()
        stored = set(ids)
        with load.lock:
            state = dict(load.state)
        acked = {s for s, v in state.items() if v == "acked"}
        lost = acked - stored
        refused_stored = {s for s, v in state.items() if v == "refused"} & stored
        in_doubt = {s for s, v in state.items() if v == "unanswered"} & stored
        tap.eq(len(lost), 0, f"{label}: no acknowledged submission is lost")
        tap.eq(dups + len(ids) - len(stored), 0, f"{label}: none is stored twice")
        with load.lock:
            tried = [a for a in load.attempts if a.sid in refused_stored]
        tap.ok(not refused_stored, f"{label}: none that was refused is stored",
               "\n".join(f"{a.sid}: {a.status} after {a.end - a.start:.3f} s" for a in tried[:10]))

        # What a parent does with a 503 page (or no answer): send it again.
        pending = [s for s, v in state.items() if v != "acked"]
        not_taken = []
        for sid in pending:
            ok = False
            for _ in range(20):
                a = load.post(load.token_of[sid], retry=True)
                if a.acked:
                    ok = True
                    break
                time.sleep(0.2)
            if not ok:
                not_taken.append(sid)
        self.resent += len(pending)
        tap.eq(not_taken[:5], [], f"{label}: each of the {len(pending)} refused or unanswered "
               "submissions is acknowledged when sent again")
        ids, dups = self.stored()
        with load.lock:
            acked_now = {s for s, v in load.state.items() if v == "acked"}
        tap.ok(set(ids) == acked_now and dups == 0 and len(ids) == len(set(ids)),
               f"{label}: stored exactly what was acknowledged ({len(ids)} rows)",
               f"stored not acked: {sorted(set(ids) - acked_now)[:5]}\n"
               f"acked not stored: {sorted(acked_now - set(ids))[:5]}")

        row = self.rows.setdefault(kind, {"injected": 0, "acknowledged": 0, "lost": 0,
                                          "duplicated": 0, "refused stored": 0,
                                          "in doubt": 0, "recovery": 0.0, "latency": 0.0})
        row["injected"] += 1
        row["acknowledged"] += sum(1 for a in attempts if a.acked)
        row["lost"] += len(lost)
        row["duplicated"] += dups + len(ids) - len(set(ids))
        row["refused stored"] += len(refused_stored)
        row["in doubt"] += len(in_doubt)
        row["recovery"] = max(row["recovery"], recovery if recovery is not None else 99.0)
        row["latency"] = max(row["latency"], latency)
        load.resume()

    def table(self):
        head = ("fault", "injected", "acknowledged", "lost", "duplicated", "refused stored",
                "max recovery s", "max latency s")
        lines = [head]
        total = [0, 0, 0, 0, 0]
        for kind, r in self.rows.items():
            lines.append((kind, r["injected"], r["acknowledged"], r["lost"], r["duplicated"],
                          r["refused stored"], f"{r['recovery']:.2f}", f"{r['latency']:.2f}"))
            for i, k in enumerate(("injected", "acknowledged", "lost", "duplicated",
                                   "refused stored")):
                total[i] += r[k]
        lines.append(("total", *total, "", ""))
        widths = [max(len(str(row[i])) for row in lines) for i in range(len(head))]
        out = []
        for n, row in enumerate(lines):
            out.append("| " + " | ".join(
                str(v).ljust(widths[i]) if i == 0 else str(v).rjust(widths[i])
                for i, v in enumerate(row)) + " |")
            if n == 0:
                out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(out)


def main(tap, scratch):
    started = time.monotonic()
    suite = Suite(tap, scratch)
    load = suite.load
    load.start()
    scratch.on_cleanup(load.stop)
    plan = []
    for n in range(ROUNDS):
        plan += [
            ("kill -9 server", suite.kill_server),
            ("restart pg fast", lambda: suite.restart_pg("fast")),
            ("restart pg immediate", lambda: suite.restart_pg("immediate")),
            ("connection limit", suite.exhaust),
            ("lock response", suite.lock_response),
            ("slow inserts (pg_sleep)", lambda n=n: suite.slow_inserts(1.5 if n % 2 == 0
                                                                       else 2.5)),
        ]
    plan.append(("kill -9 server", suite.kill_server))
    counts = {}
    for kind, fault in plan:
        counts[kind] = counts.get(kind, 0) + 1
        suite.inject(kind, f"{kind} #{counts[kind]}", fault)
    load.stop()
    tap.ok(len(load.attempts) > 500, f"{len(load.attempts)} submissions sent "
           f"({suite.resent} of them again after a refusal or no answer)")
    suite.server.signal(15)
    tap.eq(suite.server.wait(20), 0, "the server stops cleanly after the faults",)
    tap.ok("AddressSanitizer" not in suite.server.log_text() and
           "runtime error" not in suite.server.log_text(),
           "no sanitizer report", suite.server.log_text()[-3000:])
    tap.diag("")
    tap.diag(suite.table())
    tap.diag(f"fault suite took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    run_tests(main)
