// Which spans a benchmark took are still in use when the benchmark after it
// ends: spans that something made during the benchmark, or put into a span
// it took, keeps past its own end. Both sides of bench/calibrate count them
// from the same heap-event records (tools/go151/FORMAT.md): `alloc` and
// `alloc_done` say which benchmark took the span at which page, and the
// frees of in-use spans (mHeap_Free and mHeap_FreeStack: `free` with why
// central, large or stack) end it. In Go 1.5.1's log such a span is where
// the layout of the next benchmarks is pinned: the runtime's own caches,
// the package variables a benchmark stores into, and testing's set-up of
// the next benchmark (bench/workloads/go15_bench_setup.h) keep them. It
// mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_OUTLIVING_SPANS_H_
#define THP_BENCH_CALIBRATE_OUTLIVING_SPANS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

class OutlivingSpans {
 public:
  // One record of segment `segment` (a benchmark's index in the run, or the
  // log's segment index); segments come in order, none skipped backwards.
  void Observe(size_t segment, const heaplog::EventBody& body);
  // Segment `segment` begins, whether or not records of it come.
  void Begin(size_t segment);
  // After the last record: for each segment i, the spans it took that were
  // still in use when segment i + 2 began (for the next-to-last segment:
  // when the records ended; the last one has no benchmark after it and
  // counts 0).
  std::vector<uint64_t> Finish();

 private:
  // Counts, as segment `starting` begins, the spans of segment starting - 2.
  void CountAt(size_t starting);

  bool awaiting_page_ = false;  // an alloc whose alloc_done has not come
  absl::flat_hash_map<uint64_t, size_t> taken_by_;  // in-use span's page -> its segment
  size_t current_ = 0;
  std::vector<uint64_t> outliving_;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_OUTLIVING_SPANS_H_
