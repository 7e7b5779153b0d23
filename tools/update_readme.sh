#!/usr/bin/env bash
# Regenerates the measured blocks of README.md, each between its markers
# <!-- NAME:begin --> ... <!-- NAME:end -->, from the command listed below,
# under a stamp naming the commit and date (tools/stamp.sh).
#
# Usage: tools/update_readme.sh [NAME ...]   (default: every block)
# tools/regenerate.sh runs it with the other regeneration scripts under one
# stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/stamp.sh

# NAME, then the command that prints the block's body, then "measured" for a
# block read from committed measurements (no machine in its stamp) or "run".
blocks=(
  "pessimal-table|tools/pessimal_table.sh|run"
  "repro-intro|tools/repro_intro.sh|run"
  "repro-table|tools/repro_table.sh|run"
  "repro-go121-table|tools/repro_go121_table.sh|run"
  "real-go-table|tools/real_go_table.sh|measured"
  "real-run-model-table|tools/real_run_model_table.sh|run"
  "real-replay-table|tools/real_replay_table.sh testdata/go151_heaplog/prefix.hlog.xz testdata/go151_heaplog/fixed_to_CallClosure3.hlog.xz|run"
  "calibrate-table|tools/calibrate_table.sh testdata/go151_heaplog/prefix.hlog.xz|run"
  "release-spread-table|tools/release_spread_table.sh|run"
  "seed-spread-table|tools/seed_spread_table.sh|run"
  "sensitivity-table|tools/sensitivity_table.sh|run"
)
want=("$@")
for w in ${want[@]+"${want[@]}"}; do
  found=0
  for b in "${blocks[@]}"; do [ "${b%%|*}" = "$w" ] && found=1; done
  [ $found = 1 ] || { echo "update_readme: unknown block \"$w\" (accepted: ${blocks[*]%%|*})" >&2; exit 2; }
done
for b in "${blocks[@]}"; do
  IFS='|' read -r name cmd kind <<<"$b"
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
  echo "update_readme: $name ($cmd)" >&2
  body=$($cmd)
  if [ "$kind" = measured ]; then
    stamp=$(stamp_line "$cmd" "from the measurements in \`testdata/go151_real/\` (see its README)")
  else
    stamp=$(stamp_line "$cmd")
  fi
  python3 - "$name" "$stamp" "$body" <<'PY'
import re, sys
name, stamp, body = sys.argv[1:4]
text = open("README.md").read()
new = "<!-- %s:begin -->\n%s\n\n%s\n<!-- %s:end -->" % (name, stamp, body, name)
text, n = re.subn(r"<!-- %s:begin -->.*?<!-- %s:end -->" % (name, name),
                  lambda m: new, text, flags=re.S)
if n != 1:
    sys.exit("README.md has no %s markers" % name)
open("README.md", "w").write(text)
PY
done
echo "README.md blocks regenerated" >&2
