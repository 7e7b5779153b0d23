#!/usr/bin/env bash
# The pessimal driver's command line: bad input gives one line and exit 2;
# a simulated run prints the documented line.
set -u
bin="$(dirname "$0")/pessimal"
[ -x "$bin" ] || bin="bench/pessimal/pessimal"
fail=0
. "$(dirname "$0")/../harness/cli_test_lib.sh"
expect_exit2 'unknown variant "prefx" (accepted: none, prefix' --variant=prefx --kernel=sim
expect_exit2 '--kernel=bsd: unknown kernel (accepted: linux, sim)' --kernel=bsd
expect_exit2 'unknown kernel profile "linux2020"' --kernel=sim --kernel_profile=linux2020
expect_exit2 'use --kernel=sim for other profiles' --kernel=linux --kernel_profile=linux2015
expect_exit2 'MADV_TRY_COLLAPSE, which kernel linux does not have' --variant=try_collapse --kernel=linux
expect_exit2 'unknown flag --varient' --varient=prefix
expect_exit2 '--max_heap=lots' --max_heap=lots
expect_exit2 '--max_map_count=-5: expected auto or a non-negative integer' --kernel=sim --max_map_count=-5
expect_exit2 'unexpected argument "extra"' --kernel=sim extra
expect_exit2 '--heap="go16": expected auto, go15 or go121' --kernel=sim --heap=go16
expect_exit2 '--heap=go121: variant fixed_batched batches the DONTNEEDs' --variant=fixed_batched --heap=go121 --kernel=sim

out=$("$bin" --variant=prefix --kernel=sim --max_map_count=1000 --sim_baseline=0 --quiet)
want="pessimal variant=prefix heap=go15 kernel=sim profile=linux6 limit_heap_bytes=8192000 vmas=1000 errno=EAGAIN"
[ "$out" = "$want" ] || { echo "FAIL: got '$out', want '$want'"; fail=1; }
# A limit below the process's own VMAs refuses the arena reservation: Go's
# throw on stderr, the line on stdout all the same, exit 1.
out=$("$bin" --variant=prefix --kernel=sim --max_map_count=1 --sim_baseline=5 --quiet 2>"$TEST_TMPDIR/err"); rc=$?
want="pessimal variant=prefix heap=go15 kernel=sim profile=linux6 limit_heap_bytes=0 vmas=5 errno=ENOMEM"
[ "$out" = "$want" ] && [ $rc -eq 1 ] || { echo "FAIL: max_map_count=1: got '$out' exit $rc, want '$want' exit 1"; fail=1; }
grep -qx 'fatal error: runtime: cannot reserve arena virtual address space (map_count 5 at the limit)' "$TEST_TMPDIR/err" ||
  { echo "FAIL: max_map_count=1: stderr $(cat "$TEST_TMPDIR/err")"; fail=1; }
out=$("$bin" --variant=none --kernel=sim --max_heap=67108864 --sim_baseline=0 --quiet)
want="pessimal variant=none heap=go15 kernel=sim profile=linux6 limit=none heap_bytes=67108864 vmas=1"
[ "$out" = "$want" ] || { echo "FAIL: got '$out', want '$want'"; fail=1; }
# --heap=auto (the default) runs hugepage_eager on the Go 1.21 heap: 2 VMAs
# per 8 MiB unit (pessimal_go121.h), 492 units under a limit of 1000.
out=$("$bin" --variant=hugepage_eager --kernel=sim --max_map_count=1000 --sim_baseline=0 --quiet)
want="pessimal variant=hugepage_eager heap=go121 kernel=sim profile=linux6 limit_heap_bytes=4127195136 vmas=1001 errno=EAGAIN"
[ "$out" = "$want" ] || { echo "FAIL: got '$out', want '$want'"; fail=1; }
out=$("$bin" --variant=hugepage_eager --heap=go15 --kernel=sim --max_map_count=1000 --sim_baseline=0 --quiet)
want="pessimal variant=hugepage_eager heap=go15 kernel=sim profile=linux6 limit_heap_bytes=4194304000 vmas=1000 errno=EAGAIN"
[ "$out" = "$want" ] || { echo "FAIL: got '$out', want '$want'"; fail=1; }
# On the Go 1.21 heap the first reservation refused is Go's throw: the line
# all the same, exit 1.
out=$("$bin" --variant=collapse --kernel=sim --max_map_count=1 --sim_baseline=5 --quiet 2>"$TEST_TMPDIR/err"); rc=$?
want="pessimal variant=collapse heap=go121 kernel=sim profile=linux6 limit_heap_bytes=0 vmas=5 errno=ENOMEM"
[ "$out" = "$want" ] && [ $rc -eq 1 ] && grep -q '^fatal error: ' "$TEST_TMPDIR/err" ||
  { echo "FAIL: go121 max_map_count=1: got '$out' exit $rc, stderr $(cat "$TEST_TMPDIR/err")"; fail=1; }

# The simulated kernel, given this machine's limit, must stop exactly where
# the real one does.
skipped=0
if ldd "$bin" 2>/dev/null | grep -q libasan; then
  skipped=4  # an ASan build cannot keep running at the VMA limit (its own mmaps fail)
else
  # Each variant on its own heap (auto), and prefix on the Go 1.21 heap.
  for vh in prefix:auto fixed:auto prefix:go121 hugepage_eager:auto; do
    v=${vh%%:*}; h=${vh##*:}
    real=$("$bin" --variant=$v --heap=$h --kernel=linux --quiet | sed 's/kernel=linux/kernel=K/')
    sim=$("$bin" --variant=$v --heap=$h --kernel=sim --max_map_count=auto --quiet | sed 's/kernel=sim/kernel=K/')
    case "$real" in *" vmas=6553"[01]" errno="*) ;; *) echo "FAIL: real $v/$h run did not reach the limit: $real"; fail=1;; esac
    [ "$real" = "$sim" ] || { echo "FAIL: $v/$h: real '$real' vs sim '$sim'"; fail=1; }
  done
fi

if [ $fail -eq 0 ]; then echo "$((21 - skipped)) passed, 0 failed, $skipped skipped"; else exit 1; fi
