#!/usr/bin/env bash
# Prints the README's ground-truth tables from the measured runs of Go
# 1.5.1's own runtime.test (testdata/go151_real/runs.tsv and runs/): every
# run with its counter (eBPF: tools/vma_peak, never stops the program;
# ptrace: tools/vma_watch, stops it at every mmap/madvise), the reference
# band (eBPF, unrecorded, machine alone), what ptrace does to the count, and
# the benchmarks during which go1.5.1's count peaks. Reads only committed
# measurements; runs nothing.
# Usage: tools/real_go_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - testdata/go151_real <<'PY'
import re, subprocess, sys
d = sys.argv[1]
runs = []
for line in open(f"{d}/runs.tsv"):
    if line.startswith("#") or line.startswith("run\t") or not line.strip():
        continue
    run, build, counter, recorded, alone, date = line.rstrip("\n").split("\t")
    summary = open(f"{d}/runs/{run}/summary.txt").read().strip().splitlines()[-1]
    f = dict(re.findall(r"(\w+)=([^ {}]+)", summary.split("madvise{")[0]))
    calls = dict(kv.split("=") for kv in re.search(r"madvise\{([^}]*)\}", summary).group(1).split())
    runs.append(dict(run=run, build=build, counter=counter, recorded=recorded == "1",
                     alone=alone == "1", date=date, f=f, calls=calls,
                     wall=re.search(r"wall=([\d.]+)s", summary).group(1)))
names = {"prefix": "go1.5.1 (prefix)", "fixed": "go1.5.1 + 44078a3 (fixed)"}
print("| runtime.test built from | counter | recorded | machine | date | max VMAs | at s | final "
      "| DONTNEED | HUGEPAGE | NOHUGEPAGE | NOHUGEPAGE errors | wall s |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in sorted(runs, key=lambda r: (r["build"] != "prefix", r["counter"], r["recorded"], r["date"])):
    c = r["calls"]
    errs = ", ".join(f"{v} {k.split('/')[1]}" for k, v in c.items() if "/" in k) or "0"
    print(f"| {names[r['build']]} | {r['counter']} | {'yes' if r['recorded'] else 'no'} | "
          f"{'alone' if r['alone'] else 'shared'} | {r['date']} | {r['f']['max_vmas']} | "
          f"{r['f']['at'].rstrip('s')} | {r['f']['final']} | {c.get('DONTNEED', 0)} | "
          f"{c.get('HUGEPAGE', 0)} | {c.get('NOHUGEPAGE', 0)} | {errs} | {r['wall']} |")

def band(build, counter, recorded=False, alone=True):
    xs = [int(r["f"]["max_vmas"]) for r in runs if r["build"] == build and
          r["counter"] == counter and r["recorded"] == recorded and r["alone"] == alone]
    if not xs:
        return None
    return (min(xs), max(xs), len(xs))

def fmt(b):
    if b is None:
        return "no run"
    lo, hi, n = b
    return f"{lo}" + (f"-{hi}" if hi != lo else "") + f" ({n} run{'s' if n != 1 else ''})"

print()
ref = {b: band(b, "ebpf") for b in ("prefix", "fixed")}
print(f"Reference (eBPF, unrecorded, machine alone): go1.5.1 **{fmt(ref['prefix'])}**, "
      f"with 44078a3 **{fmt(ref['fixed'])}** max VMAs.")
for alone in (True, False):
    pt = {b: band(b, "ptrace", alone=alone) for b in ("prefix", "fixed")}
    if all(v is None for v in pt.values()):
        continue
    print(f"Under ptrace ({'machine alone' if alone else 'CPU shared with builds'}): go1.5.1 "
          f"{fmt(pt['prefix'])}, with 44078a3 {fmt(pt['fixed'])}.")

# Per-benchmark maxima of the first unrecorded run of each build and counter.
def per_benchmark(run):
    out = subprocess.run([sys.executable, "tools/real_go_per_benchmark.py",
                          f"{d}/runs/{run}/out.txt", f"{d}/runs/{run}/series.tsv"],
                         check=True, capture_output=True, text=True).stdout
    rows = [l.split("\t") for l in out.strip().splitlines()[1:]]
    return {r[0]: int(r[3]) for r in rows}

cols = []
for counter in ("ebpf", "ptrace"):
    for build in ("prefix", "fixed"):
        first = [r for r in runs if r["build"] == build and r["counter"] == counter and not r["recorded"]]
        if first:
            cols.append((f"{names[build]}, {counter}", per_benchmark(first[0]["run"])))
if cols:
    key = cols[0][1]
    top = sorted(key, key=lambda b: -key[b])[:8]
    print()
    print(f"The benchmarks during which go1.5.1's count is highest ({cols[0][0]}), "
          "max VMAs while each ran:")
    print()
    print("| benchmark | " + " | ".join(name for name, _ in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for b in top:
        print(f"| {b} | " + " | ".join(str(v.get(b, "–")) for _, v in cols) + " |")
PY
