#!/usr/bin/env bash
# tests/e2e/check_slurm.sh: docs/compare.md's Slurm job-array script, read out
# of the doc, run on a real one-node Slurm cluster: munged, slurmctld and
# slurmd from Debian's packages, as root, in the foreground of background
# jobs, with a generated slurm.conf (this host's CPUs and memory from
# `slurmd -C`, free TCP ports, state, spool, logs, pid files, munge key and
# socket all in a temporary directory), so nothing system-wide is touched.
#
#   1. sbatch --wait --cpus-per-task=1 --array=1-N sweep.sbatch TRACE (each
#      sbatch given 120 s), with
#      array task K held (its rxsim waits on a file) until `scancel` ends it;
#   2. each `rxsim merge` line of the script's header then fails naming K/N;
#   3. sbatch --wait --array=K re-runs that task alone;
#   4. each merge line's output (table, JSON, CSV, SVGs) is byte-identical to
#      the unsharded compare with the arguments the shards ran.
# Every daemon (and any process they left) is stopped and reaped on exit,
# failure or signal.  Skips (77) when not root, when a package is missing,
# when the daemons cannot start (saying which, with its log), and in the
# sanitizer build (RXSIM_SANITIZE): it runs the same compare and merge paths
# check_compare runs under the sanitizers; what it adds is Slurm's plumbing,
# which the instrumented binary does not change.  TAP on stdout.
#
#   env: RXSIM_BIN, RXSIM_SOURCE_ROOT, RXSIM_SANITIZE (meson's b_sanitize)
set -u
root=${RXSIM_SOURCE_ROOT:?RXSIM_SOURCE_ROOT is not set}
RXSIM_BIN=${RXSIM_BIN:?RXSIM_BIN is not set}
# shellcheck source=tests/e2e/sweep_lib.sh
. "$root/tests/e2e/sweep_lib.sh"
doc=$root/docs/compare.md
trace=$root/traces/data/bulk-v4-256k.pcap
hold_task=3

case ${RXSIM_SANITIZE:-none} in
    none | '') ;;
    *) skip_all "sanitizer build (b_sanitize=$RXSIM_SANITIZE): the compare and merge paths are check_compare's there; Slurm's plumbing is tested in the normal build" ;;
esac
[ "$(id -u)" -eq 0 ] || skip_all "not root: the test runs munged, slurmctld and slurmd as root (SlurmUser=root) so that nothing system-wide is needed"
missing=""
for p in munged munge unmunge slurmctld slurmd sbatch scancel squeue sinfo scontrol python3; do
    command -v "$p" >/dev/null || missing="$missing $p"
done
[ -z "$missing" ] || skip_all "missing:$missing (.ci/deps.sh installs slurm-wlm munge)"

# munged wants every directory on its socket's path searchable by all.
dir=$(mktemp -d "${TMPDIR:-/tmp}/rxsim-slurm.XXXXXX") || exit 1
chmod 755 "$dir"
mkdir -p "$dir/run" "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/bin" "$dir/work" "$dir/ref"
chmod 700 "$dir/munge"
export SLURM_CONF=$dir/slurm.conf
cd "$dir" || exit 1     # the daemons, and so slurmstepd, work here: ours() finds them by it
pids=()    # the daemons, in the order they were started

# The processes of this test's cluster, by pid: those carrying its mark in
# their environment (the daemons) or working under its directory (the
# daemons start there, so slurmstepd does; the jobs run in work/).  Not this
# shell.
ours() {
    local p cwd
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
        cwd=$(readlink "/proc/$p/cwd" 2>/dev/null)
        if grep -qzx "RXSIM_SLURM_TEST=$dir" "/proc/$p/environ" 2>/dev/null ||
            [[ $cwd == "$dir" || $cwd == "$dir"/* ]]; then
            echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60)"
        fi
    done
}

# Stops everything this test started: a waiting sbatch, the jobs, then
# slurmd, slurmctld and munged (TERM, then KILL after 10 s), each waited for.
# Whatever of ours is still there then is noted in $leftover and killed.
leftover=""
cleanup() {
    local p i
    cd / || return
    [ -n "${sb:-}" ] && kill "$sb" 2>/dev/null && wait "$sb" 2>/dev/null    # a waiting sbatch
    if [ -n "${pids[*]:-}" ] && [ -s "$dir/run/slurmctld.pid" ]; then
        timeout 10 scancel --quiet --user=root 2>/dev/null
        for ((i = 0; i < 50; i++)); do
            [ -z "$(timeout 5 squeue --noheader 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        p=${pids[i]}
        kill -TERM "$p" 2>/dev/null
        timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    pids=()
    leftover=$(ours)
    while read -r p _; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; done <<<"$leftover"
    if [ -n "${RXSIM_KEEP_TEST_FILES:-}" ]; then echo "# kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Starts a daemon in the background, marked, its output in log/NAME.out.
start() {
    local name=$1
    shift
    RXSIM_SLURM_TEST=$dir nice "$@" >"$dir/log/$name.out" 2>&1 &
    pids+=($!)
}
# Skips, naming the daemon that did not come up and showing its log's tail.
daemon_skip() {
    echo "1..0 # SKIP $1 did not start: $2"
    for f in "$dir/log/$1".*; do
        [ -f "$f" ] && { echo "# --- $f"; tail -n 15 "$f" | sed 's/^/# /'; }
    done
    exit 77
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds; gives up after SECONDS,
# or at once when the daemon started last has exited.
wait_for() {
    local end=$((SECONDS + $1)) last=${pids[${#pids[@]} - 1]:-}
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || return 1
        [ -z "$last" ] || kill -0 "$last" 2>/dev/null || return 1
        sleep 0.2
    done
}

# munge: a fresh key, its own socket, pid, log and seed files.
head -c 1024 /dev/urandom >"$dir/munge/munge.key"
chmod 600 "$dir/munge/munge.key"
sock=$dir/run/munge.socket
start munged munged --foreground --socket="$sock" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
wait_for 10 sh -c "munge --socket='$sock' --no-input | unmunge --socket='$sock'" ||
    daemon_skip munged "no credential from $sock within 10 s, or munged exited"

# Two free TCP ports, chosen by binding to port 0.
read -r ctld_port d_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
node=$(slurmd -C | head -n 1)      # NodeName=HOST CPUs=... RealMemory=...: this host as it is
host=${node#NodeName=}
host=${host%% *}
cat >"$SLURM_CONF" <<EOF
# generated by tests/e2e/check_slurm.sh: a one-node cluster run as root
ClusterName=rxsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
# A test cluster's pace: schedule a finished task's successor at once (not
# after batch_sched_delay's 3 s), and let sbatch --wait poll every 2 s (it
# backs off 2, 8, 32 s while the poll is under MinJobAge/2; the default 300
# made the test wait 30 s for jobs long done).
SchedulerParameters=batch_sched_delay=0
MinJobAge=5
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=rxsim Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
start slurmctld slurmctld -D -i -f "$SLURM_CONF"
wait_for 20 scontrol ping || daemon_skip slurmctld "scontrol ping got no answer within 20 s, or slurmctld exited"
start slurmd slurmd -D -N "$host" -f "$SLURM_CONF"
wait_for 30 sh -c "sinfo --noheader --nodes='$host' --format=%t | grep -qx idle" ||
    daemon_skip slurmd "node $host not idle within 30 s or slurmd exited ($(sinfo --noheader --format=%t 2>&1))"

echo "1..7"
started=$SECONDS
sweep_block "$doc" "sweep.sbatch TRACE" "$dir/work/sweep.sbatch" ||
    { echo "Bail out! no single sh block with 'sweep.sbatch TRACE' in $doc"; exit 1; }
n=$(sed -n 's/^N=\([0-9][0-9]*\).*/\1/p' "$dir/work/sweep.sbatch")
sed -n 's/^#   \(rxsim merge .*\)$/\1/p' "$dir/work/sweep.sbatch" >"$dir/merges"
# shellcheck disable=SC2015
[ -n "$n" ] && [ "$n" -ge "$hold_task" ] && [ -s "$dir/merges" ] ||
    { echo "Bail out! the script has no N=<number> >= $hold_task or no '#   rxsim merge' lines"; exit 1; }
sweep_wrapper "$dir/bin"
export PATH=$dir/bin:$PATH RXSIM_TEST_ARGLOG=$dir/args

# 1. The array, task K held until cancelled.
cd "$dir/work" || exit 1
: >"$dir/hold"
RXSIM_TEST_HOLD=$hold_task:$dir/hold timeout 120 sbatch --parsable --wait --cpus-per-task=1 --array=1-"$n" \
    sweep.sbatch "$trace" >"$dir/sbatch1.out" 2>&1 &
sb=$!
if wait_for 60 test -e "$dir/hold.reached" && jid=$(head -n 1 "$dir/sbatch1.out") && [ -n "$jid" ]; then
    scancel "${jid}_$hold_task"
    wait "$sb"
    rc=$?
    sb=""
    others=$(for ((k = 1; k <= n; k++)); do [ "$k" = "$hold_task" ] || [ -s "shard-$k.json" ] || echo -n " $k"; done)
    # Not sbatch's exit status: for an array it is the worst of the tasks
    # slurmctld still remembers, and a task older than MinJobAge is forgotten.
    if grep -q "CANCELLED" rxsim-sweep-"${jid}_$hold_task".log && [ -z "$others" ]; then
        ok "sbatch --wait --array=1-$n: task $hold_task cancelled (its log says so; sbatch exit $rc), the other $((n - 1)) shards written"
    else
        notok "task $hold_task not cancelled (sbatch exit $rc) or shards not written:${others:- none}" \
            "$dir/sbatch1.out" rxsim-sweep-*.log "$dir/log/slurmctld.log"
    fi
else
    kill "$sb" 2>/dev/null
    wait "$sb" 2>/dev/null
    sb=""
    notok "task $hold_task never started within 60 s" "$dir/sbatch1.out" "$dir/log/slurmctld.log" "$dir/log/slurmd.log"
fi

# 2. Each merge line refuses, naming the cancelled shard.
bad=""
while IFS= read -r line; do
    (bash -e -o pipefail -c "$line") 2>"$dir/merge.err" && { bad="$bad [$line: exit 0]"; continue; }
    grep -q "1 shard missing: $hold_task/$n " "$dir/merge.err" || bad="$bad [$line: $(tr '\n' ' ' <"$dir/merge.err")]"
done <"$dir/merges"
if [ -z "$bad" ]; then
    ok "every merge line refuses: $(grep -m1 missing "$dir/merge.err")"
else
    notok "merge with task $hold_task cancelled:$bad"
fi

# 3. That task alone again.
rm -f "$dir/hold"
if timeout 120 sbatch --parsable --wait --cpus-per-task=1 --array="$hold_task" sweep.sbatch "$trace" >"$dir/sbatch2.out" 2>&1 &&
    [ -s "shard-$hold_task.json" ]; then
    ok "sbatch --wait --array=$hold_task re-ran shard $hold_task/$n"
else
    notok "re-running task $hold_task" "$dir/sbatch2.out" rxsim-sweep-*_"$hold_task".log "$dir/log/slurmctld.log"
fi

# 4. The merge lines, verbatim, and the unsharded compare with the shards' arguments.
files=() bad=""
rm -f "$dir/merge.err"
while IFS= read -r line; do
    files+=("${line##*> }")
    (bash -e -o pipefail -c "$line") 2>>"$dir/merge.err" || bad="$bad [$line]"
done <"$dir/merges"
if [ -z "$bad" ]; then ok "the $(wc -l <"$dir/merges") merge lines of the script's header ran"
else notok "merge lines failed:$bad" "$dir/merge.err"; fi
if shards=$(sweep_unsharded "$dir/args" "$dir/ref" <"$dir/merges" 2>"$dir/ref.err"); then
    ok "unsharded compare made from the $shards shards' common arguments"
else
    notok "the unsharded reference" "$dir/ref.err"
fi
if sweep_same "$dir/work" "$dir/ref" "${files[@]}" >"$dir/same.out"; then
    ok "merged ${files[*]} and the SVGs are byte-identical to the unsharded compare's"
else
    notok "merged output differs" "$dir/same.out"
fi
echo "# $n shards, $shards compare runs (the re-run included), sweep wall time $((SECONDS - started)) s"

# 5. Nothing left: the daemons stop, and nothing of the cluster outlives them.
trap - EXIT
cleanup
if [ -z "$leftover" ]; then
    ok "daemons stopped and reaped, no process of this test left"
else
    notok "left after the daemons stopped (now killed): $(tr '\n' ';' <<<"$leftover")"
fi
exit $failed
