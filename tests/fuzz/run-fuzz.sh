#!/usr/bin/env bash
# Runs a libFuzzer harness for a bounded time: run-fuzz.sh FUZZ_EXE SOURCE_ROOT SHARED_DIR
set -euo pipefail
exe=$1 src=$2 shared=$3
secs=${FUZZ_SECONDS:-120}
maxlen=262144
case $(basename "$exe") in
fuzz_multipart)
  # Seed: tests/fuzz/multipart/seeds/.  The corpus stays in the build dir.
  corpus="${MESON_BUILD_ROOT:-.}/corpus-multipart"
  crashers="$src/tests/fuzz/multipart/crashers"
  seeds=("$src"/tests/fuzz/multipart/seeds/*)
  ;;
fuzz_dataset)
  # Seed: tests/fuzz/dataset/seeds/.  The corpus stays in the build dir.
  corpus="${MESON_BUILD_ROOT:-.}/corpus-dataset"
  crashers="$src/tests/fuzz/dataset/crashers"
  seeds=("$src"/tests/fuzz/dataset/seeds/*)
  ;;
fuzz_run)
  # Seed: the shipped and public traces (small files only), each behind a few
  # 8-byte policy prefixes (fuzz_run.c reads the first 8 bytes as policies).
  corpus="${MESON_BUILD_ROOT:-.}/corpus-run"
  crashers="$src/tests/fuzz/run/crashers"
  seeddir="${MESON_BUILD_ROOT:-.}/seeds-run"
  mkdir -p "$seeddir"
  for f in "$src"/traces/data/*.pcap* "$shared"/traces/public/*.pcap*; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 100000 ] || continue
    case $f in *.json) continue ;; esac
    for p in 0 1 2; do
      { head -c 8 <(sha256sum <<<"$p$f" | xxd -r -p); cat "$f"; } >"$seeddir/$p-$(basename "$f")"
    done
  done
  seeds=("$seeddir"/*)
  maxlen=65536      # a whole run per input: smaller inputs, more of them
  ;;
*)
  # Seed: every shipped trace and the public corpus (small files only).
  corpus="$src/tests/fuzz/corpus"
  crashers="$src/tests/fuzz/crashers"
  seeds=("$src"/traces/data/*.pcap* "$shared"/traces/public/*.pcap*)
  ;;
esac
mkdir -p "$corpus" "$crashers"
for f in "${seeds[@]}"; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 2000000 ] && cp -n "$f" "$corpus/" 2>/dev/null || true
done
echo "fuzzing for ${secs}s; corpus $corpus; crashers go to $crashers/" >&2
exec "$exe" "$corpus" -max_total_time="$secs" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 \
     -artifact_prefix="$crashers/" -print_final_stats=1
