"""Responses partitioned by season (sql/016, docs/scaling.md): a running
server keeps storing answers, once each, while `response` becomes a
partitioned table and a second season starts; the aggregation job counts
every response once and a report over all seasons shows them all."""
import json
import subprocess
import urllib.parse

from harness import App, body_for, run_cli, run_tests, submit, wait_until

FORM = "hop-phu-huynh-nhanh"


def new_round(env, title):
    out = run_cli(["campaign", "create", "--org", "DEMO-TRUONG", "--form", FORM, "--title", title,
                   "--opens", "2026-01-01 07:00", "--closes", "2099-01-01 07:00"], env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip().rsplit("/", 1)[-1]


def parents(server, code, count):
    return [submit(server, code) for _ in range(count)]


def resend(server, code):
    """One parent's form sent twice, as a phone does when the first answer
    is lost on the way back: both thanked, one response."""
    body = urllib.parse.urlencode(body_for(server.get(f"/s/{code}").text))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return [server.request("POST", f"/s/{code}", body=body, headers=headers).status
            for _ in range(2)]


def partitions(pg):
    """{partition: its bound} of response."""
    rows = pg.psql("SELECT c.relname || '|' || pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
                   " JOIN pg_class c ON c.oid = i.inhrelid"
                   " WHERE i.inhparent = 'response'::regclass ORDER BY 1")
    return dict(line.split("|", 1) for line in rows.splitlines() if line)


def rows_by_partition(pg):
    rows = pg.psql("SELECT tableoid::regclass || '=' || count(*) FROM response GROUP BY tableoid ORDER BY 1")
    return dict(line.split("=") for line in rows.splitlines() if line)


def refusal(pg, sql):
    """What psql says when sql fails (empty when it succeeds)."""
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg.url(), "-c", sql],
                         capture_output=True, text=True, timeout=60)
    return out.stderr if out.returncode != 0 else ""


def round_id(pg, code):
    return int(pg.psql(f"SELECT id FROM campaign WHERE public_code = '{code}'"))


# The tables that grow with rounds and parents, and the one unique key
# allowed to leave the round out (a slip's code is all its link carries;
# docs/scaling.md says what a Citus cluster does with it).
GROWING = ("response", "slip", "slip_batch", "paper_draft", "tally_group", "report_snapshot")
WITHOUT_ROUND = {"slip_code"}


def unique_keys_without_round(pg):
    rows = pg.psql(
        "SELECT i.indexrelid::regclass FROM pg_index i"
        " WHERE i.indisunique AND i.indrelid::regclass::text IN ("
        + ", ".join(f"'{t}'" for t in GROWING) + ")"
        " AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid"
        " AND a.attname = 'campaign_id' AND a.attnum = ANY (i.indkey))")
    return set(rows.split())


def main(tap, scratch):
    app = App(scratch, env={"HAILONG_AGGREGATE_INTERVAL": "300ms"})
    pg, server = app.pg, app.server
    tap.eq(unique_keys_without_round(pg), WITHOUT_ROUND,
           "every unique key of a growing table holds the round (partitioning and Citus need it)")
    primary = pg.psql("SELECT string_agg(c.conrelid::regclass::text, ',' ORDER BY 1) FROM pg_constraint c"
                      " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attname = 'campaign_id'"
                      " WHERE c.contype = 'p' AND a.attnum = ANY (c.conkey)")
    tap.ok(set(GROWING) <= set(primary.split(",")), "and every one's primary key holds it",
           primary)
    env = {"DATABASE_URL": app.url, "HAILONG_BASE_URL": "http://hailong.test"}
    first = app.code_of(FORM)

    tap.eq(parents(server, first, 10), [200] * 10, "10 parents answer before partitioning")
    tap.eq(pg.psql("SELECT hl_response_new_season('2026_27')"), "response_2026_27",
           "the first season's call names its partition")
    tap.eq(pg.psql("SELECT relkind FROM pg_class WHERE oid = 'response'::regclass"), "p",
           "response is now a partitioned table")
    after_first = round_id(pg, first) + 1
    demo_rounds = int(pg.psql("SELECT max(id) FROM campaign"))
    tap.eq(partitions(pg), {
        "response_before_2026_27": f"FOR VALUES FROM (MINVALUE) TO ('{demo_rounds + 1}')",
        "response_2026_27": f"FOR VALUES FROM ('{demo_rounds + 1}') TO (MAXVALUE)"},
        "the existing rows became the partition of the earlier rounds, a new one is open")
    tap.ok(after_first <= demo_rounds + 1, "the demo rounds all fall in the first partition")

    # The same server, not restarted: its prepared statements follow the table.
    second = new_round(env, "Đợt năm học 2026–2027")
    tap.eq(parents(server, second, 12), [200] * 12, "12 parents of a new round answer")
    tap.eq(parents(server, first, 5), [200] * 5, "5 more parents of the old round answer")
    tap.eq(resend(server, second) + resend(server, first), [200] * 4,
           "a form sent twice is thanked twice in either partition")
    tap.eq(rows_by_partition(pg), {"response_before_2026_27": "16", "response_2026_27": "13"},
           "each response is stored in its round's partition, a resent form once")

    tap.eq(pg.psql("SELECT hl_response_new_season('2027_28')"), "response_2027_28",
           "the second season's call names its partition")
    out = refusal(pg, "SELECT hl_response_new_season('2028_29')")
    tap.ok("no round has been created since response_2027_28 opened" in out,
           "a season without a new round is refused", out)
    third = new_round(env, "Đợt năm học 2027–2028")
    bound = round_id(pg, third)
    tap.eq(partitions(pg), {
        "response_before_2026_27": f"FOR VALUES FROM (MINVALUE) TO ('{demo_rounds + 1}')",
        "response_2026_27": f"FOR VALUES FROM ('{demo_rounds + 1}') TO ('{bound}')",
        "response_2027_28": f"FOR VALUES FROM ('{bound}') TO (MAXVALUE)"},
        "the open partition is closed at the first new round, the next one is open")
    tap.eq(parents(server, third, 7) + parents(server, second, 3), [200] * 10,
           "parents of the new and of the previous season's round answer")
    tap.eq(rows_by_partition(pg), {"response_before_2026_27": "16", "response_2026_27": "16",
                                   "response_2027_28": "7"},
           "three seasons, each response in its own")

    out = refusal(pg, "SELECT hl_response_new_season('2028-29; DROP TABLE response')")
    tap.ok("a season label is 1 to 40 of a-z" in out, "a label that is no name is refused", out)
    tap.eq(pg.psql("SELECT count(*) FROM response"), "39", "nothing was lost by either refusal")
    out = refusal(pg, "DELETE FROM response")
    tap.ok("append-only" in out, "responses stay append-only in every partition", out)
    ids = pg.psql("SELECT count(DISTINCT id) FROM response")
    tap.eq(ids, "39", "ids stay unique across partitions (the aggregation job reads id ranges)")

    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM response_batch_queue") == "0", 30),
           "the aggregation job counts every partition's responses")
    counted = pg.psql("SELECT c.public_code || '=' || t.responses FROM tally_total t"
                      " JOIN campaign c ON c.id = t.campaign_id"
                      f" WHERE c.public_code IN ('{first}', '{second}', '{third}') ORDER BY c.id")
    tap.eq(counted.splitlines(), [f"{first}=16", f"{second}=16", f"{third}=7"],
           "each round counted once, across the switches")
    def reported(*args):
        out = run_cli(["report", "DEMO-TRUONG", "--from", "2026-01-01", "--to", "2030-12-31",
                       *args, "--format", "json"], env=env)
        return json.loads(out.stdout)["rounds"]["responses"] if out.returncode == 0 else out.stderr

    tap.eq([reported("--campaign", c) for c in (first, second, third)], [16, 16, 7],
           "each round's report shows its responses")
    tap.eq(reported(), 39, "the school's report over all seasons shows all of them")
    tap.eq([line for line in server.lines if "level=error" in line], [],
           "the server logged no error across both switches")


if __name__ == "__main__":
    run_tests(main)
