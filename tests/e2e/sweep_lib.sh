# tests/e2e/sweep_lib.sh: what check_slurm.sh and check_parallel.sh share
# (sourced, not run): reading a recipe out of docs/compare.md, an `rxsim` on
# PATH that notes each compare's arguments, the unsharded compare made from
# those arguments, and TAP output.  The recipes are run as the doc writes
# them; the unsharded reference is made from the arguments they actually
# passed, so neither test holds its own copy of the sweep.
#
# Needs: RXSIM_BIN, RXSIM_SOURCE_ROOT; sets t (the TAP counter) and failed.
# shellcheck shell=bash disable=SC2034

t=0 failed=0
ok() { t=$((t + 1)); echo "ok $t - $1"; }
notok() {
    t=$((t + 1)); failed=1; echo "not ok $t - $1"
    shift
    for f in "$@"; do [ -f "$f" ] && { echo "# --- $f (last 25 lines)"; tail -n 25 "$f" | sed 's/^/# /'; }; done
    return 0
}
skip_all() { echo "1..0 # SKIP $1"; exit 77; }

# sweep_block DOC NEEDLE OUT: the ```sh block of DOC whose text contains
# NEEDLE, written to OUT.  Exactly one block must match.
sweep_block() {
    awk -v needle="$2" -v out="$3" '
        /^```sh[[:space:]]*$/ { inblock = 1; text = ""; next }
        inblock && /^```[[:space:]]*$/ {
            inblock = 0
            if (index(text, needle)) { printf "%s", text > out; found++ }
            next
        }
        inblock { text = text $0 "\n" }
        END { exit found == 1 ? 0 : 1 }' "$1"
}

# sweep_wrapper DIR: DIR/rxsim, the build's rxsim after two test devices:
#  - each `rxsim compare` writes its arguments, NUL-separated, to
#    $RXSIM_TEST_ARGLOG.PID (the unsharded reference is made from them);
#  - with RXSIM_TEST_HOLD=K:FILE, Slurm array task K waits while FILE exists,
#    having touched FILE.reached (so the test can cancel it mid-run);
#  - with RXSIM_TEST_FAIL=K/N, the compare of --shard K/N fails (exit 1).
sweep_wrapper() {
    cat >"$1/rxsim" <<EOF
#!/bin/sh
if [ "\${1:-}" = compare ] && [ -n "\${RXSIM_TEST_HOLD:-}" ] &&
   [ "\${SLURM_ARRAY_TASK_ID:-}" = "\${RXSIM_TEST_HOLD%%:*}" ]; then
    hold=\${RXSIM_TEST_HOLD#*:}
    : >"\$hold.reached"
    while [ -e "\$hold" ]; do sleep 0.2; done
fi
if [ "\${1:-}" = compare ] && [ -n "\${RXSIM_TEST_FAIL:-}" ]; then
    for a do
        [ "\$a" = "\$RXSIM_TEST_FAIL" ] && { echo "rxsim (test): shard \$a made to fail" >&2; exit 1; }
    done
fi
if [ "\${1:-}" = compare ] && [ -n "\${RXSIM_TEST_ARGLOG:-}" ]; then
    printf '%s\0' "\$@" >"\$RXSIM_TEST_ARGLOG.\$\$"
fi
exec '$RXSIM_BIN' "\$@"
EOF
    chmod +x "$1/rxsim"
}

# sweep_unsharded ARGLOG REFDIR: checks that every noted compare ran the same
# command apart from --shard K/N and --jobs J, then, for each merge line
# given on stdin ("rxsim merge shard-*.json OUTARGS > FILE"), runs that
# command without --shard and with OUTARGS for --json, in REFDIR, to FILE.
# Prints the number of shards noted.  Non-zero, saying why, on a mismatch.
sweep_unsharded() {
    local arglog=$1 ref=$2 f first="" n=0 line outargs file
    local -a args base
    for f in "$arglog".*; do
        [ -e "$f" ] || { echo "no rxsim compare was run" >&2; return 1; }
        mapfile -d '' args <"$f"
        base=()
        local i=0
        while ((i < ${#args[@]})); do
            case ${args[i]} in
                --shard | --jobs) i=$((i + 2)); continue ;;
            esac
            base+=("${args[i]}")
            i=$((i + 1))
        done
        local key
        key=$(printf '%q ' "${base[@]}")
        if [ -z "$first" ]; then first=$key
        elif [ "$key" != "$first" ]; then
            printf 'shards ran different sweeps:\n  %s\n  %s\n' "$first" "$key" >&2; return 1
        fi
        n=$((n + 1))
    done
    mkdir -p "$ref"
    while IFS= read -r line; do
        [[ $line =~ ^rxsim\ merge\ shard-\*\.json(.*)\ \>\ ([^ ]+)$ ]] || { echo "cannot read merge line: $line" >&2; return 1; }
        outargs=${BASH_REMATCH[1]} file=${BASH_REMATCH[2]}
        local -a cmd=()
        for a in "${base[@]}"; do
            if [ "$a" = --json ]; then
                # shellcheck disable=SC2206
                cmd+=($outargs)
            else
                cmd+=("$a")
            fi
        done
        (cd "$ref" && "$RXSIM_BIN" "${cmd[@]}" >"$file" 2>"$file.err") ||
            { echo "unsharded $(printf '%q ' "${cmd[@]}") failed:" >&2; cat "$ref/$file.err" >&2; return 1; }
    done
    echo "$n"
}

# sweep_same WORKDIR REFDIR FILE...: each FILE and each SVG directory a merge
# line wrote is byte-identical in both.  Prints what differs.
sweep_same() {
    local w=$1 r=$2 f bad=0
    shift 2
    for f in "$@"; do
        [ -s "$w/$f" ] || { echo "$f: not written by the merge"; bad=1; continue; }
        cmp -s "$w/$f" "$r/$f" || { echo "$f: differs from the unsharded compare's"; bad=1; }
    done
    for f in "$r"/*/; do
        [ -d "$f" ] || continue
        f=$(basename "$f")
        diff -rq "$w/$f" "$r/$f" || bad=1
        [ -n "$(ls "$w/$f")" ] || { echo "$f/: empty"; bad=1; }
    done
    return $bad
}
