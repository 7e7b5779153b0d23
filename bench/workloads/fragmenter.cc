#include "bench/workloads/fragmenter.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"

namespace thp {
namespace {

TraceEvent Event(TraceEvent::Kind kind) {
  TraceEvent e{};
  e.kind = kind;
  return e;
}

// Object sizes and their weights (out of 16): mostly one-page small objects.
constexpr std::pair<uint64_t, int> kSizes[] = {
    {8 << 10, 14},  // size class 8192: one object per 8 KiB span
    {40 << 10, 1},  // large object: a 5-page span of its own
    {72 << 10, 1},  // large object: a 9-page span of its own
};

uint64_t PickSize(std::mt19937_64& rng) {
  int roll = static_cast<int>(rng() % 16);
  for (const auto& [size, weight] : kSizes) {
    if (roll < weight) return size;
    roll -= weight;
  }
  return kSizes[0].first;
}

}  // namespace

std::vector<TraceEvent> FragmenterTrace(const FragmenterOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::vector<TraceEvent> events;
  std::vector<uint64_t> survivors;
  uint64_t next_id = 1;
  for (int r = 0; r < o.rounds; ++r) {
    TraceEvent label = Event(TraceEvent::kBench);
    label.name = absl::StrCat("fragmenter/round-", r);
    label.id = 1;
    events.push_back(label);

    const bool quiet = o.grow_rounds > 0 && (r + 1) % (o.grow_rounds + 1) == 0;
    const int die = quiet ? o.shrink_percent : o.die_percent;
    std::vector<uint64_t> kept;
    kept.reserve(survivors.size());
    for (uint64_t id : survivors) {
      if (static_cast<int>(rng() % 100) < die) {
        TraceEvent d = Event(TraceEvent::kDrop);
        d.id = id;
        events.push_back(d);
      } else {
        kept.push_back(id);
      }
    }
    survivors = std::move(kept);

    const uint64_t buffer_id = next_id++;
    if (!quiet && o.buffer_bytes > 0) {
      TraceEvent b = Event(TraceEvent::kAlloc);
      b.id = buffer_id;
      b.bytes = o.buffer_bytes + static_cast<uint64_t>(r) * o.buffer_step_bytes;
      b.noscan = true;
      events.push_back(b);
    }
    uint64_t asked = quiet ? o.burst_bytes : 0;
    for (int64_t i = 0; asked < o.burst_bytes; ++i) {
      TraceEvent a = Event(TraceEvent::kAlloc);
      a.id = next_id++;
      a.bytes = PickSize(rng);
      a.noscan = true;
      a.p = static_cast<int>(i % o.gomaxprocs);
      events.push_back(a);
      asked += a.bytes;
      if (i % o.keep_every == 0) {
        survivors.push_back(a.id);
      } else {
        TraceEvent d = Event(TraceEvent::kDrop);
        d.id = a.id;
        events.push_back(d);
      }
    }
    if (!quiet && o.buffer_bytes > 0) {
      TraceEvent d = Event(TraceEvent::kDrop);
      d.id = buffer_id;
      events.push_back(d);
    }
    TraceEvent c = Event(TraceEvent::kCompute);
    c.ns = o.round_ns;
    events.push_back(c);
  }
  return events;
}

}  // namespace thp
