"""Reports from a streaming replica (--replica-url; docs/scaling.md): a
local standby is made with pg_basebackup; the server takes parents'
answers on the primary and builds reports on the standby; once the standby
has replayed the primary's WAL the report counts every response; the
report connections are on the standby, none on the primary; and with the
standby down, reports fail cleanly while parents are still thanked."""
import glob
import os
import re
import shutil
import subprocess

from harness import PG_SH, Postgres, Server, run_cli, run_tests, submit, wait_until

ORG = ("code,name,kind,parent_code,school_level\n79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n79-A,Trường A,school,79-X,thcs\n")


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else name


def as_owner(cmd):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd


def make_standby(tap, scratch, primary):
    folder = os.path.join(scratch.path, "standby")
    os.makedirs(folder)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    host = re.search(r"host=(\S+)", primary.conninfo).group(1)
    out = subprocess.run(as_owner([pg_bin("pg_basebackup"), "-D", f"{folder}/data", "-R",
                                   "-X", "stream", "-h", host, "-U", "hailong", "--no-sync"]),
                         capture_output=True, text=True, timeout=120, cwd="/")
    tap.ok(out.returncode == 0, "pg_basebackup makes a standby of the primary", out.stderr)
    # pg.sh writes the standby's own socket folder and starts it.
    out = subprocess.run(["bash", PG_SH, "start", folder, "--ephemeral"],
                         capture_output=True, text=True, timeout=120)
    tap.ok(out.returncode == 0, "the standby starts", out.stderr)
    scratch.on_cleanup(lambda: subprocess.run(["bash", PG_SH, "stop", folder, "immediate"],
                                              capture_output=True, timeout=120))
    return folder, out.stdout.strip()


def psql(conninfo, sql):
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-d", conninfo, "-c", sql],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip() if out.returncode == 0 else f"error: {out.stderr.strip()}"


def main(tap, scratch):
    primary = Postgres(scratch)
    env = {"DATABASE_URL": primary.conninfo}
    for args in (["migrate"], ["forms", "load"]):
        tap.eq(run_cli(args, env=env).returncode, 0, " ".join(args))
    path = os.path.join(scratch.path, "org.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(ORG)
    tap.eq(run_cli(["org", "import", path], env=env).returncode, 0, "units imported")
    out = run_cli(["campaign", "create", "--org", "79-A", "--form", "hop-phu-huynh-nhanh",
                   "--title", "Họp phụ huynh", "--opens", "2026-01-01 07:00",
                   "--closes", "2099-12-31 17:00"], env=env)
    code = re.search(r"/s/([2-9A-HJKMNP-Z]{6})\s*$", out.stdout)
    tap.ok(code, "a round", out.stderr)
    code = code.group(1) if code else "XXXXXX"
    out = run_cli(["token", "create", "--org", "79", "--role", "viewer", "--name", "báo cáo"],
                  env=env)
    token = re.search(r"^(hl_\S+)$", out.stdout, re.M).group(1)
    folder, standby = make_standby(tap, scratch, primary)
    tap.eq(psql(standby, "SELECT pg_is_in_recovery()"), "t", "the standby is in recovery")

    server = Server(scratch, primary.conninfo, args=["--replica-url", standby])
    tap.eq([submit(server, code) for _ in range(12)], [200] * 12,
           "12 parents are thanked (written on the primary)")
    tap.eq(run_cli(["aggregate"], env=env).returncode, 0, "the answers are counted on the primary")
    lsn = primary.psql("SELECT pg_current_wal_lsn()")
    tap.ok(wait_until(lambda: psql(standby, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'") == "t",
                      30), "the standby replays the primary's WAL")

    auth = {"Authorization": "Bearer " + token}
    r = server.get(f"/api/v1/reports/79?campaign={code}", headers=auth, timeout=60)
    count = (r.json().get("rounds") or {}).get("responses") if r.status == 200 else None
    tap.ok(r.status == 200 and count == 12, f"the report counts the 12 responses (got {count})",
           r.text[:500])
    on_standby = psql(standby, "SELECT count(*) FROM pg_stat_activity"
                               " WHERE application_name = 'hailong-report'")
    on_primary = primary.psql("SELECT count(*) FROM pg_stat_activity"
                              " WHERE application_name = 'hailong-report'")
    tap.ok(on_standby not in ("0", "") and on_primary == "0",
           f"report connections: {on_standby} on the standby, {on_primary} on the primary")

    # The standby goes away: reports fail with a clear status, parents do not notice.
    subprocess.run(["bash", PG_SH, "stop", folder, "immediate"], capture_output=True, timeout=120)
    r = server.get(f"/api/v1/reports/79?campaign={code}", headers=auth, timeout=90)
    tap.ok(r.status in (500, 503), f"with the standby down, a report fails cleanly ({r.status})",
           r.text[:300])
    tap.eq(submit(server, code), 200, "while parents are still thanked")


run_tests(main)
