"""sqlmap against every parameter of every route (issue 9, point 4).

Which parameters exist is not written down here by hand, so that a new one
cannot be missed:
  - the staff pages and the parents' form are fetched and every <form> on
    them is read: its action, method and fields;
  - the API's paths, query parameters and JSON body fields come from
    docs/openapi.yaml;
  - every path parameter of the route table (server/handlers.c) is marked.
Each parameter gets sqlmap's custom injection mark `*`; anti-CSRF and
once-only form tokens are refetched for every request (--csrf-token), so
sqlmap's requests reach the handlers rather than bouncing off a 403.  The
session cookie and the API token are attacked too.

A positive control runs first: a deliberately injectable endpoint (a small
HTTP server in this script that pastes its parameter into SQL run by psql on
the same PostgreSQL) must be found injectable, or the scan proves nothing.
Then every sqlmap run against hailong must end with "all tested parameters
do not appear to be injectable", having tested as many points as it was
given marks.  At the end every route of the route table must have been
attacked or be listed in NO_PARAMETERS with the reason.
"""
import html.parser
import json
import http.server
import os
import re
import subprocess
import threading
import time
import urllib.parse

from target import SOURCE_ROOT, Target, run_cli, run_tests

# Routes whose requests carry nothing to inject: no path parameter, no query
# or form field, no body (the cookie and the token are attacked on others).
NO_PARAMETERS = {
    ("GET", "/healthz"): "no parameter",
    ("GET", "/favicon.ico"): "no parameter",
    ("GET", "/robots.txt"): "no parameter",
    ("GET", "/api/v1/me"): "no parameter; the Authorization header is attacked on it",
    ("POST", "/logout"): "only the CSRF token; it ends the session",
    ("GET", "/staff"): "no parameter; the session cookie is attacked on it",
    ("GET", "/staff/rounds/new"): "no parameter; its form is attacked",
    ("GET", "/staff/accounts"): "no parameter; its forms are attacked",
    ("GET", "/staff/tokens"): "no parameter; its forms are attacked",
}
SQLMAP_SECONDS = 300  # one sqlmap run; they take a few seconds each here
# sqlmap's depth: level 1 and risk 1 in the test command (about five
# minutes); ATTACK_SQLMAP_LEVEL=2 ATTACK_SQLMAP_RISK=2 for a deeper run
# (more payloads per point, the cookie of every request as well).
LEVEL = int(os.environ.get("ATTACK_SQLMAP_LEVEL", "1"))
RISK = int(os.environ.get("ATTACK_SQLMAP_RISK", "1"))


class Forms(html.parser.HTMLParser):
    """Every <form> of a page: method, action and its named fields with
    their first value (the first option of a select, a checked radio)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"method": (a.get("method") or "get").upper(),
                            "action": a.get("action") or "", "fields": {}}
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "select", "textarea") and a.get("name"):
            fields = self.current["fields"]
            kind = (a.get("type") or "").lower()
            if kind in ("submit", "button", "file"):
                return
            if kind in ("radio", "checkbox") and a["name"] in fields:
                return
            fields.setdefault(a["name"], a.get("value") or "1")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def routes():
    """The route table: (method, pattern) pairs read from server/handlers.c."""
    with open(os.path.join(SOURCE_ROOT, "server", "handlers.c"), encoding="utf-8") as f:
        text = f.read()
    found = []
    for methods, pattern in re.findall(r'\{((?:HTTP_[A-Z]+\s*\|?\s*)+),\s*"([^"]+)"', text):
        for method in re.findall(r"HTTP_([A-Z]+)", methods):
            found.append((method, pattern))
    return found


def route_of(method, path):
    """The pattern of the route a path matches, and the indices of its
    parameter segments."""
    segs = path.strip("/").split("/")
    best = None
    for m, pattern in routes():
        psegs = pattern.strip("/").split("/")
        if m != method or len(psegs) != len(segs):
            continue
        params = [i for i, s in enumerate(psegs) if s.startswith("{")]
        if all(p.startswith("{") or p == s for p, s in zip(psegs, segs)):
            if best is None or len(params) < len(best[1]):
                best = (pattern, params)
    return best


def marked_path(path, params):
    segs = path.strip("/").split("/")
    for i in params:
        segs[i] += "*"
    return "/" + "/".join(segs)


def openapi():
    """docs/openapi.yaml as data.  PyYAML may live only in Debian's python3
    (package python3-yaml), not in the python3 running the tests."""
    path = os.path.join(SOURCE_ROOT, "docs", "openapi.yaml")
    try:
        import yaml
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except ImportError:
        out = subprocess.run(["/usr/bin/python3", "-c", "import json, sys, yaml; "
                              "json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path],
                             capture_output=True, text=True, timeout=60, check=True)
        return json.loads(out.stdout)


class Control(http.server.BaseHTTPRequestHandler):
    """The deliberately injectable endpoint of the positive control."""

    def do_GET(self):  # noqa: N802 - the http.server API
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        item = query.get("id", ["1"])[0]
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-d", self.server.conninfo, "-c",
                              "SELECT name FROM control_item WHERE id = " + item],
                             capture_output=True, text=True, timeout=30)
        body = (out.stdout if out.returncode == 0 else out.stderr).encode()
        self.send_response(200 if out.returncode == 0 else 500)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def sqlmap(scratch, args):
    env = dict(os.environ, TERM="dumb")
    cmd = ["sqlmap", "--batch", "--dbms=PostgreSQL", f"--level={LEVEL}", f"--risk={RISK}",
           "--flush-session", "--disable-coloring", "--time-sec=2", "--timeout=20",
           "--retries=1", "--output-dir", os.path.join(scratch.path, "sqlmap"), *args]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=SQLMAP_SECONDS, env=env)
        return out.stdout + out.stderr
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode("utf-8", "replace") + "\n[timeout]"


def verdict(log):
    """(injectable, number of points tested)."""
    # sqlmap's verdict, after its own false-positive check: a point that
    # "appears to be" injectable and then fails that check (the sign-in
    # page's answers change when its rate limit starts) is not one.
    injectable = bool(re.search(r"identified the following injection point|"
                                r"parameter '[^']*' is vulnerable", log))
    # One such line per point tested.  Not a set of names: with --method
    # PATCH sqlmap names the path's point like the body's first.
    tested = re.findall(r"parameter '[^']+' does not seem to be injectable", log)
    return injectable, len(tested)


def query_names():
    """Every query parameter a handler reads, from the sources."""
    names = set()
    folder = os.path.join(SOURCE_ROOT, "server")
    for name in os.listdir(folder):
        if name.startswith("handler") and name.endswith(".c"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text = f.read()
            names.update(re.findall(r'(?:http_query_(?:param|number|value)\(r, |PARAM\()"(\w+)"',
                                    text))
    return names


def control(tap, scratch, target):
    target.pg.psql("CREATE TABLE control_item (id int PRIMARY KEY, name text);"
                   "INSERT INTO control_item VALUES (1, 'một'), (2, 'hai'), (3, 'ba')")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Control)
    server.conninfo = target.pg.conninfo
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scratch.on_cleanup(server.shutdown)
    log = sqlmap(scratch, ["-u", f"http://127.0.0.1:{server.server_port}/item?id=1*"])
    injectable, _ = verdict(log)
    tap.ok(injectable, "control: sqlmap finds the deliberately injectable endpoint", log[-3000:])


class Attacks:
    def __init__(self, tap, scratch, target):
        self.tap, self.scratch, self.t = tap, scratch, target
        self.attacked = set()
        self.queried = set()
        self.seen = set()
        self.logs = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "sqlmap")
        os.makedirs(self.logs, exist_ok=True)
        self.points = 0

    def run(self, label, method, path, query=None, form=None, json_body=None, auth="cookie",
            csrf=None, csrf_url=None, mark_auth=False):
        """One sqlmap run: every value of query, form and json_body and
        every path parameter marked, csrf refetched from csrf_url."""
        found = route_of(method, urllib.parse.urlsplit(path).path)
        if not found:
            self.tap.ok(False, f"{label}: {method} {path} matches a route")
            return
        pattern, params = found
        key = (method, pattern, tuple(sorted(query or {})), tuple(sorted(form or {})),
               tuple(sorted(json_body or {})), mark_auth)
        if key in self.seen:
            return
        self.seen.add(key)
        url = self.t.origin + marked_path(path, params)
        marks = len(params)
        if query:
            self.queried.update(query)
            parts = []
            for name, value in query.items():
                parts.append(f"{urllib.parse.quote(name)}={urllib.parse.quote(str(value), safe='')}*")
                marks += 1
            url += "?" + "&".join(parts)
        args = ["-u", url]
        if method not in ("GET", "POST"):
            args += ["--method", method]
        if form is not None:
            parts = []
            for name, value in form.items():
                v = urllib.parse.quote(str(value), safe="")
                if name == csrf:
                    parts.append(f"{urllib.parse.quote(name)}={v}")
                else:
                    parts.append(f"{urllib.parse.quote(name)}={v}*")
                    marks += 1
            args += ["--data", "&".join(parts) or "_=1"]
        if json_body is not None:
            body = ", ".join(f'"{k}": "{v}*"' for k, v in json_body.items())
            marks += len(json_body)
            args += ["--data", "{" + body + "}", "--headers", "Content-Type: application/json"]
        # A fresh session per run: nothing sqlmap sends can leave the next
        # run signed out.
        session, _ = self.t.new_session()
        if auth == "cookie":
            args += ["--cookie", f"hl_session={session}" + ("*" if mark_auth else "")]
        elif auth == "bearer":
            args += ["--headers", "Authorization: Bearer " + self.t.api_token +
                     ("*" if mark_auth else "")]
        marks += 1 if mark_auth else 0
        if csrf:
            args += ["--csrf-token", csrf, "--csrf-url", self.t.origin + csrf_url]
        # Refusals are answers too: a wrong password is 401, a foreign
        # token 403; sqlmap would otherwise stop at the first.
        args += ["--ignore-code=401,403"]
        started = time.monotonic()
        log = sqlmap(self.scratch, args)
        with open(os.path.join(self.logs, f"{len(self.seen):02d}.log"), "w") as f:
            f.write(" ".join(args) + "\n" + log)
        injectable, tested = verdict(log)
        clean = "all tested parameters do not appear to be injectable" in log
        # From --level 2 sqlmap also tries the cookie it was given: more
        # points than marks is fine, fewer means some were not reached.
        self.tap.ok(not injectable and clean and tested >= marks,
                    f"sqlmap {label}: {method} {pattern}, {marks} parameter(s), none injectable "
                    f"({time.monotonic() - started:.0f} s, {tested} tested)", log[-4000:])
        self.attacked.add((method, pattern))
        self.points += tested

    def page_forms(self, path, session=None):
        page = self.t.server.get(path, headers={"Cookie": f"hl_session={session or self.t.session}"})
        if page.status != 200:
            self.tap.ok(False, f"{path} opens for the crawl", page.status)
            return []
        parser = Forms()
        parser.feed(page.text)
        return parser.forms

    def crawl(self, start_pages):
        for page in start_pages:
            for form in self.page_forms(page):
                action = urllib.parse.urlsplit(form["action"] or page)
                fields = form["fields"]
                csrf = next((n for n in ("csrf", "f", "t") if n in fields), None)
                if action.path == "/logout":
                    continue
                if form["method"] == "GET":
                    self.run(f"form on {page}", "GET", action.path, query=fields)
                elif action.path.startswith("/s/"):
                    self.run(f"form on {page}", "POST", action.path, form=fields, csrf=csrf,
                             csrf_url=page, auth="none")
                else:
                    # A staff session has one CSRF token for all its forms:
                    # take it from a page that always has a form, since
                    # sqlmap's first request may close the round whose page
                    # this form was on.
                    self.run(f"form on {page}", "POST", action.path, form=fields, csrf=csrf,
                             csrf_url="/staff/rounds/new")

    def api(self, spec, samples):
        def resolve(node):
            while isinstance(node, dict) and "$ref" in node:
                ref = node["$ref"].split("/")[1:]
                node = spec
                for part in ref:
                    node = node[part]
            return node

        for path, ops in spec["paths"].items():
            shared = ops.get("parameters", [])
            for method, op in ops.items():
                if method == "parameters":
                    continue
                params = [resolve(p) for p in shared + op.get("parameters", [])]
                real = path
                query = {}
                for p in params:
                    if p.get("in") == "path":
                        real = real.replace("{" + p["name"] + "}", samples[(path, p["name"])])
                    elif p.get("in") == "query":
                        query[p["name"]] = samples.get(p["name"], "1")
                body = None
                if "requestBody" in op:
                    schema = resolve(op["requestBody"]["content"]["application/json"]["schema"])
                    body = {name: samples.get(name, "1") for name in schema.get("properties", {})}
                if (method.upper(), path) in NO_PARAMETERS and not query and body is None:
                    continue
                self.run("API", method.upper(), real, query=query or None, json_body=body,
                         auth="bearer")


def main(tap, scratch):
    t = Target(tap, scratch, server_args=["--rate-limit", "1000000", "--rate-burst", "1000000"])
    out = run_cli(["user", "add", "--org", "79-A", "--role", "staff", "--login", "gv.b"],
                  env=t.env, stdin="mật khẩu đủ dài 456\n")
    tap.eq(out.returncode, 0, "a second account, for the account forms")
    run_cli(["token", "create", "--org", "79-A", "--role", "viewer", "--name", "khóa thử"], env=t.env)
    for _ in range(6):
        t.submit(t.round, "Cô giáo rất tận tâm")
    t.aggregate()
    tap.eq(t.api("POST", f"/api/v1/campaigns/{t.round}/slips", {"count": 3, "batch": 1}).status,
           200, "a batch of slips")
    spare = t.create_round("Đợt để đóng")
    control(tap, scratch, t)

    attacks = Attacks(tap, scratch, t)
    r = t.round
    # The parents' side.
    attacks.run("parent", "GET", f"/s/{r}", auth="none")
    attacks.run("parent", "GET", f"/s/{r}/qr.svg", auth="none")
    attacks.run("parent", "GET", f"/s/{r}/qr.png", auth="none")
    parent_form = next((f for f in attacks.page_forms(f"/s/{r}") if f["method"] == "POST"), None)
    tap.ok(parent_form and len(parent_form["fields"]) > 3, "the parents' form is read")
    if parent_form:
        attacks.run("parent", "POST", f"/s/{r}", form=parent_form["fields"], csrf="t",
                    csrf_url=f"/s/{r}", auth="none")
    login_form = next((f for f in attacks.page_forms("/login") if f["method"] == "POST"), None)
    if login_form:
        attacks.run("sign-in", "POST", "/login", form=login_form["fields"], csrf="f",
                    csrf_url="/login", auth="none")
    attacks.run("sign-in", "GET", "/login", query={"next": "/staff"}, auth="none")
    attacks.run("session cookie", "GET", "/staff", mark_auth=True)
    attacks.run("API token", "GET", "/api/v1/me", auth="bearer", mark_auth=True)

    # Staff pages: query parameters the handlers read, then every form.
    attacks.run("rounds", "GET", "/staff/rounds", query={"state": "open", "page": "1"})
    attacks.run("report", "GET", "/staff/reports/79",
                query={"from": "01/09/2026", "to": "31/05/2027", "compare_from": "01/09/2025",
                       "compare_to": "31/05/2026", "campaign": r, "q": "cô", "comments_offset": "0"})
    attacks.run("audit", "GET", "/staff/audit",
                query={"actor": "hieu-truong.a", "action": "account.create", "from": "01/01/2026",
                       "to": "31/12/2026", "before": "100"})
    for path in (f"/staff/rounds/{r}", f"/staff/rounds/{r}/edit", f"/staff/rounds/{r}/poster",
                 "/staff/reports/79-A"):
        attacks.run("page", "GET", path)
    for path in (f"/staff/rounds/{r}/slips", f"/staff/rounds/{r}/paper"):
        attacks.run("page", "GET", path, query={"batch": "1"})
    attacks.run("page", "GET", f"/staff/rounds/{r}/entry", query={"saved": "1"})
    token_page = attacks.t.server.get("/staff/tokens", headers={"Cookie": t.cookie}).text
    tap.match(token_page, r"/staff/tokens/\d+/revoke", "the tokens page lists a token to revoke")
    attacks.crawl(["/staff", "/staff/rounds", "/staff/rounds/new", f"/staff/rounds/{r}",
                   f"/staff/rounds/{r}/edit", f"/staff/rounds/{r}/slips?batch=1",
                   f"/staff/rounds/{r}/entry", "/staff/reports/79", "/staff/accounts",
                   "/staff/tokens", "/staff/audit", f"/staff/rounds/{spare}"])
    # sqlmap's own requests disabled the second account: its page now
    # offers the form that enables it again.
    tap.eq(t.pg.psql("SELECT disabled_at IS NOT NULL FROM account WHERE login = 'gv.b'"), "t",
           "the account forms were used: the second account is disabled")
    attacks.crawl(["/staff/accounts"])

    spec = openapi()
    samples = {("/api/v1/units/{code}", "code"): "79-A", ("/api/v1/reports/{code}", "code"): "79",
               ("/api/v1/reports/{code}/comments", "code"): "79",
               "unit": "79-A", "form": "hop-phu-huynh-nhanh", "title": "Họp", "state": "open",
               "opens": "2026-01-01 07:00", "closes": "2099-12-31 17:00", "from": "2026-01-01",
               "to": "2026-12-31", "compare_from": "2025-01-01", "compare_to": "2025-12-31",
               "campaign": r, "q": "cô", "format": "json", "limit": "10", "offset": "0",
               "before": "100", "batch": "1", "count": "2", "mode": "both", "target": "40"}
    for path in spec["paths"]:
        if "{code}" in path and (path, "code") not in samples:
            samples[(path, "code")] = spare if path.endswith("/close") else r
    attacks.api(spec, samples)

    unqueried = sorted(query_names() - attacks.queried)
    tap.ok(not unqueried, f"every query parameter a handler reads was attacked "
                          f"({len(attacks.queried)})", ", ".join(unqueried))
    missing = sorted(set(routes()) - attacks.attacked - set(NO_PARAMETERS))
    tap.ok(not missing, f"every route was attacked ({len(attacks.attacked)} routes, "
                        f"{attacks.points} injection points) or has no parameter",
           "\n".join(f"{m} {p}" for m, p in missing))
    tap.eq(t.server.get("/healthz").status, 200, "the server is still up after the scan")
    tap.ok(t.server.proc.poll() is None, "and never exited")


run_tests(main)
