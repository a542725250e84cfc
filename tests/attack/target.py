"""A running hailong with something in it to attack: a province, a commune
and two schools; an admin with a signed-in session, a staff API token, an
open round with slips and a few parents' answers.  Shared by the attack
scripts of tests/attack (issue 9, point 4)."""
import hashlib
import json
import os
import re
import secrets
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import (SOURCE_ROOT, Server, body_for, database_with_units,  # noqa: E402,F401
                     ensure_playwright, form_token, process_sockets, run_cli, run_node_tap,
                     run_tests)

PASSWORD = "mật khẩu đủ dài 123"
FORM = "hop-phu-huynh-nhanh"
ADMIN = "hieu-truong.a"


def org_csv(province="Sở GD&ĐT", school="Trường THCS A"):
    rows = [("79", province, "province", "", ""), ("79-X", "Phường X", "commune", "79", ""),
            ("79-A", school, "school", "79-X", "thcs"),
            ("79-B", "Trường THCS B", "school", "79-X", "thcs")]
    lines = ["code,name,kind,parent_code,school_level"]
    for row in rows:
        lines.append(",".join('"' + v.replace('"', '""') + '"' for v in row))
    return "\n".join(lines) + "\n"


class Target:
    def __init__(self, tap, scratch, org=None, server_args=(), title="Họp phụ huynh đầu năm"):
        self.tap = tap
        self.pg, self.env = database_with_units(tap, scratch, org or org_csv())
        out = run_cli(["user", "add", "--org", "79", "--role", "admin", "--login", ADMIN],
                      env=self.env, stdin=PASSWORD + "\n")
        tap.eq(out.returncode, 0, f"account {ADMIN}")
        out = run_cli(["token", "create", "--org", "79", "--role", "admin",
                       "--name", "cổng báo cáo"], env=self.env)
        found = re.search(r"^(hl_\S+)$", out.stdout, re.M)
        tap.ok(found, "an API token", out.stderr)
        self.api_token = found.group(1) if found else ""
        self.server = Server(scratch, self.pg.conninfo, args=list(server_args))
        self.port = self.server.port
        self.origin = f"http://127.0.0.1:{self.port}"
        self.session, self.csrf = self.new_session()
        self.round = self.create_round(title)

    def new_session(self):
        """A signed-in admin session, as POST /login makes it (sign-in
        itself is test_login's)."""
        token = secrets.token_urlsafe(32)
        digest = hashlib.sha256(token.encode()).hexdigest()
        csrf = secrets.token_hex(16)
        self.pg.psql("INSERT INTO staff_session (token_hash, account_id, csrf, expires_at)"
                     f" SELECT '{digest}', id, '{csrf}', now() + interval '2 hours'"
                     f" FROM account WHERE login = '{ADMIN}'")
        return token, csrf

    @property
    def cookie(self):
        return f"hl_session={self.session}"

    def api(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.api_token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self.server.request(method, path, body=data, headers=headers, timeout=30)

    def create_round(self, title, unit="79-A"):
        r = self.api("POST", "/api/v1/campaigns",
                     {"unit": unit, "form": FORM, "title": title, "opens": "2026-01-01 07:00",
                      "closes": "2099-12-31 17:00", "target": 40, "mode": "both"})
        self.tap.eq(r.status, 201, "a round is created through the API")
        return r.json().get("code", "XXXXXX") if r.status == 201 else "XXXXXX"

    def submit(self, code, comment=None):
        """One parent's answers; the text question gets `comment`.  Returns the status."""
        page = self.server.get(f"/s/{code}").text
        body = body_for(page)
        if comment is not None:
            for name in re.findall(r'<textarea name="(q\d+)"', page):
                body[name] = comment
        r = self.server.request("POST", f"/s/{code}", body=urllib.parse.urlencode(body),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        return r.status

    def aggregate(self):
        out = run_cli(["aggregate"], env=self.env)
        self.tap.ok(out.returncode == 0, "hailong aggregate", out.stderr)
