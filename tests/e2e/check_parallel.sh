#!/usr/bin/env bash
# tests/e2e/check_parallel.sh: docs/compare.md's GNU parallel recipe, read out
# of the doc and run as written in a directory holding bulk.pcap (the shipped
# traces/data/bulk-v4-256k.pcap):
#   1. it exits 0, each of its N shards ran, with one command line apart from
#      --shard and --jobs;
#   2. each of its merge lines' output is byte-identical to the unsharded
#      compare with those arguments;
#   3. with one shard made to fail, the recipe exits non-zero and a merge of
#      the files left names that shard, and only it, as K/N;
#   4. the recipe with that shard's number for `seq 1 N`, as the doc says to
#      re-run it, completes the merges to the unsharded bytes.
# Skips (77) without GNU parallel.  HOME is the test's directory (parallel
# keeps ~/.parallel).  TAP on stdout.
#
#   env: RXSIM_BIN, RXSIM_SOURCE_ROOT
set -u
root=${RXSIM_SOURCE_ROOT:?RXSIM_SOURCE_ROOT is not set}
RXSIM_BIN=${RXSIM_BIN:?RXSIM_BIN is not set}
# shellcheck source=tests/e2e/sweep_lib.sh
. "$root/tests/e2e/sweep_lib.sh"
doc=$root/docs/compare.md
trace=$root/traces/data/bulk-v4-256k.pcap
fail_k=3

command -v parallel >/dev/null || skip_all "GNU parallel missing (.ci/deps.sh installs parallel)"
parallel --version 2>/dev/null | grep -q 'GNU parallel' || skip_all "'parallel' is not GNU parallel (moreutils'?)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/rxsim-parallel.XXXXXX") || exit 1
trap '[ -n "${RXSIM_KEEP_TEST_FILES:-}" ] && echo "# kept $dir" || rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/work" "$dir/ref" "$dir/fail"
for d in work ref fail; do ln -s "$trace" "$dir/$d/bulk.pcap"; done
sweep_block "$doc" "| parallel " "$dir/recipe.sh" ||
    { echo "Bail out! no single sh block with '| parallel ' in $doc"; exit 1; }
grep -o 'rxsim merge shard-\*\.json[^&\\]*' "$dir/recipe.sh" | sed 's/[[:space:]]*$//' >"$dir/merges"
n=$(grep -o -- '--shard {}/[0-9]*' "$dir/recipe.sh" | head -n 1)
n=${n##*/}
# shellcheck disable=SC2015
[ -s "$dir/merges" ] && [ -n "$n" ] && [ "$n" -ge "$fail_k" ] ||
    { echo "Bail out! the recipe has no 'rxsim merge shard-*.json' or no --shard {}/N with N >= $fail_k"; exit 1; }
sweep_wrapper "$dir/bin"
export PATH=$dir/bin:$PATH HOME=$dir

echo "1..4"
start=$SECONDS
cd "$dir/work" || exit 1
files=()
while IFS= read -r line; do files+=("${line##*> }"); done <"$dir/merges"
if RXSIM_TEST_ARGLOG=$dir/args bash -e -o pipefail "$dir/recipe.sh" </dev/null >"$dir/run.out" 2>&1 &&
    shards=$(sweep_unsharded "$dir/args" "$dir/ref" <"$dir/merges" 2>"$dir/ref.err") && [ "$shards" = "$n" ]; then
    ok "the recipe ran its $n shards and ${#files[@]} merges; the unsharded compare made from their arguments"
else
    notok "the recipe (or the unsharded reference: ${shards:-none} shards noted)" "$dir/run.out" "$dir/ref.err"
fi
if sweep_same "$dir/work" "$dir/ref" "${files[@]}" >"$dir/same.out"; then
    ok "merged ${files[*]} byte-identical to the unsharded compare's"
else
    notok "merged output differs" "$dir/same.out"
fi
echo "# wall time $((SECONDS - start)) s"

# A failing shard: the recipe stops, and merge names what is missing.
cd "$dir/fail" || exit 1
if RXSIM_TEST_FAIL=$fail_k/$n bash -e -o pipefail "$dir/recipe.sh" </dev/null >"$dir/fail.out" 2>&1; then
    notok "the recipe exited 0 with shard $fail_k/$n failing" "$dir/fail.out"
elif rxsim merge shard-*.json >/dev/null 2>"$dir/merge.err"; then
    notok "merge succeeded with shard $fail_k/$n failed" "$dir/merge.err"
elif grep -q "1 shard missing: $fail_k/$n " "$dir/merge.err"; then
    ok "with shard $fail_k/$n failing the recipe exits non-zero and merge says: $(grep -m1 missing "$dir/merge.err")"
else
    notok "merge does not name shard $fail_k/$n alone" "$dir/merge.err" "$dir/fail.out"
fi
sed "s|^seq 1 $n |echo $fail_k |" "$dir/recipe.sh" >"$dir/rerun.sh"
if ! grep -q "^echo $fail_k |" "$dir/rerun.sh"; then
    notok "the recipe does not start with 'seq 1 $n |'"
elif bash -e -o pipefail "$dir/rerun.sh" </dev/null >"$dir/rerun.out" 2>&1 &&
    sweep_same "$dir/fail" "$dir/ref" "${files[@]}" >"$dir/same.out"; then
    ok "re-running shard $fail_k alone ('echo $fail_k | parallel ...') completes the merges, identical"
else
    notok "re-running shard $fail_k alone" "$dir/rerun.out" "$dir/same.out"
fi
exit $failed
