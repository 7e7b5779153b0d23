#!/usr/bin/env bash
# Prints the Markdown table of Go 1.5.1's own heap histories replayed
# through the port (bench/real_replay): each log through the variants none,
# prefix, fixed and disablethp, on the real kernel and on both simulated
# profiles, with the decisions checked, the divergences found and the VMA
# census. A row with the log's own build is the exact replay (madvise
# calls checked too); the others answer what that variant would have done
# with the same heap history.
# Usage: tools/real_replay_table.sh LOG...   (e.g. the full-suite logs in
#   testdata/go151_heaplog/; builds //bench:real_replay first; about 15 s
#   a row for a full-suite log)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: tools/real_replay_table.sh LOG..." >&2; exit 2; }
bazel build -c opt //bench/real_replay:real_replay >/dev/null 2>&1
bin=bazel-bin/bench/real_replay/real_replay
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| log (build) | variant | kernel | profile | decisions checked | divergences | max VMAs, Go-equivalent | runtime's own | of them splits | HUGEPAGE / NOHUGEPAGE / DONTNEED calls | madvise results unlike Go's | records/s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for log in "$@"; do
  for v in none prefix fixed disablethp; do
    for kp in linux:linux6 sim:linux6 sim:linux2015; do
      k=${kp%%:*}; p=${kp##*:}
      rc=0
      "$bin" --trace="$log" --variant="$v" --kernel="$k" --kernel_profile="$p" --quiet \
        --json_out="$tmp/r.json" >/dev/null 2>"$tmp/err" || rc=$?
      if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "| $(basename "$log") | $v | $k | $p | failed: $(head -1 "$tmp/err") |||||||"
        continue
      fi
      python3 - "$tmp/r.json" "$(basename "$log")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["madvise_calls_port"]
checked = "%d%s" % (d["decisions"], "" if d["madvise_checked"] else " (madvise not)")
div = str(d["divergences"])
if d["divergence"]:
    div += " (record %d, %s.%s)" % (d["divergence"]["record_index"], d["divergence"]["kind"], d["divergence"]["field"])
print("| %s (%s) | %s | %s | %s | %s | %s | %d | %d | %d | %d / %d / %d | %s | %s |" % (
    sys.argv[2], d["build"], d["variant"], d["kernel"], d["profile"], checked, div,
    d["max_vmas_go_equivalent"], d["max_vmas_runtime"], d["max_split_vmas"],
    m.get("HUGEPAGE", 0), m.get("NOHUGEPAGE", 0), m.get("DONTNEED", 0),
    d["madvise_result_mismatches"] if d["madvise_checked"] else "-", d["records_per_second"]))
PY
    done
  done
done
