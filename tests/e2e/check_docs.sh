#!/usr/bin/env bash
# Runs every command block the documentation marks runnable, so that what
# README.md and docs/ tell a user to type cannot drift from what rxsim does.
#
# A runnable block is a fenced block opened by "```sh runnable" (indented or
# not: a block inside a list item is indented).  The blocks of one file run in
# order, each with bash -e -o pipefail, in one fresh directory per file laid
# out like a checkout: build/rxsim is the rxsim under test (and `rxsim` on
# PATH is the same), docs/ and traces/ are the checkout's (read only), and
# .ci/build.sh is a no-op: the build it would make is the one under test, so
# the README's "bash .ci/build.sh && build/rxsim ..." runs its second half.
# A block must finish within RXSIM_DOC_BLOCK_SECONDS (default 60).  Lab 1's
# plain ```sh blocks are tests/e2e/check_lab.sh's, not this test's.  TAP on
# stdout: one line per block, named by its file, line and first line.
#
#   check_docs.sh [FILE.md...]   (default: README.md and docs/**/*.md)
#   env: RXSIM_BIN (the rxsim executable), RXSIM_SOURCE_ROOT (the checkout)
set -u
root=${RXSIM_SOURCE_ROOT:?RXSIM_SOURCE_ROOT is not set}
bin=${RXSIM_BIN:?RXSIM_BIN is not set}
limit=${RXSIM_DOC_BLOCK_SECONDS:-60}

if [ $# -gt 0 ]; then files=("$@")
else mapfile -t files < <(cd "$root" && { echo README.md; find docs -name '*.md' | sort; }); fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rxsim-docs.XXXXXX") || exit 1
[ -n "${RXSIM_KEEP_TEST_FILES:-}" ] || trap 'rm -rf "$work"' EXIT

# Split every file's runnable blocks into $work/blocks/NNN.sh, with an index
# line "NNN<TAB>file<TAB>line<TAB>first line" each.
mkdir -p "$work/blocks"
: >"$work/index"
k=0
for f in "${files[@]}"; do
    case $f in /*) path=$f ;; *) path=$root/$f ;; esac
    rel=${path#"$root"/}
    awk -v dir="$work/blocks" -v start="$k" -v rel="$rel" '
        function fail(msg) { print "Bail out! " rel ":" open ": " msg > "/dev/stderr"; bad = 1; exit 1 }
        !inblock && /^[[:space:]]*```sh[[:space:]]+runnable[[:space:]]*$/ {
            inblock = 1; open = NR; n++; indent = match($0, /[^[:space:]]/) - 1
            f = sprintf("%s/%03d.sh", dir, start + n); printf "" > f; first = ""; next
        }
        inblock && /^[[:space:]]*```[[:space:]]*$/ {
            inblock = 0; close(f)
            printf "%03d\t%s\t%d\t%s\n", start + n, rel, open, first >> (dir "/../index"); next
        }
        inblock {
            line = $0
            if (substr(line, 1, indent) ~ /^[[:space:]]*$/) line = substr(line, indent + 1)
            if (first == "" && line !~ /^[[:space:]]*$/) first = line
            print line > f
        }
        END { if (!bad && inblock) fail("unterminated runnable block"); print n + 0 > (dir "/../count") }' \
        "$path" || { echo "Bail out! cannot split $rel"; exit 1; }
    k=$((k + $(cat "$work/count")))
done
[ "$k" -gt 0 ] || { echo "Bail out! no runnable blocks in ${files[*]}"; exit 1; }

echo "1..$k"
failed=0
prev=""
while IFS=$'\t' read -r num rel line first; do
    if [ "$rel" != "$prev" ]; then     # a fresh checkout-like directory per file
        d="$work/run-${num}"
        mkdir -p "$d/build" "$d/bin" "$d/.ci"
        ln -s "$bin" "$d/build/rxsim"
        ln -s "$bin" "$d/bin/rxsim"
        ln -s "$root/docs" "$d/docs"
        ln -s "$root/traces" "$d/traces"
        printf '#!/bin/sh\n# check_docs.sh: the build under test is already built\nexit 0\n' >"$d/.ci/build.sh"
        prev=$rel
    fi
    start=$(date +%s.%N)
    if (cd "$d" && PATH="$d/bin:$PATH" timeout "$limit" bash -e -o pipefail "$work/blocks/$num.sh") \
        >"$work/out" 2>&1; then
        took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }')
        echo "ok $((10#$num)) - $rel:$line ($took): $first"
    else
        rc=$?
        failed=1
        echo "not ok $((10#$num)) - $rel:$line exited $rc$([ $rc = 124 ] && echo " (over ${limit} s)"): $first"
        sed 's/^/# /' "$work/out"
    fi
done <"$work/index"
exit $failed
