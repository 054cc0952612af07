#!/usr/bin/env bash
# bench/same_reports.sh OLD_RXSIM NEW_RXSIM [TRACE...]: proof that a speed-up
# did not change the model.
#
# Runs both binaries over a matrix of 18 configurations (defaults, every
# checksum, delivery and recycle policy, 3 and 4 CPUs with RSS / rr IRQs and
# waker / float readers, a small cache, line-rate replay, --payload synth,
# --timeline) on each trace (default: traces/data/*.pcap, plus
# bench/out/large300k.pcap when it exists, plus three ../shared captures
# whose reports flag figures as not meaningful when ../shared is there) and
# compares the reports in all three formats (text, --json, --csv), exit
# codes, stderr and timeline files byte for byte.  Then `rxsim compare` on
# three matrices (text, --json, --csv, --svg charts, --baseline, --jobs 1
# and 2, two shards merged), `rxsim run --help`, `live --help`,
# `compare --help`, and every page bench/same_serve.sh fetches from
# `rxsim serve`.  The only rewrites are the source tree a binary was
# built from (in the profile's and shipped traces' paths), and what differs
# between two serve processes by design (same_serve.sh says what).
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
    shared=$here/../../shared/traces
    for t in public/zeek_tcp_reassembly.pcap public/zeek_http_206_example_b.pcap captured/loss1pct-v4-seed1.pcap; do
        [ -r "$shared/$t" ] && traces+=("$shared/$t")
    done
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
    "rate|--replay rate:10G --recv-size 4096"
    "payload_synth|--payload synth"
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
            [ "$name" = timeline ] && continue
            "$rx" run --no-progress $args "$t" >"$dir/$tb.$name.txt" 2>&1
            echo $? >>"$dir/$tb.$name.txt"
            "$rx" run --csv --no-progress $args "$t" >"$dir/$tb.$name.csv" 2>&1
            echo $? >>"$dir/$tb.$name.csv"
        done
    done
    local cmd
    for cmd in run live compare serve merge; do
        "$rx" "$cmd" --help >"$dir/help.$cmd" 2>&1
        echo $? >>"$dir/help.$cmd"
    done
    compare_all "$rx" "$dir"
    bash "$here/same_serve.sh" "$rx" "$dir"
}

# compare NAME RXSIM DIR ARGS...: one compare in every output format.
compare_one() {
    local name=$1 rx=$2 dir=$3
    shift 3
    "$rx" compare --no-progress "$@" >"$dir/compare.$name.txt" 2>&1
    echo $? >>"$dir/compare.$name.txt"
    "$rx" compare --no-progress --json "$@" >"$dir/compare.$name.json" 2>"$dir/compare.$name.json.err"
    "$rx" compare --no-progress --csv "$@" >"$dir/compare.$name.csv" 2>"$dir/compare.$name.csv.err"
    mkdir -p "$dir/compare.$name.svg"
    "$rx" compare --no-progress --svg "$dir/compare.$name.svg" "$@" >/dev/null 2>&1
}

compare_all() {                         # compare_all RXSIM DIR
    local rx=$1 dir=$2 d=$here/../traces/data
    compare_one policies "$rx" "$dir" "$d/bulk-v4-256k.pcap" --vary csum=softirq,process,offload \
        --vary delivery=packet,batch:8,gro --jobs 2
    compare_one policies_j1 "$rx" "$dir" "$d/bulk-v4-256k.pcap" --vary csum=softirq,process,offload \
        --vary delivery=packet,batch:8,gro --jobs 1
    compare_one baseline "$rx" "$dir" "$d/parallel4-v4-64k.pcap" "$d/bulk-v6-128k-nsec.pcap" \
        --vary recycle=none,percpu,ring --vary recv-size=1024,65536 --baseline recycle=none -- --cpus 3 --irq rr
    local holes=$here/../../shared/traces/public/zeek_tcp_reassembly.pcap
    [ -r "$holes" ] && compare_one flagged "$rx" "$dir" "$holes" --vary payload=captured,synth --vary delivery=packet,gro
    "$rx" compare --no-progress --shard 1/2 "$d/bulk-v4-256k.pcap" --vary csum=softirq,process \
        --vary cpus=1,2,4 >"$dir/compare.shard1.json" 2>&1
    "$rx" compare --no-progress --shard 2/2 "$d/bulk-v4-256k.pcap" --vary csum=softirq,process \
        --vary cpus=1,2,4 >"$dir/compare.shard2.json" 2>&1
    "$rx" merge "$dir/compare.shard1.json" "$dir/compare.shard2.json" >"$dir/compare.merged.txt" 2>&1
    echo $? >>"$dir/compare.merged.txt"
    "$rx" merge --json "$dir/compare.shard1.json" "$dir/compare.shard2.json" >"$dir/compare.merged.json" 2>&1
}
run_all "$old" "$out/old"
run_all "$new" "$out/new"

bad=0 n=0
# A binary names the source tree it was built from (the default profile,
# the shipped traces): <root>/<builddir>/sim/cli/rxsim.  Both roots become SRC,
# as written plainly and as JSON writes them (\/ for /); a served page's
# Content-Length follows the length of the root (the body is compared).
root_of() { (cd "$(dirname "$1")/../../.." && pwd); }
old_root=$(root_of "$old") new_root=$(root_of "$new")
norm() {
    local r jr sed_args=()
    for r in "$old_root" "$new_root"; do
        jr=$(printf '%s' "$r" | sed 's#/#\\\\\\/#g')     # /a/b -> \\\/a\\\/b: a regex for JSON's \/a\/b
        sed_args+=(-e "s#$r/#SRC/#g" -e "s#$jr\\\\/#SRC\\\\/#g")
    done
    sed -E "${sed_args[@]}" -e "s#^Content-Length: [0-9]+#Content-Length: L#" -e 's#"/[^"]*/copy/profiles/#"SRC/copy/profiles/#' -e "s#$out/(old|new)/#OUT/#g" "$1"
}
for f in $(cd "$out/old" && find . -type f | sort); do
    f=$out/old/${f#./}
    g=$out/new/${f#"$out"/old/}
    n=$((n + 1))
    if ! cmp -s <(norm "$f") <(norm "$g"); then
        echo "differs: ${f#"$out"/old/}"
        bad=1
    fi
done
[ -d "$out/new" ] && [ "$(cd "$out/new" && find . -type f | wc -l)" != "$n" ] && { echo "the new binary wrote a different set of files"; bad=1; }
echo "same_reports.sh: $n files compared over ${#traces[@]} traces x ${#configs[@]} configurations, compare and serve: $([ $bad = 0 ] && echo identical || echo DIFFERENT)"
exit $bad
