#!/usr/bin/env bash
# variant_bench must keep running: a short simulated-kernel run in JSON has
# an entry for every variant in both benchmarks, the madvise counters, and
# the calls fixed and prefix are known to make; unknown flags exit 2.
set -u
bin="${1:-$(dirname "$0")/variant_bench}"
fail=0
json=$("$bin" --benchmark_filter=sim --benchmark_min_time=0.01 --benchmark_format=json 2>/dev/null)
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: $bin exited $rc"; exit 1; }

for v in none prefix fixed fixed_batched hugepage_eager collapse try_collapse disablethp; do
  for name in "SysUnusedUsed/$v/sim/aligned" "SysUnusedUsed/$v/sim/unaligned" \
              "SysUnusedUsed/$v/sim/subhuge" "Scavenge/$v/sim"; do
    printf '%s\n' "$json" | grep -q "\"name\": \"$name\"" || { echo "FAIL: no entry $name"; fail=1; }
  done
done
for v in fixed fixed_batched; do
  for n in 32 256 1024; do
    name="ScavengePass/$v/sim/$n"
    printf '%s\n' "$json" | grep -q "\"name\": \"$name\"" || { echo "FAIL: no entry $name"; fail=1; }
  done
done
for key in madv_DONTNEED madv_HUGEPAGE madv_NOHUGEPAGE madv_COLLAPSE madv_TRY_COLLAPSE \
           madv_errors syscalls process_madvise vmas vmas_added map_count released_KiB \
           resident_KiB; do
  printf '%s\n' "$json" | grep -q "\"$key\": " || { echo "FAIL: no counter $key"; fail=1; }
done
if printf '%s\n' "$json" | grep -q '"error_occurred": true'; then
  echo "FAIL: a simulated benchmark reported an error:"
  printf '%s\n' "$json" | grep -B3 '"error_message"'
  fail=1
fi

# One counter of one entry, as the number it is ("1.0000000000000000e+00" -> 1).
counter() {
  printf '%s\n' "$json" | awk -v name="\"$1\"," -v key="\"$2\":" '
    $1 == "\"name\":" { here = ($2 == name) }
    here && $1 == key { sub(",", "", $2); printf "%g\n", $2; exit }'
}
expect() {
  local got; got=$(counter "$1" "$2")
  [ "$got" = "$3" ] || { echo "FAIL: $1 $2 = '$got', want $3"; fail=1; }
}
# Go 1.5.0 marks the exact unaligned range both ways; 1.5.2+ marks the one
# huge page holding both unaligned ends NOHUGEPAGE and has no whole huge
# page to mark HUGEPAGE.
expect SysUnusedUsed/prefix/sim/unaligned madv_NOHUGEPAGE 1
expect SysUnusedUsed/prefix/sim/unaligned madv_HUGEPAGE 1
expect SysUnusedUsed/fixed/sim/unaligned madv_NOHUGEPAGE 1
expect SysUnusedUsed/fixed/sim/unaligned madv_HUGEPAGE 0
expect SysUnusedUsed/fixed/sim/aligned madv_HUGEPAGE 1
expect SysUnusedUsed/none/sim/aligned madv_DONTNEED 1
expect SysUnusedUsed/none/sim/aligned madv_NOHUGEPAGE 0
expect SysUnusedUsed/prefix/sim/unaligned vmas_added 0
expect Scavenge/none/sim madv_DONTNEED 32
# fixed_batched: fixed's advice range by range, its 32 DONTNEEDs in one
# process_madvise; 1024 spans still fit one call (UIO_MAXIOV).
expect Scavenge/fixed/sim syscalls 64
expect Scavenge/fixed_batched/sim madv_DONTNEED 32
expect Scavenge/fixed_batched/sim madv_NOHUGEPAGE 32
expect Scavenge/fixed_batched/sim syscalls 33
expect Scavenge/fixed_batched/sim process_madvise 1
expect ScavengePass/fixed/sim/1024 syscalls 2048
expect ScavengePass/fixed_batched/sim/1024 madv_DONTNEED 1024
expect ScavengePass/fixed_batched/sim/1024 syscalls 1025

err=$("$bin" --benchmark_filtr=sim 2>&1 >/dev/null); rc=$?
if [ $rc -ne 2 ] || ! printf '%s' "$err" | grep -q -- '--benchmark_filtr=sim'; then
  echo "FAIL: unknown flag -> exit $rc: $err (wanted exit 2 naming the flag)"; fail=1
fi

if [ $fail -eq 0 ]; then echo "variant_bench smoke test passed"; else exit 1; fi
