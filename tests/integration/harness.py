"""Integration-test harness: TAP output, a throw-away PostgreSQL cluster, the
real hailong binary over loopback HTTP.  Everything is bounded in time.

Every test file is a script run by meson (protocol: tap) with the binary's
path in HAILONG_BIN and the checkout in HAILONG_SOURCE_ROOT.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

SOURCE_ROOT = os.environ.get("HAILONG_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("HAILONG_BIN", os.path.join(SOURCE_ROOT, "build", "hailong"))
PG_SH = os.path.join(SOURCE_ROOT, "scripts", "pg.sh")
# `meson test --setup valgrind` sets HAILONG_VALGRIND=1: every run of the
# binary, by the harness or by a test's own subprocess call, then goes
# through valgrind (see valgrind.py).
VALGRIND = None
if os.environ.get("HAILONG_VALGRIND") == "1":
    import valgrind
    VALGRIND = valgrind.Valgrind(BINARY, SOURCE_ROOT)
    BINARY = VALGRIND.wrapper
# Deadlines of the harness itself stretch under valgrind, which runs the
# binary some twenty times slower; a test's own measured bounds do not.
SLOW = 6 if VALGRIND else 1
# Why a test skips a bound it measures (time or memory) under valgrind.
UNDER_VALGRIND = "valgrind changes the time and memory this measures"


class Tap:
    """Minimal TAP producer: ok/eq/match, then done() prints the plan."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, condition, description, diagnostic=None):
        self.count += 1
        if condition:
            print(f"ok {self.count} - {description}", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.count} - {description}", flush=True)
            if diagnostic is not None:
                for line in str(diagnostic).splitlines()[-40:]:
                    print(f"# {line}", flush=True)
        return bool(condition)

    def eq(self, got, want, description):
        return self.ok(got == want, description, f"got:  {got!r}\nwant: {want!r}")

    def match(self, text, pattern, description):
        return self.ok(re.search(pattern, text or "") is not None, description,
                       f"text: {text!r}\npattern: {pattern!r}")

    def skip(self, description, reason):
        """A check that cannot mean anything in this run (TAP's # SKIP)."""
        self.count += 1
        print(f"ok {self.count} - {description} # SKIP {reason}", flush=True)

    def diag(self, text):
        for line in str(text).splitlines():
            print(f"# {line}", flush=True)

    def done(self):
        print(f"1..{self.count}", flush=True)
        return 1 if self.failed else 0


def run_tests(main):
    """Runs main(tap) with a scratch folder; an exception is a failed test."""
    tap = Tap()
    scratch = Scratch()
    try:
        main(tap, scratch)
    except Exception:  # noqa: BLE001 - any escape is a test failure
        tap.ok(False, "test script finished without an exception", traceback.format_exc())
    finally:
        scratch.cleanup()
        if VALGRIND:
            VALGRIND.report(tap)
    sys.exit(tap.done())


class Scratch:
    """A temporary folder, and everything started in it, removed at the end."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="hailong-test-")
        # The cluster may run as user postgres (when we are root): it must
        # reach the folder.
        os.chmod(self.path, 0o755)
        self.cleanups = []

    def sub(self, name):
        path = os.path.join(self.path, name)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o755)
        return path

    def on_cleanup(self, fn):
        self.cleanups.append(fn)

    def cleanup(self):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception:  # noqa: BLE001 - cleanup must go on
                traceback.print_exc(file=sys.stdout)
        shutil.rmtree(self.path, ignore_errors=True)


class Postgres:
    """A private cluster through scripts/pg.sh, socket only, in scratch."""

    _count = 0

    def __init__(self, scratch, name=None):
        if name is None:
            Postgres._count += 1
            name = f"pg{Postgres._count}"
        self.dir = os.path.join(scratch.path, name)
        scratch.on_cleanup(lambda: self.stop("immediate"))
        self.conninfo = self.start()

    def start(self):
        out = subprocess.run(["bash", PG_SH, "start", self.dir, "--ephemeral"],
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"pg.sh start failed: {out.stderr}")
        return out.stdout.strip()

    def stop(self, mode="fast"):
        subprocess.run(["bash", PG_SH, "stop", self.dir, mode],
                       capture_output=True, text=True, timeout=120)

    def url(self, dbname=None):
        if dbname is None:
            return self.conninfo
        return re.sub(r"dbname=\S+", f"dbname={dbname}", self.conninfo)

    def psql(self, sql, dbname=None, check=True):
        """Runs sql with psql; returns stdout (unaligned, tuples only)."""
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-d", self.url(dbname), "-c", sql],
                             capture_output=True, text=True, timeout=60)
        if check and out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr}")
        return out.stdout.strip()

    def createdb(self, name):
        self.psql(f'CREATE DATABASE "{name}"', dbname="postgres")
        return self.url(name)


class Psql:
    """An interactive psql session, for holding locks across requests."""

    def __init__(self, conninfo):
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-d", conninfo],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)

    def send(self, sql):
        self.proc.stdin.write(sql + "\n")
        self.proc.stdin.flush()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except Exception:  # noqa: BLE001
                self.proc.kill()


def run_cli(args, env=None, timeout=60, stdin=None):
    """Runs the binary once; returns CompletedProcess with text output."""
    timeout *= SLOW
    full_env = dict(os.environ)
    for key in list(full_env):
        if key.startswith("HAILONG_") and key not in ("HAILONG_BIN", "HAILONG_SOURCE_ROOT",
                                                      "HAILONG_VALGRIND"):
            del full_env[key]
    full_env.pop("DATABASE_URL", None)
    full_env.update(env or {})
    return subprocess.run([BINARY] + list(args), capture_output=True, text=True,
                          env=full_env, timeout=timeout, input=stdin)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Server:
    """The real binary, `hailong serve`, on a free loopback port."""

    def __init__(self, scratch, database_url, env=None, args=()):
        self.lines = []
        self.lock = threading.Condition()
        full_env = dict(os.environ)
        full_env.pop("DATABASE_URL", None)
        # One process, so that a test can watch it (its pid, memory, kill -9);
        # test_workers runs several.
        full_env.update({"DATABASE_URL": database_url, "HAILONG_LISTEN": "127.0.0.1:0",
                         "HAILONG_WORKERS": "1"})
        full_env.update(env or {})
        self.proc = subprocess.Popen([BINARY, "serve"] + list(args), env=full_env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        scratch.on_cleanup(self.kill)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        line = self.wait_log(r"msg=listening", timeout=30 * SLOW)
        if not line:
            raise RuntimeError("server did not start:\n" + self.log_text())
        self.port = int(re.search(r"port=(\d+)", line).group(1))

    def _read(self):
        for raw in self.proc.stderr:
            with self.lock:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def log_text(self):
        with self.lock:
            return "\n".join(self.lines)

    def wait_log(self, pattern, timeout=10, start=0):
        """Waits for a log line matching pattern; returns it or None."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self.lock:
            while True:
                for line in self.lines[start:]:
                    if regex.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.lock.wait(min(left, 0.2))

    def request(self, method, path, body=None, headers=None, timeout=10):
        timeout *= SLOW
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Response(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def raw(self, data, timeout=10, read_until_close=True):
        """Sends raw bytes; returns everything read until close or timeout."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            sock.sendall(data)
            chunks = []
            while read_until_close:
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            sock.close()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=30):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None and VALGRIND:
            # A clean exit lets valgrind check the heap for leaks.
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def wait_until(predicate, timeout, interval=0.1):
    """Polls predicate until it returns a truthy value or timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


LOCKS = ("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
         " WHERE c.relname = '{}' AND l.granted = {}")


def lock_table(pg, locker, table="hailong_migrations", timeout=10):
    """Has the Psql session locker take an ACCESS EXCLUSIVE lock on table (in
    a transaction it leaves open) and returns once the lock is held: psql
    runs asynchronously, and on a busy machine a fixed sleep can end before
    it has even connected."""
    locker.send(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE;")
    return wait_until(lambda: pg.psql(LOCKS.format(table, "true")) != "0", timeout)


def wait_lock_waiters(pg, count=1, table="hailong_migrations", timeout=10):
    """Returns once count sessions wait for a lock on table."""
    return wait_until(lambda: int(pg.psql(LOCKS.format(table, "false"))) >= count, timeout)


def in_thread(fn, *args, **kwargs):
    """Runs fn in a thread; returns (thread, result holder list)."""
    holder = []

    def body():
        try:
            holder.append(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001
            holder.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, holder


class App:
    """A migrated database with the shipped questionnaires and the demo
    school loaded, and a server on it: what a parent meets."""

    def __init__(self, scratch, env=None, pg=None):
        self.pg = pg or Postgres(scratch)
        self.url = self.pg.conninfo
        for args in (["migrate"], ["forms", "load"]):
            out = run_cli(args, env={"DATABASE_URL": self.url})
            if out.returncode != 0:
                raise RuntimeError(f"{args}: {out.stderr}")
        out = run_cli(["demo"], env={"DATABASE_URL": self.url,
                                     "HAILONG_BASE_URL": "http://hailong.test"})
        if out.returncode != 0:
            raise RuntimeError(f"demo: {out.stderr}")
        self.demo_urls = out.stdout.split()
        self.server = Server(scratch, self.url, env=env)

    def code_of(self, form_id):
        """The demo round's code for a questionnaire id."""
        return self.pg.psql(
            "SELECT c.public_code FROM campaign c JOIN questionnaire_version v "
            f"ON v.id = c.version_id WHERE v.form_id = '{form_id}' ORDER BY c.id LIMIT 1")


def form_token(html):
    m = re.search(r'name="t" value="([^"]+)"', html)
    return m.group(1) if m else None


def body_for(html):
    """A complete submission of a form page: its token and, for each
    question, the last answer offered (never "x", không ý kiến)."""
    body = {"t": form_token(html)}
    for name, values in form_fields(html).items():
        choices = [v for v in values if v != "x"]
        if choices:
            body[name] = choices[-1]
    return body


def submit(server, code):
    """One parent: opens the round's form and sends it back complete.
    Returns the answer's status (200: thanked)."""
    page = server.get(f"/s/{code}").text
    return server.request("POST", f"/s/{code}", body=urllib.parse.urlencode(body_for(page)),
                          headers={"Content-Type": "application/x-www-form-urlencoded"}).status


def parallel_parents(server_for, code, threads, each):
    """threads parents' devices at once, each submitting `each` times to
    server_for(i); returns every status."""
    statuses, lock = [], threading.Lock()

    def parent(i):
        for _ in range(each):
            status = submit(server_for(i), code)
            with lock:
                statuses.append(status)

    workers = [threading.Thread(target=parent, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=300)
    return statuses


def process_sockets(pid):
    """Sockets a process holds open (connections and listeners); 0 when it
    is gone."""
    count = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    count += 1
            except OSError:
                pass
    except OSError:
        pass
    return count


def form_fields(html):
    """The question field names and, for each, the offered values, in order."""
    fields = {}
    for name, value in re.findall(r'name="(q\d+)" value="([^"]*)"', html):
        fields.setdefault(name, []).append(value)
    for name in re.findall(r'<textarea name="(q\d+)"', html):
        fields.setdefault(name, [])
    return fields


def database_with_units(tap, scratch, org_csv, env=None):
    """A migrated cluster with the shipped questionnaires and the units of
    org_csv imported; returns it and the environment for run_cli."""
    pg = Postgres(scratch)
    env = dict(env or {}, DATABASE_URL=pg.conninfo)
    for args in (["migrate"], ["forms", "load"]):
        tap.eq(run_cli(args, env=env).returncode, 0, " ".join(args))
    path = os.path.join(scratch.path, "org.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(org_csv)
    tap.eq(run_cli(["org", "import", path], env=env).returncode, 0, "units imported")
    return pg, env


BROWSER_DIR = os.path.join(SOURCE_ROOT, "tests", "browser")


def ensure_playwright(tap):
    """Installs playwright-core from the lock file once; browser tests run in
    parallel, so the install is serialised by a lock file."""
    import fcntl
    with open(os.path.join(BROWSER_DIR, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
            return
        out = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"],
                             cwd=BROWSER_DIR, capture_output=True, text=True, timeout=300)
        tap.ok(out.returncode == 0, "playwright-core installed from the lock file", out.stderr)


def run_node_tap(tap, script, args, timeout=180):
    """Runs a TAP-printing node script of tests/browser and folds its results
    in; returns its diagnostic lines (without "# ")."""
    out = subprocess.run(["node", os.path.join(BROWSER_DIR, script)] + list(args),
                         capture_output=True, text=True, timeout=timeout)
    diags = []
    for line in out.stdout.splitlines():
        if line.startswith(("ok ", "not ok ")):
            tap.ok(line.startswith("ok "), line.split(" - ", 1)[-1])
        elif line.startswith("# "):
            tap.diag(line[2:])
            diags.append(line[2:])
    tap.ok(out.returncode == 0, f"{script} succeeded", out.stderr[-3000:])
    return diags
