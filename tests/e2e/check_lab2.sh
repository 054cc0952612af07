#!/usr/bin/env bash
# Runs lab 2 (docs/labs/02-copy-routines.md) from its text: every ```sh block,
# in order, each with bash -e -o pipefail, in a fresh directory where
# build/rxsim is the rxsim under test and docs/, traces/ and copy/ are the
# checkout's (read only).  Then checks the files the lab promises and every
# direction its text claims, from the JSON and CSV its commands wrote.  TAP.
#
# Steps 1-3 time this machine (rxsim calibrate): only directions that held in
# every one of seven runs on a loaded 2-vCPU VM are checked, with margins.
# Steps 4-6 run the model on the shipped profile: deterministic.
#
#   check_lab2.sh [LAB.md]    (default: docs/labs/02-copy-routines.md)
#   env: RXSIM_BIN (the rxsim executable), RXSIM_SOURCE_ROOT (the checkout),
#        RXSIM_SANITIZE (meson's b_sanitize: in a sanitizer build the routines
#        calibrate times are instrumented, so the timing checks are skipped)
set -u
root=${RXSIM_SOURCE_ROOT:?RXSIM_SOURCE_ROOT is not set}
bin=${RXSIM_BIN:?RXSIM_BIN is not set}
lab=${1:-$root/docs/labs/02-copy-routines.md}
case $lab in /*) ;; *) lab=$root/$lab ;; esac

. "$(dirname "$0")/lab_lib.sh"
lab_setup rxsim-lab2 docs traces copy
checks=(outputs classic-flip calib-cache calib-nontemporal calib-startup
        sim-cache-order sim-routines sim-whole-path sim-own-profile sim-csum-copy)
lab_run_blocks

# What the lab says it writes.
files_written "${checks[0]}: tables, profile and CSV files written" \
    lab2/flags.txt lab2/routines.txt 'lab2/classic.txt:=Table 6 (shape of OLS 2002)' lab2/mine.txt lab2/mine.json \
    'lab2/sim.txt:=throughput scaled to CPU, % change against copy=glibc' \
    lab2/sim.csv lab2/sim.json 'lab2/copy-chunk.txt:=copy_chunk ' lab2/sim-mine.csv lab2/csum-int.txt lab2/csum-copy.csv

# A check that needs something this machine lacks is skipped, saying why.
skip() { t=$((t + 1)); echo "ok $t - $1 # SKIP $2"; }

common='
import csv, json, re, sys
bad = []
prof = json.load(open("lab2/mine.json"))
def cyc(routine, cache, align, size):
    for cv in prof["curves"]:
        if cv["routine"] == routine and cv["cache"] == cache and cv["align"] == align:
            for p in cv["points"]:
                if p[0] == size:
                    return p[1]
    return None
copies = sorted({cv["routine"] for cv in prof["curves"] if cv["kind"] == "copy"})
def rows(f):
    return list(csv.DictReader(open(f)))
def pick(rs, **want):
    hit = [r for r in rs if all(r[k.replace("_", "-")] == w for k, w in want.items())]
    assert len(hit) == 1, (want, len(hit))
    return hit[0]
def cpb(r):
    return float(r["cycles_per_byte_by_category.copy"])
'
case ${RXSIM_SANITIZE:-none} in
    none|'') timing=yes ;;
    *) timing="" ;;
esac
if [ -z "$timing" ]; then
    for c in "${checks[@]:1:4}"; do
        skip "$c" "sanitizer build (b_sanitize=$RXSIM_SANITIZE): calibrate times instrumented routines"
    done
else
# Step 2: the string copy beats the unrolled loop at 1448 B hot, aligned or not,
# and offset 4 costs it less than 1.5x (2002: 1.9x).  Needs fast strings (ERMS).
if grep -qw erms "$work/lab2/flags.txt"; then
check "${checks[1]}: rep movsl beats the unrolled integer copy at 1448 B hot; offset 4 costs it < 1.5x" "$common
t6 = {}
for line in open('lab2/classic.txt'):
    m = re.match(r'(string copy \(rep movsl\)|unrolled integer copy)\s+(\d+)\s+(\d+)\s+(\d+)\s*$', line)
    if m:
        t6[m.group(1)[:6]] = [int(x) for x in m.groups()[1:]]
assert set(t6) == {'string', 'unroll'}, t6
s, u = t6['string'], t6['unroll']
if not (s[0] < u[0] and s[1] < u[1]):
    bad.append(f'rep movsl {s[:2]} vs unrolled {u[:2]} cycles (aligned, offset 4)')
if not s[1] < 1.5 * s[0]:
    bad.append(f'rep movsl offset 4 {s[1]} vs aligned {s[0]} cycles')
sys.exit('\n'.join(bad) or None)
"
else skip "${checks[1]}" "no erms in /proc/cpuinfo: the 2002 ordering may still hold here"; fi

# Step 3: cold >= 2x hot at 1448 B for every copy but nontemporal.  Remote is
# not checked: when the other CPU is busy its writer does not run between the
# timed calls and remote collapses towards hot (1.14x seen once here).
check "${checks[2]}: at 1448 B every copy routine but nontemporal costs >= 2x hot with a cold source" "$common
assert prof['mode'] == 'quick', prof['mode']
assert 'rep_movsl' in copies and 'unrolled_int' in copies and 'glibc' in copies, copies
for r in copies:
    if r == 'nontemporal':
        continue
    for a in (0, 4):
        h, c = cyc(r, 'hot', a, 1448), cyc(r, 'cold', a, 1448)
        if not c >= 2 * h:
            bad.append(f'{r} +{a}: cold {c} vs hot {h} cycles')
sys.exit('\n'.join(bad) or None)
"
# Not checked: nontemporal < glibc at 64 KiB cold (0.70-0.85 in 19 runs, but
# 1.01 once with the test suite running beside it).
check "${checks[3]}: nontemporal costs > 5x glibc at 1448 B hot" "$common
if 'nontemporal' in copies:
    n, g = cyc('nontemporal', 'hot', 0, 1448), cyc('glibc', 'hot', 0, 1448)
    if not n > 5 * g:
        bad.append(f'1448 B hot: nontemporal {n} vs glibc {g} cycles')
sys.exit('\n'.join(bad) or None)
"
check "${checks[4]}: at 64 B hot, rep movsl costs more than the unrolled integer copy (string start-up)" "$common
s, u = cyc('rep_movsl', 'hot', 0, 64), cyc('unrolled_int', 'hot', 0, 64)
if not s > 1.2 * u:
    bad.append(f'64 B hot: rep_movsl {s} vs unrolled_int {u} cycles')
sys.exit('\n'.join(bad) or None)
"

fi

# Steps 4-6: the model on the shipped profile (deterministic).
check "${checks[5]}: in the model, hot < remote < cold copy cycles per byte for every routine" "$common
rs = rows('lab2/sim.csv')
assert len(rs) == 24 and all(r['exit'] == '0' for r in rs), [(r['index'], r['exit']) for r in rs]
for c in ('rep_movsl', 'rep_movsb', 'unrolled_int', 'sse2', 'nontemporal', 'glibc'):
    hot = cpb(pick(rs, copy=c, app='fixed:0', csum='softirq'))
    rem = cpb(pick(rs, copy=c, app='fixed:1', csum='softirq'))
    cold = cpb(pick(rs, copy=c, app='fixed:0', csum='offload'))
    if not (hot < rem < cold):
        bad.append(f'{c}: hot {hot:.3f} remote {rem:.3f} cold {cold:.3f}')
sys.exit('\n'.join(bad) or None)
"
# The per-segment copy_chunk (docs/model.md, "Per piece copied") is the same
# for every routine and most of a hot copy: the totals are close hot and cold,
# and the routines' own per-byte parts (copy c/B less copy_chunk x pieces /
# bytes, pieces = copy_to_user calls, from lab2/sim.json) are > 2x apart hot.
check "${checks[6]}: in the model, unrolled > rep movsl > glibc hot; totals < 1.25x apart hot and cold, own per-byte parts > 2x apart hot" "$common
rs = rows('lab2/sim.csv')
hot = {c: cpb(pick(rs, copy=c, app='fixed:0', csum='softirq')) for c in ('rep_movsl', 'rep_movsb', 'unrolled_int', 'sse2', 'glibc')}
cold = {c: cpb(pick(rs, copy=c, app='fixed:0', csum='offload')) for c in hot}
if not hot['unrolled_int'] > hot['rep_movsl'] > hot['glibc']:
    bad.append(f'hot: {hot}')
if not max(hot.values()) < 1.25 * min(hot.values()):
    bad.append(f'hot spread: {hot}')
if not max(cold.values()) < 1.25 * min(cold.values()):
    bad.append(f'cold spread: {cold}')
name, chunk = open('lab2/copy-chunk.txt').read().split()
assert name == 'copy_chunk' and int(chunk) > 0, (name, chunk)
own = {}
for r in json.load(open('lab2/sim.json'))['rows']:
    v, rep = r['values'], r['report']
    if v['csum'] != 'softirq' or v['copy'] not in hot:
        continue
    pieces = [p['calls'] for p in rep['profile'] if p['function'] == 'copy_to_user'][0]
    total = rep['result']['cycles_per_byte_by_category']['copy']
    if abs(total - hot[v['copy']]) > 0.0005:
        bad.append(f'{v}: sim.json copy c/B {total} vs sim.csv {hot[v[\"copy\"]]}')
    own[v['copy']] = total - int(chunk) * pieces / rep['result']['bytes_read']
if sorted(own) != sorted(hot) or not min(own.values()) > 0:
    bad.append(f'own per-byte parts: {own}')
elif not max(own.values()) > 2 * min(own.values()):
    bad.append(f'own per-byte parts hot not > 2x apart: {own}')
sys.exit('\n'.join(bad) or None)
"
check "${checks[7]}: whole path: every routine but nontemporal within 2 % of glibc, nontemporal > 5 % worse" "$common
rs = rows('lab2/sim.csv')
for app in ('fixed:0', 'fixed:1'):
    for cs in ('softirq', 'offload'):
        g = float(pick(rs, copy='glibc', app=app, csum=cs)['throughput_scaled_to_cpu_mbps'])
        for c in ('rep_movsl', 'rep_movsb', 'unrolled_int', 'sse2', 'nontemporal'):
            d = float(pick(rs, copy=c, app=app, csum=cs)['throughput_scaled_to_cpu_mbps']) / g - 1
            if (c == 'nontemporal' and not d < -0.05) or (c != 'nontemporal' and not abs(d) < 0.02):
                bad.append(f'app={app} csum={cs} copy={c}: {d:+.1%} against glibc')
sys.exit('\n'.join(bad) or None)
"
check "${checks[8]}: with this machine's profile, cold costs more than hot for every routine" "$common
rs = rows('lab2/sim-mine.csv')
assert len(rs) == 24 and all(r['exit'] == '0' for r in rs), [(r['index'], r['exit']) for r in rs]
assert all(r['config.profile'].endswith('lab2/mine.json') for r in rs), rs[0]['config.profile']
for c in ('rep_movsl', 'rep_movsb', 'unrolled_int', 'sse2', 'nontemporal', 'glibc'):
    for app in ('fixed:0', 'fixed:1'):
        hot = cpb(pick(rs, copy=c, app='fixed:0', csum='softirq'))
        cold = cpb(pick(rs, copy=c, app=app, csum='offload'))
        if not cold > hot:
            bad.append(f'{c} app={app}: cold {cold:.3f} vs hot {hot:.3f}')
sys.exit('\n'.join(bad) or None)
"
# One pass saves a little per byte beside the interrupt (0.033 c/B, half a
# percent), which one softirq pass more or less decides (a wash, within 1 %);
# on the other CPU it stops lines moving and gains, at least half a point more.
check "${checks[9]}: one pass: cheaper than checksum + copy, a wash (< 1 %) beside the interrupt, a gain on the other CPU with fewer lines; avx2 pass cheaper than int" "$common
txt = open('lab2/csum-int.txt').read()
m = re.search(r'^fixed:0\s+[\d.]+\s+([+-][\d.]+)%\s*\nfixed:1\s+[\d.]+\s+([+-][\d.]+)%', txt, re.M)
assert m, 'no summary table in csum-int.txt'
same, other = float(m.group(1)), float(m.group(2))
if not (abs(same) < 1 and other > 0.5 and other > same + 0.5):
    bad.append(f'csum=process vs softirq: same CPU {same} %, other CPU {other} %')
rowl = {}
for mm in re.finditer(r'^\d+\s+(softirq|process)\s+(fixed:[01])\s.*\s(\d+)\s+(?:base|[+-][\d.]+%)\s*$', txt, re.M):
    rowl[mm.group(1), mm.group(2)] = int(mm.group(3))
if not (len(rowl) == 4 and rowl['process', 'fixed:1'] < rowl['softirq', 'fixed:1'] / 2):
    bad.append(f'lines moved: {rowl}')
sim = rows('lab2/sim.csv')
sep = pick(sim, copy='unrolled_int', app='fixed:0', csum='softirq')
one = cpb(pick(rows('lab2/csum-copy.csv'), csum_copy='csum_copy_int', app='fixed:0'))
two = float(sep['cycles_per_byte_by_category.csum']) + cpb(sep)
if not one < two:
    bad.append(f'one pass {one:.3f} vs checksum + copy {two:.3f} cycles per byte')
rs = rows('lab2/csum-copy.csv')
for app in ('fixed:0', 'fixed:1'):
    i, v = cpb(pick(rs, csum_copy='csum_copy_int', app=app)), cpb(pick(rs, csum_copy='csum_copy_avx2', app=app))
    if not v < i:
        bad.append(f'app={app}: csum_copy_avx2 {v:.3f} vs csum_copy_int {i:.3f}')
sys.exit('\n'.join(bad) or None)
"
exit $failed
