#!/usr/bin/env bash
# Keeps the README honest without a real-kernel run: the reproduction
# table's simulated-kernel rows for prefix and fixed on the linux6 profile,
# and that profile's headline line, must equal a fresh run of the same
# command (vma_repro --kernel=sim, the full suite at benchtime 1s). Every
# column that does not depend on the machine is compared: Go-equivalent,
# runtime-own and split VMA maxima, peak RSS and AnonHugePages, and the
# HUGEPAGE / NOHUGEPAGE / COLLAPSE calls. (Not compared: the whole-process
# count, which includes this process's own VMAs, and wall time.) The other
# rows come from the same runs of the same code, and tools/regenerate.sh
# writes them all at once; this checks two of them, which a model change
# cannot leave alone.
set -u
bin="${1:-$(dirname "$0")/vma_repro}"
readme="${2:-README.md}"
[ -x "$bin" ] || { echo "FAIL: no vma_repro at $bin"; exit 1; }
[ -r "$readme" ] || { echo "FAIL: no README at $readme"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
regen="run tools/regenerate.sh readme (or: tools/update_readme.sh repro-table) and commit README.md"

out=$("$bin" --kernel=sim --kernel_profile=linux6 --variants=prefix,fixed --jobs=2 --quiet \
  --csv_out="$tmp/sim.csv") || { echo "FAIL: vma_repro exited $?"; exit 1; }
col() {  # col <variant> <key>
  awk -F, -v v="$1" -v k="$2" 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["variant"] == v { print $c[k] }' "$tmp/sim.csv"
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
block=$(sed -n '/<!-- repro-table:begin -->/,/<!-- repro-table:end -->/p' "$readme")
for v in prefix fixed; do
  want=$(grep -E "^\| $v \| go15 \| sim \| linux6 \|" <<<"$block" | head -1 |
    awk -F'|' '{ for (i = 6; i <= 12; i++) { gsub(/^ +| +$/, "", $i) } print $6 "|" $7 "|" $8 "|" $10 "|" $11 "|" $12 }')
  got="$(col "$v" max_vmas_go_equivalent)|$(col "$v" max_vmas_runtime)|$(col "$v" max_split_vmas)|$(mib "$(col "$v" peak_rss_bytes)")|$(mib "$(col "$v" peak_anon_huge_bytes)")|$(col "$v" madvise_calls.HUGEPAGE) / $(col "$v" madvise_calls.NOHUGEPAGE) / $(col "$v" madvise_calls.COLLAPSE)"
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    echo "FAIL: README's $v sim linux6 row says '$want', a fresh run gives '$got': $regen"
    fail=1
  fi
done
headline=$(grep '^prefix max_vmas=' <<<"$out")
grep -qF -- "- \`--kernel=sim --kernel_profile=linux6\`: $headline" <<<"$block" ||
  { echo "FAIL: README's sim linux6 headline is not '$headline': $regen"; fail=1; }
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
