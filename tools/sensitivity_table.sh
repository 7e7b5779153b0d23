#!/usr/bin/env bash
# Prints the README's sensitivity table (Markdown): the modelled Go 1.5
# suite's maximum Go-equivalent VMAs for prefix (go1.5.1) and fixed
# (44078a3) under the settings a 2015 machine could have run the benchmarks
# with: GOMAXPROCS 1, 2, 4 and 8 at the recorded timings, and the recorded
# timings halved and doubled (--time_scale 0.5 and 2) at GOMAXPROCS 2; each on
# both simulated kernel profiles (linux6, and linux2015, where re-flagging an
# already flagged VMA fails). Beside them: the real runs' maxima
# (testdata/go151_real/runs.tsv, eBPF-counted, unrecorded, machine alone; all at
# GOMAXPROCS 2). Last, the model's own time resolution: each benchmark
# loop's busy time in slices of 1 ms (--loop_slice_us, the old default)
# instead of the default 100 us, at GOMAXPROCS 2 and the recorded timings (a
# slice's allocations come at its start, before its time passes, so a
# coarse slice lumps them together). Then, for each setting, whether it could give Go's own
# figures, 692 for go1.5.1 and 49 with 44078a3: the model's prefix maximum
# at least 692 and its fixed maximum at most 49.
# Usage: tools/sensitivity_table.sh   (builds //bench:vma_repro first; about 3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench:vma_repro >/dev/null 2>&1
bin=bazel-bin/bench/vma_repro/vma_repro
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
col() {  # col <csv> <variant> <key>
  awk -F, -v v="$2" -v k="$3" 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["variant"] == v { print $c[k] }' "$1"
}
# The real runs' maxima, eBPF-counted with nothing else on the machine.
real_range() {  # real_range <build>: "lo-hi (n runs)"
  local runs; runs=$(awk -F'\t' -v b="$1" '!/^#/ && $2 == b && $3 == "ebpf" && $4 == 0 && $5 == 1 { print $1 }' \
    testdata/go151_real/runs.tsv)
  local vals=()
  for r in $runs; do
    vals+=("$(sed -n 's/.* max_vmas=\([0-9]*\) .*/\1/p' "testdata/go151_real/runs/$r/summary.txt" 2>/dev/null ||
      true)")
  done
  printf '%s\n' "${vals[@]}" | grep . | sort -n |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else printf "%d-%d (%d runs)\n", v[1], v[NR], NR }'
}
real_prefix=$(real_range prefix)
real_fixed=$(real_range fixed)
# The drivers' default --loop_slice_us (bench/workloads/trace_replayer.h
# kLoopSliceNs): every setting runs at it but the resolution rows.
default_slice=100
settings=("1 1 $default_slice" "2 1 $default_slice" "4 1 $default_slice" "8 1 $default_slice"
          "2 0.5 $default_slice" "2 2 $default_slice" "2 1 1000")
echo "| GOMAXPROCS | time scale | cpu scale | loop slice (us) | profile | prefix max VMAs | fixed max VMAs | ratio | could give 692 and 49 | real prefix (eBPF) | real fixed (eBPF) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
could=() cannot=()
for s in "${settings[@]}"; do
  read -r procs scale slice <<<"$s"
  for p in linux6 linux2015; do
    csv="$tmp/$procs.$scale.$slice.$p.csv"
    "$bin" --kernel=sim --kernel_profile="$p" --variants=prefix,fixed --gomaxprocs="$procs" \
      --time_scale="$scale" --loop_slice_us="$slice" --jobs=2 --quiet --csv_out="$csv" \
      --json_out="$csv.json" >/dev/null || true
    # The runtime's own work's scale that --cpu_scale=auto took from the
    # scaled timings (bench/workloads/cpu_scale.h).
    cpu=$(sed -n 's/^  "cpu_scale": \([0-9.]*\),$/\1/p' "$csv.json")
    # A variant may die as Go would (exit 1, its error in the CSV; its
    # maximum is what it reached); a failed check is the model's bug, and
    # a table of what it reached would hide it.
    for v in prefix fixed; do
      err=$(col "$csv" "$v" error)
      if [ ! -s "$csv" ] || [[ "$err" == *"check failed"* ]]; then
        echo "sensitivity_table.sh: GOMAXPROCS=$procs time scale $scale loop slice $slice $p: $v: ${err:-no result}" >&2
        exit 1
      fi
    done
    pm=$(col "$csv" prefix max_vmas_go_equivalent); fm=$(col "$csv" fixed max_vmas_go_equivalent)
    ratio=$(awk -v a="$pm" -v b="$fm" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')
    verdict=no
    [ -n "$pm" ] && [ -n "$fm" ] && [ "$pm" -ge 692 ] && [ "$fm" -le 49 ] && verdict=yes
    label="GOMAXPROCS=$procs, time scale $scale, $p"
    [ "$slice" != "$default_slice" ] && label="$label, loop slice $slice us"
    if [ "$verdict" = yes ]; then could+=("$label"); else cannot+=("$label ($pm / $fm)"); fi
    real_p="—" real_f="—"
    [ "$procs" = 2 ] && [ "$scale" = 1 ] && [ "$slice" = "$default_slice" ] && real_p=$real_prefix && real_f=$real_fixed
    echo "| $procs | $scale | ${cpu:-?} | $slice | $p | ${pm:-failed} | ${fm:-failed} | $ratio | $verdict | $real_p | $real_f |"
  done
done
echo
if [ ${#could[@]} -gt 0 ]; then
  echo "Settings under which the model gives Go's own pair (prefix at least 692, fixed at most 49): $(IFS=';'; echo "${could[*]}" | sed 's/;/; /g')."
else
  echo "No setting above makes the model give Go's own pair (prefix at least 692 and fixed at most 49)."
fi
echo
echo "Settings that cannot (prefix / fixed maxima): $(IFS=';'; echo "${cannot[*]}" | sed 's/;/; /g')."
