#!/usr/bin/env bash
# Prints the README's table of the real Go 1.5.1 runs (testdata/go151_real/):
# the vma_watch summary line of each run, and the benchmarks where the
# counts peak. Reads only committed measurements; runs nothing.
# Usage: tools/real_go_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=testdata/go151_real
python3 - "$dir" <<'PY'
import re, sys
d = sys.argv[1]
runs = []
for line in open(f"{d}/summary.txt"):
    if not line.strip() or line.startswith("#"):
        continue
    label, rest = line.split(" ", 1)
    f = dict(re.findall(r"(\w+)=([^ {}]+)", rest.split("madvise{")[0]))
    calls = dict(kv.split("=") for kv in re.search(r"madvise\{([^}]*)\}", rest).group(1).split())
    wall = re.search(r"wall=([\d.]+)s", rest).group(1)
    runs.append((label, f, calls, wall))
names = {"prefix": "go1.5.1 (prefix)", "fixed": "go1.5.1 + 44078a3 (fixed)"}
print("| runtime.test built from | max VMAs | at s | final | NOHUGEPAGE | HUGEPAGE | DONTNEED | NOHUGEPAGE errors | wall s |")
print("|---|---|---|---|---|---|---|---|---|")
for label, f, calls, wall in runs:
    errs = ", ".join(f"{v} {k.split('/')[1]}" for k, v in calls.items() if "/" in k) or "0"
    print(f"| {names.get(label, label)} | {f['max_vmas']} | {f['at'].rstrip('s')} | {f['final']} | "
          f"{calls.get('NOHUGEPAGE', 0)} | {calls.get('HUGEPAGE', 0)} | {calls.get('DONTNEED', 0)} | {errs} | {wall} |")
per = {}
for label in ("prefix", "fixed"):
    rows = [l.rstrip("\n").split("\t") for l in open(f"{d}/{label}_per_benchmark.tsv")][1:]
    per[label] = {r[0]: int(r[3]) for r in rows}
top = sorted(per["prefix"], key=lambda b: -per["prefix"][b])[:6]
print()
print("The benchmarks during which go1.5.1's count is highest (max VMAs while each ran):")
print()
print("| benchmark | go1.5.1 | go1.5.1 + 44078a3 |")
print("|---|---|---|")
for b in top:
    print(f"| {b} | {per['prefix'][b]} | {per['fixed'].get(b, '–')} |")
PY
