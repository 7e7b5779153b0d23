#include "runtime_port/mem_linux/madvise_counters.h"

#include "absl/strings/str_cat.h"

namespace thp {

void MadviseCounters::Record(Advice advice, AdviceSite site, bool heap_locked, uintptr_t len,
                             int err, absl::Duration took) {
  const int i = static_cast<int>(advice);
  ++calls[i];
  ++calls_by_site[static_cast<int>(site)][i];
  bytes[i] += len;
  kernel_time[i] += took;
  latency[i].Record(took);
  if (heap_locked) {
    heap_locked_latency[i].Record(took);
    ++heap_locked_calls_by_site[static_cast<int>(site)][i];
  }
  if (err != 0) ++errors[{advice, err}];
  ++syscalls;
}

void MadviseCounters::RecordBatch(Advice advice, AdviceSite site, bool heap_locked,
                                  const std::vector<AddressRange>& ranges, const BatchResult& r,
                                  absl::Duration took) {
  const int i = static_cast<int>(advice);
  calls[i] += static_cast<int64_t>(ranges.size());
  calls_by_site[static_cast<int>(site)][i] += static_cast<int64_t>(ranges.size());
  latency[i].Record(took);
  if (heap_locked) {
    heap_locked_latency[i].Record(took);
    heap_locked_calls_by_site[static_cast<int>(site)][i] += static_cast<int64_t>(ranges.size());
  }
  for (const AddressRange& x : ranges) bytes[i] += x.hi - x.lo;
  kernel_time[i] += took;
  for (const RangeError& e : r.errors) ++errors[{advice, e.err}];
  syscalls += r.syscalls;
  if (r.refused == 0) {
    process_madvise_calls += r.syscalls;
  } else {
    ++batch_fallbacks;
  }
}

LatencyHistogram MadviseCounters::HeapLockedLatency() const {
  LatencyHistogram all;
  for (const LatencyHistogram& h : heap_locked_latency) all.Merge(h);
  return all;
}

int64_t MadviseCounters::TotalCalls() const {
  int64_t n = 0;
  for (int64_t c : calls) n += c;
  return n;
}

int64_t MadviseCounters::Errors(Advice a, int err) const {
  auto it = errors.find({a, err});
  return it == errors.end() ? 0 : it->second;
}

int64_t MadviseCounters::TotalErrors() const {
  int64_t n = 0;
  for (const auto& [key, count] : errors) n += count;
  return n;
}

absl::Duration MadviseCounters::TotalKernelTime() const {
  absl::Duration d;
  for (absl::Duration t : kernel_time) d += t;
  return d;
}

std::string MadviseCounters::Summary() const {
  std::string s;
  for (int i = 0; i < kNumAdvices; ++i) {
    if (calls[i] == 0) continue;
    absl::StrAppend(&s, s.empty() ? "" : " ", AdviceName(static_cast<Advice>(i)), "=", calls[i]);
  }
  if (s.empty()) s = "no madvise";
  if (process_madvise_calls > 0) absl::StrAppend(&s, " process_madvise=", process_madvise_calls);
  if (!errors.empty()) {
    absl::StrAppend(&s, " errors:");
    for (const auto& [key, count] : errors) {
      absl::StrAppend(&s, " ", AdviceName(key.first), "/", ErrnoName(key.second), "=", count);
    }
  }
  return s;
}

}  // namespace thp
