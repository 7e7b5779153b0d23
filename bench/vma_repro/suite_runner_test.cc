// ApplyRun: a streamed WholeRun body (never held) shows the runtime exactly
// what the held body shows it through ApplyLoop.
#include "bench/vma_repro/suite_runner.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

const Go15Benchmark& Find(const std::string& name) {
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (name == b.name) return b;
  }
  ADD_FAILURE() << name;
  return Go15RuntimeBenchmarks().front();
}

// Everything a driver reads after a run, as text, so that a difference
// names the field.
std::string Outcome(TraceReplayer& rep) {
  const ReplayStats st = rep.stats();
  const MemStats& m = rep.runtime().heap().stats();
  std::string out = absl::StrCat(
      "events=", st.events, " virtual_ns=", st.virtual_ns, " max_vmas=", st.max_vmas,
      " max_own=", st.max_own_vmas, " final_own=", st.final_own_vmas, " heap_sys=", m.heap_sys,
      " heap_inuse=", m.heap_inuse, " heap_released=", m.heap_released,
      " heap_objects=", m.heap_objects, " numgc=", m.numgc, " next_gc=", m.next_gc,
      " stacks_inuse=", m.stacks_inuse, " scavenges=", rep.sysmon().scavenges());
  for (int a = 0; a < kNumAdvices; ++a) {
    absl::StrAppend(&out, " ", AdviceName(static_cast<Advice>(a)), "=",
                    rep.runtime().mem().counters().Calls(static_cast<Advice>(a)));
  }
  for (const GcCycle& c : rep.runtime().gc().cycles()) absl::StrAppend(&out, " gc@", c.start_ns);
  for (const CensusPoint& p : rep.census().series()) {
    absl::StrAppend(&out, " ", p.t_ns, ":", p.own);
  }
  return out;
}

std::string RunMatmult(int64_t n, bool stream) {
  const Go15Benchmark& mm = Find("BenchmarkMatmult");
  SimulatedKernel sim;
  RuntimeOptions ro;
  ro.variant = "prefix";
  ro.touch_memory = true;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> rep =
      TraceReplayer::Create(sim, ro, /*scavenge_debug=*/true, nullptr);
  EXPECT_TRUE(rep.ok()) << rep.status();
  if (!rep.ok()) return "";
  class Discard final : public EventSink {
   public:
    void Put(const TraceEvent&) override {}
  };
  Discard discard;
  RunBuilder builder(RunContext{n, 2}, stream ? &discard : nullptr);
  mm.generate(builder);
  const RunProgram prog = builder.Build(mm.name, 600.0);
  EXPECT_EQ(prog.body_streamed, stream);
  const BodyStream body = [&](EventSink& sink) {
    RunBuilder again(RunContext{n, 2}, &sink);
    mm.generate(again);
  };
  absl::Status st = ApplyRun(**rep, prog, stream ? body : BodyStream(), false);
  EXPECT_TRUE(st.ok()) << st;
  (*rep)->runtime().heap().CheckInvariants();
  return Outcome(**rep);
}

TEST(SuiteRunner, AStreamedBodyRunsAsTheHeldOne) {
  // b.N = 10^6 starts 2236 goroutines; 8 * 10^6, 20 thousand, over several
  // GCs and scavenges.
  for (int64_t n : {1000000, 8000000}) {
    const std::string held = RunMatmult(n, false);
    const std::string streamed = RunMatmult(n, true);
    EXPECT_EQ(streamed, held) << "b.N=" << n;
    EXPECT_NE(held.find("numgc="), std::string::npos);
  }
}

// What ForEachRun hands the trace writer and the replayer is one program
// per b.N run, Matmult's body streamed; ForEachEvent writes its events in
// trace order with the body in place.
TEST(SuiteRunner, ForEachEventWritesAStreamedBodyBetweenLoopAndEnd) {
  const Go15Benchmark& mm = Find("BenchmarkMatmult");
  ScheduledBenchmark b{&mm, 600.0};
  std::vector<std::string> lines;
  int64_t n = 0;
  int runs = 0;
  ForEachRun(b, 2, 100000000, [&](const RunProgram& prog, const BodyStream& stream) {
    ++runs;
    if (!prog.body_streamed || n != 0) return;
    n = prog.n;
    ForEachEvent(prog, stream, false,
                 [&](const TraceEvent& e) { lines.push_back(FormatTraceEvent(e)); });
  });
  EXPECT_GT(runs, 1);
  ASSERT_GT(n, 0) << "no run of Matmult streamed its body";
  RunBuilder held(RunContext{n, 2});
  mm.generate(held);
  const RunProgram prog = held.Build(mm.name, 600.0);
  ASSERT_GT(prog.body.size(), 0u);
  std::vector<std::string> want = {absl::StrCat("bench BenchmarkMatmult ", n), "gc"};
  for (const TraceEvent& e : prog.setup) want.push_back(FormatTraceEvent(e));
  want.push_back(absl::StrCat("loop 1 ", prog.ns_per_iteration));
  for (const TraceEvent& e : prog.body) want.push_back(FormatTraceEvent(e));
  want.push_back("end");
  for (const TraceEvent& e : prog.teardown) want.push_back(FormatTraceEvent(e));
  EXPECT_EQ(lines, want);
}

}  // namespace
}  // namespace thp
