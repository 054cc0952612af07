#!/usr/bin/env bash
# Runs the libFuzzer harness for a bounded time: run-fuzz.sh FUZZ_EXE SOURCE_ROOT SHARED_DIR
set -euo pipefail
exe=$1 src=$2 shared=$3
secs=${FUZZ_SECONDS:-120}
corpus="$src/tests/fuzz/corpus"
mkdir -p "$corpus" "$src/tests/fuzz/crashers"
# Seed: every shipped trace and the public corpus (small files only).
for f in "$src"/traces/data/*.pcap* "$shared"/traces/public/*.pcap*; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 2000000 ] && cp -n "$f" "$corpus/" 2>/dev/null || true
done
echo "fuzzing for ${secs}s; corpus $corpus; crashers go to tests/fuzz/crashers/" >&2
exec "$exe" "$corpus" -max_total_time="$secs" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
     -artifact_prefix="$src/tests/fuzz/crashers/" -print_final_stats=1
