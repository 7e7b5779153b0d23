#!/usr/bin/env bash
# Regenerates the measured tables in docs/the-bug.md between their markers
# (<!-- table:NAME:begin --> ... <!-- table:NAME:end -->), each from the
# command shown in the block. Pictures: tools/render_pictures.sh.
# Usage: tools/update_docs.sh   (about 8 min on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/stamp.sh
bazel build -c opt //bench:thp_bloat //bench:thp_cost //bench:variant_bench //bench:vma_limit >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

block_cmd() {  # block_cmd <name> <command shown> <command run...>: appends both as a code block
  local name="$1" shown="$2"; shift 2
  { echo "\`$shown\`:"; echo; echo '```'; "$@" 2>/dev/null || true; echo '```'; } >>"$tmp/$name.part"
}
stamp=$(stamp_line tools/update_docs.sh)

: >"$tmp/thp_bloat.part"
block_cmd thp_bloat "bazel run -c opt //bench:thp_bloat -- --quiet" bazel-bin/bench/thp_bloat/thp_bloat --quiet
echo >>"$tmp/thp_bloat.part"
block_cmd thp_bloat "bazel run -c opt //bench:thp_bloat -- --kernel=sim --quiet" bazel-bin/bench/thp_bloat/thp_bloat --kernel=sim --quiet
tools/vma_limit_table.sh >"$tmp/vma_limit.part"
: >"$tmp/thp_cost.part"
block_cmd thp_cost "bazel run -c opt //bench:thp_cost -- --quiet" bazel-bin/bench/thp_cost/thp_cost --quiet
echo >>"$tmp/thp_cost.part"
block_cmd thp_cost "bazel run -c opt //bench:thp_cost -- --kernel=sim --quiet" bazel-bin/bench/thp_cost/thp_cost --kernel=sim --quiet
echo >>"$tmp/thp_cost.part"
block_cmd thp_cost "bazel run -c opt //bench:thp_cost -- --heap=go15 --quiet" bazel-bin/bench/thp_cost/thp_cost --heap=go15 --quiet
: >"$tmp/thp_cost_issues.part"
for w in "issue63334" "issue61718 --heap=go121"; do
  for k in linux sim; do
    kflag=""; [ "$k" = sim ] && kflag=" --kernel=sim"
    # shellcheck disable=SC2086
    block_cmd thp_cost_issues "bazel run -c opt //bench:thp_cost -- --workload=$w$kflag --quiet" \
      bazel-bin/bench/thp_cost/thp_cost --workload=$w$kflag --quiet
    echo >>"$tmp/thp_cost_issues.part"
  done
done
: >"$tmp/batched.part"
block_cmd batched "bazel run -c opt //bench:variant_bench -- --benchmark_filter=ScavengePass" \
  bazel-bin/runtime_port/mem_linux/variant_benchmark --benchmark_filter=ScavengePass

python3 - "$tmp" "$stamp" <<'PY'
import os, re, sys
tmp, stamp = sys.argv[1], sys.argv[2]
text = open("docs/the-bug.md").read()
for name in ("thp_bloat", "vma_limit", "thp_cost", "thp_cost_issues", "batched"):
    body = open(os.path.join(tmp, name + ".part")).read().rstrip("\n")
    new = "<!-- table:%s:begin -->\n%s\n\n%s\n<!-- table:%s:end -->" % (name, stamp, body, name)
    text, n = re.subn(r"<!-- table:%s:begin -->.*?<!-- table:%s:end -->" % (name, name),
                      lambda m: new, text, flags=re.S)
    if n != 1:
        sys.exit("docs/the-bug.md has no table:%s markers" % name)
open("docs/the-bug.md", "w").write(text)
PY
echo "docs/the-bug.md tables regenerated"
