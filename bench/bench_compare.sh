#!/usr/bin/env bash
# bench/bench_compare.sh [TRACE [RXSIM]]: wall time of a 16-combination
# `rxsim compare` with --jobs 1 against --jobs 2, in one run (best of RUNS,
# alternating).  Issue 5 asks for the ratio in docs/performance.md.
# TRACE defaults to a 4-flow, 16 MB trace made here by `rxsim synth` (each run
# then takes ~0.1 s, so the workers' own start-up does not dominate).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
trace=${1:-}
rxsim=${2:-${RXSIM_BIN:-$here/../build/sim/cli/rxsim}}
runs=${RUNS:-3}
matrix=(--vary csum=softirq,process --vary irq=fixed:0,rss --vary app=waker,float
        --vary recv-size=4096,65536 -- --queues 2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$trace" ]; then
    trace=$tmp/synth4x4M.pcap
    "$rxsim" synth -o "$trace" --flows 4 --bytes 4000000 --seed 5 >/dev/null
fi
for i in $(seq "$runs"); do
    for j in 1 2; do
        /usr/bin/time -f "%e" -a -o "$tmp/j$j" "$rxsim" compare --json --jobs "$j" "$trace" \
            "${matrix[@]}" >"$tmp/out$j.json"
    done
done
cmp -s "$tmp/out1.json" "$tmp/out2.json" || { echo "bench_compare.sh: --jobs 1 and 2 differ" >&2; exit 1; }
rows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["rows"]) if "rows" in d else len(d["runs"]))' "$tmp/out1.json" 2>/dev/null || echo "?")
t1=$(sort -n "$tmp/j1" | head -1)
t2=$(sort -n "$tmp/j2" | head -1)
python3 - "$trace" "$rows" "$t1" "$t2" <<'PY'
import sys
trace, rows, t1, t2 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
print(f"trace: {trace}; {rows} combinations; identical JSON with --jobs 1 and 2")
print(f"--jobs 1: best {t1:.3f} s")
print(f"--jobs 2: best {t2:.3f} s")
print(f"speed-up jobs1/jobs2: {t1 / t2:.2f}")
PY
