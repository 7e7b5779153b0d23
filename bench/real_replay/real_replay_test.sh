#!/usr/bin/env bash
# real_replay on Go 1.5.1's smoke logs (testdata/go151_heaplog/): each log
# through the variant it was recorded with replays with 0 divergences on the
# simulated and on the real kernel, and the two kernels agree on the
# runtime's VMA counts, splits and madvise calls; other variants replay the
# heap exactly with their madvise calls unchecked; a log corrupted in one
# alloc_done is reported at exactly that record with exit status 1; bad
# flags and logs that cannot be replayed are one line and exit status 2.
set -u
bin="${1:-$(dirname "$0")/real_replay}"
corrupt="${2:-mheap/go15/replay/corrupt_log}"
logs="testdata/go151_heaplog"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. bench/harness/cli_test_lib.sh

# field <report line> <key>
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

for build in prefix fixed; do
  declare -A line=()
  for kernel in sim linux; do
    out=$("$bin" --trace="$logs/smoke_$build.hlog.xz" --kernel="$kernel" --quiet); rc=$?
    line[$kernel]="$out"
    echo "$out"
    [ "$rc" -eq 0 ] || { echo "FAIL: $build on $kernel: exit $rc"; fail=1; }
    [ "$(field "$out" divergences)" = "0" ] || { echo "FAIL: $build on $kernel: divergences"; fail=1; }
    [ "$(field "$out" madvise_checked)" = "1" ] || { echo "FAIL: $build on $kernel: madvise unchecked"; fail=1; }
    d=$(field "$out" decisions)
    [ -n "$d" ] && [ "$d" -gt 1000 ] || { echo "FAIL: $build on $kernel: $d decisions"; fail=1; }
  done
  # The real kernel is the ground truth for the simulated one.
  for k in decisions max_vmas_go max_vmas_runtime max_splits final_vmas_runtime madvise_port \
    madvise_result_mismatches; do
    a=$(field "${line[linux]}" $k); b=$(field "${line[sim]}" $k)
    [ -n "$a" ] && [ "$a" = "$b" ] || { echo "FAIL: $build $k: linux '$a' sim '$b'"; fail=1; }
  done
  # Go's own madvise calls, as the port made them.
  a=$(field "${line[sim]}" madvise_port); b=$(field "${line[sim]}" madvise_go)
  [ "$a" = "$b" ] || { echo "FAIL: $build: port madvise $a, Go's $b"; fail=1; }
  unset line
done

# What other variants would have done with the same heap history.
for v in none fixed disablethp fixed_batched; do
  out=$("$bin" --trace="$logs/smoke_prefix.hlog.xz" --kernel=sim --variant="$v" --quiet); rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] && [ "$(field "$out" divergences)" = "0" ] && [ "$(field "$out" madvise_checked)" = "0" ] \
    || { echo "FAIL: prefix log through $v: exit $rc"; fail=1; }
done
n=$(field "$("$bin" --trace="$logs/smoke_prefix.hlog.xz" --kernel=sim --variant=none --quiet)" madvise_port)
[ "$n" = "DONTNEED:5" ] || { echo "FAIL: none made $n"; fail=1; }

# A log with one alloc_done pointing elsewhere: the divergence is that record.
at=$("$corrupt" "$logs/smoke_prefix.hlog.xz" "$tmp/bad.hlog" alloc_done 20 page 1) || { echo "FAIL: corrupt_log"; fail=1; }
idx=${at% *}; off=${at#* }
err=$("$bin" --trace="$tmp/bad.hlog" --kernel=sim --quiet --json_out="$tmp/bad.json" 2>&1 >"$tmp/bad.out"); rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: corrupted log: exit $rc"; fail=1; }
printf '%s' "$err" | grep -qF "divergence at record $idx (offset $off), alloc_done, field page" \
  || { echo "FAIL: corrupted log: stderr $err"; fail=1; }
[ "$(field "$(cat "$tmp/bad.out")" divergences)" = "1" ] || { echo "FAIL: corrupted log: report"; fail=1; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['divergence']['record_index']==$idx and d['divergence']['field']=='page', d['divergence']" \
  "$tmp/bad.json" || { echo "FAIL: corrupted log: JSON"; fail=1; }

# The JSON of a clean run.
"$bin" --trace="$logs/smoke_fixed.hlog.xz" --kernel=sim --quiet --json_out="$tmp/ok.json" >/dev/null
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['divergence'] is None and d['decisions']>1000 and d['decisions_by_kind']['alloc_done']>0, d" \
  "$tmp/ok.json" || { echo "FAIL: JSON of a clean run"; fail=1; }

# Bad input: one line, exit 2.
"$corrupt" "$logs/smoke_prefix.hlog.xz" "$tmp/raw.hlog" alloc 0 npage 0 >/dev/null
head -c 3000 "$tmp/raw.hlog" >"$tmp/cut.hlog"
expect_exit2 '--trace is required' --kernel=sim
expect_exit2 "--trace=$tmp/none.hlog" --trace="$tmp/none.hlog" --kernel=sim
expect_exit2 "$tmp/cut.hlog: heap-event log offset" --trace="$tmp/cut.hlog" --kernel=sim --quiet
expect_exit2 '--variant=bogus' --trace="$logs/smoke_prefix.hlog.xz" --kernel=sim --variant=bogus
expect_exit2 'variant hugepage_eager changes which spans' --trace="$logs/smoke_prefix.hlog.xz" --kernel=sim --variant=hugepage_eager
expect_exit2 '--kernel=bogus' --trace="$logs/smoke_prefix.hlog.xz" --kernel=bogus
expect_exit2 '--kernel_profile=linux2015' --trace="$logs/smoke_prefix.hlog.xz" --kernel=linux --kernel_profile=linux2015
expect_exit2 '--nosuchflag' --trace="$logs/smoke_prefix.hlog.xz" --nosuchflag

if [ $fail -eq 0 ]; then echo "real_replay_test: all passed"; else exit 1; fi
