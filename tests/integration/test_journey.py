"""End to end, in one real Chromium (tests/browser/journey.mjs; issue 8,
point 4): a school admin makes a round, its poster's QR code is decoded
from a screenshot and followed by two parents on phones, staff key one
paper questionnaire, the aggregation runs, the report page shows the rates
computed here by hand from the answers given, the XLSX downloaded through
the page's link holds them as numbers, and an admin of another school is
refused everything.  Screenshots: HAILONG_BUILD_ROOT/screenshots/journey-*.

The expected figures come from the answers and the questionnaire file
alone, with the definitions of docs/methodology.md (satisfied = levels 4-5,
"không ý kiến" and blanks out of both terms, element = mean of its
criteria, index = mean of the elements), never from the server's code."""
import json
import os
import signal
import sys
from fractions import Fraction

from harness import (BINARY, SOURCE_ROOT, Server, database_with_units, ensure_playwright,
                     run_cli, run_node_tap, run_tests)

sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "unit"))
from xlsx_read import Workbook, by_header  # noqa: E402

ORG = ("code,name,kind,parent_code,school_level\n79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n"
       "79-A,Trường Trung học cơ sở Nguyễn Văn A,school,79-X,thcs\n"
       "79-B,Trường Trung học cơ sở Lê Thị B,school,79-X,thcs\n")
PASSWORD = "mật khẩu đủ dài 123"
FORM = "hop-phu-huynh-nhanh"
# Three responses in all: the privacy threshold is lowered to 3 so that the
# report may show rates (the default 5 would show counts only).
SERVER_ENV = {"HAILONG_PRIVACY_THRESHOLD": "3", "HAILONG_AGGREGATE_INTERVAL": "0"}

# One value per question in the form's order: the ten criteria, then the
# overall question.  Online: 1-5 or "x" (không ý kiến).  Paper keys: 1-5,
# 0 (không ý kiến) or "" (left blank).
PARENTS = [["5", "5", "4", "5", "4", "5", "5", "4", "5", "5", "5"],
           ["2", "x", "4", "3", "1", "5", "4", "2", "3", "5", "3"]]
PAPER = ["4", "4", "0", "", "5", "5", "1", "2", "3", "4", "4"]
# Parents the round means to reach: the report's response rate is taken from it.
TARGET = 40


def questions(form):
    """(criteria as (element id, item), the overall question) of a form file."""
    criteria, overall = [], None
    for item in form["items"]:
        if item["kind"] == "element":
            criteria += [(item["id"], c) for c in item["items"] if c["kind"] == "criterion"]
        elif item.get("role") == "overall":
            overall = item
    return criteria, overall


def level(value):
    """An answer as a level 1-5, or None (không ý kiến, blank)."""
    return int(value) if value in ("1", "2", "3", "4", "5") else None


def rate(answers):
    """(satisfied, valid) of one question's answers."""
    levels = [lv for lv in map(level, answers) if lv is not None]
    return sum(lv >= 4 for lv in levels), len(levels)


def percent(value):
    """A Fraction of 1 as the page writes it: one decimal, decimal comma.
    The answers are chosen so that no figure sits on a rounding tie."""
    tenths = value * 1000
    assert (tenths - int(tenths)) != Fraction(1, 2), f"{float(value)} is a rounding tie"
    return f"{float(value) * 100:.1f} %".replace(".", ",")


def expected(form):
    criteria, overall = questions(form)
    sheets = PARENTS + [PAPER]
    rows, by_element = [], {}
    for i, (element, c) in enumerate(criteria):
        s, v = rate([sheet[i] for sheet in sheets])
        rows.append({"id": c["id"], "text": c["text"], "short": c["short"], "s": s, "v": v,
                     "frac": f"{s} ÷ {v}", "rate": percent(Fraction(s, v)),
                     "value": Fraction(s, v),
                     "below": Fraction(s, v) * 100 < form["method"]["target_percent"]})
        by_element.setdefault(element, []).append(Fraction(s, v))
    elements = [sum(rs) / len(rs) for rs in by_element.values()]
    index = sum(elements) / len(elements)
    s, v = rate([sheet[len(criteria)] for sheet in sheets])
    return rows, index, Fraction(s, v)


def check_workbook(tap, path, rows, index, responses, comment):
    wb = Workbook(path)
    sheet = wb.rows("Tiêu chí")
    h = by_header(sheet)
    found = {}
    for cells in sheet.values():
        kind = cells.get(h["Loại dòng"], (None,))[0]
        if kind == "criterion":
            found[cells[h["Mã câu"]][0]] = cells
        elif kind == "headline":
            found["headline"] = cells
    for row in rows:
        cells = found.get(row["id"], {})
        got = tuple(cells.get(h[k], (None,))[:2] for k in
                    ("Số hài lòng (tử số)", "Số trả lời hợp lệ (mẫu số)"))
        pct = cells.get(h["Tỷ lệ hài lòng (%)"], (None, None, None))
        tap.ok(got == ((float(row["s"]), None), (float(row["v"]), None)) and
               isinstance(pct[0], float) and abs(pct[0] - float(row["value"])) < 1e-9 and
               pct[2] == "0.0%", f"XLSX: {row['id']} is {row['s']} of {row['v']} as numbers, "
               "the rate a number shown as a percent", (got, pct))
    head = found.get("headline", {}).get(h["Tỷ lệ hài lòng (%)"], (None,))[0]
    tap.ok(isinstance(head, float) and abs(head - float(index)) < 1e-9,
           f"XLSX: the index is {float(index):.4f}", head)
    summary = {cells[0][0]: cells for cells in wb.rows("Tổng hợp").values() if 0 in cells}
    tap.eq(summary.get("Số phiếu trả lời", {}).get(1, (None,))[:2], (float(responses), None),
           "XLSX: the number of responses, as a number")
    rate = summary.get("Tỷ lệ phản hồi (%, phiếu, dự kiến)", {})
    tap.ok(isinstance(rate.get(1, (None,))[0], float) and
           abs(rate[1][0] - responses / TARGET) < 1e-9 and rate[1][2] == "0.0%" and
           rate.get(2, (None,))[0] == responses and rate.get(3, (None,))[0] == TARGET,
           f"XLSX: the response rate, {responses} of {TARGET} parents, as numbers", rate)
    texts = [cell[0] for cells in wb.rows("Góp ý").values() for cell in cells.values()]
    tap.eq(texts.count(comment), len(PARENTS), "XLSX: the parents' comments")


def main(tap, scratch):
    ensure_playwright(tap)
    pg, env = database_with_units(tap, scratch, ORG, SERVER_ENV)
    for login, org in (("ad.a", "79-A"), ("ad.b", "79-B")):
        out = run_cli(["user", "add", "--org", org, "--role", "admin", "--login", login],
                      env=env, stdin=PASSWORD + "\n")
        tap.eq(out.returncode, 0, f"an admin account of {org}")
    with open(os.path.join(SOURCE_ROOT, "forms", FORM + ".json"), encoding="utf-8") as f:
        form = json.load(f)
    rows, index, overall = expected(form)

    server = Server(scratch, pg.conninfo, env=SERVER_ENV)
    base = f"http://127.0.0.1:{server.port}"
    downloads = scratch.sub("downloads")
    plan = {
        "base": base, "password": PASSWORD, "admin": "ad.a", "other": "ad.b",
        "school": "79-A", "otherSchool": "79-B", "unit": "79-A", "target": TARGET,
        "title": "Khảo sát sự hài lòng của cha mẹ học sinh học kỳ I", "form": f"{FORM}@{form['edition']}",
        "parents": PARENTS, "paper": PAPER, "comment": "Cảm ơn thầy cô đã tận tâm với các con.",
        "hailong": BINARY, "databaseUrl": pg.conninfo, "downloads": downloads,
        "shots": os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots"),
        "expect": {"criteria": [{k: r[k] for k in ("text", "short", "frac", "rate", "below")}
                                for r in rows],
                   "target": percent(Fraction(form["method"]["target_percent"], 100)),
                   "headline": percent(index), "overall": percent(overall),
                   "responseRate": percent(Fraction(len(PARENTS) + 1, TARGET))},
    }
    plan_path = os.path.join(scratch.path, "plan.json")
    with open(plan_path, "w", encoding="utf-8") as f:
        json.dump(plan, f, ensure_ascii=False)
    run_node_tap(tap, "journey.mjs", [plan_path], timeout=200)

    with open(os.path.join(downloads, "result.json"), encoding="utf-8") as f:
        result = json.load(f)
    code = result.get("code", "")
    tap.eq(pg.psql("SELECT string_agg(r.source, ',' ORDER BY r.source) FROM response r "
                   f"JOIN campaign c ON c.id = r.campaign_id WHERE c.public_code = '{code}'"),
           "paper,qr,qr", "stored: two answers through the poster's QR code, one paper sheet")
    if result.get("xlsx"):
        check_workbook(tap, result["xlsx"], rows, index, len(PARENTS) + 1, plan["comment"])
    else:
        tap.ok(False, "the XLSX was downloaded")

    # A clean stop: under ASan/UBSan a leak or a runtime error shows here.
    server.signal(signal.SIGTERM)
    tap.eq(server.wait(), 0, "the server stops cleanly")
    log = server.log_text()
    tap.ok("Sanitizer" not in log and "runtime error" not in log, "no sanitizer report",
           log[-3000:])


run_tests(main)
