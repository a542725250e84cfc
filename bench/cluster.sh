# bench/cluster.sh: the durable PostgreSQL the benchmarks measure against,
# configured as docs/performance.md recommends for a production server.
# Sourced by bench/aggregate and bench/report:
#
#   bench_cluster_start DIR     start (initdb when new) a cluster in DIR and
#                               set DATABASE_URL; prints the settings used
#   bench_cluster_stop DIR      stop it, and give back the huge pages
#
# Settings, measured on the scale-1 dataset (docs/performance.md):
#   shared_buffers = a quarter of RAM: the 2 GB of responses stay in
#     PostgreSQL's cache; with 2 GB of buffers a job run re-read them from
#     the kernel's cache and took 28 s instead of 19 s;
#   huge pages when the kernel can give them (as root the script reserves
#     them for the run): each new backend otherwise takes a page fault per
#     4 KiB of shared memory it touches, which cost a further 6 s;
#   max_wal_size = 8GB: no checkpoint in the middle of a measurement.
# fsync and synchronous_commit stay on: the figures are for durable writes.

bench_hugepages_before=

bench_cluster_start() {
    local dir=$1 ram_kib buffers_mib pages
    ram_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
    buffers_mib=$((ram_kib / 4 / 1024))
    DATABASE_URL=$(bash "$root/scripts/pg.sh" start "$dir") || return 1
    psql -X -q -d "$DATABASE_URL" -c "ALTER SYSTEM SET shared_buffers = '${buffers_mib}MB'" \
        -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "ALTER SYSTEM SET huge_pages = 'try'" || return 1
    bash "$root/scripts/pg.sh" stop "$dir" fast >/dev/null
    # A 2 MiB huge page per 2 MiB of buffers, plus room for the rest of
    # the shared memory; only root may reserve them, and only for this run.
    if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
        bench_hugepages_before=$(cat /proc/sys/vm/nr_hugepages)
        pages=$((buffers_mib / 2 + 256))
        [ "$bench_hugepages_before" -lt "$pages" ] && echo "$pages" >/proc/sys/vm/nr_hugepages
    fi
    DATABASE_URL=$(bash "$root/scripts/pg.sh" start "$dir") || return 1
    export DATABASE_URL
    local used
    used=$(awk '/^HugePages_Rsvd:|^HugePages_Total:|^HugePages_Free:/ { v[$1] = $2 }
                END { print (v["HugePages_Total:"] - v["HugePages_Free:"] + v["HugePages_Rsvd:"] > 0) ? "on" : "off" }' /proc/meminfo)
    psql -X -qAt -d "$DATABASE_URL" -c "SHOW synchronous_commit" -c "SHOW fsync" -c "SHOW shared_buffers" |
        tr '\n' ' ' | sed "s/^/   synchronous_commit, fsync, shared_buffers: /; s/\$/; huge pages: $used/"
    echo
}

bench_cluster_stop() {
    bash "$root/scripts/pg.sh" stop "$1" fast >/dev/null 2>&1 || true
    if [ -n "$bench_hugepages_before" ]; then
        echo "$bench_hugepages_before" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    fi
}
