#!/usr/bin/env bash
# bench/same_serve.sh RXSIM OUTDIR: every page and answer of `rxsim serve`
# a session touches, saved to OUTDIR for bench/same_reports.sh to compare
# between two binaries.
#
# Starts RXSIM serve on a free loopback port with a fresh work directory,
# then fetches with curl: the pages (/, /upload, /jobs), /traces.json, the
# static assets, errors (404, 405, a bad form field 400, a cross-site POST
# 403), an upload, a run job (page, status, report.json, report.csv,
# timeline.json), with ../shared a flagged run (bytes stranded: n/m figures), a
# compare job (page, report.json, report.csv, every chart) and a job that
# fails.  Each answer is saved as status line + headers (Date dropped) +
# body.  What differs between any two serve processes by design is
# rewritten: job and upload ids, the port, the work directory, the
# binary's profile path, and wall-clock durations and timestamps.
set -uo pipefail
rx=${1:?usage: same_serve.sh RXSIM OUTDIR}
out=${2:?usage: same_serve.sh RXSIM OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$rx" serve --listen 127.0.0.1:0 --workdir "$work/w" --max-jobs 1 >"$work/stdout" 2>"$work/stderr" &
pid=$!
for _ in $(seq 100); do
    grep -qs 'listening on' "$work/stdout" && break
    sleep 0.1
done
base=$(sed -n 's#.*listening on \(http://[^/]*\)/.*#\1#p' "$work/stdout")
[ -n "$base" ] || { echo "same_serve.sh: $rx serve did not start: $(cat "$work/stderr")" >&2; exit 1; }
port=${base##*:}

ids=()                                  # job/upload ids in the order seen: ID1, ID2, ...
norm() {
    local f=$1 i=1 id
    for id in "${ids[@]}"; do
        sed -i "s/$id/ID$i/g" "$f"
        i=$((i + 1))
    done
    sed -i -E -e "s#$work#WORK#g" -e "s#${work//\//\\\\/}#WORK#g" -e "s#127\.0\.0\.1:$port#HOST:PORT#g" -e "s#localhost:$port#HOST:PORT#g" \
        -e 's#"/[^"]*/copy/profiles/#"SRC/copy/profiles/#g' \
        -e 's#(id="job-elapsed">)[^<]*<#\1T<#g' -e 's#(class="state-[a-z]+">[a-z]+</td><td class="num">)[0-9.]+ s<#\1T s<#g' \
        -e 's#"(elapsed_s|started|finished|queued_at|started_at|finished_at|wall_s|created)": ?[0-9.e+-]+#"\1": T#g' \
        -e 's#[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z?#DATE#g' \
        -e '/^(Date|date): /d' "$f"
}
get() {                                 # get NAME PATH [curl args...]
    local name=$1 path=$2
    shift 2
    curl -s -i --max-time 60 "$@" "$base$path" | tr -d '\r' >"$out/serve.$name"
    norm "$out/serve.$name"
}
remember() {                            # remember ID: later rewritten as IDn
    [ -n "$1" ] && ids+=("$1")
}
job() {                                 # job NAME FORM: posts a job, waits for it, saves its answers
    local name=$1 form=$2 loc id state
    loc=$(curl -s -o /dev/null -w '%{redirect_url}' --max-time 60 -H 'Content-Type: application/x-www-form-urlencoded' \
        --data "$form" "$base/jobs")
    id=${loc##*/jobs/}
    remember "$id"
    for _ in $(seq 600); do
        state=$(curl -s --max-time 10 "$base/jobs/$id/status" | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p')
        case $state in queued|running|"") sleep 0.1 ;; *) break ;; esac
    done
    get "$name.page" "/jobs/$id"
    get "$name.status" "/jobs/$id/status"
    get "$name.report.json" "/jobs/$id/report.json"
    get "$name.report.csv" "/jobs/$id/report.csv"
    get "$name.timeline.json" "/jobs/$id/timeline.json"
    local c
    for c in $(curl -s --max-time 10 "$base/jobs/$id" | grep -o "/jobs/$id/chart/[a-z0-9_-]*\.svg" | sort -u); do
        get "$name.chart.${c##*/}" "$c"
    done
}

settle() {                              # waits until every trace's inspect summary is ready
    for _ in $(seq 600); do
        curl -s --max-time 10 "$base/traces.json" | grep -q '"summarizing"' || return 0
        sleep 0.1
    done
}
settle
get index /
get upload.page /upload
get jobs.empty /jobs
get traces.json /traces.json
get static.style.css /static/style.css
get static.serve.js /static/serve.js
get notfound /nope
get notfound.job /jobs/000000000000
get method /traces.json -X POST
get badfield /jobs -H 'Content-Type: application/x-www-form-urlencoded' \
    --data 'trace=shipped:bulk-v4-256k.pcap&kind=run&csum=bogus'
get crosssite /jobs -H 'Origin: http://evil.example' -H 'Content-Type: application/x-www-form-urlencoded' \
    --data 'trace=shipped:bulk-v4-256k.pcap&kind=run'
get rebound / -H 'Host: evil.example'
get upload.post /upload -F "file=@$here/../traces/data/parallel4-v4-64k.pcap;filename=mine.pcap"
settle
get index.after.upload /
get traces.after.upload /traces.json

job run 'trace=shipped:bulk-v4-256k.pcap&kind=run&csum=process&recv-size=4096&seed=7&delivery=batch%3A8'
job gro 'trace=shipped:parallel4-v4-64k.pcap&kind=run&delivery=gro&recycle=origin&cpus=3&irq=rr&app=float'
job compare 'trace=shipped:bulk-v4-256k.pcap&kind=compare&vary-csum=softirq&vary-csum=process&vary-recv-size=1024%2C+65536'
job failed 'trace=shipped:bulk-v4-256k.pcap&kind=run&filter=this+is+not+bpf'
snap=$here/../../shared/traces/public
if [ -r "$snap/zeek_tcp_reassembly.pcap" ]; then      # bytes stranded behind holes: n/m figures
    get upload.stranded /upload -F "file=@$snap/zeek_tcp_reassembly.pcap;filename=holes.pcap"
    settle
    job stranded 'trace=upload:u000002.pcap&kind=run'
    job stranded.synth 'trace=upload:u000002.pcap&kind=run&payload=synth'
    job stranded.compare 'trace=upload:u000002.pcap&kind=compare&vary-delivery=packet&vary-delivery=gro'
fi
get jobs.list /jobs
