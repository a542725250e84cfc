#!/usr/bin/env python3
"""Soak (issue 9, point 2): a mixed run for several minutes.

Parents submit at a steady rate while, at the same time, viewers pull the
school's report as JSON, CSV and XLSX, the comments as CSV, and the server's
own aggregation job counts every second.  Checked:

  - every submission is acknowledged (200 with a receipt), and every report
    and export answers 200;
  - at the end, once the job has caught up, the report's figures equal the
    stored responses: its response count equals count(*), and the tallies
    equal a recount of the raw answers;
  - the server's memory does not grow: its resident size over the second
    half of the run stays within a small margin of the first half's peak;
  - no database query is left open: once the load stops, none of the
    server's connections is active or inside a transaction, and after it
    stops none remains.

SOAK_SECONDS sets the length (default 180).  Run by meson in the `faults`
suite, or by hand: python3 tests/faults/soak.py
"""
import os
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import App, form_fields, form_token, run_cli, run_tests, wait_until  # noqa: E402

FORM = "hop-phu-huynh-nhanh"
SECONDS = float(os.environ.get("SOAK_SECONDS", "180"))
RATE = 25.0            # submissions per second
SUBMITTERS = 3
RSS_MARGIN_KIB = 8 * 1024


def status_kib(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main(tap, scratch):
    # Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
    # default) before reuse, which would look like growth; a small one keeps
    # the measurement about our memory (no effect otherwise).
    asan = os.environ.get("ASAN_OPTIONS", "")
    app = App(scratch, env={"HAILONG_AGGREGATE_INTERVAL": "1s", "HAILONG_RATE_LIMIT": "1000000",
                            "HAILONG_RATE_BURST": "1000000", "HAILONG_PRIVACY_THRESHOLD": "2",
                            "ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=2"})
    server, pg = app.server, app.pg
    env = {"DATABASE_URL": pg.conninfo}
    code = app.code_of(FORM)
    school = pg.psql("SELECT u.code FROM campaign c JOIN org_unit u ON u.id = c.org_unit_id"
                     f" WHERE c.public_code = '{code}'")
    html = server.get(f"/s/{code}").text
    answers = {}
    for name, values in form_fields(html).items():
        choices = [v for v in values if v != "x"]
        if choices:
            answers[name] = choices[len(answers) % len(choices)]
    text_field = next((n for n, v in form_fields(html).items() if not v), None)
    tap.ok(form_token(html) and answers, "the demo round's form opens")
    count = int(SECONDS * RATE * 1.2) + 100
    out = run_cli(["bench-tokens", code, str(count)], env=env)
    tokens = out.stdout.split()
    tap.eq(len(tokens), count, f"{count} form tokens minted")
    out = run_cli(["token", "create", "--org", school, "--role", "viewer", "--name", "soak"], env=env)
    viewer = next((w for w in out.stdout.split() if w.startswith("hl_")), "")
    tap.ok(viewer, "a viewer API token for the school")

    stop = threading.Event()
    lock = threading.Lock()
    outcomes = {"submit": {}, "report": {}}
    next_token = [0]

    def record(kind, status):
        with lock:
            outcomes[kind][status] = outcomes[kind].get(status, 0) + 1

    def submitter():
        interval = SUBMITTERS / RATE
        due = time.monotonic()
        while not stop.is_set():
            with lock:
                if next_token[0] >= len(tokens):
                    return
                token = tokens[next_token[0]]
                next_token[0] += 1
            fields = dict(answers, t=token)
            if text_field and next_token[0] % 7 == 0:
                fields[text_field] = f"Ý kiến số {next_token[0]}: trường <b>tốt</b>"
            try:
                r = server.request("POST", f"/s/{code}", body=urllib.parse.urlencode(fields),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"},
                                   timeout=15)
                record("submit", r.status if "Cảm ơn" in r.text or r.status != 200 else "200 without thanks")
            except Exception as exc:  # noqa: BLE001 - a hang or reset is a finding
                record("submit", repr(exc)[:60])
            due += interval
            time.sleep(max(0.0, due - time.monotonic()))

    def reader():
        paths = [f"/api/v1/reports/{school}", f"/api/v1/reports/{school}?format=csv",
                 f"/api/v1/reports/{school}?format=xlsx",
                 f"/api/v1/reports/{school}/comments?format=csv"]
        i = 0
        while not stop.is_set():
            try:
                r = server.request("GET", paths[i % len(paths)], timeout=30,
                                   headers={"Authorization": "Bearer " + viewer})
                record("report", r.status)
            except Exception as exc:  # noqa: BLE001
                record("report", repr(exc)[:60])
            i += 1
            time.sleep(0.2)

    threads = [threading.Thread(target=submitter) for _ in range(SUBMITTERS)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    pid = server.proc.pid
    samples = []
    started = time.monotonic()
    for t in threads:
        t.start()
    while time.monotonic() - started < SECONDS:
        time.sleep(5)
        samples.append((time.monotonic() - started, status_kib(pid, "VmRSS")))
    stop.set()
    for t in threads:
        t.join(60)

    submitted = sum(outcomes["submit"].values())
    tap.diag(f"{SECONDS:.0f} s: submissions {outcomes['submit']}, reports and exports "
             f"{outcomes['report']}")
    tap.ok(submitted >= SECONDS * RATE * 0.8 and set(outcomes["submit"]) == {200},
           f"all {submitted} submissions acknowledged", outcomes["submit"])
    tap.ok(sum(outcomes["report"].values()) > 20 and set(outcomes["report"]) == {200},
           f"all {sum(outcomes['report'].values())} reports and exports answered 200",
           outcomes["report"])

    half = [kib for t, kib in samples if t <= SECONDS / 2]
    late = [kib for t, kib in samples if t > SECONDS / 2]
    tap.diag("server VmRSS (s: kB): " + ", ".join(f"{t:.0f}: {kib}" for t, kib in samples))
    tap.ok(half and late and max(late) <= max(half) + RSS_MARGIN_KIB,
           f"memory does not grow: peak {max(half or [0])} kB in the first half, "
           f"{max(late or [0])} kB in the second (margin {RSS_MARGIN_KIB} kB)")

    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM response_batch_queue") == "0", 60),
           "the aggregation job catches up")
    stored = int(pg.psql("SELECT count(*) FROM response"))
    tap.eq(stored, outcomes["submit"].get(200, 0), "stored: exactly the acknowledged submissions")
    r = server.request("GET", f"/api/v1/reports/{school}?campaign={code}",
                       headers={"Authorization": "Bearer " + viewer})
    tap.eq(r.json()["rounds"]["responses"] if r.status == 200 else None, stored,
           "the report counts every stored response")
    recount = ("SELECT string_agg(format('%s/%s/%s', i - 1, v, n), ' ' ORDER BY i, v) FROM"
               " (SELECT i, v, count(*) AS n FROM response, unnest(answers) WITH ORDINALITY"
               " AS a(v, i) GROUP BY 1, 2) r")
    tallied = ("SELECT string_agg(format('%s/%s/%s', answer_index, value, n), ' '"
               " ORDER BY answer_index, value) FROM tally")
    tap.eq(pg.psql(tallied), pg.psql(recount), "the tallies equal a recount of the raw answers")

    time.sleep(1.5)  # the job's last run and any report in flight end
    open_queries = pg.psql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'hailong%'"
        " AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'")
    tap.eq(open_queries, "0", "with the load stopped, no server connection is busy or in a transaction")
    server.signal(15)
    tap.eq(server.wait(30), 0, "the server stops cleanly")
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM pg_stat_activity WHERE"
                                      " application_name LIKE 'hailong%'") == "0", 10),
           "and leaves no connection behind")


run_tests(main)
