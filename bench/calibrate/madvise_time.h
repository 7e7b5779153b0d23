// How long Go 1.5.1's madvise calls took in a heap-event log
// (tools/go151/FORMAT.md), by advice. The recording patch writes a
// `madvise` record once the call has returned, and every madvise of the
// heap runs under the heap lock right after its `sys_unused` (scavengelist)
// or `sys_used` (mHeap_AllocSpanLocked) record or the madvise before it; so
// a call's time is its record's time minus that of the record before it in
// that chain (the recording's own cost included); a madvise after any other
// record is not timed. In the prefix build a
// release is MADV_NOHUGEPAGE then MADV_DONTNEED, a reuse MADV_HUGEPAGE. It
// mirrors no Go code: it reads what the real run spent in the kernel, which
// the modelled run (the simulated kernel takes no time) does not have.
#ifndef THP_BENCH_CALIBRATE_MADVISE_TIME_H_
#define THP_BENCH_CALIBRATE_MADVISE_TIME_H_

#include <cstdint>
#include <map>
#include <vector>

#include "mheap/go15/events/heap_event.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {
namespace calibrate {

struct MadviseTimes {
  uint64_t calls = 0;
  int64_t median_ns = 0;
  int64_t max_ns = 0;
  int64_t total_ns = 0;
};

class MadviseTimer {
 public:
  // Reads one record, in log order.
  void Observe(const heaplog::HeapEvent& e);
  // Of the calls with `advice` seen so far.
  MadviseTimes Times(Advice advice) const;
  // Takes in the calls `other` timed (another segment's).
  void Merge(const MadviseTimer& other);

 private:
  // When the chain's last record was written (-1: no chain open).
  int64_t last_ns_ = -1;
  // Linux's advice number (the log's) -> each call's time.
  std::map<uint64_t, std::vector<int64_t>> ns_;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_MADVISE_TIME_H_
