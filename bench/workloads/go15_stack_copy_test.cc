// BenchmarkStackCopy's recursion: its constants (mheap/go15/mgc.h
// kStackScanNsPerFrame, go15_suite.h kCopyStackNsPerFrame and
// kCountDescentNsPerFrame) measured again from Go 1.5.1's runs of it, as
// their comments say, and the op RunBuilder::OpGoroutineRecursion writes
// with them.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/go15_suite.h"
#include "bench/workloads/run_program.h"
#include "bench/workloads/trace_format.h"
#include "gtest/gtest.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/testing/stack_copy_runs.h"

namespace thp {
namespace {

constexpr int kRuns = 5;

std::vector<StackCopyCycle> AllCycles() {
  std::vector<StackCopyCycle> all;
  for (int i = 1; i <= kRuns; ++i) {
    const std::string base = absl::StrCat("testdata/go151_stackcopy/run", i);
    absl::StatusOr<std::vector<StackCopyCycle>> cycles =
        RecordedStackCopyCycles(base + ".gctrace.txt", base + ".hlog.xz");
    EXPECT_TRUE(cycles.ok()) << cycles.status();
    if (cycles.ok()) all.insert(all.end(), cycles->begin(), cycles->end());
  }
  return all;
}

// The frames a doubling to `bytes` found: the old stack's worth.
double FramesFound(uint64_t bytes) { return static_cast<double>(bytes / 2 / kCountFrameBytes); }

TEST(Go15StackCopy, TheRecursionsTimesAreTheRecordedRunsMedians) {
  const std::vector<StackCopyCycle> cycles = AllCycles();
  std::vector<double> scan, copy, descent;
  for (const StackCopyCycle& c : cycles) {
    if (c.doubled_to == 0) continue;
    const double frames = FramesFound(c.doubled_to);
    scan.push_back(static_cast<double>(c.scan_ns) / frames);
    // The cycle's world stop waited for the doubling's copy.
    if (c.doubling_ns >= c.start_ns || c.sweep_term_ns < 1000000) continue;
    copy.push_back(static_cast<double>(c.ScanStartNs() - c.doubling_ns) / frames);
    if (c.next_doubling_ns == 0) continue;
    descent.push_back(
        static_cast<double>(c.next_doubling_ns - c.ScanStartNs() - c.scan_ns - c.mark_term_ns) /
        frames);
  }
  // Enough cycles of each kind that one run's oddities do not move them.
  ASSERT_GE(scan.size(), 100u);
  ASSERT_GE(copy.size(), 100u);
  ASSERT_GE(descent.size(), 50u);
  EXPECT_EQ(static_cast<double>(kStackScanNsPerFrame), MedianRounded(scan, 5));
  EXPECT_EQ(kCopyStackNsPerFrame, MedianRounded(copy, 5));
  EXPECT_EQ(kCountDescentNsPerFrame, MedianRounded(descent, 5));
}

// The stacks a program's gouse events grow a goroutine through, from 2 KiB.
std::vector<uint64_t> GrownStacks(const std::vector<TraceEvent>& events) {
  std::vector<uint64_t> sizes = {2048};
  for (const TraceEvent& e : events) {
    if (e.kind != TraceEvent::kGoUse) continue;
    while (sizes.back() < e.bytes) sizes.push_back(sizes.back() * 2);
  }
  return sizes;
}

RunProgram StackCopy(double ns_per_op, double time_scale = 1.0) {
  absl::StatusOr<std::vector<const Go15Benchmark*>> picked =
      PickGo15Benchmarks("^BenchmarkStackCopy$");
  EXPECT_TRUE(picked.ok() && picked->size() == 1u);
  if (!picked.ok() || picked->empty()) return RunProgram{};
  RunBuilder builder(RunContext{3, 2, time_scale});
  picked->front()->generate(builder);
  return builder.Build("BenchmarkStackCopy", ns_per_op);
}

TEST(Go15StackCopy, EachOpDoublesAGoroutineStackToThirtyTwoMebibytes) {
  const RunProgram prog = StackCopy(6e8);
  std::vector<uint64_t> want;
  for (uint64_t s = 2048; s <= (uint64_t{32} << 20); s *= 2) want.push_back(s);
  EXPECT_EQ(GrownStacks(prog.body), want);
  int go = 0, exits = 0;
  for (const TraceEvent& e : prog.body) {
    go += e.kind == TraceEvent::kGo;
    exits += e.kind == TraceEvent::kGoExit;
    // Every depth is stated in count's frames, for the GC's scan.
    if (e.kind == TraceEvent::kGoUse) {
      EXPECT_EQ(e.frame_bytes, kCountFrameBytes);
    }
    EXPECT_NE(e.kind, TraceEvent::kAlloc) << "the closure is no heap object";
  }
  EXPECT_EQ(go, 1);
  EXPECT_EQ(exits, 1);
  // Go 1.5.1's -benchmem report: 96 B/op, 1 allocs/op at b.N = 1, the
  // channel made before the loop.
  ASSERT_EQ(prog.setup.size(), 1u);
  EXPECT_EQ(prog.setup[0].kind, TraceEvent::kAlloc);
  EXPECT_EQ(prog.setup[0].bytes, 96u);
}

// Each compute of the op with the frame of the gouse before it: the depth
// stated last.
struct Step {
  TraceEvent compute;
  uint64_t frame = 0;
  bool last = false;  // the op's last compute
};
std::vector<Step> Steps(const RunProgram& prog) {
  std::vector<Step> steps;
  uint64_t use = 0;
  for (const TraceEvent& e : prog.body) {
    if (e.kind == TraceEvent::kGoUse) use = e.bytes;
    if (e.kind == TraceEvent::kCompute) {
      steps.push_back(Step{e, (use - kStackLimitBytes) / kCountFrameBytes});
    }
  }
  if (!steps.empty()) steps.back().last = true;
  return steps;
}

TEST(Go15StackCopy, CopiesAndDescentTakeTheirTimeAndTheBottomTheOpsRest) {
  const int64_t op = 600000000;
  const RunProgram prog = StackCopy(static_cast<double>(op));
  int64_t copies = 0, descent = 0, bottom = -1, total = 0;
  for (const Step& s : Steps(prog)) {
    total += s.compute.ns;
    if (s.compute.no_safe_point) {
      // Right after the doubling's gouse: the frames found.
      EXPECT_EQ(s.compute.ns, std::llround(kCopyStackNsPerFrame * static_cast<double>(s.frame)));
      copies += s.compute.ns;
    } else if (s.last) {
      EXPECT_EQ(s.frame, 1000001u) << "the rest is spent at the bottom";
      bottom = s.compute.ns;
    } else {
      descent += s.compute.ns;
    }
  }
  // 1,000,001 frames descended; the copies move each doubling's frames.
  EXPECT_EQ(descent, std::llround(kCountDescentNsPerFrame * 1000001));
  EXPECT_GT(copies, std::llround(kCopyStackNsPerFrame * 1000000));
  EXPECT_EQ(bottom, op - copies - descent);
  EXPECT_EQ(total, op) << "the op keeps its recorded time";
  EXPECT_EQ(prog.ns_per_iteration, 0);
}

TEST(Go15StackCopy, AnOpTooShortForItsStatedTimesCutsThemAlikeAndHasNoRest) {
  // At time scale 2 the stated times double; an op of 100 ms holds less
  // than them.
  const int64_t op = 100000000;
  const double scale = 2.0;
  const RunProgram prog = StackCopy(static_cast<double>(op), scale);
  const std::vector<Step> steps = Steps(prog);
  double copied = 0;
  for (const Step& s : steps) copied += s.compute.no_safe_point ? static_cast<double>(s.frame) : 0;
  const double stated =
      scale * (kCopyStackNsPerFrame * copied + kCountDescentNsPerFrame * 1000001);
  ASSERT_GT(stated, static_cast<double>(op));
  const double cut = static_cast<double>(op) / stated;
  int64_t total = 0;
  for (const Step& s : steps) {
    total += s.compute.ns;
    if (s.last) {
      EXPECT_EQ(s.compute.ns, 0) << "no rest";
    }
    if (s.compute.no_safe_point) {
      EXPECT_EQ(s.compute.ns,
                std::llround(scale * kCopyStackNsPerFrame * static_cast<double>(s.frame) * cut));
    }
  }
  // Each compute rounded on its own.
  EXPECT_LE(std::abs(total - op), static_cast<int64_t>(steps.size()));
}

}  // namespace
}  // namespace thp
