"""The print sheets, as a school prints them: poster, slips (8 per A4) and
paper questionnaires are printed to PDF by headless Chromium, rasterised
with pdftoppm, and every QR code on every page is decoded by zbarimg back to
the exact link; the Vietnamese text survives into the PDF."""
import glob
import os
import re
import subprocess

from harness import (Server, database_with_units, ensure_playwright, run_cli, run_node_tap,
                     run_tests)
from test_rounds import ORG, PASSWORD, sign_in

BASE = "https://ks.example.vn"


def decode_pages(pdf, dpis=(300, 200)):
    """The QR links found on each page of pdf, as a list of sets: what
    zbarimg reads at either of two resolutions, as a phone camera gets
    several tries at several distances.  At one resolution alone, zbar
    missed one code in 20 slips about once in ten runs."""
    prefix = pdf[:-4]
    pages = []
    for dpi in dpis:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", pdf, f"{prefix}-{dpi}"], check=True,
                       timeout=120)
        pngs = sorted(glob.glob(f"{prefix}-{dpi}-*.png"),
                      key=lambda p: int(re.findall(r"-(\d+)\.png$", p)[0]))
        for i, png in enumerate(pngs):
            out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png],
                                 capture_output=True, text=True, timeout=60)
            if i == len(pages):
                pages.append(set())
            pages[i] |= set(out.stdout.split())
    return pages


def pdf_pages(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=30)
    m = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
    return int(m.group(1)) if m else 0


def pdf_text(pdf):
    return subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                          timeout=30).stdout


def main(tap, scratch):
    ensure_playwright(tap)
    pg, env = database_with_units(tap, scratch, ORG, {"HAILONG_BASE_URL": BASE})
    run_cli(["user", "add", "--org", "79-A", "--role", "staff", "--login", "gv.a"], env=env,
            stdin=PASSWORD + "\n")
    out = run_cli(["campaign", "create", "--org", "79-A", "--form", "moet-cmhs-thcs", "--title",
                   "Khảo sát sự hài lòng của cha mẹ học sinh năm học 2026–2027", "--opens",
                   "2026-01-01 07:00", "--closes", "2099-06-30 17:00", "--mode", "both"], env=env)
    code = out.stdout.strip().rsplit("/", 1)[-1]
    slips = re.findall(r"/s/(\w{13})$", run_cli(["campaign", "slips", code, "--count", "20"],
                                                env=env).stdout, re.M)
    paper = re.findall(r"/s/(\w{13})$", run_cli(["campaign", "slips", code, "--count", "3"],
                                                 env=env).stdout, re.M)
    tap.ok(len(slips) == 20 and len(paper) == 3, "two batches of slips: 20 and 3")

    server = Server(scratch, pg.conninfo, env={"HAILONG_BASE_URL": BASE})
    cookie = sign_in(server, "gv.a")
    out_dir = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots")
    pdf_dir = scratch.sub("pdf")
    run_node_tap(tap, "print.mjs", [f"http://127.0.0.1:{server.port}", cookie, pdf_dir,
                                    f"poster=/staff/rounds/{code}/poster",
                                    f"slips=/staff/rounds/{code}/slips?batch=1",
                                    f"paper=/staff/rounds/{code}/paper?batch=2"])
    for png in glob.glob(os.path.join(pdf_dir, "print-*.png")):
        os.makedirs(out_dir, exist_ok=True)
        os.replace(png, os.path.join(out_dir, os.path.basename(png)))

    poster = os.path.join(pdf_dir, "poster.pdf")
    tap.eq(pdf_pages(poster), 1, "the poster is one A4 page")
    tap.eq(decode_pages(poster), [{f"{BASE}/s/{code}"}], "the poster's QR code decodes to the "
           "round's link")
    # A line may break anywhere in the title, depending on the fonts installed.
    text = " ".join(pdf_text(poster).split())
    tap.ok("Trường A" in text and "Khảo sát sự hài lòng của cha mẹ học sinh" in text and
           f"ks.example.vn/s/{code}" in text, "the poster shows the school, the title (with "
           "diacritics) and the link to type", text[:500])

    sheet = os.path.join(pdf_dir, "slips.pdf")
    pages = decode_pages(sheet)
    tap.eq(len(pages), 3, "20 slips take 3 A4 pages (8 per page)")
    tap.eq([len(p) for p in pages], [8, 8, 4], "8 distinct QR codes per page")
    tap.eq(set().union(*pages) if pages else set(), {f"{BASE}/s/{s}" for s in slips},
           "every slip's QR code decodes to its own link")
    text = pdf_text(sheet)
    pretty = [f"{s[:4]}-{s[4:8]}-{s[8:]}" for s in slips]
    tap.ok(all(p in text for p in pretty), "every slip's code is printed, with hyphens",
           [p for p in pretty if p not in text][:3])

    form = os.path.join(pdf_dir, "paper.pdf")
    count = pdf_pages(form)
    tap.ok(3 <= count <= 6, f"3 paper questionnaires on {count} A4 pages (1–2 each)")
    pages = decode_pages(form)
    tap.eq(set().union(*pages) if pages else set(), {f"{BASE}/s/{s}" for s in paper},
           "each paper questionnaire's QR code decodes to its slip's link")
    text = pdf_text(form)
    tap.ok(all(f"{s[:4]}-{s[4:8]}-{s[8:]}" in text for s in paper) and "Mã phiếu" in text,
           "each questionnaire prints its slip code", text[:400])
    tap.ok("không ý kiến" in text.lower() or "KYK" in text, "the no-opinion column is explained")


run_tests(main)
