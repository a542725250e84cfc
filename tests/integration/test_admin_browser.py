"""The admins' pages in a real headless Chromium at 360×640
(tests/browser/admin.mjs): no sideways scrolling, no console errors, a form
that survives an expired session, a double click that makes one account.
Screenshots go to HAILONG_BUILD_ROOT/screenshots."""
import hashlib
import os
import secrets

from harness import Server, database_with_units, ensure_playwright, run_cli, run_node_tap, run_tests

ORG = ("code,name,kind,parent_code,school_level\n"
       "79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n"
       "79-A,Trường Trung học cơ sở Nguyễn Văn Trỗi (một tên rất dài),school,79-X,thcs\n")
PASSWORD = "mật khẩu đủ dài 123"


def main(tap, scratch):
    ensure_playwright(tap)
    pg, env = database_with_units(tap, scratch, ORG)
    for role, login in (("admin", "hieu-truong.nguyen-van-a"), ("staff", "giao-vien.tran-thi-b"),
                        ("viewer", "ke-toan")):
        out = run_cli(["user", "add", "--org", "79-A", "--role", role, "--login", login],
                      env=env, stdin=PASSWORD + "\n")
        tap.eq(out.returncode, 0, f"account {login}")
    run_cli(["token", "create", "--org", "79-A", "--role", "viewer",
             "--name", "Cổng thông tin điện tử của trường (kết nối báo cáo hằng tháng)"], env=env)
    server = Server(scratch, pg.conninfo)
    # A session as POST /login makes it (sign-in itself is test_login's).
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    pg.psql("INSERT INTO staff_session (token_hash, account_id, csrf, expires_at)"
            f" SELECT '{digest}', id, '{secrets.token_hex(16)}', now() + interval '1 hour'"
            " FROM account WHERE login = 'hieu-truong.nguyen-van-a'")
    shots = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots")
    run_node_tap(tap, "admin.mjs", [f"http://127.0.0.1:{server.port}",
                                    f"hl_session={token}", shots,
                                    "hieu-truong.nguyen-van-a", PASSWORD])
    tap.eq(pg.psql("SELECT count(*) FROM account WHERE login = 'gv.nhap-do'"), "1",
           "the double-clicked form made one account")
    tap.eq(pg.psql("SELECT count(*) FROM audit_log WHERE action = 'account.create'"
                   " AND detail->>'login' = 'gv.nhap-do'"), "1", "and one audit entry")


run_tests(main)
