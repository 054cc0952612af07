#!/usr/bin/env bash
# bench/bench_compare_cpu.sh [TRACE [RXSIM]]: CPU time (user + sys, every
# process and thread) of a 16-row `rxsim compare` against one `rxsim run` on
# the same trace, in one run.  Issue 11 item 6's target: ratio < 8 on the
# 300k-packet bench trace (make it: bench/make-large-trace.sh
# bench/out/large300k.pcap 110000000).
#
# CPU time, not wall time: the machine is shared, and what item 6 removes is
# work (each row re-reading the trace, guessing its host and hashing every
# stream), not waiting.  Alternates run and compare RUNS times each (default
# 5) and prints the median of each, the ratio, and both lists.  The matrix is
# bench_compare.sh's (csum x irq x app x recv-size over 2 RSS queues), with
# --jobs 1 (JOBS to change it; output is the same for any --jobs).
# Exit 0 when measured, 1 on a failed command, 77 without a trace.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
trace=${1:-$here/out/large300k.pcap}
rxsim=${2:-${RXSIM_BIN:-$here/../build/sim/cli/rxsim}}
runs=${RUNS:-5}
jobs=${JOBS:-1}
if [ ! -r "$trace" ]; then
    echo "bench_compare_cpu.sh: SKIP: no $trace (bench/make-large-trace.sh OUT 110000000)" >&2
    exit 77
fi
matrix=(--vary csum=softirq,process --vary irq=fixed:0,rss --vary app=waker,float
        --vary recv-size=4096,65536 -- --queues 2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat "$trace" >/dev/null                     # warm the page cache
cpu() {                                     # cpu FILE CMD...: appends user+sys seconds
    local f=$1
    shift
    /usr/bin/time -f "%U %S" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
    awk '{ printf "%.2f\n", $1 + $2 }' "$tmp/t" >>"$f"
}
for i in $(seq "$runs"); do
    cpu "$tmp/run" "$rxsim" run --no-progress "$trace"
    cpu "$tmp/compare" "$rxsim" compare --json --no-progress --jobs "$jobs" "$trace" "${matrix[@]}"
done
python3 - "$trace" "$jobs" "$tmp/run" "$tmp/compare" <<'PY'
import statistics, sys
trace, jobs = sys.argv[1], sys.argv[2]
run = [float(x) for x in open(sys.argv[3])]
cmp = [float(x) for x in open(sys.argv[4])]
r, c = statistics.median(run), statistics.median(cmp)
print(f"trace: {trace}")
print(f"rxsim run:                        median {r:.2f} s CPU  ({' '.join(f'{x:.2f}' for x in run)})")
print(f"rxsim compare, 16 rows, --jobs {jobs}: median {c:.2f} s CPU  ({' '.join(f'{x:.2f}' for x in cmp)})")
print(f"ratio compare/run: {c / r:.2f} (target < 8: {'met' if c / r < 8 else 'NOT met'})")
PY
