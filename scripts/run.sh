#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, starts the
# private PostgreSQL under var/pg when DATABASE_URL is not set, migrates, and
# serves on HAILONG_LISTEN (default 127.0.0.1:8080).  Ctrl-C stops the server
# and then the private cluster; running it again keeps the data.
#
# Environment: DATABASE_URL (use that database instead of the private one),
# HAILONG_DATA_DIR (default: var/ in the checkout), HAILONG_BUILD_DIR
# (default: build), HAILONG_SKIP_SETUP=1 (skip package install and build; for
# tests that already built), and every HAILONG_* setting of docs/config.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

data_dir=${HAILONG_DATA_DIR:-$root/var}
build_dir=${HAILONG_BUILD_DIR:-$root/build}

if [ "${HAILONG_SKIP_SETUP:-0}" != 1 ]; then
    bash scripts/deps.sh
    if [ ! -f "$build_dir/build.ninja" ]; then
        meson setup "$build_dir" >/dev/null
    fi
    meson compile -C "$build_dir" >/dev/null
fi
hailong=$build_dir/hailong
[ -x "$hailong" ] || { echo "hailong: $hailong is missing: build first" >&2; exit 1; }

private_pg=false
if [ -z "${DATABASE_URL:-}" ]; then
    mkdir -p "$data_dir" 2>/dev/null || { echo "hailong: cannot create data folder $data_dir" >&2; exit 1; }
    DATABASE_URL=$(bash scripts/pg.sh start "$data_dir/pg")
    export DATABASE_URL
    private_pg=true
    echo "hailong: private PostgreSQL running in $data_dir/pg" >&2
fi

server_pid=
stop_all() {
    trap - INT TERM EXIT
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if $private_pg; then
        bash scripts/pg.sh stop "$data_dir/pg" fast && echo "hailong: private PostgreSQL stopped" >&2
    fi
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$hailong" migrate
"$hailong" forms load
echo "hailong: demo forms (open one on a phone or in a browser):" >&2
"$hailong" demo

# In its own session, in the background: Ctrl-C reaches only this shell,
# which passes one SIGTERM on (a second would mean "stop at once"), waits
# for the server to finish its requests, and then stops the cluster.
setsid "$hailong" serve &
server_pid=$!
wait "$server_pid"
status=$?
server_pid=
exit $status
