#!/usr/bin/env bash
# The strongest check the oracle gives: Go 1.5.1's recorded heap history,
# replayed through the ported heap and memory layer (the variant it was
# recorded with, simulated linux6 kernel), reaches exactly the maximum
# map_count that tools/vma_peak measured during that very run (eBPF; the
# recorded runs of testdata/go151_real). For a log cut before the suite's
# end, the maximum is the measured one up to the log's last record, the two
# clocks being the same CLOCK_MONOTONIC.
set -u
replay="$1" dump="$2"
fail=0
check() {  # check <log> <variant> <run folder>
  local log="$1" variant="$2" run="testdata/go151_real/runs/$3"
  local line got end want
  line=$("$replay" --trace="$log" --variant="$variant" --kernel=sim --quiet 2>&1) ||
    { echo "FAIL: $log: real_replay: $line"; fail=1; return; }
  got=$(sed -n 's/.* max_vmas_go=\([0-9]*\) .*/\1/p' <<<"$line")
  end=$("$dump" --time=abs "$log" | tail -1 | cut -d' ' -f1)
  want=$(awk -v end="$end" '
    /^# vma_peak start_monotonic_ns=/ { split($3, a, "="); start = a[2]; next }
    /^#/ { next }
    start + $1 * 1e9 <= end && $2 > max { max = $2 }
    END { print max }' "$run/series.tsv")
  if [ -z "$got" ] || [ "$got" != "$want" ]; then
    echo "FAIL: $log: the port's replay reaches $got Go-equivalent VMAs, vma_peak measured $want in $run"
    fail=1
  else
    echo "ok: $log: $got = vma_peak's $want"
  fi
}
check testdata/go151_heaplog/prefix.hlog.xz prefix ebpf-prefix-2026-12-02-recorded
check testdata/go151_heaplog/fixed_to_CallClosure3.hlog.xz fixed ebpf-fixed-2026-12-02-recorded
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
