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
bazel-bin/bench/calibrate/calibrate --real="$log" --quiet --json_out="$tmp/c.json" >/dev/null
python3 - "$tmp/c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["suite"]
m, r = s["model"], s["real"]
bins = d["size_bins_pages"]
hist = lambda t: " / ".join(str(t["release_hist_pages"][b]) for b in bins)
print("Whole suite (%d benchmarks, variant %s, log `%s`): releases model **%d** / real **%d** "
      "(ratio %.2f), release-size tvd **%.3f**, distance **%.3f**; release sizes in pages (%s) "
      "model %s, real %s; GC cycles %d / %d; scavenge passes %d / %d; span allocations "
      "small / large / stack %d / %d / %d vs %d / %d / %d; HUGEPAGE %d / %d, NOHUGEPAGE %d / %d; "
      "max Go-equivalent VMAs %d (model; the log has no VMA count)." % (
      len(d["benchmarks"]), d["variant"], d["real"], m["releases"], r["releases"], s["ratio"],
      s["tvd"], s["distance"], ", ".join(bins), hist(m), hist(r), m["gc_cycles"], r["gc_cycles"],
      m["scavenge_passes"], r["scavenge_passes"], m["allocs"]["small"], m["allocs"]["large"],
      m["allocs"]["stack"], r["allocs"]["small"], r["allocs"]["large"], r["allocs"]["stack"],
      m["hugepage_calls"], r["hugepage_calls"], m["nohugepage_calls"], r["nohugepage_calls"],
      s["model_max_go_vmas"]))
print()
print("The ten benchmarks furthest apart (each cell model / real):")
print()
print("| benchmark | distance | releases | ratio | size tvd | release sizes, pages %s | GC cycles | scavenge passes | span allocs small / large / stack | frees | HUGEPAGE | max VMAs (model) |" % " / ".join(bins))
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for b in d["benchmarks"][:10]:
    m, r = b["model"], b["real"]
    print("| %s | %.3f | %d / %d | %.2f | %.3f | %s vs %s | %d / %d | %d / %d | %d / %d / %d vs %d / %d / %d | %d / %d | %d / %d | %d |" % (
        b["benchmark"], b["distance"], m["releases"], r["releases"], b["ratio"], b["tvd"],
        hist(m), hist(r), m["gc_cycles"], r["gc_cycles"], m["scavenge_passes"], r["scavenge_passes"],
        m["allocs"]["small"], m["allocs"]["large"], m["allocs"]["stack"],
        r["allocs"]["small"], r["allocs"]["large"], r["allocs"]["stack"],
        m["frees"], r["frees"], m["hugepage_calls"], r["hugepage_calls"], b["model_max_go_vmas"]))
PY
