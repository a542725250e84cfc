"""The organisation tree from a Department's CSV, and staff accounts from
the command line."""
import os

from harness import Postgres, run_cli, run_tests

GOOD = (
    "\ufeffcode,name,kind,parent_code,school_level,old_district_code\r\n"
    '79,"Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh",province,,,\r\n'
    '79-BT,"Phường Bến Thành",commune,79,,760\r\n'
    '79-TH-LVT,"Trường Tiểu học Lê Văn Tám, Bến Thành",school,79-BT,tieu-hoc,760\r\n'
    '79-THPT-A,"Trường THPT A",school,79,thpt,\r\n'
    "79-TH-LVT-K1,Khối 1,grade,79-TH-LVT,,\r\n"
    "79-TH-LVT-1A,Lớp 1A,class,79-TH-LVT-K1,,\r\n"
    '79-TH-LVT-1B,"Lớp 1B ""chất lượng cao""",class,79-TH-LVT-K1,,\r\n'
)


def write(scratch, name, text, mode="w"):
    path = os.path.join(scratch.path, name)
    with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(text)
    return path


def main(tap, scratch):
    pg = Postgres(scratch)
    env = {"DATABASE_URL": pg.conninfo}
    tap.eq(run_cli(["migrate"], env=env).returncode, 0, "migrated")

    good = write(scratch, "so-79.csv", GOOD)
    out = run_cli(["org", "import", good], env=env)
    tap.ok(out.returncode == 0 and "7 units imported (7 new, 0 updated)" in out.stdout,
           "a Department's CSV (BOM, CRLF, quoted commas and quotes) imports", out.stdout + out.stderr)
    tap.eq(pg.psql("SELECT name FROM org_unit WHERE code = '79-TH-LVT-1B'"),
           'Lớp 1B "chất lượng cao"', "quoted fields keep their quotes and commas")
    tap.eq(pg.psql("SELECT count(*) FROM org_unit u JOIN org_unit s ON u.path <@ s.path "
                   "WHERE s.code = '79-TH-LVT'"), "4", "a school's subtree: school, grade, classes")
    tap.eq(pg.psql("SELECT count(*) FROM org_unit u JOIN org_unit p ON u.path <@ p.path "
                   "WHERE p.code = '79'"), "7", "the province's subtree holds everything")
    tap.eq(pg.psql("SELECT p.code FROM org_unit s JOIN org_unit p ON p.id = s.parent_id "
                   "WHERE s.code = '79-THPT-A'"), "79", "a THPT school reports to the province")
    tap.eq(pg.psql("SELECT old_district_code FROM org_unit WHERE code = '79-BT'"), "760",
           "historical district codes are kept")
    out = run_cli(["org", "import", good], env=env)
    tap.ok(out.returncode == 0 and "(0 new, 7 updated)" in out.stdout,
           "importing the same file again adds nothing")
    tap.eq(pg.psql("SELECT count(*) FROM org_unit"), "7", "still seven units")

    bad = write(scratch, "bad.csv",
                "code,name,kind,parent_code\n"
                "A,Tỉnh A,province,\n"
                "B,Xã B,commune,C\n"
                "C,Xã C,commune,B\n"
                "D,,school,ZZZ\n"
                "A,Trùng,province,\n"
                "E,Trường E,schol,A\n"
                "bad code,x,school,A\n"
                "F,Trường F,school,A,extra\n"
                "G,'; DROP TABLE org_unit; --,school,A\n")
    out = run_cli(["org", "import", bad], env=env)
    lines = out.stderr.splitlines()
    expected = [
        "bad.csv:3: B is its own ancestor",
        "bad.csv:5: name is empty",
        'bad.csv:5: parent_code "ZZZ" is neither in this file nor in the database',
        'bad.csv:6: code "A" is already on line 2',
        'bad.csv:7: kind "schol"',
        'bad.csv:8: code "bad code"',
        "bad.csv:9: 5 fields where the header has 4",
    ]
    tap.eq(out.returncode, 1, "a file with errors: exit 1")
    for want in expected:
        tap.ok(any(want in line for line in lines), f"reported: {want}", out.stderr)
    tap.ok(lines[-1].endswith("nothing imported"), "and it says nothing was imported")
    tap.eq(pg.psql("SELECT count(*) FROM org_unit"), "7", "nothing of the bad file was written")

    moved = write(scratch, "moved.csv", "code,name,kind,parent_code\n79-TH-LVT,Trường,school,79\n")
    out = run_cli(["org", "import", moved], env=env)
    tap.ok(out.returncode == 1 and "already exists under 79-BT" in out.stderr,
           "moving a unit by import is refused", out.stderr)
    out = run_cli(["org", "import", write(scratch, "latin1.csv",
                                          b"code,name,kind,parent_code\nX,Tr\xfd\xf4ng,province,\n",
                                          "wb")], env=env)
    tap.ok(out.returncode == 1 and "latin1.csv:2: invalid UTF-8" in out.stderr,
           "a file not in UTF-8 is named with its line", out.stderr)
    out = run_cli(["org", "import", write(scratch, "nohead.csv", "name,kind\n")], env=env)
    tap.ok(out.returncode == 1 and 'the column "code" is missing' in out.stderr,
           "a missing column is named")
    out = run_cli(["org", "import", os.path.join(scratch.path, "none.csv")], env=env)
    tap.ok(out.returncode == 1 and "cannot read" in out.stderr, "a missing file is named")
    out = run_cli(["org", "import", write(scratch, "q.csv", 'code,name,kind,parent_code\nX,"open,province,\n')],
                  env=env)
    tap.ok(out.returncode == 1 and "q.csv:2: a quoted field is not closed" in out.stderr,
           "an unclosed quote is named with its line")

    # Accounts.
    out = run_cli(["user", "add", "--org", "79-TH-LVT", "--role", "admin", "--login",
                   "hieutruong.lvt"], env=env, stdin="mật khẩu đủ dài\n")
    tap.ok(out.returncode == 0 and "added hieutruong.lvt" in out.stdout, "an account is added",
           out.stderr)
    stored = pg.psql("SELECT password_hash FROM account WHERE login = 'hieutruong.lvt'")
    tap.ok(stored.startswith("$argon2id$") and "mật khẩu" not in stored,
           "the password is stored only as an Argon2id hash")
    cases = [
        (["--org", "79", "--role", "admin", "--login", "hieutruong.lvt"], "mật khẩu đủ dài",
         'the login "hieutruong.lvt" is taken'),
        (["--org", "NOPE", "--role", "admin", "--login", "abc"], "mật khẩu đủ dài",
         'no organisation unit has the code "NOPE"'),
        (["--org", "79", "--role", "root", "--login", "abc"], "mật khẩu đủ dài",
         'invalid role "root"'),
        (["--org", "79", "--role", "viewer", "--login", "A'; DROP TABLE account;--"],
         "mật khẩu đủ dài", "invalid login"),
        (["--org", "79", "--role", "viewer", "--login", "ngan"], "short",
         "at least 10 characters"),
    ]
    for args, password, message in cases:
        out = run_cli(["user", "add"] + args, env=env, stdin=password + "\n")
        tap.ok(out.returncode == 1 and message in out.stderr and len(out.stderr.splitlines()) == 1,
               f"user add refused: {message}", out.stderr)
    out = run_cli(["user", "add", "--org", "79"], env=env, stdin="x\n")
    tap.eq(out.returncode, 2, "user add without --role and --login: exit 2")
    out = run_cli(["user", "list"], env=env)
    tap.ok(out.returncode == 0 and "hieutruong.lvt\tadmin\t79-TH-LVT" in out.stdout and
           "argon2" not in out.stdout, "user list shows accounts, never hashes", out.stdout)
    tap.eq(pg.psql("SELECT count(*) FROM account"), "1", "refused accounts left nothing")


run_tests(main)
