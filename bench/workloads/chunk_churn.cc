#include "bench/workloads/chunk_churn.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace thp {
namespace {

constexpr uint64_t kPage = 8192;
constexpr uint64_t kChunkPages = 512;
// Large objects (> 32 KiB go straight to the page heap): 5, 8, 9, 16, 25 pages.
constexpr uint64_t kLargePages[] = {5, 8, 9, 16, 25};
constexpr uint64_t kSmallBytes = 3072;        // size class 41: 2-page spans of 5
constexpr uint64_t kBufferPages = 768;        // 6 MiB: spans more than a chunk
constexpr int64_t kWorkNs = 100000;           // 100 us of mutator work ...
constexpr int kWorkEvery = 8;                 // ... every 8 large objects
constexpr int64_t kIdleNs = 60 * 1000 * 1000;  // 60 ms: several scavenger passes

TraceEvent Event(TraceEvent::Kind kind) {
  TraceEvent e{};
  e.kind = kind;
  return e;
}

class Builder {
 public:
  void Alloc(uint64_t id, uint64_t bytes, bool noscan, int p) {
    TraceEvent e = Event(TraceEvent::kAlloc);
    e.id = id;
    e.bytes = bytes;
    e.noscan = noscan;
    e.p = p;
    out_.push_back(e);
  }
  void Drop(uint64_t id) {
    TraceEvent e = Event(TraceEvent::kDrop);
    e.id = id;
    out_.push_back(e);
  }
  void Time(TraceEvent::Kind kind, int64_t ns) {
    TraceEvent e = Event(kind);
    e.ns = ns;
    out_.push_back(e);
  }
  void Gc() { out_.push_back(Event(TraceEvent::kGc)); }
  std::vector<TraceEvent> Take() { return std::move(out_); }

 private:
  std::vector<TraceEvent> out_;
};

}  // namespace

std::vector<WorkloadPhase> ChunkChurnWorkload(const ChunkChurnOptions& o) {
  std::vector<WorkloadPhase> phases;
  uint64_t next_id = 1;
  // slot -> the id of the large object living there now; sizes by slot.
  std::vector<uint64_t> large_ids;
  std::vector<uint64_t> large_pages;
  uint64_t buffer_id = 0;

  Builder b;
  const uint64_t target = static_cast<uint64_t>(o.chunks) * kChunkPages;
  uint64_t filled = 0;
  for (size_t slot = 0; filled < target; ++slot) {
    if (buffer_id == 0 && filled >= target / 2) {
      buffer_id = next_id++;
      b.Alloc(buffer_id, kBufferPages * kPage, /*noscan=*/true, 0);
    }
    const uint64_t pages = kLargePages[slot % 5];
    large_ids.push_back(next_id);
    large_pages.push_back(pages);
    b.Alloc(next_id++, pages * kPage, /*noscan=*/slot % 2 == 0, static_cast<int>(slot % 2));
    b.Alloc(next_id++, kSmallBytes, /*noscan=*/false, static_cast<int>(slot % 2));  // kept for good
    filled += pages;
    if (slot % kWorkEvery == kWorkEvery - 1) b.Time(TraceEvent::kCompute, kWorkNs);
  }
  phases.push_back(WorkloadPhase{"grow", b.Take()});

  for (int c = 1; c <= o.cycles; ++c) {
    std::vector<size_t> dropped;
    for (size_t slot = 0; slot < large_ids.size(); ++slot) {
      if ((slot + static_cast<size_t>(c)) % 4 == 0) continue;  // one in four stays
      b.Drop(large_ids[slot]);
      dropped.push_back(slot);
    }
    b.Drop(buffer_id);
    b.Gc();
    phases.push_back(WorkloadPhase{absl::StrCat("sparsify", c), b.Take()});

    b.Time(TraceEvent::kSleep, kIdleNs);
    phases.push_back(WorkloadPhase{absl::StrCat("idle", c), b.Take()});

    for (size_t i = 0; i < dropped.size(); ++i) {
      const size_t slot = dropped[i];
      if (i == dropped.size() / 2) {
        buffer_id = next_id++;
        b.Alloc(buffer_id, kBufferPages * kPage, /*noscan=*/true, 0);
      }
      large_ids[slot] = next_id;
      b.Alloc(next_id++, large_pages[slot] * kPage, /*noscan=*/slot % 2 == 0,
              static_cast<int>(slot % 2));
      if (i % kWorkEvery == kWorkEvery - 1) b.Time(TraceEvent::kCompute, kWorkNs);
    }
    phases.push_back(WorkloadPhase{absl::StrCat("refill", c), b.Take()});
  }

  b.Time(TraceEvent::kSleep, kIdleNs);
  phases.push_back(WorkloadPhase{"end", b.Take()});
  return phases;
}

}  // namespace thp
