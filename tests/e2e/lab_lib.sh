# tests/e2e/lab_lib.sh (sourced, not run): what the labs' tests
# (check_lab.sh, check_lab2.sh, check_lab3.sh, ...) share: a fresh directory
# laid out like a checkout (build/rxsim is the rxsim under test; the named
# folders of the checkout linked read only), the lab's ```sh blocks run in
# order, each with bash -e -o pipefail, the TAP lines, and the two kinds of
# check after the blocks (files written; a claim checked by Python).  The
# caller sets root, bin, lab and checks (the names of its own checks).

# lab_setup PREFIX DIR...: $work, with build/rxsim and $root/DIR linked.
lab_setup() {
    local prefix=$1 d
    shift
    work=$(mktemp -d "${TMPDIR:-/tmp}/$prefix.XXXXXX") || exit 1
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/build" "$work/blocks"
    ln -s "$bin" "$work/build/rxsim"
    for d in "$@"; do ln -s "$root/$d" "$work/$d"; done
}

t=0 failed=0
ok() { t=$((t + 1)); echo "ok $t - $1"; }
notok() { t=$((t + 1)); failed=1; echo "not ok $t - $1"; sed 's/^/# /' "$2"; }

# lab_run_blocks: the plan line, then every ```sh block of $lab as a test;
# the first that fails marks the rest, and every check, not run, and exits 1.
lab_run_blocks() {
    local n k f first start c
    n=$(awk -v dir="$work/blocks" '
        /^```sh[[:space:]]*$/ { inblock = 1; k++; f = sprintf("%s/%02d.sh", dir, k); printf "" > f; next }
        inblock && /^```[[:space:]]*$/ { inblock = 0; close(f); next }
        inblock { print > f }
        END { if (inblock) exit 1; print k + 0 }' "$lab") || { echo "Bail out! unterminated sh block in $lab"; exit 1; }
    [ "$n" -gt 0 ] || { echo "Bail out! no sh blocks in $lab"; exit 1; }
    echo "1..$((n + ${#checks[@]}))"
    for ((k = 1; k <= n; k++)); do
        f=$(printf '%s/blocks/%02d.sh' "$work" "$k")
        first=$(grep -m1 -v '^[[:space:]]*$' "$f")
        start=$(date +%s.%N)
        if (cd "$work" && bash -e -o pipefail "$f") >"$work/out" 2>&1; then
            ok "block $k ($(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f s", e - s}')): $first"
        else
            notok "block $k exited non-zero: $first" "$work/out"
            for ((k++; k <= n; k++)); do t=$((t + 1)); echo "not ok $t - block $k (not run: an earlier block failed)"; done
            for c in "${checks[@]}"; do t=$((t + 1)); echo "not ok $t - $c (not run: an earlier block failed)"; done
            exit 1
        fi
    done
}

# check NAME PYTHON: one TAP line; PYTHON runs in $work and exits non-zero,
# with a message, when the lab's claim does not hold.
check() {
    if (cd "$work" && python3 -c "$2") >"$work/out" 2>&1; then ok "$1"; else notok "$1" "$work/out"; fi
}

# files_written NAME ARG...: one TAP line, ok when each ARG names a file of
# $work that is there and not empty; ARG FILE:=TEXT also wants TEXT (a fixed
# string) in FILE.  The not-ok line lists what is missing.
files_written() {
    local name=$1 a f missing=""
    shift
    for a in "$@"; do
        f=${a%%:=*}
        if [ ! -s "$work/$f" ]; then
            missing="$missing $f"
        elif [ "$f" != "$a" ] && ! grep -qF -- "${a#*:=}" "$work/$f"; then
            missing="$missing $f (no '${a#*:=}')"
        fi
    done
    if [ -z "$missing" ]; then ok "$name"; else echo "missing:$missing" >"$work/out"; notok "$name" "$work/out"; fi
}
