#!/usr/bin/env bash
# Prints the README's calibration block: the whole-suite line and, as a
# Markdown table, the ten benchmarks furthest apart (bench/calibrate/gap.h:
# distance = max(|ln release ratio|, release-size tvd)) between the modelled
# suite and Go 1.5.1's recording, for the prefix build.
# Usage: tools/calibrate_table.sh [LOG]   (default
#   testdata/go151_heaplog/prefix.hlog.xz; builds //bench:calibrate first;
#   about 40 s)
set -euo pipefail
cd "$(dirname "$0")/.."
log="${1:-testdata/go151_heaplog/prefix.hlog.xz}"
bazel build -c opt //bench/calibrate:calibrate >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timings=testdata/go15_runtime_bench_ns_per_op.tsv
bazel-bin/bench/calibrate/calibrate --real="$log" --quiet --json_out="$tmp/c.json" >/dev/null
bazel-bin/bench/calibrate/calibrate --real="$log" --quiet --json_out="$tmp/t.json" \
  --timings_file="$timings" >/dev/null
python3 - "$tmp/c.json" "$tmp/t.json" "$timings" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
s = d["suite"]
m, r = s["model"], s["real"]
bins = d["size_bins_pages"]
hist = lambda t: " / ".join(str(t["release_hist_pages"][b]) for b in bins)
kib = lambda t: t["heap_marked_sum"] // t["gc_cycles"] // 1024 if t["gc_cycles"] else 0
print("Whole suite (%d benchmarks, variant %s, log `%s`): releases model **%d** / real **%d** "
      "(ratio %.2f), release-size tvd **%.3f**, distance **%.3f**; release sizes in pages (%s) "
      "model %s, real %s; GC cycles %d / %d; scavenge passes %d / %d; span allocations "
      "small / large / stack %d / %d / %d vs %d / %d / %d; HUGEPAGE %d / %d, NOHUGEPAGE %d / %d; "
      "mean heap marked per cycle %d / %d KiB; "
      "max Go-equivalent VMAs %d (model; the log has no VMA count)." % (
      len(d["benchmarks"]), d["variant"], d["real"], m["releases"], r["releases"], s["ratio"],
      s["tvd"], s["distance"], ", ".join(bins), hist(m), hist(r), m["gc_cycles"], r["gc_cycles"],
      m["scavenge_passes"], r["scavenge_passes"], m["allocs"]["small"], m["allocs"]["large"],
      m["allocs"]["stack"], r["allocs"]["small"], r["allocs"]["large"], r["allocs"]["stack"],
      m["hugepage_calls"], r["hugepage_calls"], m["nohugepage_calls"], r["nohugepage_calls"],
      kib(m), kib(r), s["model_max_go_vmas"]))
# Go's releases of spans freed after sysmon read its clock
# (bench/calibrate/stale_release.h), and the rest; then the passes that
# waited for a sweep to end, which make most of them, in the log and in the
# model (bench/calibrate/sweep_lock_waits.h).
print()
w = d["real_scavenge_waits"]
print("Of the releases, %d / %d were of spans freed after the scavenge pass read its clock "
      "(stale-now: Go's scavengelist compares unsigned, so a span stamped after sysmon's `now` "
      "looks idle longer than any limit; in the log sysmon held the heap lock a median %.1f us "
      "after reading the clock, more than 100 us later in %d of its %d passes, at most %.1f ms; "
      "%d passes made stale-now releases, and %d of those releases came from the %d of them "
      "that waited over 100 us); "
      "without them, releases model **%d** / real **%d** (ratio %.2f), release-size tvd **%.3f**." % (
      m["stale_now_releases"], r["stale_now_releases"], w["median_ns"] / 1e3, w["over_100us"],
      w["passes"], w["max_ns"] / 1e6, w["stale_passes"], w["long_wait_stale_releases"],
      w["long_wait_stale_passes"],
      m["releases"] - m["stale_now_releases"], r["releases"] - r["stale_now_releases"],
      s["others_ratio"], s["others_tvd"]))
# The heap's layout: its free spans by size at each benchmark's start
# (bench/calibrate/free_spans.h), summed over the benchmarks.
fs = lambda t: ", ".join(str(t["free_spans_at_start_pages"][b]) for b in bins)
same = sum(1 for b in d["benchmarks"]
           if b["model"]["free_spans_at_start_pages"] == b["real"]["free_spans_at_start_pages"])
ftvd = s["free_spans_at_start_tvd"]
print()
print("The heap's free spans at each benchmark's start, summed over the benchmarks, by size in "
      "pages (%s): model %s, real %s (tvd %.3f); the same histogram at the start of %d of the "
      "%d benchmarks." % (", ".join(bins), fs(m), fs(r), ftvd, same, len(d["benchmarks"])))
sw = d["sweep_lock_waits"]
gw, mw = sw["real"], sw["model"]
print()
print("sysmon's passes that read the clock while a finished cycle's sweep was still freeing spans, "
      "in the benchmarks whose loops leave a P idle for the sweeper (the same reading of Go's log "
      "and of the model's records, `bench/calibrate/sweep_lock_waits.h`): %d / %d (model / Go), "
      "of which %d / %d took the heap lock only after the sweep's last free. Mid-burst (a sweep "
      "free under 100 us before the pass's clock read) %d / %d passes, %d / %d of them waited; "
      "read the clock just after a sweep's last free (50 us) %d / %d, in the 50 us after that "
      "%d / %d. The model has a pass due while its sweeper has spans left read its clock at "
      "the sweep's end with probability 1/%d, and one of the others wait for it with probability "
      "1/%d, each pass drawn (`mheap/heap_runtime/go15_heap_runtime.h`, `--sweep_wait_seed` "
      "%d)." % (
      mw["passes_in_sweep"], gw["passes_in_sweep"], mw["waited"], gw["waited"],
      mw["mid_burst"], gw["mid_burst"], mw["mid_burst_waited"], gw["mid_burst_waited"],
      mw["just_after"], gw["just_after"], mw["next_after"], gw["next_after"],
      sw["model_passes_per_late_clock"], sw["model_mid_sweep_passes_per_wait"],
      d["sweep_wait_seed"]))
# Whether Go's waits favour some benchmarks, or fall as one rate would put
# them (bench/calibrate/sweep_lock_waits.h, UniformRateDispersion).
dp = sw["real_dispersion"]
mp = sw["model_dispersion"]
print("Across the %d of those benchmarks with such a pass, Go's waits give a chi-square of %.1f "
      "against one rate for all of them; %.1f%% of %d suites drawn at that rate (each pass waiting by chance, "
      "from a fixed seed) reach it, so %s. The model's waits give %.1f over its %d such "
      "benchmarks (%.1f%% of suites drawn at its own rate reach it)." % (
      dp["benchmarks"], dp["chi_square"], 100 * dp["p_value"], dp["simulations"],
      "which benchmarks' passes wait cannot be told from chance, and the model's stale-now "
      "releases can be expected to match Go's in sum only, not benchmark by benchmark"
      if dp["p_value"] >= 0.05 else
      "some benchmarks' passes wait more often than others', which one rate does not give",
      mp["chi_square"], mp["benchmarks"], 100 * mp["p_value"]))
# Background cycles whose P sat still after their end, and cycles that
# started far past their trigger, in the log and in the model's records
# (bench/calibrate/cycle_end_stalls.h, gc_start_overshoot.h).
st = d["cycle_end_stalls"]
gs, ms = st["real"], st["model"]
go_ov, m_ov = d["gc_start_overshoot"]["real"], d["gc_start_overshoot"]["model"]
print()
print("Cycle ends (`bench/calibrate/cycle_end_stalls.h`): in the benchmarks whose loops leave a P "
      "idle and whose sweep freed a span first after most cycles, %d / %d (model / Go) background "
      "cycles ended, and after %d / %d of them the first span the sweep freed, or else the next "
      "cycle's start, came over %.1f ms later; of those stalls, the %d / %d a sweep free closed "
      "lasted a median %.2f / %.2f ms. Over every window a sweep free closed, that first free came "
      "a median %.0f / %.0f us after the cycle's end (Go's sweep first sweeps some 38 spans "
      "it keeps, `mheap/go15:bgsweep_start_log_test`; the model's sweep starts on the spans it "
      "frees). The model stalls one cycle end in %d for lengths measured "
      "from the log (`mheap/heap_runtime/go15_heap_runtime.h`). Over the compared benchmarks, "
      "%d / %d background cycles started over %d MiB past their trigger "
      "(`bench/calibrate/gc_start_overshoot.h`), %d / %d of them after a stretch in which the "
      "sweep freed no span." % (
      ms["cycles"], gs["cycles"], ms["stalled"], gs["stalled"], st["stall_ns"] / 1e6,
      ms["closed_by_free"], gs["closed_by_free"], ms["closed_by_free_median_ns"] / 1e6,
      gs["closed_by_free_median_ns"] / 1e6, ms["first_free_median_ns"] / 1e3,
      gs["first_free_median_ns"] / 1e3, st["model_cycle_ends_per_stall"],
      m_ov["far"], go_ov["far"], d["gc_start_overshoot"]["far_bytes"] >> 20,
      m_ov["far_without_sweep"], go_ov["far_without_sweep"]))
# How long Go's madvise calls took (bench/calibrate/madvise_time.h): the
# simulated kernel takes no time, so this is the real run's alone.
print()
mc = s["real_madvise_calls"]
slow = max(d["benchmarks"], key=lambda b: b["real_madvise_calls"]["nohugepage"]["total_ns"])
sm = slow["real_madvise_calls"]["nohugepage"]
print("In the log, Go's MADV_NOHUGEPAGE calls (one per release; those the log can time) took a median %.1f us and %.0f ms in "
      "all over %d calls, at most %.1f ms; MADV_DONTNEED a median %.1f us, MADV_HUGEPAGE (one per "
      "reuse) %.1f us. `%s`'s %d took %.0f ms in all, a median %.2f ms (see the real "
      "kernel's time under what still differs)." % (
      mc["nohugepage"]["median_ns"] / 1e3, mc["nohugepage"]["total_ns"] / 1e6, mc["nohugepage"]["calls"],
      mc["nohugepage"]["max_ns"] / 1e6, mc["dontneed"]["median_ns"] / 1e3,
      mc["hugepage"]["median_ns"] / 1e3, slow["benchmark"], sm["calls"], sm["total_ns"] / 1e6,
      sm["median_ns"] / 1e6))
# sysmon's rounds in the log beside the model's overshoots
# (bench/calibrate/sysmon_rounds.h, sysmon_round_kinds.h): what its 10 ms
# sleeps took, and what that does to the number of scavenge passes.
sr = d["real_sysmon_rounds"]
ov = d["model_overshoot_ns"]
print()
print("sysmon's rounds: in the log, %d pairs of consecutive scavenge passes came 10 to 20 ms apart, "
      "a median %.0f us beyond the 10 ms (90th percentile %.2f ms, mean %.0f us). Of them, %d "
      "had sysmon on its note (every P idle, or the world stopping for a loop without a "
      "preemption point; median %.0f us, mean %.0f), which the model does itself; %d came in "
      "loops that keep every P busy (median %.0f us, mean %.0f); the other %d were one 10 ms "
      "sleep (median %.0f us, 90th percentile %.2f ms, mean %.0f us). The model's sysmon adds "
      "%.0f us after a 10 ms sleep where every P is busy and otherwise draws from the others' "
      "spread (mean %.0f us), %.0f us after a shorter sleep and %.0f us after a note sleep's "
      "timeout (`scavenger/sysmon.h`); it makes %.3f times Go's scavenge passes." % (
      sr["all"]["rounds"], sr["all"]["median_ns"] / 1e3, sr["all"]["p90_ns"] / 1e6,
      sr["all"]["mean_ns"] / 1e3, sr["note_sleeps"]["rounds"],
      sr["note_sleeps"]["median_ns"] / 1e3, sr["note_sleeps"]["mean_ns"] / 1e3,
      sr["every_p_busy"]["rounds"], sr["every_p_busy"]["median_ns"] / 1e3,
      sr["every_p_busy"]["mean_ns"] / 1e3, sr["others"]["rounds"],
      sr["others"]["median_ns"] / 1e3, sr["others"]["p90_ns"] / 1e6,
      sr["others"]["mean_ns"] / 1e3, ov["capped_every_p_busy"] / 1e3, ov["capped_mean"] / 1e3,
      ov["usleep"] / 1e3, ov["note_timeout"] / 1e3, m["scavenge_passes"] / r["scavenge_passes"]))
# Per benchmark, how many are close: the release target of issue 13 (within
# 25% for every benchmark Go released at least 50 times in), and the same
# band for GC cycles and scavenge passes (the clock's agreement).
def within(m, r):
    return r > 0 and abs(m / r - 1) <= 0.25
bs = d["benchmarks"]
big = [b for b in bs if b["real"]["releases"] >= 50]
print()
print("Benchmark by benchmark: releases within 25%% of Go's in %d of the %d benchmarks Go released "
      "at least 50 times in; GC cycles within 25%% in %d of %d; scavenge passes within 25%% in %d of %d." % (
      sum(within(b["model"]["releases"], b["real"]["releases"]) for b in big), len(big),
      sum(within(b["model"]["gc_cycles"], b["real"]["gc_cycles"]) for b in bs), len(bs),
      sum(within(b["model"]["scavenge_passes"], b["real"]["scavenge_passes"]) for b in bs), len(bs)))
rest = lambda t: t["releases"] - t["stale_now_releases"]
big_rest = [b for b in bs if rest(b["real"]) >= 50]
print("Counting neither side's stale-now releases: within 25%% in %d of the %d benchmarks with at "
      "least 50 others in Go's run." % (
      sum(within(rest(b["model"]), rest(b["real"])) for b in big_rest), len(big_rest)))
# Spans kept past the next benchmark (bench/calibrate/outliving_spans.h):
# what pins the layout the benchmarks after it churn in.
diff = sorted((b for b in bs if b["model"]["outliving_spans"] != b["real"]["outliving_spans"]),
              key=lambda b: (-abs(b["model"]["outliving_spans"] - b["real"]["outliving_spans"]),
                             b["benchmark"]))
print()
print("Spans a benchmark took that were still in use when the benchmark after it ended (they pin "
      "the pages the next benchmarks churn around; `bench/calibrate/outliving_spans.h`): model %d / "
      "real %d, the same count in %d of the %d benchmarks; most apart: %s." % (
      m["outliving_spans"], r["outliving_spans"],
      sum(b["model"]["outliving_spans"] == b["real"]["outliving_spans"] for b in bs), len(bs),
      ", ".join("`%s` %d / %d" % (b["benchmark"], b["model"]["outliving_spans"],
                                  b["real"]["outliving_spans"]) for b in diff[:5]) or "none"))
# Background cycles' concurrent phase (bench/calibrate/mark_phases.h): how
# long Go's marks ran and how much the program allocated meanwhile, beside
# the model's, and the benchmarks whose median growth differs most.
print()
marked = [b for b in bs if b["model"]["background_marks"] >= 20 and b["real"]["background_marks"] >= 20]
grow = sorted(marked, key=lambda b: (-abs(b["model"]["mark_grow_kib_median"] -
                                         b["real"]["mark_grow_kib_median"]), b["benchmark"]))
print("Background cycles' concurrent phase, from gc_start to mark termination "
      "(`bench/calibrate/mark_phases.h`): %d / %d of them, median length %d / %d us (90th "
      "percentile %d / %d), median heap growth in it %d / %d KiB (90th percentile %d / %d); "
      "of the %d benchmarks with at least 20 on both sides, the median growth differs most in %s." % (
      m["background_marks"], r["background_marks"], m["mark_us_median"], r["mark_us_median"],
      m["mark_us_p90"], r["mark_us_p90"], m["mark_grow_kib_median"], r["mark_grow_kib_median"],
      m["mark_grow_kib_p90"], r["mark_grow_kib_p90"], len(marked),
      ", ".join("`%s` %d / %d KiB (length %d / %d us)" % (
          b["benchmark"], b["model"]["mark_grow_kib_median"], b["real"]["mark_grow_kib_median"],
          b["model"]["mark_us_median"], b["real"]["mark_us_median"]) for b in grow[:5]) or "none"))
past = sorted((b for b in bs if b["real"]["marks_past_pacer_floor"] or b["model"]["marks_past_pacer_floor"]),
              key=lambda b: (-b["real"]["marks_past_pacer_floor"], b["benchmark"]))
print("Of those marks, %d / %d grew the heap by more than 1.25 MiB, past go1.5.1's pacing floor "
      "of 1 MiB (`bench/calibrate/mark_phases.h` PastPacerFloor; the model caps what the program "
      "allocates in a mark at the pacer's distance, so only a single allocation larger than that "
      "takes its heap past it): %s." % (
      m["marks_past_pacer_floor"], r["marks_past_pacer_floor"],
      ", ".join("`%s` %d / %d" % (b["benchmark"], b["model"]["marks_past_pacer_floor"],
                                  b["real"]["marks_past_pacer_floor"]) for b in past[:6]) or "none"))
# What the log's own runs change against the recorded timings file.
rec = {}
for line in open(sys.argv[3]):
    f = line.split("\t")
    if f[0].startswith("Benchmark"): rec[f[0]] = (int(f[1]), float(f[2]))
other_n = sum(1 for b in bs if b["runs"] and rec.get(b["benchmark"], (0,))[0] != b["runs"][-1][0])
def off(b):
    n, ns = b["runs"][-1]
    r = rec.get(b["benchmark"], (0, 0.0))[1]
    return r > 0 and (ns / r > 1.5 or r / ns > 1.5)
tb = {b["benchmark"]: b for b in t["benchmarks"]}
tgc = sum(within(x["model"]["gc_cycles"], x["real"]["gc_cycles"]) for x in tb.values())
tsc = sum(within(x["model"]["scavenge_passes"], x["real"]["scavenge_passes"]) for x in tb.values())
tbig = [x for x in tb.values() if x["real"]["releases"] >= 50]
print()
print("Driven instead by `%s` (another run: its final b.N differs from the log's in %d of these %d "
      "benchmarks, its ns/op is more than 1.5 times off in %d): releases model %d / real %d, "
      "release-size tvd %.3f; releases within 25%% in %d of %d, GC cycles within 25%% in %d, scavenge "
      "passes in %d." % (sys.argv[3], other_n, len(bs), sum(off(b) for b in bs),
      t["suite"]["model"]["releases"], t["suite"]["real"]["releases"], t["suite"]["tvd"],
      sum(within(x["model"]["releases"], x["real"]["releases"]) for x in tbig), len(tbig), tgc, tsc))
print()
print("The ten benchmarks furthest apart (each cell model / real):")
print()
print("| benchmark | distance | releases | of them stale-now | ratio | size tvd | release sizes, pages %s | GC cycles | heap marked, KiB | scavenge passes | span allocs small / large / stack | frees | HUGEPAGE | max VMAs (model) |" % " / ".join(bins))
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for b in d["benchmarks"][:10]:
    m, r = b["model"], b["real"]
    print("| %s | %.3f | %d / %d | %d / %d | %.2f | %.3f | %s vs %s | %d / %d | %d / %d | %d / %d | %d / %d / %d vs %d / %d / %d | %d / %d | %d / %d | %d |" % (
        b["benchmark"], b["distance"], m["releases"], r["releases"], m["stale_now_releases"],
        r["stale_now_releases"], b["ratio"], b["tvd"],
        hist(m), hist(r), m["gc_cycles"], r["gc_cycles"], kib(m), kib(r), m["scavenge_passes"], r["scavenge_passes"],
        m["allocs"]["small"], m["allocs"]["large"], m["allocs"]["stack"],
        r["allocs"]["small"], r["allocs"]["large"], r["allocs"]["stack"],
        m["frees"], r["frees"], m["hugepage_calls"], r["hugepage_calls"], b["model_max_go_vmas"]))
PY
