// The Go 1.5 page heap (mheap.go, with malloc.go's mallocinit and
// mHeap_SysAlloc and mbitmap.go's mHeap_MapBits), linux/amd64.
//
// Given the same requests it makes the same decisions as Go 1.5 in the same
// order: exact-length free lists free[1..127] used last-in first-out, an
// address-ordered best fit over freelarge, growth in 64 KiB multiples of at
// least 1 MiB, sysUsed on the whole span before it is trimmed, coalescing
// that keeps the neighbours' released-page counts but restarts the idle
// clock. Address space is laid out as Go lays it out: a reservation at the
// first free hint of i<<40 | 0xc000000000, the span table from its start,
// the heap bitmap growing down from arena_start (0xc820000000 for the first
// hint) and the arena growing up, each mapped by sysMap at Go's granularity.
//
// Compromises: objects hold no data (addresses only); the heap is
// single-threaded, so the heap lock is implicit and "Locked" in a name means
// "called from within another heap operation"; the GC-side hooks of
// mHeap_Alloc_m (reclaim before allocating, mcache stat flushing, pacing
// revision) are the GC model's job and are not called from here.
#ifndef THP_MHEAP_GO15_MHEAP_H_
#define THP_MHEAP_GO15_MHEAP_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "mheap/go15/chunks.h"
#include "runtime_port/base/clock.h"
#include "mheap/go15/mspan.h"
#include "mheap/go15/mstats.h"
#include "mheap/go15/persistentalloc.h"
#include "runtime_port/base/units.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {

inline constexpr int kMaxMHeapList = 128;                     // 1 MiB / 8 KiB
inline constexpr uintptr_t kHeapAllocChunk = uintptr_t{1} << 20;
inline constexpr uintptr_t kArenaBytes = uintptr_t{512} << 30;  // _MaxMem + 1
inline constexpr uintptr_t kHeapBitmapScale = 32;             // arena bytes per bitmap byte
inline constexpr uintptr_t kBitmapChunk = 8192;
inline constexpr uintptr_t kMSpanStructBytes = 112;           // sizeof(mspan), Go 1.5 amd64
inline constexpr uintptr_t kMCacheStructBytes = 1208;         // sizeof(mcache), Go 1.5 amd64

struct HeapLayout {
  uintptr_t reservation = 0;  // where sysReserve succeeded
  uintptr_t spans = 0;        // the span table (h_spans), growing up
  uintptr_t bitmap = 0;       // the bitmap's top; it grows down to arena_start
  uintptr_t arena_start = 0;
  uintptr_t arena_used = 0;
  uintptr_t arena_end = 0;
  bool arena_reserved = false;
  uintptr_t spans_mapped = 0;   // bytes of the span table mapped
  uintptr_t bitmap_mapped = 0;  // bytes of the bitmap mapped
};

// What the heap asks of the GC model around span allocation (the GC-side
// work of mHeap_Alloc_m and mHeap_Free, Go 1.5).
class HeapAllocHooks {
 public:
  virtual ~HeapAllocHooks() = default;
  // Before Alloc takes npage pages: reclaim if sweeping is unfinished, and
  // move the current P's cached allocation stats into memstats.
  virtual void BeforeAlloc(PageCount npage) = 0;
  // Before Free: move the current P's cached stats into memstats.
  virtual void BeforeFree() = 0;
};

class SpanSweeper;

// Watches the heap's decisions where Go 1.5.1's recording patch logs them
// (tools/go151/FORMAT.md: grow, free, alloc_done), for the heap-event replay
// that compares them with Go's own log. Called synchronously, in the heap's
// order; an observer only reads and must not call back into the heap.
class MHeapObserver {
 public:
  virtual ~MHeapObserver() = default;
  // mHeap_Grow once it has its memory or has given up (v = 0): the request
  // rounded up to 64 KiB worth of pages, and the bytes last asked for.
  virtual void OnGrow(PageCount npage, uintptr_t ask, uintptr_t v) = 0;
  // mHeap_FreeSpanLocked after coalescing: the span as freed, the call's
  // accounting arguments, whether it was stamped with nanotime() (its
  // unusedsince argument was 0), and the free span `merged` it is now part of.
  virtual void OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle,
                          bool stamped, const MSpan& merged) = 0;
  // mHeap_AllocSpanLocked's return: the span (nullptr: none) and the free
  // span it was cut from as found, before sysUsed and the trim.
  virtual void OnAllocSpan(const MSpan* s, PageCount found_npages,
                           PageCount found_npreleased) = 0;
  // mHeap_AllocSpanLocked's entry (the log's `alloc` record): a request for
  // npage pages from mHeap_Alloc_m, after its reclaim (sizeclass > 0: an
  // mcentral's span; 0: a large object), or from mHeap_AllocStack (`stack`).
  // Optional: the replay does not compare requests, the calibration counts them.
  virtual void OnAllocRequest(PageCount /*npage*/, int /*sizeclass*/, bool /*stack*/) {}
  // Which of mHeap_Free (an mcentral's span, or with its acct argument a
  // large object's span the sweep gives back) and mHeap_FreeStack is about
  // to free a span: the next OnFreeSpan with acctinuse is that span's (the
  // recorded log's why=central, large or stack). Optional.
  enum class FreeCaller : uint8_t { kCentral, kLarge, kStack };
  virtual void OnFreeCaller(FreeCaller /*caller*/) {}
  // scavengelist is about to release a span of npages stamped later than the
  // pass's `now`, which the unsigned idle test lets through however young it
  // is (bench/calibrate/stale_release.h). Optional.
  virtual void OnStaleRelease(PageCount /*npages*/) {}
  // mHeap_Scavenge with the heap lock held, before its first release (the
  // log's `scavenge` record), and after its last (`scavenge_done`, the
  // bytes the pass released). Optional.
  virtual void OnScavenge(int32_t /*k*/, uint64_t /*now*/, uint64_t /*limit*/) {}
  virtual void OnScavengeDone(uintptr_t /*released*/) {}
};

class MHeap {
 public:
  // Mirrors mallocinit, Go 1.5 (64-bit): the reservation, mHeap_Init and the
  // first mcache (m0's, allocmcache).
  // `nprocs` is GOMAXPROCS (one persistentalloc chunk per P).
  MHeap(MemLinux& mem, const Clock& clock, int nprocs);
  MHeap(const MHeap&) = delete;
  MHeap& operator=(const MHeap&) = delete;

  // Mirrors mHeap_Alloc (without the GC-side work, see above): a span of
  // npage pages for garbage-collected memory; nullptr if the heap cannot grow.
  MSpan* Alloc(PageCount npage, int sizeclass, bool large, bool needzero);
  // Mirrors mHeap_AllocStack.
  MSpan* AllocStack(PageCount npage);
  // Mirrors mHeap_Free; `acct` counts the object in heap_objects.
  void Free(MSpan* s, bool acct);
  // Mirrors mHeap_FreeStack.
  void FreeStack(MSpan* s);
  // Mirrors mHeap_Scavenge's work (the trace lines are the scavenger's):
  // releases every free span idle longer than `limit` at `now`, smallest
  // lists first, as one scavenge pass of the memory layer
  // (MemLinux::BeginScavengePass/EndScavengePass). `k` is the caller's
  // pass number as Go passes it (sysmon's count; -1 from FreeOSMemory) and
  // only reaches the observer. Returns the bytes released.
  uintptr_t Scavenge(int32_t k, uint64_t now, uint64_t limit);

  // Mirrors mHeap_LookupMaybe: the in-use span holding addr, or nullptr.
  MSpan* LookupMaybe(uintptr_t addr) const;
  // Mirrors mHeap_Lookup: the span-table entry for addr, which the caller
  // guarantees is the first or last page of a span or inside an allocated one.
  MSpan* Lookup(uintptr_t addr) const { return SpanAt(PageId::ForAddr(addr)); }

  // Mirrors mHeap_Reclaim, Go 1.5: sweeps large-object spans from the busy
  // lists until npage pages were freed, then sweeps anything (`sweepone`,
  // which returns the pages it freed or ~0 when everything is swept).
  void Reclaim(PageCount npage, SpanSweeper& sweeper, const std::function<uintptr_t()>& sweepone);

  // Mirrors gcCopySpans, Go 1.5: snapshots allspans for the marker and the
  // sweeper (freeing the previous snapshot's array if allspans has moved
  // since) and returns the snapshot's length.
  size_t CopySpansForGC();
  // The span struct with the given allspans index (creation order).
  MSpan* AllSpan(size_t i) { return &span_structs_[i]; }

  void set_hooks(HeapAllocHooks* hooks) { hooks_ = hooks; }
  // At most one observer; nullptr (the default) for none.
  void set_observer(MHeapObserver* o) { observer_ = o; }
  // The mutator's first writes to memory the heap hands out: called with
  // every span Alloc or AllocStack returns, after any sysUsed. Workloads use
  // it to make the span's pages resident (a Go program writes what it
  // allocates); the heap's decisions do not depend on it.
  void set_on_span_handout(std::function<void(const MSpan&)> f) { on_span_handout_ = std::move(f); }

  // The Go 1.21 chunk bookkeeping, for the variants that track chunk
  // density (nullptr for the others); see chunks.h.
  ChunkTracker* chunks() { return chunks_.get(); }
  // A GC cycle ended (the chunk bookkeeping's generation advances).
  void NextGeneration() {
    if (chunks_ != nullptr) chunks_->NextGeneration();
  }

  // Mirrors allocmcache, Go 1.5: an mcache record from the cachealloc
  // fixalloc. mallocinit and procresize call it with no P, so its chunks come
  // from the global persistentalloc chunk.
  void AllocMCacheRecord() { cachealloc_.Alloc(/*p=*/-1); }

  // The span struct allocator charges this P's persistentalloc chunk.
  void set_current_p(int p) { current_p_ = p; }
  int current_p() const { return current_p_; }
  uint32_t sweepgen() const { return sweepgen_; }
  // The GC model advances the sweep generation by 2 per cycle.
  void AdvanceSweepgen() { sweepgen_ += 2; }

  MemStats& stats() { return stats_; }
  const MemStats& stats() const { return stats_; }
  const HeapLayout& layout() const { return layout_; }
  MemLinux& mem() { return mem_; }
  PersistentAlloc& persistent() { return palloc_; }
  const Clock& clock() const { return clock_; }

  // Every live (not dead) span in address order, for observers.
  std::vector<const MSpan*> SpansInAddressOrder() const;
  size_t FreeListLength(int npages) const;  // free[npages]; 0 reads freelarge
  // The spans of free[npages] (0: freelarge) in list order, first = next used.
  std::vector<const MSpan*> FreeListSpans(int npages) const;

  // Recomputes everything from the spans and compares it with the cached
  // counters and tables (style habit 6); a mismatch is fatal with a named
  // message. `deep` also checks every page of in-use spans in the table.
  void CheckInvariants(bool deep = true) const;

 private:
  MSpan* AllocSpanLocked(PageCount npage);
  void FreeSpanLocked(MSpan* s, bool acctinuse, bool acctidle, int64_t unusedsince);
  MSpan* AllocLarge(PageCount npage);
  bool Grow(PageCount npage);
  uintptr_t SysAllocArena(uintptr_t n);
  void MapBits(uintptr_t arena_used);
  void MapSpans(uintptr_t arena_used);
  uintptr_t ScavengeList(MSpanList& list, uint64_t now, uint64_t limit, bool force);
  uintptr_t ReclaimList(MSpanList& list, PageCount npages, SpanSweeper& sweeper);

  // The span table: index = page - arena_start page.
  MSpan*& SpanAt(PageId p) { return spans_[(p - arena_start_page_).raw()]; }
  MSpan* SpanAt(PageId p) const { return spans_[(p - arena_start_page_).raw()]; }
  size_t SpanSlots() const { return spans_.size(); }

  MSpan* NewSpanStruct();
  void FreeSpanStruct(MSpan* s);
  void RecordSpan();  // Go's recordspan: grows allspans through sysAlloc

  MemLinux& mem_;
  const Clock& clock_;
  MemStats stats_;
  PersistentAlloc palloc_;
  FixAlloc spanalloc_;
  FixAlloc cachealloc_;
  HeapLayout layout_;
  PageId arena_start_page_;
  std::vector<MSpan*> spans_;

  std::array<MSpanList, kMaxMHeapList> free_;
  MSpanList freelarge_;
  std::array<MSpanList, kMaxMHeapList> busy_;
  MSpanList busylarge_;
  uint32_t sweepgen_ = 0;
  int current_p_ = 0;

  std::deque<MSpan> span_structs_;   // stable storage of every span struct
  std::vector<MSpan*> free_structs_;  // dead structs, reused LIFO like fixalloc
  uint64_t next_serial_ = 0;
  // allspans bookkeeping (recordspan).
  uintptr_t allspans_addr_ = 0;
  uintptr_t allspans_len_ = 0;
  uintptr_t allspans_cap_ = 0;
  uintptr_t gcspans_addr_ = 0;
  uintptr_t work_spans_addr_ = 0;  // the sweeper's snapshot (work.spans)
  uintptr_t work_spans_len_ = 0;
  HeapAllocHooks* hooks_ = nullptr;
  MHeapObserver* observer_ = nullptr;
  std::function<void(const MSpan&)> on_span_handout_;
  std::unique_ptr<ChunkTracker> chunks_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_MHEAP_H_
