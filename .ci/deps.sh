#!/usr/bin/env bash
# Installs, with apt-get, whatever rxsim's build, tests and benchmarks need
# and this Debian 12 machine lacks.  Quiet when nothing is missing.
set -euo pipefail
pkgs=(meson ninja-build pkg-config gcc clang libclang-rt-14-dev
      libpcap-dev libevent-dev check libjson-c-dev nettle-dev
      libbsd-dev                  # <bsd/sys/tree.h>: the red-black tree behind tcp_reasm's out-of-order queue
      time                        # /usr/bin/time -v: peak RSS in bench/
      universal-ctags             # tests/structure/check_structure.py: function lengths
      tcpdump tshark iproute2 ethtool python3
      slurm-wlm munge parallel    # tests/e2e/check_slurm.sh, check_parallel.sh: docs/compare.md's recipes run
      chromium chromium-driver    # browser tests (tests/common/webdriver.c); ≈140 MiB
      fonts-liberation libgl1-mesa-dri)   # chromium's recommends that headless rendering uses
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "rxsim: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
