"""`hailong status` against a real running server and database: aligned
lines whose figures match the database and the traffic; exit 1 with a clear
message when the server is stopped or the database is down; the example in
docs/operations.md has the same lines, in the same shape, as the real
output (so it cannot rot)."""
import os
import re
import signal
import urllib.parse

from harness import (SOURCE_ROOT, App, Server, form_fields, form_token, run_cli, run_tests,
                     wait_until)

FORM = "hop-phu-huynh-nhanh"
POST = {"Content-Type": "application/x-www-form-urlencoded"}
DOC = os.path.join(SOURCE_ROOT, "docs", "operations.md")


def lines_of(stdout):
    """{label: rest} of the aligned output, and whether every line is aligned."""
    out, aligned = {}, True
    for line in stdout.splitlines():
        m = re.fullmatch(r"([a-z ]{13}) (\S.*)", line)
        if not m:
            aligned = False
            continue
        out[m.group(1).strip()] = m.group(2)
    return out, aligned


def shape(line):
    """A line with its figures abstracted: durations, numbers, the URL."""
    line = re.sub(r"http://\S+", "URL", line)
    line = re.sub(r"\d+(\.\d+)*", "N", line)
    line = re.sub(r"N[dhms]( N[dhms])*", "DUR", line)
    return line.rstrip()


def doc_example():
    """The lines of the status example block in docs/operations.md."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- status-example -->\n```\n(.*?)```", text, re.S)
    return m.group(1).splitlines() if m else []


def main(tap, scratch):
    app = App(scratch)
    server, pg = app.server, app.pg
    code = app.code_of(FORM)
    env = {"DATABASE_URL": app.url}
    url = f"http://127.0.0.1:{server.port}"

    for _ in range(2):
        page = server.get(f"/s/{code}").text
        body = {"t": form_token(page)}
        for name, values in form_fields(page).items():
            choices = [v for v in values if v != "x"]
            if choices:
                body[name] = choices[-1]
        tap.eq(server.request("POST", f"/s/{code}", body=urllib.parse.urlencode(body),
                              headers=POST).status, 200, "a parent submits")

    # The aggregation job's first run (about a second after start) measures
    # the lag; before it status says "not measured yet".
    tap.ok(wait_until(lambda: "aggregation_lag_responses" in server.get("/metrics").text, 15),
           "the aggregation job has run once")
    out = run_cli(["status", "--url", url], env=env)
    tap.eq(out.returncode, 0, "status exits 0 when server and database answer")
    tap.diag(out.stdout)
    got, aligned = lines_of(out.stdout)
    tap.ok(aligned, "every line is a 13-column label then the value", out.stdout)
    version = run_cli(["version"]).stdout.split()[-1]
    tap.ok(re.fullmatch(rf"up \d+s, version {re.escape(version)}", got.get("server", "")),
           "uptime and version", got.get("server"))
    tap.eq(got.get("responses"), "2 stored today", "responses stored today, from the database")
    tap.eq(got.get("rounds"), pg.psql("SELECT count(*) FROM campaign WHERE opens_at <= now()"
                                      " AND closes_at > now() AND closed_early_at IS NULL")
           + " open now", "open rounds")
    tap.eq(got.get("migrations"),
           "level " + pg.psql("SELECT max(version) FROM hailong_migrations"), "migration level")
    tap.ok(got.get("submissions", "").startswith("2 accepted, 0 refused"),
           "submissions since start, from /metrics", got.get("submissions"))
    tap.ok(re.fullmatch(r"\d+ since start, \d+\.\d\d/s; \d+ 4xx, 0 5xx \(0 of them 503\)",
                        got.get("requests", "")), "requests with a rate", got.get("requests"))
    tap.ok(re.fullmatch(r"8 of 8 connected, \d+ busy, 0 waiting", got.get("db pool", "")),
           "pool state", got.get("db pool"))
    tap.ok(re.fullmatch(r"lag \d+ responses \(\d+[ms]( \d+s)?\), last run \d+s ago",
                        got.get("aggregation", "")), "aggregation lag and last run",
           got.get("aggregation"))
    tap.eq(got.get("status"), "ok", "overall: ok")

    example = doc_example()
    tap.ok(example, "docs/operations.md has a status example block")
    real = out.stdout.splitlines()
    tap.eq([shape(l) for l in example], [shape(l) for l in real],
           "the documented example has the real output's lines and shape")

    # Without --url: the configured listen address.
    out = run_cli(["status"], env=dict(env, HAILONG_LISTEN=f"127.0.0.1:{server.port}"))
    tap.eq(out.returncode, 0, "without --url the listen address is used")
    out = run_cli(["status", "--url", "https://example.org"], env=env)
    tap.ok(out.returncode == 2 and "--url must be http://" in out.stderr,
           "an https or malformed URL: exit 2 with the reason", out.stderr)

    # The server stopped: unreachable, exit 1, the database still checked.
    server.signal(signal.SIGTERM)
    server.wait()
    out = run_cli(["status", "--url", url], env=env)
    got, _ = lines_of(out.stdout)
    tap.eq(out.returncode, 1, "server stopped: exit 1")
    tap.eq(got.get("server"), "UNREACHABLE", "the server line says so")
    tap.ok("cannot read" in out.stderr and "/metrics" in out.stderr, "a clear message",
           out.stderr)
    tap.eq(got.get("database"), "ok", "the database is still checked")
    tap.eq(got.get("status"), "FAILING", "overall: failing")

    # The database down under a running server: exit 1 too.
    again = Server(scratch, app.url)
    pg.stop("fast")
    out = run_cli(["status", "--url", f"http://127.0.0.1:{again.port}"], env=env)
    got, _ = lines_of(out.stdout)
    tap.eq(out.returncode, 1, "database down: exit 1")
    tap.ok(got.get("server", "").startswith("up "), "the server still answers its metrics",
           got.get("server"))
    tap.eq(got.get("database"), "DOWN", "the database line says DOWN")
    tap.ok("cannot connect to the database" in out.stderr, "a clear message", out.stderr)


run_tests(main)
