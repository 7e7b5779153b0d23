#!/usr/bin/env bash
# Installs the Debian packages this project builds and tests with, if any are
# missing. Idempotent and quiet when there is nothing to do. Needs root (or
# sudo) only when something has to be installed. Does nothing else.
set -euo pipefail

packages=(
  bazel-bootstrap   # Bazel 4.2.3 (prints "bazel no_version")
  libabsl-dev       # Abseil 20220623
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  pkg-config
  clang             # libFuzzer targets
  libclang-rt-14-dev
  chromium          # renders the SVG pictures to PNG for checking
  liblzma-dev       # reads xz-compressed heap-event logs (mheap/go15/events)
  bpftrace          # tools/vma_peak's eBPF VMA counter
  golang-1.19-go    # bootstrap toolchain of tools/go151/build_and_record.sh (Go 1.5.1)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
