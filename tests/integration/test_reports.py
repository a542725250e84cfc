"""Reports: every figure of the report document is checked against values
computed here, from the raw answers this test stores, by a second
implementation of docs/methodology.md that shares nothing with the server's.

Fixtures cover a tie exactly at the target, a criterion answered only with
"không ý kiến", a single response (hidden below k), a reversed yes/no item,
targets set per element and per criterion, a questionnaire changed between
periods, comments withheld from a small class, and the caller's subtree."""
import csv
import io
import json
import math
import os
import re
import shutil
import subprocess
import urllib.parse
import zipfile
from xml.etree import ElementTree

from harness import BINARY, SOURCE_ROOT, Server, run_cli, run_tests, database_with_units
from test_rounds import PASSWORD, api, make_token, sign_in

ORG = ("code,name,kind,parent_code,school_level\n"
       "P1,Tỉnh Một,province,,\n"
       "C1,Xã Một,commune,P1,\n"
       "S1,Trường Một <b>,school,C1,thcs\n"
       "S1-6A,Lớp 6A,class,S1,\n"
       "S2,Trường Hai,school,C1,thcs\n"
       "P2,Tỉnh Hai,province,,\n"
       "S3,Trường Ba,school,P2,thcs\n")

FORM_V2 = os.path.join(SOURCE_ROOT, "tests", "fixtures", "report-forms", "kiem-thu-bao-cao.json")

# The questionnaire as this test understands it, written out by hand:
# id -> (answer index in v2, options, satisfied, target, element)
SAT5 = [1, 2, 3, 4, 5]
V2 = {
    "c1": (0, SAT5, {4, 5}, 95, "E1"),
    "c2": (1, SAT5, {4, 5}, 90, "E1"),
    "c3": (2, [1, 2], {2}, 90, "E2"),
    "c4": (3, [1, 2], {1}, 80, "E2"),
    "chung": (4, SAT5, {4, 5}, 90, None),
}
ELEMENTS = {"E1": (["c1", "c2"], 95), "E2": (["c3", "c4"], 90)}
Z = 1.959963984540054


def wilson(s, n):
    """Wilson's 95 % interval of s successes in n, in percent."""
    return wilson_p(s / n, n) if n > 0 else (None, None)


def verdict(low, high, target):
    if low is None:
        return "none"
    if low >= target - 1e-9:
        return "met"
    if high < target - 1e-9:
        return "not_met"
    return "inconclusive"


def expected(answers, k=5):
    """Every figure, from the raw answer arrays of one version (v2)."""
    out = {"responses": len(answers), "items": {}, "elements": {}}
    suppressed = len(answers) < k
    for cid, (i, options, sat, target, _) in V2.items():
        vals = [a[i] for a in answers]
        valid = [v for v in vals if v in options]
        s = sum(1 for v in valid if v in sat)
        pct = 100 * s / len(valid) if valid else None
        low, high = wilson(s, len(valid))
        mean = sum(valid) / len(valid) if valid and len(options) == 5 else None
        out["items"][cid] = dict(
            satisfied=s, valid=len(valid), percent=pct, low=low, high=high, target=target,
            verdict="suppressed" if suppressed else verdict(low, high, target),
            gap=None if pct is None else pct - target, mean=mean,
            no_opinion=vals.count(-1), blank=vals.count(0),
            levels={o: vals.count(o) for o in options})
    means, ns = [], []
    for eid, (crits, target) in ELEMENTS.items():
        rated = [out["items"][c] for c in crits if out["items"][c]["valid"]]
        s = sum(out["items"][c]["satisfied"] for c in crits)
        v = sum(out["items"][c]["valid"] for c in crits)
        mean = sum(r["percent"] for r in rated) / len(rated) if rated else None
        n = sum(r["valid"] for r in rated) / len(rated) if rated else 0
        low, high = wilson_p(mean / 100, n) if rated else (None, None)
        plow, phigh = wilson(s, v)
        out["elements"][eid] = dict(mean=mean, mean_low=low, mean_high=high, pooled=100 * s / v if v else None,
                                    pooled_low=plow, pooled_high=phigh, target=target, n=n)
        if rated:
            means.append(mean)
            ns.append(n)
    overall = sum(means) / len(means) if means else None
    n = sum(ns) / len(ns) if ns else 0
    out["overall_mean"] = overall
    out["overall_low"], out["overall_high"] = wilson_p(overall / 100, n) if means else (None, None)
    s = sum(out["items"][c]["satisfied"] for c in ("c1", "c2", "c3", "c4"))
    v = sum(out["items"][c]["valid"] for c in ("c1", "c2", "c3", "c4"))
    out["overall_pooled"] = 100 * s / v if v else None
    out["suppressed"] = suppressed
    return out


def wilson_p(p, n):
    """Wilson's interval for a proportion p over an effective size n."""
    if n <= 0:
        return None, None
    d = 1 + Z * Z / n
    c = p + Z * Z / (2 * n)
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return 100 * max(0.0, (c - h) / d), 100 * min(1.0, (c + h) / d)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-9


def check_questionnaire(tap, q, exp, label):
    """Compares one questionnaire of a document with the expected figures."""
    items = {i["id"]: i for i in q["items"]}
    tap.eq(q["responses"], exp["responses"], f"{label}: responses")
    tap.eq(q["suppressed"], exp["suppressed"], f"{label}: suppressed flag")
    for cid, e in exp["items"].items():
        rate = items[cid]["rate"]
        shown = None if exp["suppressed"] else e["percent"]
        ok = (rate["satisfied"] == e["satisfied"] and rate["valid"] == e["valid"]
              and close(rate["percent"], shown)
              and close(rate["low"], None if exp["suppressed"] else e["low"])
              and close(rate["high"], None if exp["suppressed"] else e["high"])
              and rate["target_percent"] == e["target"] and rate["verdict"] == e["verdict"]
              and close(rate["gap_points"], None if exp["suppressed"] else e["gap"])
              and rate["excluded"] == {"no_opinion": e["no_opinion"], "blank": e["blank"]}
              and {lv["value"]: lv["n"] for lv in items[cid]["levels"]} == e["levels"])
        tap.ok(ok, f"{label}: {cid} {e['satisfied']}/{e['valid']} = "
               f"{e['percent']} [{e['low']}, {e['high']}] {e['verdict']}", json.dumps(rate))
        if e["mean"] is not None and not exp["suppressed"]:
            tap.ok(close(items[cid]["score"]["mean"], e["mean"]), f"{label}: {cid} mean score")
    if exp["suppressed"]:
        return
    for el in q["elements"]:
        e = exp["elements"][el["id"]]
        ok = (close(el["mean_of_criteria"]["percent"], e["mean"])
              and close(el["mean_of_criteria"]["low"], e["mean_low"])
              and close(el["pooled"]["percent"], e["pooled"])
              and close(el["pooled"]["low"], e["pooled_low"])
              and el["target_percent"] == e["target"]
              and el["index"]["percent"] == el["mean_of_criteria"]["percent"])
        tap.ok(ok, f"{label}: element {el['id']} mean {e['mean']} pooled {e['pooled']}",
               json.dumps(el))
    o = q["overall"]
    tap.ok(close(o["mean_of_criteria"]["percent"], exp["overall_mean"])
           and close(o["mean_of_criteria"]["low"], exp["overall_low"])
           and close(o["mean_of_criteria"]["high"], exp["overall_high"]),
           f"{label}: overall index = mean of element indices {exp['overall_mean']}",
           json.dumps(o["mean_of_criteria"]))
    tap.ok(close(o["pooled"]["percent"], exp["overall_pooled"]),
           f"{label}: overall pooled {exp['overall_pooled']}")
    tap.ok(close(q["headline"]["rate"]["percent"], exp["overall_mean"]),
           f"{label}: the headline is the index by the form's method")
    tap.ok(close(q["overall_question"]["rate"]["percent"], exp["items"]["chung"]["percent"]),
           f"{label}: the overall question is its own figure")
    below = [b["id"] for b in q["below_target"]]
    want = sorted((c for c, e in exp["items"].items()
                   if c != "chung" and e["gap"] is not None and e["gap"] < 0),
                  key=lambda c: exp["items"][c]["gap"])
    tap.eq(below, want, f"{label}: criteria below target, lowest gap first")


def sql_text_array(texts):
    if texts is None:
        return "NULL"
    parts = ["NULL" if t is None else "'" + t.replace("'", "''") + "'" for t in texts]
    return "ARRAY[" + ",".join(parts) + "]::text[]"


def store(pg, round_id, version_id, rows, day):
    """Stores responses (answers, texts) through the normal insert path."""
    values = []
    for n, (answers, texts) in enumerate(rows):
        values.append(
            f"({round_id}, {version_id}, gen_random_uuid(), sha256(random()::text::bytea),"
            f" ARRAY{answers}::smallint[], {sql_text_array(texts)}, 'qr', 'R',"
            f" '{day} 10:{n % 60:02d}+07')")
    pg.psql("INSERT INTO response (campaign_id, version_id, submission_id, content_hash,"
            " answers, texts, source, receipt, submitted_minute) VALUES " + ",".join(values))


def make_round(pg, code, unit, version, opens, target=None):
    return int(pg.psql(
        "INSERT INTO campaign (public_code, org_unit_id, version_id, title, opens_at, closes_at,"
        f" target_count) VALUES ('{code}', (SELECT id FROM org_unit WHERE code = '{unit}'),"
        f" {version}, 'Đợt {code}', '{opens} 07:00+07', '{opens} 07:00+07'::timestamptz"
        f" + interval '20 days', {target or 'NULL'}) RETURNING id"))


def report(env, *args):
    out = run_cli(["report", *args], env=env)
    return out, (json.loads(out.stdout) if out.returncode == 0 else None)


def main(tap, scratch):
    pg, env = database_with_units(tap, scratch, ORG)
    # Version 1: the questionnaire before c4 was added (and c1 reworded).
    v1_dir = os.path.join(scratch.path, "v1")
    os.makedirs(v1_dir)
    with open(FORM_V2, encoding="utf-8") as f:
        form = json.load(f)
    form["items"][1]["items"] = form["items"][1]["items"][:1]
    form["items"][0]["items"][0]["text"] = "Tiêu chí một (cách hỏi cũ)"
    with open(os.path.join(v1_dir, "kiem-thu-bao-cao.json"), "w", encoding="utf-8") as f:
        json.dump(form, f, ensure_ascii=False)
    tap.eq(run_cli(["forms", "load", v1_dir], env=env).returncode, 0, "version 1 loaded")
    v2_dir = os.path.join(scratch.path, "v2")
    os.makedirs(v2_dir)
    shutil.copy(FORM_V2, v2_dir)
    tap.eq(run_cli(["forms", "load", v2_dir], env=env).returncode, 0, "version 2 loaded")
    bad_dir = os.path.join(scratch.path, "bad")
    os.makedirs(bad_dir)
    bad = json.loads(json.dumps(form))
    bad["items"][0]["target_percent"] = 150
    bad["items"][0]["items"][0]["target_percent"] = "chín mươi"
    with open(os.path.join(bad_dir, "kiem-thu-bao-cao.json"), "w", encoding="utf-8") as f:
        json.dump(bad, f, ensure_ascii=False, indent=1)
    out = run_cli(["forms", "check", bad_dir], env=env)
    errors = [line for line in out.stderr.splitlines() if "target_percent" in line]
    tap.ok(out.returncode != 0 and len(errors) == 2 and
           all(re.search(r"kiem-thu-bao-cao\.json:\d+:\d+: items\[0\]", line) for line in errors),
           "targets out of range or not numbers: each reported with file, line and field",
           out.stderr)
    v1, v2 = (int(x) for x in pg.psql(
        "SELECT id FROM questionnaire_version WHERE form_id = 'kiem-thu-bao-cao' ORDER BY id"
    ).split())

    # This school year (the period asked for: 2026-09-01 .. 2027-08-31).
    r1 = make_round(pg, "AAAAA2", "S1", v2, "2026-10-01", target=20)
    s1_rows = [
        # c1: 9 of 10 satisfied = 90.0 % (target 95 from E1); c2: only "không ý kiến";
        # c3 reversed (2 = Không is satisfied): 7 of 10; c4: 8 of 10 = 80.0 %, its own
        # target exactly; chung: one blank.
        ([5, -1, 2, 1, 5, 1], ["Tốt <script>alert(1)</script>"]),
        ([5, -1, 2, 1, 5, 0], [None]),
        ([4, -1, 2, 1, 5, 1], ["Nhà vệ sinh bẩn"]),
        ([4, -1, 2, 1, 4, 0], None),
        ([4, -1, 2, 1, 4, 0], None),
        ([4, -1, 2, 1, 4, 0], None),
        ([4, -1, 2, 1, 4, 0], None),
        ([4, -1, 1, 1, 4, 1], ["Cô giáo 'tận tâm', \"chu đáo\""]),
        ([4, -1, 1, 2, 3, 0], None),
        ([2, -1, 1, 2, 0, 0], None),
    ]
    store(pg, r1, v2, s1_rows, "2026-10-05")
    r2 = make_round(pg, "AAAAA3", "S1-6A", v2, "2026-11-01")
    class_rows = [([3, 5, 1, 1, 2, 1], ["bí mật của lớp 6A"]), ([5, 5, 2, 2, 5, 0], None),
                  ([1, 4, 2, 1, 1, 0], None)]
    store(pg, r2, v2, class_rows, "2026-11-02")
    r3 = make_round(pg, "AAAAA4", "S2", v2, "2026-10-10", target=30)
    single = [([5, 5, 2, 1, 5, 0], None)]
    store(pg, r3, v2, single, "2026-10-12")
    r4 = make_round(pg, "AAAAA5", "S3", v2, "2026-10-10")
    store(pg, r4, v2, [([1, 1, 1, 2, 1, 0], ["tỉnh khác"])] * 6, "2026-10-12")
    # Last school year, on version 1 (no c4).
    r0 = make_round(pg, "AAAAA6", "S1", v1, "2025-10-01")
    store(pg, r0, v1, [([5, 4, 2, 5, 0], None)] * 6, "2025-10-03")

    out, doc = report(env, "P1", "--format", "json", "--from", "2026-09-01", "--to", "2027-08-31")
    tap.ok(doc is not None and doc["uncounted"] == 14 + 6 + 6, "before the job runs, the "
           "document says how many responses are not counted yet", out.stderr)
    tap.eq(len(doc["questionnaires"]), 0, "and shows no figures from tallies not made yet")
    tap.eq(run_cli(["aggregate"], env=env).returncode, 0, "aggregation job")

    # School S1: its own round and its class's, pooled.
    out, doc = report(env, "S1", "--format", "json", "--from", "2026-09-01", "--to", "2027-08-31")
    tap.ok(out.returncode == 0, "report S1", out.stderr)
    s1 = [a for a, _ in s1_rows + class_rows]
    tap.eq(len(doc["questionnaires"]), 1, "one questionnaire version in scope")
    check_questionnaire(tap, doc["questionnaires"][0], expected(s1), "S1")
    tap.eq(doc["rounds"], {"count": 2, "responses": 13, "targeted": 20,
                           "response_rate": {"numerator": 13, "denominator": 20, "percent": 65}},
           "rounds, responses and the response rate against the parents targeted")
    tap.eq(doc["scope"]["ancestors"], [{"code": "P1", "name": "Tỉnh Một", "kind": "province"},
                                       {"code": "C1", "name": "Xã Một", "kind": "commune"}],
           "ancestors for breadcrumbs, root first")
    tap.eq(doc["scope"]["node"]["name"], "Trường Một <b>", "names travel as data (escaped by "
           "each renderer)")
    texts = [c["text"] for c in doc["comments"]["items"]]
    tap.eq(texts, ["Cô giáo 'tận tâm', \"chu đáo\"", "Nhà vệ sinh bẩn",
                   "Tốt <script>alert(1)</script>"],
           "comments newest first, the class round's withheld (3 responses < k)")
    tap.eq(doc["comments"]["withheld_rounds"], 1, "the withheld round is counted")
    tap.ok(all(c["question"] == "gopy" for c in doc["comments"]["items"]),
           "each comment names its question")
    tap.ok("bí mật" not in out.stdout, "the small class's comment appears nowhere")
    prev = doc["questionnaires"][0]["previous"]
    items = {i["id"]: i for i in doc["questionnaires"][0]["items"]}
    exp1 = expected(s1)["items"]
    tap.ok(prev and prev["period"] == {"from": "2025-09-01", "to": "2026-08-31"}
           and prev["form"]["version"] == v1 and prev["responses"] == 6,
           "compared with last school year, on the older questionnaire version",
           json.dumps(prev))
    tap.ok(close(items["c1"]["change_points"], exp1["c1"]["percent"] - 100.0),
           "c1 changed by its points against version 1's 100 %")
    tap.eq(items["c4"]["change_points"], None, "c4 did not exist then: no change shown")
    tap.ok(close(items["c3"]["change_points"], exp1["c3"]["percent"] - 100.0),
           "reversed item compared too")

    # The commune: S1 (with its class) and S2 pooled; S2 alone is a single response.
    out, doc = report(env, "C1", "--format", "json", "--from", "2026-09-01", "--to", "2027-08-31")
    tap.ok(out.returncode == 0, "report C1", out.stderr)
    q = doc["questionnaires"][0]
    check_questionnaire(tap, q, expected(s1 + [a for a, _ in single]), "C1 pooled")
    schools = {s["code"]: s for s in q["schools"]["items"]}
    tap.eq(set(schools), {"S1", "S2"}, "the schools under the commune")
    tap.ok(schools["S2"]["suppressed"] and schools["S2"]["headline"]["percent"] is None
           and schools["S2"]["responses"] == 1 and schools["S2"]["criteria"] == [None] * 4,
           "a single response: counts only, no rate", json.dumps(schools["S2"]))
    tap.ok(close(schools["S1"]["headline"]["percent"], expected(s1)["overall_mean"]),
           "S1's headline in the distribution")
    tap.eq(q["schools"]["suppressed"], 1, "one school hidden below k")
    tap.eq(q["schools"]["lowest"], ["S1"], "ranked: suppressed schools are not ranked")
    c1_dist = q["schools"]["criteria"][0]
    tap.eq((c1_dist["id"], c1_dist["rated"]), ("c1", 1), "per-criterion distribution counts "
           "rated schools only")
    tap.eq([c["code"] for c in doc["children"]], ["S1", "S2"], "children for drill-down")

    # A single response alone.
    out, doc = report(env, "S2", "--format", "json", "--from", "2026-09-01", "--to", "2027-08-31")
    check_questionnaire(tap, doc["questionnaires"][0], expected([a for a, _ in single]),
                        "S2 single response")
    tap.ok(doc["comments"]["shown"] is False and doc["comments"]["items"] == [],
           "no comments below k")

    # A period with no data; the previous year alone.
    out, doc = report(env, "P1", "--format", "json", "--from", "2024-01-01", "--to", "2024-12-31")
    tap.ok(out.returncode == 0 and doc["questionnaires"] == [] and doc["rounds"]["count"] == 0,
           "a period without data: an empty report, not an error", out.stderr)
    out, doc = report(env, "S1", "--format", "json", "--from", "2025-09-01", "--to", "2026-08-31")
    q = doc["questionnaires"][0]
    tap.ok(q["form"]["version"] == v1 and
           {i["id"] for i in q["items"]} == {"c1", "c2", "c3", "chung", "gopy"},
           "last year's report is on version 1, as it was asked")

    # Bad input on the command line.
    for args, why in ((["NOPE", "--format", "json"], "unknown unit"),
                      (["S1", "--format", "json", "--from", "2026-02-30"], "not a date"),
                      (["S1", "--format", "json", "--from", "2027-01-01", "--to", "2026-01-01"],
                       "period backwards"),
                      (["S1", "--format", "json", "--campaign", "ZZZZZZ"], "unknown round"),
                      (["S1", "--format", "pdf"], "unknown format"),
                      (["S1';DROP TABLE tally;--", "--format", "json"], "SQL in the code")):
        out = run_cli(["report", *args], env=env)
        tap.ok(out.returncode == 2 and out.stdout == "" and
               len(out.stderr.strip().splitlines()) == 1,
               f"command line refuses: {why}", out.stderr)
    tap.eq(pg.psql("SELECT count(*) > 0 FROM tally"), "t", "nothing was harmed")

    # One round alone is its own period.
    out, doc = report(env, "S1", "--format", "json", "--campaign", "AAAAA2")
    tap.ok(out.returncode == 0 and doc["scope"]["campaign"]["code"] == "AAAAA2" and
           doc["questionnaires"][0]["responses"] == 10 and
           doc["questionnaires"][0]["previous"] is None,
           "a round's report covers that round", out.stderr)

    # The API, scoped by the caller's role.
    server = Server(scratch, pg.conninfo)
    p1 = make_token(env, "P1", "viewer")
    s2 = make_token(env, "S2", "viewer")
    res = api(server, "GET", "/api/v1/reports/C1?from=2026-09-01&to=2027-08-31", p1)
    cli_out, cli_doc = report(env, "C1", "--format", "json", "--from", "2026-09-01",
                              "--to", "2027-08-31")
    doc = res.json()
    for d in (doc, cli_doc):
        d.pop("generated_at")
    tap.eq(res.status, 200, "GET /api/v1/reports/C1")
    tap.eq(doc, cli_doc, "the API and the command line give the same document")
    res = api(server, "GET", "/api/v1/reports/S1?from=2026-09-01&to=2027-08-31", s2)
    tap.eq(res.status, 404, "a unit outside the caller's subtree is not found")
    res = api(server, "GET", "/api/v1/reports/P1?from=2026-09-01&to=2027-08-31", s2)
    tap.eq(res.status, 404, "nor is the province above the caller")
    res = api(server, "GET", "/api/v1/reports/S2?from=2026-09-01&to=2027-08-31", s2)
    tap.ok(res.status == 200 and res.json()["scope"]["ancestors"] == [],
           "the caller's own school: ancestors above its scope are not shown")
    for query, field in (("from=2026-13-01", "from"), ("to=yesterday", "to"),
                         ("from=" + "9" * 50, "from"), ("format=pdf", "format"),
                         ("q=" + "x" * 300, "q"), ("compare_to=2026-02-29", "compare_to")):
        res = api(server, "GET", "/api/v1/reports/P1?" + query, p1)
        tap.ok(res.status == 422 and res.json()["error"]["field"] == field,
               f"422 naming {field} for {query[:30]}", res.text[:200])
    res = api(server, "GET", "/api/v1/reports/" + urllib.parse.quote("<script>"), p1)
    tap.ok(res.status == 404 and "<script>" not in res.text, "a hostile code: 404, not echoed")
    res = api(server, "GET", "/api/v1/reports/P1?q=" + urllib.parse.quote("tận tâm"), p1)
    tap.ok(res.status == 200 and [c["text"] for c in res.json()["comments"]["items"]] ==
           ["Cô giáo 'tận tâm', \"chu đáo\""], "comments are searchable", res.text[:300])
    res = api(server, "GET", "/api/v1/reports/P1?q=" + urllib.parse.quote("100%_"), p1)
    tap.ok(res.status == 200 and res.json()["comments"]["total"] == 0,
           "search wildcards are taken literally")
    res = server.request("GET", "/api/v1/reports/P1")
    tap.eq(res.status, 401, "no credentials: 401")
    exports(tap, scratch, server, env, p1)
    pages(tap, server, env)


XLSX_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def xlsx_rows(path, sheet):
    """The cells of one sheet as lists of strings (shared strings resolved)."""
    with zipfile.ZipFile(path) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            shared = ["".join(t.text or "" for t in si.iter("{%s}t" % XLSX_NS["m"]))
                      for si in ElementTree.fromstring(
                          z.read("xl/sharedStrings.xml")).findall("m:si", XLSX_NS)]
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        names = [s.get("name") for s in book.find("m:sheets", XLSX_NS)]
        root = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"))
    rows = []
    for row in root.iter("{%s}row" % XLSX_NS["m"]):
        cells = []
        for c in row.findall("m:c", XLSX_NS):
            v = c.findtext("m:v", None, XLSX_NS)
            if c.get("t") == "s" and v is not None:
                v = shared[int(v)]
            elif c.get("t") == "inlineStr":
                v = "".join(t.text or "" for t in c.iter("{%s}t" % XLSX_NS["m"]))
            cells.append(v)
        rows.append(cells)
    return names, rows


def exports(tap, scratch, server, env, token):
    """CSV and XLSX from the command line and the API carry the same figures."""
    args = ["S1", "--from", "2026-09-01", "--to", "2027-08-31"]
    out = run_cli(["report", *args, "--format", "csv"], env=env)
    tap.ok(out.returncode == 0 and out.stdout.startswith("\ufeff"), "CSV starts with a BOM",
           out.stderr)
    lines = out.stdout.lstrip("\ufeff").split("\r\n")
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"), newline="")))
    header = rows[0]
    c1 = [dict(zip(header, r)) for r in rows[1:] if len(r) == len(header) and "c1" in r]
    tap.ok(len(c1) == 1, "one CSV row for criterion c1", "\n".join(lines[:3]))
    # S1 and its class: c1 has 9 + 1 satisfied answers of 10 + 3.
    tap.ok(c1 and c1[0]["Số hài lòng (tử số)"] == "10" and
           c1[0]["Số trả lời hợp lệ (mẫu số)"] == "13" and
           c1[0]["Tỷ lệ hài lòng (%)"] == f"{100 * 10 / 13:.1f}",
           "its numerator, denominator and rate", json.dumps(c1, ensure_ascii=False)[:500])
    path = os.path.join(scratch.path, "s1.xlsx")
    with open(path, "wb") as f:
        done = subprocess.run([BINARY, "report", *args, "--format", "xlsx"], stdout=f,
                              env=dict(os.environ, **env), timeout=60)
    tap.eq(done.returncode, 0, "XLSX written to standard output")
    names, crit = xlsx_rows(path, "Tiêu chí")
    tap.eq(names, ["Tổng hợp", "Tiêu chí", "Trường", "Góp ý"], "the workbook's four sheets")
    c1x = [r for r in crit if "c1" in r]
    tap.ok(len(c1x) == 1 and "10" in c1x[0] and "13" in c1x[0],
           "the criteria sheet has c1's row, numbers as numbers", str(c1x))
    res = api(server, "GET", "/api/v1/reports/S1?from=2026-09-01&to=2027-08-31&format=csv", token)
    tap.ok(res.status == 200 and res.header("Content-Type").startswith("text/csv")
           and 'filename="bao-cao-S1.csv"' in (res.header("Content-Disposition") or ""),
           "the API sends the CSV as a download", res.text[:200])
    res = api(server, "GET", "/api/v1/reports/S1?from=2026-09-01&to=2027-08-31&format=xlsx", token)
    with open(path, "rb") as f:
        local = f.read()
    tap.ok(res.status == 200 and res.body[:2] == b"PK" and len(res.body) > 1000,
           f"the API sends the workbook ({len(res.body)} bytes; command line {len(local)})")


def pages(tap, server, env):
    """The report page and the notice-board sheet, for a signed-in officer."""
    out = run_cli(["user", "add", "--org", "P1", "--role", "viewer", "--login", "so.p1"],
                  env=env, stdin=PASSWORD + "\n")
    tap.eq(out.returncode, 0, "a viewer account at the province")
    cookie = sign_in(server, "so.p1")
    tap.ok(cookie, "signed in")
    home = server.request("GET", "/staff", headers={"Cookie": cookie}).text
    tap.ok('href="/staff/reports/P1"' in home, "the start page links to the unit's report")
    res = server.request("GET", "/staff/reports/C1?from=2026-09-01&to=2027-08-31",
                         headers={"Cookie": cookie})
    html = res.text
    tap.ok(res.status == 200 and res.header("Content-Type").startswith("text/html"),
           "the report page", html[:300])
    tap.ok(res.header("Content-Security-Policy") is not None, "with the strict CSP")
    tap.ok("<svg" in html and 'role="img"' in html, "bars drawn as inline SVG")
    tap.ok("Trường Một &lt;b&gt;" in html and "Trường Một <b>" not in html,
           "unit names escaped")
    tap.ok("/staff/reports/S1?from=2026-09-01&amp;to=2027-08-31" in html,
           "drill-down to a school keeps the period")
    tap.ok("format=xlsx" in html and "format=csv" in html and "format=notice" in html,
           "links to the exports and the notice-board sheet")
    tap.ok("<script>alert" not in html, "no comment markup reaches the page")
    res = server.request("GET", "/staff/reports/S1?from=2026-09-01&to=2027-08-31&format=notice",
                         headers={"Cookie": cookie})
    tap.ok(res.status == 200 and "Biện pháp cải tiến" in res.text, "the notice-board sheet")
    res = server.request("GET", "/staff/reports/S3", headers={"Cookie": cookie})
    tap.ok(res.status == 404 and "Không tìm thấy" in res.text,
           "another province's school: a Vietnamese 404 page")
    res = server.request("GET", "/staff/reports/C1?from=01%2F09%2F2026&to=31%2F8%2F2027",
                         headers={"Cookie": cookie})
    tap.ok(res.status == 200 and 'value="01/09/2026"' in res.text and
           'value="31/08/2027"' in res.text and
           "/staff/reports/S1?from=2026-09-01&amp;to=2027-08-31" in res.text,
           "dates typed as dd/mm/yyyy give the same period (links carry yyyy-mm-dd)")
    res = server.request("GET", "/staff/reports/C1?from=31/02/2027", headers={"Cookie": cookie})
    tap.ok(res.status == 422 and "Khoảng thời gian không hợp lệ" in res.text,
           "a date that does not exist: a Vietnamese page naming the problem")
    res = server.request("GET", "/staff/reports/C1")
    tap.ok(res.status in (401, 303), f"not signed in: refused ({res.status})")
    res = server.request("GET", "/staff/reports/C1?q=" + "x" * 5000, headers={"Cookie": cookie})
    tap.ok(res.status == 422 and "x" * 300 not in res.text,
           "an oversized search on the page: 422, not echoed")
    res = server.request("GET", "/staff/reports/C1?format=" + urllib.parse.quote("<svg onload=1>"),
                         headers={"Cookie": cookie})
    tap.ok(res.status == 422 and "onload" not in res.text, "a hostile format: 422, not echoed")


if __name__ == "__main__":
    run_tests(main)
