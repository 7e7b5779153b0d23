#include "bench/pessimal/pessimal_go121.h"

#include <cerrno>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "mheap/go121/mheap.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/clock.h"

namespace thp {
namespace {

using ErrorCounts = decltype(MadviseCounters::errors);

bool IsRefusal(int err) { return err == EAGAIN || err == ENOMEM; }

int64_t Refusals(const ErrorCounts& errors) {
  int64_t n = 0;
  for (const auto& [key, count] : errors) {
    if (IsRefusal(key.second)) n += count;
  }
  return n;
}

int LastRefusal(const ErrorCounts& before, const ErrorCounts& after) {
  for (const auto& [key, count] : after) {
    auto it = before.find(key);
    const int64_t was = it == before.end() ? 0 : it->second;
    if (count > was && IsRefusal(key.second)) return key.second;
  }
  return 0;
}

// A large-object span class (size class 0, noscan): what the unit's spans
// are to the heap does not matter to it.
constexpr uint8_t kLargeNoscan = 1;

}  // namespace

Go121PessimalUnit Go121PessimalUnitFor(const HugePagePolicy& policy) {
  const uintptr_t g = policy.FlagGranularity();
  if (g == kPageSize) return {2, 1, 2};
  // One chunk: 477 + 18 = 495 pages in use, under scavChunkHiOccPages.
  if (g == kHugePageSize) return {477, 17, 18};
  // Two chunks: the first dense, the second with 495 pages in use.
  return {989, 17, 18};
}

PessimalResult RunPessimalGo121(go121::MemLinux& mem, uint64_t max_heap,
                                const PessimalProgress& progress, const PessimalFatal& on_fatal) {
  const Go121PessimalUnit u = Go121PessimalUnitFor(mem.policy());
  PessimalResult r;
  r.unit = u.pages() * kPageSize;
  // A throw (the growth's mmap, or the heap's first reservations, refused
  // at the limit) ends the process as Go's would; the result comes first.
  ScopedThrowHook hook([&](absl::string_view message) {
    if (absl::StartsWith(message, "check failed")) return;  // a bug, not the limit
    r.hit_limit = true;
    r.err = ENOMEM;
    r.reserve_failed = r.heap_bytes == 0;
    r.vmas = mem.kernel().MapCount();
    if (on_fatal) on_fatal(r);
  });
  VirtualClock clock;
  go121::MHeap heap(mem, clock, /*nprocs=*/1);
  // No P: allocSpan's pp == nil path (no page cache, no allocation-time
  // scavenging), so the driver's scavenge calls are the only ones.
  heap.set_current_p(-1);
  const uint64_t report_every = max_heap / 20 > r.unit ? max_heap / 20 : r.unit;
  auto alloc = [&](uintptr_t npages) {
    go121::MSpan* s = heap.Alloc(npages, kLargeNoscan);
    // mallocgc's large-object path throws when the heap cannot grow.
    if (s == nullptr) Throw("out of memory");
    return s;
  };

  for (uint64_t k = 0; (k + 1) * r.unit <= max_heap; ++k) {
    // Only the error counts: the latency histograms need not be copied.
    const ErrorCounts before = mem.counters().errors;
    const int64_t refusals = Refusals(before);
    go121::MSpan* t = alloc(u.a + u.h);
    alloc(u.s);
    const uintptr_t base = t->base();
    heap.FreeSpan(t);
    go121::MSpan* a = alloc(u.a);
    THP_CHECK(a->base() == base, "first fit did not put the unit's span at the freed span's base");
    // A GC cycle ends (GOGC=100, everything live): gcMarkTermination's
    // nextGen raises the background scavenger's search address to the
    // highest free (scavengeIndex.nextGen), and only then does the background
    // scavenger see the hole: its call (bgscavenge: scavenge(n, shouldStop,
    // false)), asking for just the hole.
    heap.GcMarkTermination(2 * heap.stats().heap_in_use);
    const uintptr_t released = heap.pages().Scavenge(u.h * kPageSize, nullptr, /*force=*/false);
    THP_CHECK(released == u.h * kPageSize, "the scavenger did not release the unit's hole");
    r.heap_bytes = (k + 1) * r.unit;
    if (Refusals(mem.counters().errors) > refusals) {
      r.hit_limit = true;
      r.err = LastRefusal(before, mem.counters().errors);
      break;
    }
    if (progress && r.heap_bytes / report_every != (r.heap_bytes - r.unit) / report_every) {
      progress(r.heap_bytes);
    }
  }
  // Once more with the heap still there (its end unmaps it).
  if (progress) progress(r.heap_bytes);
  r.arena_start = heap.all_arenas().empty() ? 0 : go121::ArenaBase(heap.all_arenas().front());
  r.vmas = mem.kernel().MapCount();
  return r;
}

}  // namespace thp
