#!/usr/bin/env bash
# The command-line contract every driver shares (bench/harness/cli.h):
# --help prints the usage on stdout and exits 0; a bad value is one line
# naming the flag, the value (escaped and cut, so binary or huge input
# cannot flood the terminal) and what is accepted, exit 2; --flagfile and
# --fromenv, whose flags would bypass these checks, are refused the same
# way. Args: the drivers' binaries (each with a --quiet flag).
set -u
source bench/harness/cli_test_lib.sh || exit 1
fail=0
[ $# -gt 0 ] || { echo "FAIL: no driver given"; exit 1; }
for bin in "$@"; do
  name=$(basename "$bin")
  out=$("$bin" --help 2>/dev/null); rc=$?
  [ $rc -eq 0 ] && printf '%s' "$out" | grep -q "Flags from" ||
    { echo "FAIL: $name --help: exit $rc, stdout '${out:0:80}'"; fail=1; }
  expect_exit2 '--flagfile: not accepted here (accepted: flags on the command line' --flagfile=/tmp/none
  expect_exit2 '--fromenv: not accepted here' --fromenv=quiet
  expect_exit2 '--quiet=maybe: expected true or false (see --help)' --quiet=maybe
  expect_exit2 'unknown flag --nosuch (see --help)' --nosuch
  # A 10,000-byte value is cut at 120 characters; a binary one is escaped.
  long=$(head -c 10000 /dev/zero | tr '\0' 'x')
  expect_exit2 "--quiet=$(head -c 120 /dev/zero | tr '\0' 'x')...: expected true or false" "--quiet=$long"
  err=$("$bin" "--quiet=$long" 2>&1 >/dev/null)
  [ ${#err} -lt 300 ] || { echo "FAIL: $name: a ${#err}-character error line"; fail=1; }
  expect_exit2 '--quiet=a\x01\tb: expected true or false' "--quiet=$(printf 'a\001\tb')"
  echo "$name: checked"
done
exit $fail
