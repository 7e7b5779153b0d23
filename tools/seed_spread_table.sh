#!/usr/bin/env bash
# Prints the README's seed-spread block (Markdown): how far the model's
# per-benchmark releases move when only its seeded draws change, beside Go
# 1.5.1's recorded run, so that a reader can tell a gap the draws cover
# from one they do not.
# - Sweep waits: bench:calibrate on the recorded log with --sweep_wait_seed
#   kSweepWaitSeed + 0 .. N-1 (which sysmon passes due inside a sweep read
#   their clock late or wait for the heap lock;
#   mheap/heap_runtime/go15_heap_runtime.h).
# - Mark shares: the same with --mark_share_seed kMarkShareSeed + 0 .. N-1
#   (how much the program allocates in each background mark;
#   mheap/go15/mark_share.h), the sweep-wait seed at its default.
# Rows: the benchmarks with at least 50 releases in the recorded run, most
# first; each range is the lowest and highest of the N runs, stale-now
# releases in brackets. Then, per seed set, the range over its runs of the
# whole suite's releases, stale-now releases and release-size tvd, and of
# the count of those benchmarks within 25% of Go's releases.
# Usage: tools/seed_spread_table.sh [N]   (default 8; builds //bench:calibrate
#   first; about 17 s a run, two at a time)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-8}"
[[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "seed_spread_table: N=$n: expected 1 to 99" >&2; exit 2; }
bazel build -c opt //bench/calibrate:calibrate >/dev/null 2>&1
bin=bazel-bin/bench/calibrate/calibrate
log=testdata/go151_heaplog/prefix.hlog.xz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The defaults, from the binary's own JSON (mheap/go15/mark_share.h
# kMarkShareSeed, mheap/go15/runtime.h kSweepWaitSeed).
"$bin" --real="$log" --quiet --json_out="$tmp/default.json" >/dev/null
read -r mark wait < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(d["mark_share_seed"], d["sweep_wait_seed"])' "$tmp/default.json")
# Two runs at a time: the sweep-wait seed's and the mark-share seed's.
for ((i = 1; i < n; i++)); do
  "$bin" --real="$log" --quiet --sweep_wait_seed=$((wait + i)) --json_out="$tmp/wait_$i.json" >/dev/null &
  w=$!
  "$bin" --real="$log" --quiet --mark_share_seed=$((mark + i)) --json_out="$tmp/mark_$i.json" >/dev/null &
  m=$!
  wait "$w"
  wait "$m"
done
python3 - "$tmp" "$n" "$mark" "$wait" <<'PY'
import json, math, sys
tmp, n, mark, wait = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
default = json.load(open("%s/default.json" % tmp))
sets = {
    "wait": [default] + [json.load(open("%s/wait_%d.json" % (tmp, i))) for i in range(1, n)],
    "mark": [default] + [json.load(open("%s/mark_%d.json" % (tmp, i))) for i in range(1, n)],
}
by_name = {k: [{b["benchmark"]: b for b in d["benchmarks"]} for d in runs] for k, runs in sets.items()}
big = sorted((b for b in default["benchmarks"] if b["real"]["releases"] >= 50),
             key=lambda b: (-b["real"]["releases"], b["benchmark"]))
def within(m, r):
    return r > 0 and abs(m / r - 1) <= 0.25
def span(vals):
    lo, hi = min(vals), max(vals)
    return "%d" % lo if lo == hi else "%d-%d" % (lo, hi)
print("Each range is the lowest and highest of %d runs of `bench:calibrate` on the recorded log "
      "that differ only in one seed: `--sweep_wait_seed` %d to %d (which scavenge passes due "
      "inside a sweep wait), or `--mark_share_seed` %d to %d (the program's share of each "
      "background mark); stale-now releases in brackets; the first run of each is the "
      "defaults' (the calibrate block above)." % (n, wait, wait + n - 1, mark, mark + n - 1))
print()
print("| benchmark | Go releases (stale-now) | sweep-wait seeds | mark-share seeds | Go inside |")
print("|---|---|---|---|---|")
inside = {"wait": 0, "mark": 0}
for b in big:
    name = b["benchmark"]
    real = b["real"]
    cells = []
    flags = []
    for k in ("wait", "mark"):
        rel = [runs[name]["model"]["releases"] for runs in by_name[k]]
        stale = [runs[name]["model"]["stale_now_releases"] for runs in by_name[k]]
        cells.append("%s (%s)" % (span(rel), span(stale)))
        if min(rel) <= real["releases"] <= max(rel):
            inside[k] += 1
            flags.append(k)
    print("| `%s` | %d (%d) | %s | %s | %s |" % (
        name, real["releases"], real["stale_now_releases"], cells[0], cells[1],
        ", ".join({"wait": "sweep-wait", "mark": "mark-share"}[f] for f in flags) or "neither"))
print()
for k, label in (("wait", "sweep-wait"), ("mark", "mark-share")):
    runs = sets[k]
    rel = [d["suite"]["model"]["releases"] for d in runs]
    stale = [d["suite"]["model"]["stale_now_releases"] for d in runs]
    tvd = [d["suite"]["tvd"] for d in runs]
    close = [sum(within(m[b["benchmark"]]["model"]["releases"], b["real"]["releases"]) for b in big)
             for m in by_name[k]]
    print("Over the %s seeds: whole-suite releases %s (Go %d), of them stale-now %s (Go %d), "
          "release-size tvd %.3f to %.3f; within 25%% of Go's releases in %s of the %d benchmarks; "
          "Go's count inside the model's range in %d of them." % (
          label, span(rel), default["suite"]["real"]["releases"], span(stale),
          default["suite"]["real"]["stale_now_releases"], min(tvd), max(tvd), span(close),
          len(big), inside[k]))
PY
