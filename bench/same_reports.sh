#!/usr/bin/env bash
# bench/same_reports.sh OLD_RXSIM NEW_RXSIM [TRACE...]: proof that a speed-up
# did not change the model.
#
# Runs both binaries over a matrix of 17 configurations (defaults, every
# checksum, delivery and recycle policy, 3 and 4 CPUs with RSS / rr IRQs and
# waker / float readers, a small cache, line-rate replay, --timeline) on each
# trace (default: traces/data/*.pcap, plus bench/out/large300k.pcap when it
# exists) and compares the --json reports, exit codes, stderr and timeline
# files byte for byte.  The only rewrite is the calibration profile's path,
# which names the source tree a binary was built from.
# Exit 0 when everything is identical, 1 otherwise (the differing files are
# listed; both sets are kept under bench/out/same_reports/).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
old=${1:?usage: same_reports.sh OLD_RXSIM NEW_RXSIM [TRACE...]}
new=${2:?usage: same_reports.sh OLD_RXSIM NEW_RXSIM [TRACE...]}
shift 2
traces=("$@")
if [ ${#traces[@]} -eq 0 ]; then
    traces=("$here"/../traces/data/*.pcap)
    [ -r "$here/out/large300k.pcap" ] && traces+=("$here/out/large300k.pcap")
fi
configs=(
    "default|"
    "csum_process|--csum=process"
    "csum_offload|--csum=offload"
    "batch8|--delivery=batch:8"
    "gro|--delivery=gro"
    "rec_none|--recycle=none"
    "rec_global|--recycle=global"
    "rec_percpu|--recycle=percpu"
    "rec_origin|--recycle=origin"
    "rec_ring|--recycle=ring"
    "c4q2rss_waker|--cpus 4 --queues 2 --irq=rss --app=waker"
    "float|--app=float"
    "rr_float_gro|--cpus 3 --irq=rr --app=float --delivery=gro --recycle=origin"
    "proc_batch_ring|--csum=process --delivery=batch:8 --recycle=ring --copy=rep_movsb"
    "small_cache|--cache-kib 64 --ring 64 --rx-frames 8 --budget 16"
    "rate|--replay rate:10G --msg-size 4096"
    "timeline|--timeline TIMELINE"
)
out=$here/out/same_reports
rm -rf "$out"
mkdir -p "$out/old" "$out/new"

run_all() {                             # run_all RXSIM DIR
    local rx=$1 dir=$2 t c name args tb
    for t in "${traces[@]}"; do
        tb=$(basename "$t" .pcap)
        for c in "${configs[@]}"; do
            name=${c%%|*}
            args=${c#*|}
            args=${args//TIMELINE/$dir/$tb.$name.timeline.json}
            # shellcheck disable=SC2086
            "$rx" run --json --no-progress $args "$t" >"$dir/$tb.$name.json" 2>"$dir/$tb.$name.err"
            echo $? >"$dir/$tb.$name.rc"
        done
    done
}
run_all "$old" "$out/old"
run_all "$new" "$out/new"

bad=0 n=0
norm() { sed -E 's#"/[^"]*/copy/profiles/#"SRC/copy/profiles/#' "$1"; }
for f in "$out"/old/*; do
    g=$out/new/$(basename "$f")
    n=$((n + 1))
    if ! cmp -s <(norm "$f") <(norm "$g"); then
        echo "differs: $(basename "$f")"
        bad=1
    fi
done
echo "same_reports.sh: $n files compared over ${#traces[@]} traces x ${#configs[@]} configurations: $([ $bad = 0 ] && echo identical || echo DIFFERENT)"
exit $bad
