#!/usr/bin/env bash
# The pictures are checked in a real browser: an address map from vma_limit
# (simulated kernel, small limit) is rendered by headless Chromium and the
# PNG must not be blank; a blank SVG must be caught as blank, so the check
# itself can fail.
set -u
dir="$(dirname "$0")"
bin="$dir/vma_limit"; [ -x "$bin" ] || bin="bench/vma_limit/vma_limit"
render="$dir/../../tools/svg_to_png.sh"; [ -x "$render" ] || render="tools/svg_to_png.sh"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export HOME="$tmp"  # Chromium wants a writable home
fail=0
"$bin" --variant=prefix --kernel=sim --max_map_count=2000 --sim_baseline=30 --burst_mib=2 \
  --rounds=150 --quiet --svg_out="$tmp/map.svg" >/dev/null 2>&1
[ -s "$tmp/map.svg" ] || { echo "FAIL: vma_limit wrote no SVG"; fail=1; }
out=$("$render" "$tmp/map.svg" "$tmp/map.png" 2>&1) || { echo "FAIL: $out"; fail=1; }
printf '%s\n' "$out" | grep -q ' ok$' || { echo "FAIL: rendered map judged blank: $out"; fail=1; }
printf '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120"><rect width="100%%" height="100%%" fill="#fff"/></svg>\n' >"$tmp/blank.svg"
if out=$("$render" "$tmp/blank.svg" "$tmp/blank.png" 2>&1); then
  echo "FAIL: a blank picture passed: $out"; fail=1
fi
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
