#!/usr/bin/env bash
# bench/fidelity.sh [RXSIM] [WORKDIR]: the OLS 2002 comparisons of docs/fidelity.md,
# run with the given rxsim (default build/rxsim), printed as the markdown tables the
# doc quotes (the closed-loop ones as rxsim compare prints them).  A documented
# comparison, not a test: nothing here is asserted, and no figure is tuned to the
# paper's.  About 35 s on two cores.
set -euo pipefail
rx=${1:-build/rxsim}
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/rxsim-fidelity.XXXXXX")}
mkdir -p "$work"
sizes="1024 4096 16384 65536"

# The workload: four netperf-like streams, one per NIC, the sender's write
# (message) size set per trace as netperf's TCP_NODELAY sends set the paper's
# segment sizes; 100 Mbit/s per stream.
for s in $sizes; do
    "$rx" synth -o "$work/t1-$s.pcap" --flows 4 --bytes 2M --send-size "$s" --rate 400M --seed 1 >/dev/null
done

echo "### Table 1: four NICs, four CPUs, four readers"
echo
echo "Throughput scaled to CPU, % change against no affinity (IRQs round-robin, the Linux-like scheduler):"
echo
echo "| message size | no affinity, Mbit/s | IRQ affinity | process affinity | both | lines moved: none / IRQ / process / both |"
echo "| ---: | ---: | ---: | ---: | ---: | --- |"
for s in $sizes; do
    "$rx" compare "$work/t1-$s.pcap" --vary irq=rr,rss --vary app=linux,pin:rr,pin:irq \
        --no-progress --json -- --cpus 4 --nics 4 >"$work/t1-$s.json"
    python3 - "$work/t1-$s.json" "$s" <<'PY'
import json, sys
rows = {(r["values"]["irq"], r["values"]["app"]): r["report"]["result"] for r in json.load(open(sys.argv[1]))["rows"]}
cells = [("rr", "linux"), ("rss", "linux"), ("rr", "pin:rr"), ("rss", "pin:irq")]
base = rows[cells[0]]["throughput_scaled_to_cpu_mbps"]
pct = [f'{rows[c]["throughput_scaled_to_cpu_mbps"] / base - 1:+.1%}' for c in cells[1:]]
lines = " / ".join(str(rows[c]["lines_moved"]) for c in cells)
print(f"| {sys.argv[2]} | {base:.1f} | {' | '.join(pct)} | {lines} |")
PY
done
echo
echo "### Checksum placement: folded into the copy (csum=process) against softirq"
echo
echo "One stream, two CPUs, the interrupt on CPU 0; throughput scaled to CPU, % change of csum=process:"
echo
echo "| message size | reader on the IRQ's CPU | reader on the other CPU | lines moved, other CPU: softirq / process |"
echo "| ---: | ---: | ---: | --- |"
for s in $sizes; do
    "$rx" synth -o "$work/c-$s.pcap" --flows 1 --bytes 4M --send-size "$s" --rate 1G --seed 1 >/dev/null
    "$rx" compare "$work/c-$s.pcap" --vary csum=softirq,process --vary app=fixed:0,fixed:1 \
        --no-progress --json -- --cpus 2 --irq fixed:0 >"$work/c-$s.json"
    python3 - "$work/c-$s.json" "$s" <<'PY'
import json, sys
rows = {(r["values"]["csum"], r["values"]["app"]): r["report"]["result"] for r in json.load(open(sys.argv[1]))["rows"]}
g = lambda app: rows[("process", app)]["throughput_scaled_to_cpu_mbps"] / rows[("softirq", app)]["throughput_scaled_to_cpu_mbps"] - 1
print(f'| {sys.argv[2]} | {g("fixed:0"):+.1%} | {g("fixed:1"):+.1%} | '
      f'{rows[("softirq", "fixed:1")]["lines_moved"]} / {rows[("process", "fixed:1")]["lines_moved"]} |')
PY
done
echo
echo "### Table 2: where lines move, no affinity (4 KiB messages)"
echo
echo "The functions of the profile with the most cache lines moved in (the paper's L2_cache_lines_out):"
echo
echo "| function | lines moved | share | calls |"
echo "| --- | ---: | ---: | ---: |"
"$rx" run "$work/t1-4096.pcap" --cpus 4 --nics 4 --irq rr --app linux --host 10.0.0.2 --no-progress --json >"$work/t2.json"
python3 - "$work/t2.json" <<'PY'
import json, sys
prof = json.load(open(sys.argv[1]))["profile"]
total = sum(r["lines_out"] for r in prof) or 1
for r in sorted(prof, key=lambda r: -r["lines_out"])[:8]:
    print(f'| `{r["function"]}` | {r["lines_out"]} | {r["lines_out"] / total:.0%} | {r["calls"]} |')
PY
echo
echo "### NIC scalability at saturation (closed loop)"
echo
echo '```'
"$rx" compare --replay closed --vary nics=1,2,3,4 --no-progress \
    -- --cpus 2 --link 1G --flows 12 --bytes 1M --rcvbuf 512K | sed -n '/^at saturation/,$p'
echo '```'
echo
echo "### Table 1 at saturation (closed loop)"
echo
echo '```'
"$rx" compare --replay closed --vary send-size=1024,4096,16384,65536 --vary irq=rr,rss \
    --vary app=linux,pin:rr,pin:irq --baseline irq=rr --baseline app=linux --no-progress \
    -- --cpus 4 --nics 4 --flows 4 --link 10G --bytes 2M --rcvbuf 512K | sed -n '/^at saturation/,$p'
echo '```'
echo
echo "(made with: bench/fidelity.sh $rx; files in $work)"
