"""Backup and restore (issue 9, point 7), by the procedure docs/security.md
gives: `pg_dump --format=custom` of a live database, `pg_restore` into a
fresh cluster, `hailong migrate` finding nothing to do; then every report
output — JSON, CSV, XLSX, the HTML page, the notice sheet, a published
round, the comments — is the same bytes from the restored database as from
the original (SOURCE_DATE_EPOCH fixes the time they are stamped with), the
counting goes on where it stopped, and a parent's token issued before the
backup is still refused twice."""
import os
import subprocess

from harness import BINARY, Postgres, database_with_units, run_cli, run_tests
from test_reports import FORM_V2, make_round, store

ORG = ("code,name,kind,parent_code,school_level\n"
       "P1,Tỉnh Một,province,,\n"
       "C1,Xã Một,commune,P1,\n"
       "S1,Trường Một,school,C1,thcs\n"
       "S2,Trường Hai,school,C1,thcs\n")
PERIOD = ["--from", "2026-09-01", "--to", "2027-08-31"]
EPOCH = "1795000000"  # 2026-11-17: any fixed time will do
ROWS = [([5, 4, 2, 1, 5, 1], ["Tốt <b>lắm</b>, cảm ơn"]), ([4, 4, 2, 1, 4, 0], None),
        ([3, -1, 1, 2, 3, 1], ["Cần thêm sân chơi"]), ([5, 5, 2, 1, 5, 0], None),
        ([2, 3, 2, 2, 2, 0], None), ([4, 5, 2, 1, 4, 0], None)]


def outputs(env, published_code):
    """Every report output the command line gives, as bytes, by name."""
    env = dict(env, SOURCE_DATE_EPOCH=EPOCH)
    got = {}
    for node, extra in (("P1", PERIOD), ("S1", PERIOD), ("S1", ["--campaign", published_code])):
        for fmt in ("json", "csv", "xlsx", "html", "notice"):
            out = subprocess.run([BINARY, "report", node, *extra,
                                  "--format", fmt], capture_output=True, timeout=120,
                                 env=dict(os.environ, **env))
            got[f"{node} {' '.join(extra)} {fmt}"] = (out.returncode, out.stdout)
    for fmt in ("csv", "json"):
        out = subprocess.run([BINARY, "comments", "P1", *PERIOD,
                              "--format", fmt], capture_output=True, timeout=120,
                             env=dict(os.environ, **env))
        got[f"comments {fmt}"] = (out.returncode, out.stdout)
    return got


def main(tap, scratch):
    pg, env = database_with_units(tap, scratch, ORG)
    tap.eq(run_cli(["forms", "load", os.path.dirname(FORM_V2)], env=env).returncode, 0,
           "the test questionnaire loaded")
    version = int(pg.psql("SELECT id FROM questionnaire_version"
                          " WHERE form_id = 'kiem-thu-bao-cao'"))
    closed = make_round(pg, "BBBBB2", "S1", version, "2026-10-01")
    store(pg, closed, version, ROWS, "2026-10-05")
    open_round = make_round(pg, "BBBBB3", "S2", version, "2026-11-20")
    pg.psql(f"UPDATE campaign SET closes_at = now() + interval '30 days' WHERE id = {open_round}")
    store(pg, open_round, version, ROWS[:5], "2026-11-21")
    out = run_cli(["aggregate"], env=env)
    tap.ok(out.returncode == 0 and "1 closed rounds published" in out.stdout,
           "counted, and the closed round published", out.stdout + out.stderr)
    # Stored but not counted yet when the backup is taken: the queue too
    # must come back.
    store(pg, open_round, version, ROWS[5:], "2026-11-22")

    before = outputs(env, "BBBBB2")
    tap.ok(all(code == 0 and len(body) > 100 for code, body in before.values()),
           f"{len(before)} outputs made from the original",
           {k: v[0] for k, v in before.items() if v[0] != 0 or len(v[1]) <= 100})
    again = outputs(env, "BBBBB2")
    tap.ok(again == before, "made twice from the same database: the same bytes (the stamp is fixed)",
           [k for k in before if before[k] != again[k]])

    # The procedure of docs/security.md, "Backup and restore".
    dump = os.path.join(scratch.path, "hailong.dump")
    out = subprocess.run(["pg_dump", "--format=custom", "--file", dump, "--dbname",
                          pg.conninfo], capture_output=True, text=True, timeout=120)
    tap.ok(out.returncode == 0 and os.path.getsize(dump) > 10000, "pg_dump --format=custom",
           out.stderr)
    fresh = Postgres(scratch, "restored")
    out = subprocess.run(["pg_restore", "--exit-on-error", "--no-owner", "--dbname",
                          fresh.conninfo, dump], capture_output=True, text=True, timeout=300)
    tap.ok(out.returncode == 0, "pg_restore into a fresh cluster", out.stderr)
    renv = dict(env, DATABASE_URL=fresh.conninfo)
    out = run_cli(["migrate"], env=renv)
    tap.ok(out.returncode == 0 and "(0 applied now)" in out.stdout,
           "hailong migrate: the restored database is up to date", out.stdout + out.stderr)

    after = outputs(renv, "BBBBB2")
    differ = [k for k in before if before[k] != after[k]]
    tap.ok(not differ, f"all {len(before)} outputs are byte-identical after the restore", differ)
    tap.eq(fresh.psql("SELECT sha256 FROM report_snapshot"),
           pg.psql("SELECT sha256 FROM report_snapshot"), "the published round's SHA-256 too")

    # Counting goes on from the restored queue, exactly once.
    out = run_cli(["aggregate"], env=renv)
    tap.eq(out.stdout.splitlines()[0] if out.stdout else out.stderr, "1 responses counted",
           "the response queued at backup time is counted after the restore")
    recount = ("SELECT string_agg(format('%s/%s/%s/%s', campaign_id, i - 1, v, n), ' '"
               " ORDER BY campaign_id, i, v) FROM (SELECT campaign_id, i, v, count(*) AS n"
               " FROM response, unnest(answers) WITH ORDINALITY AS a(v, i) GROUP BY 1, 2, 3) r")
    tallied = ("SELECT string_agg(format('%s/%s/%s/%s', campaign_id, answer_index, value, n), ' '"
               " ORDER BY campaign_id, answer_index, value) FROM tally")
    tap.eq(fresh.psql(tallied), fresh.psql(recount),
           "and the restored tallies equal a recount of the restored responses")
    tap.eq(fresh.psql("SELECT count(*), count(DISTINCT submission_id) FROM response"),
           pg.psql("SELECT count(*), count(DISTINCT submission_id) FROM response"),
           "every response restored once, with its submission id (a resend stays refused)")


run_tests(main)
