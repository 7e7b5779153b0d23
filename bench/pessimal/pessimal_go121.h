// The pessimal heap on the Go 1.21 heap (mheap/go121): the page heap, its
// page allocator and scavenger, and the variant's Go 1.21 memory layer
// driven into the VMA pattern that costs the most VMAs per heap byte, unit
// after unit, until the kernel refuses a split (or max_heap is covered).
//
// Which Go 1.21 decisions the pattern exploits (go1.21.0 = 21ff9be0eb):
// - mheap.grow maps whole 4 MiB palloc chunks at a time (sysMap of the
//   aligned-up request, mheap.go), so every growth is its own mmap, and
//   pageAlloc.grow (mpagealloc.go) marks new memory scavenged: the first
//   allocation from it calls sysUsed (mheap.allocSpan), where the Go 1.5
//   variants run on this heap send their reuse advice (prefix: HUGEPAGE on
//   the exact range; fixed: on its whole huge pages); hugepage_eager sends
//   HUGEPAGE on the grown range itself (its pageAlloc.grow hook).
// - pageAlloc.alloc is address-ordered first fit (pageAlloc.find), so a
//   span freed and reallocated smaller leaves its top pages free: the hole.
// - The background scavenger's pageAlloc.scavenge takes the highest chunk
//   the scavenge index says is worth a visit (scavengeIndex.find): one with
//   free unscavenged pages and fewer than 496 pages in use now and at the
//   start of the generation (scavChunkData.shouldScavenge); scavengeOne
//   releases the free run under the search address (findScavengeCandidate),
//   and, in 1.21.0, first sends NOHUGEPAGE on the whole chunk if the index
//   still marks it dense (scavengeIndex.setNoHugePage). sysUnused sends the
//   Go 1.5 variants' release advice on the hole (prefix: NOHUGEPAGE on the
//   exact range; fixed: on the huge pages holding its unaligned ends).
// - A chunk that reaches 496 pages in use again would be marked dense and
//   re-advised HUGEPAGE (1.21.0) or collapsed (1.21.1-1.21.3), and a hole
//   that a later allocation reuses loses its advice to sysUsed. So no hole
//   may ever be reused: holes are h pages, every allocation is larger, and
//   each unit ends with a separator span so that its hole is not adjacent
//   to the next unit's fresh memory (first fit would start a span there).
//
// Unit k, u = a + h + s pages at the heap's growth point, in this order:
//   T = alloc(a + h)  (fresh: grows the heap; sysUsed on it)
//   S = alloc(s)      (the separator, right above T)
//   free(T); A = alloc(a)   (first fit puts A at T's base; h pages stay free)
//   a GC cycle ends         (gcMarkTermination with GOGC=100 and all live:
//                           nextGen, which raises the background
//                           scavenger's search address to the hole; it
//                           starts a generation, so the count at its start
//                           is the chunk's count now, under 496)
//   scavenge(h pages)       (the background scavenger's call, for the hole)
// with, per the variant's flag granularity (HugePagePolicy::FlagGranularity):
//   prefix (8 KiB)          a = 2, h = 1, s = 2: HUGEPAGE on T and S, then
//                           NOHUGEPAGE on the one-page hole: 2 VMAs / 40 KiB;
//   fixed (2 MiB)           a = 477, h = 17, s = 18 (one chunk, 495 pages in
//                           use): HUGEPAGE on the chunk's first huge page,
//                           NOHUGEPAGE on its second: 2 VMAs / 4 MiB;
//   the chunk-based ones    a = 989, h = 17, s = 18 (two chunks, the second
//   and none                with 495 pages in use): hugepage_eager's HUGEPAGE
//                           on both at growth, NOHUGEPAGE on the second when
//                           it is scavenged: 2 VMAs / 8 MiB. collapse,
//                           try_collapse and none set no flags; disablethp's
//                           NOHUGEPAGE on every sysMap merges. No chunk ever
//                           becomes dense through a share under 512 pages,
//                           so collapse never collapses (nothing is touched).
// The Go 1.5 pattern's 8 KiB per VMA for prefix is not what this pattern
// reaches: a one-page span between one-page holes would be allocated into an
// older hole, so prefix's unit is 5 pages here.
//
// Once a cycle's goal passes 1 GiB (heap in use over 512 MiB), the heap's
// metadata gets its HUGEPAGE switch (enableMetadataHugePages), as in Go.
// The driver is the heap's only user, on no P (allocSpan's pp == nil path:
// no page cache, no allocation-time scavenging), with MAP_NORESERVE on
// sysMap and nothing written. It stops after the unit in which the kernel
// refused an madvise split (EAGAIN or ENOMEM in the memory layer's counters;
// Go ignores sysHugePage/sysNoHugePage errors, so the heap goes on) or, if
// an mmap of the heap is refused first, where Go throws (sysMapOS's
// "runtime: out of memory", or a refused metadata or arena reservation):
// on_fatal then gets the result so far with err ENOMEM (reserve_failed if no
// unit was complete), and the process ends as Go's would.
#ifndef THP_BENCH_PESSIMAL_PESSIMAL_GO121_H_
#define THP_BENCH_PESSIMAL_PESSIMAL_GO121_H_

#include <cstdint>
#include <functional>

#include "bench/pessimal/pessimal_pattern.h"
#include "bench/report/pessimal_report.h"
#include "mheap/go121/mem_linux.h"

namespace thp {

// The unit of the pattern for a variant (pages: a, h, s as above).
struct Go121PessimalUnit {
  uintptr_t a = 0, h = 0, s = 0;
  uintptr_t pages() const { return a + h + s; }
};
Go121PessimalUnit Go121PessimalUnitFor(const HugePagePolicy& policy);

// Called when the heap throws (the growth's mmap refused at the limit) with
// the result up to the last whole unit, before the process exits.
using PessimalFatal = std::function<void(const PessimalResult& r)>;

// Runs the pattern on a fresh Go 1.21 heap over `mem` (whose kernel must
// have the heap's arena hints free). r.unit is the unit's bytes; r.heap_bytes
// the heap bytes the completed units cover (the unit the refusal came in
// included), counted from the heap's first byte. `progress` is also called
// once after the last unit, while the heap still exists (it unmaps its
// address space when the run ends).
PessimalResult RunPessimalGo121(go121::MemLinux& mem, uint64_t max_heap,
                                const PessimalProgress& progress, const PessimalFatal& on_fatal);

}  // namespace thp

#endif  // THP_BENCH_PESSIMAL_PESSIMAL_GO121_H_
