#!/usr/bin/env python3
"""Prints 'N passed, M failed' from meson testlog.json files.

Counts TAP subtests ("ok"/"not ok" lines) of each test; a test whose program
failed without any failing subtest (a crash, a sanitizer report at exit, a
timeout) counts as one more failure.  Usage: test-summary.py LOG.json…
"""
import json
import re
import sys

passed = failed = skipped = 0
failures = []
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as exc:
        print(f"cannot read {path}: {exc}")
        failed += 1
        continue
    for line in lines:
        entry = json.loads(line)
        name = entry.get("name", "?")
        result = entry.get("result")
        out = entry.get("stdout") or ""
        oks = nots = skips = 0
        for tap in out.splitlines():
            if re.match(r"^ok \d+", tap):
                if re.search(r"#\s*skip", tap, re.I):
                    skips += 1
                else:
                    oks += 1
            elif re.match(r"^not ok \d+", tap):
                nots += 1
                failures.append(f"{path.split('/')[0]}: {name}: {tap}")
        if result == "SKIP":
            skipped += 1
            continue
        if oks + nots + skips == 0:
            # Not a TAP test: count the program itself.
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
                failures.append(f"{path.split('/')[0]}: {name}: {result}")
            continue
        passed += oks
        skipped += skips
        failed += nots
        if result not in ("OK", "EXPECTEDFAIL") and nots == 0:
            failed += 1
            failures.append(f"{path.split('/')[0]}: {name}: {result} (program failed)")

for failure in failures:
    print(f"FAILED {failure}")
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
