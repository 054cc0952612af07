#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test twice: a normal
# build (build-test/) and an AddressSanitizer + UBSan build (build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
status=0
for cfg in "build-test:" "build-asan:-Db_sanitize=address,undefined -Db_lundef=false"; do
  dir=${cfg%%:*}
  opts=${cfg#*:}
  # shellcheck disable=SC2086
  [ -f "$dir/build.ninja" ] || meson setup "$dir" --buildtype=debugoptimized $opts >/dev/null
  echo "== $dir ==" >&2
  meson compile -C "$dir" >/dev/null
  meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
done
exit $status
