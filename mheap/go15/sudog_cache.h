// The runtime's cache of sudogs (the wait records a goroutine blocked on a
// channel, a select or a semaphore holds), as go1.5.1 keeps it: a per-P
// cache and a central one (proc.go acquireSudog, releaseSudog), the central
// one dropped at every GC cycle's start (mgc.go clearpools), the per-P ones
// never. So sudogs outlive the goroutines that used them: the per-P caches
// keep up to kSudogCacheCap each, reachable from their P, for whatever
// blocks next on that P, in whichever spans they were made.
//
// Mirrors (go1.5.1):
//   - acquireSudog: an empty per-P cache first takes from the central list
//     until it is half full or the list is empty; if still empty, new(sudog)
//     (under acquirem, so that mallocgc starts no GC cycle and makes no
//     assist). Then the cache's last entry is taken.
//   - releaseSudog: a full per-P cache first moves its upper half to the
//     central list (taking from its end, so the central list's head becomes
//     what was the cache's last entry), then the sudog goes on its end.
//   - clearpools: the central list is dropped (its sudogs become garbage).
// A cached sudog is reachable (the per-P cache from allp, the central list
// from sched), so it is a root of every mark until dropped. The sudogs
// themselves are addresses of 64-byte objects the heap allocated.
#ifndef THP_MHEAP_GO15_SUDOG_CACHE_H_
#define THP_MHEAP_GO15_SUDOG_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace thp {

// runtime.sudog on amd64, go1.5.1 (runtime2.go): g, selectdone, next,
// prev, elem, releasetime, nrelease (padded) and waitlink.
inline constexpr uintptr_t kSudogBytes = 64;
// p.sudogbuf's length: cap(p.sudogcache).
inline constexpr size_t kSudogCacheCap = 128;

class SudogCache {
 public:
  explicit SudogCache(int nprocs);

  // acquireSudog on P p: a cached sudog, or `new_sudog()` when neither
  // cache has one.
  uintptr_t Acquire(int p, const std::function<uintptr_t()>& new_sudog);
  // releaseSudog on P p.
  void Release(int p, uintptr_t s);
  // clearpools: the central list is let go.
  void DropCentral() { central_.clear(); }
  // Every cached sudog (per-P and central).
  void ForEachCached(const std::function<void(uintptr_t)>& mark) const;

  size_t cached(int p) const { return per_p_[static_cast<size_t>(p)].size(); }
  size_t central() const { return central_.size(); }

 private:
  std::vector<std::vector<uintptr_t>> per_p_;
  // sched.sudogcache, its head last (so that taking the head is a pop).
  std::vector<uintptr_t> central_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_SUDOG_CACHE_H_
