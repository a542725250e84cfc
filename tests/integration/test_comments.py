"""Comments: the paged endpoint GET /api/v1/reports/{code}/comments, its CSV
export of every comment (500,000 of them, through HTTP, with the server's
peak memory measured before and after), `hailong comments`, and the staff
page's paging and download links.  The same privacy rule as the report:
rounds under k responses are withheld and counted, and the caller sees only
its own subtree."""
import csv
import io
import json
import os
import subprocess
import time
import urllib.parse
import http.client

from harness import (BINARY, UNDER_VALGRIND, VALGRIND, Server, database_with_units, run_cli,
                     run_tests)
from test_reports import FORM_V2, make_round, store
from test_rounds import PASSWORD, api, make_token, sign_in

ORG = ("code,name,kind,parent_code,school_level\n"
       "P1,Tỉnh Một,province,,\n"
       "C1,Xã Một,commune,P1,\n"
       "S1,Trường Một,school,C1,thcs\n"
       "S1-6A,Lớp 6A,class,S1,\n"
       "S2,Trường Hai,school,C1,thcs\n"
       "P2,Tỉnh Hai,province,,\n"
       "S3,Trường Ba,school,P2,thcs\n"
       "P3,Tỉnh Ba,province,,\n"
       "S9,Trường Chín,school,P3,thcs\n"
       "P4,Tỉnh Bốn,province,,\n"
       "S41,Trường Bốn Một,school,P4,thcs\n"
       "S42,Trường Bốn Hai,school,P4,thcs\n")
PERIOD = "from=2026-09-01&to=2027-08-31"
ANSWERS = [4, 4, 2, 1, 4, 1]
QUOTED = 'Cô nói "được", nhưng\nchưa làm'
FORMULA = "=cmd|' /C calc'!A0"
BIG = 500_000
BIG_FORMULA = "=HYPERLINK(\"http://x\",\"bấm\")"
BIG_QUOTED = 'Dòng "một", dòng\r\nhai'
RSS_GROWTH_MAX = 24 * 1024 * 1024
HEADER = ["Ngày", "Đơn vị", "Câu hỏi", "Nội dung góp ý"]


def school_rows():
    """60 responses at S1, one a minute; the texts that test search and
    quoting sit among numbered ones.  Returns the rows and the comments
    expected, newest first."""
    special = {5: "Học phí tăng 100% là quá cao", 6: "mã lớp a_b không đúng",
               7: "100 phần trăm", 8: "axb", 9: QUOTED, 10: FORMULA}
    rows, texts = [], []
    for n in range(60):
        if n == 11:
            t = [None]
        elif n == 12:
            t = [""]
        elif n == 13:
            t = None
        else:
            t = [special.get(n, f"Góp ý số {n:02d}")]
        # As the server stores them: the text question counts 1 exactly
        # when its text is kept (what a report's comment total counts).
        rows.append((ANSWERS if t and t[0] else ANSWERS[:-1] + [0], t))
        if t and t[0]:
            texts.append(t[0])
    return rows, list(reversed(texts))


def interleaved(tap, server, env):
    """Two schools' comments in the same minutes: a province's page takes
    each round's newest and merges them, newest first, ties by the later
    stored response, across page boundaries."""
    p4 = make_token(env, "P4", "viewer")
    _, first = page(server, p4, "P4", PERIOD + "&limit=500")
    expected = [c["text"] for c in first["items"]]
    tap.eq(len(expected), 40, "40 comments in the two schools")
    want = [f"{school} phút {m:02d}" for m in range(19, -1, -1) for school in ("S42", "S41")]
    tap.eq(expected, want, "newest first across the rounds; in one minute the later stored first")
    pages = []
    for offset in range(0, 40, 7):
        _, doc = page(server, p4, "P4", PERIOD + f"&limit=7&offset={offset}")
        pages += [c["text"] for c in doc["items"]]
    tap.eq(pages, want, "pages of 7 follow on without gap or overlap")
    res = api(server, "GET", f"/api/v1/reports/P4?{PERIOD}", p4)
    com = res.json()["comments"]
    tap.ok(com["total"] == 40 and [c["text"] for c in com["items"]] == want,
           "the province report: the same comments, its total from the tallies", json.dumps(com)[:500])
    res = api(server, "GET", f"/api/v1/reports/P4?{PERIOD}&q=S41", p4)
    com = res.json()["comments"]
    tap.ok(com["total"] == 20 and [c["text"] for c in com["items"]] == want[1::2],
           "with a search: its own count", json.dumps(com)[:500])


def page(server, token, node, query):
    res = api(server, "GET", f"/api/v1/reports/{node}/comments?{query}", token)
    return res, (res.json() if res.status == 200 else None)


def cli_bytes(env, *args, timeout=60):
    return subprocess.run([BINARY, "comments", *args], capture_output=True, timeout=timeout,
                          env=dict(os.environ, **env))


def csv_rows(data):
    text = data.decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def paging(tap, server, p1, expected):
    res, doc = page(server, p1, "S1", PERIOD + "&limit=20")
    tap.ok(res.status == 200 and res.header("Content-Type").startswith("application/json"),
           "GET …/comments: a JSON page", res.text[:300])
    tap.ok(doc["total"] == len(expected) == 57 and doc["limit"] == 20 and doc["offset"] == 0 and
           doc["next_offset"] == 20, "total, limit, offset and the next offset",
           json.dumps({k: doc[k] for k in ("total", "limit", "offset", "next_offset")}))
    tap.eq([c["text"] for c in doc["items"]], expected[:20], "the first page: newest first")
    tap.ok(all(c["question"] == "gopy" and c["unit"] == "Trường Một" and c["date"] == "2026-10-05"
               for c in doc["items"]), "each comment has its date, unit and question")
    tap.ok(doc["scope"]["node"]["code"] == "S1" and
           doc["scope"]["period"] == {"from": "2026-09-01", "to": "2027-08-31",
                                      "basis": "opens_at"} and
           doc["scope"]["privacy_threshold"] == 5, "the page names its scope")
    _, doc2 = page(server, p1, "S1", PERIOD + "&limit=20&offset=20")
    _, doc3 = page(server, p1, "S1", PERIOD + "&limit=20&offset=40")
    tap.eq([c["text"] for c in doc2["items"] + doc3["items"]], expected[20:],
           "the next pages follow on, without gap or overlap")
    tap.ok(doc2["next_offset"] == 40 and doc3["next_offset"] is None and len(doc3["items"]) == 17,
           "the last page has no next offset")
    _, past = page(server, p1, "S1", PERIOD + "&offset=1000")
    tap.ok(past["items"] == [] and past["total"] == 57 and past["next_offset"] is None,
           "past the end: no items, the total still given")
    _, default = page(server, p1, "S1", PERIOD)
    tap.eq((len(default["items"]), default["limit"]), (50, 50), "default limit 50")
    _, most = page(server, p1, "S1", PERIOD + "&limit=500")
    tap.eq(len(most["items"]), 57, "limit 500 is allowed")
    res = api(server, "GET", f"/api/v1/reports/S1?{PERIOD}", p1)
    com = res.json()["comments"]
    tap.ok(com["items"] == default["items"] and com["total"] == 57 and com["offset"] == 0,
           "the report document's comments are the endpoint's first page",
           json.dumps(com, ensure_ascii=False)[:300])

    for q, want in (("100%", ["Học phí tăng 100% là quá cao"]),
                    ("a_b", ["mã lớp a_b không đúng"]), ("%", ["Học phí tăng 100% là quá cao"]),
                    ("_", ["mã lớp a_b không đúng"]), ("AXB", ["axb"])):
        _, doc = page(server, p1, "S1", PERIOD + "&q=" + urllib.parse.quote(q))
        tap.ok([c["text"] for c in doc["items"]] == want and doc["total"] == len(want) and
               doc["q"] == q, f"search {q!r}: literal, ignoring case",
               json.dumps(doc, ensure_ascii=False)[:300])
    # Privacy: the class round (3 responses) is withheld and counted.
    _, doc = page(server, p1, "C1", PERIOD + "&limit=500")
    texts = [c["text"] for c in doc["items"]]
    tap.ok(doc["shown"] and doc["withheld_rounds"] == 1 and texts == expected and
           not any("bí mật" in t for t in texts),
           "the commune: the class's comments withheld (3 < k), the round counted",
           json.dumps({k: doc[k] for k in ("shown", "withheld_rounds", "total")}))
    _, doc = page(server, p1, "S1-6A", PERIOD)
    tap.ok(doc["shown"] is False and doc["items"] == [] and doc["total"] == 0 and
           doc["next_offset"] is None, "the class alone: nothing shown")
    _, doc = page(server, p1, "S1", "campaign=CCCCC2")
    tap.ok(doc["scope"]["campaign"]["code"] == "CCCCC2" and doc["total"] == 57 and
           doc["scope"]["period"]["from"] == "2026-10-01", "one round: its own period")


def refusals(tap, server, p1, s2, p2):
    for query, field in (("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"),
                         ("limit=-1", "limit"), ("offset=-1", "offset"), ("offset=1.5", "offset"),
                         ("offset=9999999999", "offset"), ("from=2026-13-01", "from"),
                         ("to=yesterday", "to"), ("format=xlsx", "format"),
                         ("q=" + "x" * 300, "q")):
        res = api(server, "GET", "/api/v1/reports/S1/comments?" + query, p1)
        err = res.json().get("error", {}) if res.status == 422 else {}
        tap.ok(res.status == 422 and err.get("field") == field and err.get("code") == "invalid"
               and res.json()["error"].get("request_id"),
               f"422 naming {field} for {query[:30]}", res.text[:200])
    for token, node, why in ((s2, "S1", "a school asking for its neighbour"),
                             (p2, "S1", "another province"), (s2, "C1", "the commune above it"),
                             (p1, "NOPE", "an unknown unit")):
        res = api(server, "GET", f"/api/v1/reports/{node}/comments", token)
        tap.ok(res.status == 404 and res.json()["error"]["code"] == "not_found",
               f"404 for {why}", res.text[:200])
        res = api(server, "GET", f"/api/v1/reports/{node}/comments?format=csv", token)
        tap.eq(res.status, 404, f"404 for {why}, as CSV too")
    res = api(server, "GET", "/api/v1/reports/S1/comments?campaign=ZZZZZZ", p1)
    tap.ok(res.status == 404 and res.json()["error"]["field"] == "campaign", "an unknown round")
    tap.eq(server.get("/api/v1/reports/S1/comments").status, 401, "no credentials: 401")


def small_csv(tap, server, env, p1, expected):
    res = api(server, "GET", f"/api/v1/reports/S1/comments?{PERIOD}&format=csv", p1)
    tap.ok(res.status == 200 and res.header("Content-Type").startswith("text/csv") and
           'filename="y-kien-S1.csv"' in (res.header("Content-Disposition") or ""),
           "format=csv: a download", res.text[:200])
    tap.ok(res.body.startswith(b"\xef\xbb\xbf"), "with the byte-order mark")
    rows = csv_rows(res.body)
    tap.eq(rows[0], HEADER, "the header")
    want = ["'" + t if t[0] in "=+-@" else t for t in expected]
    tap.eq([r[3] for r in rows[1:]], want, "every comment, newest first; quotes, commas and "
           "newlines round-trip, a formula gets an apostrophe")
    tap.ok(all(r[:3] == ["2026-10-05", "Trường Một", "gopy"] for r in rows[1:]),
           "date, unit and question on every row")
    out = cli_bytes(env, "S1", "--format", "csv", "--from", "2026-09-01", "--to", "2027-08-31")
    tap.ok(out.returncode == 0 and out.stdout == res.body,
           "hailong comments --format csv gives the same bytes", out.stderr.decode()[-300:])
    out = cli_bytes(env, "S1", "--format", "json", "--limit", "2", "--offset", "1")
    doc = json.loads(out.stdout) if out.returncode == 0 else {}
    tap.ok(out.returncode == 0 and [c["text"] for c in doc["items"]] == expected[1:3] and
           doc["next_offset"] == 3, "hailong comments --format json pages the same way",
           out.stderr.decode()[-300:])
    for args, why in ((["S1", "--format", "json", "--limit", "0"], "limit 0"),
                      (["S1", "--format", "xlsx"], "an unknown format"),
                      (["S1", "--format", "csv", "--from", "2026-02-30"], "a bad date"),
                      (["NOPE", "--format", "csv"], "an unknown unit")):
        out = cli_bytes(env, *args)
        tap.ok(out.returncode == 2 and out.stdout == b"" and
               len(out.stderr.decode().strip().splitlines()) == 1,
               f"hailong comments refuses {why} with one line", out.stderr.decode())


def staff_page(tap, server, env):
    out = run_cli(["user", "add", "--org", "P1", "--role", "viewer", "--login", "so.p1"],
                  env=env, stdin=PASSWORD + "\n")
    tap.eq(out.returncode, 0, "a viewer account at the province")
    cookie = {"Cookie": sign_in(server, "so.p1")}
    html = server.get(f"/staff/reports/S1?{PERIOD}", headers=cookie).text
    csv_link = "/api/v1/reports/S1/comments?from=2026-09-01&amp;to=2027-08-31&amp;format=csv"
    more = "/staff/reports/S1?from=2026-09-01&amp;to=2027-08-31&amp;comments_offset=50#y-kien"
    tap.ok(csv_link in html and "Tải tất cả ý kiến (CSV)" in html,
           "the report page links to every comment as CSV")
    tap.ok(more in html and "Xem thêm ý kiến" in html and "Ý kiến mới hơn" not in html,
           "and to the next comments", html[html.find('id="y-kien"'):][:1500])
    tap.ok("ý kiến thứ 1–50" in html, "saying which comments it shows")
    res = server.get(f"/staff/reports/S1?{PERIOD}&comments_offset=50", headers=cookie)
    html = res.text
    tap.ok(res.status == 200 and "ý kiến thứ 51–57" in html and "Góp ý số 00" in html and
           "Góp ý số 59" not in html, "the second page of comments", html[-3000:])
    tap.ok("comments_offset=0#y-kien" in html and "Ý kiến mới hơn" in html and
           "Xem thêm ý kiến" not in html, "back to the newer ones, no further page")
    res = server.get(csv_link.replace("&amp;", "&"), headers=cookie)
    tap.ok(res.status == 200 and len(csv_rows(res.body)) == 58,
           "the download works with the staff session")
    html = server.get(f"/staff/reports/S1?{PERIOD}&q=" + urllib.parse.quote("số 0"),
                      headers=cookie).text
    tap.ok("/comments?from=2026-09-01&amp;to=2027-08-31&amp;q=s%E1%BB%91%200&amp;format=csv"
           in html, "the search travels into the download link")
    res = server.get(f"/staff/reports/S1?{PERIOD}&comments_offset=abc", headers=cookie)
    tap.ok(res.status == 422 and "Yêu cầu không hợp lệ" in res.text,
           "a bad comments_offset: a Vietnamese 422 page")
    html = server.get(f"/staff/reports/S1?{PERIOD}&comments_offset=40", headers=cookie).text
    tap.ok("Cô nói &quot;được&quot;, nhưng" in html, "comments are escaped on the page")


def status_kib(pid, key):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def download(server, path, token, dest, timeout):
    """Streams a GET to a file; returns (status, headers, bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Authorization": "Bearer " + token})
        resp = conn.getresponse()
        size = 0
        with open(dest, "wb") as f:
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                f.write(chunk)
                size += len(chunk)
        return resp.status, dict(resp.getheaders()), size
    finally:
        conn.close()


def big_export(tap, scratch, pg, env, version):
    """Half a million comments out through HTTP; the server's peak memory
    must not grow with them.  Two free-text questions a response, so half
    as many responses to store.  A server of its own: a sign-in's Argon2id
    check (64 MiB) would otherwise set a peak that hides the export's."""
    rid = make_round(pg, "BBBBB2", "S9", version, "2026-10-10")
    started = time.monotonic()
    pg.psql(
        "INSERT INTO response (campaign_id, version_id, submission_id, content_hash, answers,"
        " texts, source, receipt, submitted_minute)"
        f" SELECT {rid}, {version}, gen_random_uuid(), sha256(g::text::bytea),"
        f" ARRAY{ANSWERS + [1]}::smallint[],"
        " ARRAY[CASE g WHEN 1000 THEN $q$" + BIG_FORMULA + "$q$"
        " WHEN 2000 THEN E'Dòng \"một\", dòng\\r\\nhai'"
        " ELSE 'Ý kiến số ' || g || ': mong nhà trường quan tâm hơn đến bữa ăn bán trú' END,"
        " 'Cần cải thiện ' || g || ': giờ đón trả học sinh buổi chiều']::text[],"
        " 'qr', 'R', timestamptz '2026-10-12 07:00+07' + g * interval '1 minute'"
        f" FROM generate_series(1, {BIG // 2}) g")
    inserted = time.monotonic() - started
    out = run_cli(["aggregate"], env=env, timeout=180)
    tap.ok(out.returncode == 0 and f"{BIG // 2} responses counted" in out.stdout,
           f"{BIG // 2} responses with two comments each stored ({inserted:.1f} s) and counted "
           f"({time.monotonic() - started - inserted:.1f} s)", out.stdout + out.stderr)
    p3 = make_token(env, "P3", "viewer")
    # Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
    # default) before reuse, which would count every freed batch; a small
    # one keeps the measurement about our memory (no effect otherwise).
    asan = os.environ.get("ASAN_OPTIONS", "")
    server = Server(scratch, pg.conninfo, env={
        "HAILONG_AGGREGATE_INTERVAL": "0",
        "ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=2"})
    res, doc = page(server, p3, "S9", PERIOD + "&limit=1")
    tap.ok(doc and doc["total"] == BIG and
           doc["items"][0]["text"].startswith(f"Ý kiến số {BIG // 2}:"),
           "the first page of half a million: the newest", res.text[:300])
    pid = server.proc.pid
    before_hwm, before_rss = status_kib(pid, "VmHWM"), status_kib(pid, "VmRSS")
    dest = os.path.join(scratch.path, "big.csv")
    started = time.monotonic()
    status, headers, size = download(server, f"/api/v1/reports/S9/comments?{PERIOD}&format=csv",
                                     p3, dest, timeout=120)
    took = time.monotonic() - started
    after_hwm, after_rss = status_kib(pid, "VmHWM"), status_kib(pid, "VmRSS")
    tap.diag(f"export: {size / 1e6:.1f} MB in {took:.1f} s; server VmHWM {before_hwm} kB -> "
             f"{after_hwm} kB (+{(after_hwm - before_hwm) / 1024:.1f} MiB), VmRSS {before_rss} kB "
             f"-> {after_rss} kB")
    tap.ok(status == 200 and size > 30_000_000, f"the CSV of {BIG} comments: {size} bytes")
    if VALGRIND:
        tap.skip("the server's peak memory stays bounded for a big export", UNDER_VALGRIND)
    else:
        tap.ok((after_hwm - before_hwm) * 1024 < RSS_GROWTH_MAX,
               f"the server's peak memory grew by {(after_hwm - before_hwm) / 1024:.1f} MiB "
               f"(< {RSS_GROWTH_MAX >> 20} MiB) for a {size / 1e6:.0f} MB export")
    with open(dest, "rb") as f:
        tap.eq(f.read(3), b"\xef\xbb\xbf", "BOM")
    with open(dest, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        tap.eq(next(reader), HEADER, "header")
        count, found, ordered, last, questions = 0, {}, True, None, {}
        for row in reader:
            count += 1
            questions[row[2]] = questions.get(row[2], 0) + 1
            if row[3] in ("'" + BIG_FORMULA, BIG_QUOTED):
                found[row[3]] = row
            key = row[0]
            ordered = ordered and (last is None or key <= last)
            last = key
    tap.eq(count, BIG, f"{BIG} rows")
    tap.ok(ordered, "newest first throughout")
    tap.eq(questions, {"gopy": BIG // 2, "gopy2": BIG // 2}, "each comment names its question")
    tap.eq(sorted(found), sorted(["'" + BIG_FORMULA, BIG_QUOTED]),
           "a formula comes out with its apostrophe, quotes and CR LF inside a cell round-trip")
    tap.ok(headers.get("Content-Length") == str(size), "sent with its length, from the file")


def main(tap, scratch):
    pg, env = database_with_units(tap, scratch, ORG)
    forms = scratch.sub("forms")
    with open(FORM_V2, encoding="utf-8") as f:
        form = json.load(f)
    with open(os.path.join(forms, "kiem-thu-bao-cao.json"), "w", encoding="utf-8") as f:
        json.dump(form, f, ensure_ascii=False)
    form["id"] = "kiem-thu-y-kien"
    form["items"].append({"kind": "question", "id": "gopy2", "text": "Điều cần cải thiện nhất",
                          "scale": "text"})
    with open(os.path.join(forms, "kiem-thu-y-kien.json"), "w", encoding="utf-8") as f:
        json.dump(form, f, ensure_ascii=False)
    tap.eq(run_cli(["forms", "load", forms], env=env).returncode, 0, "questionnaires loaded")
    v2, two_texts = (int(pg.psql("SELECT id FROM questionnaire_version WHERE form_id = "
                                 f"'{form_id}'")) for form_id in ("kiem-thu-bao-cao",
                                                                  "kiem-thu-y-kien"))
    rows, expected = school_rows()
    store(pg, make_round(pg, "CCCCC2", "S1", v2, "2026-10-01"), v2, rows, "2026-10-05")
    store(pg, make_round(pg, "CCCCC3", "S1-6A", v2, "2026-11-01"), v2,
          [(ANSWERS, ["bí mật của lớp 6A"])] * 3, "2026-11-02")
    store(pg, make_round(pg, "CCCCC4", "S3", v2, "2026-10-10"), v2,
          [(ANSWERS, ["tỉnh khác"])] * 6, "2026-10-12")
    for school, code in (("S41", "CCCCC5"), ("S42", "CCCCC6")):
        store(pg, make_round(pg, code, school, v2, "2026-10-01"), v2,
              [(ANSWERS, [f"{school} phút {m:02d}"]) for m in range(20)], "2026-10-06")
    tap.eq(run_cli(["aggregate"], env=env).returncode, 0, "aggregation job")
    # The server counts nothing by itself here: the export's memory is its own.
    server = Server(scratch, pg.conninfo, env={"HAILONG_AGGREGATE_INTERVAL": "0"})
    p1, s2, p2 = (make_token(env, u, "viewer") for u in ("P1", "S2", "P2"))
    paging(tap, server, p1, expected)
    interleaved(tap, server, env)
    refusals(tap, server, p1, s2, p2)
    small_csv(tap, server, env, p1, expected)
    staff_page(tap, server, env)
    server.kill()
    big_export(tap, scratch, pg, env, two_texts)


if __name__ == "__main__":
    run_tests(main)
