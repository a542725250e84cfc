"""slowhttptest against a running server (issue 9, point 4): thousands of
connections that send their headers (slowloris) or their body (slow POST)
a few bytes at a time, while a normal client — a parent opening the form,
a load balancer's health check — goes on making requests on new
connections.  At least 99 % of the normal client's requests must be
answered within 1 s, in each attack.

The attack must be real for the result to mean anything: slowhttptest's
own statistics (its CSV) must show the connections held open at the same
time, and the server must still be up afterwards, its connections
released once the attack stops.
"""
import csv
import os
import resource
import socket
import subprocess
import threading
import time

from target import Target, process_sockets, run_tests

ATTACK_SECONDS = 30
CONNECTIONS = 3000
HELD_AT_LEAST = 1500  # connections slowhttptest must hold at once
ANSWER_WITHIN = 1.0
SHARE = 0.99


def more_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 65536)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


class NormalClient(threading.Thread):
    """Alternates a parent's form and the health check, on a new
    connection each time, five times a second (under the rate limit for
    one address); records each request's time or failure."""

    def __init__(self, port, paths):
        super().__init__(daemon=True)
        self.port, self.paths = port, paths
        self.stop = threading.Event()
        self.times = []
        self.failures = []

    def one(self, path):
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: hailong.test\r\n"
                          "Connection: close\r\n\r\n".encode())
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            status = data.split(b" ", 2)[1] if data.startswith(b"HTTP/1.1 ") else b"?"
            if status != b"200":
                self.failures.append(f"{path}: {status.decode(errors='replace')}")
        except OSError as e:
            self.failures.append(f"{path}: {e}")
            self.times.append(float("inf"))
            return
        self.times.append(time.monotonic() - started)

    def run(self):
        i = 0
        while not self.stop.is_set():
            self.one(self.paths[i % len(self.paths)])
            i += 1
            self.stop.wait(0.2)


def attack(tap, scratch, t, label, mode_args):
    stats = os.path.join(scratch.path, label)
    client = NormalClient(t.port, [f"/s/{t.round}", "/healthz"])
    client.start()
    time.sleep(1)
    cmd = ["slowhttptest", *mode_args, "-c", str(CONNECTIONS), "-r", "500", "-i", "5",
           "-l", str(ATTACK_SECONDS), "-x", "20", "-p", "2", "-g", "-o", stats]
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=ATTACK_SECONDS + 120,
                         preexec_fn=more_files)
    during = process_sockets(t.server.proc.pid)
    client.stop.set()
    client.join(timeout=10)
    tap.diag(f"{label}: slowhttptest ran {time.monotonic() - started:.0f} s")
    held = 0
    try:
        with open(stats + ".csv", newline="") as f:
            for row in csv.DictReader(f):
                row = {k.strip().lower(): v for k, v in row.items() if k}
                held = max(held, int(row.get("connected") or 0))
    except (OSError, ValueError) as e:
        tap.diag(f"{label}: no statistics: {e}")
    tap.ok(held >= HELD_AT_LEAST,
           f"{label}: the attack held {held} connections open at once (≥ {HELD_AT_LEAST})",
           out.stdout[-2000:] + out.stderr[-2000:])
    times = sorted(client.times)
    fast = sum(1 for x in times if x <= ANSWER_WITHIN)
    share = fast / len(times) if times else 0
    p99 = times[int(len(times) * 0.99) - 1] if times else float("inf")
    tap.ok(len(times) >= ATTACK_SECONDS * 3 and share >= SHARE,
           f"{label}: the normal client got {fast} of {len(times)} answers within "
           f"{ANSWER_WITHIN:.0f} s ({share:.1%}; p99 {p99 * 1000:.0f} ms, slowest "
           f"{times[-1] * 1000 if times else 0:.0f} ms)", "\n".join(client.failures[:20]))
    tap.eq(client.failures, [], f"{label}: and every one of them was a 200")
    tap.diag(f"{label}: server sockets at the end of the attack: {during}")
    return held


def main(tap, scratch):
    more_files()
    t = Target(tap, scratch)
    base = process_sockets(t.server.proc.pid)
    attack(tap, scratch, t, "slow headers", ["-H", "-u", f"{t.origin}/s/{t.round}", "-t", "GET",
                                             "-s", "8192"])
    attack(tap, scratch, t, "slow body", ["-B", "-u", f"{t.origin}/s/{t.round}", "-t", "POST",
                                          "-s", "65536"])
    tap.eq(t.server.get("/healthz").status, 200, "the server answers after both attacks")
    tap.ok(t.server.proc.poll() is None, "and never exited")
    # slowhttptest has closed its sockets; the server lets go of its side.
    settled = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        settled = process_sockets(t.server.proc.pid)
        if settled <= base + 5:
            break
        time.sleep(0.5)
    tap.ok(settled is not None and settled <= base + 5,
           f"the server's sockets are back to {settled} (before: {base})")
    tap.eq(t.submit(t.round), 200, "a parent can still submit (the thank-you page)")


run_tests(main)
