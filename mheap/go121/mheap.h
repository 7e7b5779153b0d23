// The Go 1.21 page heap (mheap.go and the heap half of malloc.go), linux/amd64,
// over the page allocator of mpagealloc.h.
//
// Mirrors, at go1.21.0 = master 21ff9be0eb (the release states differ only in
// the advice the HugePagePolicy sends, see mem_linux.h): mallocinit's arena
// hints (0x00c0<<32, 0x01c0<<32, ... 0x3fc0<<32), mheap.init, alloc /
// allocManual / allocSpan (the per-P page cache for requests under 16 pages,
// pageAlloc.alloc, grow on failure, the allocation-time scavenging against
// the memory limit and, after a growth, against the GC-percent goal, then
// sysUsed on the scavenged part), initSpan with allocNeedsZero, grow (heap
// growth in whole 4 MiB chunks out of 64 MiB arenas reserved at the hints,
// curArena), sysAlloc and sysReserveAligned, freeSpan / freeManual /
// freeSpanLocked, scavengeAll, and the GC metadata's huge-page switch of
// 1f9d80e33165 (enableMetadataHugePages once a GC ends with a heap goal above
// 1 GiB). Per-P state (page cache, mspan cache) is kept per P; the caller
// says which P runs (set_current_p), -1 for none.
//
// Metadata mapped through the memory layer, as Go maps it: the arena map's
// L2 (32 MiB, sysAllocOS, NOHUGEPAGE then HUGEPAGE), one heapArena struct per
// 64 MiB arena (1133584 bytes, persistentalloc's sysAlloc path), and the
// page allocator's summaries, scavenge index and bitmap blocks.
//
// Compromises: no objects, no GC; the GC model (or a test) calls
// GcMarkTermination with the next heap goal and wakes the background
// scavenger (bg_scavenger.h) when sweeping ends; gcCPULimiter.limiting()
// is false; persistentalloc'd small metadata (mspan structs, arena hints,
// allArenas, addrRanges arrays) is not mapped, so mappedReady lacks those
// few KiB; the race and 32-bit paths are absent.
//
// The page reclaimer (mheap.reclaim and reclaimChunk, mheap_reclaim.cc):
// while a sweep is unfinished, Alloc first sweeps in-use spans whose first
// page has no page mark, walking the arenas of the sweep's snapshot in
// 512-page chunks, until it has returned as many pages as it is about to
// take. Pages freed beyond that need, and pages sweepone frees, go to a
// credit that later calls spend before they walk. The sweeping itself is
// the object layer's, reached through ReclaimSweeper; a heap without one
// (the page-heap tests) never reclaims. The reclaimer runs on one thread,
// so Go's atomics and sweep.active's count of sweepers are plain fields,
// and the execution tracer's sweep events are absent; the walk's order and
// the credit's are Go's.
#ifndef THP_MHEAP_GO121_MHEAP_H_
#define THP_MHEAP_GO121_MHEAP_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "mheap/go121/layout.h"
#include "mheap/go121/mem_linux.h"
#include "mheap/go121/mpagealloc.h"
#include "runtime_port/base/clock.h"
#include "scavenger/go121/bg_scavenger.h"
#include "scavenger/go121/pacing.h"

namespace thp {
namespace go121 {

// sizeof(heapArena) on linux/amd64 in go1.21: the pointer bitmap (1 MiB),
// noMorePtrs (16 KiB), spans (64 KiB), pageInUse/pageMarks/pageSpecials
// (1 KiB each), checkmarks and zeroedBase.
inline constexpr uintptr_t kHeapArenaStructBytes = 1133584;
// The arena map's one L2 block: 2^22 pointers.
inline constexpr uintptr_t kArenaL2Bytes = (uintptr_t{1} << kArenaL2Bits) * 8;

// spanAllocType.
enum class SpanAllocType : uint8_t { kHeap, kStack, kPtrScalarBits, kWorkBuf };
enum class SpanState : uint8_t { kDead, kInUse, kManual };

// The fields of mspan the page heap decides.
struct MSpan {
  uintptr_t start = 0;  // base address
  uintptr_t npages = 0;
  SpanState state = SpanState::kDead;
  uint8_t spanclass = 0;
  bool needzero = false;

  // The object layer's half of mspan (malloc.go, mcache.go, mcentral.go,
  // mgcsweep.go, mbitmap.go). The page heap never reads these; the object
  // layer fills them in as soon as Alloc returns (initSpan's heap-span
  // branch, mbitmap.h's InitHeapSpanObjects).
  uint32_t sweepgen = 0;
  uint16_t nelems = 0;       // objects the span holds
  uint16_t alloc_count = 0;  // allocCount
  uint16_t freeindex = 0;    // slots below it are allocated
  uint16_t alloc_count_before_cache = 0;
  uintptr_t elemsize = 0;
  uintptr_t obj_limit = 0;   // limit: end of the last object
  // allocBits and gcmarkBits: one flag per object slot. Sweep makes the
  // mark bits the new alloc bits.
  std::vector<bool> alloc_bits;
  std::vector<bool> gcmark_bits;

  uintptr_t base() const { return start; }
  uintptr_t limit() const { return start + npages * kPageSize; }
};

// gcController's heap counters and memstats.heapStats.
struct HeapStats {
  uint64_t heap_in_use = 0;    // heapInUse
  uint64_t heap_free = 0;      // heapFree
  uint64_t heap_released = 0;  // heapReleased
  // heapStatsDelta, summed.
  int64_t committed = 0;
  int64_t released = 0;
  int64_t in_heap = 0;
  int64_t in_stacks = 0;
  int64_t in_ptr_scalar_bits = 0;
  int64_t in_work_bufs = 0;
  uint64_t gc_misc_sys = 0;  // memstats.gcMiscSys: page-allocator and arena metadata
  uint64_t last_heap_in_use = 0;  // memstats.lastHeapInUse

  // heapRetained.
  uint64_t HeapRetained() const { return heap_in_use + heap_free; }
};

// gcController's inputs the heap and the scavenger read.
struct PacerState {
  int64_t memory_limit = INT64_MAX;  // mallocinit stores maxInt64 (GOMEMLIMIT unset)
  uint64_t heap_goal = 0;            // the goal of the cycle now running
  uint64_t last_heap_goal = 0;       // lastHeapGoal
};

// One arena's metadata (heapArena): where it was mapped, and what the
// page heap reads of it.
struct HeapArena {
  uintptr_t meta_addr = 0;  // the persistentalloc'd struct
  uintptr_t zeroed_base = 0;
  std::vector<MSpan*> spans = std::vector<MSpan*>(kPagesPerArena, nullptr);
  // pageInUse and pageMarks: one bit per page, set only at a span's first
  // page. In use: the span is an in-use heap span (initSpan sets it,
  // freeSpanLocked clears it). Marks: the mark found a live object in the
  // span (greyobject sets it; only the next mark's start clears it, so a
  // swept span keeps its bit for the rest of the cycle).
  std::array<uint8_t, kPagesPerArena / 8> page_in_use{};
  std::array<uint8_t, kPagesPerArena / 8> page_marks{};
};

// pageIndexOf's byte and bit for the first page of a span at `base`.
struct PageBit {
  uintptr_t byte = 0;
  uint8_t mask = 0;
};
inline PageBit PageIndexOf(uintptr_t base) {
  const uintptr_t page = (base / kPageSize) % kPagesPerArena;
  return {page / 8, static_cast<uint8_t>(1u << (page % 8))};
}

// pagesPerReclaimerChunk: the pages of pageInUse one claim of the reclaimer
// scans (a multiple of 8 dividing pagesPerArena).
inline constexpr uintptr_t kPagesPerReclaimerChunk = 512;
// reclaimIndex at or above this: the reclaimer has walked every arena.
inline constexpr uint64_t kReclaimDone = uint64_t{1} << 63;

// What mheap.reclaim asks of the sweeper (mgcsweep.go): isSweepDone,
// sweep.active.begin, sweepLocker.tryAcquire and sweepLocked.sweep. The
// object layer's sweeper (mgcsweep.h) implements it; sweepone, which frees
// spans outside the reclaimer, gives their pages to AddReclaimCredit.
class ReclaimSweeper {
 public:
  virtual ~ReclaimSweeper() = default;
  // isSweepDone: the sweep is drained (no sweeper runs on another thread).
  virtual bool IsSweepDone() const = 0;
  // sweep.active.begin: false once the sweep is drained (sweepLocker.valid).
  virtual bool BeginSweep() const = 0;
  // sweepLocker.tryAcquire: takes ownership of an unswept span
  // (sweepgen-2 -> sweepgen-1); false if it is swept or being swept.
  virtual bool TryAcquire(MSpan* s) = 0;
  // sweepLocked.sweep: true if the span went back to the heap. Takes the
  // heap lock to free; call without it.
  virtual bool Sweep(MSpan* s, bool preserve) = 0;
};

// An arenaHint.
struct ArenaHint {
  uintptr_t addr = 0;
  bool down = false;
};

class MHeap final : private PageAllocEnv {
 public:
  // mallocinit (64-bit): mheap_.init, the heap arena hints, maxInt64 as the
  // memory limit. `nprocs` is GOMAXPROCS.
  MHeap(MemLinux& mem, const Clock& clock, int nprocs);
  // Returns the heap's address space to the kernel (Go's heap lives as long
  // as its process; a test process here may build several heaps).
  ~MHeap();
  MHeap(const MHeap&) = delete;
  MHeap& operator=(const MHeap&) = delete;

  // alloc: a heap span of npages for objects of `spanclass`, after
  // reclaiming as many pages if the sweep is unfinished; nullptr if the
  // heap cannot grow.
  MSpan* Alloc(uintptr_t npages, uint8_t spanclass);
  // allocManual: a stack or other manually managed span.
  MSpan* AllocManual(uintptr_t npages, SpanAllocType typ);
  // freeSpan.
  void FreeSpan(MSpan* s);
  // freeManual.
  void FreeManual(MSpan* s, SpanAllocType typ);
  // scavengeAll: FreeOSMemory's release of every free page (forced).
  // Returns the bytes released.
  uintptr_t ScavengeAll();

  // The end of a GC cycle's mark termination, in Go's order: lastHeapGoal
  // (endCycle), lastHeapInUse, gcControllerCommit with `next_heap_goal`
  // (gcPaceScavenger), the scavenge index's nextGen, the page caches of idle
  // Ps flushed (every P but the current one), and the metadata huge-page
  // switch when the goal passes 1 GiB.
  void GcMarkTermination(uint64_t next_heap_goal);
  // debug.SetMemoryLimit: the limit, and gcControllerCommit's pacing.
  void SetMemoryLimit(int64_t limit);
  // enableMetadataHugePages.
  void EnableMetadataHugePages();
  // What the background scavenger runs against this heap (its scavenge,
  // shouldStop and gomaxprocs).
  ScavengerHooks BackgroundScavengerHooks();

  // The page reclaimer's side of the sweeper (mheap_reclaim.cc).
  //
  // The sweeper Alloc's reclaim sweeps through (nullptr: none, no reclaim).
  void set_reclaim_sweeper(ReclaimSweeper* s) { reclaim_sweeper_ = s; }
  // gcSweep's part under the heap lock: sweepArenas becomes a snapshot of
  // allArenas, reclaimIndex and reclaimCredit go to 0.
  void ResetReclaimer();
  // sweepone's reclaimCredit.Add: pages a sweep returned to the heap.
  void AddReclaimCredit(uintptr_t npages) { reclaim_credit_ += npages; }
  // greyobject's pageMarks update: s (an in-use heap span) has a live
  // object this cycle.
  void SetPageMark(const MSpan& s);
  // gcResetMarkState's clearing of every arena's pageMarks.
  void ClearPageMarks();
  uint64_t reclaim_index() const { return reclaim_index_; }
  uintptr_t reclaim_credit() const { return reclaim_credit_; }
  // len(sweepArenas): allArenas only grows, so its snapshot is a prefix.
  size_t sweep_arenas() const { return sweep_arenas_; }
  // The pageInUse and pageMarks bits of the page at addr (false outside
  // the arenas).
  bool PageInUse(uintptr_t addr) const;
  bool PageMarked(uintptr_t addr) const;

  // The P now running (procresize's range), or -1 for none.
  void set_current_p(int p);
  int current_p() const { return current_p_; }
  // pcache.flush of P p (procresize destroying a P, or an idle P at mark
  // termination).
  void FlushPageCache(int p);
  // A workload's first writes to memory the heap hands out (see the Go 1.5
  // heap's hook of the same name); decisions never depend on it.
  void set_on_span_handout(std::function<void(const MSpan&)> f) { on_handout_ = std::move(f); }

  // spanOf for a page in an in-use span; nullptr otherwise.
  MSpan* SpanOf(uintptr_t addr) const;

  // pagesInUse: pages of in-use heap spans (gcPaceSweeper reads it).
  uintptr_t pages_in_use() const { return pages_in_use_; }
  const HeapStats& stats() const { return stats_; }
  const PacerState& pacer() const { return pacer_; }
  const ScavengeGoals& scavenge_goals() const { return goals_; }
  PageAlloc& pages() { return pages_; }
  const PageAlloc& pages() const { return pages_; }
  MemLinux& mem() { return mem_; }
  const HeapLock& lock() const { return lock_; }
  // curArena.
  uintptr_t cur_arena_base() const { return cur_arena_base_; }
  uintptr_t cur_arena_end() const { return cur_arena_end_; }
  const std::vector<ArenaHint>& arena_hints() const { return hints_; }
  const std::vector<uintptr_t>& all_arenas() const { return all_arenas_; }
  const HeapArena* arena(uintptr_t idx) const;
  uintptr_t arena_l2_addr() const { return arena_l2_; }
  bool arenas_huge_pages() const { return arenas_huge_pages_; }
  // Bytes released by allocation-time scavenging (what Go adds to
  // pages.scav.releasedEager; scavtrace's reset of it is not modelled).
  uint64_t released_eager_total() const { return released_eager_total_; }
  // Allocations whose scavenging released something.
  int64_t eager_scavenges() const { return eager_scavenges_; }
  const PageCache& page_cache(int p) const { return ps_[p].pcache; }
  // GOMAXPROCS: the Ps whose page caches there are.
  int nprocs() const { return static_cast<int>(ps_.size()); }
  // Bytes of metadata in the Ready state the heap mapped (chunk blocks,
  // heapArena structs, summaries and index pages).
  uint64_t metadata_ready() const;

  // Recomputes the page allocator's summaries, the scavenge index's counts,
  // the span table, the page caches and every heap statistic from the
  // bitmaps and spans, and compares them with what is cached; a mismatch is
  // fatal with a named message (the 1.21 counterpart of the Go 1.5 heap's
  // CheckInvariants). Call with the heap lock free.
  void CheckInvariants() const;

 private:
  struct PState {
    PageCache pcache;
    std::vector<MSpan*> mspancache;  // at most 128
  };

  // reclaim: sweeps until npage pages are back in the heap or every chunk
  // of the snapshot was walked. Call without the heap lock.
  void Reclaim(uintptr_t npage);
  // reclaimChunk: sweeps the unmarked in-use spans starting in pages
  // [page_idx, page_idx + n) of the sweep's arenas; returns the pages
  // freed. Call with the heap lock held; it is dropped around each sweep.
  uintptr_t ReclaimChunk(uint64_t page_idx, uintptr_t n);
  MSpan* AllocSpan(uintptr_t npages, SpanAllocType typ, uint8_t spanclass);
  void InitSpan(MSpan* s, SpanAllocType typ, uint8_t spanclass, uintptr_t base, uintptr_t npages);
  bool AllocNeedsZero(uintptr_t base, uintptr_t npages);
  void SetSpans(uintptr_t base, uintptr_t npages, MSpan* s);
  MSpan* TryAllocMSpan();
  MSpan* AllocMSpanLocked();
  void FreeMSpanLocked(MSpan* s);
  void FreeSpanLocked(MSpan* s, SpanAllocType typ);
  // grow: returns the bytes grown, or false.
  bool Grow(uintptr_t npage, uintptr_t* growth);
  // sysAlloc: a new arena region of at least n bytes; returns its base
  // and size, or 0.
  uintptr_t SysAlloc(uintptr_t n, uintptr_t* size);
  uintptr_t SysReserveAligned(uintptr_t v, uintptr_t size, uintptr_t align, uintptr_t* got);
  void PaceScavenger();

  // PageAllocEnv.
  bool ArenaRegistered(uintptr_t addr) const override;
  void Scavenged(uintptr_t nbytes) override;

  MemLinux& mem_;
  const Clock& clock_;
  HeapLock lock_;
  HeapStats stats_;
  PageAlloc pages_;
  PacerState pacer_;
  ScavengeGoals goals_;  // the `scavenge` globals, zero until the first commit
  std::vector<ArenaHint> hints_;  // front = head of mheap_.arenaHints
  uintptr_t arena_l2_ = 0;        // arenas[0]
  bool arenas_huge_pages_ = false;
  std::map<uintptr_t, std::unique_ptr<HeapArena>> arenas_;
  std::vector<uintptr_t> all_arenas_;
  std::vector<AddressRange> arena_reservations_;
  uintptr_t cur_arena_base_ = 0, cur_arena_end_ = 0;
  uint64_t arena_meta_bytes_ = 0;
  std::vector<PState> ps_;
  int current_p_ = 0;
  std::deque<MSpan> span_structs_;
  std::vector<MSpan*> free_spans_;  // spanalloc's free list
  uintptr_t pages_in_use_ = 0;      // pagesInUse
  uint64_t released_eager_total_ = 0;
  int64_t eager_scavenges_ = 0;
  std::function<void(const MSpan&)> on_handout_;
  // The page reclaimer's state.
  ReclaimSweeper* reclaim_sweeper_ = nullptr;
  uint64_t reclaim_index_ = 0;   // reclaimIndex: next page of the snapshot
  uintptr_t reclaim_credit_ = 0;  // reclaimCredit: pages swept beyond a need
  size_t sweep_arenas_ = 0;       // sweepArenas, as a prefix of all_arenas_
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MHEAP_H_
