#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time over its seed folders, with a
# scratch folder for new inputs.  Prints TAP.  Usage: run-fuzzer.sh BIN SECONDS SEED…
set -uo pipefail
bin=$1
seconds=$2
shift 2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
log=$scratch/fuzz.log
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 "$scratch" "$@" >"$log" 2>&1
status=$?
echo "1..1"
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "$log" | sed 's/^/# /'
if [ $status -eq 0 ]; then
    echo "ok 1 - $(basename "$bin") ran $seconds s without a finding"
else
    tail -n 60 "$log" | sed 's/^/# /'
    echo "not ok 1 - $(basename "$bin") found a problem (exit $status)"
fi
exit $status
