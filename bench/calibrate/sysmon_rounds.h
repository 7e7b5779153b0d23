// How long Go 1.5.1's sysmon took, beyond its 10 ms sleep, from one
// round's scavenge pass to the next (issue 13: the model's sysmon wakes a
// fixed overshoot after each sleep, scavenger/sysmon.h).
//
// With GODEBUG=scavenge=1 a program that keeps a P running holds sysmon's
// sleep at its 10 ms cap, and every round scavenges (go1.5.1 proc1.go
// sysmon: lastscavenge + scavengelimit/2 < now). Each `scavenge` record of
// a heap-event log (tools/go151/FORMAT.md) carries its round's `now`, so
// the gap between two consecutive passes' `now` is one round: the sleep,
// its overshoot, and the round's own work. SysmonRoundFinder takes the
// gaps of 10 to 20 ms (one sleep at the cap; shorter sleeps and the note
// sleep of an idle program give others) and returns what each took beyond
// 10 ms. FreeOSMemory's passes (k < 0) are not sysmon's and are skipped.
// It also says whether the round began during a cycle's concurrent phase
// (between a gc_start and its gc_mark_term), where a stop of the world may
// be waiting for the program (sysmon_round_kinds.h). It mirrors no Go
// code; it reads only records.
#ifndef THP_BENCH_CALIBRATE_SYSMON_ROUNDS_H_
#define THP_BENCH_CALIBRATE_SYSMON_ROUNDS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

// One round: what it took beyond 10 ms, and whether its first pass came
// between a gc_start and that cycle's gc_mark_term.
struct SysmonRound {
  int64_t overshoot_ns = 0;
  bool in_cycle = false;
};

class SysmonRoundFinder {
 public:
  // Reads one record, in log order: the round ending at a sysmon pass 10
  // to 20 ms after the previous one, nothing otherwise.
  std::optional<SysmonRound> Observe(const heaplog::HeapEvent& e);

 private:
  std::optional<uint64_t> prev_now_;
  bool in_cycle_ = false;       // after a gc_start, before its gc_mark_term
  bool prev_in_cycle_ = false;  // in_cycle_ at the previous pass
};

// A set of those overshoots, summarized (nearest-rank quantiles; all 0
// when empty).
struct SysmonRounds {
  uint64_t rounds = 0;
  int64_t median_ns = 0;
  int64_t p90_ns = 0;
  int64_t mean_ns = 0;
};
SysmonRounds SummarizeRounds(std::vector<int64_t> overshoots_ns);

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_SYSMON_ROUNDS_H_
