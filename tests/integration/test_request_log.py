"""Structured logs from a real server's stderr: one logfmt access line per
request (method, route pattern, status, duration_ms, bytes, req) whose id
is the X-Request-Id the client got; a caller's X-Request-Id is adopted only
when short and safe; warnings raised while serving carry the request's id;
no round code, form token, comment, or client address reaches the log."""
import re
import time
import urllib.parse

from harness import App, form_fields, form_token, run_tests

FORM = "hop-phu-huynh-nhanh"
POST = {"Content-Type": "application/x-www-form-urlencoded"}
COMMENT = "Cô giáo Nguyễn Thị Hoà rất tận tâm"
LOGFMT = re.compile(r'([a-z_]+)=("(?:[^"\\]|\\.)*"|\S+)')


def fields(line):
    return {k: v.strip('"') for k, v in LOGFMT.findall(line)}


def access_lines(server, req_id):
    return [l for l in server.log_text().splitlines()
            if "msg=request" in l and f"req={req_id} " in l]


def main(tap, scratch):
    app = App(scratch, env={"HAILONG_METRICS_TOKEN": "tok-123456"})
    server = app.server
    code = app.code_of(FORM)

    def one_line(r, what):
        rid = r.header("X-Request-Id")
        tap.ok(rid is not None, f"{what}: X-Request-Id sent")
        line = server.wait_log(rf"req={re.escape(rid or '-')} .*msg=request", timeout=5)
        time.sleep(0.1)
        tap.eq(len(access_lines(server, rid)), 1, f"{what}: exactly one access line")
        return fields(line or "")

    f = one_line(server.get("/healthz"), "healthz")
    for key in ("ts", "level", "req", "method", "route", "status", "duration_ms", "bytes"):
        tap.ok(key in f, f"the access line has {key}", str(f))
    tap.eq((f.get("method"), f.get("route"), f.get("status")), ("GET", "/healthz", "200"),
           "method, route and status as sent")
    tap.ok(re.fullmatch(r"\d+\.\d\d", f.get("duration_ms", "")), "duration in ms",
           f.get("duration_ms"))

    # The parents' path: the code, the token and the comment stay out.
    page = server.get(f"/s/{code}")
    f = one_line(page, "form page")
    tap.eq(f.get("route"), "/s/{code}", "the survey page is logged by its route pattern")
    body = {"t": form_token(page.text)}
    for name, values in form_fields(page.text).items():
        choices = [v for v in values if v != "x"]
        body[name] = choices[-1] if choices else COMMENT
    r = server.request("POST", f"/s/{code}", body=urllib.parse.urlencode(body), headers=POST)
    tap.eq(r.status, 200, "a submission with a comment")
    f = one_line(r, "submission")
    tap.eq((f.get("method"), f.get("route"), f.get("status")), ("POST", "/s/{code}", "200"),
           "the submission's access line")
    f = one_line(server.get(f"/s/{code}/qr.svg/extra/{code}"), "unknown path")
    tap.eq((f.get("route"), f.get("path")), ("-", "/s/…"),
           "an unmatched path under a route's first segment: that segment only")
    f = one_line(server.get(f"/{code}"), "a code at the root")
    tap.eq((f.get("route"), f.get("path")), ("-", "/…"),
           "an unmatched path with an unknown first segment: nothing of it")
    log = server.log_text()
    tap.ok(code not in log, "the round code never reaches the log")
    tap.ok(body["t"] not in log and body["t"][:12] not in log, "the form token never does")
    tap.ok("Nguy" not in log and "tận tâm" not in log, "the parent's comment never does")
    requests = [l for l in log.splitlines() if "msg=request" in l]
    tap.ok(requests and not any("127.0.0.1" in l for l in requests),
           "access lines carry no client address")

    # A caller's request id: adopted when safe, replaced otherwise.
    r = server.get("/robots.txt", headers={"X-Request-Id": "edge-7f3A_9.z"})
    tap.eq(r.header("X-Request-Id"), "edge-7f3A_9.z", "a safe incoming X-Request-Id is kept")
    one_line(r, "adopted id")
    for bad, why in (("a" * 65, "too long"), ("x y", "a space"), ('a"b', "a quote"),
                     ("id=1", "an equals sign"), ("", "empty")):
        r = server.get("/robots.txt", headers={"X-Request-Id": bad})
        rid = r.header("X-Request-Id") or ""
        tap.ok(rid != bad and re.fullmatch(r"[0-9a-f]{16}", rid),
               f"an incoming id with {why} is replaced by our own", rid)

    # A warning while serving a request names it.
    r = server.get("/metrics", headers={"Authorization": "Bearer nope"})
    tap.eq(r.status, 403, "a wrong metrics token")
    rid = r.header("X-Request-Id")
    warn = server.wait_log(rf"level=warn req={rid} ", timeout=5)
    tap.ok(warn is not None and "metrics refused" in warn,
           "the warning raised while serving carries the request id", warn)
    tap.ok("nope" not in server.log_text(), "the presented token is not logged")
    # An error reply carries the same id in its body.
    r = server.get("/nowhere")
    tap.eq(r.json()["error"]["request_id"], r.header("X-Request-Id"),
           "an error body names the request id of the header")


run_tests(main)
