"""Migrations: once each, in a transaction, checksummed, concurrent-safe."""
import os
import subprocess

from harness import BINARY, SOURCE_ROOT, Postgres, run_cli, run_tests


def write(folder, name, text):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        f.write(text)


def main(tap, scratch):
    pg = Postgres(scratch)

    # The shipped migrations apply to an empty database, then are a no-op.
    url = pg.createdb("shipped")
    out = run_cli(["migrate"], env={"DATABASE_URL": url})
    tap.eq(out.returncode, 0, "shipped migrations apply to an empty database")
    shipped = sorted(n for n in os.listdir(os.path.join(SOURCE_ROOT, "sql")) if n.endswith(".sql"))
    tap.eq(pg.psql("SELECT count(*) FROM hailong_migrations", dbname="shipped"), str(len(shipped)),
           "every shipped file is recorded")
    out = run_cli(["migrate"], env={"DATABASE_URL": url})
    tap.ok(out.returncode == 0 and "(0 applied now)" in out.stdout,
           "a second run applies nothing", out.stdout + out.stderr)

    # A folder of our own.
    folder = scratch.sub("sql")
    write(folder, "001_first.sql", "CREATE TABLE a (id int PRIMARY KEY);\n")
    write(folder, "002_second.sql", "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n")
    write(folder, "README", "not a migration, ignored\n")
    url = pg.createdb("own")
    env = {"DATABASE_URL": url, "HAILONG_SQL_DIR": folder}
    out = run_cli(["migrate"], env=env)
    tap.ok(out.returncode == 0 and "applied 001_first.sql" in out.stdout
           and "applied 002_second.sql" in out.stdout, "applies files in order",
           out.stdout + out.stderr)
    rows = pg.psql("SELECT version || ':' || name || ':' || length(checksum) "
                   "FROM hailong_migrations ORDER BY version", dbname="own")
    tap.eq(rows.split("\n"), ["1:001_first.sql:64", "2:002_second.sql:64"],
           "each file recorded once with a SHA-256")

    # A migration with an error: reported with file, line, column; nothing kept.
    write(folder, "003_broken.sql",
          "CREATE TABLE c (id int);\nINSERT INTO c VALUES (1);\n\nSELECT * FROM\n  no_such_table;\n")
    out = run_cli(["migrate"], env=env)
    tap.eq(out.returncode, 1, "a failing migration exits 1")
    tap.match(out.stderr, r"003_broken\.sql:5:3: ERROR: relation \"no_such_table\" does not exist "
              r"\(SQLSTATE 42P01\); nothing of this file was applied\n$",
              "the error names file, line and column")
    tap.eq(len(out.stderr.splitlines()), 1, "the error is one line")
    tap.eq(pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'c'", dbname="own"), "0",
           "nothing of the failing file is left (its first statement rolled back)")
    tap.eq(pg.psql("SELECT max(version) FROM hailong_migrations", dbname="own"), "2",
           "the failing file is not recorded")

    # A file that tries to manage its own transaction.
    write(folder, "003_broken.sql", "COMMIT;\nCREATE TABLE c (id int);\n")
    out = run_cli(["migrate"], env=env)
    tap.ok(out.returncode == 1 and "must not start or end transactions" in out.stderr and ":1:" in out.stderr,
           "a file that commits by itself is refused", out.stderr)
    os.remove(os.path.join(folder, "003_broken.sql"))

    # An applied file that changed.
    write(folder, "002_second.sql", "CREATE TABLE b (id int);\nINSERT INTO b VALUES (2);\n")
    write(folder, "003_third.sql", "CREATE TABLE c (id int);\n")
    out = run_cli(["migrate"], env=env)
    tap.eq(out.returncode, 1, "a changed applied file makes migrate refuse")
    tap.match(out.stderr, r"002_second\.sql was changed after it was applied on ",
              "the refusal names the changed file")
    tap.eq(pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'c'", dbname="own"), "0",
           "nothing newer is applied while history is wrong")
    write(folder, "002_second.sql", "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n")

    # Bad names, duplicates, unreadable files, an unreadable folder.
    write(folder, "4_short.sql", "SELECT 1;\n")
    out = run_cli(["migrate"], env=env)
    tap.ok(out.returncode == 1 and "4_short.sql: a migration file name must look like" in out.stderr,
           "a malformed file name is named", out.stderr)
    os.remove(os.path.join(folder, "4_short.sql"))
    write(folder, "003_again.sql", "SELECT 1;\n")
    out = run_cli(["migrate"], env=env)
    tap.ok(out.returncode == 1 and "has the same number as" in out.stderr,
           "two files with one number are refused", out.stderr)
    os.remove(os.path.join(folder, "003_again.sql"))
    out = run_cli(["migrate"], env={"DATABASE_URL": url, "HAILONG_SQL_DIR": folder + "-missing"})
    tap.ok(out.returncode == 1 and "cannot open migrations folder" in out.stderr,
           "a missing folder is named", out.stderr)

    # Numbering below the newest applied file.
    out = run_cli(["migrate"], env=env)
    tap.eq(out.returncode, 0, "the repaired folder applies 003")
    write(folder, "000_zero.sql", "SELECT 1;\n")
    out = run_cli(["migrate"], env=env)
    tap.ok(out.returncode == 1 and "malformed" not in out.stderr and "000_zero.sql" in out.stderr,
           "version 0 is not a valid migration", out.stderr)
    os.remove(os.path.join(folder, "000_zero.sql"))
    gap = scratch.sub("gap")
    write(gap, "001_a.sql", "SELECT 1;\n")
    write(gap, "003_c.sql", "SELECT 1;\n")
    gap_env = {"DATABASE_URL": pg.createdb("gap"), "HAILONG_SQL_DIR": gap}
    out = run_cli(["migrate"], env=gap_env)
    write(gap, "002_b.sql", "SELECT 1;\n")
    out = run_cli(["migrate"], env=gap_env)
    tap.ok(out.returncode == 1 and "002_b.sql is numbered below the newest applied migration (3)"
           in out.stderr, "a new file numbered below the newest applied one is refused", out.stderr)

    # The database knows a migration this build lacks.
    os.rename(os.path.join(folder, "003_third.sql"), os.path.join(scratch.path, "003_third.sql"))
    out = run_cli(["migrate"], env=env)
    tap.ok(out.returncode == 1 and "has migration 003_third.sql" in out.stderr,
           "a database ahead of this build is refused", out.stderr)
    os.rename(os.path.join(scratch.path, "003_third.sql"), os.path.join(folder, "003_third.sql"))

    # Two concurrent runs against a fresh database: each file applied once.
    slow = scratch.sub("slow")
    write(slow, "001_slow.sql", "CREATE TABLE s (id int);\nSELECT pg_sleep(1);\n")
    write(slow, "002_next.sql", "INSERT INTO s VALUES (1);\n")
    url2 = pg.createdb("race")
    env2 = {"DATABASE_URL": url2, "HAILONG_SQL_DIR": slow}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HAILONG_")}
    procs = [subprocess.Popen([BINARY, "migrate"], env={**clean, **env2},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    tap.ok(all(r[2] == 0 for r in results), "two concurrent migrate runs both succeed", results)
    tap.eq(pg.psql("SELECT count(*) FROM s", dbname="race"), "1",
           "the concurrent runs applied each file once")
    tap.eq(sum(r[0].count("applied 0") for r in results), 2,
           "between them the two runs applied two files")

    out = run_cli(["migrate"], env={"DATABASE_URL": "host=/nonexistent-dir dbname=x"})
    tap.ok(out.returncode == 1 and "cannot connect to the database" in out.stderr
           and len(out.stderr.splitlines()) == 1, "an unreachable database: one line, exit 1",
           out.stderr)


run_tests(main)
