#!/usr/bin/env bash
# bench/bench_run.sh [TRACE [RXSIM]]: rxsim run (default policies) against the
# libpcap read floor, in one run.
#
# Times `rxsim run TRACE` (report to /dev/null) and `tcpdump -r TRACE -w
# /dev/null`, alternating, RUNS times each (default 3) after a warm-up read;
# prints the best wall time of each, the ratio, simulated packets per second of
# wall time, and rxsim's peak RSS (GNU time's %M).  Target (issue 4): ratio
# <= 4 on a >= 300k-packet trace; peak RSS bounded as for inspect (< 64 MiB).
# Exit 0 when measured (met or not: a benchmark), 1 on a failed command, 77
# without a trace.  Make one: bench/make-large-trace.sh OUT 110000000.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
trace=${1:-${RXSIM_RUN_TRACE:-}}
rxsim=${2:-${RXSIM_BIN:-$here/../build/sim/cli/rxsim}}
runs=${RUNS:-3}
if [ -z "$trace" ] || [ ! -r "$trace" ]; then
    echo "bench_run.sh: SKIP: no trace (make one: bench/make-large-trace.sh OUT 110000000)" >&2
    exit 77
fi
command -v tcpdump >/dev/null || { echo "bench_run.sh: tcpdump missing (bash .ci/deps.sh)" >&2; exit 1; }

best() { sort -n | head -1; }
timeit() { /usr/bin/time -f "%e %M" "$@" >/dev/null 2>>"$tmp/time" || return 1; tail -1 "$tmp/time"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat "$trace" >/dev/null                     # warm the page cache
packets=$("$rxsim" run --json --no-progress "$trace" | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["result"]["frames_offered"])')
for i in $(seq "$runs"); do
    timeit tcpdump -r "$trace" -w /dev/null >>"$tmp/floor"
    timeit "$rxsim" run --no-progress "$trace" >>"$tmp/rxsim"
done
floor=$(cut -d' ' -f1 "$tmp/floor" | best)
ours=$(cut -d' ' -f1 "$tmp/rxsim" | best)
rss=$(cut -d' ' -f2 "$tmp/rxsim" | sort -n | tail -1)
python3 - "$trace" "$floor" "$ours" "$rss" "$packets" <<'PY'
import sys
trace, floor, ours, rss, packets = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ratio = ours / floor
print(f"trace: {trace} ({packets} frames simulated)")
print(f"tcpdump -r TRACE -w /dev/null: best {floor:.3f} s")
print(f"rxsim run TRACE:               best {ours:.3f} s ({packets / ours / 1e3:.0f} k simulated packets/s)")
print(f"ratio rxsim/tcpdump: {ratio:.2f} (target <= 4: {'met' if ratio <= 4 else 'NOT met'})")
print(f"rxsim peak RSS: {rss / 1024:.1f} MiB (target < 64 MiB: {'met' if rss < 65536 else 'NOT met'})")
PY
