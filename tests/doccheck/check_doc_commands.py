"""Every command of a shell block of README.md and docs/*.md is run here, or
named in tests/doccheck/not-run.txt with the reason it is not and the test
that covers it (issue 10, point 5): a command added to the docs, or changed,
fails this test until it is run or classified, and a classification that
matches no command any more fails too.

The commands run as written, in the order of the docs, each in bash, from a
scratch folder that looks like the checkout (build/hailong is the binary under
test; scripts/, sql/, forms/, deploy/ are the checkout's).  What only exists
on a real machine is replaced: /etc and /usr are a folder of the scratch
(the install lines of docs/deploy.md fill it, the later commands read it),
the database is a throw-away cluster, 127.0.0.1:8080 is a server the test
starts on a free port, and the placeholders of the docs (ID, MÃ_ĐƠN_VỊ, …)
get values made here.  The environment a command leaves (`set -a; .
secret.env`) carries on to the next command of the same file."""
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from harness import BINARY, SOURCE_ROOT, Postgres, Server, run_cli, run_tests  # noqa: E402

NOT_RUN = os.path.join(SOURCE_ROOT, "tests", "doccheck", "not-run.txt")
SHELL_FENCE = re.compile(r"^\s*```(sh|bash|shell|console)\s*$")
PASSWORD = "mật khẩu đủ dài cho kiểm thử\n"
# The scratch units: 79-A for docs/api.md, a primary school for the round of
# the guide; docs/deploy.md imports its own don-vi.csv into its database.
UNITS = ("code,name,kind,parent_code,school_level\n"
         "79,Sở GD&ĐT TP.HCM,province,,\n"
         "79-X,Phường X,commune,79,\n"
         "79-A,Trường A,school,79-X,thcs\n"
         "79-TH-A,Trường Tiểu học A,school,79-X,tieu-hoc\n")
DEPLOY_UNITS = ("code,name,kind,parent_code,school_level\n"
                "SO-GD,Sở GD&ĐT,province,,\n")


def doc_files():
    return ["README.md"] + sorted(os.path.relpath(p, SOURCE_ROOT)
                                  for p in glob.glob(os.path.join(SOURCE_ROOT, "docs", "*.md")))


def strip_comment(line):
    """The line without its shell comment: a # outside quotes that starts
    a word."""
    quote, i = None, 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and quote != "'":
            i += 2
            continue
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
        i += 1
    return line.rstrip()


def doc_commands(path):
    with open(os.path.join(SOURCE_ROOT, path), encoding="utf-8") as f:
        return commands_in(f.read())


def commands_in(markdown):
    """(line number, command) of every command of the text's shell blocks:
    continuation lines joined, comments dropped, a `$ ` prompt removed (in a
    console block only prompted lines are commands; the rest is output)."""
    lines = markdown.split("\n")
    commands = []
    i = 0
    while i < len(lines):
        fence = SHELL_FENCE.match(lines[i])
        i += 1
        if not fence:
            continue
        console = fence.group(1) == "console"
        pending, start = "", None
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            text = lines[i].strip()
            if pending:
                text = pending + " " + text
            elif console:
                if not text.startswith("$ "):
                    i += 1
                    continue
                text = text[2:]
            if start is None:
                start = i + 1
            if text.endswith("\\"):
                pending = text[:-1].rstrip()
            else:
                command = strip_comment(text)
                if command:
                    commands.append((start, command))
                pending, start = "", None
            i += 1
        i += 1
    return commands


def normalise(command):
    return " ".join(command.split())


def read_not_run():
    """not-run.txt: a command (as in the docs, from the first column) and
    under it, indented, `why:` and, when a test covers it, `covered:` with
    the test's path first.  Returns {command: (line, why, covered)}."""
    entries, current = {}, None
    with open(NOT_RUN, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            if not line[0].isspace():
                current = normalise(line)
                entries[current] = [number, None, None]
                continue
            key, _, value = line.strip().partition(":")
            if current is None or key not in ("why", "covered"):
                raise ValueError(f"not-run.txt:{number}: expected a command, why: or covered:")
            entries[current][1 if key == "why" else 2] = value.strip()
    return entries


class Run:
    """How a docs command is run: text replaced before it runs (values may
    be functions of the context), extra environment, standard input, and
    what its output must show (a regular expression), besides exit 0."""

    def __init__(self, subs=None, env=None, stdin=None, expect=None, before=None):
        self.subs = subs or {}
        self.env = env or {}
        self.stdin = stdin
        self.expect = expect
        self.before = before


def server_address(ctx):
    return f"127.0.0.1:{ctx.server().port}"


def drop_fresh_database(ctx):
    """docs/security.md restores into a database it creates with `createdb
    hailong`: the fresh cluster's own one goes first."""
    ctx.fresh.psql("DROP DATABASE hailong", dbname="postgres")


def uri(conninfo):
    """A key=value conninfo as a URI: it goes through a `KEY=value` line of
    an environment file, which cannot hold spaces."""
    fields = dict(pair.split("=", 1) for pair in conninfo.split())
    return (f"postgresql://{fields['user']}@/{fields['dbname']}"
            f"?host={urllib.parse.quote(fields['host'], safe='')}")


HEALTHY = r'"status":\s*"ok"'
# Server and database both reached.
STATUS_OK = r"(?m)^database\s+ok\n(.*\n)?status\s+ok$"

# Every command run here, exactly as the docs write it.
RUNS = {
    # README.md
    "DATABASE_URL=$(bash scripts/pg.sh url var/pg) build/hailong user add --org DEMO-TRUONG "
    "--role admin --login admin": Run(stdin=PASSWORD),
    # docs/api.md
    'build/hailong token create --org 79-A --role viewer --name "Báo cáo trường A"':
        Run(expect=r"(?m)^hl_[A-Za-z0-9_-]{43}$"),
    "build/hailong token list": Run(expect="Báo cáo trường A\tviewer\t79-A"),
    "build/hailong token revoke ID": Run(subs={"ID": lambda ctx: ctx.pg.psql(
        "SELECT max(id) FROM api_token")}),
    # docs/deploy.md: into the scratch root; the server the unit would
    # start is the test's, on the installed configuration file.
    "install -m 0755 build-release/hailong /usr/local/bin/hailong": Run(),
    "install -d /usr/share/hailong": Run(),
    "cp -r sql forms /usr/share/hailong/": Run(),
    "install -d -m 0755 /etc/hailong": Run(),
    "install -m 0644 deploy/hailong.conf /etc/hailong/hailong.conf": Run(),
    "install -m 0644 deploy/hailong.service /etc/systemd/system/hailong.service": Run(),
    "install -m 0644 deploy/sysctl-hailong.conf /etc/sysctl.d/60-hailong.conf": Run(),
    "install -m 644 deploy/sysctl-hailong.conf /etc/sysctl.d/60-hailong.conf": Run(),
    "install -m 0600 /dev/null /etc/hailong/secret.env": Run(),
    "echo 'DATABASE_URL=postgresql://hailong:PASSWORD@localhost/hailong' > "
    "/etc/hailong/secret.env": Run(subs={
        "postgresql://hailong:PASSWORD@localhost/hailong": lambda ctx: uri(ctx.deploy_url)}),
    "hailong config --config /etc/hailong/hailong.conf":
        Run(expect=r"base-url\s+https://khaosat\.example\.edu\.vn\s+\(file \S+/etc/hailong/"
                   r"hailong\.conf:\d+\)"),
    "set -a; . /etc/hailong/secret.env; set +a": Run(),
    "hailong migrate --config /etc/hailong/hailong.conf": Run(expect=r"applied now"),
    "hailong forms load --config /etc/hailong/hailong.conf": Run(),
    "hailong org import --config /etc/hailong/hailong.conf don-vi.csv": Run(),
    "hailong user add --config /etc/hailong/hailong.conf --org SO-GD --role admin --login admin":
        Run(stdin=PASSWORD),
    "install -m 0644 deploy/nginx.conf /etc/nginx/sites-available/hailong": Run(),
    "ln -s ../sites-available/hailong /etc/nginx/sites-enabled/hailong": Run(),
    "curl -fsS http://127.0.0.1:8080/healthz": Run(subs={"127.0.0.1:8080": server_address},
                                                   expect=HEALTHY),
    # docs/forms.md
    "build/hailong forms check": Run(),
    "build/hailong forms check my-form.json": Run(expect=r"^my-form\.json: .*, ok\n$"),
    "build/hailong forms load": Run(),
    # docs/guide-truong-hoc.md: its last line is the parents' link.
    'hailong campaign create --org MÃ_ĐƠN_VỊ --form moet-cmhs-tieu-hoc --title "Khảo sát ý kiến '
    'cha mẹ học sinh học kỳ I" --opens "2026-11-25 07:30" --closes "2026-12-05 17:00" '
    "--target 320 --mode both": Run(subs={"MÃ_ĐƠN_VỊ": "79-TH-A"},
                                    expect=r"\nhttps?://\S+/s/[A-Z0-9]+\n?$"),
    # docs/operations.md
    "hailong status": Run(env={"HAILONG_LISTEN": server_address}, expect=STATUS_OK),
    "hailong status --url http://10.0.0.21:8080": Run(subs={"10.0.0.21:8080": server_address},
                                                      expect=STATUS_OK),
    # docs/security.md: the backup of the scratch database, restored into
    # a second cluster.
    'pg_dump --format=custom --file hailong-$(date +%F).dump --dbname "$DATABASE_URL"': Run(),
    "createdb hailong": Run(before=drop_fresh_database),
    'pg_restore --exit-on-error --no-owner --dbname "$NEW_DATABASE_URL" hailong-2026-11-23.dump':
        Run(subs={"hailong-2026-11-23.dump": "hailong-*.dump"}),
    'DATABASE_URL="$NEW_DATABASE_URL" hailong migrate': Run(expect=r"\(0 applied now\)"),
}


class Context:
    """The scratch checkout, root, databases and server the commands use."""

    def __init__(self, scratch):
        self.scratch = scratch
        self.work = scratch.sub("work")
        self.root = scratch.sub("root")
        for folder in ("usr/local/bin", "etc/systemd/system", "etc/sysctl.d",
                       "etc/nginx/sites-available", "etc/nginx/sites-enabled"):
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
        # build/ of the README and forms.md, build-release/ of deploy.md.
        for build in ("build", "build-release"):
            os.makedirs(os.path.join(self.work, build))
            os.symlink(BINARY, os.path.join(self.work, build, "hailong"))
        for name in ("scripts", "sql", "forms", "deploy", "tests", "bench"):
            os.symlink(os.path.join(SOURCE_ROOT, name), os.path.join(self.work, name))
        # `hailong` on the PATH: the copy docs/deploy.md installs once it
        # is there, the binary under test before.
        bin_dir = scratch.sub("bin")
        os.symlink(BINARY, os.path.join(bin_dir, "hailong"))
        self.path = os.pathsep.join([os.path.join(self.root, "usr", "local", "bin"), bin_dir,
                                     os.environ.get("PATH", "/usr/bin:/bin")])
        with open(os.path.join(SOURCE_ROOT, "forms", "hop-phu-huynh-nhanh.json"), "rb") as src, \
                open(os.path.join(self.work, "my-form.json"), "wb") as dst:
            dst.write(src.read())
        self.write("don-vi.csv", DEPLOY_UNITS)

        # The README's var/pg is the test's cluster.
        self.pg = Postgres(scratch, os.path.join("work", "var", "pg"))
        env = {"DATABASE_URL": self.pg.conninfo}
        for args in (["migrate"], ["forms", "load"], ["demo"],
                     ["org", "import", self.write("units.csv", UNITS)]):
            out = run_cli(args, env=env)
            if out.returncode != 0:
                raise RuntimeError(f"{args}: {out.stderr}")
        # docs/deploy.md starts from an empty database of its own.
        self.deploy_url = self.pg.createdb("deploy")
        self.fresh = Postgres(scratch, "fresh")
        self._server = None

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def server(self):
        """The server systemd would start: the installed configuration, the
        deploy database; a free port instead of 8080."""
        if self._server is None:
            self._server = Server(self.scratch, self.deploy_url,
                                  env=self.deploy_env(),
                                  args=["--config", os.path.join(self.root, "etc", "hailong",
                                                                 "hailong.conf")])
        return self._server

    def deploy_env(self):
        # sql-dir and forms-dir of hailong.conf name /usr/share/hailong: the
        # environment points them at the scratch root's copy.
        share = os.path.join(self.root, "usr", "share", "hailong")
        return {"HAILONG_SQL_DIR": os.path.join(share, "sql"),
                "HAILONG_FORMS_DIR": os.path.join(share, "forms")}

    def initial_env(self, doc):
        """The environment a reader of doc has: the database of the
        checkout's run, except in docs/deploy.md, where secret.env gives
        it."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HAILONG_") and k not in ("DATABASE_URL", "PGHOST", "PGUSER",
                                                             "PGDATABASE", "PGPORT")}
        env["PATH"] = self.path
        if doc == "docs/deploy.md":
            env.update(self.deploy_env())
        else:
            env["DATABASE_URL"] = self.pg.conninfo
        if doc == "docs/security.md":
            # createdb and NEW_DATABASE_URL: the new, empty cluster.
            fields = dict(pair.split("=", 1) for pair in self.fresh.conninfo.split())
            env.update(PGHOST=fields["host"], PGPORT=fields["port"], PGUSER=fields["user"],
                       NEW_DATABASE_URL=self.fresh.conninfo)
        return env

    def system_paths(self, command):
        """/etc/… and /usr/… in a command name the scratch root."""
        return re.sub(r"(?<![\w./-])/(etc|usr)/", lambda m: f"{self.root}/{m.group(1)}/", command)


def resolve(value, ctx):
    return value(ctx) if callable(value) else value


def run_command(ctx, state, command, how):
    if how.before:
        how.before(ctx)
    text = command
    for old, new in how.subs.items():
        text = text.replace(old, resolve(new, ctx))
    text = ctx.system_paths(text)
    exports = "".join(f"export {k}={shlex.quote(resolve(v, ctx))}\n" for k, v in how.env.items())
    script = (f". {shlex.quote(state)}\n{exports}{text}\n"
              f"status=$?\nexport -p > {shlex.quote(state)}\nexit $status\n")
    # No standard input but the one a command is given: a command that
    # prompts fails instead of waiting.
    out = subprocess.run(["bash", "-c", script], cwd=ctx.work, capture_output=True, text=True,
                         input=how.stdin or "", timeout=90)
    return text, out


PARSER_SAMPLE = """text
```sh
meson setup build \\
    --werror   # a comment
# a whole-line comment

echo '# not a comment' "a \\" # b"   x#y \\# z
```
```console
$ hailong version
hailong 0.1.0
```
```sql
SELECT 1;
```
"""


def parser_checks(tap):
    tap.eq(commands_in(PARSER_SAMPLE),
           [(3, "meson setup build --werror"),
            (7, r"""echo '# not a comment' "a \" # b"   x#y \# z"""),
            (10, "hailong version")],
           "commands are read with continuations joined, comments dropped, prompts removed, "
           "output and other languages left out")


def meson_options():
    """{name: choices or None} of every option `meson setup` takes here,
    read from the project without configuring a build."""
    out = subprocess.run(["meson", "introspect", "--buildoptions", "meson.build"],
                         cwd=SOURCE_ROOT, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"meson introspect: {out.stderr}")
    return {o["name"]: o.get("choices") if o["type"] == "combo" else None
            for o in json.loads(out.stdout)}


def setup_options(command):
    """(name, value) of the options of each `meson setup` in a command."""
    options = []
    for part in re.split(r"&&|;|\|\|", command):
        words = shlex.split(part)
        words = [w for w in words if not re.match(r"^[A-Z_]+=", w)] if words else []
        if words[:2] != ["meson", "setup"]:
            continue
        for word in words[2:]:
            m = re.match(r"^(?:-D|--)([\w-]+)(?:=(.*))?$", word)
            if m:
                options.append((m.group(1).replace("-", "_"), m.group(2)))
    return options


def meson_setup_checks(tap, commands):
    """A `meson setup` line is not run here (a whole build); its options
    must still exist, with a value meson accepts."""
    known = None
    for doc, line, text in commands:
        options = setup_options(text)
        if not options:
            continue
        known = known if known is not None else meson_options()
        wrong = [f"{name}={value}" for name, value in options
                 if name not in known or (known[name] and value not in known[name])]
        tap.ok(not wrong, f"{doc}:{line}: the meson setup options exist: "
               + " ".join(name for name, _ in options), f"unknown or invalid: {wrong}")


def checkout_paths(command):
    """The words of a command that name a file of the checkout (their first
    folder is one of its own: bench/…, scripts/…, deploy/…)."""
    folders = {name for name in os.listdir(SOURCE_ROOT)
               if os.path.isdir(os.path.join(SOURCE_ROOT, name)) and not name.startswith(".")
               and not name.startswith("build")}
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    return [w for w in words if "/" in w and w.split("/")[0] in folders]


def main(tap, scratch):
    parser_checks(tap)
    try:
        not_run = read_not_run()
    except (OSError, ValueError) as exc:
        tap.ok(False, "tests/doccheck/not-run.txt is readable", exc)
        return
    commands = [(doc, line, command) for doc in doc_files()
                for line, command in doc_commands(doc)]
    tap.ok(len(commands) >= 40, f"{len(commands)} commands found in the docs' shell blocks")
    meson_setup_checks(tap, commands)
    used = set()
    ctx = None
    states = {}
    for doc, line, text in commands:
        # Matched with spaces collapsed, run as written.
        command = normalise(text)
        where = f"{doc}:{line}"
        if command in not_run:
            used.add(command)
            _, why, covered = not_run[command]
            # Not run, but what it names of the checkout must be there.
            missing = [p for p in checkout_paths(text)
                       if not os.path.exists(os.path.join(SOURCE_ROOT, p))]
            if missing:
                tap.ok(False, f"{where}: {command}", f"not run, and names missing files: {missing}")
                continue
            tap.skip(f"{where}: {command}", why + (f"; covered by {covered}" if covered else ""))
            continue
        how = RUNS.get(command)
        if how is None:
            tap.ok(False, f"{where}: {command}",
                   "neither run by this test (RUNS in tests/doccheck/check_doc_commands.py) "
                   "nor classified in tests/doccheck/not-run.txt")
            continue
        used.add(command)
        if ctx is None:
            ctx = Context(scratch)
        if doc not in states:
            states[doc] = os.path.join(scratch.path, f"env-{len(states)}.sh")
            with open(states[doc], "w", encoding="utf-8") as f:
                f.write("".join(f"export {k}={shlex.quote(v)}\n"
                                for k, v in ctx.initial_env(doc).items()))
        ran, out = run_command(ctx, states[doc], text, how)
        output = out.stdout + out.stderr
        good = out.returncode == 0 and (how.expect is None or re.search(how.expect, out.stdout))
        if os.environ.get("DOCCHECK_VERBOSE"):
            tap.diag(f"ran: {ran}\n{output}")
        tap.ok(good, f"{where}: {command}",
               f"ran: {ran}\nexit {out.returncode}" +
               (f", output must match {how.expect!r}" if how.expect else "") + f"\n{output}")

    for command, (number, why, covered) in not_run.items():
        tap.ok(command in used, f"not-run.txt:{number} matches a command of the docs",
               f"no docs command is {command!r} any more: remove or update the entry")
        tap.ok(bool(why), f"not-run.txt:{number} gives a reason")
        if covered:
            path = covered.split()[0]
            tap.ok(os.path.exists(os.path.join(SOURCE_ROOT, path)),
                   f"not-run.txt:{number}: {path}, which covers it, exists")
    for command in RUNS:
        tap.ok(command in used, f"RUNS entry matches a command of the docs: {command[:60]}",
               "no docs command is this any more: remove or update the entry")


run_tests(main)
