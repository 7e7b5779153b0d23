# Shared by the drivers' shell tests (source it after setting $bin and
# fail=0): the project's promise for bad input is exactly one line on stderr
# naming the value, and exit status 2.

# expect_exit2 <text the line must contain> <args...>
expect_exit2() {
  local what="$1"; shift
  local err; err=$("$bin" "$@" 2>&1 >/dev/null); local rc=$?
  local lines; lines=$(printf '%s\n' "$err" | grep -c .)
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -qF -- "$what"; then
    echo "FAIL: $* -> exit $rc, stderr: $err (wanted one line with '$what', exit 2)"; fail=1
  fi
}
