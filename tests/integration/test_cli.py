"""The command line: help, version, and one clear line for every bad setting."""
import socket

from harness import Postgres, Server, run_cli, run_tests


def main(tap, scratch):
    out = run_cli(["--help"])
    tap.eq(out.returncode, 0, "--help exits 0")
    for command in ("serve", "migrate", "version", "config"):
        tap.match(out.stdout, rf"\n  {command} ", f"--help lists the {command} command")
    for var in ("DATABASE_URL", "HAILONG_LISTEN", "HAILONG_BASE_URL"):
        tap.ok(var in out.stdout, f"--help names {var}")

    out = run_cli(["version"])
    tap.match(out.stdout, r"^hailong \d+\.\d+\.\d+\n$", "version prints the version")
    tap.eq(run_cli(["--version"]).stdout, out.stdout, "--version is the same")

    out = run_cli([])
    tap.eq(out.returncode, 2, "no command: exit 2")

    out = run_cli(["frobnicate"])
    tap.eq(out.returncode, 2, "unknown command: exit 2")
    tap.eq(out.stderr, 'hailong: unknown command "frobnicate" (see hailong --help)\n',
           "unknown command: one line naming it")

    bad = [
        ({"HAILONG_LISTEN": "localhost"}, [], "HAILONG_LISTEN (--listen): \"localhost\""),
        ({"HAILONG_LISTEN": "127.0.0.1:99999"}, [], "HAILONG_LISTEN (--listen): \"127.0.0.1:99999\""),
        ({}, ["--listen", "::1"], "HAILONG_LISTEN (--listen): \"::1\""),
        ({"HAILONG_BASE_URL": "ftp://x"}, [], "HAILONG_BASE_URL (--base-url): \"ftp://x\""),
        ({"HAILONG_BASE_URL": "https://"}, [], "HAILONG_BASE_URL (--base-url): \"https://\""),
        ({"HAILONG_DB_POOL_SIZE": "lots"}, [], "HAILONG_DB_POOL_SIZE (--db-pool-size): \"lots\""),
        ({"HAILONG_DB_TIMEOUT": "5 years"}, [], "HAILONG_DB_TIMEOUT (--db-timeout): \"5 years\""),
        ({"HAILONG_HTTP_MAX_BODY": "1TiB"}, [], "HAILONG_HTTP_MAX_BODY (--http-max-body): \"1TiB\""),
        ({"HAILONG_LOG_LEVEL": "loud"}, [], "HAILONG_LOG_LEVEL (--log-level): \"loud\""),
        ({"DATABASE_URL": "not a conninfo"}, [], "DATABASE_URL (--database-url)"),
        ({"DATABASE_URL": "postgresql://u:pw@[bad"}, [], "DATABASE_URL (--database-url)"),
    ]
    for env, args, expected in bad:
        out = run_cli(["serve"] + args, env=env)
        lines = out.stderr.splitlines()
        tap.ok(out.returncode == 2 and len(lines) == 1 and expected in lines[0],
               f"bad value {expected.split(' ')[0]} {list(env.values()) or args}: "
               "exit 2, one line naming option and value",
               f"exit {out.returncode}, stderr {out.stderr!r}")
    out = run_cli(["serve"], env={"DATABASE_URL": "postgresql://u:topsecret@[bad"})
    tap.ok("topsecret" not in out.stderr, "a password in a bad DATABASE_URL is never echoed",
           out.stderr)

    out = run_cli(["serve", "--no-such-flag", "1"])
    tap.eq((out.returncode, out.stderr),
           (2, 'hailong: unknown option "--no-such-flag" (see hailong --help)\n'),
           "unknown flag: exit 2 and its name")
    out = run_cli(["serve", "--listen"])
    tap.eq((out.returncode, out.stderr), (2, "hailong: option --listen needs a value\n"),
           "flag without value: exit 2")
    out = run_cli(["serve", "extra"], env={"DATABASE_URL": "host=/nonexistent"})
    tap.eq(out.returncode, 2, "stray argument: exit 2")

    for command in ("serve", "migrate"):
        out = run_cli([command])
        tap.ok(out.returncode == 2 and "DATABASE_URL is not set" in out.stderr
               and len(out.stderr.splitlines()) == 1,
               f"{command} without DATABASE_URL: exit 2, one clear line", out.stderr)

    out = run_cli(["config"], env={"DATABASE_URL": "postgresql://app:hunter2@localhost/db",
                                   "HAILONG_LISTEN": "127.0.0.1:9999"})
    tap.eq(out.returncode, 0, "config prints the settings")
    tap.ok("hunter2" not in out.stdout and "password=********" in out.stdout,
           "config masks the database password", out.stdout)
    tap.match(out.stdout, r"listen\s+127\.0\.0\.1:9999\s+\(environment\)", "config shows sources")
    tap.match(out.stdout, r"base-url\s+http://127\.0\.0\.1:9999\s+\(derived\)",
              "base URL follows the listen address unless set")
    out = run_cli(["config", "--base-url", "https://khaosat.example.edu.vn/"])
    tap.match(out.stdout, r"base-url\s+https://khaosat\.example\.edu\.vn\s",
              "base URL is kept without its trailing slash")

    # A port in use.
    pg = Postgres(scratch)
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    out = run_cli(["serve"], env={"DATABASE_URL": pg.conninfo,
                                  "HAILONG_LISTEN": f"127.0.0.1:{port}"}, timeout=20)
    holder.close()
    tap.ok(out.returncode == 1 and f"cannot listen on 127.0.0.1:{port}: Address already in use"
           in out.stderr and len(out.stderr.splitlines()) == 1,
           "port in use: exit 1 and one line saying so", out.stderr)

    out = run_cli(["serve"], env={"DATABASE_URL": pg.conninfo,
                                  "HAILONG_LISTEN": "no-such-host.invalid:8080"}, timeout=30)
    tap.ok(out.returncode == 1 and "cannot listen on no-such-host.invalid:8080" in out.stderr,
           "unresolvable listen host: exit 1 naming it", out.stderr)

    # A database that is down at start: the server still starts and says 503.
    server = Server(scratch, "host=/nonexistent-socket-dir port=5432 dbname=x",
                    env={"HAILONG_DB_CONNECT_TIMEOUT": "1s"})
    r = server.get("/healthz")
    tap.eq(r.status, 503, "server starts with the database down; health says 503")
    tap.eq(r.header("Retry-After"), "2", "503 carries Retry-After")
    tap.ok(server.wait_log(r"level=warn .*database connection failed", timeout=5) is not None,
           "the connection failure is logged", server.log_text())


run_tests(main)
