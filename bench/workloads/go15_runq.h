// The run queues of Go 1.5.1's scheduler (src/runtime/proc1.go), for a
// workload generator that must order goroutines as Go does: each P's
// runnext slot and its 256-entry FIFO ring, the global FIFO queue, and the
// choice schedule() makes among them.
//
// Ported decisions, in Go's order:
//  - runqput(p, g, next): with next, g takes runnext and the g it displaces
//    goes to the tail of the ring; a full ring sends its older half (128 gs)
//    and that g to the global queue's tail (runqputslow).
//  - runqget: runnext first (the g inherits the time slice), else the ring's
//    head.
//  - globrunqget(p, max): up to len/gomaxprocs + 1 gs from the global head
//    (at most max when max > 0, at most 128); the first is returned, the
//    rest go onto p's ring.
//  - runqsteal: the thief takes the older half (rounded up) of the victim's
//    ring onto its own and runs the newest of them.
//  - schedule: when p's schedtick is a multiple of 61 and the global queue
//    is not empty, one g from it; else runqget; else findrunnable (runqget,
//    globrunqget(p, 0), then a steal). execute counts a tick for every g
//    that does not inherit the slice.
// Left out: findrunnable's random victim (victims are tried in P order from
// p + 1) and its last-resort steal of a victim's runnext, which it makes
// only after usleep(100) and only when the victim's ring is empty; netpoll,
// GC workers and locked Ms, which no generator here has.
#ifndef THP_BENCH_WORKLOADS_GO15_RUNQ_H_
#define THP_BENCH_WORKLOADS_GO15_RUNQ_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace thp {

class Go15RunQueues {
 public:
  using G = int64_t;  // the generator's goroutine handle
  static constexpr G kNone = -1;
  static constexpr size_t kRunqSize = 256;  // len(p.runq)

  explicit Go15RunQueues(int gomaxprocs);

  // Told of every change to the global queue: `n` gs put on its tail
  // (runqputslow), and every time a P looks at it (schedule's 61st tick,
  // findrunnable), `n` (0 or more) taken from its head. Go's queue also
  // holds what the runtime readies there (forcegc.g, which makes a P that
  // finds this queue empty still take one), so a look that takes nothing
  // is reported too.
  void set_on_global_put(std::function<void(int64_t n)> f) { on_put_ = std::move(f); }
  void set_on_global_get(std::function<void(int p, int64_t n)> f) { on_get_ = std::move(f); }

  // Mirrors runqput.
  void RunqPut(int p, G g, bool next);
  // Mirrors runqget; *inherit_time says the g came from runnext.
  G RunqGet(int p, bool* inherit_time);
  // Mirrors globrunqget.
  G GlobRunqGet(int p, int max);
  // Mirrors runqsteal(p, victim, stealRunNextG = false).
  G RunqSteal(int p, int victim);
  // Mirrors schedule's choice and findrunnable's, then execute's schedtick
  // count: the g P p runs next, or kNone when it finds none (it goes idle).
  G Schedule(int p);
  // execute's schedtick count alone, for a g P p runs without inheriting a
  // time slice that came to it other than by Schedule: the benchmark
  // goroutine, running when a generator starts.
  void Execute(int p) { ++ps_[static_cast<size_t>(p)].schedtick; }

  bool Empty(int p) const;  // runqempty
  G runnext(int p) const { return ps_[static_cast<size_t>(p)].runnext; }
  const std::deque<G>& runq(int p) const { return ps_[static_cast<size_t>(p)].runq; }
  const std::deque<G>& global() const { return global_; }
  uint32_t schedtick(int p) const { return ps_[static_cast<size_t>(p)].schedtick; }
  int gomaxprocs() const { return static_cast<int>(ps_.size()); }

 private:
  struct P {
    G runnext = kNone;
    std::deque<G> runq;  // front() is the head
    uint32_t schedtick = 0;
  };
  // The look schedule() or findrunnable() takes at the global queue.
  G LookAtGlobal(int p, int max);

  std::vector<P> ps_;
  std::deque<G> global_;  // sched.runq, front() is the head
  std::function<void(int64_t)> on_put_;
  std::function<void(int, int64_t)> on_get_;
};

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_RUNQ_H_
