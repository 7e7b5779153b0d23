#!/usr/bin/env bash
# Prints the README's release-spread block (Markdown): benchmark by
# benchmark, how many spans Go 1.5.1 released in each real run whose
# releases can be told apart by benchmark, beside the model driven by that
# run's own timings.
# - The recorded run (testdata/go151_heaplog/prefix.hlog.xz): its log's
#   sys_unused records, and the model on the log's own runs, as
#   bench:calibrate compares them (the calibrate block above).
# - Each ptrace run (testdata/go151_real/runs.tsv, counter ptrace): its
#   MADV_DONTNEED calls between result lines (tools/real_go_releases.py),
#   and the model (bench:calibrate's model side, prefix: the scavenger's
#   decisions are the same in both builds) on the run's final b.N and ns/op
#   (tools/real_run_timings.py), as the per-run table does.
# - The recorded build's two later unperturbed runs (no ptrace, the
#   recorder on, alone): their per-benchmark summaries' releases
#   (testdata/go151_heaplog/rerun_2026-12-07_*_summary.tsv, written by
#   bench:calibrate --summary_out), and the model on their final b.N and
#   ns/op (rerun_2026-12-07_*.out) at the cpu scale those give
#   (bench/workloads/cpu_scale.h); and a line of Go against Go.
# - For the runs whose logs tell the stale-now releases apart (the recorded
#   one and the two unperturbed ones), a line counting neither side's.
# Rows: the benchmarks with at least 50 releases in the recorded run,
# most first; the last column counts the runs where the model is above and
# below Go, and the text names the benchmarks on one side in every run.
# Usage: tools/release_spread_table.sh   (builds //bench:calibrate first; about 2 min)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench/calibrate:calibrate >/dev/null 2>&1
bin=bazel-bin/bench/calibrate/calibrate
log=testdata/go151_heaplog/prefix.hlog.xz
runs=testdata/go151_real/runs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" --real="$log" --quiet --json_out="$tmp/recorded.json" >/dev/null
ptrace=$(awk -F'\t' '!/^#/ && $3 == "ptrace" { print $6 "\t" $2 "\t" $1 }' testdata/go151_real/runs.tsv |
  sort | cut -f3)
for r in $ptrace; do
  python3 tools/real_run_timings.py "$runs/$r/out.txt" "$runs/$r/out.txt" >"$tmp/$r.timings.tsv"
  "$bin" --real="$log" --quiet --timings_file="$tmp/$r.timings.tsv" --json_out="$tmp/$r.json" >/dev/null
  tools/real_go_releases.py "$runs/$r/out.txt" "$runs/$r/calls.tsv.gz" >"$tmp/$r.real.tsv"
done

reruns="rerun_2026-12-07_1 rerun_2026-12-07_2"
for r in $reruns; do
  # The outputs have no time column; real_run_timings.py reads the result
  # after the first tab.
  sed 's/^/0\t/' "testdata/go151_heaplog/$r.out" >"$tmp/$r.out"
  python3 tools/real_run_timings.py "$tmp/$r.out" "$tmp/$r.out" >"$tmp/$r.timings.tsv"
  "$bin" --real="$log" --quiet --timings_file="$tmp/$r.timings.tsv" --json_out="$tmp/$r.json" >/dev/null
  # The summary (bench:calibrate --summary_out): releases, and the
  # stale-now ones among them.
  awk -F'\t' '!/^#/ && $1 != "benchmark" { print $1 "\t" $2 "\t" $6 }' \
    "testdata/go151_heaplog/${r}_summary.tsv" |
    sed '1i name\treleases\tstale_now' >"$tmp/$r.real.tsv"
done

python3 - "$tmp" $ptrace -- $reruns <<'PY'
import json, sys
tmp = sys.argv[1]
split = sys.argv.index("--")
ptrace, unperturbed = sys.argv[2:split], sys.argv[split + 1:]
short = lambda name: name.rsplit("-", 1)[0]

def model_of(report, key="releases"):
    return {short(b["benchmark"]): b["model"][key] for b in report["benchmarks"]}

# Each run's calibrate JSON, read once.
reports = {r: json.load(open("%s/%s.json" % (tmp, r)))
           for r in ["recorded"] + ptrace + unperturbed}
rec = reports["recorded"]
real = {"recorded": {short(b["benchmark"]): b["real"]["releases"] for b in rec["benchmarks"]}}
model = {"recorded": model_of(rec)}
# The releases that are not stale-now, where a run's log tells them apart:
# the recorded log, and the unperturbed runs' summaries.
others = {"recorded": {short(b["benchmark"]):
                       b["real"]["releases"] - b["real"]["stale_now_releases"]
                       for b in rec["benchmarks"]}}
model_others = {}
scale = {}
for r in ptrace + unperturbed:
    scale[r] = reports[r]["cpu_scale"]
    rows = [l.rstrip("\n").split("\t") for l in open("%s/%s.real.tsv" % (tmp, r))][1:]
    real[r] = {name: int(n) for name, n, _ in rows}
    if r in unperturbed:
        others[r] = {name: int(n) - int(stale) for name, n, stale in rows}
    model[r] = model_of(reports[r])
for r in others:
    stale = model_of(reports[r], "stale_now_releases")
    model_others[r] = {n: m - stale[n] for n, m in model[r].items()}
order = ["recorded"] + ptrace + unperturbed
names = sorted((n for n, v in real["recorded"].items() if v >= 50), key=lambda n: -real["recorded"][n])

label = lambda r: ("recorded (eBPF, recorder on)" if r == "recorded" else
                   "`%s` (recorder on, alone)" % r if r in unperturbed else "`%s`" % r)
print("| benchmark | " + " | ".join(label(r) for r in order) +
    " | Go's range | model's range | model above / below |")
print("|---|" + "---|" * (len(order) + 3))
inside = 0
always_above, always_below = [], []
for n in names:
    rv = [real[r].get(n, 0) for r in order]
    mv = [model[r].get(n, 0) for r in order]
    if min(rv) <= min(mv) and max(mv) <= max(rv):
        inside += 1
    above = sum(1 for a, m in zip(rv, mv) if m > a)
    below = sum(1 for a, m in zip(rv, mv) if m < a)
    if above == len(order):
        always_above.append(n.replace("Benchmark", ""))
    if below == len(order):
        always_below.append(n.replace("Benchmark", ""))
    print("| %s | %s | %d-%d | %d-%d | %d / %d |" % (
        n.replace("Benchmark", ""), " | ".join("%d / %d" % (a, m) for a, m in zip(rv, mv)),
        min(rv), max(rv), min(mv), max(mv), above, below))
print()
print("Each cell is real / model. The model's range lies inside Go's in %d of these %d benchmarks." %
      (inside, len(names)))
names_or_none = lambda ns: ", ".join("`%s`" % n for n in ns) if ns else "none"
one_side = 2.0 / 2 ** len(order)
print("The last column counts the runs in which the model released more / fewer spans than Go. "
      "If a benchmark's model and Go differed only by chance, each run as likely to fall on either "
      "side, the model would lie on one side in all %d runs with probability 2 / 2^%d = %.2f, so in "
      "about %.1f of these %d benchmarks. It is above in all %d in %d (%s) and below in all %d in "
      "%d (%s): there the gap is the model's." % (
      len(order), len(order), one_side, one_side * len(names), len(names), len(order),
      len(always_above), names_or_none(always_above), len(order), len(always_below),
      names_or_none(always_below)))
# How many of benchmarks `ns` count `a` has within 25% of count `b`.
near = lambda a, b, ns: sum(1 for n in ns if abs(a.get(n, 0) - b[n]) <= 0.25 * b[n])
within = []
for r in order:
    big = [n for n, v in real[r].items() if v >= 50 and n.startswith("Benchmark")]
    within.append("%s %d of %d" % ("recorded" if r == "recorded" else "`%s`" % r,
                                   near(model[r], real[r], big), len(big)))
ref = real["recorded"]
go_vs_go = ["`%s` %d" % (r, near(real[r], ref, names)) for r in ptrace]
ok = near(model["recorded"], ref, names)
print("Go against Go: of these %d benchmarks, a ptrace run's count is within 25%% of the recorded "
      "run's in %s; the model's (on the recorded run's timings) in %d." % (
      len(names), ", ".join(go_vs_go), ok))
# The recorded build's two later runs, unperturbed (no ptrace; the recorder
# on, nothing else running; testdata/go151_heaplog/README.md).
r1, r2 = (real[r] for r in unperturbed)
big1 = [n for n, v in r1.items() if v >= 50]
print("Go against Go without ptrace: the recorded build's two later runs on this machine, alone and "
      "recorded (`testdata/go151_heaplog/rerun_2026-12-07_*`), are within 25%% of the recorded run's "
      "count in %d and %d of these %d benchmarks, and the second within 25%% of the first in %d of "
      "the %d the first released at least 50 times in; suite releases %d and %d against the "
      "recorded run's %d, the model's on their timings %d and %d (cpu scale %.2f and %.2f, "
      "from those timings)." % (
      near(r1, ref, names), near(r2, ref, names), len(names), near(r2, r1, big1), len(big1),
      sum(r1.values()), sum(r2.values()), sum(ref.values()),
      sum(model[unperturbed[0]].values()), sum(model[unperturbed[1]].values()),
      scale[unperturbed[0]], scale[unperturbed[1]]))
print("Benchmarks with at least 50 releases in a run whose model count (on that run's timings) is "
      "within 25%% of it, counting every release (a ptrace run's calls cannot tell the stale-now ones "
      "apart): %s." % "; ".join(within))
# Leaving out both sides' stale-now releases, in the runs whose logs tell
# them apart, and Go against Go on the same terms.
others_within = []
for r in ["recorded"] + unperturbed:
    big = [n for n, v in others[r].items() if v >= 50 and n.startswith("Benchmark")]
    others_within.append("%s %d of %d" % ("recorded" if r == "recorded" else "`%s`" % r,
                                          near(model_others[r], others[r], big), len(big)))
oref = others["recorded"]
obig = [n for n, v in oref.items() if v >= 50 and n.startswith("Benchmark")]
o1, o2 = (others[r] for r in unperturbed)
print("Counting neither side's stale-now releases (spans freed after their scavenge pass read its "
      "clock; the recorded run's log and the two unperturbed runs' summaries tell them apart), the "
      "model is within 25%% of Go in the benchmarks with at least 50 others: %s; Go's two "
      "unperturbed runs are within 25%% of the recorded run in %d and %d of its %d." % (
      "; ".join(others_within), near(o1, oref, obig), near(o2, oref, obig), len(obig)))
PY
