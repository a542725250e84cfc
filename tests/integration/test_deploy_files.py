"""deploy/hailong.service: systemd itself checks the unit (systemd-analyze
verify, and its offline security score), and the hardening lines the
deployment guide promises are there.  No database needed."""
import os
import re
import shutil
import subprocess

from harness import BINARY, SOURCE_ROOT, run_tests

UNIT = os.path.join(SOURCE_ROOT, "deploy", "hailong.service")

# What docs/deploy.md says the unit does; each must be set exactly so.
HARDENING = {
    "DynamicUser": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallArchitectures": "native",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "Restart": "on-failure",
    "RestartPreventExitStatus": "2",
    "ExecStart": "/usr/local/bin/hailong serve --config /etc/hailong/hailong.conf",
    "EnvironmentFile": "-/etc/hailong/secret.env",
}


def unit_keys(text):
    keys = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[":
            continue
        key, _, value = line.partition("=")
        keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def main(tap, scratch):
    with open(UNIT, encoding="utf-8") as f:
        text = f.read()
    keys = unit_keys(text)
    for key, want in HARDENING.items():
        tap.eq(keys.get(key), [want], f"the unit sets {key}={want}")
    tap.ok("@system-service" in keys.get("SystemCallFilter", []),
           "the unit allows only the @system-service system calls")

    if not shutil.which("systemd-analyze"):
        tap.ok(True, "# SKIP systemd-analyze is not installed")
        return
    # verify wants ExecStart to exist: point it at the binary just built.
    work = scratch.sub("unit")
    copy = os.path.join(work, "hailong.service")
    with open(copy, "w", encoding="utf-8") as f:
        f.write(text.replace("/usr/local/bin/hailong", os.path.abspath(BINARY)))
    out = subprocess.run(["systemd-analyze", "verify", copy], capture_output=True, text=True,
                         timeout=60)
    # Unknown or misspelt keys are only warnings (status 0): any output fails.
    tap.ok(out.returncode == 0 and out.stdout.strip() == "" and out.stderr.strip() == "",
           "systemd-analyze verify accepts the unit without a warning",
           out.stdout + out.stderr)
    bad = os.path.join(work, "misspelt.service")
    with open(bad, "w", encoding="utf-8") as f:
        f.write(open(copy, encoding="utf-8").read().replace("ProtectSystem=", "ProtectSytem="))
    out = subprocess.run(["systemd-analyze", "verify", bad], capture_output=True, text=True,
                         timeout=60)
    tap.ok("Unknown key" in out.stderr, "(the check sees a misspelt key)", out.stderr)
    out = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=20",
                          copy], capture_output=True, text=True, timeout=60)
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", out.stdout + out.stderr)
    tap.ok(out.returncode == 0 and score and float(score.group(1)) <= 2.0,
           "systemd rates the unit's exposure at 2.0 or less (of 10)",
           (out.stdout + out.stderr)[-1500:])


if __name__ == "__main__":
    run_tests(main)
