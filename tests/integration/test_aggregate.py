"""The aggregation job counts every stored response exactly once: a response
whose transaction commits after later-numbered ones is neither skipped nor
counted twice, also when two sessions' statements interleave their ids (the
queue then holds id lists, sql/009); several jobs at once (two command-line
runs and a server) share the work without double counting; a database crash
in the middle of a run loses and duplicates nothing.  The truth is always a
recount from the responses themselves."""
import subprocess
import time

from harness import BINARY, Postgres, Psql, Server, run_cli, run_tests, wait_until

RECOUNT = ("SELECT campaign_id, version_id, i - 1, v, count(*) FROM response,"
           " unnest(answers) WITH ORDINALITY AS a(v, i) GROUP BY 1, 2, 3, 4")
TALLIES = "SELECT campaign_id, version_id, answer_index, value, n FROM tally"


def insert_sql(count, round_id, version_id, answers_count, seed, source="qr"):
    """An INSERT of count responses with answers varying by row."""
    return (
        "INSERT INTO response (campaign_id, version_id, submission_id, content_hash, answers,"
        " source, receipt, submitted_minute)"
        f" SELECT {round_id}, {version_id}, gen_random_uuid(), sha256(g::text::bytea),"
        f" (SELECT array_agg(((g * 7 + j * 3 + {seed}) % 7 - 1)::smallint ORDER BY j)"
        f"  FROM generate_series(1, {answers_count}) j),"
        f" '{source}', 'R', date_trunc('minute', now())"
        f" FROM generate_series(1, {count}) g")


def same_counts(pg):
    """True when the tallies equal a recount, row for row."""
    diff = pg.psql(f"SELECT count(*) FROM (({RECOUNT}) EXCEPT ({TALLIES})) a")
    back = pg.psql(f"SELECT count(*) FROM (({TALLIES}) EXCEPT ({RECOUNT})) b")
    totals = pg.psql("SELECT (SELECT count(*) FROM response) ="
                     " (SELECT coalesce(sum(responses), 0) FROM tally_total)")
    return diff == "0" and back == "0" and totals == "t"


def main(tap, scratch):
    pg = Postgres(scratch)
    env = {"DATABASE_URL": pg.conninfo}
    for args in (["migrate"], ["forms", "load"], ["demo"]):
        tap.eq(run_cli(args, env=env).returncode, 0, " ".join(args))
    row = pg.psql("SELECT c.id, c.version_id, v.answer_count FROM campaign c"
                  " JOIN questionnaire_version v ON v.id = c.version_id"
                  " WHERE v.form_id = 'hop-phu-huynh-nhanh' LIMIT 1").split("|")
    round_id, version_id, answers = int(row[0]), int(row[1]), int(row[2])

    pg.psql(insert_sql(100, round_id, version_id, answers, 1))
    slow = Psql(pg.conninfo)
    scratch.on_cleanup(slow.close)
    # The slow transaction takes its response id first and commits last.
    slow.send("BEGIN;")
    slow.send(insert_sql(1, round_id, version_id, answers, 5, source="paper") + ";")
    time.sleep(0.5)
    pg.psql(insert_sql(50, round_id, version_id, answers, 2))
    out = run_cli(["aggregate"], env=env)
    tap.ok(out.returncode == 0 and out.stdout.strip() == "150 responses counted",
           "the run counts the 150 committed responses", out.stdout + out.stderr)
    tap.ok(same_counts(pg), "the tallies equal a recount of what is committed")
    tap.eq(pg.psql("SELECT count(*) FROM response_batch_queue"), "0",
           "the uncommitted response is not visible yet")
    slow.send("COMMIT;")
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM response") == "151", 10),
           "the slow transaction commits")
    late = int(pg.psql("SELECT id FROM response WHERE source = 'paper'"))
    newest = int(pg.psql("SELECT max(id) FROM response WHERE source = 'qr'"))
    tap.ok(late < newest, f"its response id ({late}) is lower than ones already counted "
           f"(up to {newest})")
    out = run_cli(["aggregate"], env=env)
    tap.eq(out.stdout.strip(), "1 responses counted", "the next run counts it, and only it")
    tap.ok(same_counts(pg), "tallies equal a recount: nothing skipped, nothing twice")
    tap.eq(run_cli(["aggregate"], env=env).stdout.strip(), "0 responses counted",
           "a run with nothing new counts nothing")
    for bad in ("0", "ten", "10000001"):
        out = run_cli(["aggregate", "--batch", bad], env=env)
        tap.ok(out.returncode == 2 and "--batch" in out.stderr and bad in out.stderr,
               f"--batch {bad} is refused, naming the flag and the value", out.stderr)
    out = run_cli(["aggregate", "--publish", "maybe"], env=env)
    tap.ok(out.returncode == 2 and "--publish" in out.stderr and "maybe" in out.stderr,
           "--publish maybe is refused, naming the flag and the value", out.stderr)

    # Two sessions insert big statements at the same time, so each
    # statement's ids are interleaved with the other's; one commits late.
    gate = Psql(pg.conninfo)
    scratch.on_cleanup(gate.close)
    gate.send("SELECT pg_advisory_lock(7);")
    # psql runs asynchronously: the gate must be shut before anyone arrives.
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                      " AND granted AND mode = 'ExclusiveLock'") == "1", 10),
           "the gate is shut")
    sessions = [Psql(pg.conninfo) for _ in range(2)]
    for i, session in enumerate(sessions):
        scratch.on_cleanup(session.close)
        session.send("BEGIN; SELECT pg_advisory_xact_lock_shared(7);")
        session.send(insert_sql(40000, round_id, version_id, answers, 10 + i) + ";")
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                      " AND NOT granted") == "2", 10),
           "both sessions wait at the gate")
    gate.send("SELECT pg_advisory_unlock(7);")
    idle = ("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
            " AND query LIKE 'INSERT INTO response%'")
    tap.ok(wait_until(lambda: pg.psql(idle) == "2", 60), "both statements are done, uncommitted")
    sessions[1].send("COMMIT;")
    tap.ok(wait_until(lambda: pg.psql(idle) == "1", 10), "the second session commits")
    tap.ok(int(pg.psql("SELECT count(*) FROM response_batch_queue WHERE ids IS NOT NULL")) > 0,
           "its statement's ids were not contiguous: the queue holds them as a list")
    out = run_cli(["aggregate"], env=env)
    tap.eq(out.stdout.strip(), "40000 responses counted",
           "the run counts the committed session's responses only")
    tap.ok(same_counts(pg), "tallies equal a recount of what is committed")
    sessions[0].send("COMMIT;")
    tap.ok(wait_until(lambda: pg.psql(idle) == "0", 10), "the first session commits late")
    out = run_cli(["aggregate"], env=env)
    tap.eq(out.stdout.strip(), "40000 responses counted", "the next run counts the late ones")
    tap.ok(same_counts(pg), "tallies equal a recount after interleaved statements")

    # Several jobs at once: two command-line runs and a server's job.
    pg.psql(insert_sql(30000, round_id, version_id, answers, 3))
    server = Server(scratch, pg.conninfo, env={"HAILONG_AGGREGATE_INTERVAL": "100ms"})
    runs = [subprocess.Popen([BINARY, "aggregate"], env={"DATABASE_URL": pg.conninfo},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in runs]
    tap.ok(all(p.returncode == 0 for p in runs), "two command-line runs at once succeed",
           outs)
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM response_batch_queue") == "0", 60),
           "the server's job and the runs together drain the queue")
    tap.ok(same_counts(pg), "tallies equal a recount after concurrent jobs")
    server.signal(15)
    server.wait()

    # A crash in the middle of a run: PostgreSQL stops immediately while a
    # run is counting a big queue; after recovery nothing is lost or doubled.
    # Several runs' worth (--batch 50000): stop once the first run has
    # committed, while the next one is counting.
    for seed in (4, 5, 6):
        pg.psql(insert_sql(200000, round_id, version_id, answers, seed))
    counted = "SELECT coalesce(sum(responses), 0) FROM tally_total"
    before = int(pg.psql(counted))
    job = subprocess.Popen([BINARY, "aggregate", "--batch", "50000"],
                           env={"DATABASE_URL": pg.conninfo},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tap.ok(wait_until(lambda: int(pg.psql(counted)) > before, 60, interval=0.02),
           "the first run of the job commits")
    pg.stop("immediate")
    job.communicate(timeout=60)
    tap.ok(job.returncode != 0, "the run fails with the database gone")
    pg.conninfo = pg.start()
    env["DATABASE_URL"] = pg.conninfo
    queued = int(pg.psql("SELECT coalesce(sum(rows), 0) FROM response_batch_queue"))
    tap.ok(0 < queued < 600000, f"after recovery {queued} responses are still queued")
    tap.ok(same_counts_partial(pg), "what was counted before the crash equals a recount of "
           "the responses no longer queued")
    out = run_cli(["aggregate"], env=env, timeout=300)
    tap.eq(out.returncode, 0, "a new run after recovery succeeds")
    tap.ok(same_counts(pg), "tallies equal a recount after the crash")


def same_counts_partial(pg):
    """The tallies equal a recount of the responses that left the queue."""
    counted = ("SELECT campaign_id, version_id, i - 1, v, count(*) FROM response r,"
               " unnest(answers) WITH ORDINALITY AS a(v, i)"
               " WHERE NOT EXISTS (SELECT 1 FROM response_batch_queue u"
               "  WHERE r.id BETWEEN u.first_id AND u.last_id AND (u.ids IS NULL OR r.id = ANY(u.ids)))"
               " GROUP BY 1, 2, 3, 4")
    a = pg.psql(f"SELECT count(*) FROM (({counted}) EXCEPT ({TALLIES})) a")
    b = pg.psql(f"SELECT count(*) FROM (({TALLIES}) EXCEPT ({counted})) b")
    return a == "0" and b == "0"


run_tests(main)
