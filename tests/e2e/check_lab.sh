#!/usr/bin/env bash
# Runs a lab's commands from its text: every ```sh block of the markdown, in
# order, each with bash -e -o pipefail, in a fresh directory where build/rxsim
# is the rxsim under test (the README's build leaves build/rxsim there too).
# Then checks the files the lab promises and the directions it claims, from the
# JSON its commands wrote.  TAP on stdout.
#
#   check_lab.sh [LAB.md]    (default: docs/labs/01-affinity-and-checksum.md)
#   env: RXSIM_BIN (the rxsim executable), RXSIM_SOURCE_ROOT (the checkout)
set -u
root=${RXSIM_SOURCE_ROOT:?RXSIM_SOURCE_ROOT is not set}
bin=${RXSIM_BIN:?RXSIM_BIN is not set}
lab=${1:-$root/docs/labs/01-affinity-and-checksum.md}
case $lab in /*) ;; *) lab=$root/$lab ;; esac

. "$(dirname "$0")/lab_lib.sh"
lab_setup rxsim-lab docs     # the labs' own files (docs/labs/*-costs.json), read only
checks=(outputs affinity-superadditive affinity-lines affinity-alone send-size-superadditive csum-direction csum-lines)
lab_run_blocks

# What the lab says it writes.
files_written "${checks[0]}: table, JSON and SVG files written" \
    lab1/four-flows.pcap lab1/neither.txt lab1/both.txt lab1/affinity.json lab1/csum.json \
    'lab1/affinity.txt:=throughput scaled to CPU, % change against irq=rr app=linux' \
    'lab1/csum.txt:=throughput scaled to CPU, % change against csum=softirq' \
    lab1/affinity-svg/bars-scaled-throughput.svg lab1/affinity-svg/bars-lines-moved.svg \
    lab1/affinity-svg/stacked-cycles-per-byte.svg lab1/affinity-svg/line-recv-size-scaled-throughput.svg \
    lab1/csum-svg/bars-scaled-throughput.svg \
    lab1/send-1024.json lab1/send-4096.json lab1/send-16384.json lab1/send-65536.json

# The directions the lab claims, checked in the JSON the lab wrote (check: lab_lib.sh).
common='
import json, sys
def rows(f):
    return [(r["values"], r["report"]["result"], r["exit"]) for r in json.load(open(f))["rows"]]
def pick(rs, **want):
    hit = [res for v, res, _ in rs if all(v[k.replace("_", "-")] == w for k, w in want.items())]
    assert len(hit) == 1, (want, len(hit))
    return hit[0]
bad = []
'
# The lab's 2x2 (the paper's Table 1): neither = rr + linux, IRQ only = rss + linux,
# process only = rr + pin:irq, both = rss + pin:irq.
check "${checks[1]}: both affinities gain, more than either alone and more than IRQ-only plus process-only (scaled throughput)" "$common
rs = rows('lab1/affinity.json')
assert len(rs) == 32 and all(e == 0 for _, _, e in rs)
for csum in ('softirq', 'process'):
    for ms in ('1024', '4096', '16384', '65536'):
        s = lambda irq, app: pick(rs, irq=irq, app=app, csum=csum, recv_size=ms)['throughput_scaled_to_cpu_mbps']
        base = s('rr', 'linux')
        g_irq, g_app, g_both = (s('rss', 'linux') / base - 1, s('rr', 'pin:irq') / base - 1, s('rss', 'pin:irq') / base - 1)
        # Either affinity alone may cost (the text states the signs it quotes): only the
        # pair's gain and its super-additivity are claimed at every size.
        if not (g_both > 0 and g_both > max(g_irq, g_app) and g_both > g_irq + g_app):
            bad.append(f'csum={csum} recv-size={ms}: irq only {g_irq:+.1%}, app only {g_app:+.1%}, both {g_both:+.1%}')
sys.exit('\n'.join(bad) or None)
"
check "${checks[2]}: both affinities move fewer lines than either, no wakeup crosses CPUs and no reader migrates" "$common
rs = rows('lab1/affinity.json')
for csum in ('softirq', 'process'):
    for ms in ('1024', '4096', '16384', '65536'):
        r = lambda irq, app: pick(rs, irq=irq, app=app, csum=csum, recv_size=ms)
        lb, li, la = r('rss', 'pin:irq')['lines_moved'], r('rss', 'linux')['lines_moved'], r('rr', 'pin:irq')['lines_moved']
        wr = r('rss', 'pin:irq')['wakeups_remote'], r('rr', 'linux')['wakeups_remote']
        mig = r('rss', 'pin:irq')['migrations'], r('rr', 'pin:irq')['migrations']
        if not (lb < li and lb < la and wr[0] == 0 and wr[1] > 0 and mig == (0, 0)):
            bad.append(f'csum={csum} recv-size={ms}: lines both {lb}, irq only {li}, app only {la}; '
                       f'remote wakeups both/neither {wr}; migrations of pinned readers {mig}')
sys.exit('\n'.join(bad) or None)
"
# Step 4's question 1, at the row it quotes (csum=softirq, 4 KiB reads): either affinity alone
# costs, moves more lines than none, and wakes readers across CPUs more often than none; IRQ
# affinity alone makes Linux's scheduler migrate readers more.
check "${checks[3]}: at 4 KiB reads either affinity alone costs and moves more lines than none (Step 4)" "$common
rs = rows('lab1/affinity.json')
r = lambda irq, app: pick(rs, irq=irq, app=app, csum='softirq', recv_size='4096')
n, i, p = r('rr', 'linux'), r('rss', 'linux'), r('rr', 'pin:irq')
s = lambda x: x['throughput_scaled_to_cpu_mbps']
if not (s(i) < s(n) and s(p) < s(n)):
    bad.append(f'scaled Mbit/s: none {s(n):.1f}, IRQ only {s(i):.1f}, process only {s(p):.1f}')
for name, x in (('IRQ only', i), ('process only', p)):
    if not (x['lines_moved'] > n['lines_moved'] and x['wakeups_remote'] > n['wakeups_remote']):
        bad.append(f'{name}: lines {x[\"lines_moved\"]} vs none {n[\"lines_moved\"]}, remote wakeups {x[\"wakeups_remote\"]} vs {n[\"wakeups_remote\"]}')
if not i['migrations'] > n['migrations']:
    bad.append(f'migrations: IRQ only {i[\"migrations\"]}, none {n[\"migrations\"]}')
sys.exit('\n'.join(bad) or None)
"
check "${checks[4]}: at every sender's write size, both affinities gain more than either alone and than the two added" "$common
for size in ('1024', '4096', '16384', '65536'):
    rs = rows(f'lab1/send-{size}.json')
    assert len(rs) == 4 and all(e == 0 for _, _, e in rs), size
    r = lambda irq, app: pick(rs, irq=irq, app=app)
    base = r('rr', 'linux')['throughput_scaled_to_cpu_mbps']
    g = lambda irq, app: r(irq, app)['throughput_scaled_to_cpu_mbps'] / base - 1
    g_irq, g_app, g_both = g('rss', 'linux'), g('rr', 'pin:irq'), g('rss', 'pin:irq')
    lines = [r(i, a)['lines_moved'] for i, a in (('rr', 'linux'), ('rss', 'linux'), ('rr', 'pin:irq'))]
    lb = r('rss', 'pin:irq')['lines_moved']
    if not (g_both > 0 and g_both > max(g_irq, g_app) and g_both > g_irq + g_app and lb < min(lines)):
        bad.append(f'send-size={size}: irq only {g_irq:+.1%}, app only {g_app:+.1%}, both {g_both:+.1%}; '
                   f'lines both {lb}, others {lines}')
sys.exit('\n'.join(bad) or None)
"
check "${checks[5]}: csum=process helps more with the reader on the other CPU, and helps there for reads of 4 KiB and up" "$common
rs = rows('lab1/csum.json')
assert len(rs) == 24 and all(e == 0 for _, _, e in rs)
for ms in ('1024', '4096', '16384', '65536'):
    gain = lambda app: (pick(rs, app=app, csum='process', recv_size=ms)['throughput_scaled_to_cpu_mbps'] /
                        pick(rs, app=app, csum='softirq', recv_size=ms)['throughput_scaled_to_cpu_mbps'] - 1)
    same, other, flt = gain('fixed:0'), gain('fixed:1'), gain('float')
    if not (other > same and flt > same and (ms == '1024' or other > 0)):
        bad.append(f'recv-size={ms}: csum=process vs softirq: same CPU {same:+.1%}, other CPU {other:+.1%}, float {flt:+.1%}')
sys.exit('\n'.join(bad) or None)
"
check "${checks[6]}: csum=process cuts the lines moved when the reader is on the other CPU" "$common
rs = rows('lab1/csum.json')
for ms in ('1024', '4096', '16384', '65536'):
    p = pick(rs, app='fixed:1', csum='process', recv_size=ms)['lines_moved']
    s = pick(rs, app='fixed:1', csum='softirq', recv_size=ms)['lines_moved']
    z = pick(rs, app='fixed:0', csum='softirq', recv_size=ms)['lines_moved']
    if not (p < s / 2 and z == 0):
        bad.append(f'recv-size={ms}: lines moved other CPU softirq {s}, process {p}; same CPU {z}')
sys.exit('\n'.join(bad) or None)
"
exit $failed
