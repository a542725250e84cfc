"""QR codes: every generated code decodes (zbarimg) to the exact form URL,
from the command line and from the server, as PNG and as SVG."""
import os
import subprocess

from harness import BINARY, Postgres, Server, run_cli, run_tests

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def decode(path):
    out = subprocess.run(["zbarimg", "-q", "--raw", path], capture_output=True, text=True,
                         timeout=60)
    return out.stdout.strip()


def svg_to_png(scratch, svg_path, name):
    png = os.path.join(scratch.path, name)
    subprocess.run(["chromium"] + CHROMIUM_FLAGS +
                   [f"--user-data-dir={scratch.sub('chromium-' + name)}", "--window-size=500,500",
                    f"--screenshot={png}", f"file://{svg_path}"],
                   capture_output=True, timeout=120)
    return png


def main(tap, scratch):
    base = "https://khaosat.sgddt.example.vn/hl"
    env = {"HAILONG_BASE_URL": base}
    for code, want in (("ABCDEF", "ABCDEF"), ("abcd-efgh-jkmnp", "ABCDEFGHJKMNP")):
        png = os.path.join(scratch.path, f"{want}.png")
        with open(png, "wb") as f:
            out = subprocess.run([BINARY, "qr", code, "--format", "png"], env={**os.environ, **env},
                                 stdout=f, stderr=subprocess.PIPE, timeout=30)
        tap.eq(out.returncode, 0, f"hailong qr {code} --format png")
        tap.eq(decode(png), f"{base}/s/{want}", f"the PNG of {code} decodes to the exact URL")
        svg = os.path.join(scratch.path, f"{want}.svg")
        with open(svg, "wb") as f:
            out = subprocess.run([BINARY, "qr", code, "--format", "svg"], env={**os.environ, **env},
                                 stdout=f, stderr=subprocess.PIPE, timeout=30)
        tap.eq(out.returncode, 0, f"hailong qr {code} --format svg")
        tap.eq(decode(svg_to_png(scratch, svg, f"{want}-svg.png")), f"{base}/s/{want}",
               f"the SVG of {code}, drawn by Chromium, decodes to the exact URL")
    with open(os.path.join(scratch.path, "ABCDEF.svg"), encoding="utf-8") as f:
        svg_text = f.read()
    tap.ok('width="41.0mm"' in svg_text and '<rect width="41" height="41" fill="#fff"/>' in svg_text,
           "the SVG has a 4-module quiet zone and a print size in millimetres")
    out = run_cli(["qr", "OOOOOO", "--format", "png"])
    tap.ok(out.returncode == 2 and "is not a round or slip code" in out.stderr,
           "a malformed code: exit 2 with a message")
    out = run_cli(["qr", "ABCDEF", "--format", "gif"])
    tap.eq(out.returncode, 2, "an unknown format: exit 2")

    pg = Postgres(scratch)
    server = Server(scratch, pg.conninfo, env={"HAILONG_BASE_URL": "http://hailong.test"})
    r = server.get("/s/abcdef/qr.png")
    tap.ok(r.status == 200 and r.header("Content-Type") == "image/png", "GET /s/CODE/qr.png")
    path = os.path.join(scratch.path, "served.png")
    with open(path, "wb") as f:
        f.write(r.body)
    tap.eq(decode(path), "http://hailong.test/s/ABCDEF", "the served PNG decodes to the URL")
    r = server.get("/s/ABCDEFGHJKMNP/qr.svg")
    tap.ok(r.status == 200 and r.header("Content-Type") == "image/svg+xml", "GET /s/CODE/qr.svg")
    path = os.path.join(scratch.path, "served.svg")
    with open(path, "wb") as f:
        f.write(r.body)
    tap.eq(decode(svg_to_png(scratch, path, "served-svg.png")),
           "http://hailong.test/s/ABCDEFGHJKMNP", "the served SVG decodes to the URL")
    tap.eq(server.get("/s/not-a-code/qr.png").status, 404, "a malformed code: 404")


run_tests(main)
