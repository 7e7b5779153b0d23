#include "bench/workloads/go15_runq.h"

#include <algorithm>

namespace thp {

Go15RunQueues::Go15RunQueues(int gomaxprocs) : ps_(static_cast<size_t>(gomaxprocs)) {}

void Go15RunQueues::RunqPut(int p, G g, bool next) {
  P& pp = ps_[static_cast<size_t>(p)];
  if (next) {
    const G old = pp.runnext;
    pp.runnext = g;
    if (old == kNone) return;
    g = old;  // the displaced g goes to the ring's tail
  }
  if (pp.runq.size() < kRunqSize) {
    pp.runq.push_back(g);
    return;
  }
  // runqputslow: the older half of the full ring, then g, onto the global
  // queue's tail in that order.
  for (size_t i = 0; i < kRunqSize / 2; ++i) {
    global_.push_back(pp.runq.front());
    pp.runq.pop_front();
  }
  global_.push_back(g);
  if (on_put_) on_put_(static_cast<int64_t>(kRunqSize / 2 + 1));
}

Go15RunQueues::G Go15RunQueues::RunqGet(int p, bool* inherit_time) {
  P& pp = ps_[static_cast<size_t>(p)];
  if (pp.runnext != kNone) {
    const G g = pp.runnext;
    pp.runnext = kNone;
    *inherit_time = true;
    return g;
  }
  *inherit_time = false;
  if (pp.runq.empty()) return kNone;
  const G g = pp.runq.front();
  pp.runq.pop_front();
  return g;
}

Go15RunQueues::G Go15RunQueues::GlobRunqGet(int p, int max) {
  if (global_.empty()) return kNone;
  const size_t size = global_.size();
  size_t n = size / ps_.size() + 1;
  n = std::min(n, size);
  if (max > 0) n = std::min(n, static_cast<size_t>(max));
  n = std::min(n, kRunqSize / 2);
  const G g = global_.front();
  global_.pop_front();
  for (size_t i = 1; i < n; ++i) {
    RunqPut(p, global_.front(), /*next=*/false);
    global_.pop_front();
  }
  return g;
}

Go15RunQueues::G Go15RunQueues::RunqSteal(int p, int victim) {
  P& v = ps_[static_cast<size_t>(victim)];
  const size_t n = v.runq.size() - v.runq.size() / 2;  // runqgrab: half, rounded up
  if (n == 0) return kNone;
  P& pp = ps_[static_cast<size_t>(p)];
  for (size_t i = 0; i < n; ++i) {
    pp.runq.push_back(v.runq.front());
    v.runq.pop_front();
  }
  // The newest stolen g runs; the others stay on the thief's ring.
  const G g = pp.runq.back();
  pp.runq.pop_back();
  return g;
}

Go15RunQueues::G Go15RunQueues::LookAtGlobal(int p, int max) {
  const size_t before = global_.size();
  const G g = GlobRunqGet(p, max);
  if (on_get_) on_get_(p, static_cast<int64_t>(before - global_.size()));
  return g;
}

bool Go15RunQueues::Empty(int p) const {
  const P& pp = ps_[static_cast<size_t>(p)];
  return pp.runnext == kNone && pp.runq.empty();
}

Go15RunQueues::G Go15RunQueues::Schedule(int p) {
  P& pp = ps_[static_cast<size_t>(p)];
  G g = kNone;
  bool inherit_time = false;
  // schedule: the global queue once in a while, for fairness.
  if (pp.schedtick % 61 == 0) g = LookAtGlobal(p, 1);
  if (g == kNone) g = RunqGet(p, &inherit_time);
  if (g == kNone) {
    // findrunnable: the local queue (empty here), the global queue, then
    // the other Ps' rings.
    g = LookAtGlobal(p, 0);
    const int n = gomaxprocs();
    for (int i = 1; g == kNone && i < n; ++i) g = RunqSteal(p, (p + i) % n);
  }
  if (g != kNone && !inherit_time) ++pp.schedtick;  // execute
  return g;
}

}  // namespace thp
