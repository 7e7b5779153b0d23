#include "bench/calibrate/sysmon_round_kinds.h"

#include "bench/workloads/run_program.h"
#include "bench/workloads/trace_format.h"

namespace thp {
namespace calibrate {

SysmonRoundKinds::SysmonRoundKinds(const Go15Benchmark& b) : loop_(b.loop) {
  RunBuilder builder(RunContext{1, 2});
  b.generate(builder);
  const RunProgram prog = builder.Build(b.name, 1000.0);
  for (const TraceEvent& e : prog.body) {
    if (e.kind == TraceEvent::kSleep || e.kind == TraceEvent::kGc) loop_sleeps_or_gcs_ = true;
  }
}

SysmonRoundKind SysmonRoundKinds::Of(const SysmonRound& r) const {
  if (loop_ == kEveryPBusy) return SysmonRoundKind::kEveryPBusy;
  if (loop_sleeps_or_gcs_ || (loop_ == kNoSafePoint && r.in_cycle)) {
    return SysmonRoundKind::kNoteSleeps;
  }
  return SysmonRoundKind::kCapped;
}

void OvershootsByKind::Add(SysmonRoundKind kind, int64_t overshoot_ns) {
  switch (kind) {
    case SysmonRoundKind::kCapped: capped.push_back(overshoot_ns); break;
    case SysmonRoundKind::kEveryPBusy: every_p_busy.push_back(overshoot_ns); break;
    case SysmonRoundKind::kNoteSleeps: note_sleeps.push_back(overshoot_ns); break;
  }
}

}  // namespace calibrate
}  // namespace thp
