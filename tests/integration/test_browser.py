"""A real headless Chromium at a phone's size fills and sends a form
(tests/browser/survey.mjs); screenshots go to the build folder."""
import os
import subprocess

from harness import SOURCE_ROOT, App, run_tests

BROWSER_DIR = os.path.join(SOURCE_ROOT, "tests", "browser")


def main(tap, scratch):
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        out = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"],
                             cwd=BROWSER_DIR, capture_output=True, text=True, timeout=300)
        tap.ok(out.returncode == 0, "playwright-core installed from the lock file", out.stderr)
    app = App(scratch)
    code = app.code_of("hop-phu-huynh-nhanh")
    shots = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots")
    out = subprocess.run(["node", os.path.join(BROWSER_DIR, "survey.mjs"),
                          f"http://127.0.0.1:{app.server.port}/s/{code}", shots],
                         capture_output=True, text=True, timeout=180)
    for line in out.stdout.splitlines():
        if line.startswith(("ok ", "not ok ")):
            ok = line.startswith("ok ")
            tap.ok(ok, line.split(" - ", 1)[-1])
        elif line.startswith("# "):
            tap.diag(line[2:])
    tap.ok(out.returncode == 0, "the browser script succeeded", out.stderr[-3000:])
    stored = app.pg.psql("SELECT count(*) FROM response")
    tap.eq(stored, "2", "both browser submissions are stored, once each")


run_tests(main)
