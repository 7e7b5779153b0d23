#!/usr/bin/env bash
# Regenerates every generated table and picture a user reads, in one go:
# the README's tables (tools/update_readme.sh), the tables of
# docs/the-bug.md (tools/update_docs.sh) and the PNGs in docs/
# (tools/render_pictures.sh). Each block is stamped with the commit and date
# it was made from (tools/stamp.sh), the same stamp for all of them.
#
# Usage: tools/regenerate.sh [readme|docs|pictures ...]   (default: all three)
#
# Run it on a machine with nothing else running (the real-kernel rows and
# wall times are measured), from a clean checkout of the commit whose
# numbers you want: commit the model change first, then regenerate, then
# commit what this wrote. About 26 minutes on two cores (26.1 when last run).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/stamp.sh
THP_STAMP_COMMIT=$(stamp_commit)
THP_STAMP_DATE=$(stamp_date)
export THP_STAMP_COMMIT THP_STAMP_DATE
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(readme docs pictures)
for p in "${parts[@]}"; do
  case "$p" in
    readme) echo "regenerate: README.md tables" >&2; tools/update_readme.sh ;;
    docs) echo "regenerate: docs/the-bug.md tables" >&2; tools/update_docs.sh ;;
    pictures) echo "regenerate: docs/*.png" >&2; tools/render_pictures.sh ;;
    *) echo "regenerate: unknown part \"$p\" (accepted: readme, docs, pictures)" >&2; exit 2 ;;
  esac
done
echo "regenerate: done, stamped commit $THP_STAMP_COMMIT on $THP_STAMP_DATE" >&2
