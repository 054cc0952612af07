#!/usr/bin/env bash
# bench/bench_closed.sh [RXSIM]: closed-loop replay against open-loop replay of
# the same traffic, time per simulated packet, in one run (issue 14's target:
# closed within 2x of open per packet).
#
# The open-loop input is `rxsim synth` of FLOWS flows of BYTES each at RATE
# without receiver ACKs (default 4 x 16M at 2G: ~46k data frames), replayed by
# `rxsim run TRACE`; the closed loop is `rxsim run --replay closed` of the same
# flows, bytes and content over a link of RATE: the same frames, but made by
# the simulated senders in answer to the host's ACKs.  Each runs RUNS times
# (default 3), alternating, after a warm-up; the best wall time of each over
# the frames it offered is its time per packet.  Exit 0 when measured (met or
# not: a benchmark), 1 on a failed command.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rxsim=${1:-${RXSIM_BIN:-$here/../build/sim/cli/rxsim}}
runs=${RUNS:-3}
flows=${FLOWS:-4}
bytes=${BYTES:-16M}
rate=${RATE:-2G}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

best() { sort -n | head -1; }
timeit() { /usr/bin/time -f "%e" "$@" >/dev/null 2>>"$tmp/time" || return 1; tail -1 "$tmp/time"; }
frames() { python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["frames_offered"])'; }

"$rxsim" synth -o "$tmp/open.pcap" --flows "$flows" --bytes "$bytes" --rate "$rate" --no-acks >/dev/null
open=("$rxsim" run --no-progress "$tmp/open.pcap")
closed=("$rxsim" run --no-progress --replay closed --flows "$flows" --bytes "$bytes" --link "$rate")
open_frames=$("${open[@]}" --json 2>/dev/null | frames)
closed_frames=$("${closed[@]}" --json | frames)
for i in $(seq "$runs"); do
    timeit "${open[@]}" >>"$tmp/open"
    timeit "${closed[@]}" >>"$tmp/closed"
done
python3 - "$flows" "$bytes" "$rate" "$(best <"$tmp/open")" "$open_frames" "$(best <"$tmp/closed")" "$closed_frames" <<'PY'
import sys
flows, size, rate = sys.argv[1:4]
ot, of, ct, cf = float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
op, cp = ot / of * 1e6, ct / cf * 1e6
print(f"workload: {flows} flows x {size} at {rate}")
print(f"open loop   (rxsim run synth.pcap):       best {ot:.3f} s, {of} frames, {op:.2f} us/packet")
print(f"closed loop (rxsim run --replay closed):  best {ct:.3f} s, {cf} frames, {cp:.2f} us/packet")
print(f"ratio closed/open per packet: {cp / op:.2f} (target <= 2: {'met' if cp / op <= 2 else 'NOT met'})")
PY
