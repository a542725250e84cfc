"""Runs the hailong binary under valgrind's memcheck for the integration
tests (`meson test --setup valgrind`, HAILONG_VALGRIND=1).

The wrapper is a script with every path written into it, because some tests
start the binary with a bare environment.  Each process writes its own log;
at the end of the test, report() turns them into TAP results: no invalid
access, no use of uninitialised memory, and no block definitely or indirectly
lost in any process that exited by itself or on SIGTERM.  A process killed
with SIGKILL (the fault tests do that) has no leak summary; its errors up to
the kill still count.
"""
import glob
import os
import re
import shlex
import shutil
import tempfile

OPTIONS = [
    "--tool=memcheck",
    "--leak-check=full",
    "--show-leak-kinds=definite,indirect",
    "--errors-for-leak-kinds=definite,indirect",
    "--num-callers=30",
    # Report workers and the committer are threads: keep valgrind's
    # scheduler fair so their deadlines still mean something.
    "--fair-sched=yes",
]


class Valgrind:
    def __init__(self, binary, source_root):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="hailong-valgrind-")
        os.chmod(self.dir, 0o755)
        self.wrapper = os.path.join(self.dir, "hailong")
        supp = os.path.join(source_root, "tests", "valgrind.supp")
        args = [shutil.which("valgrind") or "/usr/bin/valgrind", *OPTIONS,
                f"--suppressions={supp}",
                f"--log-file={self.dir}/vg.%p.log", binary]
        with open(self.wrapper, "w") as f:
            f.write("#!/bin/sh\nexec " + " ".join(shlex.quote(a) for a in args) + ' "$@"\n')
        os.chmod(self.wrapper, 0o755)

    def report(self, tap):
        logs = sorted(glob.glob(os.path.join(self.dir, "vg.*.log")))
        checked = killed = 0
        for path in logs:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            command = re.search(r"^==\d+== Command: (.*)$", text, re.M)
            command = command.group(1) if command else "?"
            command = command.replace(self.binary, "hailong")
            summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
            if not summary:
                # Killed: no summary, but errors seen before are in the log.
                killed += 1
                errors = len(re.findall(r"^==\d+== (Invalid|Conditional|Use of uninit|"
                                        r"Syscall param|Mismatched|Source and destination)",
                                        text, re.M))
                tap.ok(errors == 0, f"valgrind: no memory error in `{command}` (killed)",
                       text[-6000:])
                continue
            checked += 1
            tap.ok(summary.group(1) == "0",
                   f"valgrind: no memory error or leak in `{command}`", text[-6000:])
        if logs:
            tap.diag(f"valgrind watched {len(logs)} runs of the binary "
                     f"({checked} with a leak check, {killed} killed)")
        else:
            tap.skip("valgrind: runs of the binary checked", "this test does not run it")
        shutil.rmtree(self.dir, ignore_errors=True)
