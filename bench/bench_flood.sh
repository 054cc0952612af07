#!/usr/bin/env bash
# bench/bench_flood.sh [MAKE_FLOOD [RXSIM]]: peak RSS of rxsim under
# many-connection hostile traces made on the spot (bench/make_flood.c):
#   - inspect --json over a 1M-connection SYN flood (target: < 64 MiB);
#   - inspect --json over 1M connections that each end (SYN, RST);
#   - run over 100k SYNs (--max-conns default 65536).
# Peak RSS by GNU time (%M); the traces are removed afterwards.  Exit 0
# measured, 1 a command failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
make_flood=${1:-$here/../build/bench/make_flood}
rxsim=${2:-${RXSIM_BIN:-$here/../build/sim/cli/rxsim}}
[ -x /usr/bin/time ] || { echo "bench_flood.sh: /usr/bin/time missing (bash .ci/deps.sh)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

measure() {    # label, then the rxsim arguments
    local label=$1; shift
    local st=0
    /usr/bin/time -f "%M %e %U" -o "$dir/time" "$rxsim" "$@" > "$dir/out" 2>/dev/null || st=$?
    read -r kib wall user < "$dir/time"
    awk -v l="$label" -v st="$st" -v k="$kib" -v w="$wall" -v u="$user" -v o="$(stat -c %s "$dir/out")" \
        'BEGIN { printf "%-40s exit %d  peak RSS %6.1f MiB  %6.2f s wall  %6.2f s user  output %7.1f MB\n", l, st, k / 1024, w, u, o / 1e6 }'
}

"$make_flood" "$dir/syn1m.pcap" syn 1000000
"$make_flood" "$dir/synrst1m.pcap" syn-rst 1000000
"$make_flood" "$dir/syn100k.pcap" syn 100000
measure "inspect --json, 1M-connection SYN flood" inspect --json --no-progress "$dir/syn1m.pcap"
measure "inspect --json, 1M connections SYN+RST" inspect --json --no-progress "$dir/synrst1m.pcap"
measure "run --json, 100k SYNs" run --json --no-progress "$dir/syn100k.pcap"
measure "run --json --max-conns 0, 100k SYNs" run --json --no-progress --max-conns 0 "$dir/syn100k.pcap"
