#!/usr/bin/env bash
# Builds KenLM (lmplz, query, build_binary) from a source checkout for the paired benchmarks under eval/, which read
# its bin folder from KENLM_BIN. KenLM is not packaged in Debian 12; get the source with
#   git clone https://github.com/kpu/kenlm   (any copy of it will do: a tarball, a mirror)
# Installs the build dependencies from Debian's packages (cmake, Boost with its test library, Eigen, zlib; sudo when not root), builds with
# -DKENLM_MAX_ORDER=8 (the orders lmc supports) and prints the line to export.
# Usage: eval/kenlm-build.sh KENLM_SOURCE_DIR [BUILD_DIR=KENLM_SOURCE_DIR/build]
set -euo pipefail
src="${1:?usage: eval/kenlm-build.sh KENLM_SOURCE_DIR [BUILD_DIR]}"
build="${2:-$src/build}"
[ -f "$src/CMakeLists.txt" ] && [ -d "$src/lm/builder" ] || { echo "kenlm-build.sh: $src is not a KenLM source tree" >&2; exit 2; }
packages=(cmake g++ libboost-program-options-dev libboost-system-dev libboost-thread-dev libboost-test-dev libeigen3-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "kenlm-build.sh: installing ${missing[*]}" >&2
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DKENLM_MAX_ORDER=8 >/dev/null
cmake --build "$build" -j "$(nproc)" --target lmplz query build_binary >/dev/null
echo "export KENLM_BIN=$(cd "$build/bin" && pwd)"
