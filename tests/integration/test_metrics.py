"""GET /metrics: a strict Prometheus text exposition whose counters move
with real traffic (submissions, a replay, a conflict, a rate-limited post, a
404), whose labels never carry a path, code or token, whose aggregation lag
rises while the job cannot count and falls back to 0 after a run; served to
direct loopback callers and to the --metrics-token bearer only."""
import http.client
import re
import shutil
import socket
import subprocess
import time
import urllib.parse

from harness import (App, Psql, Server, form_fields, form_token, run_cli, run_tests,
                     wait_until)
from promtext import FormatError, parse

FORM = "hop-phu-huynh-nhanh"
TOKEN = "metrics-secret-7f3a9c"
POST = {"Content-Type": "application/x-www-form-urlencoded"}
# sql/009: the aggregation job's advisory lock.
AGG_LOCK = 104971108111110104


def answers(html, pick=-1):
    body = {"t": form_token(html)}
    for name, values in form_fields(html).items():
        choices = [v for v in values if v != "x"]
        if choices:
            body[name] = choices[pick]
    return body


def submit(server, code, body):
    return server.request("POST", f"/s/{code}", body=urllib.parse.urlencode(body), headers=POST)


def scrape(tap, server, what, headers=None):
    r = server.get("/metrics", headers=headers)
    if r.status != 200:
        tap.ok(False, f"scrape {what}: 200", f"status {r.status}: {r.text[:200]}")
        return None
    try:
        return parse(r.text)
    except FormatError as e:
        tap.ok(False, f"scrape {what}: the exposition is valid", str(e))
        return None


def scrape_until(tap, server, lag, timeout):
    """Scrapes until hailong_aggregation_lag_responses is lag; returns that
    exposition, or None at the timeout."""
    found, seen = [], []

    def reached():
        m = scrape(tap, server, f"waiting for a lag of {lag}")
        value = m.value("hailong_aggregation_lag_responses") if m else None
        if not seen or seen[-1] != value:
            seen.append(value)
        if value == lag:
            found.append(m)
        return bool(found)
    wait_until(reached, timeout)
    if not found:
        tap.diag(f"lag_responses values seen: {seen}")
    return found[0] if found else None


def non_loopback_ipv4():
    """An address of this machine that is not loopback, or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent: it only picks a route
        addr = s.getsockname()[0]
        return None if addr.startswith("127.") else addr
    except OSError:
        return None
    finally:
        s.close()


def main(tap, scratch):
    app = App(scratch, env={"HAILONG_METRICS_TOKEN": TOKEN, "HAILONG_AGGREGATE_INTERVAL": "300ms",
                            "HAILONG_RATE_LIMIT": "60", "HAILONG_RATE_BURST": "14"})
    server, pg = app.server, app.pg
    code = app.code_of(FORM)

    r = server.get("/metrics")
    tap.eq(r.status, 200, "a loopback caller may read /metrics")
    tap.eq(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8",
           "the text format's content type, version 0.0.4")
    try:
        first = parse(r.text)
        tap.ok(True, "the exposition passes the strict parser")
    except FormatError as e:
        tap.ok(False, "the exposition passes the strict parser", str(e))
        first = None
    if first:
        families = set(first.types)
        for name in ("hailong_build_info", "hailong_process_start_time_seconds",
                     "hailong_http_requests_total", "hailong_http_request_duration_seconds",
                     "hailong_http_requests_in_flight", "hailong_http_open_connections",
                     "hailong_submissions_accepted_total", "hailong_submissions_refused_total",
                     "hailong_commits_total", "hailong_commit_batch_size",
                     "hailong_db_pool_size", "hailong_db_pool_busy", "hailong_db_pool_wait_queue",
                     "hailong_db_pool_wait_seconds", "hailong_aggregation_runs_total"):
            tap.ok(name in families, f"family {name} is declared")
        tap.ok(all(first.helps.get(f) for f in families), "every family has a HELP line")
        tap.eq(first.value("hailong_db_pool_size"), 8.0, "pool size is --db-pool-size")
        tap.eq(first.value("hailong_http_requests_in_flight"), 1.0,
               "one request in flight: the scrape itself")
        start = first.value("hailong_process_start_time_seconds") or 0
        tap.ok(0 < time.time() - start < 120, "process start time is a recent Unix time",
               str(start))
        tap.eq(len(first.series("hailong_build_info")), 1, "one build_info series")

    # Real traffic: three parents submit, one replays, one reuses a token
    # with other answers, one 404, then the rate limit.
    base = scrape(tap, server, "before traffic")
    bodies = []
    for i in range(3):
        page = server.get(f"/s/{code}")
        body = answers(page.text)
        bodies.append(body)
        tap.eq(submit(server, code, body).status, 200, f"submission {i + 1} stored")
    tap.eq(submit(server, code, bodies[0]).status, 200, "a replay gets its receipt again")
    other = dict(bodies[1])
    q = next(k for k in other if k != "t")
    choices = [v for v in form_fields(server.get(f"/s/{code}").text)[q] if v != "x"]
    other[q] = choices[0] if other[q] != choices[0] else choices[1]
    tap.eq(submit(server, code, other).status, 409, "a used token with other answers: 409")
    tap.eq(server.get("/no/SECRETCODE42/here").status, 404, "an unknown path: 404")
    statuses = []
    for _ in range(30):
        statuses.append(server.get(f"/s/{code}").status)
        if statuses[-1] == 429:
            break
    tap.ok(statuses[-1] == 429, "the survey rate limit answers 429", str(statuses))
    tap.eq(submit(server, code, bodies[2]).status, 429, "a submission over the limit: 429")

    after = scrape(tap, server, "after traffic")
    if base and after:
        def moved(name, **labels):
            return after.total(name, **labels) - base.total(name, **labels)
        tap.eq(moved("hailong_submissions_accepted_total"), 4.0,
               "accepted: three stored and one replay")
        tap.eq(moved("hailong_submissions_refused_total", reason="duplicate"), 1.0,
               "refused as duplicate: the reused token")
        tap.eq(moved("hailong_submissions_refused_total", reason="rate_limited"), 1.0,
               "refused as rate limited: the post over the limit")
        tap.eq(moved("hailong_http_requests_total", route="/s/{code}", method="POST",
                     status="200"), 4.0, "requests_total counts the posts by route pattern")
        tap.eq(moved("hailong_http_requests_total", route="(unmatched)", status="404"), 1.0,
               "the 404 is counted under (unmatched)")
        tap.ok(moved("hailong_http_requests_total", route="/s/{code}", method="GET",
                     status="429") >= 1, "the rate-limited GETs are counted with status 429")
        commits = moved("hailong_commits_total")
        tap.ok(commits >= 1, "group commits counted", str(commits))
        tap.eq(moved("hailong_commit_batch_size_count"), commits,
               "one batch-size observation per commit")
        tap.ok(moved("hailong_commit_batch_size_sum") >= 4,
               "batch sizes add up to the rows sent (4 posts reached the committer)")
        tap.ok(moved("hailong_db_pool_wait_seconds_count") >= 4,
               "every database job's wait for a connection is observed")
        # The latency histogram counts exactly the requests of its route.
        for route in ("/s/{code}", "/metrics"):
            reqs = after.total("hailong_http_requests_total", route=route)
            hist = after.value("hailong_http_request_duration_seconds_count", route=route)
            want = reqs + (1 if route == "/metrics" else 0)  # this scrape: timed, not yet counted
            tap.ok(hist in (reqs, want), f"latency histogram count = requests of {route}",
                   f"{hist} vs {reqs}")
        text = server.get("/metrics").text
        tap.ok("SECRETCODE42" not in text and code not in text and "/no/" not in text,
               "no path, round code or token reaches a label")
        routes = {l["route"] for l, _ in after.series("hailong_http_requests_total")}
        tap.ok(all(r == "(unmatched)" or r.startswith("/") for r in routes),
               "route labels are patterns", str(sorted(routes)))

    # Idle keep-alive connections are counted as open.
    conns = []
    for _ in range(3):
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        c.request("GET", "/robots.txt")
        c.getresponse().read()
        conns.append(c)
    m = scrape(tap, server, "with idle connections")
    if m:
        tap.ok(m.value("hailong_http_open_connections") >= 4,
               "open connections include three idle keep-alive ones and the scrape",
               str(m.value("hailong_http_open_connections")))
    for c in conns:
        c.close()

    # Aggregation lag: while another session holds the job's lock the job
    # cannot count; two new responses then wait, and the lag shows them.
    # First the job counts what the traffic above stored (half a second
    # ago: the job runs every 300 ms), so that only those two wait.
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM response_batch_queue") == "0", 10),
           "the job has counted the earlier submissions")
    counted0 = (scrape(tap, server, "before lag") or parse("")).total(
        "hailong_aggregation_counted_total")
    locker = Psql(pg.conninfo)
    locker.send(f"BEGIN; SELECT pg_advisory_lock({AGG_LOCK});")
    wait_until(lambda: pg.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                               " AND granted") != "0", 10)
    for _ in range(2):
        time.sleep(1.1)  # the rate limit refills one request a second
        page = server.get(f"/s/{code}")
        time.sleep(1.1)
        tap.eq(submit(server, code, answers(page.text)).status, 200,
               "a submission while the job is locked out")
    m = scrape_until(tap, server, 2, 10)
    tap.ok(m is not None, "lag_responses shows the two uncounted responses")
    if m:
        tap.ok(m.value("hailong_aggregation_lag_seconds") > 0,
               "lag_seconds is positive while responses wait",
               str(m.value("hailong_aggregation_lag_seconds")))
    locker.close()
    m = scrape_until(tap, server, 0, 15)
    tap.ok(m is not None, "lag_responses is back to 0 after a run")
    if m:
        tap.eq(m.value("hailong_aggregation_lag_seconds"), 0.0, "lag_seconds back to 0")
        tap.ok(m.total("hailong_aggregation_counted_total") - counted0 >= 2,
               "the job counted the waiting responses")
        tap.ok(time.time() - m.value("hailong_aggregation_last_run_timestamp_seconds") < 10,
               "last run time is recent")
        tap.eq(pg.psql("SELECT count(*) FROM response_batch_queue"), "0",
               "the queue is indeed empty")

    # Access: a request forwarded by a proxy is not local; a bearer opens it.
    tap.eq(server.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status, 404,
           "through a proxy without the token: 404 (the endpoint is invisible)")
    tap.eq(server.get("/metrics", headers={"Authorization": "Bearer wrong"}).status, 403,
           "a wrong bearer token: 403")
    tap.eq(server.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status, 403,
           "a longer token is wrong too")
    tap.eq(server.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9",
                                           "Authorization": f"Bearer {TOKEN}"}).status, 200,
           "the right bearer token through a proxy: 200")
    addr = non_loopback_ipv4()
    if addr:
        wide = Server(scratch, app.url, env={"HAILONG_LISTEN": "0.0.0.0:0"})
        c = http.client.HTTPConnection(addr, wide.port, timeout=10)
        c.request("GET", "/metrics")
        resp = c.getresponse()
        resp.read()
        tap.eq(resp.status, 404, f"a caller from {addr} (not loopback), no token: 404")
        c.close()
        c = http.client.HTTPConnection("127.0.0.1", wide.port, timeout=10)
        c.request("GET", "/metrics")
        tap.eq(c.getresponse().status, 200, "the same server, from loopback: 200")
        c.close()
    else:
        tap.diag("no non-loopback address here: the peer check is covered by the proxy case")

    out = run_cli(["config"], env={"HAILONG_METRICS_TOKEN": TOKEN})
    tap.ok(out.returncode == 0 and TOKEN not in out.stdout and
           re.search(r"^metrics-token +\*{8} ", out.stdout, re.M),
           "hailong config masks the metrics token", out.stdout)

    promtool = shutil.which("promtool")
    if promtool:
        out = subprocess.run([promtool, "check", "metrics"], input=server.get("/metrics").body,
                             capture_output=True, timeout=30)
        tap.eq(out.returncode, 0, "promtool check metrics accepts the exposition",)
    else:
        tap.diag("promtool not installed: skipped")


run_tests(main)
