#!/usr/bin/env bash
# Regenerates the pictures in docs/: each driver writes an SVG, headless
# Chromium renders it to PNG (tools/svg_to_png.sh), and every PNG is checked
# not to be blank. Usage: tools/render_pictures.sh   (about 4 min)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/stamp.sh
bazel build -c opt //bench:vma_repro //bench:vma_limit //bench:thp_bloat //bench:thp_cost >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small=(--kernel=sim --max_map_count=2000 --sim_baseline=30 --burst_mib=4 --seed=2 --rounds=150 --quiet)
# The 12233 crash, small enough to see every span: prefix at its crash,
# fixed at its peak, same workload (bench/vma_limit/vma_limit_test.sh pins
# both outcomes of this very run).
bazel-bin/bench/vma_limit/vma_limit --variant=prefix "${small[@]}" --svg_out="$tmp/limit_prefix.svg" >/dev/null 2>&1 || true
bazel-bin/bench/vma_limit/vma_limit --variant=fixed "${small[@]}" --svg_out="$tmp/limit_fixed.svg" >/dev/null
# The Go 1.5 benchmark suite on the real kernel: VMA count over time, and
# each variant's arena at its peak.
bazel-bin/bench/vma_repro/vma_repro --kernel=linux --jobs=2 --quiet --svg_out="$tmp/repro_series.svg" \
  --map_svg_out="$tmp/repro_maps.svg" >/dev/null
# Go issue 8832 on the real kernel with khugepaged emulated: each variant's
# arena at its VMA peak and at the end (none re-inflated; about 70 s, most
# of it prefix's 7,150 peak captures reading /proc/self/smaps).
bazel-bin/bench/thp_bloat/thp_bloat --kernel=linux --quiet --svg_out="$tmp/bloat_maps.svg" >/dev/null
# The huge-page cost workload on the real kernel: each variant's arena at the
# end of its workload (no VMA census there, so no peak), every variant on the
# Go 1.5 heap, as docs/the-bug.md's section 5 runs it (--heap=auto would draw
# the Go 1.21 variants on their own heap).
bazel-bin/bench/thp_cost/thp_cost --kernel=linux --heap=go15 --quiet --svg_out="$tmp/cost_maps.svg" >/dev/null
tools/svg_to_png.sh \
  "$tmp/limit_prefix.svg" docs/vma_limit_prefix_map.png \
  "$tmp/limit_fixed.svg" docs/vma_limit_fixed_map.png \
  "$tmp/repro_series.svg" docs/vma_repro_series.png \
  "$tmp/repro_maps.svg" docs/vma_repro_peak_maps.png \
  "$tmp/bloat_maps.svg" docs/thp_bloat_maps.png \
  "$tmp/cost_maps.svg" docs/thp_cost_maps.png
# The stamp of these pictures, in docs/the-bug.md.
stamp=$(stamp_line tools/render_pictures.sh)
python3 - "Pictures: $stamp" <<'PY'
import re, sys
text = open("docs/the-bug.md").read()
new = "<!-- pictures:begin -->\n%s\n<!-- pictures:end -->" % sys.argv[1]
text, n = re.subn(r"<!-- pictures:begin -->.*?<!-- pictures:end -->", lambda m: new, text, flags=re.S)
if n != 1:
    sys.exit("docs/the-bug.md has no pictures markers")
open("docs/the-bug.md", "w").write(text)
PY
