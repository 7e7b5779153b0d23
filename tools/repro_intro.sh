#!/usr/bin/env bash
# Prints what the README says about the main job as measured on this
# machine: the wall time of the first README command's run (the default
# vma_repro: real kernel, every variant, one child per CPU), the largest
# RSS any of its processes reached (getrusage's ru_maxrss over the
# children, the high-water mark the kernel kept for each), and its output.
# Usage: tools/repro_intro.sh   (builds //bench:vma_repro first; about 1 min)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench:vma_repro >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import os, resource, subprocess, sys, time
tmp = sys.argv[1]
t0 = time.monotonic()
with open(os.path.join(tmp, "out"), "w") as out, open(os.path.join(tmp, "err"), "w") as err:
    rc = subprocess.call(["bazel-bin/bench/vma_repro/vma_repro"], stdout=out, stderr=err)
wall = time.monotonic() - t0
maxrss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if rc not in (0, 1):
    sys.exit("repro_intro: vma_repro exited %d: %s" % (rc, open(os.path.join(tmp, "err")).read()[-500:]))
cpus = os.cpu_count()
kernel = os.uname().release
print("On the machine that made this block (%d CPUs, Linux %s) the run took "
      "**%.0f s** of wall time after the build, and its largest process "
      "reached **%.1f GiB** of RSS." % (
          cpus, kernel, wall, maxrss_kib / 1048576.0))
print()
print("Its standard output:")
print()
print("```")
print(open(os.path.join(tmp, "out")).read().rstrip("\n"))
print("```")
PY
