#!/usr/bin/env bash
# Regenerates the measured tables in README.md between their markers:
#   <!-- pessimal-table:begin --> ... <!-- pessimal-table:end -->
#   <!-- repro-table:begin --> ... <!-- repro-table:end -->
#   <!-- real-go-table:begin --> ... <!-- real-go-table:end -->  (from testdata/go151_real)
# Usage: tools/update_readme.sh (or tools/regenerate.sh, which runs it with the
# other regeneration scripts under one stamp)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/stamp.sh
table=$(tools/pessimal_table.sh)
repro=$(tools/repro_table.sh)
realgo=$(tools/real_go_table.sh)
stamp=$(stamp_line tools/update_readme.sh)
real_stamp=$(stamp_line tools/update_readme.sh "from the measurements in \`testdata/go151_real/\` (see its README)")
python3 - "$table" "$repro" "$stamp" "$realgo" "$real_stamp" <<'PY'
import re, sys
tables = {"pessimal-table": sys.argv[1], "repro-table": sys.argv[2], "real-go-table": sys.argv[4]}
stamp = sys.argv[3]
real_stamp = sys.argv[5]
text = open("README.md").read()
for name, table in tables.items():
    new = "<!-- %s:begin -->\n%s\n\n%s\n<!-- %s:end -->" % (
        name, real_stamp if name == "real-go-table" else stamp, table, name)
    text, n = re.subn(r"<!-- %s:begin -->.*?<!-- %s:end -->" % (name, name),
                      lambda m: new, text, flags=re.S)
    if n != 1:
        sys.exit("README.md has no %s markers" % name)
open("README.md", "w").write(text)
PY
echo "README.md tables regenerated"
