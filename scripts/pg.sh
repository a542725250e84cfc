#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder: unix socket only, no TCP.
#
#   pg.sh start DIR [--ephemeral]   initdb on first use, start, print the conninfo
#   pg.sh stop DIR [fast|immediate|smart]
#   pg.sh url DIR                   print the conninfo
#   pg.sh status DIR                exit 0 when running
#
# DIR holds data/ (the cluster), run/ (the socket) and log/.  --ephemeral is
# for throw-away test clusters: no fsync.  As root the cluster runs as the
# unprivileged user "postgres" (initdb refuses root); when that user cannot
# reach DIR (say, a checkout under /root), the cluster lives under
# /var/lib/hailong and DIR becomes a link to it.
set -euo pipefail

die() { echo "hailong: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: pg.sh start|stop|url|status DIR [options]"
action=$1
dir=$2
shift 2

pg_bindir=${PG_BINDIR:-}
if [ -z "$pg_bindir" ]; then
    pg_bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[ -x "$pg_bindir/pg_ctl" ] || die "PostgreSQL server binaries not found (install the postgresql package or set PG_BINDIR)"

as_root=false
[ "$(id -u)" -eq 0 ] && as_root=true

# Runs a PostgreSQL program as the cluster's owner, from a folder it can read.
as_owner() {
    if $as_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

abspath() { (cd "$1" && pwd -P); }

prepare_dir() {
    mkdir -p "$dir" 2>/dev/null || die "cannot create data folder $dir"
    [ -r "$dir" ] && [ -w "$dir" ] && [ -x "$dir" ] || die "data folder $dir is not readable and writable"
    real=$(abspath "$dir")
    if $as_root; then
        id postgres >/dev/null 2>&1 || die "user postgres does not exist (install the postgresql package)"
        if ! runuser -u postgres -- test -x "$real" 2>/dev/null; then
            if [ -d "$real/data" ]; then
                die "data folder $real is not reachable by user postgres"
            fi
            alt=/var/lib/hailong/$(printf '%s' "$real" | sha1sum | cut -c1-12)
            mkdir -p "$alt"
            chown postgres: "$alt"
            chmod 700 "$alt"
            rmdir "$real" 2>/dev/null || die "data folder $real is not reachable by user postgres and not empty"
            ln -s "$alt" "$real"
            echo "hailong: user postgres cannot reach $real; the cluster lives in $alt" >&2
            real=$alt
        fi
        mkdir -p "$real/log" "$real/run"
        chown postgres: "$real" "$real/log" "$real/run"
    else
        mkdir -p "$real/log" "$real/run"
    fi
    chmod 700 "$real/run"
}

# Unix socket paths are limited to 107 bytes: long folders get a short one.
socket_dir() {
    local d=$1/run
    if [ ${#d} -gt 80 ]; then
        d=/tmp/hailong-pg-$(printf '%s' "$1" | sha1sum | cut -c1-12)
        mkdir -p "$d"
        chmod 700 "$d"
        $as_root && chown postgres: "$d"
    fi
    printf '%s' "$d"
}

conninfo() {
    printf 'host=%s port=5432 user=hailong dbname=hailong' "$(socket_dir "$1")"
}

running() {
    [ -f "$1/data/postmaster.pid" ] && as_owner "$pg_bindir/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

case "$action" in
start)
    ephemeral=false
    [ "${1:-}" = "--ephemeral" ] && ephemeral=true
    prepare_dir
    sock=$(socket_dir "$real")
    if [ ! -f "$real/data/PG_VERSION" ]; then
        initdb_opts=(-D "$real/data" -U hailong -A trust -E UTF8 --locale=C.UTF-8 --no-instructions)
        $ephemeral && initdb_opts+=(--no-sync)
        as_owner "$pg_bindir/initdb" "${initdb_opts[@]}" >"$real/log/initdb.log" 2>&1 \
            || die "initdb failed, see $real/log/initdb.log: $(tail -n 3 "$real/log/initdb.log" | tr '\n' ' ')"
        echo "include_if_exists = 'hailong.conf'" >>"$real/data/postgresql.conf"
    fi
    # Written on every start: the socket folder follows the checkout's path.
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$sock'"
        echo "unix_socket_permissions = 0700"
        echo "port = 5432"
        echo "max_connections = 200"
        if $ephemeral; then
            echo "fsync = off"
            echo "full_page_writes = off"
        fi
    } >"$real/data/hailong.conf"
    $as_root && chown postgres: "$real/data/hailong.conf"
    if ! running "$real"; then
        as_owner "$pg_bindir/pg_ctl" -D "$real/data" -l "$real/log/postgresql.log" -w -t 60 start >/dev/null \
            || die "PostgreSQL did not start, see $real/log/postgresql.log: $(tail -n 3 "$real/log/postgresql.log" 2>/dev/null | tr '\n' ' ')"
        # The application database, once.
        if ! "$pg_bindir/psql" -X -q -h "$sock" -U hailong -d postgres -tAc \
                "SELECT 1 FROM pg_database WHERE datname = 'hailong'" | grep -q 1; then
            "$pg_bindir/createdb" -h "$sock" -U hailong hailong || die "cannot create database hailong"
        fi
    fi
    conninfo "$real"
    echo
    ;;
stop)
    mode=${1:-fast}
    [ -d "$dir" ] || exit 0
    real=$(abspath "$dir")
    if running "$real"; then
        as_owner "$pg_bindir/pg_ctl" -D "$real/data" -m "$mode" -w -t 60 stop >/dev/null
    fi
    ;;
url)
    real=$(abspath "$dir")
    conninfo "$real"
    echo
    ;;
status)
    real=$(abspath "$dir")
    running "$real"
    ;;
*)
    die "unknown action $action (start, stop, url, status)"
    ;;
esac
