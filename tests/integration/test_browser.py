"""A real headless Chromium at a phone's size fills and sends a form
(tests/browser/survey.mjs); screenshots go to the build folder."""
import os

from harness import App, ensure_playwright, run_node_tap, run_tests


def main(tap, scratch):
    ensure_playwright(tap)
    app = App(scratch)
    code = app.code_of("hop-phu-huynh-nhanh")
    shots = os.path.join(os.environ.get("HAILONG_BUILD_ROOT", scratch.path), "screenshots")
    run_node_tap(tap, "survey.mjs", [f"http://127.0.0.1:{app.server.port}/s/{code}", shots])
    stored = app.pg.psql("SELECT count(*) FROM response")
    tap.eq(stored, "2", "both browser submissions are stored, once each")


run_tests(main)
