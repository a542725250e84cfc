"""A real headless Chromium at a phone's size makes a round through the
staff pages (tests/browser/staff_rounds.mjs); screenshots go to the build
folder."""
import os

from harness import Server, database_with_units, ensure_playwright, run_cli, run_node_tap, run_tests

ORG = ("code,name,kind,parent_code,school_level\n79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n79-A,Trường Trung học cơ sở Nguyễn Văn A,school,79-X,thcs\n"
       "79-A-K6,Khối 6,grade,79-A,\n")
PASSWORD = "mật khẩu đủ dài 123"


def main(tap, scratch):
    ensure_playwright(tap)
    pg, env = database_with_units(tap, scratch, ORG)
    out = run_cli(["user", "add", "--org", "79-A", "--role", "staff", "--login", "gv.a"],
                  env=env, stdin=PASSWORD + "\n")
    tap.eq(out.returncode, 0, "a staff account")
    server = Server(scratch, pg.conninfo)
    shots = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots")
    run_node_tap(tap, "staff_rounds.mjs", [f"http://127.0.0.1:{server.port}", "gv.a", PASSWORD,
                                           shots])
    tap.eq(pg.psql("SELECT count(*) || '|' || min(target_count) FROM campaign"), "1|35",
           "the double click made one round, with what was typed")


run_tests(main)
