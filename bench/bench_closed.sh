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
# the frames it offered is its time per packet; CPU time (user + system, both
# threads) likewise, which a loaded machine disturbs less.  Exit 0 when
# measured (met or not: a benchmark), 1 on a failed command.
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
timeit() { /usr/bin/time -f "%e %U %S" "$@" >/dev/null 2>>"$tmp/time" || return 1; tail -1 "$tmp/time"; }
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
python3 - "$flows" "$bytes" "$rate" "$tmp/open" "$open_frames" "$tmp/closed" "$closed_frames" <<'PY'
import sys
flows, size, rate = sys.argv[1:4]
def best(path):
    rows = [[float(x) for x in line.split()] for line in open(path)]
    return min(r[0] for r in rows), min(r[1] + r[2] for r in rows)
(ow, oc), of = best(sys.argv[4]), int(sys.argv[5])
(cw, cc), cf = best(sys.argv[6]), int(sys.argv[7])
print(f"workload: {flows} flows x {size} at {rate}")
for name, w, c, f in (("open loop   (rxsim run synth.pcap):     ", ow, oc, of),
                      ("closed loop (rxsim run --replay closed):", cw, cc, cf)):
    print(f"{name} {f} frames, best wall {w:.3f} s = {w / f * 1e6:.2f} us/packet, "
          f"best CPU {c:.3f} s = {c / f * 1e6:.2f} us/packet")
rw, rc = (cw / cf) / (ow / of), (cc / cf) / (oc / of)
print(f"ratio closed/open per packet: wall {rw:.2f}, CPU {rc:.2f} "
      f"(target <= 2: {'met' if max(rw, rc) <= 2 else 'NOT met'})")
PY
