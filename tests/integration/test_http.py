"""HTTP skeleton: health, routing errors, limits, request logging."""
import json

from harness import Postgres, Server, run_tests


def main(tap, scratch):
    pg = Postgres(scratch)
    migrated = pg.createdb("app")
    from harness import run_cli
    out = run_cli(["migrate"], env={"DATABASE_URL": migrated})
    tap.eq(out.returncode, 0, "migrate on a fresh database succeeds")
    server = Server(scratch, migrated, env={"HAILONG_HTTP_MAX_BODY": "4KiB",
                                            "HAILONG_HTTP_MAX_HEADERS": "4KiB"})

    r = server.get("/healthz")
    tap.eq(r.status, 200, "GET /healthz answers 200 with the database up")
    doc = r.json()
    tap.eq((doc["status"], doc["database"]), ("ok", "ok"), "health body says ok")
    tap.ok(isinstance(doc.get("schema_version"), int), "health body carries the schema version")
    tap.eq(r.header("Content-Type"), "application/json", "health is JSON")
    request_id = r.header("X-Request-Id")
    tap.match(request_id, r"^[0-9a-f]{16}$", "every answer carries a request id")
    tap.eq(r.header("X-Content-Type-Options"), "nosniff", "nosniff on every answer")

    head = server.request("HEAD", "/healthz")
    tap.eq((head.status, head.body), (200, b""), "HEAD /healthz: 200 and no body")

    r = server.get("/no/such/page")
    tap.eq(r.status, 404, "unknown path: 404")
    tap.eq(r.json()["error"]["code"], "not_found", "404 body has an error code")
    tap.eq(server.get("/healthz/").status, 404, "trailing slash is another path: 404")
    tap.ok(server.get("//healthz").status in (400, 404), "a path starting with // is refused")
    tap.eq(server.get("/a//b").status, 404, "an empty segment: 404")

    r = server.request("DELETE", "/healthz")
    tap.eq(r.status, 405, "DELETE on a GET route: 405")
    tap.eq(r.header("Allow"), "GET, HEAD", "405 names the allowed methods")
    tap.eq(server.request("POST", "/healthz", body=b"x").status, 405, "POST on a GET route: 405")
    r = server.request("OPTIONS", "/healthz")
    tap.eq((r.status, r.header("Allow")), (204, "GET, HEAD"), "OPTIONS lists the methods")

    raw = server.raw(b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    tap.match(raw.decode("latin-1"), r"^HTTP/1\.1 (400|405|501)", "an unknown method is refused")

    r = server.get("/heal%zzthz")
    tap.eq(r.status, 400, "a malformed percent-escape: 400")
    r = server.get("/a%00b")
    tap.eq(r.status, 400, "an encoded NUL byte in the path: 400")

    big = b"x" * (64 * 1024)
    r = server.request("POST", "/healthz", body=big)
    tap.eq(r.status, 413, "a body over http-max-body (Content-Length): 413")
    raw = server.raw(b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     b"".join(b"%x\r\n%s\r\n" % (1024, b"y" * 1024) for _ in range(16)) +
                     b"0\r\n\r\n")
    tap.match(raw.decode("latin-1"), r"^HTTP/1\.1 413", "a chunked body over the limit: 413")

    r = server.get("/healthz", headers={"X-Filler": "z" * 8192})
    tap.ok(r.status in (400, 413, 431), "headers over http-max-headers are refused",
           f"status {r.status}")
    tap.eq(server.get("/healthz").status, 200, "the server still serves after the refusals")

    # Keep-alive: two requests on one connection.
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/healthz")
    first = conn.getresponse()
    first.read()
    conn.request("GET", "/nope")
    second = conn.getresponse()
    second.read()
    conn.close()
    tap.eq((first.status, second.status), (200, 404), "keep-alive connection serves two requests")

    secret = "SECRET-BODY-" + "q" * 20
    server.request("POST", "/healthz", body=secret.encode(), headers={"Content-Type": "text/plain"})
    server.get("/healthz?token=SECRET-QUERY")
    line = server.wait_log(rf"req={request_id} .*msg=request", timeout=5)
    tap.ok(line is not None, "one log line per request, with the request id", server.log_text())
    if line:
        for field in ("method=GET", "route=/healthz", "status=200", "duration_ms=", "bytes="):
            tap.ok(field in line, f"request log line has {field}", line)
    server.wait_log(r"route=- path=/healthz .*status=405", timeout=5)
    log = server.log_text()
    tap.ok("SECRET-BODY" not in log, "request bodies never reach the log")
    tap.ok("SECRET-QUERY" not in log, "query strings never reach the log")

    hostile = "/x%0aInjected:%20line%22"
    rid = server.get(hostile).header("X-Request-Id")
    line = server.wait_log(rf"req={rid} .*msg=request", timeout=5)
    lines = server.log_text().splitlines()
    tap.ok(line is not None and 'path="/…"' in line and "Injected" not in line and
           not any(l.startswith("Injected") for l in lines),
           "an unknown path is not logged, so its bytes cannot forge a log line", line)
    tap.ok(json.loads(server.get("/healthz").body)["status"] == "ok", "still healthy at the end")


run_tests(main)
