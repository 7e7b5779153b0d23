#include "bench/workloads/issue8832.h"

namespace thp {
namespace {

constexpr int64_t kSpawnBatch = 100;  // goroutine starts per busy-time report

TraceEvent Event(TraceEvent::Kind kind) {
  TraceEvent e{};
  e.kind = kind;
  return e;
}

}  // namespace

std::vector<TraceEvent> Issue8832Program(const Issue8832Options& o) {
  std::vector<TraceEvent> out;
  out.reserve(static_cast<size_t>(3 * o.goroutines + o.goroutines / kSpawnBatch + 8));
  // main: go f() for each goroutine. newproc allocates the G (malg) and its
  // stack on the current P.
  for (int64_t i = 0; i < o.goroutines; ++i) {
    TraceEvent g = Event(TraceEvent::kAlloc);
    g.id = static_cast<uint64_t>(i);
    g.bytes = o.g_bytes;
    g.noscan = false;
    out.push_back(g);
    TraceEvent s = Event(TraceEvent::kStack);
    s.id = static_cast<uint64_t>(i);
    s.bytes = o.stack_bytes;
    out.push_back(s);
    if ((i + 1) % kSpawnBatch == 0 || i + 1 == o.goroutines) {
      TraceEvent busy = Event(TraceEvent::kCompute);
      busy.ns = o.spawn_ns * ((i % kSpawnBatch) + 1);
      out.push_back(busy);
    }
  }
  // Every goroutine blocks; main waits.
  TraceEvent blocked = Event(TraceEvent::kSleep);
  blocked.ns = o.blocked_ns;
  out.push_back(blocked);
  // They end: their stacks go with the next GC, their Gs stay (issue 9869).
  for (int64_t i = 0; i < o.goroutines; ++i) {
    TraceEvent u = Event(TraceEvent::kUnstack);
    u.id = static_cast<uint64_t>(i);
    out.push_back(u);
  }
  out.push_back(Event(TraceEvent::kGc));
  // main blocks forever; sysmon forces GCs and scavenges.
  TraceEvent idle = Event(TraceEvent::kSleep);
  idle.ns = o.idle_ns;
  out.push_back(idle);
  return out;
}

}  // namespace thp
