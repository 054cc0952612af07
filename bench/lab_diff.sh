#!/usr/bin/env bash
# bench/lab_diff.sh LAB.md OLD_RXSIM NEW_RXSIM: which of a lab's quoted outputs a model change
# moves.  Runs the lab's ```sh blocks with each binary, as its test does (a directory with
# build/rxsim and docs/, traces/, copy/ linked), then diffs what the blocks printed and the
# .txt files they wrote.  Empty output: the lab's numbers stand.  Machine-timed blocks (lab 2's
# calibrate) always differ.  Not a test: it asserts nothing.
set -u
[ $# -eq 3 ] || { echo "usage: $0 LAB.md OLD_RXSIM NEW_RXSIM" >&2; exit 2; }
lab=$1 old=$(realpath "$2") new=$(realpath "$3")
root=$(cd "$(dirname "$lab")/../.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/rxsim-lab-diff.XXXXXX")
for which in old new; do
    bin=$old; [ "$which" = new ] && bin=$new
    w=$out/$which
    mkdir -p "$w/build" "$w/blocks"
    ln -s "$bin" "$w/build/rxsim"
    for d in docs traces copy; do ln -s "$root/$d" "$w/$d"; done
    awk -v dir="$w/blocks" '
        /^```sh[[:space:]]*(runnable)?[[:space:]]*$/ { inblock = 1; k++; f = sprintf("%s/%02d.sh", dir, k); printf "" > f; next }
        inblock && /^```[[:space:]]*$/ { inblock = 0; close(f); next }
        inblock { print > f }' "$lab"
    for f in "$w"/blocks/*.sh; do
        (cd "$w" && bash -e -o pipefail "$f") >"$f.out" 2>/dev/null || echo "block $(basename "$f") failed with the $which binary"
    done
done
diff -r -x build -x docs -x traces -x copy -x '*.json' -x '*.csv' -x '*.svg' -x '*.html' -x '*.pcap' \
    "$out/old" "$out/new"
echo "(outputs kept in $out)"
