#!/usr/bin/env bash
# bench/bench_inspect.sh [TRACE [RXSIM]]: rxsim inspect against the libpcap read floor.
#
# Times `rxsim inspect TRACE` (output to /dev/null) and `tcpdump -r TRACE -w
# /dev/null` in the same run, alternating, RUNS times each (default 3) after
# one warm-up read so both see a warm page cache; prints the best wall time of
# each, the ratio, and rxsim's peak RSS (GNU time's %M; wait4's ru_maxrss if
# /usr/bin/time is missing, which over-reports by the Python parent's RSS).
# Targets (issue 2): ratio <= 1.5, peak RSS < 64 MiB.  Exit: 0 measured (met or
# not: it is a benchmark), 1 a command failed, 77 no trace given.
#
# TRACE defaults to $RXSIM_LARGE_TRACE (make one with bench/make-large-trace.sh);
# RXSIM defaults to $RXSIM_BIN, then build/sim/cli/rxsim.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
trace=${1:-${RXSIM_LARGE_TRACE:-}}
rxsim=${2:-${RXSIM_BIN:-$here/../build/sim/cli/rxsim}}
if [ -z "$trace" ] || [ ! -r "$trace" ]; then
    echo "bench_inspect.sh: SKIP: no trace (pass one, or set RXSIM_LARGE_TRACE; make one with bench/make-large-trace.sh OUT)" >&2
    exit 77
fi
command -v tcpdump >/dev/null || { echo "bench_inspect.sh: tcpdump not found" >&2; exit 1; }
[ -x "$rxsim" ] || { echo "bench_inspect.sh: rxsim not found at $rxsim" >&2; exit 1; }

exec python3 - "$trace" "$rxsim" "${RUNS:-3}" <<'PY'
import os, subprocess, sys, time
trace, rxsim, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

# Peak RSS through GNU time: a child forked from this Python process would
# report Python's own RSS as its high-water mark (Linux keeps it across exec).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

def run(argv):
    """Wall seconds and peak RSS (KiB) of one run; stdout to /dev/null."""
    rss_file = "/tmp/bench_inspect.%d.rss" % os.getpid()
    full = [GNU_TIME, "-f", "%M", "-o", rss_file] + argv if GNU_TIME else argv
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=null, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("%s exited %d: %s" % (" ".join(argv), code, err.strip()[-500:]))
    rss = ru.ru_maxrss
    if GNU_TIME:
        with open(rss_file) as f:
            rss = int(f.read().split()[-1])
        os.unlink(rss_file)
    return wall, rss

floor = ["tcpdump", "-r", trace, "-w", os.devnull]
inspect = [rxsim, "inspect", trace]
with open(trace, "rb") as f:              # warm the page cache for both
    while f.read(1 << 20):
        pass
t_floor, t_insp, rss_floor, rss_insp = [], [], 0, 0
for _ in range(runs):
    w, r = run(floor); t_floor.append(w); rss_floor = max(rss_floor, r)
    w, r = run(inspect); t_insp.append(w); rss_insp = max(rss_insp, r)
best_f, best_i = min(t_floor), min(t_insp)
ratio = best_i / best_f
mib = rss_insp / 1024.0
print("trace: %s (%d bytes)" % (trace, os.path.getsize(trace)))
print("tcpdump -r TRACE -w /dev/null: best %.3f s of %s; peak RSS %.1f MiB"
      % (best_f, ", ".join("%.3f" % x for x in t_floor), rss_floor / 1024.0))
print("rxsim inspect TRACE:           best %.3f s of %s; peak RSS %.1f MiB"
      % (best_i, ", ".join("%.3f" % x for x in t_insp), mib))
print("ratio rxsim/tcpdump: %.2f (target <= 1.5: %s)" % (ratio, "met" if ratio <= 1.5 else "NOT met"))
print("rxsim peak RSS: %.1f MiB (target < 64 MiB: %s)" % (mib, "met" if mib < 64 else "NOT met"))
PY
