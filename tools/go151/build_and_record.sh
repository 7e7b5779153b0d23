#!/usr/bin/env bash
# Builds Go 1.5.1's runtime.test twice, with the project's heap-event
# recorder (heaplog.patch): "prefix" (go1.5.1 as released) and "fixed"
# (go1.5.1 + commit 44078a3's mem_linux.go change, i.e. Go 1.5.2's), and
# with --record runs each and keeps its heap-event log. Fetches nothing:
# the Go source and the bootstrap toolchain are given by path (README.md
# says where to get them).
#
# Usage:
#   tools/go151/build_and_record.sh [flags] GO_SOURCE BOOTSTRAP OUT
#     GO_SOURCE  a git repository of Go (bare or not) holding tag go1.5.1 and
#                commit 44078a3; or a go1.5.1 source tree, with --fix_patch
#     BOOTSTRAP  a Go toolchain for make.bash (GOROOT_BOOTSTRAP), e.g.
#                Debian's /usr/lib/go-1.19
#     OUT        where everything goes (created; existing builds are reused
#                unless --rebuild)
#   flags:
#     --fix_patch=FILE  44078a3's diff of src/runtime/mem_linux.go (needed
#                       when GO_SOURCE is a tree, not a repository)
#     --builds=LIST     prefix,fixed (default both)
#     --record          run each runtime.test with THP_HEAPLOG
#     --bench=REGEX     -test.bench for --record (default ".": the full
#                       suite, about 9 minutes per build; nothing else may
#                       run on the machine meanwhile)
#     --benchtime=D     -test.benchtime for --record (default Go's 1s)
#     --compare         also run each build once without THP_HEAPLOG,
#                       before the recorded run, to measure the overhead
#     --vma_peak=BIN    run under tools/vma_peak (max VMAs of each run,
#                       per-benchmark series and timestamped output)
#     --rebuild         rebuild toolchains that exist in OUT
#
# Output in OUT: <build>/go (the toolchain), <build>/runtime.test, and for
# each run <build>[.plain].{out.txt,time,summary.txt,series.tsv}, and
# <build>.hlog.xz (the log, xz -9) for recorded runs. Runs use
# GODEBUG=scavenge=1 GOMAXPROCS=2 -test.run=NONE, as the README's
# ground-truth measurements do.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prog=build_and_record.sh
usage() { echo "$prog: $1" >&2; exit 2; }

fix_patch="" builds="prefix,fixed" record=0 bench="." benchtime="" compare=0 vma_peak="" rebuild=0
pos=()
for a in "$@"; do
  case "$a" in
    --fix_patch=*) fix_patch=${a#*=} ;;
    --builds=*) builds=${a#*=} ;;
    --record) record=1 ;;
    --bench=*) bench=${a#*=} ;;
    --benchtime=*) benchtime=${a#*=} ;;
    --compare) compare=1 ;;
    --vma_peak=*) vma_peak=${a#*=} ;;
    --rebuild) rebuild=1 ;;
    --*) usage "unknown flag ${a%%=*} (see the header of $0)" ;;
    *) pos+=("$a") ;;
  esac
done
[ ${#pos[@]} -eq 3 ] || usage "want GO_SOURCE BOOTSTRAP OUT, got ${#pos[@]} arguments"
src=${pos[0]} bootstrap=${pos[1]} out=${pos[2]}
IFS=, read -r -a build_list <<<"$builds"
for b in "${build_list[@]}"; do
  case "$b" in prefix|fixed) ;; *) usage "--builds=$builds: each must be prefix or fixed" ;; esac
done
[ -x "$bootstrap/bin/go" ] || usage "BOOTSTRAP=$bootstrap has no bin/go"
[ -z "$vma_peak" ] || [ -x "$vma_peak" ] || usage "--vma_peak=$vma_peak is not executable"
[ -z "$fix_patch" ] || [ -r "$fix_patch" ] || usage "--fix_patch=$fix_patch cannot be read"
for tool in patch xz tar; do command -v "$tool" >/dev/null || usage "needs $tool"; done

# The source: a git repository or a go1.5.1 tree.
gitdir=""
if [ -d "$src/.git" ]; then
  gitdir="$src/.git"
elif git --git-dir="$src" rev-parse --git-dir >/dev/null 2>&1; then
  gitdir="$src"
fi
if [ -n "$gitdir" ]; then
  git --git-dir="$gitdir" rev-parse --verify -q 'go1.5.1^{commit}' >/dev/null ||
    usage "GO_SOURCE=$src has no tag go1.5.1"
  if [ -z "$fix_patch" ] && [[ " ${build_list[*]} " == *" fixed "* ]]; then
    git --git-dir="$gitdir" cat-file -e '44078a3^{commit}' 2>/dev/null ||
      usage "GO_SOURCE=$src lacks commit 44078a3 (the fixed build's change); pass --fix_patch=FILE"
  fi
else
  [ -f "$src/VERSION" ] && [ "$(head -c 7 "$src/VERSION")" = "go1.5.1" ] ||
    usage "GO_SOURCE=$src is neither a Go repository nor a go1.5.1 tree (its VERSION must say go1.5.1)"
  [[ " ${build_list[*]} " != *" fixed "* ]] || [ -n "$fix_patch" ] ||
    usage "the fixed build of a source tree needs --fix_patch=FILE (44078a3's mem_linux.go diff)"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)

build() {
  local b=$1 dir="$out/$1"
  if [ -x "$dir/runtime.test" ] && [ "$rebuild" -eq 0 ]; then
    echo "$b: reusing $dir/runtime.test"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir/go"
  echo "$b: source"
  if [ -n "$gitdir" ]; then
    git --git-dir="$gitdir" archive go1.5.1 | tar -x -C "$dir/go"
  else
    cp -a "$src/." "$dir/go/"
  fi
  (cd "$dir/go" && patch -p1 --forward --silent <"$here/heaplog.patch") ||
    { echo "$prog: heaplog.patch does not apply to the go1.5.1 source" >&2; exit 1; }
  if [ "$b" = fixed ]; then
    if [ -n "$fix_patch" ]; then
      (cd "$dir/go" && patch -p1 --forward --silent <"$fix_patch")
    else
      git --git-dir="$gitdir" show 44078a3 -- src/runtime/mem_linux.go |
        (cd "$dir/go" && patch -p1 --forward --silent)
    fi
    grep -q "head+hugePageSize == tail" "$dir/go/src/runtime/mem_linux.go" ||
      { echo "$prog: the fixed build's mem_linux.go lacks 44078a3's change" >&2; exit 1; }
  fi
  echo "$b: make.bash (about 2 minutes; log in $dir/make.log)"
  (cd "$dir/go/src" && GOROOT_BOOTSTRAP="$bootstrap" GO111MODULE=off CGO_ENABLED=0 ./make.bash) \
    >"$dir/make.log" 2>&1 || { tail -20 "$dir/make.log" >&2; exit 1; }
  echo "$b: go test -c runtime"
  (cd "$dir" && GOROOT="$dir/go" PATH="$dir/go/bin:$PATH" GO111MODULE=off CGO_ENABLED=0 \
    GOPATH="$dir/gopath" go test -c -o "$dir/runtime.test" -ldflags "-X runtime.heaplogBuild=$b" runtime)
}

# run BUILD NAME RECORD: one run of BUILD's runtime.test, outputs OUT/NAME.*
run() {
  local b=$1 name=$2 rec=$3 dir="$out/$1"
  local args=(-test.run=NONE "-test.bench=$bench")
  [ -z "$benchtime" ] || args+=("-test.benchtime=$benchtime")
  local envs=(GODEBUG=scavenge=1 GOMAXPROCS=2)
  rm -f "$out/$name.hlog" "$out/$name.hlog.xz"
  [ "$rec" -eq 0 ] || envs+=("THP_HEAPLOG=$out/$name.hlog")
  echo "$name: running (${envs[*]} runtime.test ${args[*]})"
  local t0 t1
  t0=$(date +%s.%N)
  if [ -n "$vma_peak" ]; then
    (cd "$dir" && env "${envs[@]}" "$vma_peak" --label="$name" --series_out="$out/$name.series.tsv" \
      --stdout_out="$out/$name.out.txt" -- ./runtime.test "${args[@]}" >"$out/$name.summary.txt")
  else
    (cd "$dir" && env "${envs[@]}" ./runtime.test "${args[@]}" >"$out/$name.out.txt")
  fi
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "wall_s=%.2f\n", $2 - $1}' >"$out/$name.time"
  echo "$name: $(cat "$out/$name.time") $(cat "$out/$name.summary.txt" 2>/dev/null || true)"
  if [ "$rec" -eq 1 ]; then
    local raw
    raw=$(stat -c %s "$out/$name.hlog")
    xz -9 -T1 "$out/$name.hlog"
    echo "$name: log $raw bytes, $(stat -c %s "$out/$name.hlog.xz") bytes xz -9 ($out/$name.hlog.xz)"
  fi
}

for b in "${build_list[@]}"; do build "$b"; done
if [ "$record" -eq 1 ]; then
  for b in "${build_list[@]}"; do
    [ "$compare" -eq 0 ] || run "$b" "$b.plain" 0
    run "$b" "$b" 1
  done
fi
