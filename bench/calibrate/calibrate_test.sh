#!/usr/bin/env bash
# calibrate on Go 1.5.1's smoke log (testdata/go151_heaplog/smoke_prefix.hlog.xz:
# BenchmarkMalloc8 and BenchmarkStackGrowth at -test.benchtime=20ms): the
# table's shape (a header, one row per benchmark compared, the suite row,
# the suite line), the benchmarks sorted by distance, JSON and CSV agreeing
# with the table, a benchmark the log lacks left out and named, and bad
# input as one line with exit status 2.
set -u
bin="${1:-$(dirname "$0")/calibrate}"
dump="${2:-tools/heap_log_dump}"
log="testdata/go151_heaplog/smoke_prefix.hlog.xz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. bench/harness/cli_test_lib.sh

out=$("$bin" --real="$log" --workloads='Malloc8$|StackGrowth$|Append$' --benchtime=20ms \
  --json_out="$tmp/c.json" --csv_out="$tmp/c.csv" 2>"$tmp/err"); rc=$?
echo "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc: $(cat "$tmp/err")"; fail=1; }
# Two '#' lines, the column header, two benchmarks, the suite row, the
# not-in-log note, the suite line.
[ "$(printf '%s\n' "$out" | wc -l)" -eq 8 ] || { echo "FAIL: expected 8 lines"; fail=1; }
printf '%s\n' "$out" | sed -n 3p | grep -q '^benchmark  *distance  *releases  *stale  *ratio  *tvd ' \
  || { echo "FAIL: column header"; fail=1; }
rows=$(printf '%s\n' "$out" | grep -E '^Benchmark(Malloc8|StackGrowth) ' | wc -l)
[ "$rows" -eq 2 ] || { echo "FAIL: $rows benchmark rows"; fail=1; }
printf '%s\n' "$out" | grep -q '^(suite) ' || { echo "FAIL: no suite row"; fail=1; }
printf '%s\n' "$out" | tail -1 | grep -q '^suite (2 benchmarks, prefix): releases model [0-9]* / real [0-9]* ' \
  || { echo "FAIL: suite line"; fail=1; }
printf '%s\n' "$out" | grep -q '^# not in the log, not compared: 1 benchmarks (BenchmarkAppend)' \
  || { echo "FAIL: BenchmarkAppend not named as missing"; fail=1; }
grep -q 'BenchmarkAppend' "$tmp/err" || { echo "FAIL: missing benchmark not on stderr"; fail=1; }
# Furthest apart first.
d=$(printf '%s\n' "$out" | grep -E '^Benchmark' | awk '{print $2}')
[ "$d" = "$(printf '%s\n' "$d" | sort -gr)" ] || { echo "FAIL: rows not sorted by distance: $d"; fail=1; }
# The real side of the smoke log, as recorded (heap_log_dump counts the same records).
python3 - "$tmp/c.json" "$tmp/c.csv" "$out" "$dump" <<'PY' || fail=1
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
table = sys.argv[3].splitlines()
bad = []
if d["variant"] != "prefix" or d["build"] != "prefix" or d["gomaxprocs"] != 2: bad.append("header fields")
if [b["benchmark"] for b in d["benchmarks"]] != [r["benchmark"] for r in rows[:-1]]: bad.append("json/csv order")
if rows[-1]["benchmark"] != "(suite)": bad.append("csv suite row")
if d["not_in_log"] != ["BenchmarkAppend"]: bad.append("not_in_log")
for side in ("model", "real"):
    s = sum(b[side]["releases"] for b in d["benchmarks"])
    if s != d["suite"][side]["releases"]: bad.append("suite %s releases" % side)
    for b in d["benchmarks"] + [d["suite"]]:
        t = b[side]
        if sum(t["release_hist_pages"].values()) != t["releases"]: bad.append("hist sum " + b["benchmark"])
        if t["stale_now_releases"] > t["releases"]: bad.append("stale > releases " + b["benchmark"])
    if sum(b[side]["stale_now_releases"] for b in d["benchmarks"]) != d["suite"][side]["stale_now_releases"]:
        bad.append("suite %s stale-now releases" % side)
# The log's madvise calls, timed: every release's NOHUGEPAGE and DONTNEED
# (the prefix build; none untimed in the smoke log), the suite the sum.
for adv in ("nohugepage", "dontneed", "hugepage"):
    if sum(b["real_madvise_calls"][adv]["calls"] for b in d["benchmarks"]) != d["suite"]["real_madvise_calls"][adv]["calls"]:
        bad.append("suite madvise calls " + adv)
for b in d["benchmarks"]:
    m = b["real_madvise_calls"]
    for adv in ("nohugepage", "dontneed"):
        if m[adv]["calls"] != b["real"]["releases"]: bad.append("madvise %s calls %s" % (adv, b["benchmark"]))
    if m["hugepage"]["calls"] != b["real"]["hugepage_calls"]: bad.append("madvise hugepage calls " + b["benchmark"])
    if m["nohugepage"]["calls"] and not (0 < m["nohugepage"]["median_ns"] <= m["nohugepage"]["max_ns"] <= m["nohugepage"]["total_ns"]):
        bad.append("madvise times " + b["benchmark"])
for b in d["benchmarks"]:
    r = next(x for x in rows if x["benchmark"] == b["benchmark"])
    if int(r["real_releases"]) != b["real"]["releases"] or int(r["model_releases"]) != b["model"]["releases"]:
        bad.append("csv releases " + b["benchmark"])
    if abs(b["distance"] - max(b["count_gap"], b["tvd"])) > 1e-9: bad.append("distance " + b["benchmark"])
    line = next(l for l in table if l.startswith(b["benchmark"] + " "))
    if line.split()[2] != "%d/%d" % (b["model"]["releases"], b["real"]["releases"]): bad.append("table " + b["benchmark"])
# The runs that drove the model are the log's: each b.N of its bench_run
# records in order, the last timed by wall clock, from the gc_done of the
# forced cycle after its bench_run to bench_end's record, over b.N.
import subprocess
dump = subprocess.run([sys.argv[4], "testdata/go151_heaplog/smoke_prefix.hlog.xz"], capture_output=True, text=True).stdout
want, name, bg = {}, None, None
for line in dump.splitlines():
    f = line.split()
    if len(f) < 2: continue
    if f[1] == "bench_start": name = line.split('name="')[1].split('"')[0].rsplit("-", 1)[0]
    if f[1] == "bench_run":
        want.setdefault(name, []).append(int(f[2].split("=")[1]))
        forced, loop_start = False, None
    if f[1] == "gc_start" and "mode=force_block" in line: forced = True
    if f[1] == "gc_done" and forced and loop_start is None: loop_start = int(f[0])
    if f[1] == "bench_end": want[name + " ns"] = int(f[0]) - loop_start
    # Background cycles' concurrent phases (bench/calibrate/mark_phases.h).
    if f[1] == "gc_start": bg = int(f[0]) if "mode=background" in line else None
    if f[1] == "gc_mark_term" and bg is not None:
        want.setdefault(name + " marks", []).append((int(f[0]) - bg) // 1000)
        bg = None
for b in d["benchmarks"]:
    marks = sorted(want.get(b["benchmark"] + " marks", []))
    if b["real"]["background_marks"] != len(marks): bad.append("marks " + b["benchmark"])
    elif marks and b["real"]["mark_us_median"] != marks[int(0.5 * (len(marks) - 1) + 0.5)]:
        bad.append("mark median " + b["benchmark"])
for b in d["benchmarks"]:
    got = [n for n, _ in b["runs"]]
    if got != want.get(b["benchmark"]): bad.append("runs %s: %s, log %s" % (b["benchmark"], got, want.get(b["benchmark"])))
    elif abs(b["runs"][-1][1] - want[b["benchmark"] + " ns"] / got[-1]) > 1e-3: bad.append("final ns/op " + b["benchmark"])
# What Go 1.5.1 recorded in the smoke log: every benchmark ran, released and collected.
for b in d["benchmarks"]:
    if b["real"]["gc_cycles"] < 1 or b["real"]["allocs"]["small"] < 1: bad.append("real side empty " + b["benchmark"])
if bad:
    print("FAIL:", ", ".join(bad)); sys.exit(1)
PY

# By default the model makes the log's own runs; --timings_file gives it
# the recorded suite's timings and launch's schedule instead.
printf '%s\n' "$out" | head -1 | grep -q "timings the log's own runs," \
  || { echo "FAIL: default timings not the log's runs"; fail=1; }
grep -q '"timings_file": ""' "$tmp/c.json" || { echo "FAIL: json timings_file not empty"; fail=1; }
out3=$("$bin" --real="$log" --workloads='Malloc8$' --benchtime=20ms --quiet \
  --timings_file=testdata/go15_runtime_bench_ns_per_op.tsv); rc=$?
[ "$rc" -eq 0 ] && printf '%s\n' "$out3" | head -1 | grep -q 'timings testdata/go15_runtime_bench_ns_per_op.tsv,' \
  || { echo "FAIL: --timings_file not named (exit $rc)"; fail=1; }
expect_exit2 "--timings_file=/nonexistent" --real="$log" --timings_file=/nonexistent
# --loop_slice_us reaches the model and is named in the header.
out4=$("$bin" --real="$log" --workloads='Malloc8$' --benchtime=20ms --quiet --loop_slice_us=20); rc=$?
[ "$rc" -eq 0 ] && printf '%s\n' "$out4" | head -1 | grep -q 'loop slice 20 us,' \
  && printf '%s\n' "$out" | head -1 | grep -q 'loop slice 100 us,' \
  || { echo "FAIL: --loop_slice_us not named (exit $rc)"; fail=1; }
expect_exit2 "--loop_slice_us=0: expected 1 to 1000000" --real="$log" --loop_slice_us=0
# --mark_share_seed and --sweep_wait_seed are named in the header and the
# JSON (the runtime's use of them: bench/workloads:trace_replayer_mark_test
# and trace_replayer_bgsweep_test).
out5=$("$bin" --real="$log" --workloads='Malloc8$' --benchtime=20ms --quiet --mark_share_seed=7 \
  --sweep_wait_seed=8 --json_out="$tmp/seed7.json"); rc=$?
[ "$rc" -eq 0 ] && printf '%s\n' "$out5" | head -1 | grep -q 'mark share seed 7, sweep wait seed 8,' \
  && printf '%s\n' "$out" | head -1 | grep -q 'mark share seed 6221077, sweep wait seed 6221078,' \
  && grep -q '"mark_share_seed": 7, "sweep_wait_seed": 8,' "$tmp/seed7.json" \
  || { echo "FAIL: --mark_share_seed or --sweep_wait_seed not named (exit $rc)"; fail=1; }
expect_exit2 "--mark_share_seed=-1: expected a non-negative integer" --real="$log" --mark_share_seed=-1
expect_exit2 "--sweep_wait_seed=-1: expected a non-negative integer" --real="$log" --sweep_wait_seed=-1
# --cpu_scale: auto (the default) is named as taken from the timings; a
# number given is named and reaches the JSON; anything else exits 2.
out6=$("$bin" --real="$log" --workloads='Malloc8$' --benchtime=20ms --quiet --cpu_scale=0.5 \
  --json_out="$tmp/cpu.json"); rc=$?
[ "$rc" -eq 0 ] && printf '%s\n' "$out6" | head -1 | grep -q 'cpu scale 0.50)' \
  && printf '%s\n' "$out" | head -1 | grep -q 'cpu scale [0-9.]* (from the timings))' \
  && grep -q '"cpu_scale": 0.50, "cpu_scale_auto": false,' "$tmp/cpu.json" \
  || { echo "FAIL: --cpu_scale not named (exit $rc)"; fail=1; }
expect_exit2 '--cpu_scale="x": expected auto or a number above 0' --real="$log" --cpu_scale=x
# --timings_out writes the log's own timings, which --timings_file reads
# back, and models nothing.
"$bin" --real="$log" --quiet --timings_out="$tmp/smoke_timings.tsv" >"$tmp/timings_out.txt"; rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$tmp/timings_out.txt" ] \
  && grep -q '^BenchmarkMalloc8	[0-9]*	[0-9.]*	[0-9]*	[0-9.]*$' "$tmp/smoke_timings.tsv" \
  && "$bin" --real="$log" --workloads='Malloc8$' --benchtime=20ms --quiet \
       --timings_file="$tmp/smoke_timings.tsv" >/dev/null \
  || { echo "FAIL: --timings_out (exit $rc)"; fail=1; }
expect_exit2 "--timings_out=/nonexistent/t.tsv" --real="$log" --timings_out=/nonexistent/t.tsv
# --summary_out writes the log's own figures by benchmark: the real side of
# the CSV's row for it, and models nothing.
"$bin" --real="$log" --quiet --summary_out="$tmp/summary.tsv" >"$tmp/summary_out.txt"; rc=$?
"$bin" --real="$log" --workloads='Malloc8$' --benchtime=20ms --quiet --csv_out="$tmp/m8.csv" >/dev/null
want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
  $1 == "BenchmarkMalloc8" { print $c["real_releases"] "\t" $c["real_released_pages"] "\t" \
    $c["real_background_marks"] "\t" $c["real_mark_us_median"] "\t" $c["real_stale_now_releases"] }' \
  "$tmp/m8.csv")
got=$(awk -F'\t' '$1 == "BenchmarkMalloc8" { print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 }' "$tmp/summary.tsv")
[ "$rc" -eq 0 ] && [ ! -s "$tmp/summary_out.txt" ] && [ -n "$want" ] && [ "$got" = "$want" ] \
  && grep -q '^benchmark	releases	released_pages	background_cycles	mark_us_median	stale_now$' \
       "$tmp/summary.tsv" \
  || { echo "FAIL: --summary_out (exit $rc): '$got' against the CSV's '$want'"; fail=1; }
expect_exit2 "--summary_out=/nonexistent/s.tsv" --real="$log" --summary_out=/nonexistent/s.tsv

# The same log through a directory: no smoke_*.hlog.xz is picked by variant.
expect_exit2 "holds no prefix.hlog.xz" --real="$tmp" --benchtime=20ms
cp "$log" "$tmp/prefix_smoke.hlog.xz"
out2=$("$bin" --real="$tmp" --workloads='Malloc8$|StackGrowth$' --benchtime=20ms --quiet); rc=$?
[ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out2" | sed -n '3,$p')" = "$(printf '%s\n' "$out" | sed -n '3,6p;8p')" ] \
  || { echo "FAIL: the log through a directory differs (exit $rc)"; fail=1; }

# --model_events_out: the model's records in heap_log_dump's text form, a
# bench_start before each benchmark's, times rising within each; as many
# sys_unused lines as the table's model releases, and every alloc closed by
# its alloc_done (the trim's free and any sysUsed come between, as in Go's);
# a bench_run for each of the log's runs, with its b.N, each followed by its
# runtime.GC()'s gc_start (mode=force_block) at the same instant; as many
# scavenge lines as the table's scavenge passes, each closed by its
# scavenge_done, and every sys_unused inside such a pass.
"$bin" --real="$log" --workloads='Malloc8$|StackGrowth$' --benchtime=20ms --quiet \
  --json_out="$tmp/e.json" --model_events_out="$tmp/model.txt" >/dev/null \
  || { echo "FAIL: --model_events_out run"; fail=1; }
python3 - "$tmp/model.txt" "$tmp/e.json" "$dump" <<'PY' || fail=1
import json, subprocess, sys
lines = open(sys.argv[1]).read().splitlines()
d = json.load(open(sys.argv[2]))
def runs_of(text):
    out, name = {}, None
    for l in text.splitlines():
        f = l.split()
        if len(f) < 2: continue
        if f[1] == "bench_start": name = l.split('name="')[1].split('"')[0].rsplit("-", 1)[0]
        if f[1] == "bench_run": out.setdefault(name, []).append(int(f[2].split("=")[1]))
    return out
real = subprocess.run([sys.argv[3], "testdata/go151_heaplog/smoke_prefix.hlog.xz"],
                      capture_output=True, text=True).stdout
bad, starts, unused, last, after_alloc = [], [], {}, None, False
passes, in_pass = {}, False
want_runs = {k: v for k, v in runs_of(real).items() if k in ("BenchmarkMalloc8", "BenchmarkStackGrowth")}
if runs_of("\n".join(lines)) != want_runs or not want_runs:
    bad.append("bench_runs %s, the log's %s" % (runs_of("\n".join(lines)), want_runs))
name = None
run_at = None
for l in lines:
    f = l.split()
    t, kind = int(f[0]), f[1]
    if kind == "bench_start":
        name = l.split('name="')[1].split('"')[0].rsplit("-", 1)[0]; starts.append(name); last = t; continue
    if run_at is not None:
        if kind != "gc_start" or "mode=force_block" not in l or t != run_at:
            bad.append("bench_run not followed by its forced gc_start: " + l)
        run_at = None
    if kind == "bench_run": run_at = t
    if last is not None and t < last: bad.append("time goes back: " + l)
    last = t
    if kind == "alloc" and after_alloc: bad.append("alloc without alloc_done before: " + l)
    if kind == "alloc": after_alloc = True
    if kind == "alloc_done":
        if not after_alloc: bad.append("alloc_done without alloc: " + l)
        after_alloc = False
    if kind == "sys_unused":
        unused[name] = unused.get(name, 0) + 1
        if not in_pass: bad.append("sys_unused outside a scavenge pass: " + l)
    if kind == "scavenge":
        if in_pass: bad.append("scavenge inside a pass: " + l)
        in_pass = True; passes[name] = passes.get(name, 0) + 1
    if kind == "scavenge_done":
        if not in_pass: bad.append("scavenge_done without scavenge: " + l)
        in_pass = False
if starts != ["BenchmarkMalloc8", "BenchmarkStackGrowth"]: bad.append("bench_starts %s" % starts)
for b in d["benchmarks"]:
    if unused.get(b["benchmark"], 0) != b["model"]["releases"]: bad.append("releases " + b["benchmark"])
    if passes.get(b["benchmark"], 0) != b["model"]["scavenge_passes"] or not passes.get(b["benchmark"]):
        bad.append("scavenge passes " + b["benchmark"])
if not any(l.split()[1] == "gc_done" for l in lines): bad.append("no gc_done")
if bad: print("FAIL:", ", ".join(bad[:5])); sys.exit(1)
PY
expect_exit2 "--model_events_out=/nonexistent/m.txt" --real="$log" --workloads='Malloc8$' \
  --benchtime=20ms --model_events_out=/nonexistent/m.txt --quiet

# Bad input: one line naming the value, exit 2.
expect_exit2 "--real is required"
expect_exit2 "--real=/nonexistent" --real=/nonexistent
printf 'not a log' >"$tmp/bad.hlog"
expect_exit2 "--real=$tmp/bad.hlog" --real="$tmp/bad.hlog"
expect_exit2 "--workloads=(" --real="$log" --workloads='('
expect_exit2 "matches none" --real="$log" --workloads='NoSuchBenchmark'
expect_exit2 "none of the 1 benchmarks picked is in" --real="$log" --workloads='^BenchmarkAppend$'
expect_exit2 "--variant=fixed: the log" --real="$log" --variant=fixed --workloads='Malloc8$'
expect_exit2 "--variant=bogus" --real="$log" --variant=bogus
expect_exit2 "--benchtime=0s" --real="$log" --benchtime=0s
expect_exit2 "--kernel=linux" --real="$log" --kernel=linux
expect_exit2 "--json_out=/nonexistent/x.json" --real="$log" --workloads='Malloc8$' --benchtime=20ms \
  --json_out=/nonexistent/x.json --quiet

[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
