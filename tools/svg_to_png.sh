#!/usr/bin/env bash
# Renders SVG files to PNG in headless Chromium (Debian's chromium, installed
# by tools/setup.sh) at their own size, then checks each PNG is not blank
# (tools/png_check.py). Usage: tools/svg_to_png.sh in.svg out.png [in.svg out.png ...]
# Exit status 1 if a picture is blank or Chromium fails, 2 for bad arguments.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
browser="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$browser" ]; then echo "svg_to_png: chromium not found (run tools/setup.sh)" >&2; exit 2; fi
if [ $# -eq 0 ] || [ $(( $# % 2 )) -ne 0 ]; then
  echo "svg_to_png: usage: svg_to_png.sh in.svg out.png [in.svg out.png ...]" >&2; exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
while [ $# -gt 0 ]; do
  svg="$1"; png="$2"; shift 2
  [ -r "$svg" ] || { echo "svg_to_png: $svg: cannot read" >&2; exit 2; }
  size=$(grep -o -m1 '<svg[^>]*>' "$svg" | sed -n 's/.*width="\([0-9.]*\)".*height="\([0-9.]*\)".*/\1,\2/p')
  [ -n "$size" ] || { echo "svg_to_png: $svg: no width/height on <svg>" >&2; exit 2; }
  w=${size%,*}; h=${size#*,}
  # Flags from the machine notes: without the background-networking ones
  # Chromium keeps trying to reach Google's hosts on this closed network.
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size="${w%.*},${h%.*}" \
    --screenshot="$(realpath -m "$png")" "file://$(realpath "$svg")" >/dev/null 2>&1 || {
      echo "svg_to_png: chromium failed on $svg" >&2; exit 1; }
  python3 "$here/png_check.py" "$png"
done
