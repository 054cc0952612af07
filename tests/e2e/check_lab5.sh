#!/usr/bin/env bash
# Runs lab 5 (docs/labs/05-zero-copy.md) from its text: every ```sh block,
# in order, each with bash -e -o pipefail, in a fresh directory where
# build/rxsim is the rxsim under test and docs/, traces/ and copy/ are the
# checkout's (read only).  Then checks the files the lab promises and every
# direction its text claims (and the page counts it works out by hand), from
# the JSON and text its commands wrote.  The model on the shipped profile is
# deterministic; the checks are directions, not digits.  TAP.
#
#   check_lab5.sh [LAB.md]    (default: docs/labs/05-zero-copy.md)
#   env: RXSIM_BIN (the rxsim executable), RXSIM_SOURCE_ROOT (the checkout)
set -u
root=${RXSIM_SOURCE_ROOT:?RXSIM_SOURCE_ROOT is not set}
bin=${RXSIM_BIN:?RXSIM_BIN is not set}
lab=${1:-$root/docs/labs/05-zero-copy.md}
case $lab in /*) ;; *) lab=$root/$lab ;; esac

. "$(dirname "$0")/lab_lib.sh"
lab_setup rxsim-lab5 docs traces copy
checks=(outputs mapped-by-hand same-bytes receive-sizes readers-and-mtus checksum-offload shootdowns)
lab_run_blocks

files_written "${checks[0]}: traces, reports and comparisons written" \
    lab5/page.pcap lab5/mtu9000.pcap lab5/mtu1500.pcap lab5/zc-page.json lab5/zc-mtu9000.json \
    lab5/zc-mtu1500.json lab5/sizes.json lab5/app-page.json lab5/app-mtu9000.json lab5/app-mtu1500.json \
    lab5/threads.json "lab5/sizes.txt:=% change against receive=copy" "lab5/csum.txt:=% change against receive=copy" \
    "lab5/threads.txt:=% change against receive=copy"

common='
import json, re, sys
bad = []
def rows(f):
    return json.load(open(f))["rows"]
def pick(rs, **want):
    hit = [r for r in rs if all(r["values"][k.replace("_", "-")] == w for k, w in want.items())]
    assert len(hit) == 1, (want, len(hit))
    return hit[0]["report"]
def scaled(rep):
    return rep["result"]["throughput_scaled_to_cpu_mbps"]
def cycles(rep, fn):
    return [p["cycles"] for p in rep["profile"] if p["function"] == fn][0]
def summary(f):   # the compare summary: {row label: % change}
    txt = open(f).read().split("% change against receive=copy")[1]
    return {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"^(\S+(?: \S+)?)\s+[\d.]+\s+([+-][\d.]+)%\s*$", txt, re.M)}
'

# Step 2: 4096-byte payloads map whole; MTU 9000: per 16 KiB write 3 pages and
# 4096 bytes copied (256 writes); MTU 1500: nothing mapped.
check "${checks[1]}: pages mapped and bytes copied as the text works them out" "$common
want = {'page': (1024, 0), 'mtu9000': (768, 1048576), 'mtu1500': (0, 4194304)}
for t, (pages, copied) in want.items():
    z = json.load(open(f'lab5/zc-{t}.json'))['result']['zerocopy']
    if (z['pages_mapped'], z['bytes_copied_fallback']) != (pages, copied) or z['bytes_mapped'] != 4096 * pages:
        bad.append(f'{t}: {z}')
sys.exit('\n'.join(bad) or None)
"
check "${checks[2]}: zero-copy delivers the sender's bytes (SHA-256 = synth's truth) on all three traces" "$common
for t in ('page', 'mtu9000', 'mtu1500'):
    r = json.load(open(f'lab5/zc-{t}.json'))
    truth = [d['sha256'] for d in json.load(open(f'lab5/{t}.pcap.truth.json'))['directions'] if d.get('read_by') == 'receiver']
    got = [c['sha256'] for c in r['connections']]
    if not truth or got != truth:
        bad.append(f'{t}: {got} vs {truth}')
sys.exit('\n'.join(bad) or None)
"
# Step 3: small receives lose, 4 KiB and 64 KiB win, 64 KiB more; nothing copied when pages are mapped.
check "${checks[3]}: 1 KiB receives lose, 4 and 64 KiB win (64 KiB more), page-sized payloads copy nothing" "$common
rs = rows('lab5/sizes.json')
g = {s: scaled(pick(rs, receive='zerocopy', recv_size=s)) / scaled(pick(rs, receive='copy', recv_size=s)) - 1
     for s in ('1024', '4096', '65536')}
if not (g['1024'] < 0 < g['4096'] < g['65536']):
    bad.append(f'zerocopy against copy: {g}')
for s in ('4096', '65536'):
    if cycles(pick(rs, receive='zerocopy', recv_size=s), 'copy_to_user') != 0:
        bad.append(f'recv-size {s}: zerocopy copied')
sm = summary('lab5/sizes.txt')
if not (sm.get('1024', 0) < 0 < sm.get('4096', -1) < sm.get('65536', -1)):
    bad.append(f'sizes.txt summary: {sm}')
sys.exit('\n'.join(bad) or None)
"
# Step 4: a reader that reads every byte: zero-copy's application pays misses
# (app > its own 1.000) where pages were mapped; on page-sized payloads that
# takes most of zero-copy's gain (under half of the untouched gain is left: the
# copy's per-segment copy_chunk, which zero-copy saves, keeps it about even),
# and on MTU 9000 and 1500 the copy wins; with no reading, zero-copy wins on
# page-sized payloads; MTU 1500: the copy wins.
check "${checks[4]}: a reader that reads every byte takes most of zero-copy's gain on page-sized payloads and favours the copy on the others; MTU 1500 favours the copy; page-sized, untouched, zero-copy" "$common
for t in ('page', 'mtu9000', 'mtu1500'):
    rs = rows(f'lab5/app-{t}.json')
    r = {(z, a): pick(rs, receive=z, app_cycles_per_byte=a) for z in ('copy', 'zerocopy') for a in ('0', '1')}
    g0 = scaled(r['zerocopy', '0']) / scaled(r['copy', '0']) - 1
    g1 = scaled(r['zerocopy', '1']) / scaled(r['copy', '1']) - 1
    if t == 'page' and not (g0 > 0 and g1 < g0 / 2):
        bad.append(f'page: zerocopy against copy {g0:+.1%} untouched, {g1:+.1%} reading every byte')
    if t != 'page' and not g1 < 0:
        bad.append(f'{t}, app 1: zerocopy {g1:+.1%} against copy')
    app_c = r['copy', '1']['result']['cycles_per_byte_by_category']['app']
    app_z = r['zerocopy', '1']['result']['cycles_per_byte_by_category']['app']
    if abs(app_c - 1) > 0.001 or (t != 'mtu1500' and not app_z > app_c) or (t == 'mtu1500' and abs(app_z - 1) > 0.001):
        bad.append(f'{t}: app cycles/byte copy {app_c}, zerocopy {app_z}')
    if t == 'page' and not scaled(r['zerocopy', '0']) > scaled(r['copy', '0']):
        bad.append('page, app 0: zerocopy does not win')
    if t == 'mtu1500' and not scaled(r['zerocopy', '0']) < scaled(r['copy', '0']):
        bad.append('mtu1500, app 0: zerocopy does not lose')
sys.exit('\n'.join(bad) or None)
"
# With the checksum in softirq the copy reads lines already in the cache:
# zero-copy saves only the per-segment copy_chunk and gains nothing (within
# 2 %); with offload it gains at least 5 points more.
check "${checks[5]}: zero-copy gains nothing (within 2 %) with the checksum in softirq and > 5 points more with checksum offload" "$common
sm = summary('lab5/csum.txt')
if not (abs(sm.get('softirq', 99)) < 2 and sm.get('offload', -99) > sm.get('softirq', 99) + 5):
    bad.append(f'csum.txt summary: {sm}')
sys.exit('\n'.join(bad) or None)
"
check "${checks[6]}: no shootdown for a single-threaded reader, one per unmap with two threads, and they cost the gain" "$common
for r in rows('lab5/threads.json'):
    v, rep = r['values'], r['report']
    ipis = rep['result']['zerocopy']['tlb_shootdown_ipis']
    unmaps = [p['calls'] for p in rep['profile'] if p['function'] == 'flush_tlb_mm_range'][0]
    want = 0 if v['reader-threads'] == '1' else unmaps
    if ipis != want or unmaps == 0:
        bad.append(f'{v}: {ipis} IPIs for {unmaps} unmaps')
sm = summary('lab5/threads.txt')
for s in ('4096', '65536'):
    if not sm.get(f'2 {s}', 1) < sm.get(f'1 {s}', -1):
        bad.append(f'recv-size {s}: two threads {sm.get(f\"2 {s}\")} vs one {sm.get(f\"1 {s}\")}')
if not sm.get('2 4096', 1) < 0:
    bad.append(f'two threads, 4 KiB: {sm.get(\"2 4096\")}')
sys.exit('\n'.join(bad) or None)
"
exit $failed
