// The memory-layer stream: what the heap asked of the memory layer, in
// order, as text. It is the second of the lab's three levels of data, each
// recordable, replayable and diffable:
//   1. workload events (bench/workloads/trace_format.h): what the program
//      does to the heap (alloc, drop, goroutines, GC, time); the ported
//      runtime turns them into
//   2. memory-layer calls (this file): sysAlloc, sysReserve, sysMap,
//      sysUnused, sysUsed, sysFree, sysFault with their ranges, the heap's
//      chunk and scavenge-pass hooks, the program's first writes to new
//      spans, and the points where a driver samples (runs, residency,
//      gctrace lines), each at its virtual time; a variant's policy (one
//      MemLinux) turns them into
//   3. kernel calls (runtime_port/kernel/recording_kernel.h): mmap, munmap,
//      madvise, touch, with their results.
// The Go 1.5 heap takes the same decisions whatever its memory layer does
// (sysUnused and sysUsed return nothing to it; the addresses sysAlloc and
// sysReserve get are the same on every kernel, which the replay checks), so
// one heap run's level-2 stream drives every variant whose policy does not
// feed back into the heap: vma_repro records it once per heap class and
// replays it through each variant's MemLinux (bench/vma_repro/suite_runner.h).
// The variants that track Go 1.21 chunk density change the heap's release
// decisions (mheap/go15/chunks.h) and form a class of their own.
//
// Format: the first line is "thp-memstream 1"; then one record per line,
// addresses in hex (0x...), sizes and counts in decimal:
//   at <ns>                       virtual time moves to <ns>
//   sysalloc <n> <p> <errno>      sysAlloc(n) got p (0 on failure)
//   sysreserve <v> <n> <p> <0|1>  sysReserve(v, n) got p, reserved or not
//   sysmap <v> <n> <0|1>          sysMap(v, n, reserved)
//   sysunused <v> <n>             sysUnused(v, n)
//   sysused <v> <n>               sysUsed(v, n)
//   sysfree <v> <n>               sysFree(v, n)
//   sysfault <v> <n>              sysFault(v, n)
//   grown <v> <n>                 the heap grew by [v, v+n) (policy hook)
//   dense <chunk> <pages>         a 4 MiB chunk became dense (policy hook)
//   chunkscavenge <chunk>         the scavenger is about to release in it
//   pass begin|end                a scavenge pass (mHeap_Scavenge) begins, ends
//   touch <v> <n>                 the program writes [v, v+n) (a new span)
//   bench <index> <total> <name>  a benchmark begins (driver marker)
//   run <n>                       one b.N run begins (driver marker)
//   runend <iterations>           it ended (driver marker)
//   sample <lo> <hi>              the driver reads residency of [lo, hi)
//   gctrace <text>                a GODEBUG=gctrace=1 line, as Go prints it
//   end <key>=<value>...          the heap run's totals (last record)
// A stream of the Go 1.21 heap (mheap/go121) starts with "go121heap" after
// its first clock record, and has these calls besides sysreserve (whose
// flag is 1), sysmap, sysunused, sysfree (none: sysfreeos), grown, dense,
// chunkscavenge and touch:
//   go121heap                     the stream is the Go 1.21 heap's
//   sysallocos <n> <p>            sysAllocOS(n) (also under sysAlloc) got p
//   sysfreeos <v> <n>             sysFreeOS(v, n) (also under sysFree)
//   sysusedp <v> <n> <prepared>   sysUsed(v, n, prepared bytes, hex)
//   syshugepage <v> <n> <site>    sysHugePage for the heap's own metadata
//   sysnohugepage <v> <n> <site>  sysNoHugePage likewise (site: AdviceSite, hex)
// The Go 1.21 heap's decisions do not depend on its memory layer either
// (the policies' hooks return nothing to it), so every variant on it
// replays one heap run's stream.
// This format mirrors no Go code.
#ifndef THP_RUNTIME_PORT_MEMSTREAM_MEM_STREAM_H_
#define THP_RUNTIME_PORT_MEMSTREAM_MEM_STREAM_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace thp {

inline constexpr absl::string_view kMemStreamHeader = "thp-memstream 1";

// The longest line a reader accepts (the header included); the longest the
// recorder writes is a gctrace line, about 200 bytes. A longer line is an
// error naming the file and line, read without holding more than this.
inline constexpr size_t kMaxMemStreamLineBytes = 4096;

struct MemRecord {
  enum Kind : uint8_t {
    kAt, kSysAlloc, kSysReserve, kSysMap, kSysUnused, kSysUsed, kSysFree, kSysFault,
    kHeapGrown, kChunkDense, kChunkScavenge, kPassBegin, kPassEnd, kTouch,
    kBench, kRun, kRunEnd, kSample, kGctrace, kEnd,
    // The Go 1.21 heap's (mheap/go121/mem_linux.h).
    kGo121Heap, kSysAllocOS, kSysFreeOS, kSysUsedPrepared, kSysHugePage, kSysNoHugePage
  };
  Kind kind = kAt;
  uint64_t addr = 0;    // v, chunk, lo; the ns of "at"; n of "run"; index of "bench"
  uint64_t len = 0;     // n, pages, hi; iterations of "runend"; total of "bench"
  uint64_t result = 0;  // p of sysalloc(os) and sysreserve; prepared bytes; advice site
  int64_t err = 0;      // errno of sysalloc
  bool flag = false;    // reserved (sysreserve, sysmap)
  std::string text;     // bench name, gctrace line, end totals
};

// The record's line, without the newline.
std::string FormatMemRecord(const MemRecord& r);
// Parses one record line (not the header); an error names the line's
// problem and what is accepted.
absl::StatusOr<MemRecord> ParseMemRecord(absl::string_view line);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEMSTREAM_MEM_STREAM_H_
