"""Staff sign-in: sessions in HttpOnly cookies, CSRF on sign-out, the same
answer for a wrong password and an unknown login, limits on attempts, and
password checks that never stall the event loop."""
import http.client
import re
import threading
import time
import urllib.parse

from harness import UNDER_VALGRIND, VALGRIND, Postgres, Server, in_thread, run_cli, run_tests

ORG = ("code,name,kind,parent_code,school_level\n79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n79-A,Trường A,school,79-X,thcs\n"
       "79-B,Trường B,school,79-X,thcs\n")
PASSWORD = "mật khẩu đủ dài 123"


def form_nonce(html):
    m = re.search(r'name="f" value="([^"]+)"', html)
    return m.group(1) if m else ""


def sign_in(server, login, password, nonce=None):
    if nonce is None:
        nonce = form_nonce(server.get("/login").text)
    return server.request("POST", "/login",
                          body=urllib.parse.urlencode({"f": nonce, "login": login,
                                                       "password": password}),
                          headers={"Content-Type": "application/x-www-form-urlencoded"},
                          timeout=30)


def cookie_of(response):
    header = response.header("Set-Cookie") or ""
    m = re.match(r"hl_session=([A-Za-z0-9_-]{43});", header)
    return (m.group(1) if m else None), header


def main(tap, scratch):
    pg = Postgres(scratch)
    env = {"DATABASE_URL": pg.conninfo}
    run_cli(["migrate"], env=env)
    path = f"{scratch.path}/org.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(ORG)
    run_cli(["org", "import", path], env=env)
    out = run_cli(["user", "add", "--org", "79-A", "--role", "staff", "--login", "cb.truong-a"],
                  env=env, stdin=PASSWORD + "\n")
    tap.eq(out.returncode, 0, "an account to sign in with")
    server = Server(scratch, pg.conninfo)

    r = server.get("/login")
    tap.ok(r.status == 200 and "Đăng nhập" in r.text and form_nonce(r.text),
           "GET /login: a Vietnamese sign-in form with a signed form token")
    r = server.get("/staff")
    tap.eq((r.status, r.header("Location")), (303, "/login"), "a staff page without a session "
           "sends to the sign-in page")
    r = server.get("/api/v1/me")
    tap.eq(r.status, 401, "the API without credentials: 401")

    wrong = sign_in(server, "cb.truong-a", "sai mật khẩu rồi")
    unknown = sign_in(server, "khong-ton-tai", "sai mật khẩu rồi")
    tap.ok(wrong.status == unknown.status == 401 and
           "Tên đăng nhập hoặc mật khẩu không đúng." in wrong.text and
           "Tên đăng nhập hoặc mật khẩu không đúng." in unknown.text,
           "a wrong password and an unknown login get the same answer")
    tap.ok(cookie_of(wrong)[0] is None, "a failed sign-in sets no session")
    tap.eq(sign_in(server, "cb.truong-a", PASSWORD, nonce="forged").status, 400,
           "a sign-in without our form token: 400")
    r = sign_in(server, "<script>alert(1)</script>", "x")
    tap.ok(r.status == 401 and "<script>alert(1)" not in r.text, "HTML in a login name is "
           "escaped when the form comes back")

    # Password checks run off the loop: the server answers while they run.
    slow = [in_thread(sign_in, server, "cb.truong-a", "sai mật khẩu rồi") for _ in range(2)]
    time.sleep(0.02)
    start = time.monotonic()
    health = server.get("/healthz")
    took = time.monotonic() - start
    for t, _ in slow:
        t.join(30)
    tap.ok(health.status == 200 and all(h and h[0].status == 401 for _, h in slow),
           f"while two password checks run, /healthz answers ({took * 1000:.0f} ms)")

    r = sign_in(server, "CB.Truong-A", PASSWORD)
    token, header = cookie_of(r)
    tap.ok(r.status == 303 and r.header("Location") == "/staff" and token,
           "the right password: 303 to /staff with a session cookie (login case-insensitive)",
           (r.status, header))
    tap.ok("HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header,
           "the cookie is HttpOnly and SameSite=Lax (Secure only over https)", header)
    tap.ok(token not in pg.psql("SELECT string_agg(token_hash, ',') FROM staff_session"),
           "only the session token's hash is stored")
    cookie = {"Cookie": f"hl_session={token}"}
    r = server.get("/staff", headers=cookie)
    tap.ok(r.status == 200 and "Xin chào, cb.truong-a" in r.text, "the session opens /staff")
    csrf = re.search(r'name="csrf" value="([0-9a-f]{32})"', r.text)
    tap.ok(csrf, "staff pages carry the session's CSRF token")
    r = server.get("/api/v1/me", headers=cookie)
    tap.ok(r.status == 200 and r.json()["role"] == "staff" and r.json()["unit"]["code"] == "79-A"
           and r.json()["kind"] == "session" and r.json()["login"] == "cb.truong-a",
           "the session identifies the caller to the API too")
    tap.eq(server.get("/api/v1/units/79-B", headers=cookie).status, 404,
           "a school-A account gets 404 for school B's unit")
    tap.eq(server.get("/api/v1/units/79-A", headers=cookie).status, 200,
           "and 200 for its own")
    tap.eq(server.get("/api/v1/audit", headers=cookie).status, 403,
           "a staff account may not read the audit log (admins only)")
    tap.eq(pg.psql("SELECT action FROM audit_log WHERE action = 'session.login'"),
           "session.login", "sign-ins are audited")

    for name, body in (("no CSRF token", ""), ("a wrong CSRF token", "csrf=" + "0" * 32)):
        r = server.request("POST", "/logout", body=body, headers={
            **cookie, "Content-Type": "application/x-www-form-urlencoded"})
        tap.eq(r.status, 403, f"sign-out with {name}: 403")
    tap.eq(server.get("/staff", headers=cookie).status, 200, "the session survived those")
    r = server.request("POST", "/logout", body="csrf=" + (csrf.group(1) if csrf else ""),
                       headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    tap.ok(r.status == 303 and "Max-Age=0" in (r.header("Set-Cookie") or ""),
           "sign-out with the CSRF token: 303 and the cookie cleared")
    time.sleep(0.3)
    r = server.get("/staff", headers=cookie)
    tap.eq((r.status, r.header("Location")), (303, "/login"), "the old session no longer works")
    tap.eq(server.get("/staff", headers={"Cookie": "hl_session=not-a-token"}).status, 303,
           "a malformed session cookie: back to sign-in")
    pg.psql("UPDATE staff_session SET expires_at = now() - interval '1 second'")
    r2 = sign_in(server, "cb.truong-a", PASSWORD)
    t2, _ = cookie_of(r2)
    pg.psql("UPDATE staff_session SET expires_at = now() - interval '1 second'")
    tap.eq(server.get("/staff", headers={"Cookie": f"hl_session={t2}"}).status, 303,
           "an expired session: back to sign-in")

    statuses = [sign_in(server, "cb.truong-a", "sai mật khẩu rồi").status for _ in range(10)]
    if VALGRIND:
        # Ten slow password checks take longer than the limit's window.
        tap.skip("repeated failed sign-ins are limited", UNDER_VALGRIND)
    else:
        tap.ok(429 in statuses, f"repeated failed sign-ins are limited: {statuses}")


run_tests(main)
