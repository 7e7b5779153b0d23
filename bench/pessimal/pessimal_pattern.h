// The pessimal heap of commit 44078a3's message: released and reused spans
// alternating so that every span boundary is also a VMA flag boundary, at
// the granularity the variant changes flags (8 KiB for prefix, 2 MiB for
// fixed, 4 MiB chunks for hugepage_eager). It runs until the kernel refuses
// a split (EAGAIN or ENOMEM from madvise) or the heap reaches max_heap.
//
// Unit i of the arena, at arena + i*g:
//   every unit  sysUnused on a span with an unaligned end inside the unit
//               (the whole 8 KiB unit for prefix; g - 8 KiB otherwise), so
//               the variant marks the unit NOHUGEPAGE;
//   odd units   sysUsed on the whole unit, so it becomes HUGEPAGE;
//   chunk-based variants get the matching chunk hooks (scavenge / dense).
// The arena is placed as Go 1.5 places it (0xc820000000 when that hint is
// free) and mapped as the heap would grow it: sysMap in 1 GiB steps, with
// MAP_NORESERVE and nothing touched, so 128 GiB of it costs no memory.
#ifndef THP_BENCH_PESSIMAL_PESSIMAL_PATTERN_H_
#define THP_BENCH_PESSIMAL_PESSIMAL_PATTERN_H_

#include <cstdint>
#include <functional>

#include "bench/report/pessimal_report.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {

// Called now and then with the bytes covered so far.
using PessimalProgress = std::function<void(uint64_t heap_bytes)>;

// Runs the pattern on `mem` (whose kernel must have the arena range free).
PessimalResult RunPessimal(MemLinux& mem, uint64_t max_heap, const PessimalProgress& progress);

}  // namespace thp

#endif  // THP_BENCH_PESSIMAL_PESSIMAL_PATTERN_H_
