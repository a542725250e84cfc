"""API tokens: created once, stored hashed, scoped, revocable, audited;
every /api/v1/ endpoint refuses callers without one."""
import json
import os
import re

from harness import SOURCE_ROOT, Server, database_with_units, run_cli, run_tests, wait_until

ORG = ("code,name,kind,parent_code,school_level\n"
       "79,Sở GD&ĐT TP.HCM,province,,\n"
       "79-X,Phường X,commune,79,\n"
       "79-A,Trường A,school,79-X,thcs\n"
       "79-B,Trường B,school,79-X,thcs\n")

# Every /api/v1/ endpoint that exists, with the least role it needs.
# {round} is a round of school A (mode both), made before the checks; a body
# goes as JSON.  Ordered so that each call can succeed: slips before listing
# them, closing last, then its published result (once the server's job has
# taken it).
ROUND_FIELDS = {"unit": "79-A", "form": "hop-phu-huynh-nhanh", "title": "Họp phụ huynh",
                "opens": "2026-01-01 07:00", "closes": "2099-01-01 07:00", "mode": "both"}
ENDPOINTS = [("GET", "/api/v1/me", "viewer", None),
             ("GET", "/api/v1/units/79-A", "viewer", None),
             ("GET", "/api/v1/audit", "admin", None),
             ("GET", "/api/v1/campaigns", "viewer", None),
             ("POST", "/api/v1/campaigns", "staff", ROUND_FIELDS),
             ("GET", "/api/v1/campaigns/{round}", "viewer", None),
             ("PATCH", "/api/v1/campaigns/{round}", "staff", {"title": "Họp phụ huynh (sửa)"}),
             ("POST", "/api/v1/campaigns/{round}/slips", "staff", {"count": 3, "batch": 1}),
             ("GET", "/api/v1/campaigns/{round}/slips", "staff", None),
             ("POST", "/api/v1/campaigns/{round}/close", "staff", None),
             ("GET", "/api/v1/campaigns/{round}/snapshot", "viewer", None),
             ("GET", "/api/v1/reports/79-A", "viewer", None),
             ("GET", "/api/v1/reports/79-A/comments", "viewer", None)]
ROLES = ["viewer", "staff", "admin"]


def routes_documented(tap):
    """Every /api/v1/ route of the server is in the matrix and in the OpenAPI file."""
    with open(os.path.join(SOURCE_ROOT, "server", "handlers.c"), encoding="utf-8") as f:
        routes = re.findall(r'\{HTTP_(\w+), "(/api/v1/[^"]*)"', f.read())
    with open(os.path.join(SOURCE_ROOT, "docs", "openapi.yaml"), encoding="utf-8") as f:
        openapi = f.read()
    matrix = {(m, re.sub(r"/(79-A|\{round\})(/|$)", r"/{code}\2", u))
              for m, u, _, _ in ENDPOINTS}
    tap.ok(len(routes) >= 3, f"{len(routes)} API routes found")
    for method, pattern in routes:
        tap.ok((method, pattern) in matrix, f"{method} {pattern} is in the permission matrix")
        block = re.search(rf"\n  {re.escape(pattern)}:\n((?:    .*\n|\n)*)", openapi)
        tap.ok(block and re.search(rf"^    {method.lower()}:", block.group(1), re.M),
               f"{method} {pattern} is in docs/openapi.yaml")


def main(tap, scratch):
    routes_documented(tap)
    pg, env = database_with_units(tap, scratch, ORG)

    out = run_cli(["token", "create", "--org", "79-A", "--role", "viewer", "--name",
                   "Báo cáo trường A"], env=env)
    m = re.search(r"^(hl_[A-Za-z0-9_-]{43})$", out.stdout, re.M)
    tap.ok(out.returncode == 0 and m, "token create prints the token once", out.stdout + out.stderr)
    token = m.group(1) if m else "x"
    stored = pg.psql("SELECT token_hash FROM api_token")
    tap.ok(re.fullmatch(r"[0-9a-f]{64}", stored) and token not in stored,
           "only the token's SHA-256 is stored")
    tap.eq(pg.psql("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1"), "token.create",
           "the creation is in the audit log")
    out = run_cli(["token", "list"], env=env)
    tap.ok(out.returncode == 0 and "Báo cáo trường A\tviewer\t79-A" in out.stdout and
           token not in out.stdout, "token list shows tokens without their secret", out.stdout)
    for args, message in ((["--org", "NOPE", "--role", "viewer", "--name", "x"], "NOPE"),
                          (["--org", "79-A", "--role", "god", "--name", "x"], "invalid role")):
        out = run_cli(["token", "create"] + args, env=env)
        tap.ok(out.returncode == 1 and message in out.stderr, f"token create refused: {message}")

    # A short aggregation interval: the closed round is published at once.
    server = Server(scratch, pg.conninfo, env={"HAILONG_AGGREGATE_INTERVAL": "200ms"})
    for method, url, _, _ in ENDPOINTS:
        url = url.replace("{round}", "ABCDEF")
        r = server.request(method, url)
        tap.ok(r.status == 401 and r.json()["error"]["code"] == "unauthorized" and
               (r.header("WWW-Authenticate") or "").startswith("Bearer"),
               f"{method} {url} without credentials: 401 with WWW-Authenticate")
        for bad in ("Bearer", "Bearer hl_short", "Basic dXNlcjpwYXNz",
                    "Bearer hl_" + "A" * 43, "Bearer ' OR 1=1 --" + "x" * 30,
                    "Bearer " + token[:-1] + "<"):
            r = server.request(method, url, headers={"Authorization": bad})
            tap.ok(r.status == 401 and r.json()["error"]["code"] == "invalid_token",
                   f"{method} {url} with {bad[:24]!r}…: 401 invalid_token")

    auth = {"Authorization": f"Bearer {token}"}
    r = server.get("/api/v1/me", headers=auth)
    tap.eq(r.status, 200, "a valid token is accepted")
    doc = r.json() if r.status == 200 else {}
    tap.eq((doc.get("role"), doc.get("unit", {}).get("code"), doc.get("unit", {}).get("name")),
           ("viewer", "79-A", "Trường A"), "the caller's role and unit come from the token")
    tap.ok(pg.psql("SELECT last_used_at IS NOT NULL FROM api_token") == "t",
           "the token's last use is recorded")
    token_id = pg.psql("SELECT id FROM api_token")
    out = run_cli(["token", "revoke", token_id], env=env)
    tap.eq(out.returncode, 0, "token revoke")
    r = server.get("/api/v1/me", headers=auth)
    tap.eq(r.status, 401, "a revoked token is refused at once")
    tap.eq(run_cli(["token", "revoke", token_id], env=env).returncode, 1,
           "revoking twice: an error")
    tap.eq(run_cli(["token", "revoke", "1; DROP TABLE api_token"], env=env).returncode, 1,
           "a non-numeric id is refused")
    tap.eq(pg.psql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log"),
           "token.create,token.revoke", "creation and revocation are audited")
    res = pg.psql("DELETE FROM audit_log", check=False)
    tap.eq(pg.psql("SELECT count(*) FROM audit_log"), "2", "the audit log is append-only")
    del res

    # Scope and roles, for every endpoint: one token per role on school A,
    # one on school B, one admin on the province.
    def make(org, role):
        out = run_cli(["token", "create", "--org", org, "--role", role, "--name", f"{role} {org}"],
                      env=env)
        return {"Authorization": "Bearer " + re.search(r"^(hl_\S+)$", out.stdout, re.M).group(1)}

    school_a = {role: make("79-A", role) for role in ROLES}
    school_b_admin = make("79-B", "admin")
    province_admin = make("79", "admin")
    out = run_cli(["forms", "load"], env=env)
    tap.eq(out.returncode, 0, "questionnaires loaded for rounds")
    out = run_cli(["campaign", "create", "--org", "79-A", "--form", "hop-phu-huynh-nhanh",
                   "--title", "Họp", "--opens", "2026-01-01 07:00", "--closes", "2099-01-01 07:00",
                   "--mode", "both"], env=env)
    round_code = out.stdout.strip().rsplit("/", 1)[-1]
    for method, url, least, body in ENDPOINTS:
        url = url.replace("{round}", round_code)
        if url.endswith("/snapshot"):
            tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM report_snapshot") == "1", 30),
                   "the closed round is published")
        for role in ROLES:
            data = json.dumps(body).encode() if body is not None else None
            headers = dict(school_a[role])
            if data is not None:
                headers["Content-Type"] = "application/json"
            r = server.request(method, url, body=data, headers=headers)
            allowed = ROLES.index(role) >= ROLES.index(least)
            tap.ok(200 <= r.status < 300 if allowed else r.status == 403,
                   f"{method} {url} as a school-A {role}: {'2xx' if allowed else '403'}",
                   f"{r.status} {r.text[:300]}")
            if not allowed:
                tap.eq(r.json()["error"]["code"], "forbidden", "with the error code forbidden")
    r = server.get("/api/v1/units/79-B", headers=school_a["admin"])
    tap.ok(r.status == 404 and r.json()["error"]["code"] == "not_found",
           "school A's admin asking for school B: 404, not 403")
    tap.eq(server.get("/api/v1/units/79-B", headers=school_b_admin).status, 200,
           "school B's admin sees school B")
    r = server.get("/api/v1/units/79", headers=school_a["viewer"])
    tap.eq(r.status, 404, "a school cannot see the province above it")
    r = server.get("/api/v1/units/79-A", headers=province_admin)
    tap.ok(r.status == 200 and r.json()["name"] == "Trường A" and r.json()["parent"] == "79-X",
           "the province sees its schools")
    tap.eq(server.get("/api/v1/units/NOPE", headers=province_admin).status, 404,
           "an unknown unit: 404")
    audit_a = server.get("/api/v1/audit", headers=school_a["admin"]).json()["items"]
    units_a = {e["unit"] for e in audit_a}
    tap.ok(units_a == {"79-A"} and len(audit_a) >= 4, f"school A's audit log: only school A "
           f"({len(audit_a)} entries)")
    audit_p = server.get("/api/v1/audit", headers=province_admin).json()
    tap.ok({"79-A", "79-B", "79"} <= {e["unit"] for e in audit_p["items"]},
           "the province's admin reads the audit log of the units below it")
    page = server.get("/api/v1/audit?limit=2", headers=province_admin).json()
    nxt = server.get(f"/api/v1/audit?limit=2&before={page['next_before']}",
                     headers=province_admin).json()
    tap.ok(len(page["items"]) == 2 and nxt["items"][0]["id"] < page["items"][-1]["id"],
           "audit entries come newest first, two pages by cursor")
    for bad in ("limit=0", "limit=201", "before=-1", "limit=abc"):
        tap.eq(server.get(f"/api/v1/audit?{bad}", headers=province_admin).status, 400,
               f"audit with {bad}: 400")


run_tests(main)
