"""The admins' pages: /staff/accounts, /staff/tokens, /staff/audit.

For each route: refused without the CSRF token, GET never changes anything,
non-admins get a Vietnamese 403 page, another school's admin can neither see
nor touch these accounts and tokens, every change is audited once (a second
click changes nothing more), a token made on the page works against
/api/v1/me until it is revoked and its secret is shown exactly once, and
everything users typed is escaped."""
import hashlib
import re
import secrets
import signal
import time
import urllib.parse

from harness import Server, database_with_units, run_cli, run_tests

ORG = ("code,name,kind,parent_code,school_level\n"
       "79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n"
       "79-A,<script>alert('A')</script> Trường A,school,79-X,thcs\n"
       "79-B,Trường B,school,79-X,thcs\n")
PASSWORD = "mật khẩu đủ dài 123"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TOKEN_RE = re.compile(r"hl_[A-Za-z0-9_-]{43}")


class Browser:
    """One signed-in staff member: the session cookie and its CSRF token.
    Sessions are made in the database (as POST /login makes them): sign-in
    attempts are limited to ten a minute per address, and the password
    checks themselves are exercised by sign_in below."""

    def __init__(self, server, pg, login):
        self.server = server
        token = secrets.token_urlsafe(32)
        self.csrf = secrets.token_hex(16)
        digest = hashlib.sha256(token.encode()).hexdigest()
        pg.psql("INSERT INTO staff_session (token_hash, account_id, csrf, expires_at)"
                f" SELECT '{digest}', id, '{self.csrf}', now() + interval '1 hour'"
                f" FROM account WHERE login = '{login}'")
        self.cookie = {"Cookie": f"hl_session={token}"}

    def get(self, path):
        return self.server.get(path, headers=self.cookie)

    def post(self, path, fields, csrf=True):
        fields = dict(fields)
        if csrf and "csrf" not in fields:
            fields["csrf"] = self.csrf
        return self.server.request("POST", path, body=urllib.parse.urlencode(fields),
                                   headers={**self.cookie, **FORM}, timeout=30)


def sign_in(server, login, password=PASSWORD, next_page=None, full=False):
    """Signs in through the page; returns the status (303 when it worked),
    or the whole response."""
    page = server.get("/login").text
    nonce = re.search(r'name="f" value="([^"]+)"', page).group(1)
    fields = {"f": nonce, "login": login, "password": password}
    if next_page is not None:
        fields["next"] = next_page
    r = server.request("POST", "/login", body=urllib.parse.urlencode(fields), headers=FORM,
                       timeout=30)
    return r if full else r.status


def add_user(env, unit, role, login):
    return run_cli(["user", "add", "--org", unit, "--role", role, "--login", login],
                   env=env, stdin=PASSWORD + "\n").returncode


def counts(pg):
    return pg.psql("SELECT (SELECT count(*) FROM account), (SELECT count(*) FROM api_token),"
                   " (SELECT count(*) FROM audit_log WHERE action NOT LIKE 'session.%'),"
                   " (SELECT count(*) FROM account WHERE disabled_at IS NOT NULL),"
                   " (SELECT count(*) FROM api_token WHERE revoked_at IS NOT NULL),"
                   " (SELECT string_agg(password_hash, ',' ORDER BY id) FROM account)")


def audit_count(pg, action, actor=None):
    where = f"action = '{action}'" + (f" AND actor = '{actor}'" if actor else "")
    return int(pg.psql(f"SELECT count(*) FROM audit_log WHERE {where}"))


def nonce_of(html):
    m = re.search(r'name="nonce" value="([0-9a-f]{32})"', html)
    return m.group(1) if m else ""


def main(tap, scratch):
    pg, env = database_with_units(tap, scratch, ORG)
    for unit, role, login in (("79-A", "admin", "a.admin"), ("79-A", "staff", "a.staff"),
                              ("79-B", "admin", "b.admin"), ("79", "admin", "so.admin")):
        tap.eq(add_user(env, unit, role, login), 0, f"account {login} ({role} of {unit})")
    server = Server(scratch, pg.conninfo)
    admin = Browser(server, pg, "a.admin")
    staff = Browser(server, pg, "a.staff")
    other = Browser(server, pg, "b.admin")
    so = Browser(server, pg, "so.admin")
    tap.eq(admin.get("/api/v1/me").status, 200, "sessions signed in")

    pages = ["/staff/accounts", "/staff/tokens", "/staff/audit"]
    # Without a session: the sign-in page; not an admin: a Vietnamese 403.
    for p in pages:
        r = server.get(p)
        tap.eq((r.status, r.header("Location")), (303, f"/login?next={p}"),
               f"GET {p} signed out: sign in, then back here")
        r = staff.get(p)
        tap.ok(r.status == 403 and "text/html" in (r.header("Content-Type") or "") and
               "Không có quyền" in r.text and "quản trị" in r.text,
               f"GET {p} as staff: 403 with a Vietnamese page", (r.status, r.text[:300]))
    for p, fields in (("/staff/accounts", {"login": "x.staff", "role": "viewer", "unit": "79-A",
                                           "password": PASSWORD}),
                      ("/staff/accounts/a.staff/disable", {}),
                      ("/staff/accounts/a.staff/password", {"password": PASSWORD + "x"}),
                      ("/staff/tokens", {"name": "x", "role": "viewer", "unit": "79-A",
                                         "nonce": "0" * 32}),
                      ("/staff/tokens/1/revoke", {})):
        r = staff.post(p, fields)
        tap.eq(r.status, 403, f"POST {p} as staff: 403")

    # The accounts page: the caller's subtree only, with the security headers.
    before = counts(pg)
    r = admin.get("/staff/accounts")
    tap.ok(r.status == 200 and "a.staff" in r.text and "a.admin" in r.text and
           "b.admin" not in r.text and "so.admin" not in r.text,
           "school A's admin sees school A's accounts and no one else's")
    tap.ok("script-src 'sha256-" in (r.header("Content-Security-Policy") or "") and
           "default-src 'none'" in (r.header("Content-Security-Policy") or ""),
           "the page comes with the strict Content-Security-Policy")
    tap.ok("<script>alert('A')" not in r.text and "&lt;script&gt;alert(" in r.text,
           "a unit name with <script> is escaped")
    tap.ok(r.text.count('<label for="tk-') >= 4 and 'lang="vi"' in r.text,
           "the new-account form has a label for each field")
    r = so.get("/staff/accounts")
    tap.ok(all(x in r.text for x in ("a.admin", "a.staff", "b.admin", "so.admin")),
           "the Department's admin sees every account below it")
    tap.ok("/staff/accounts" in admin.get("/staff").text and
           "/staff/accounts" not in staff.get("/staff").text,
           "the staff start page links to the admin pages for admins only")
    for p in pages + ["/staff/audit?actor=a.admin&from=01/01/2026&to=31/12/2099",
                      "/staff/accounts?created=a.staff", "/staff/tokens?revoked=1"]:
        admin.get(p)
        so.get(p)
    for p in ("/staff/accounts/a.staff/disable", "/staff/tokens/1/revoke"):
        tap.ok(admin.get(p).status in (404, 405), f"GET {p}: not a route")
    tap.eq(counts(pg), before, "GET requests changed nothing")

    # CSRF: a missing or wrong token changes nothing.
    new = {"login": "gv.moi", "role": "staff", "unit": "79-A", "password": PASSWORD}
    for name, extra in (("no CSRF token", {}), ("a wrong CSRF token", {"csrf": "0" * 32})):
        for p, fields in (("/staff/accounts", new), ("/staff/accounts/a.staff/disable", {}),
                          ("/staff/accounts/a.staff/password", {"password": PASSWORD + "x"}),
                          ("/staff/tokens", {"name": "x", "role": "viewer", "unit": "79-A",
                                             "nonce": "0" * 32}),
                          ("/staff/tokens/1/revoke", {})):
            r = admin.post(p, {**fields, **extra}, csrf=False)
            tap.ok(r.status == 403 and "Phiên làm việc" in r.text,
                   f"POST {p} with {name}: 403 page", r.status)
    tap.eq(counts(pg), before, "refused forms changed nothing")

    # A new account.
    r = admin.post("/staff/accounts", new)
    tap.eq((r.status, r.header("Location")), (303, "/staff/accounts?created=gv.moi"),
           "a new account: 303 back to the list")
    tap.eq(pg.psql("SELECT a.role || ' ' || o.code FROM account a JOIN org_unit o"
                   " ON o.id = a.org_unit_id WHERE login = 'gv.moi'"), "staff 79-A",
           "the account is made with its role and unit")
    tap.eq(audit_count(pg, "account.create", "a.admin"), 1, "and audited with the admin as actor")
    r = admin.get(r.header("Location"))
    tap.ok("Đã tạo tài khoản gv.moi." in r.text and "data-draft-clear" in r.text,
           "the list says so")
    tap.eq(sign_in(server, "gv.moi"), 303, "the new account can sign in")
    r = admin.post("/staff/accounts", new)
    tap.eq((r.status, r.header("Location")), (303, "/staff/accounts?created=gv.moi"),
           "the same form sent again at once (a double click): the same answer")
    r = so.post("/staff/accounts", new)
    tap.ok(r.status == 409 and "đã có người dùng" in r.text and 'value="gv.moi"' in r.text,
           "someone else taking the same login: 409, with the form kept", r.status)
    r = admin.post("/staff/accounts", {**new, "role": "viewer"})
    tap.eq(r.status, 409, "the same login with another role: 409")
    tap.eq(audit_count(pg, "account.create", "a.admin"), 1, "nothing more made or logged")
    r = admin.post("/staff/accounts", {**new, "login": "gv.b", "unit": "79-B"})
    tap.ok(r.status == 409 and "phạm vi" in r.text and 'id="loi"' in r.text,
           "a unit outside the subtree: refused with an error summary", r.status)
    r = admin.post("/staff/accounts", {**new, "login": "gv.so", "unit": "79"})
    tap.eq(r.status, 409, "the parent unit is outside the subtree too")
    tap.eq(pg.psql("SELECT count(*) FROM account WHERE login IN ('gv.b', 'gv.so')"), "0",
           "no account made outside the subtree")
    r = admin.post("/staff/accounts", {**new, "login": "<script>x</script>", "password": "ngắn"})
    tap.ok(r.status == 422 and "<script>x</script>" not in r.text and
           "&lt;script&gt;x&lt;/script&gt;" in r.text and "ít nhất 10 ký tự" in r.text and
           'aria-invalid="true"' in r.text,
           "a bad login and a short password: 422, both explained, the login escaped")
    r = admin.post("/staff/accounts", {**new, "login": "gv.vaitro", "role": "owner"})
    tap.eq(r.status, 422, "an unknown role is refused")
    r = admin.post("/staff/accounts", {**new, "login": "GV.Hoa"})
    tap.eq((r.status, pg.psql("SELECT count(*) FROM account WHERE login = 'gv.hoa'")),
           (303, "1"), "a login typed in capitals is stored in lower case, as sign-in reads it")

    # Disable and enable: once each in the log however often it is clicked.
    moi = Browser(server, pg, "gv.moi")
    for _ in range(2):
        r = admin.post("/staff/accounts/gv.moi/disable", {})
        tap.eq((r.status, r.header("Location")), (303, "/staff/accounts?disabled=gv.moi"),
               "disable: 303 back to the list")
    tap.eq(audit_count(pg, "account.disable", "a.admin"), 1, "two clicks, one audit entry")
    tap.eq(moi.get("/staff").status, 303, "a disabled account's session has ended")
    tap.eq(sign_in(server, "gv.moi"), 401, "and it cannot sign in")
    tap.ok("Đã khóa" in admin.get("/staff/accounts").text, "the list shows it disabled")
    r = admin.post("/staff/accounts/gv.moi/enable", {})
    tap.eq(r.status, 303, "enable: 303")
    tap.eq(audit_count(pg, "account.enable", "a.admin"), 1, "audited")
    tap.eq(sign_in(server, "gv.moi"), 303, "it can sign in again")
    r = admin.post("/staff/accounts/a.admin/disable", {})
    tap.ok(r.status == 409 and "tự khóa" in r.text, "an admin cannot disable themself")

    # Another school's admin can neither see nor touch these accounts.
    r = other.get("/staff/accounts")
    tap.ok(r.status == 200 and "gv.moi" not in r.text and "a.staff" not in r.text,
           "school B's admin does not see school A's accounts")
    snapshot = counts(pg)
    for p, fields in (("/staff/accounts/a.staff/disable", {}),
                      ("/staff/accounts/a.staff/enable", {}),
                      ("/staff/accounts/a.staff/password", {"password": "mật khẩu của B 123"})):
        r = other.post(p, fields)
        tap.ok(r.status == 404 and "Không tìm thấy" in r.text, f"school B: POST {p} is 404",
               r.status)
    r = other.post("/staff/accounts", {**new, "login": "gv.tu-b", "unit": "79-A"})
    tap.eq(r.status, 409, "school B cannot make an account in school A")
    tap.eq(counts(pg), snapshot, "school B changed nothing of school A")
    tap.eq(other.post("/staff/accounts/khong-co/disable", {}).status, 404,
           "an unknown account: 404 as well")

    # Password reset: the old password stops working, sessions end.
    moi = Browser(server, pg, "gv.moi")
    r = admin.post("/staff/accounts/gv.moi/password", {"password": "ngắn"})
    tap.ok(r.status == 422 and 'id="mk-gv.moi"' in r.text and "<details open>" in r.text,
           "a short new password: 422, the reset form shown open with the error")
    r = admin.post("/staff/accounts/gv.moi/password", {"password": "mật khẩu mới 4567"})
    tap.eq((r.status, r.header("Location")), (303, "/staff/accounts?password=gv.moi"),
           "a new password: 303")
    tap.eq(audit_count(pg, "account.password", "a.admin"), 1, "audited")
    tap.eq(moi.get("/staff").status, 303, "the account's sessions have ended")
    tap.eq(sign_in(server, "gv.moi"), 401, "the old password no longer works")
    tap.eq(sign_in(server, "gv.moi", "mật khẩu mới 4567"), 303, "the new one does")
    tap.ok("mật khẩu mới 4567" not in server.log_text() and
           "mật khẩu mới 4567" not in pg.psql("SELECT string_agg(detail::text, ' ') FROM audit_log"),
           "the password is neither logged nor audited")

    # Tokens: made on the page, shown once, working until revoked.
    r = admin.get("/staff/tokens")
    nonce = nonce_of(r.text)
    tap.ok(r.status == 200 and nonce, "the tokens page has a create form with a one-time value")
    fields = {"name": "<script>alert(1)</script> Cổng trường", "role": "viewer", "unit": "79-A",
              "nonce": nonce}
    r = admin.post("/staff/tokens", fields)
    secrets = TOKEN_RE.findall(r.text)
    tap.ok(r.status == 200 and len(secrets) == 1, "creating a token shows its secret once",
           (r.status, len(secrets)))
    secret = secrets[0] if secrets else "none"
    tap.ok("<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)" in r.text,
           "the token's name is escaped")
    r2 = admin.post("/staff/tokens", fields)
    tap.ok(r2.status == 200 and TOKEN_RE.findall(r2.text) == [secret],
           "the same form sent again at once (a double click) names the same token")
    tap.eq(pg.psql("SELECT count(*) FROM api_token"), "1", "one token made, not two")
    tap.eq(audit_count(pg, "token.create", "a.admin"), 1, "audited once, with the admin as actor")
    bearer = {"Authorization": f"Bearer {secret}"}
    r = server.get("/api/v1/me", headers=bearer)
    tap.ok(r.status == 200 and r.json()["role"] == "viewer" and
           r.json()["unit"]["code"] == "79-A", "the token works against /api/v1/me", r.status)
    listing = admin.get("/staff/tokens").text
    audit = admin.get("/staff/audit").text
    tap.ok(secret not in listing and secret not in audit and
           secret not in server.log_text() and
           secret not in pg.psql("SELECT string_agg(t.token_hash || l.detail::text, ' ')"
                                 " FROM api_token t, audit_log l"),
           "the secret is in no list, log, audit entry or table")
    tap.ok("&lt;script&gt;alert(1)" in listing and "<script>alert(1)" not in listing,
           "the list escapes the name")
    tap.ok(re.search(r"dùng lần cuối \d\d/\d\d/\d{4} \d\d:\d\d", listing),
           "the list says when the token was last used (dd/mm/yyyy)")
    r = admin.post("/staff/tokens", {**fields, "nonce": nonce_of(listing), "unit": "79-B"})
    tap.ok(r.status == 422 and "phạm vi" in r.text and not TOKEN_RE.search(r.text),
           "a token for a unit outside the subtree: refused, no secret")
    r = admin.post("/staff/tokens", {**fields, "nonce": nonce_of(listing), "role": "root"})
    tap.eq(r.status, 422, "a token with an unknown role: refused")
    r = admin.post("/staff/tokens", {**fields, "nonce": "forged"})
    tap.eq(r.status, 400, "a create form without a well-formed one-time value: 400")
    tap.eq(pg.psql("SELECT count(*) FROM api_token"), "1", "still one token")

    token_id = pg.psql("SELECT id FROM api_token")
    tap.ok(f"/staff/tokens/{token_id}/revoke" not in other.get("/staff/tokens").text and
           "Cổng trường" not in other.get("/staff/tokens").text,
           "school B's admin does not see school A's token")
    r = other.post(f"/staff/tokens/{token_id}/revoke", {})
    tap.eq(r.status, 404, "school B cannot revoke it")
    tap.eq(server.get("/api/v1/me", headers=bearer).status, 200, "it still works")
    for _ in range(2):
        r = admin.post(f"/staff/tokens/{token_id}/revoke", {})
        tap.eq((r.status, r.header("Location")), (303, f"/staff/tokens?revoked={token_id}"),
               "revoke: 303 back to the list")
    tap.eq(audit_count(pg, "token.revoke", "a.admin"), 1, "two clicks, one audit entry")
    tap.eq(server.get("/api/v1/me", headers=bearer).status, 401,
           "after revoking, the token no longer works")
    r = admin.post("/staff/tokens", fields)
    tap.ok(r.status == 409 and secret not in r.text,
           "the revoked token's form cannot show its secret again", r.status)
    tap.ok("Đã thu hồi" in admin.get("/staff/tokens").text, "the list shows it revoked")

    # The audit log page: the subtree, filters, paging.
    r = admin.get("/staff/audit")
    tap.ok(r.status == 200 and "Tạo tài khoản" in r.text and "Thu hồi khóa API" in r.text and
           re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", r.text),
           "the audit page lists the changes, with dd/mm/yyyy times")
    r = other.get("/staff/audit")
    tap.ok("gv.moi" not in r.text and "a.admin" not in r.text,
           "school B's admin does not see school A's entries")
    tap.ok("gv.moi" in so.get("/staff/audit").text, "the Department's admin does")
    r = admin.get("/staff/audit?action=token")
    tap.ok("Tạo khóa API" in r.text and "Tạo tài khoản" not in r.text,
           "filter by action")
    r = admin.get("/staff/audit?actor=gv.moi")
    tap.ok("session.login" in r.text and "account.create" not in r.text, "filter by actor")
    today = time.strftime("%d/%m/%Y", time.gmtime(time.time() + 7 * 3600))
    r = admin.get(f"/staff/audit?from={today}&to={today}")
    tap.ok(r.status == 200 and "Tạo tài khoản" in r.text, "filter by today's date")
    r = admin.get("/staff/audit?from=01/01/2001&to=02/01/2001")
    tap.ok(r.status == 200 and "Không có mục nào" in r.text, "a range with nothing in it")
    r = admin.get("/staff/audit?from=31/02/2026&to=%3Cb%3Ex")
    tap.ok(r.status == 422 and "dd/mm/yyyy" in r.text and "<b>x" not in r.text and
           "&lt;b&gt;x" in r.text,
           "an impossible date: 422 with the rule, what was typed escaped", r.status)
    pg.psql("INSERT INTO audit_log (actor, org_unit_id, action)"
            " SELECT 'bot', (SELECT id FROM org_unit WHERE code = '79-A'), 'test.fill'"
            " FROM generate_series(1, 60)")
    r = admin.get("/staff/audit")
    m = re.search(r'href="(/staff/audit\?before=\d+)"', r.text)
    tap.ok(m and r.text.count("class=\"k\">test.fill<") == 50, "50 entries a page, with a link to older ones")
    r = admin.get(m.group(1) if m else "/staff/audit")
    tap.ok("test.fill" in r.text and "Tạo tài khoản" in r.text, "the next page goes on")
    r = admin.get("/staff/audit?action=test&actor=bot")
    m = re.search(r'href="(/staff/audit\?before=[^"]+)"', r.text)
    tap.ok(m and "actor=bot" in m.group(1) and "action=test" in m.group(1),
           "the next-page link keeps the filters")
    r = server.get("/api/v1/audit?limit=5", headers=admin.cookie)
    tap.ok(r.status == 200 and len(r.json()["items"]) == 5, "the JSON audit endpoint still works")

    # An expired session mid-form: the POST goes to the sign-in page and
    # changes nothing (the page's script keeps what was typed).
    pg.psql("UPDATE staff_session SET expires_at = now() - interval '1 second'"
            " WHERE account_id = (SELECT id FROM account WHERE login = 'a.admin')")
    snapshot = counts(pg)
    r = admin.post("/staff/accounts", {**new, "login": "gv.het-han"})
    tap.eq((r.status, r.header("Location")), (303, "/login?next=/staff/accounts"),
           "a form sent after the session expired: to the sign-in page, then back to its page")
    r = admin.post("/staff/accounts/gv.moi/disable", {})
    tap.eq(r.header("Location"), "/login?next=/staff/accounts",
           "a button's form: back to the list it is on")
    r = admin.post(f"/staff/tokens/{token_id}/revoke", {})
    tap.eq(r.header("Location"), "/login?next=/staff/tokens", "likewise for tokens")
    tap.eq(counts(pg), snapshot, "and nothing was changed")
    r = admin.get("/staff/audit?from=01/09/2026&actor=a.admin")
    tap.eq(r.header("Location"), "/login?next=/staff/audit%3Ffrom%3D01/09/2026%26actor%3Da.admin",
           "a page with a query: back to it, query and all")
    r = server.get("/login?" + urllib.parse.urlencode({"next": "/staff/audit?from=01/09/2026"}))
    tap.ok('name="next" value="/staff/audit?from=01/09/2026"' in r.text,
           "the sign-in page carries where to go next")
    r = sign_in(server, "a.admin", next_page="/staff/audit?from=01/09/2026", full=True)
    tap.eq((r.status, r.header("Location")), (303, "/staff/audit?from=01/09/2026"),
           "signing in leads back to that page")
    for bad in ("//evil.example/staff", "https://evil.example/", "/staff//evil.example",
                "/staffevil", "/login"):
        r = server.get("/login?" + urllib.parse.urlencode({"next": bad}))
        tap.ok('name="next"' not in r.text, f"next={bad} is not carried (no open redirect)")
    r = sign_in(server, "a.admin", next_page="//evil.example", full=True)
    tap.eq(r.header("Location"), "/staff", "a foreign next leads to the start page")

    # A clean stop: under ASan, LeakSanitizer reports anything these pages
    # left behind as a non-zero exit.
    server.signal(signal.SIGTERM)
    rc = server.wait(60)
    tap.ok(rc == 0, f"the server stops cleanly (exit {rc})", server.log_text()[-3000:])


run_tests(main)
