"""The report on paper, printed by headless Chromium as a school prints it:
the notice-board sheet (công khai kết quả) is exactly one A4 page in the
worst case — 300-character unit and round names, a long questionnaire
title, 40 criteria all below target, three questionnaires in one scope —
with nothing of its results clipped; the full report page prints on A4
pages with every criterion in the text."""
import json
import os
import re
import subprocess

from harness import (Server, database_with_units, ensure_playwright, run_cli,
                     run_node_tap, run_tests)
from test_reports import make_round, store
from test_rounds import PASSWORD, sign_in

LONG = "Trường Trung học cơ sở và Trung học phổ thông Nguyễn Thị Minh Khai — phân hiệu "
ORG = ("code,name,kind,parent_code,school_level\n"
       f"P1,\"{('Sở Giáo dục và Đào tạo tỉnh Quảng Nam Đà Nẵng Thừa Thiên Huế ' * 5)[:300]}\","
       "province,,\n"
       f"C1,\"{('Phường Điện Bàn Đông Điện Ngọc Điện Dương Điện Nam Bắc ' * 6)[:300]}\","
       "commune,P1,\n"
       f"S1,\"{(LONG * 4)[:300]}\",school,C1,thcs\n"
       f"S2,\"{(LONG * 4)[:299]}2\",school,C1,thcs\n")
CRITERIA = 40
RESPONSES = 30
A4 = (595.28, 841.89)


def long_form(n):
    """A questionnaire of 40 criteria with long Vietnamese texts, no short
    labels (the notice must cut them, not wrap them)."""
    elements = []
    for e in range(4):
        items = [{"kind": "criterion", "id": f"c{e * 10 + i + 1}",
                  "text": f"TC{e * 10 + i + 1:02d}. Nhà trường thông báo đầy đủ, kịp thời và "
                          "công khai các khoản thu, chi, học phí, bán trú, bảo hiểm y tế "
                          "đến cha mẹ học sinh",
                  "scale": "satisfaction-5", "no_opinion": True} for i in range(10)]
        elements.append({"kind": "element", "id": f"E{e + 1}",
                         "title": f"Yếu tố {e + 1}: Cơ sở vật chất, thiết bị dạy học và "
                                  "môi trường giáo dục an toàn, thân thiện", "items": items})
    return {
        "format": 1, "id": f"kiem-thu-in-{n}", "edition": "1",
        "title": f"Phiếu khảo sát {n} về sự hài lòng của cha mẹ học sinh đối với chất lượng "
                 "giáo dục và dịch vụ giáo dục của nhà trường năm học 2026–2027",
        "language": "vi", "audience": "cmhs-thcs", "family": "school",
        "source": {"document": "Phiếu dùng cho kiểm thử in", "date": "2026-01-01",
                   "issuer": "hailong"},
        "method": {"index": "mean-of-criteria", "target_percent": 90, "headline": "index"},
        "items": elements + [
            {"kind": "question", "id": "chung", "text": "Nhìn chung anh/chị hài lòng?",
             "scale": "satisfaction-5", "role": "overall"},
            {"kind": "question", "id": "gopy", "text": "Góp ý", "scale": "text"}],
    }


def answers(r):
    """Response r: criterion i is satisfied by the first i % 10 responses of
    30, so every criterion is far below its 90 % target, at varied gaps."""
    return [5 if r < i % 10 else 1 for i in range(CRITERIA)] + [2, 1]


def pdf_info(pdf):
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "1000", pdf], capture_output=True,
                         text=True, timeout=30).stdout
    pages = re.search(r"^Pages:\s+(\d+)", out, re.M)
    sizes = [(float(w), float(h)) for w, h in
             re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)]
    return (int(pages.group(1)) if pages else 0), sizes


def is_a4(size):
    return abs(size[0] - A4[0]) < 1 and abs(size[1] - A4[1]) < 1


def pdf_text(pdf, layout=True):
    return subprocess.run(["pdftotext"] + (["-layout"] if layout else []) + [pdf, "-"],
                          capture_output=True, text=True, timeout=30).stdout


def main(tap, scratch):
    ensure_playwright(tap)
    pg, env = database_with_units(tap, scratch, ORG)
    forms = scratch.sub("forms")
    for n in (1, 2, 3):
        with open(os.path.join(forms, f"kiem-thu-in-{n}.json"), "w", encoding="utf-8") as f:
            json.dump(long_form(n), f, ensure_ascii=False, indent=1)
    out = run_cli(["forms", "load", forms], env=env)
    tap.ok(out.returncode == 0, "three questionnaires of 40 criteria loaded", out.stderr)
    versions = pg.psql("SELECT id FROM questionnaire_version WHERE form_id LIKE 'kiem-thu-in-%'"
                       " ORDER BY form_id").split()
    rows = [(answers(r), ["Góp ý"]) for r in range(RESPONSES)]
    title = ("Khảo sát sự hài lòng của cha mẹ học sinh học kỳ I năm học 2026–2027, "
             "các khối lớp 6, 7, 8, 9 và lớp tăng cường tiếng Anh ") * 3
    for unit, version, code in (("S1", versions[0], "DDDDD2"), ("S2", versions[1], "DDDDD3"),
                                ("S2", versions[2], "DDDDD4")):
        rid = make_round(pg, code, unit, version, "2026-10-01", target=9_999_999)
        pg.psql(f"UPDATE campaign SET title = '{title[:300]}' WHERE id = {rid}")
        store(pg, rid, version, rows, "2026-10-05")
    tap.eq(run_cli(["aggregate"], env=env).returncode, 0, "aggregation job")
    out = run_cli(["user", "add", "--org", "P1", "--role", "viewer", "--login", "so.p1"],
                  env=env, stdin=PASSWORD + "\n")
    tap.eq(out.returncode, 0, "a viewer account")
    server = Server(scratch, pg.conninfo)
    cookie = sign_in(server, "so.p1")
    period = "from=2026-09-01&to=2027-08-31"
    res = server.get(f"/staff/reports/S1?campaign=DDDDD2&format=json", headers={"Cookie": cookie})
    below = len(res.json()["questionnaires"][0]["below_target"]) if res.status == 200 else 0
    tap.eq(below, CRITERIA, "every criterion of the round is below its target")

    pdf_dir = scratch.sub("pdf")
    run_node_tap(tap, "print.mjs", [f"http://127.0.0.1:{server.port}", cookie, pdf_dir,
                                    "notice-one=/staff/reports/S1?campaign=DDDDD2&format=notice",
                                    f"notice-two=/staff/reports/S2?{period}&format=notice",
                                    f"notice-three=/staff/reports/C1?{period}&format=notice",
                                    f"report=/staff/reports/C1?{period}"])
    out_dir = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots")
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(pdf_dir):
        if name.endswith(".png"):
            os.replace(os.path.join(pdf_dir, name), os.path.join(out_dir, "report-" + name))

    for label, more in (("notice-one", ["và 30 tiêu chí khác"]),
                        ("notice-two", ["và 37 tiêu chí khác"]),
                        ("notice-three", ["và 38 tiêu chí khác", "và 1 phiếu khảo sát khác"])):
        pdf = os.path.join(pdf_dir, f"{label}.pdf")
        # What was printed, for a person to look at (build/screenshots).
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", pdf,
                        os.path.join(out_dir, f"report-{label}-pdf")], timeout=60)
        pages, sizes = pdf_info(pdf)
        tap.ok(pages == 1 and len(sizes) == 1 and is_a4(sizes[0]),
               f"{label}: exactly one A4 page ({pages} pages, {sizes})")
        text = pdf_text(pdf)
        tap.ok("CÔNG KHAI KẾT QUẢ KHẢO SÁT" in text and "Biện pháp cải tiến của nhà trường" in text
               and "Hiệu trưởng" in text and "(Ký, ghi rõ họ tên, đóng dấu)" in text,
               f"{label}: title, ruled area and signature all on the page", text[-1500:])
        tap.ok(all(m in text for m in more), f"{label}: the criteria that do not fit are "
               f"counted ({', '.join(more)})", text)
        tap.ok("TC01." in text, f"{label}: the worst criterion is listed first", text[:2000])
    pdf = os.path.join(pdf_dir, "report.pdf")
    pages, sizes = pdf_info(pdf)
    tap.ok(pages >= 1 and len(sizes) == pages and all(is_a4(s) for s in sizes),
           f"the full report prints on {pages} A4 pages", sizes[:3])
    text = re.sub(r"\s+", " ", pdf_text(pdf, layout=False))
    missing = [f"TC{i:02d}." for i in range(1, CRITERIA + 1) if f"TC{i:02d}." not in text]
    tap.ok(not missing, "every criterion is printed in the full report", missing)
    tap.ok("Nguyễn Thị Minh Khai" in text and "Góp ý" in text,
           "names and comments survive into the PDF")


run_tests(main)
