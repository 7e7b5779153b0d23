#include "bench/workloads/issue63334.h"

#include "absl/strings/str_cat.h"

namespace thp {
namespace {

constexpr uint64_t kChunkObjects = 512 / 8;
constexpr int64_t kWorkNs = 100000;                  // 100 us of mutator work ...
constexpr int kWorkEveryRounds = 8;                  // ... every 8 rounds of the Ps
constexpr int64_t kSettleNs = 50 * 1000 * 1000;      // idle before the second GC
constexpr int64_t kScavengeNs = int64_t{2000} * 1000 * 1000;  // for the background scavenger

TraceEvent Event(TraceEvent::Kind kind) {
  TraceEvent e{};
  e.kind = kind;
  return e;
}

TraceEvent Alloc(uint64_t id, int p) { return AllocEvent(id, kBurstObjectBytes, /*noscan=*/true, p); }

TraceEvent Time(TraceEvent::Kind kind, int64_t ns) {
  TraceEvent e = Event(kind);
  e.ns = ns;
  return e;
}

}  // namespace

int64_t BurstMemoryLimitBytes(const BurstRefillOptions& o) {
  return static_cast<int64_t>(static_cast<uint64_t>(o.chunks) * kChunkObjects *
                              kBurstObjectBytes) +
         (int64_t{1} << 20);
}

std::vector<WorkloadPhase> BurstRefillWorkload(const BurstRefillOptions& o) {
  const int ps = o.ps < 1 ? 1 : o.ps;
  const size_t slots = static_cast<size_t>(o.chunks) * kChunkObjects;
  std::vector<uint64_t> ids(slots);
  uint64_t next_id = 1;
  std::vector<WorkloadPhase> phases;

  // Allocates the objects of `which` slots in P rounds (the i-th on P i mod ps).
  auto burst = [&](const std::vector<size_t>& which) {
    std::vector<TraceEvent> out;
    for (size_t i = 0; i < which.size(); ++i) {
      ids[which[i]] = next_id;
      out.push_back(Alloc(next_id++, static_cast<int>(i % static_cast<size_t>(ps))));
      const size_t round_size = static_cast<size_t>(ps) * kWorkEveryRounds;
      if (i % round_size == round_size - 1) out.push_back(Time(TraceEvent::kCompute, kWorkNs));
    }
    return out;
  };

  std::vector<size_t> all(slots);
  for (size_t i = 0; i < slots; ++i) all[i] = i;
  phases.push_back(WorkloadPhase{"grow", burst(all)});

  for (int c = 1; c <= o.cycles; ++c) {
    std::vector<TraceEvent> drain;
    std::vector<size_t> dropped;
    for (size_t slot = 0; slot < slots; ++slot) {
      if ((slot + static_cast<size_t>(c)) % 4 == 0) continue;  // one in four stays
      drain.push_back(DropEvent(ids[slot]));
      dropped.push_back(slot);
    }
    drain.push_back(Event(TraceEvent::kGc));
    phases.push_back(WorkloadPhase{absl::StrCat("drain", c), std::move(drain)});
    phases.push_back(WorkloadPhase{
        absl::StrCat("idle", c),
        {Time(TraceEvent::kSleep, kSettleNs), Event(TraceEvent::kGc),
         Time(TraceEvent::kSleep, kScavengeNs)}});
    phases.push_back(WorkloadPhase{absl::StrCat("refill", c), burst(dropped)});
  }
  phases.push_back(WorkloadPhase{"end", {Time(TraceEvent::kSleep, kSettleNs)}});
  return phases;
}

}  // namespace thp
