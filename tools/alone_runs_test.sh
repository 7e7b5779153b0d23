#!/usr/bin/env bash
# tools/go151/alone_runs.sh refuses bad input with one line naming it and
# exit status 2, before it builds or runs anything (its runs need Go
# 1.5.1's recording runtime.test and the machine alone: not a test's).
set -u
script=tools/go151/alone_runs.sh
fail=0
expect2() {  # expect2 <text the one line holds> <args...>
  local want="$1"; shift
  local err rc
  err=$(bash "$script" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ $err != *"$want"* ]]; then
    echo "FAIL: $script $* -> exit $rc, stderr: $err"; fail=1
  fi
}
expect2 "unknown flag --bogus (accepted: --runs=N, --loop_slice_us=US)" --bogus x y z
expect2 "usage: tools/go151/alone_runs.sh" --runs=0 x y z
expect2 "usage: tools/go151/alone_runs.sh" --runs=two x y z
expect2 "usage: tools/go151/alone_runs.sh" /bin/true out
expect2 "/nonexistent/runtime.test: not an executable runtime.test" /nonexistent/runtime.test out Malloc16
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
