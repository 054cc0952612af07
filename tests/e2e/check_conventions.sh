#!/usr/bin/env bash
# The conventions users of tcpdump and friends expect (issue 16 item 1, 2):
# rxsim(1) renders without warnings and names every option every command
# accepts (read from the getopt tables and run's option table in the
# source, not from the help the page is made of; and in docs/user-guide.md), --version, rxsim help CMD,
# -r FILE and - for standard input, -c COUNT, --start/--duration in trace
# time (frames counted, bytes delivered), and the progress lines (--progress
# format off a terminal; percent and time left redrawn on a pty).  TAP.
#   env: RXSIM_BIN, RXSIM_SOURCE_ROOT, RXSIM_MAN (the generated rxsim.1)
set -u
root=${RXSIM_SOURCE_ROOT:?}; bin=${RXSIM_BIN:?}; man=${RXSIM_MAN:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/rxsim-conv.XXXXXX") || exit 1
[ -n "${RXSIM_KEEP_TEST_FILES:-}" ] || trap 'rm -rf "$work"' EXIT
T=$root/traces/data/bulk-v4-256k.pcap
t=0 failed=0
ok() { t=$((t + 1)); echo "ok $t - $1"; }
notok() { t=$((t + 1)); failed=1; echo "not ok $t - $1"; [ -f "${2:-/dev/null}" ] && sed 's/^/# /' "$2"; }
check() { if eval "$2" >"$work/out" 2>&1; then ok "$1"; else notok "$1" "$work/out"; fi; }
echo "1..17"

if command -v man >/dev/null; then
    check "man -l renders rxsim(1) without warnings" \
        "MANWIDTH=80 man --warnings -l '$man' >'$work/man.txt' 2>'$work/man.err' && ! [ -s '$work/man.err' ] && grep -q 'rxsim compare' '$work/man.txt'"
else
    ok "man -l renders rxsim(1) # SKIP man (man-db) is not installed"
fi

# Every long option in the source: getopt tables of the commands, run's table.
{ grep -ho '{ *"[a-z][a-z0-9-]*", *\(no\|required\|optional\)_argument' \
      "$root"/sim/cli/cmd_*.c "$root"/sim/validate/validate_opts.c | sed 's/{ *"\([^"]*\)".*/\1/'
  grep -o '\.name = "[a-z0-9-]*"' "$root/sim/options/run_options.c" | sed 's/.*"\(.*\)"/\1/'
} | sort -u >"$work/opts"
# the page escapes every dash: --allow-host is \-\-allow\-host there
missing=$(while read -r o; do grep -qF -- "$(printf '%s' "--$o" | sed 's/-/\\-/g')" "$man" || echo "--$o"; done <"$work/opts")
[ "$(wc -l <"$work/opts")" -gt 50 ] && [ -z "$missing" ] && ok "every option of every command is in rxsim(1) ($(wc -l <"$work/opts") names)" \
    || { echo "missing from rxsim(1): $missing" >"$work/out"; notok "every option in rxsim(1)" "$work/out"; }

missing=$(while read -r o; do grep -q -- "--$o\b" "$root/docs/user-guide.md" || echo "--$o"; done <"$work/opts")
[ -z "$missing" ] && ok "every option of every command is in docs/user-guide.md" \
    || { echo "missing from docs/user-guide.md: $missing" >"$work/out"; notok "every option in the guide" "$work/out"; }

v=$(grep -m1 "version:" "$root/meson.build" | sed "s/.*'\(.*\)'.*/\1/")
check "--version says meson's project version ($v)" "[ \"\$('$bin' --version)\" = 'rxsim $v' ]"
check "rxsim help CMD is CMD --help" "diff <('$bin' help inspect) <('$bin' inspect --help) && ! '$bin' help nosuch"

# frames read from the trace: offered to the NIC + skipped (not to the host)
frames() { python3 -c 'import json, sys; r = json.load(sys.stdin)["result"]; print(r["frames_offered"] + r["frames_skipped_not_to_host"])'; }
check "run -r FILE is run FILE" "diff <('$bin' run -r '$T' --json 2>/dev/null | sed 's/\"traces\": \[[^]]*\]//') <('$bin' run '$T' --json 2>/dev/null | sed 's/\"traces\": \[[^]]*\]//')"
check "run - reads standard input, -c 50 stops after 50 frames (offered + skipped)" \
    "[ \"\$('$bin' run - -c 50 --json <'$T' 2>/dev/null | frames)\" = 50 ]"
# inspect's records: 191 in the trace; -c 20 hands out 20 (12872 captured bytes, 11584 delivered)
check "inspect -r FILE -c 20: 20 records, 11584 bytes delivered" \
    "'$bin' inspect -r '$T' -c 20 --json | python3 -c 'import json,sys; r=json.load(sys.stdin); d=sum(x[\"bytes_delivered\"] for c in r[\"connections\"] for x in c[\"directions\"]); assert r[\"trace\"][\"records_processed\"]==20 and d==11584, (r[\"trace\"], d)'"
# --start 0.001 --duration 0.001: 117 of the trace's records lie in [1 ms, 2 ms) after the first
check "inspect --start/--duration: the records of that millisecond only (117)" \
    "'$bin' inspect '$T' --start 0.001 --duration 0.001 --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[\"trace\"][\"records_processed\"]==117, r[\"trace\"]'"
check "run --start/--duration: the same 117 frames offered + skipped" \
    "[ \"\$('$bin' run '$T' --start 0.001 --duration 0.001 --json 2>/dev/null | frames)\" = 117 ]"

# A report of part of a trace says which part, in every format (a figure for the
# whole trace would otherwise be read off it).
check "run -c/--start/--duration: the report says which part of the trace it read (text, JSON, CSV)" \
    "'$bin' run '$T' --start 0.001 --duration 0.002 -c 40 2>/dev/null | grep -q '^trace window .* from 0.001 s for 0.002 s, at most 40 frames' &&
     '$bin' run '$T' --start 0.001 -c 40 --json 2>/dev/null | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"config\"]; assert (c[\"start\"], c[\"count\"]) == (0.001, 40) and \"duration\" not in c, c' &&
     '$bin' run '$T' --duration 0.002 --csv 2>/dev/null | grep -qx 'config,duration,0.002,' &&
     ! '$bin' run '$T' 2>/dev/null | grep -q '^trace window'"

# Every command's usage error, and the trace layer's warnings, start "rxsim CMD:".
bad=$(for c in $("$bin" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
    "$bin" "$c" --no-such-option 2>&1 >/dev/null | head -1 | grep -q "^rxsim $c: " || echo "$c"
done)
[ -z "$bad" ] && ok "a usage error of every command starts 'rxsim CMD:'" \
    || { echo "without the prefix: $bad" >"$work/out"; notok "usage errors prefixed" "$work/out"; }
check "compare's re-run line quotes for the shell: --filter 'tcp port'" \
    "'$bin' compare '$T' --vary csum=softirq,process --no-progress -- --filter 'tcp port' 2>&1 >/dev/null | grep -q \"re-run alone: rxsim run .*--filter 'tcp port' \""
python3 -c 'import struct, sys
rec = lambda ts: struct.pack("<IIII", ts, 0, 60, 60) + bytes(60)
open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + rec(10) + rec(5))' "$work/back.pcap"
check "a trace's warning says which command: rxsim inspect: FILE: record 2 ...: warning" \
    "'$bin' inspect '$work/back.pcap' 2>&1 >/dev/null | grep -q '^rxsim inspect: .*back.pcap: record 2 at byte offset 100: warning: timestamp'"

check "--progress off a terminal: lines for scripts ending at percent=100" \
    "'$bin' inspect '$T' --progress 2>&1 >/dev/null | tail -1 | grep -Eq '^rxsim inspect: progress done=[0-9]+ total=[0-9]+ unit=bytes percent=100.0 elapsed_s=[0-9.]+ eta_s=0.0$'"
check "synth --progress: lines with percent and eta" \
    "'$bin' synth -o '$work/s.pcap' --bytes 8M --progress 2>&1 >/dev/null | grep -Eq '^rxsim synth: progress done=[0-9]+ total=8388608 unit=bytes percent=[0-9.]+ elapsed_s=[0-9.]+ eta_s=[0-9.]+$'"
check "synth on a terminal: one line redrawn in place, with percent and time left, erased at the end" \
    "python3 - '$bin' '$work/p.pcap' <<'PY'
import os, pty, re, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ['rxsim', 'synth', '-o', sys.argv[2], '--bytes', '24M'])
out = b''
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
s = out.decode()
assert re.search(r'\r\x1b\[Krxsim synth: [0-9.]+% of 25\.2 MB, [0-9.]+ MB/s, [0-9]+:[0-9]{2} left', s), repr(s[:300])
assert '\n' not in s.split('rxsim synth: wrote')[0].replace('\r\n', ''), repr(s[:300])
PY"
exit $failed
