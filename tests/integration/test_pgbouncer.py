"""hailong behind PgBouncer in transaction mode (issue 10, scale-out;
docs/scaling.md): the server, the aggregation job and reports all go
through a PgBouncer with three server connections, under parallel
submissions; every response is stored once and counted once, and
PostgreSQL saw no more than PgBouncer's pool.

PgBouncer does not pass libpq's `options` startup parameter on, so the
settings hailong puts there (statement_timeout …) are set on the role
instead; docs/scaling.md says so.  Migrations take a session-level
advisory lock: they go to PostgreSQL directly."""
import json
import os
import re
import shutil
import subprocess

from harness import Postgres, Server, parallel_parents, run_cli, run_tests, wait_until

ROLE_SETTINGS = ("ALTER ROLE hailong SET statement_timeout = '5s';"
                 "ALTER ROLE hailong SET synchronous_commit = on;"
                 "ALTER ROLE hailong SET client_connection_check_interval = '250ms'")
POOL = 3


def start_pgbouncer(tap, scratch, pg_host):
    folder = scratch.sub("pgbouncer")
    as_root = os.geteuid() == 0
    with open(os.path.join(folder, "users.txt"), "w") as f:
        f.write('"hailong" ""\n')
    with open(os.path.join(folder, "pgbouncer.ini"), "w") as f:
        f.write(f"""[databases]
hailong = host={pg_host} port=5432 dbname=hailong user=hailong

[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = {folder}
auth_type = trust
auth_file = {folder}/users.txt
admin_users = hailong
pool_mode = transaction
default_pool_size = {POOL}
max_client_conn = 500
ignore_startup_parameters = options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
""")
    if as_root:
        shutil.chown(folder, "postgres")
        for name in os.listdir(folder):
            shutil.chown(os.path.join(folder, name), "postgres")
    # PgBouncer refuses to run as root.
    cmd = (["runuser", "-u", "postgres", "--"] if as_root else []) + \
        ["pgbouncer", os.path.join(folder, "pgbouncer.ini")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")

    def stop():
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    scratch.on_cleanup(stop)
    ready = wait_until(lambda: os.path.exists(os.path.join(folder, ".s.PGSQL.6432")), 15)
    tap.ok(ready, "PgBouncer listens", proc.stderr.read().decode() if proc.poll() is not None
           else None)
    return f"host={folder} port=6432 dbname=hailong user=hailong", folder


def main(tap, scratch):
    if not shutil.which("pgbouncer"):
        tap.ok(False, "pgbouncer is installed (scripts/packages.txt)")
        return
    pg = Postgres(scratch)
    direct = {"DATABASE_URL": pg.conninfo}
    for args in (["migrate"], ["forms", "load"], ["demo"]):
        tap.eq(run_cli(args, env=direct).returncode, 0, " ".join(args) + " (directly)")
    pg.psql(ROLE_SETTINGS)
    url, folder = start_pgbouncer(tap, scratch, re.search(r"host=(\S+)", pg.conninfo).group(1))

    server = Server(scratch, url, args=["--rate-limit", "100000", "--rate-burst", "100000"])
    code = pg.psql("SELECT c.public_code FROM campaign c JOIN questionnaire_version v"
                   " ON v.id = c.version_id WHERE v.form_id = 'hop-phu-huynh-nhanh'"
                   " ORDER BY c.id LIMIT 1")
    unit = pg.psql(f"SELECT u.code FROM org_unit u JOIN campaign c ON c.org_unit_id = u.id"
                   f" WHERE c.public_code = '{code}'")
    tap.eq(server.get("/healthz").status, 200, "the server is healthy through PgBouncer")

    statuses = parallel_parents(lambda i: server, code, threads=8, each=25)
    tap.eq(statuses, [200] * 200, "200 parents on 8 connections at once: all thanked")
    tap.eq(pg.psql(f"SELECT count(*) FROM response r JOIN campaign c ON c.id = r.campaign_id"
                   f" WHERE c.public_code = '{code}'"), "200", "200 responses stored, once each")

    clients = subprocess.run(["psql", "-X", "-At", "-h", folder, "-p", "6432", "-U", "hailong",
                              "pgbouncer", "-c", "SHOW CLIENTS"],
                             capture_output=True, text=True, timeout=30)
    hailong_clients = sum(1 for line in clients.stdout.splitlines() if "|hailong|hailong|" in line)
    backends = int(pg.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'hailong'"
                           " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"))
    tap.ok(hailong_clients >= 8 and backends <= POOL,
           f"hailong holds {hailong_clients} connections to PgBouncer; PostgreSQL serves them "
           f"with {backends} (pool of {POOL})", clients.stdout + clients.stderr)

    out = run_cli(["aggregate"], env={"DATABASE_URL": url})
    tap.ok(out.returncode == 0, "hailong aggregate through PgBouncer", out.stderr)
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM response_batch_queue") == "0", 30),
           "every response is counted")
    out = run_cli(["report", unit, "--campaign", code, "--format", "json"],
                  env={"DATABASE_URL": url})
    doc = json.loads(out.stdout) if out.returncode == 0 else {}
    count = (doc.get("rounds") or {}).get("responses")
    tap.ok(out.returncode == 0 and count == 200,
           f"the report through PgBouncer counts 200 responses (got {count})", out.stderr[-500:])
    tap.eq(pg.psql("SELECT current_setting('statement_timeout')", dbname="hailong"), "5s",
           "the role carries the settings PgBouncer drops from the connection")
    log = open(os.path.join(folder, "pgbouncer.log"), encoding="utf-8", errors="replace").read()
    tap.ok("unsupported startup parameter" not in log, "PgBouncer accepted every connection",
           log[-1500:])


run_tests(main)
