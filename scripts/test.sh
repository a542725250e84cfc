#!/usr/bin/env bash
# The README's test command: installs what is missing, then builds and runs
# the whole suite twice: a plain build with -Werror, and an ASan+UBSan build;
# the integration tests once more with the plain binary under valgrind; then
# the libFuzzer targets for a bounded time in a clang build.  The suites run
# in both builds are unit, integration, docs and faults (tests/faults: the
# fault-injection run and the soak, about 5 minutes; `meson test -C build
# --suite faults` runs it alone); the attack tools (tests/attack, suite
# attack) run in the plain build.
# Every integration test starts its own throw-away PostgreSQL.  The last line
# is "N passed, M failed"; the exit status is non-zero when anything failed.
#
#   scripts/test.sh            both builds
#   scripts/test.sh --quick    the plain build only
#   extra arguments after --   go to `meson test` (e.g. -- http router)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

quick=false
meson_args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=true ;;
    --) shift; meson_args=("$@"); break ;;
    *) echo "usage: scripts/test.sh [--quick] [-- meson test arguments]" >&2; exit 2 ;;
    esac
    shift
done

bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

# build: gcc, -Werror, every test.  build-asan: the same under ASan+UBSan.
# build-fuzz: clang with libFuzzer, the fuzz targets for a bounded time.
builds=(build)
$quick || builds+=(build-asan build-fuzz)
logs=()
status=0
for dir in "${builds[@]}"; do
    opts=(--werror)
    env_cc=()
    suite_args=()
    case "$dir" in
    build-asan)
        opts+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
        # The attack tools test the server's answers, not its memory; once
        # (in the plain build) is enough.
        suite_args=(--no-suite attack)
        ;;
    build-fuzz)
        opts+=(-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
        env_cc=(env CC=clang)
        suite_args=(--suite fuzz)
        ;;
    esac
    if [ ! -f "$dir/build.ninja" ]; then
        "${env_cc[@]}" meson setup "$dir" "${opts[@]}" >/dev/null || { echo "meson setup $dir failed" >&2; status=1; continue; }
    fi
    if ! meson compile -C "$dir" >/tmp/hailong-compile.$$ 2>&1; then
        cat /tmp/hailong-compile.$$ >&2
        rm -f /tmp/hailong-compile.$$
        echo "build in $dir failed" >&2
        status=1
        continue
    fi
    rm -f /tmp/hailong-compile.$$
    rm -f "$dir/meson-logs/testlog.json"
    echo "== tests in $dir" >&2
    meson test -C "$dir" --print-errorlogs --num-processes 2 "${suite_args[@]}" "${meson_args[@]}" || status=1
    logs+=("$dir/meson-logs/testlog.json")
    # The plain build's binary once more under valgrind's memcheck, for the
    # integration tests (issue 9, point 6).  Its runs mostly wait on
    # valgrind, not on each other: three at a time.
    if [ "$dir" = build ] && ! $quick && [ ${#meson_args[@]} -eq 0 ]; then
        rm -f "$dir/meson-logs/testlog-valgrind.json"
        echo "== integration tests in $dir under valgrind" >&2
        meson test -C "$dir" --setup valgrind --suite integration --print-errorlogs \
            --num-processes 3 || status=1
        logs+=("$dir/meson-logs/testlog-valgrind.json")
    fi
done

if [ ${#logs[@]} -eq 0 ]; then
    echo "0 passed, 1 failed"
    exit 1
fi
python3 scripts/test-summary.py "${logs[@]}" || status=1
exit $status
