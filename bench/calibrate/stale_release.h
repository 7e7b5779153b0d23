// Releases of spans freed after the scavenge pass read its clock.
//
// go1.5.1's sysmon reads nanotime() at the top of its round (proc1.go
// sysmon: `now`), and only later calls mHeap_Scavenge(k, now, limit), which
// must first take the heap lock. scavengelist's idle test is unsigned
// (mheap.go: now-s.unusedsince > limit on uint64), so a span that
// mHeap_FreeSpanLocked stamped with nanotime() after sysmon's `now` (freed
// while sysmon waited for the lock or for a CPU) has a negative idle time
// that wraps to a huge one, and is released however young it is.
//
// StaleReleaseFinder picks those releases out of a heap-event log
// (tools/go151/FORMAT.md): it keeps each free span's unusedsince from the
// `free` records (record time minus unusedsince_age; coalescing keeps the
// freed span's stamp, and a trim passes the old span's on), forgets a span
// when an `alloc_done` takes it, and compares the stamp of the span a
// `sys_unused` releases with the pass's `now`. It mirrors no Go code; it
// reads only records. FreeOSMemory's pass (now = 2^64-1) never qualifies.
#ifndef THP_BENCH_CALIBRATE_STALE_RELEASE_H_
#define THP_BENCH_CALIBRATE_STALE_RELEASE_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

// How long sysmon's passes took from reading the clock to holding the heap
// lock (each `scavenge` record's time minus its `now`; FreeOSMemory's
// passes left out).
struct ScavengeWaits {
  uint64_t passes = 0;
  int64_t median_ns = 0;
  uint64_t over_100us = 0;
  int64_t max_ns = 0;
  // The passes that made at least one stale-now release; of them those
  // that waited over 100 us, and the stale-now releases those made: whether
  // the stale releases come from the usual few-microsecond waits or from
  // the rare long ones.
  uint64_t stale_passes = 0;
  uint64_t long_wait_stale_passes = 0;
  uint64_t long_wait_stale_releases = 0;
};

class StaleReleaseFinder {
 public:
  // Reads one record, in log order. True when it is a `sys_unused` of a
  // span stamped later than its pass's `now`.
  bool Observe(const heaplog::HeapEvent& e);
  // Of sysmon's passes seen so far.
  ScavengeWaits Waits() const;

 private:
  std::vector<int64_t> waits_;
  int64_t wait_ = 0;                 // the current pass's
  bool pass_counted_stale_ = false;  // the current pass is counted in stale_passes
  uint64_t stale_passes_ = 0;
  uint64_t long_wait_stale_passes_ = 0;
  uint64_t long_wait_stale_releases_ = 0;
  uint64_t arena_start_ = 0;
  uint64_t page_shift_ = 13;
  uint64_t now_ = 0;  // the current pass's `now`
  // First page of each free span -> its unusedsince (nanotime).
  absl::flat_hash_map<uint64_t, int64_t> stamp_;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_STALE_RELEASE_H_
