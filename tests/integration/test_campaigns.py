"""Survey rounds from the command line: `hailong campaign create` prints the
public URL last; every bad value gets one clear line; the round works."""
import re

from harness import Server, database_with_units, run_cli, run_tests

ORG = ("code,name,kind,parent_code,school_level\n79,Sở GD&ĐT,province,,\n"
       "79-X,Phường X,commune,79,\n79-A,Trường A,school,79-X,thcs\n"
       "79-A-K6,Khối 6,grade,79-A,\n")


def main(tap, scratch):
    pg, env = database_with_units(tap, scratch, ORG,
                                  {"HAILONG_BASE_URL": "https://khaosat.example.vn"})

    base = ["campaign", "create", "--org", "79-A-K6", "--form", "hop-phu-huynh-nhanh",
            "--title", "Họp phụ huynh khối 6, học kỳ I", "--opens", "2026-01-01 07:00",
            "--closes", "2099-12-31 17:00"]
    out = run_cli(base + ["--target", "120", "--mode", "both"], env=env)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    m = re.fullmatch(r"https://khaosat\.example\.vn/s/([2-9A-HJKMNP-Z]{6})", last)
    tap.ok(out.returncode == 0 and m, "campaign create prints the public URL as its last line",
           out.stdout + out.stderr)
    code = m.group(1) if m else ""
    row = pg.psql(f"SELECT title, target_count, mode, kiosk, to_char(opens_at AT TIME ZONE "
                  f"'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI') FROM campaign WHERE public_code = '{code}'")
    tap.eq(row, "Họp phụ huynh khối 6, học kỳ I|120|both|f|2026-01-01 07:00",
           "stored with its times in Việt Nam time")
    tap.eq(pg.psql("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1"), "campaign.create",
           "the creation is audited")
    server = Server(scratch, pg.conninfo)
    r = server.get(f"/s/{code}")
    tap.ok(r.status == 200 and "Họp phụ huynh khối 6" in r.text, "the new round's form opens")

    out = run_cli(["campaign", "create", "--org", "79-A", "--form", "sipas-truong", "--title", "x",
                   "--opens", "2026-01-01 07:00", "--closes", "2026-02-01 07:00"], env=env)
    tap.ok(out.returncode == 1 and "has 2 editions: name one" in out.stderr,
           "a questionnaire with several editions needs one named", out.stderr)
    out = run_cli(["campaign", "create", "--org", "79-A", "--form", "sipas-truong@2017",
                   "--title", "Thủ tục", "--opens", "2026-01-01 07:00", "--closes",
                   "2026-02-01 07:00", "--kiosk", "yes"], env=env)
    tap.eq(out.returncode, 0, "id@edition picks the edition")

    bad = [
        (["--closes", "2025-12-31 17:00"], "must be after --opens"),
        (["--opens", "2026-02-30 07:00"], "--opens \"2026-02-30 07:00\""),
        (["--opens", "tomorrow"], "write a date and time"),
        (["--org", "79"], "79 is a province: rounds are run by a school, a grade or a class"),
        (["--org", "NOPE"], "no organisation unit has the code \"NOPE\""),
        (["--form", "khong-co"], "no questionnaire \"khong-co\" is loaded"),
        (["--form", "sipas-truong@1999"], "has no edition \"1999\""),
        (["--target", "-5"], "--target \"-5\""),
        (["--mode", "paper"], "--mode \"paper\""),
        (["--kiosk", "maybe"], "--kiosk \"maybe\""),
        (["--title", "   "], "--title: 1 to 300 characters"),
    ]
    for change, message in bad:
        args = list(base)
        for i in range(0, len(change), 2):
            if change[i] in args:
                args[args.index(change[i]) + 1] = change[i + 1]
            else:
                args += change[i:i + 2]
        out = run_cli(args, env=env)
        tap.ok(out.returncode == 1 and message in out.stderr and len(out.stderr.splitlines()) == 1,
               f"refused with one line: {message}", out.stderr)
    out = run_cli(["campaign", "create", "--org", "79-A"], env=env)
    tap.eq(out.returncode, 2, "missing options: usage, exit 2")
    tap.eq(pg.psql("SELECT count(*) FROM campaign"), "2", "refused rounds left nothing")


run_tests(main)
