"""deploy/nginx.conf in front of the real server: TLS with a self-signed
certificate, the http->https redirect, gzip, and hailong's rate limiter
seeing each client's own address through X-Forwarded-For.  The example is
used as shipped but for its listen ports, certificate paths and upstream
port.  Skipped when nginx or openssl is not installed."""
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time

from harness import SOURCE_ROOT, App, Server, run_cli, run_tests, wait_until

EXAMPLE = os.path.join(SOURCE_ROOT, "deploy", "nginx.conf")
FORM = "hop-phu-huynh-nhanh"
HOST = "khaosat.example.edu.vn"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def template(text, http_port, https_port, cert, key, upstream_port):
    """The example with only its ports and certificate paths changed; each
    line replaced must be found exactly once, so the example cannot drift
    away from what is tested."""
    v6 = ipv6_loopback()
    swaps = [
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", f"listen [::1]:{http_port};" if v6 else ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", f"listen [::1]:{https_port} ssl http2;" if v6 else ""),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", cert),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", key),
    ]
    for old, new in swaps:
        if text.count(old) != 1:
            raise RuntimeError(f"deploy/nginx.conf: expected one \"{old}\"")
        text = text.replace(old, new)
    return text


def start_nginx(scratch, site_text):
    root = scratch.sub("nginx")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        os.chmod(os.path.join(root, sub), 0o777)  # workers may run as nobody
    with open(os.path.join(root, "site.conf"), "w", encoding="utf-8") as f:
        f.write(site_text)
    mime = "include /etc/nginx/mime.types;" if os.path.exists("/etc/nginx/mime.types") else ""
    main = f"""worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections 128; }}
http {{
    {mime}
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/site.conf;
}}
"""
    conf = os.path.join(root, "nginx.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(main)
    check = subprocess.run(["nginx", "-t", "-p", root, "-c", conf], capture_output=True,
                           text=True, timeout=30)
    if check.returncode != 0:
        raise RuntimeError("nginx -t: " + check.stderr)
    proc = subprocess.Popen(["nginx", "-p", root, "-c", conf, "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop():
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    scratch.on_cleanup(stop)
    return proc, root


def https(port, path, source="127.0.0.1", headers=None, ctx=None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=15, context=ctx,
                                       source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Host": HOST, **(headers or {})})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def main(tap, scratch):
    if not shutil.which("nginx") or not shutil.which("openssl"):
        tap.ok(True, "# SKIP nginx or openssl is not installed")
        return
    app = App(scratch)
    code = app.code_of(FORM)
    server = Server(scratch, app.url, args=["--trusted-proxies", "127.0.0.1", "--rate-limit", "1",
                                            "--rate-burst", "3",
                                            "--base-url", f"https://{HOST}"])

    certs = scratch.sub("tls")
    cert, key = os.path.join(certs, "cert.pem"), os.path.join(certs, "key.pem")
    out = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                          "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                          "-keyout", key, "-out", cert], capture_output=True, text=True, timeout=60)
    tap.eq(out.returncode, 0, "a self-signed certificate is made")
    http_port, https_port = free_port(), free_port()
    with open(EXAMPLE, encoding="utf-8") as f:
        site = template(f.read(), http_port, https_port, cert, key, server.port)
    proc, root = start_nginx(scratch, site)
    def listening():
        if proc.poll() is not None:
            return True
        try:
            socket.create_connection(("127.0.0.1", https_port), 1).close()
            return True
        except OSError:
            return False
    up = wait_until(listening, 15)
    tap.ok(up and proc.poll() is None, "nginx runs the example configuration",
           proc.stderr.read().decode() if proc.poll() is not None else "")

    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False  # we dial 127.0.0.1; the certificate names HOST

    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    conn.request("GET", f"/s/{code}", headers={"Host": HOST})
    resp = conn.getresponse()
    tap.ok(resp.status == 301 and resp.getheader("Location") == f"https://{HOST}/s/{code}",
           "plain HTTP is redirected to https://", f"{resp.status} {resp.getheader('Location')}")
    conn.close()

    status, headers, body = https(https_port, "/healthz", ctx=ctx)
    tap.ok(status == 200 and b"ok" in body.lower(), "GET /healthz over TLS reaches hailong",
           f"{status} {body[:200]!r}")
    tap.ok("strict-transport-security" in headers, "HSTS is sent")

    status, headers, body = https(https_port, f"/s/{code}", source="127.0.0.10",
                                  headers={"Accept-Encoding": "gzip"}, ctx=ctx)
    page = gzip.decompress(body).decode() if headers.get("content-encoding") == "gzip" else ""
    tap.ok(status == 200 and "<form" in page and "hài lòng" in page.lower(),
           "a parent's form page renders through nginx, gzip-compressed",
           f"{status} {headers}")

    # JSON: hailong sends it plain, nginx compresses it.
    token = run_cli(["token", "create", "--org", "DEMO-TRUONG", "--role", "viewer", "--name", "ci"],
                    env={"DATABASE_URL": app.url})
    bearer = re.search(r"hl_\S+", token.stdout)
    tap.ok(bearer is not None, "an API token is made", token.stdout + token.stderr)
    auth = {"Authorization": f"Bearer {bearer.group(0) if bearer else ''}",
            "Accept-Encoding": "gzip"}
    direct = server.get("/api/v1/campaigns", headers=auth)
    status, headers, body = https(https_port, "/api/v1/campaigns", headers=auth, ctx=ctx)
    tap.ok(direct.status == 200 and direct.header("Content-Encoding") is None and
           status == 200 and headers.get("content-encoding") == "gzip" and
           json.loads(gzip.decompress(body)) == direct.json(),
           "nginx gzips the JSON that hailong sends plain", f"{status} {headers}")

    # Each client behind nginx has its own rate limit: hailong reads the
    # address nginx appends to X-Forwarded-For (the TCP peer is always
    # nginx, 127.0.0.1, which is trusted).
    path = f"/s/{code}"
    first = [https(https_port, path, source="127.0.0.2", ctx=ctx)[0] for _ in range(4)]
    tap.eq(first, [200, 200, 200, 429], "client 127.0.0.2 through nginx hits its own limit")
    second = [https(https_port, path, source="127.0.0.3", ctx=ctx,
                    headers={"X-Forwarded-For": "127.0.0.2"})[0] for _ in range(3)]
    tap.eq(second, [200, 200, 200],
           "client 127.0.0.3 is not limited by 127.0.0.2, even naming it in X-Forwarded-For")
    forged = https(https_port, path, source="127.0.0.2", ctx=ctx,
                   headers={"X-Forwarded-For": "203.0.113.9"})[0]
    tap.eq(forged, 429, "a forged X-Forwarded-For does not get 127.0.0.2 out of its limit")
    with open(os.path.join(root, "error.log"), encoding="utf-8", errors="replace") as f:
        errors = [l for l in f if "[error]" in l or "[crit]" in l or "[emerg]" in l]
    tap.eq(errors, [], "nginx logged no errors")
    server.signal(15)
    server.wait(20)


if __name__ == "__main__":
    run_tests(main)
