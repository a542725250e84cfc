"""A corpus of XSS payloads (tests/attack/xss-payloads.txt) stored where
people type text that others read, then every page crawled in headless
Chromium (tests/browser/xss.mjs) with CSP off (issue 9, point 4):

  - organisation names: the province, a school and one grade per payload,
    imported from a CSV;
  - round titles: one round per payload, through the API;
  - parents' comments: one response per payload, through the form;
  - API token names: a few payloads, through the command line;
  - reflected: payloads in a report search, the audit filter, the sign-in
    page's `next`, and as unit and round codes in addresses.

No payload may run or turn into markup on any page, and each stored payload
must show up as visible text on some page — or the test proved nothing.
Payload numbers: names 1xx, titles 2xx, comments 3xx, tokens 4xx,
reflected 5xx.
"""
import json
import os
import re
import urllib.parse

from target import FORM, Target, ensure_playwright, run_cli, run_node_tap, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))


def payloads(base):
    with open(os.path.join(HERE, "xss-payloads.txt"), encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    lines = [line for line in lines if line.strip() and not line.startswith("#")]
    return {base + i: line.replace("N", str(base + i)) for i, line in enumerate(lines, 1)}


def org(names):
    """The tree, with payloads as the province's, a school's and grades' names."""
    rows = [("79", names[101], "province", "", ""), ("79-X", "Phường X", "commune", "79", ""),
            ("79-A", names[102], "school", "79-X", "thcs")]
    for n, name in names.items():
        if n > 102:
            rows.append((f"79-A-G{n}", name, "grade", "79-A", ""))
    lines = ["code,name,kind,parent_code,school_level"]
    for row in rows:
        lines.append(",".join('"' + v.replace('"', '""') + '"' for v in row))
    return "\n".join(lines) + "\n"


def main(tap, scratch):
    ensure_playwright(tap)
    names, titles, comments = payloads(100), payloads(200), payloads(300)
    tokens, reflected = payloads(400), payloads(500)
    t = Target(tap, scratch, org=org(names), title=titles[201],
               server_args=["--rate-limit", "100000", "--rate-burst", "100000"])
    rounds = [t.round]
    grades = sorted(n for n in names if n > 102)
    for i, (n, title) in enumerate(sorted(titles.items())[1:]):
        rounds.append(t.create_round(title, unit=f"79-A-G{grades[i % len(grades)]}"))
    for code in rounds:
        t.api("POST", f"/api/v1/campaigns/{code}/slips", {"count": 2, "batch": 1})
    statuses = [t.submit(t.round, comment) for comment in comments.values()]
    tap.ok(all(s in (200, 303) for s in statuses), f"{len(statuses)} comments submitted",
           statuses)
    for n in list(tokens)[:6]:
        out = run_cli(["token", "create", "--org", "79-A", "--role", "viewer",
                       "--name", tokens[n]], env=t.env)
        tap.ok(out.returncode == 0, f"a token named with payload {n}", out.stderr)
    t.aggregate()
    stored = set(names) | set(titles) | set(comments) | set(list(tokens)[:6])

    q = urllib.parse.quote
    extra = [f"/s/{code}" for code in rounds]
    # A report shows comments once a questionnaire is chosen (a round's
    # or the form's); the crawl follows its pages of comments from there.
    extra += [f"/staff/reports/{unit}?campaign={code}" for unit in ("79", "79-A")
              for code in rounds[:3]]
    extra += [f"/staff/reports/79-A?campaign={t.round}&q={q(comments[301][:40])}",
              f"/staff/rounds/{t.round}/slips?batch=1", f"/staff/rounds/{t.round}/paper?batch=1"]
    extra += [f"/staff/rounds/{code}/slips?batch=1" for code in rounds[1:4]]
    for n, p in list(reflected.items())[:8]:
        extra += [f"/staff/reports/79?q={q(p)}", f"/staff/audit?actor={q(p)}&action={q(p)}",
                  f"/login?next={q(p)}", f"/staff/reports/{q(p, safe='')}",
                  f"/staff/rounds/{q(p, safe='')}", f"/s/{q(p, safe='')}",
                  f"/staff/rounds?state={q(p)}", f"/staff/reports/79?from={q(p)}&to={q(p)}"]
    shots = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots", "xss")
    seen = run_node_tap(tap, "xss.mjs", [t.origin, t.cookie, json.dumps(extra), shots],
                        timeout=900)
    shown = set()
    for line in seen:
        m = re.match(r"seen (\[.*\])$", line)
        if m:
            shown = set(json.loads(m.group(1)))
    for label, group in (("organisation names", names), ("round titles", titles),
                         ("comments", comments), ("token names", set(list(tokens)[:6]))):
        missing = sorted(set(group) - shown)
        tap.ok(not missing, f"every payload in {label} was shown as text on some page",
               f"never seen: {missing}")
    tap.ok(stored, f"{len(stored)} payloads stored")


run_tests(main)
