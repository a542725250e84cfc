"""The exports read back by readers that did not write them: the workbook
with zipfile and xml.etree (cells by reference, number formats, sheet
names, no formula or link anywhere), the CSV with Python's csv module as
Excel's dialect.  Runs report_export_tool on the sample report and on
hostile variants of it.

    check_xlsx.py REPORT_EXPORT_TOOL report-sample.json
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

from xlsx_read import Workbook, by_header, find_row

TOOL, FIXTURE = sys.argv[1], sys.argv[2]
RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append((name, bool(ok), detail))


def run(kind, doc, out):
    src = out + ".json"
    with open(src, "wb") as f:
        f.write(doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode())
    r = subprocess.run([TOOL, kind, src, out], capture_output=True, text=True)
    # Under ASan+UBSan a runtime error prints and carries on: fail on it.
    if r.returncode == 0 and r.stderr:
        check("%s: nothing on stderr" % kind, False, r.stderr)
    return r


def near(a, b):
    """percent / 100 in binary: 82.4 % is 0.8240000000000001."""
    return isinstance(a, float) and abs(a - b) < 1e-12


def main():
    with open(FIXTURE, encoding="utf-8") as f:
        sample = json.load(f)
    tmp = tempfile.mkdtemp(prefix="hailong-xlsx-")
    path = os.path.join(tmp, "r.xlsx")

    r = run("xlsx", sample, path)
    check("workbook written", r.returncode == 0 and open(path, "rb").read(2) == b"PK", r.stderr)
    wb = Workbook(path)
    check("sheet names", wb.names == ["Tổng hợp", "Tiêu chí", "Trường", "Góp ý"], wb.names)
    all_xml = b"".join(wb.zip.read(n) for n in wb.zip.namelist() if n.startswith("xl/worksheets/"))
    check("no formula, no hyperlink", b"<f>" not in all_xml and b"<f " not in all_xml
          and b"hyperlink" not in all_xml and not any("_rels/sheet" in n for n in wb.zip.namelist()))

    # Tiêu chí: the CSV's table, numbers as numbers.
    rows = wb.rows("Tiêu chí")
    h = by_header(rows)
    c1 = find_row(rows, h["Mã câu"], "c1")
    check("criteria: c1 row", c1 is not None)
    check("criteria: satisfied 360", c1[h["Số hài lòng (tử số)"]][:2] == (360.0, None), c1[h["Số hài lòng (tử số)"]])
    check("criteria: valid 400", c1[h["Số trả lời hợp lệ (mẫu số)"]][0] == 400.0)
    pct = c1[h["Tỷ lệ hài lòng (%)"]]
    check("criteria: percent 0.9 as 0.0%", pct == (0.9, None, "0.0%"), pct)
    check("criteria: level 5 is 160", c1[h["Số chọn mức 5"]][0] == 160.0)
    check("criteria: verdict in words", c1[h["Kết luận"]][:2] == ("Chưa kết luận được", "inlineStr"))
    check("criteria: machine verdict", c1[h["Mã kết luận"]][0] == "inconclusive")
    check("criteria: hostile text as a string", c1[h["Nội dung"]][:2] == ("Phòng học <sạch> & thoáng mát", "inlineStr"))
    check("criteria: gap signed points", c1[h["Chênh lệch so với mục tiêu (điểm %)"]] == (0.0, None, "+0.0;-0.0;0.0"))
    check("criteria: period as a date", c1[h["Từ ngày"]] == (46266.0, None, "dd/mm/yyyy"), c1[h["Từ ngày"]])
    hl = find_row(rows, h["Mã câu"], "hl-chung")
    check("criteria: unrounded 91.85%", abs(hl[h["Tỷ lệ hài lòng (%)"]][0] - 0.9185) < 1e-12)
    check("criteria: 11 rows", max(rows) == 11, max(rows))
    xml2 = wb.sheet_xml("Tiêu chí")
    check("criteria: frozen header and autofilter", b'ySplit="1"' in xml2 and b'<autoFilter ref="A1:AN11"/>' in xml2)

    # Tổng hợp.
    rows = wb.rows("Tổng hợp")
    labels = {cells[0][0]: cells for cells in rows.values() if 0 in cells}
    check("summary: node name", labels["Đơn vị"][1][0] == "Xã Phú Lộc <b>")
    check("summary: ancestors", labels["Thuộc"][1][0] == "Việt Nam › Thành phố Huế")
    rate = labels["Tỷ lệ phản hồi (%, phiếu, dự kiến)"]
    check("summary: response rate", near(rate[1][0], 0.824) and rate[1][2] == "0.0%" and rate[2][0] == 412 and rate[3][0] == 500, rate)
    head = labels["Chỉ số hài lòng chung"]
    check("summary: headline", near(head[1][0], 0.881) and head[5][0] == "Chưa kết luận được" and head[6][0] == -1.9, head)
    pooled = labels["Chỉ số chung: gộp các câu trả lời"]
    check("summary: pooled", abs(pooled[1][0] - 0.8809) < 1e-12 and pooled[5][0] == "Chưa đạt")
    oq = labels["Nhìn chung, anh/chị hài lòng với nhà trường?"]
    check("summary: overall question", abs(oq[1][0] - 0.9185) < 1e-12)
    below = labels["Nhà vệ sinh sạch sẽ"]
    check("summary: below target", below[1][0] == 0.85 and below[4][0] == "c2" and below[5][0] == "Chưa đạt")
    check("summary: previous", abs(labels["Chỉ số chính kỳ trước (%, thay đổi điểm %)"][2][0] - 3.1) < 1e-12)
    check("summary: privacy threshold", labels["Ngưỡng bảo mật (số phiếu tối thiểu)"][1][0] == 5)

    # Trường.
    rows = wb.rows("Trường")
    hrow = next(r for r, cells in rows.items() if cells.get(0, (None,))[0] == "Mã trường")
    h = by_header(rows, hrow)
    school = find_row(rows, 0, "THCS-PL")
    check("schools: headline percent", school[h["Tỷ lệ hài lòng chính (%)"]] == (0.88, None, "0.0%"))
    check("schools: criterion columns", school[h["c1: Phòng học (%)"]][0] == 0.9
          and school[h["c2: Nhà vệ sinh sạch sẽ (%)"]][0] == 0.85, h)
    small = find_row(rows, 0, "TH-PL")
    check("schools: suppressed school has no percent", small[1][0] == 'Trường Tiểu học Phú Lộc & "Số 2"'
          and h["Tỷ lệ hài lòng chính (%)"] not in small and h["c1: Phòng học (%)"] not in small
          and small[h["Kết luận"]][0] == "Ẩn (dưới ngưỡng)", small)
    dist = [cells for cells in rows.values() if cells.get(0, (None,))[0] == "c2"]
    check("schools: distribution", dist and dist[0][2][0] == 1 and dist[0][4][0] == 1, dist)

    # Góp ý, with hostile comments.
    rows = wb.rows("Góp ý")
    check("comments: script text kept as text",
          rows[2][3][:2] == ("Nhà vệ sinh cần sạch hơn <script>alert(1)</script>", "inlineStr"))
    check("comments: date", rows[2][0] == (46346.0, None, "dd/mm/yyyy"))

    hostile = json.loads(json.dumps(sample))
    formula = '=HYPERLINK("http://evil.example","bấm")'
    hostile["comments"]["items"][0]["text"] = formula
    hostile["comments"]["items"][1]["text"] = "https://evil.example/x"
    hostile["comments"]["total"] = 120
    hostile["questionnaires"][0]["items"][0]["text"] = "+1-1"
    r = run("xlsx", hostile, path)
    wb = Workbook(path)
    rows = wb.rows("Góp ý")
    check("hostile: formula text is a string cell", rows[2][3][:2] == (formula, "inlineStr"), rows[2])
    check("hostile: URL is a string, no link", rows[3][3][:2] == ("https://evil.example/x", "inlineStr")
          and b"hyperlink" not in wb.sheet_xml("Góp ý"))
    check("hostile: note on the comments not shown", any("120" in str(c.get(0, ("",))[0]) for c in rows.values()))
    rows = wb.rows("Tiêu chí")
    check("hostile: no apostrophe in XLSX", find_row(rows, by_header(rows)["Nội dung"], "+1-1") is not None)

    # Invalid UTF-8 and control characters from a parent: still a readable file.
    raw = json.dumps(sample, ensure_ascii=False).encode().replace(
        "Thầy cô tận tâm".encode(), b"Th\xff\x01y")
    r = run("xlsx", raw, path)
    wb = Workbook(path)
    check("bad bytes: replaced", r.returncode == 0 and wb.rows("Góp ý")[3][3][0].startswith("Th\ufffd"), r.stderr)

    # Longer than Excel's cell limit: cut at a character, not mid-letter.
    long = json.loads(json.dumps(sample))
    long["comments"]["items"][0]["text"] = "ệ" * 20000
    r = run("xlsx", long, path)
    text = Workbook(path).rows("Góp ý")[2][3][0]
    check("long text: cut at 32767 bytes", r.returncode == 0 and text == "ệ" * (32767 // 3), len(text))

    # Suppressed comments: not one shown.
    hidden = json.loads(json.dumps(sample))
    hidden["comments"]["shown"] = False
    run("xlsx", hidden, path)
    check("hidden comments", b"script" not in Workbook(path).sheet_xml("Góp ý"))

    # Malformed: refused with the path, no file.
    os.unlink(path)
    bad = json.loads(json.dumps(sample))
    bad["questionnaires"][0]["items"][0]["rate"]["valid"] = "400"
    r = run("xlsx", bad, path)
    check("malformed: refused with the path", r.returncode == 1
          and "questionnaires[0].items[0].rate.valid: expected a whole number" in r.stderr
          and not os.path.exists(path), r.stderr)

    # The CSV as Excel's dialect reads it.
    out = os.path.join(tmp, "r.csv")
    r = run("csv", sample, out)
    data = open(out, "rb").read()
    check("csv: BOM and CRLF", data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"))
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), dialect="excel"))
    h = {name: i for i, name in enumerate(table[0])}
    c1 = next(row for row in table if row[h["Mã câu"]] == "c1")
    check("csv: c1", (c1[h["Số hài lòng (tử số)"]], c1[h["Số trả lời hợp lệ (mẫu số)"]], c1[h["Tỷ lệ hài lòng (%)"]]) == ("360", "400", "90.0"), c1)
    check("csv: one width", all(len(row) == len(table[0]) for row in table))
    r = run("csv", hostile, out)
    table = list(csv.reader(io.StringIO(open(out, encoding="utf-8-sig", newline="").read()), dialect="excel"))
    check("csv: +1-1 neutralised", any(row[h["Nội dung"]] == "'+1-1" for row in table))

    r = run("comments", hostile, out)
    table = list(csv.reader(io.StringIO(open(out, encoding="utf-8-sig", newline="").read()), dialect="excel"))
    check("comments csv", table[0] == ["Ngày", "Đơn vị", "Câu hỏi", "Nội dung góp ý"] and table[1][3] == "'" + formula, table[:2])

    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)


try:
    main()
except Exception as e:  # a crash is a failed check, reported in TAP
    import traceback
    check("no exception", False, traceback.format_exc())

print("1..%d" % len(RESULTS))
for i, (name, ok, detail) in enumerate(RESULTS, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for line in str(detail).splitlines():
            print("# " + line)
sys.exit(0 if all(ok for _, ok, _ in RESULTS) else 1)
