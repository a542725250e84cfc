"""The staff pages of rounds (issue 8, dashboard and rounds): GET /staff,
GET /staff/rounds, GET /staff/rounds/new + POST /staff/rounds, GET/POST
/staff/rounds/{code}/edit — CSRF, GET never changing anything, another
school's account kept out, dates as dd/mm/yyyy with Vietnamese messages, a
double POST making one round, numbers with the decimal comma."""
import base64
import concurrent.futures
import datetime
import hashlib
import html as htmllib
import re
import secrets
import signal
import urllib.parse

from harness import Server, database_with_units, form_fields, form_token, run_cli, run_tests

ORG = ("code,name,kind,parent_code,school_level\n79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n79-A,Trường A,school,79-X,thcs\n"
       "79-A-K6,Khối 6,grade,79-A,\n79-B,Trường B,school,79-X,thcs\n")
PASSWORD = "mật khẩu đủ dài 123"
FORM = "hop-phu-huynh-nhanh"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def sign_in(server, login, next_page=None, where=None):
    page = server.get("/login").text
    nonce = re.search(r'name="f" value="([^"]+)"', page).group(1)
    fields = {"f": nonce, "login": login, "password": PASSWORD}
    if next_page:
        fields["next"] = next_page
    r = server.request("POST", "/login", body=urllib.parse.urlencode(fields),
                       headers=FORM_HEADERS, timeout=30)
    if where is not None:
        where.append(r.header("Location"))
    cookie = re.match(r"(hl_session=[A-Za-z0-9_-]{43});", r.header("Set-Cookie") or "")
    return {"Cookie": cookie.group(1)} if cookie else {}


def post(server, path, cookie, fields):
    return server.request("POST", path, body=urllib.parse.urlencode(fields),
                          headers={**FORM_HEADERS, **cookie})


def hidden(html, name):
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    return htmllib.unescape(m.group(1)) if m else ""


def field_value(html, name):
    m = re.search(rf'<input type="text" id="f-{name}" name="{name}"[^>]* value="([^"]*)"', html)
    return htmllib.unescape(m.group(1)) if m else None


def state(pg):
    """Everything a GET must leave alone."""
    return pg.psql("SELECT (SELECT count(*) FROM campaign) || '/' || "
                   "(SELECT count(*) FROM staff_form_once) || '/' || "
                   "(SELECT count(*) FROM audit_log) || '/' || "
                   "(SELECT coalesce(string_agg(title || target_count, ',' ORDER BY id), '') "
                   "FROM campaign)")


def csp_allows_inline(tap, r, what):
    """Every inline <style> and <script> of the page is allowed by hash."""
    csp = r.header("Content-Security-Policy") or ""
    blocks = re.findall(r"<(style|script)>(.*?)</\1>", r.text, re.S)
    ok = bool(blocks) and "unsafe-inline" not in csp
    for _, body in blocks:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        ok = ok and f"'sha256-{digest}'" in csp
    tap.ok(ok and 'src=' not in r.text, f"{what}: inline style and script allowed by hash only, "
           "nothing external")


def round_fields(html, **change):
    fields = {"csrf": hidden(html, "csrf"), "form_key": hidden(html, "form_key"),
              "title": "Họp phụ huynh khối 6", "unit": "79-A-K6", "form": FORM + "@2026",
              "opens_date": "01/01/2026", "opens_time": "07:00",
              "closes_date": "31/12/2099", "closes_time": "17:00", "target": "40",
              "mode": "both", "double_entry": "1"}
    fields.update(change)
    return {k: v for k, v in fields.items() if v is not None}


def main(tap, scratch):
    pg, env = database_with_units(tap, scratch, ORG, {"HAILONG_BASE_URL": "https://ks.example.vn"})
    for login, org, role in (("gv.a", "79-A", "staff"), ("gv.b", "79-B", "staff"),
                             ("xem.a", "79-A", "viewer")):
        out = run_cli(["user", "add", "--org", org, "--role", role, "--login", login],
                      env=env, stdin=PASSWORD + "\n")
        tap.eq(out.returncode, 0, f"account {login} ({role} of {org})")
    edition = pg.psql(f"SELECT edition FROM questionnaire_current WHERE form_id = '{FORM}'")
    server = Server(scratch, pg.conninfo, env={"HAILONG_BASE_URL": "https://ks.example.vn"})

    # Without a session every page sends people to sign in, and signing in
    # leads back: to the page, or to the form whose post found no session.
    for method, path, back in (("GET", "/staff/rounds?state=open", "/staff/rounds?state=open"),
                               ("GET", "/staff/rounds/new", "/staff/rounds/new"),
                               ("POST", "/staff/rounds", "/staff/rounds/new"),
                               ("POST", "/staff/rounds/ABC234/edit", "/staff/rounds/ABC234/edit")):
        r = server.request(method, path, body="title=x" if method == "POST" else None,
                           headers=FORM_HEADERS)
        want = "/login?next=" + urllib.parse.quote(back, safe="/")
        tap.eq((r.status, r.header("Location")), (303, want),
               f"{method} {path} signed out: 303 to sign in, then back to {back}")
    r = server.get("/login?next=%2Fstaff%2Frounds%2Fnew")
    tap.eq(hidden(r.text, "next"), "/staff/rounds/new", "the sign-in page carries where to go next")
    for evil in ("https://evil.example/", "//evil.example/staff", "/staff/../login",
                 "/staffevil", "/staff\r\nSet-Cookie: x=1"):
        r = server.get("/login?next=" + urllib.parse.quote(evil, safe=""))
        tap.ok(r.status == 200 and 'name="next"' not in r.text,
               f"a next of {evil!r} is dropped")

    where = []
    a = sign_in(server, "gv.a", "/staff/rounds/new", where)
    b = sign_in(server, "gv.b", "https://evil.example/", where)
    viewer = sign_in(server, "xem.a", None, where)
    tap.ok(a and b and viewer, "three accounts signed in")
    tap.eq(where, ["/staff/rounds/new", "/staff", "/staff"],
           "signing in leads to the next page asked for, never to another site")

    # No data yet.
    r = server.get("/staff", headers=a)
    tap.ok(r.status == 200 and "Xin chào, gv.a" in r.text and
           "Không có đợt khảo sát nào đang mở" in r.text and
           "Chưa có phiếu trả lời nào trong năm học này" in r.text,
           "dashboard with no round yet: says so, no error", r.text[-1500:])
    csp_allows_inline(tap, r, "dashboard")
    r = server.get("/staff/rounds", headers=a)
    tap.ok(r.status == 200 and "Chưa có đợt khảo sát nào ở đây." in r.text and
           'href="/staff/rounds/new"' in r.text, "round list with no round yet", r.text[-800:])

    # The new-round form, and GET changes nothing.
    before = state(pg)
    r = server.get("/staff/rounds/new", headers=a)
    page = r.text
    tap.ok(r.status == 200 and re.fullmatch(r"[0-9a-f]{32}", hidden(page, "form_key")) and
           hidden(page, "csrf") and '<option value="79-A-K6"' in page and
           f'<option value="{FORM}@{edition}"' in page and '<option value="79-B"' not in page and
           '<label for="f-title">' in page and '<label for="f-opens_date">' in page,
           "GET /staff/rounds/new: a labelled form, units of the caller's school only",
           page[:3000])
    tap.match(field_value(page, "opens_date") or "", r"^\d\d/\d\d/20\d\d$",
              "the opening date is offered as dd/mm/yyyy")
    csp_allows_inline(tap, r, "new-round form")
    for path in ("/staff", "/staff/rounds", "/staff/rounds?state=open", "/staff/rounds/new"):
        server.get(path, headers=a)
    tap.eq(state(pg), before, "GET of every page changes nothing in the database")

    # CSRF.
    fields = round_fields(page, form=f"{FORM}@{edition}")
    for name, change in (("without", {"csrf": None}), ("with a wrong", {"csrf": "0" * 32})):
        r = post(server, "/staff/rounds", a, {**fields, **change} if change["csrf"] else
                 {k: v for k, v in fields.items() if k != "csrf"})
        tap.ok(r.status == 403 and "Phiên làm việc" in r.text, f"POST {name} CSRF token: 403")
    r = post(server, "/staff/rounds", b, fields)
    tap.eq(r.status, 403, "another account's session with this page's CSRF token: 403")
    tap.eq(state(pg), before, "refused posts changed nothing")

    # Bad input: Vietnamese messages, a summary linking to the fields, values kept.
    bad = [({"opens_date": "31/02/2026"}, "opens_date", "không có trên lịch"),
           ({"opens_date": "2026-01-01"}, "opens_date", "ngày/tháng/năm"),
           ({"closes_time": "25:00"}, "closes_time", "giờ:phút"),
           ({"closes_date": "01/01/2025"}, "closes_date", "phải sau thời điểm mở"),
           ({"target": "bốn mươi"}, "target", "số nguyên từ 1"),
           ({"title": "   "}, "title", "Hãy nhập tên"),
           ({"unit": "79-B"}, "unit", "không thuộc phạm vi của bạn"),
           ({"form": "khong-co@1"}, "form", "chưa có trong hệ thống"),
           ({"mode": "paper"}, "mode", "cách phụ huynh nhận phiếu")]
    for change, field, message in bad:
        r = post(server, "/staff/rounds", a, {**fields, **change})
        summary = re.search(r'<div class="err" role="alert" id="loi" tabindex="-1">(.*?)</div>',
                            r.text, re.S)
        link = f'href="#f-{field}' in (summary.group(1) if summary else "")
        kept = field_value(r.text, "title") == fields["title"] or field == "title"
        tap.ok(r.status == 422 and message in r.text and link and kept and
               hidden(r.text, "form_key") == fields["form_key"],
               f"{change}: 422, “{message}”, the summary links to #{field}, typed values kept",
               f"{r.status} {r.text[:2500]}")
    r = post(server, "/staff/rounds", a, {**fields, "opens_date": "31/02/2026",
                                          "title": "<b>Họp</b> & \"x\""})
    tap.ok('value="&lt;b&gt;Họp&lt;/b&gt; &amp; &quot;x&quot;"' in r.text and
           "<b>Họp</b>" not in r.text, "a typed title comes back escaped")
    tap.ok('aria-invalid="true"' in r.text and 'aria-describedby="e-opens_date"' in r.text,
           "the field in error is marked and described for screen readers")
    tap.eq(pg.psql("SELECT count(*) FROM campaign"), "0", "no refused form made a round")

    # Create; the same form again (double click, back + resend): one round.
    r = post(server, "/staff/rounds", a, fields)
    m = re.fullmatch(r"/staff/rounds/([2-9A-HJKMNP-Z]{6})\?saved=new", r.header("Location") or "")
    tap.ok(r.status == 303 and m, "POST /staff/rounds: 303 to the new round's page",
           f"{r.status} {r.header('Location')} {r.text[:1500]}")
    code = m.group(1) if m else "XXXXXX"
    row = pg.psql("SELECT o.code, c.title, to_char(c.opens_at AT TIME ZONE 'Asia/Ho_Chi_Minh', "
                  "'YYYY-MM-DD HH24:MI'), to_char(c.closes_at AT TIME ZONE 'Asia/Ho_Chi_Minh', "
                  "'YYYY-MM-DD HH24:MI'), c.target_count, c.mode, c.paper_double_entry, c.kiosk "
                  "FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id "
                  f"WHERE c.public_code = '{code}'")
    tap.eq(row, "79-A-K6|Họp phụ huynh khối 6|2026-01-01 07:00|2099-12-31 17:00|40|both|t|f",
           "the round holds what was typed (dates read as dd/mm/yyyy, Việt Nam time)")
    again = post(server, "/staff/rounds", a, fields)
    tap.eq((again.status, again.header("Location")), (303, r.header("Location")),
           "the same form sent again: the same round's page")
    key2 = secrets.token_hex(16)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: post(server, "/staff/rounds", a,
                                               {**fields, "form_key": key2, "title": "Đôi"}),
                                range(4)))
    tap.ok(len({x.header("Location") for x in results}) == 1 and
           all(x.status == 303 for x in results), "four posts of one form at once: one answer",
           [(x.status, x.header("Location")) for x in results])
    tap.eq(pg.psql("SELECT count(*) FROM campaign"), "2",
           "two forms, six posts: two rounds")
    tap.eq(pg.psql("SELECT count(*) FROM audit_log WHERE action = 'campaign.create' AND "
                   "actor = 'gv.a'"), "2", "and two audit entries by the account")
    r = server.get(f"/staff/rounds/{code}?saved=new", headers=a)
    tap.ok(r.status == 200 and "Đã tạo đợt khảo sát" in r.text and "data-draft-clear" in r.text and
           f'href="/staff/rounds/{code}/edit"' in r.text,
           "the round's page after saving: says so, clears the browser's draft, links to edit")
    csp_allows_inline(tap, r, "round page after saving")

    # The dashboard and the list with data; numbers with the decimal comma.
    r = server.get("/staff", headers=a)
    tap.ok(r.status == 200 and "Họp phụ huynh khối 6" in r.text and "Phiếu hôm nay" in r.text and
           "0,0 %" in r.text and "Đang mở" in r.text, "dashboard: the open rounds, today's "
           "responses and the response rate with a decimal comma", r.text[:3000])
    r = server.get("/staff/rounds?state=open", headers=a)
    tap.ok(r.status == 200 and code in r.text and 'aria-current="page">Đang mở' in r.text,
           "the list filtered to open rounds")
    tap.ok(code not in server.get("/staff/rounds?state=closed", headers=a).text,
           "the closed filter leaves it out")
    tap.eq(server.get("/staff/rounds?state=bogus", headers=a).status, 404, "an unknown filter: 404")
    tap.eq(server.get("/staff/rounds?page=0", headers=a).status, 404, "page 0: 404")
    for i in range(20):
        post(server, "/staff/rounds", a, {**fields, "form_key": secrets.token_hex(16),
                                          "title": f"Đợt {i:02d}",
                                          "opens_date": f"{i + 1:02d}/02/2026"})
    p1 = server.get("/staff/rounds", headers=a).text
    p2 = server.get("/staff/rounds?page=2", headers=a).text
    tap.ok(p1.count("<li>") == 20 and p2.count("<li>") == 2 and
           'href="/staff/rounds?page=2" rel="next"' in p1 and 'rel="prev"' in p2 and
           "22 đợt khảo sát" in p1, "22 rounds: pages of 20, with links between them")
    tap.ok("Không còn" in server.get("/staff/rounds?page=9", headers=a).text,
           "a page past the end says so")

    # Another school's account and a viewer.
    tap.ok(code not in server.get("/staff/rounds", headers=b).text and
           code not in server.get("/staff", headers=b).text,
           "another school's account does not see the round in its list or dashboard")
    tap.eq(server.get(f"/staff/rounds/{code}/edit", headers=b).status, 404,
           "another school's account: GET …/edit is 404")
    before = state(pg)
    r = server.get(f"/staff/rounds/{code}/edit", headers=a)
    edit = r.text
    b_csrf = hidden(server.get("/staff/rounds/new", headers=b).text, "csrf")
    r = post(server, f"/staff/rounds/{code}/edit", b, {**round_fields(edit, title="Chiếm"),
                                                       "csrf": b_csrf})
    tap.eq(r.status, 404, "another school's account: POST …/edit is 404")
    r = server.get("/staff/rounds/new", headers=viewer)
    tap.ok(r.status == 403 and "Không có quyền" in r.text, "a viewer: no new-round form, a "
           "Vietnamese page saying why")
    v_csrf = hidden(server.get("/staff", headers=viewer).text, "csrf")
    r = post(server, "/staff/rounds", viewer, {**fields, "csrf": v_csrf,
                                               "form_key": secrets.token_hex(16)})
    tap.eq(r.status, 403, "a viewer cannot create a round")
    r = server.get("/staff/rounds", headers=viewer)
    tap.ok(r.status == 200 and "22 đợt khảo sát" in r.text and "/staff/rounds/new" not in r.text,
           "a viewer sees the list without the create link")
    tap.eq(state(pg), before, "refused requests changed nothing")

    # Edit.
    tap.ok(field_value(edit, "title") == "Họp phụ huynh khối 6" and
           field_value(edit, "opens_date") == "01/01/2026" and
           field_value(edit, "closes_time") == "17:00" and field_value(edit, "target") == "40" and
           'value="both" checked' in edit and "Khối 6 (79-A-K6)" in edit and
           "form_key" not in edit, "GET …/edit shows the round's values, dates as dd/mm/yyyy")
    # Opening today puts the round in this school year's report (below).
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7)))
    today_iso = now.strftime("%Y-%m-%d")
    changes = round_fields(edit, title="Họp khối 6 (sửa)", target="45", closes_date="30/06/2099",
                           opens_date=now.strftime("%d/%m/%Y"), opens_time="00:00",
                           double_entry=None, unit=None, form=f"{FORM}@{edition}")
    r = post(server, f"/staff/rounds/{code}/edit", a, {**changes, "target": "0"})
    tap.ok(r.status == 422 and "số nguyên từ 1" in r.text and
           field_value(r.text, "title") == "Họp khối 6 (sửa)",
           "a bad target: 422, the message, the typed title kept")
    r = post(server, f"/staff/rounds/{code}/edit", a, {k: v for k, v in changes.items()
                                                      if k != "csrf"})
    tap.eq(r.status, 403, "edit without the CSRF token: 403")
    r = post(server, f"/staff/rounds/{code}/edit", a, changes)
    tap.eq((r.status, r.header("Location")), (303, f"/staff/rounds/{code}?saved=edit"),
           "POST …/edit: 303 to the round's page")
    tap.eq(pg.psql("SELECT title || '|' || target_count || '|' || paper_double_entry || '|' || "
                   "to_char(opens_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI') || '|' || "
                   "to_char(closes_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI') "
                   f"FROM campaign WHERE public_code = '{code}'"),
           f"Họp khối 6 (sửa)|45|false|{today_iso} 00:00|2099-06-30 17:00", "the change is stored")
    r = post(server, f"/staff/rounds/{code}/edit", a, changes)
    tap.eq(r.status, 303, "the same edit sent twice: the same result")
    tap.eq(server.get("/staff/rounds/ZZZZZZ/edit", headers=a).status, 404, "an unknown round: 404")

    # A response locks the questionnaire; criteria below target reach the dashboard.
    for _ in range(6):
        s = server.get(f"/s/{code}")
        body = {"t": form_token(s.text)}
        for name, values in form_fields(s.text).items():
            choices = [v for v in values if v != "x"]
            if choices:
                body[name] = min(choices, key=int)
        server.request("POST", f"/s/{code}", body=urllib.parse.urlencode(body),
                       headers=FORM_HEADERS)
    tap.eq(pg.psql(f"SELECT count(*) FROM response r JOIN campaign c ON c.id = r.campaign_id "
                   f"WHERE c.public_code = '{code}'"), "6", "six parents answered, all unhappy")
    edit = server.get(f"/staff/rounds/{code}/edit", headers=a).text
    tap.ok("Không đổi được vì đợt đã có phiếu trả lời" in edit and 'name="form"' not in edit,
           "with responses the questionnaire is shown, not offered")
    r = post(server, f"/staff/rounds/{code}/edit", a, {**round_fields(edit, unit=None,
                                                                       form="hop-phu-huynh@x")})
    tap.ok(r.status in (409, 422) and 'href="#f-form' in r.text,
           "forcing another questionnaire is refused next to the field")
    tap.eq(run_cli(["aggregate"], env=env).returncode, 0, "aggregation job")
    r = server.get("/staff", headers=a)
    section = r.text.split("Tiêu chí dưới mục tiêu", 1)[-1]
    tap.ok(r.status == 200 and "Hài lòng 0,0 %, mục tiêu" in section,
           "dashboard: criteria below target from the report, with decimal commas",
           section[:2000])

    # A clean stop: under ASan/UBSan a leak or a runtime error shows here.
    server.signal(signal.SIGTERM)
    tap.eq(server.wait(), 0, "the server stops cleanly")
    log = server.log_text()
    tap.ok(not re.search(r"Sanitizer|runtime error", log), "no sanitizer report",
           "\n".join(l for l in log.splitlines() if "Sanitizer" in l or "runtime error" in l)[:3000])


if __name__ == "__main__":
    run_tests(main)
