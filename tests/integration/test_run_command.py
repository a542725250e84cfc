"""The README's run command: private cluster, migrate, serve; data kept;
Ctrl-C stops server and cluster."""
import os
import signal
import socket
import subprocess

from harness import BINARY, PG_SH, SOURCE_ROOT, Postgres, run_tests, wait_until

RUN = os.path.join(SOURCE_ROOT, "scripts", "run.sh")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def healthy(port):
    import http.client
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def start(scratch, env_extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HAILONG_") and k != "DATABASE_URL"}
    env.update({"HAILONG_SKIP_SETUP": "1", "HAILONG_BUILD_DIR": os.path.dirname(BINARY)})
    env.update(env_extra)
    log = open(os.path.join(scratch.path, "run.log"), "ab")
    proc = subprocess.Popen(["bash", RUN], env=env, stdout=log, stderr=log)
    scratch.on_cleanup(lambda: proc.poll() is None and proc.kill())
    return proc


def log_of(scratch):
    with open(os.path.join(scratch.path, "run.log"), encoding="utf-8", errors="replace") as f:
        return f.read()


def pg_running(data):
    return subprocess.run(["bash", PG_SH, "status", os.path.join(data, "pg")],
                          capture_output=True, timeout=60).returncode == 0


def main(tap, scratch):
    data = os.path.join(scratch.path, "var")
    port = free_port()
    env = {"HAILONG_DATA_DIR": data, "HAILONG_LISTEN": f"127.0.0.1:{port}"}
    scratch.on_cleanup(lambda: subprocess.run(["bash", PG_SH, "stop", os.path.join(data, "pg"),
                                               "immediate"], capture_output=True, timeout=60))

    proc = start(scratch, env)
    tap.ok(wait_until(lambda: healthy(port), 90, 0.2), "first run: serves /healthz 200",
           log_of(scratch))
    tap.ok(os.path.isfile(os.path.join(data, "pg", "data", "PG_VERSION")),
           "the private cluster lives under the data folder")
    url = subprocess.run(["bash", PG_SH, "url", os.path.join(data, "pg")], capture_output=True,
                         text=True, timeout=30).stdout.strip()
    tap.match(url, r"^host=/\S+ port=5432 user=hailong dbname=hailong$",
              "the cluster is reached through a unix socket")
    conf = subprocess.run(["psql", "-X", "-A", "-t", "-d", url, "-c", "SHOW listen_addresses"],
                          capture_output=True, text=True, timeout=30).stdout.strip()
    tap.eq(conf, "", "the private cluster listens on no TCP address")
    migrated = subprocess.run(["psql", "-X", "-A", "-t", "-d", url, "-c",
                               "SELECT count(*) > 0 FROM hailong_migrations; "
                               "CREATE TABLE keep_me (v text); INSERT INTO keep_me VALUES ('x')"],
                              capture_output=True, text=True, timeout=30)
    tap.eq(migrated.returncode, 0, "the run command migrated the database", )

    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        code = None
    tap.eq(code, 130, "Ctrl-C (SIGINT) ends the run command")
    tap.ok(not healthy(port), "the server is gone")
    tap.ok(not pg_running(data), "the private cluster is stopped", log_of(scratch))
    tap.ok("private PostgreSQL stopped" in log_of(scratch), "it says so")

    proc = start(scratch, env)
    tap.ok(wait_until(lambda: healthy(port), 90, 0.2), "second run: serves again", log_of(scratch))
    kept = subprocess.run(["psql", "-X", "-A", "-t", "-d", url, "-c", "SELECT v FROM keep_me"],
                          capture_output=True, text=True, timeout=30).stdout.strip()
    tap.eq(kept, "x", "the second run kept the data")
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        code = None
    tap.eq(code, 143, "SIGTERM ends the run command")
    tap.ok(not pg_running(data), "the private cluster is stopped again")

    # With DATABASE_URL no private cluster is made.
    pg = Postgres(scratch, "external")
    other = os.path.join(scratch.path, "other-var")
    port2 = free_port()
    proc = start(scratch, {"HAILONG_DATA_DIR": other, "HAILONG_LISTEN": f"127.0.0.1:{port2}",
                           "DATABASE_URL": pg.conninfo})
    tap.ok(wait_until(lambda: healthy(port2), 60, 0.2), "with DATABASE_URL it serves from that "
           "database", log_of(scratch))
    tap.ok(not os.path.exists(os.path.join(other, "pg")), "and starts no private cluster")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)

    # A data folder that cannot be made.
    proc = start(scratch, {"HAILONG_DATA_DIR": "/etc/passwd/var",
                           "HAILONG_LISTEN": f"127.0.0.1:{free_port()}"})
    code = proc.wait(timeout=60)
    tap.ok(code == 1 and "cannot create data folder /etc/passwd/var" in log_of(scratch),
           "an unusable data folder: exit 1 and a message naming it")


run_tests(main)
