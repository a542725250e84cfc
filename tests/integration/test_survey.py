"""The parents' path: QR link → form → exactly-once submission."""
import concurrent.futures
import gzip
import re
import time
import urllib.parse

from harness import App, form_fields, form_token, run_tests

FORM = "hop-phu-huynh-nhanh"
# The server reuses a round's details for 2 s (server.c, CAMPAIGN_CACHE_TTL_MS).
ROUND_CACHE_S = 2.2
POST = {"Content-Type": "application/x-www-form-urlencoded"}


def answers_for(html, choose="max", comment=None):
    """A complete, valid set of answers for the form in html."""
    body = {"t": form_token(html)}
    for name, values in form_fields(html).items():
        choices = [v for v in values if v != "x"]
        if not values:
            if comment is not None:
                body[name] = comment
            continue
        body[name] = max(choices, key=int) if choose == "max" else min(choices, key=int)
    return body


def post(server, code, body, **kw):
    data = body if isinstance(body, (bytes, str)) else urllib.parse.urlencode(body)
    return server.request("POST", f"/s/{code}", body=data, headers=POST, **kw)


def receipt(html):
    m = re.search(r'class="rc">([^<]+)<', html)
    return m.group(1) if m else None


def main(tap, scratch):
    app = App(scratch)
    server, pg = app.server, app.pg
    code = app.code_of(FORM)
    tap.ok(re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code or ""), "the demo round has a 6-symbol code")
    tap.eq(len(app.demo_urls), 8, "hailong demo prints one URL per shipped questionnaire")
    tap.ok(all(u.startswith("http://hailong.test/s/") for u in app.demo_urls),
           "demo URLs are built from HAILONG_BASE_URL")

    # The form page.
    r = server.get(f"/s/{code}")
    tap.eq(r.status, 200, "GET /s/CODE shows the form")
    html = r.text
    tap.match(html, r'^<!doctype html><html lang="vi">', "the page says it is Vietnamese")
    tap.eq(r.header("Content-Type"), "text/html; charset=utf-8", "HTML in UTF-8")
    csp = r.header("Content-Security-Policy") or ""
    tap.ok("default-src 'none'" in csp and "script-src 'sha256-" in csp and
           "unsafe-inline" not in csp, "a strict Content-Security-Policy", csp)
    tap.eq(r.header("Cache-Control"), "no-store", "form pages are never cached")
    tap.eq(r.header("X-Content-Type-Options"), "nosniff", "nosniff")
    tap.ok("http://" not in html.replace("http://hailong.test", "") and "https://" not in html,
           "the page makes no external request")
    tap.ok(html.count("<fieldset") == 12 and html.count("<legend>") == 12,
           "one fieldset with a legend per question")
    tap.ok(re.search(r'<label><input type="radio" name="q0" value="1" required>Rất không hài lòng'
                     r'</label>', html), "labels wrap the whole option")
    tap.ok("Không ý kiến" in html, "no-opinion is offered where the form allows it")
    gz = server.get(f"/s/{code}", headers={"Accept-Encoding": "gzip"})
    tap.eq(gz.header("Content-Encoding"), "gzip", "gzip when the client accepts it")
    tap.eq(gzip.decompress(gz.body).decode()[:60], html[:60], "the gzip body is the page")
    tap.ok(len(gz.body) < len(r.body) / 2, f"gzip shrinks the page ({len(gz.body)} bytes)")
    sizes = {}
    for url in app.demo_urls:
        c = url.rsplit("/", 1)[1]
        sizes[c] = len(server.get(f"/s/{c}").body)
    tap.ok(max(sizes.values()) <= 30 * 1024,
           f"every shipped form page is at most 30 KB (largest {max(sizes.values())} bytes)")
    tap.eq(server.get(f"/s/{code.lower()}").status, 200, "codes are case-insensitive")
    tap.eq(server.get(f"/s/{code[:3]}-{code[3:]}").status, 200, "a hyphen in a code is accepted")
    r = server.get("/s/ZZZZZZ")
    tap.ok(r.status == 404 and "Không tìm thấy phiếu khảo sát" in r.text,
           "an unknown code: 404 with a Vietnamese page")
    for bad in ("'%20OR%201=1--", "%3Cscript%3E", "A" * 80, "0O1IL0"):
        tap.eq(server.get(f"/s/{bad}").status, 404, f"a hostile code {bad[:20]!r}: 404")

    # A valid submission.
    body = answers_for(html, comment="Nhà trường rất tốt <script>alert(1)</script> 'x'")
    r = post(server, code, body)
    tap.eq(r.status, 200, "a valid submission gets the thank-you page")
    tap.ok("Cảm ơn" in r.text, "it says cảm ơn")
    first_receipt = receipt(r.text)
    tap.ok(re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", first_receipt or ""),
           f"with a short receipt code ({first_receipt})")
    row = pg.psql("SELECT array_length(answers, 1), source, texts[1], receipt, "
                  "submitted_minute = date_trunc('minute', submitted_minute) FROM response")
    tap.eq(row, f"12|qr|Nhà trường rất tốt <script>alert(1)</script> 'x'|{first_receipt}|t",
           "stored: 12 answers, source qr, the comment as typed, the receipt, time to the minute")
    columns = pg.psql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                      "information_schema.columns WHERE table_name = 'response'")
    tap.eq(columns, "id,campaign_id,version_id,submission_id,content_hash,answers,texts,source,"
           "receipt,submitted_minute", "a response stores nothing that identifies the parent")

    # Replays: the same submission 20 times at once.
    r = server.get(f"/s/{code}")
    body = answers_for(r.text, choose="min")
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: post(server, code, body), range(20)))
    statuses = [x.status for x in results]
    receipts = {receipt(x.text) for x in results}
    tap.eq(statuses, [200] * 20, "20 concurrent replays of one submission all get the thank-you")
    tap.eq(len(receipts), 1, "and the same receipt")
    sub = pg.psql("SELECT count(*) FROM response")
    tap.eq(sub, "2", "and one row")
    r = post(server, code, body)
    tap.eq((r.status, receipt(r.text)), (200, receipts.pop()), "a later replay: the same receipt")
    other = dict(body)
    other["q0"] = "5" if body["q0"] != "5" else "4"
    r = post(server, code, other)
    tap.ok(r.status == 409 and "đã được gửi" in r.text,
           "the same submission id with other answers: 409 and a clear message")
    tap.eq(pg.psql("SELECT count(*) FROM response"), "2", "the conflicting post stored nothing")

    # 50 parents at once.
    def one_parent(i):
        page = server.get(f"/s/{code}")
        return post(server, code, answers_for(page.text, choose="max" if i % 2 else "min"))
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        results = list(pool.map(one_parent, range(50)))
    tap.eq([x.status for x in results], [200] * 50, "50 concurrent parents all get the thank-you")
    tap.eq(len({receipt(x.text) for x in results}), 50, "with 50 different receipts")
    tap.eq(pg.psql("SELECT count(*) FROM response"), "52", "and 50 more rows")

    # Validation: every error is shown next to its question, answers kept.
    page = server.get(f"/s/{code}").text
    good = answers_for(page)
    cases = [
        ("a required question left blank", {k: v for k, v in good.items() if k != "q3"},
         "q3", "Vui lòng chọn một câu trả lời."),
        ("a value outside the scale", {**good, "q2": "9"}, "q2",
         "Câu trả lời không hợp lệ, vui lòng chọn lại."),
        ("no-opinion where not offered", {**good, "q10": "x"}, "q10",
         "Câu trả lời không hợp lệ, vui lòng chọn lại."),
        ("a comment over 500 characters", {**good, "q11": "ạ" * 501}, "q11",
         "Ý kiến dài quá mức cho phép, vui lòng rút gọn."),
    ]
    for name, data, field, message in cases:
        r = post(server, code, data)
        block = re.search(rf'<fieldset id="{field}" class="bad">.*?</fieldset>', r.text, re.S)
        tap.ok(r.status == 422 and block and message in block.group(0),
               f"{name}: 422 and the message at its question", r.status)
    r = post(server, code, {k: v for k, v in good.items() if k != "q3"})
    tap.ok(re.search(r'name="q0" value="%s" checked' % good["q0"], r.text),
           "the answers given are kept in the re-rendered form")
    tap.ok('name="t" value="%s"' % good["t"] in r.text,
           "the re-rendered form keeps its submission id")
    r = post(server, code, urllib.parse.urlencode(good) + "&q0=1")
    tap.eq(r.status, 422, "two answers to a single-choice question: 422")
    r = post(server, code, urllib.parse.urlencode(good) + "&admin=1")
    tap.ok(r.status == 422 and "không đúng mẫu" in r.text, "an unknown field: 422")
    r = post(server, code, {**good, "q11": "<b>đậm</b> & \"x\""} | {"q3": "9"})
    tap.ok("&lt;b&gt;đậm&lt;/b&gt; &amp; &quot;x&quot;" in r.text and "<b>đậm" not in r.text,
           "a comment is escaped when shown again")
    decomposed = "Tru\u031bo\u031b\u0300ng"  # "Trường" typed with combining marks
    page = server.get(f"/s/{code}").text
    r = post(server, code, answers_for(page, comment=decomposed))
    tap.eq(r.status, 200, "a comment in decomposed Unicode is accepted")
    tap.eq(pg.psql("SELECT texts[1] FROM response ORDER BY id DESC LIMIT 1"), "Trường",
           "and stored in NFC")
    tap.eq(pg.psql("SELECT count(*) FROM response"), "53", "invalid posts stored nothing")

    # Hostile and malformed bodies.
    r = post(server, code, {**good, "t": good["t"][:-2] + "AA"})
    tap.ok(r.status == 400 and "Phiếu không hợp lệ" in r.text, "a forged token: 400")
    r = post(server, code, {k: v for k, v in good.items() if k != "t"})
    tap.eq(r.status, 400, "no token: 400")
    r = post(server, code, b"t=" + good["t"].encode() + b"&q11=%FF%FE")
    tap.eq(r.status, 400, "invalid UTF-8: 400")
    r = post(server, code, "t=%ZZ")
    tap.eq(r.status, 400, "a malformed escape: 400")
    r = server.request("POST", f"/s/{code}", body=b'{"q0": 5}',
                       headers={"Content-Type": "application/json"})
    tap.eq(r.status, 415, "a body that is not a form: 415")
    r = post(server, code, {**good, "q11": "x" * (200 * 1024)})
    tap.ok(r.status == 413 and "quá lớn" in r.text and r.text.startswith("<!doctype html>"),
           "a 200 KB comment: 413 with a Vietnamese page")
    r = post(server, code, {**good, "q11": "x" * (1024 * 1024)})
    tap.eq(r.status, 413, "a 1 MB comment: 413")
    other_code = app.code_of("papi-truong-tieu-hoc")
    r = post(server, other_code, good)
    tap.eq(r.status, 400, "a token of another round: 400")
    tap.eq(pg.psql("SELECT count(*) FROM response"), "53", "hostile posts stored nothing")
    tap.eq(server.get("/healthz").status, 200, "the server is still healthy")

    # Slips: single use, and a race of two phones on one slip.
    cid = pg.psql(f"SELECT id FROM campaign WHERE public_code = '{code}'")
    pg.psql(f"INSERT INTO slip (code, campaign_id) VALUES ('ABCDEFGHJKMNP', {cid}), "
            f"('QRSTUVWXYZ234', {cid})")
    r = server.get("/s/abcd-efgh-jkmnp")
    tap.eq(r.status, 200, "a slip code opens the form (any case, with hyphens)")
    p1 = answers_for(r.text)
    p2 = answers_for(server.get("/s/ABCDEFGHJKMNP").text, choose="min")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        raced = list(pool.map(lambda b: post(server, "ABCDEFGHJKMNP", b), [p1, p2]))
    tap.eq(sorted(x.status for x in raced), [200, 410], "two phones on one slip: one stored, "
           "one refused")
    loser = [x for x in raced if x.status == 410]
    tap.ok(loser and "Phiếu này đã được sử dụng" in loser[0].text, "the refusal says so")
    tap.eq(pg.psql("SELECT count(*) FROM response WHERE source = 'slip'"), "1",
           "one response from the slip")
    tap.eq(pg.psql("SELECT used FROM slip WHERE code = 'ABCDEFGHJKMNP'"), "t", "the slip is used")
    winner = p1 if raced[0].status == 200 else p2
    tap.eq(post(server, "ABCDEFGHJKMNP", winner).status, 200,
           "the winner's retry is a replay, not 'already used'")
    r = server.get("/s/ABCDEFGHJKMNP")
    tap.ok(r.status == 410 and "đã được sử dụng" in r.text, "opening a used slip: 410")
    tap.eq(pg.psql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                   "information_schema.columns WHERE table_name = 'slip'"), "code,campaign_id,batch,used",
           "a slip keeps no link to its response")

    # A round that closes while a parent fills the form.
    page = server.get(f"/s/{code}").text
    time.sleep(1.1)  # issued a clear second before the close
    pg.psql(f"UPDATE campaign SET closed_early_at = now() WHERE id = {cid}")
    time.sleep(ROUND_CACHE_S)
    r = server.get(f"/s/{code}")
    tap.ok(r.status == 410 and "đã kết thúc" in r.text and re.search(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}",
           r.text), "a closed round: 410 with the date")
    r = post(server, code, answers_for(page))
    tap.eq(r.status, 200, "a form issued while open is still accepted after the close")
    pg.psql(f"UPDATE campaign SET closed_early_at = NULL, opens_at = now() + interval '1 day' "
            f"WHERE id = {cid}")
    time.sleep(ROUND_CACHE_S)
    r = server.get(f"/s/{code}")
    tap.ok(r.status == 403 and "chưa bắt đầu" in r.text, "a round not yet open: a page with "
           "the date")
    pg.psql(f"UPDATE campaign SET opens_at = now() - interval '1 hour', mode = 'slips' "
            f"WHERE id = {cid}")
    time.sleep(ROUND_CACHE_S)
    tap.eq(server.get(f"/s/{code}").status, 404, "a slips-only round refuses its shared code")
    pg.psql(f"UPDATE campaign SET mode = 'both', kiosk = true WHERE id = {cid}")
    time.sleep(ROUND_CACHE_S)

    # Kiosk mode: back to a fresh form by itself.
    r = post(server, code, answers_for(server.get(f"/s/{code}").text))
    tap.ok(r.status == 200 and f'http-equiv="refresh" content="6;url=/s/{code}"' in r.text,
           "kiosk: the thank-you page returns to a fresh form")
    tap.ok("data-kiosk" in server.get(f"/s/{code}").text,
           "kiosk: the form keeps no draft on the device")

    # Responses are append-only.
    res = pg.psql("UPDATE response SET answers = '{}'", check=False)
    tap.eq(pg.psql("SELECT count(*) FROM response WHERE answers = '{}'"), "0",
           "responses cannot be changed")
    del res


run_tests(main)
