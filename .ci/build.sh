#!/usr/bin/env bash
# Installs what is missing, then configures and builds rxsim in build/ (release).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
meson compile -C build >/dev/null
ln -sf sim/cli/rxsim build/rxsim   # the README runs build/rxsim
