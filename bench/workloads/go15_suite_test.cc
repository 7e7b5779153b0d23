// The Go 1.5 runtime benchmark table: its names and order against the
// recorded run, and spot checks of well-known benchmarks' programs.
#include "bench/workloads/go15_suite.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bench/workloads/bench_schedule.h"
#include "bench/workloads/go15_launch.h"
#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"

namespace thp {
namespace {

const Go15Benchmark* Find(const std::string& name) {
  for (const Go15Benchmark& bench : Go15RuntimeBenchmarks()) {
    if (name == bench.name) return &bench;
  }
  return nullptr;
}

// One run of `name` with b.N = n on `procs` Ps, at 10 ns/op.
RunProgram Program(const std::string& name, int64_t n = 10, int procs = 2) {
  const Go15Benchmark* bench = Find(name);
  EXPECT_NE(bench, nullptr) << name;
  RunContext ctx;
  ctx.n = n;
  ctx.gomaxprocs = procs;
  RunBuilder builder(ctx);
  if (bench != nullptr) bench->generate(builder);
  return builder.Build(name, 10.0);
}

std::vector<uint64_t> AllocSizes(const std::vector<TraceEvent>& events) {
  std::vector<uint64_t> sizes;
  for (const TraceEvent& e : events) {
    if (e.kind == TraceEvent::kAlloc) sizes.push_back(e.bytes);
  }
  return sizes;
}

// The stack size each goroutine starts with (2 KiB) and grows to, in order.
std::vector<uint64_t> StackSizes(const std::vector<TraceEvent>& events) {
  std::vector<uint64_t> sizes;
  for (const TraceEvent& e : events) {
    if (e.kind == TraceEvent::kGo) sizes.push_back(2048);
    if (e.kind == TraceEvent::kGoGrow) sizes.push_back(e.bytes);
  }
  return sizes;
}

int Count(const std::vector<TraceEvent>& events, TraceEvent::Kind kind) {
  int n = 0;
  for (const TraceEvent& e : events) n += e.kind == kind;
  return n;
}

TEST(Go15Suite, NamesAreTheRecordedRunOrder) {
  absl::StatusOr<std::string> text = ReadWholeFile("testdata/go15_runtime_bench_ns_per_op.tsv");
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<RecordedBenchmark>> recs = ParseBenchTimings(*text);
  ASSERT_TRUE(recs.ok()) << recs.status();
  std::vector<std::string> recorded;
  for (const RecordedBenchmark& r : *recs) recorded.push_back(r.name);
  std::vector<std::string> table;
  for (const Go15Benchmark& bench : Go15RuntimeBenchmarks()) table.push_back(bench.name);
  ASSERT_EQ(recorded.size(), 243u);
  EXPECT_EQ(table, recorded);
}

TEST(Go15Suite, PickingByRegexKeepsRunOrderAndNamesBadPatterns) {
  absl::StatusOr<std::vector<const Go15Benchmark*>> picked = PickGo15Benchmarks("^BenchmarkMalloc(8|16)$");
  ASSERT_TRUE(picked.ok()) << picked.status();
  ASSERT_EQ(picked->size(), 2u);
  EXPECT_STREQ((*picked)[0]->name, "BenchmarkMalloc8");
  EXPECT_STREQ((*picked)[1]->name, "BenchmarkMalloc16");
  EXPECT_EQ(PickGo15Benchmarks("").value().size(), 243u);
  EXPECT_EQ(PickGo15Benchmarks("NoSuchBench").status().message(),
            "--workloads=NoSuchBench: matches none of the 243 benchmarks");
  EXPECT_TRUE(absl::IsNotFound(PickGo15Benchmarks("NoSuchBench").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(PickGo15Benchmarks("(").status()));
}

TEST(Go15Suite, NamesAreUnique) {
  std::set<std::string> seen;
  for (const Go15Benchmark& bench : Go15RuntimeBenchmarks()) {
    EXPECT_TRUE(seen.insert(bench.name).second) << bench.name;
  }
}

TEST(Go15Suite, FilesAreTheSeventeenInSortedOrderWithTheirBenchmarkCounts) {
  // How many benchmarks each file declares (linux/amd64, go1.5).
  const std::map<std::string, int> kCounts = {
      {"append_test.go", 34},  {"chan_test.go", 18},     {"closure_test.go", 5},
      {"complex_test.go", 5},  {"gc_test.go", 27},       {"hash_test.go", 5},
      {"iface_test.go", 25},   {"malloc_test.go", 9},    {"map_test.go", 3},
      {"mapspeed_test.go", 26}, {"memmove_test.go", 58}, {"mfinal_test.go", 2},
      {"norace_test.go", 4},   {"proc_test.go", 8},      {"runtime_test.go", 5},
      {"stack_test.go", 1},    {"string_test.go", 8},
  };
  std::map<std::string, int> counts;
  std::string previous;
  for (const Go15Benchmark& bench : Go15RuntimeBenchmarks()) {
    EXPECT_TRUE(kCounts.count(bench.file)) << bench.name << " in " << bench.file;
    // go test runs test files in sorted name order.
    EXPECT_LE(previous, bench.file) << bench.name;
    previous = bench.file;
    ++counts[bench.file];
    EXPECT_NE(bench.generate, nullptr) << bench.name;
  }
  EXPECT_EQ(counts, kCounts);
}

TEST(Go15Suite, EveryProgramDropsWhatItAllocates) {
  for (const Go15Benchmark& bench : Go15RuntimeBenchmarks()) {
    SCOPED_TRACE(bench.name);
    const RunProgram prog = Program(bench.name, 100, 2);
    std::set<uint64_t> live;
    std::set<uint64_t> running;
    for (const TraceEvent& e : prog.setup) {
      EXPECT_NE(e.kind, TraceEvent::kStack);  // goroutines, not raw stacks
      if (e.kind == TraceEvent::kAlloc) live.insert(e.id);
      if (e.kind == TraceEvent::kGo) running.insert(e.id);
      if (e.kind == TraceEvent::kAlloc) {
        EXPECT_GT(e.bytes, 0u);
      }
      // Garbage made before the loop: dropped after its alloc.
      if (e.kind == TraceEvent::kDrop) {
        EXPECT_EQ(live.erase(e.id), 1u) << e.id;
      }
      EXPECT_LT(e.p, 2);
    }
    // The body leaves the goroutines running as it found them (setup's).
    const std::set<uint64_t> running_in_loop = running;
    for (const TraceEvent& e : prog.teardown) {
      if (e.kind == TraceEvent::kDrop) live.erase(e.id);
      if (e.kind == TraceEvent::kGoExit) running.erase(e.id);
    }
    EXPECT_TRUE(live.empty());
    EXPECT_TRUE(running.empty());
    running = running_in_loop;
    for (const TraceEvent& e : prog.body) {
      EXPECT_NE(e.kind, TraceEvent::kStack);
      if (e.kind == TraceEvent::kAlloc) live.insert(e.id);
      if (e.kind == TraceEvent::kGo) {
        EXPECT_TRUE(running.insert(e.id).second) << e.id;
      }
      if (e.kind == TraceEvent::kGoGrow || e.kind == TraceEvent::kGoExit) {
        EXPECT_TRUE(running.count(e.id)) << e.id;
      }
      if (e.kind == TraceEvent::kGoExit) running.erase(e.id);
      if (e.kind == TraceEvent::kDrop || e.kind == TraceEvent::kRetain) {
        live.erase(e.id);
      }
      if (e.kind == TraceEvent::kAlloc) {
        EXPECT_GT(e.bytes, 0u);
      }
      EXPECT_LT(e.p, 2);
    }
    EXPECT_TRUE(live.empty());
    EXPECT_EQ(running, running_in_loop);
    // Retained objects are released when the run ends.
    const bool retains = std::any_of(prog.body.begin(), prog.body.end(), [](const TraceEvent& e) {
      return e.kind == TraceEvent::kRetain;
    });
    const bool releases = std::any_of(prog.teardown.begin(), prog.teardown.end(),
                                      [](const TraceEvent& e) { return e.kind == TraceEvent::kRelease; });
    EXPECT_EQ(retains, releases);
    for (uint64_t bytes : StackSizes(prog.setup)) EXPECT_EQ(StackSizeFor(bytes), bytes);
    for (uint64_t bytes : StackSizes(prog.body)) EXPECT_EQ(StackSizeFor(bytes), bytes);
  }
}

TEST(Go15Suite, Malloc16AllocatesOneSixteenByteNoscanObjectPerOp) {
  const RunProgram prog = Program("BenchmarkMalloc16");
  EXPECT_TRUE(prog.setup.empty());
  ASSERT_EQ(prog.body.size(), 2u);
  EXPECT_EQ(prog.body[0].kind, TraceEvent::kAlloc);
  EXPECT_EQ(prog.body[0].bytes, 16u);
  EXPECT_TRUE(prog.body[0].noscan);
  EXPECT_EQ(prog.body[1].kind, TraceEvent::kDrop);
  EXPECT_EQ(prog.body[1].id, prog.body[0].id);
  EXPECT_EQ(prog.iterations, 10);
}

TEST(Go15Suite, AppendGrowByteAllocatesAppendsThirtyFiveSizes) {
  const RunProgram prog = Program("BenchmarkAppendGrowByte");
  const std::vector<uint64_t> kSizes = {
      8,      16,     32,     64,     128,    256,    512,    1024,    1280,    1664,   2304,   3072,
      4096,   5376,   6912,   8704,   12288,  16384,  20480,  28416,   40960,   57344,  73728,  98304,
      122880, 155648, 196608, 245760, 311296, 393216, 491520, 614400, 770048, 966656, 1212416};
  EXPECT_EQ(AllocSizes(prog.body), kSizes);
  for (const TraceEvent& e : prog.body) {
    if (e.kind == TraceEvent::kAlloc) {
      EXPECT_TRUE(e.noscan);
    }
  }
  EXPECT_EQ(Count(prog.body, TraceEvent::kDrop), 35);
  EXPECT_TRUE(prog.setup.empty());
  // Each growth's share of the op's time is its size, one unit per KiB.
  std::vector<uint64_t> work;
  for (const TraceEvent& e : prog.body) {
    if (e.kind == TraceEvent::kAlloc) work.push_back(e.work);
  }
  ASSERT_EQ(work.size(), kSizes.size());
  for (size_t i = 0; i < kSizes.size(); ++i) {
    EXPECT_EQ(work[i], std::max<uint64_t>(1, kSizes[i] / 1024)) << kSizes[i];
  }
  int64_t units = 0;
  for (const TraceEvent& e : prog.body) units += LoopWork(e);
  EXPECT_EQ(units, 5729);
}

TEST(Go15Suite, AppendGrowStringAllocatesFortyPointerfulSizes) {
  const RunProgram prog = Program("BenchmarkAppendGrowString");
  const std::vector<uint64_t> sizes = AllocSizes(prog.body);
  ASSERT_EQ(sizes.size(), 40u);
  EXPECT_EQ(sizes.front(), 16u);
  EXPECT_EQ(sizes[12], 28416u);  // the last small one
  EXPECT_EQ(sizes.back(), 17768448u);
  uint64_t total = 0;
  for (uint64_t s : sizes) total += s;
  EXPECT_EQ(total, 88506096u);  // ~88.5 MB per op
  for (const TraceEvent& e : prog.body) {
    if (e.kind == TraceEvent::kAlloc) {
      EXPECT_FALSE(e.noscan);
    }
  }
}

// StackGrowth's workers: grown in setup to hold kDepth + 1 frames, then a
// ramp to that depth plus _StackLimit over each op, one op per P in each
// RunParallel iteration (2 ops of 10 ns side by side: 20 ns).
TEST(Go15Suite, StackGrowthWorkersRampOverEachOp) {
  const RunProgram prog = Program("BenchmarkStackGrowthDeep");
  ASSERT_EQ(prog.ns_per_iteration, 20);
  std::vector<TraceEvent> ramps;
  for (const TraceEvent& e : prog.setup) {
    if (e.kind == TraceEvent::kGoUse) ramps.push_back(e);
  }
  ASSERT_EQ(ramps.size(), 2u);
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(ramps[p].bytes, 1025u * 1040 + 512);
    EXPECT_EQ(ramps[p].p, p);
    EXPECT_EQ(ramps[p].ns, 20);
  }
  // Four Ps: four workers, and an iteration of four 10 ns ops side by side.
  int shallow = 0;
  for (const TraceEvent& e : Program("BenchmarkStackGrowth", 10, 4).setup) {
    if (e.kind != TraceEvent::kGoUse) continue;
    EXPECT_EQ(e.bytes, 11u * 1040 + 512);
    EXPECT_EQ(e.ns, 40);
    ++shallow;
  }
  EXPECT_EQ(shallow, 4);
}

TEST(Go15Suite, GoroutineSelectSleepsTenMillisecondsAndCollectsEachOp) {
  const RunProgram prog = Program("BenchmarkGoroutineSelect");
  bool slept = false;
  for (const TraceEvent& e : prog.body) slept |= e.kind == TraceEvent::kSleep && e.ns == 10000000;
  EXPECT_TRUE(slept);
  EXPECT_EQ(Count(prog.body, TraceEvent::kGc), 1);
  EXPECT_EQ(Count(prog.body, TraceEvent::kAlloc), 0);
  const std::vector<uint64_t> stacks = StackSizes(prog.setup);
  EXPECT_EQ(stacks, std::vector<uint64_t>(1000, 2048));
}

// The kinds of a program's events other than alloc, drop, go and goexit,
// in order: where the runtime calls are.
std::vector<std::string> Calls(const std::vector<TraceEvent>& events) {
  std::vector<std::string> out;
  for (const TraceEvent& e : events) {
    if (e.kind == TraceEvent::kAlloc || e.kind == TraceEvent::kDrop || e.kind == TraceEvent::kGo ||
        e.kind == TraceEvent::kGoExit || e.kind == TraceEvent::kSudog ||
        e.kind == TraceEvent::kUnsudog) {
      continue;
    }
    out.push_back(FormatTraceEvent(e));
  }
  return out;
}

// testing.B's timer calls as the go1.5.1 benchmark functions make them:
// ReadMemStats where StopTimer or ResetTimer finds the timer on and where
// StartTimer finds it off (runN's own StartTimer has it on at the start).
TEST(Go15Suite, TimerCallsReadMemStatsWhereTestingWould) {
  using V = std::vector<std::string>;
  // benchHelper: StopTimer (read), ResetTimer (off: none), GC before the
  // loop; each op sleeps, StartTimer (read), GC, StopTimer (read); the
  // timer is off when the function returns.
  RunProgram prog = Program("BenchmarkGoroutineBlocking");
  EXPECT_EQ(Calls(prog.setup), (V{"readmemstats", "gc"}));
  EXPECT_EQ(Calls(prog.body), (V{"sleep 10000000", "readmemstats", "gc", "readmemstats"}));
  EXPECT_FALSE(prog.timer_on_at_end);
  // After the loop the readers wake (giving their sudogs back) and exit,
  // then benchHelper sleeps 10 ms.
  EXPECT_EQ(Count(prog.setup, TraceEvent::kSudog), 1000);
  EXPECT_EQ(Count(prog.teardown, TraceEvent::kUnsudog), 1000);
  EXPECT_EQ(Count(prog.teardown, TraceEvent::kGoExit), 1000);
  EXPECT_EQ(Calls(prog.teardown), (V{"sleep 10000000"}));
  EXPECT_EQ(prog.teardown.back().kind, TraceEvent::kSleep);
  EXPECT_EQ(prog.sleep_ns, 10 * 10000000 + 10000000);  // b.N = 10
  // GoroutineIdle: GC, ResetTimer; StopTimer right after the loop, before
  // its goroutines exit.
  prog = Program("BenchmarkGoroutineIdle");
  EXPECT_EQ(Calls(prog.setup), (V{"gc", "readmemstats"}));
  EXPECT_EQ(prog.teardown.front().kind, TraceEvent::kReadMemStats);
  EXPECT_EQ(Count(prog.teardown, TraceEvent::kGoExit), 1000);
  EXPECT_EQ(prog.teardown.back().kind, TraceEvent::kSleep);  // then 10 ms
  EXPECT_EQ(prog.sleep_ns, 10000000);
  EXPECT_FALSE(prog.timer_on_at_end);
  // Append*: the setup between StopTimer and StartTimer.
  prog = Program("BenchmarkAppend4Bytes");
  ASSERT_EQ(prog.setup.size(), 3u);
  EXPECT_EQ(prog.setup.front().kind, TraceEvent::kReadMemStats);
  EXPECT_EQ(prog.setup.back().kind, TraceEvent::kReadMemStats);
  EXPECT_TRUE(prog.timer_on_at_end);
  // mapspeed and benchSetType: ResetTimer after the setup.
  for (const char* name : {"BenchmarkMegMap", "BenchmarkSetTypeNode1024Slice", "BenchmarkIntMap"}) {
    prog = Program(name);
    ASSERT_FALSE(prog.setup.empty()) << name;
    EXPECT_EQ(prog.setup.back().kind, TraceEvent::kReadMemStats) << name;
    EXPECT_EQ(Count(prog.setup, TraceEvent::kReadMemStats), 1) << name;
  }
  // Benchmarks that touch no timer read nothing themselves.
  prog = Program("BenchmarkMalloc8");
  for (const std::vector<TraceEvent>* part : {&prog.setup, &prog.body, &prog.teardown}) {
    EXPECT_EQ(Count(*part, TraceEvent::kReadMemStats), 0);
  }
  EXPECT_TRUE(prog.timer_on_at_end);
}

// mapspeed_test.go's keys come from strings.Repeat (a byte slice, then its
// string copy; the slice is garbage at once) and, for MegMap's and
// RepeatedLookup's, a concatenation after it (Repeat's string is garbage
// then): made and dropped in setup, before ResetTimer.
TEST(Go15Suite, MapspeedKeysLeaveStringsRepeatsGarbageBeforeTheLoop) {
  struct Want {
    const char* name;
    int allocs, drops;
  };
  for (const Want& w : {Want{"BenchmarkMegMap", 24, 16}, Want{"BenchmarkMegOneMap", 4, 2},
                        Want{"BenchmarkMegEqMap", 4, 2}, Want{"BenchmarkMegEmptyMap", 2, 1},
                        Want{"BenchmarkMapStringKeysEight_16", 18, 9},
                        Want{"BenchmarkRepeatedLookupStrMapKey1M", 1 + 64 + 2 + 2, 2},
                        Want{"BenchmarkRepeatedLookupStrMapKey32", 1 + 64 + 2, 2}}) {
    const RunProgram prog = Program(w.name);
    EXPECT_EQ(Count(prog.setup, TraceEvent::kAlloc), w.allocs) << w.name;
    EXPECT_EQ(Count(prog.setup, TraceEvent::kDrop), w.drops) << w.name;
  }
  // MegMap's kept keys: seven of 1 MiB - 1 + two digits, and 1 MiB - 1 + "k".
  std::vector<uint64_t> kept;
  const RunProgram meg = Program("BenchmarkMegMap");
  std::set<uint64_t> dropped;
  for (const TraceEvent& e : meg.setup) {
    if (e.kind == TraceEvent::kDrop) dropped.insert(e.id);
  }
  for (const TraceEvent& e : meg.setup) {
    if (e.kind == TraceEvent::kAlloc && dropped.count(e.id) == 0) kept.push_back(e.bytes);
  }
  std::vector<uint64_t> want(7, (uint64_t{1} << 20) + 1);
  want.push_back(uint64_t{1} << 20);
  EXPECT_EQ(kept, want);
}

TEST(Go15Suite, ANoActivityBenchmarkWritesNothing) {
  for (const char* name : {"BenchmarkComplex128DivNormal", "BenchmarkClearFat1024",
                           "BenchmarkMemmove0", "BenchmarkDefer"}) {
    const RunProgram prog = Program(name);
    EXPECT_TRUE(prog.setup.empty()) << name;
    EXPECT_TRUE(prog.body.empty()) << name;
    EXPECT_TRUE(prog.teardown.empty()) << name;
  }
}

// The setup's objects dropped before the loop, in order.
std::vector<uint64_t> SetupGarbageSizes(const RunProgram& prog) {
  std::map<uint64_t, uint64_t> bytes_of;
  std::vector<uint64_t> sizes;
  for (const TraceEvent& e : prog.setup) {
    if (e.kind == TraceEvent::kAlloc) bytes_of[e.id] = e.bytes;
    if (e.kind == TraceEvent::kDrop) sizes.push_back(bytes_of.at(e.id));
  }
  return sizes;
}

TEST(Go15Suite, ChanPopularMakesChannelsAndSudogsButNoClosures) {
  // Go 1.5.1's -benchmem report: 5 allocs/op at b.N = 500, all of the run
  // timed: under 3000 mallocs, so no closure per goroutine.
  const RunProgram prog = Program("BenchmarkChanPopular", 500);
  std::map<uint64_t, int> by_size;
  for (uint64_t bytes : AllocSizes(prog.setup)) ++by_size[bytes];
  // wg, c and d, and a's arrays: append doubles its capacity from 1 to
  // 1024 channels, each outgrown array dropped once copied.
  const std::map<uint64_t, int> want = {
      {8, 1},  {16, 2},   {32, 1},   {64, 1}, {96, 1001}, {128, 1},
      {256, 1}, {512, 1}, {1024, 1}, {2048, 1},  {4096, 1},  {8192, 1}};
  EXPECT_EQ(by_size, want);
  // Each goroutine's first select takes two sudogs, on the P it runs on,
  // and gives them back there when it exits.
  EXPECT_EQ(Count(prog.setup, TraceEvent::kSudog), 2000);
  EXPECT_EQ(Count(prog.teardown, TraceEvent::kUnsudog), 2000);
  EXPECT_EQ(SetupGarbageSizes(prog),
            (std::vector<uint64_t>{8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}));
  EXPECT_EQ(Count(prog.setup, TraceEvent::kGo), 1000);
  EXPECT_TRUE(prog.body.empty());
}

// With b.N = 1 each goroutine selects once: the first
// kChanPopularFirstRunBlocked block, on P 0, each right after it is made;
// the rest find the send waiting and take no sudog.
TEST(Go15Suite, ChanPopularsFirstRunBlocksItsFirstGoroutinesOnPZero) {
  const RunProgram prog = Program("BenchmarkChanPopular", 1);
  int goroutines = 0;
  int blocked_after = -1;  // the goroutines made when the last sudog was taken
  for (const TraceEvent& e : prog.setup) {
    if (e.kind == TraceEvent::kGo) ++goroutines;
    if (e.kind == TraceEvent::kSudog) {
      EXPECT_EQ(e.p, 0);
      blocked_after = goroutines;
    }
  }
  EXPECT_EQ(goroutines, 1000);
  EXPECT_EQ(Count(prog.setup, TraceEvent::kSudog), 2 * kChanPopularFirstRunBlocked);
  EXPECT_EQ(Count(prog.teardown, TraceEvent::kUnsudog), 2 * kChanPopularFirstRunBlocked);
  EXPECT_EQ(blocked_after, kChanPopularFirstRunBlocked);
}

// benchHelper's loop makes each reader's channel, then starts the reader:
// the channels' spans come between the readers' stack spans, as in Go.
TEST(Go15Suite, BenchHelperMakesEachReadersChannelThenItsGoroutine) {
  for (const char* name : {"BenchmarkGoroutineSelect", "BenchmarkGoroutineBlocking",
                           "BenchmarkGoroutineForRange"}) {
    const RunProgram prog = Program(name);
    std::vector<std::string> kinds;
    for (const TraceEvent& e : prog.setup) {
      if (e.kind == TraceEvent::kAlloc && e.bytes == 96) kinds.push_back("chan");
      if (e.kind == TraceEvent::kGo) kinds.push_back("go");
    }
    std::vector<std::string> want;
    for (int i = 0; i < 1000; ++i) {
      want.push_back("chan");
      want.push_back("go");
    }
    if (std::string(name) == "BenchmarkGoroutineSelect") want.insert(want.begin(), "chan");  // quit
    EXPECT_EQ(kinds, want) << name;
  }
}

TEST(Go15Suite, ChanCreationRunsOnEveryWorker) {
  const RunProgram prog = Program("BenchmarkChanCreation", 11, 2);
  EXPECT_EQ(StackSizes(prog.setup), std::vector<uint64_t>(2, 2048));  // the workers
  std::set<int> ps;
  for (const TraceEvent& e : prog.body) {
    if (e.kind != TraceEvent::kAlloc) continue;
    EXPECT_EQ(e.bytes, 104u);  // hchan + one int
    EXPECT_TRUE(e.noscan);
    ps.insert(e.p);
  }
  EXPECT_EQ(ps, (std::set<int>{0, 1}));
  EXPECT_EQ(prog.iterations, 6);
}

TEST(Go15Suite, StackGrowthKeepsOneGrownStackPerWorker) {
  for (const auto& [name, top] : std::map<std::string, uint64_t>{
           {"BenchmarkStackGrowth", 16384}, {"BenchmarkStackGrowthDeep", 2 << 20}}) {
    const RunProgram prog = Program(name);
    std::map<int, uint64_t> largest;
    for (const TraceEvent& e : prog.setup) {
      if (e.kind == TraceEvent::kGoGrow) largest[e.p] = std::max(largest[e.p], e.bytes);
    }
    EXPECT_EQ(largest, (std::map<int, uint64_t>{{0, top}, {1, top}})) << name;
    EXPECT_EQ(Count(prog.teardown, TraceEvent::kGoExit), 2) << name;  // kept for the run
    EXPECT_TRUE(prog.body.empty()) << name;
  }
  // The workers descend side by side: each doubling of P 0's worker is
  // followed by the same doubling of P 1's.
  std::vector<std::pair<int, uint64_t>> grows, want;
  for (const TraceEvent& e : Program("BenchmarkStackGrowthDeep").setup) {
    if (e.kind == TraceEvent::kGoGrow) grows.emplace_back(e.p, e.bytes);
  }
  for (uint64_t size = 4096; size <= (uint64_t{2} << 20); size <<= 1) {
    want.emplace_back(0, size);
    want.emplace_back(1, size);
  }
  EXPECT_EQ(grows, want);
  // A first run's single op recurses on one worker; the other never grows
  // (and has no ramp), though it is made and exits as the others do.
  const RunProgram first = Program("BenchmarkStackGrowthDeep", 1);
  std::map<int, uint64_t> largest;
  int ramps = 0;
  for (const TraceEvent& e : first.setup) {
    if (e.kind == TraceEvent::kGoGrow) largest[e.p] = std::max(largest[e.p], e.bytes);
    if (e.kind == TraceEvent::kGoUse) ++ramps;
  }
  EXPECT_EQ(largest, (std::map<int, uint64_t>{{0, uint64_t{2} << 20}}));
  EXPECT_EQ(ramps, 1);
  EXPECT_EQ(Count(first.teardown, TraceEvent::kGoExit), 2);
}

// The benchmark function's go statements run newproc1 on its own P (the
// launch goroutine's), RunParallel's workers included; each worker then runs,
// grows and exits on its P, and SelectSyncContended's workers start their
// senders there.
TEST(Go15Suite, GoStatementsOfTheBenchmarkFunctionRunOnTheLaunchP) {
  for (const std::string name : {"BenchmarkChanNonblocking", "BenchmarkFinalizer",
                                 "BenchmarkStackGrowth", "BenchmarkGoroutineIdle"}) {
    const RunProgram prog = Program(name);
    bool grown = false;
    for (const TraceEvent& e : prog.setup) {
      if (e.kind == TraceEvent::kGoGrow) grown = true;
      if (e.kind != TraceEvent::kGo) continue;
      EXPECT_EQ(e.p, kLaunchP) << name;
      EXPECT_FALSE(grown) << name << ": a worker grew before RunParallel started them all";
    }
    std::set<int> exit_ps;
    for (const TraceEvent& e : prog.teardown) {
      if (e.kind == TraceEvent::kGoExit) exit_ps.insert(e.p);
    }
    EXPECT_EQ(exit_ps, (std::set<int>{0, 1})) << name;
  }
  const RunProgram sync = Program("BenchmarkSelectSyncContended");
  std::vector<int> go_ps;
  for (const TraceEvent& e : sync.setup) {
    if (e.kind == TraceEvent::kGo) go_ps.push_back(e.p);
  }
  EXPECT_EQ(go_ps, (std::vector<int>{0, 0, 0, 1}));  // two workers, then each one's sender
}

// go1.5.1 grew every BenchmarkFinalizer worker to 16 KiB (its [1000]*int
// frame) before the worker made its 1000 ints.
TEST(Go15Suite, FinalizerWorkersGrowToSixteenKibibytesBeforeTheirInts) {
  const RunProgram prog = Program("BenchmarkFinalizer");
  std::map<int, std::vector<uint64_t>> grows;
  std::map<int, int> allocs_before_top;
  for (const TraceEvent& e : prog.setup) {
    if (e.kind == TraceEvent::kGoGrow) grows[e.p].push_back(e.bytes);
    if (e.kind == TraceEvent::kAlloc && (grows[e.p].empty() || grows[e.p].back() != 16384)) {
      ++allocs_before_top[e.p];
    }
  }
  const std::vector<uint64_t> doubling = {4096, 8192, 16384};
  EXPECT_EQ(grows, (std::map<int, std::vector<uint64_t>>{{0, doubling}, {1, doubling}}));
  EXPECT_TRUE(allocs_before_top.empty());
  EXPECT_EQ(Count(prog.setup, TraceEvent::kAlloc), 2000);
  EXPECT_EQ(Count(prog.teardown, TraceEvent::kGoExit), 2);
}

TEST(Go15Suite, MatmultSetupFollowsTheCubeRootOfN) {
  // b.N = 1000: n = 10 + 1; three matrices of 11 row headers and 11 rows.
  std::vector<uint64_t> sizes = AllocSizes(Program("BenchmarkMatmult", 1000).setup);
  ASSERT_EQ(sizes.size(), 3u * 12);
  EXPECT_EQ(sizes[0], 11u * 24);
  EXPECT_EQ(sizes[1], 11u * 8);
  EXPECT_EQ(AllocSizes(Program("BenchmarkMatmult", 999).setup)[1], 10u * 8);
  EXPECT_EQ(AllocSizes(Program("BenchmarkMatmult", 1).setup).size(), 3u * 3);
}

// The busy times of Matmult's setup, in order, and whether each follows a
// row's allocation.
std::vector<int64_t> MatmultFillTimes(int64_t n, double time_scale) {
  RunContext ctx;
  ctx.n = n;
  ctx.time_scale = time_scale;
  RunBuilder builder(ctx);
  Find("BenchmarkMatmult")->generate(builder);
  const RunProgram prog = builder.Build("BenchmarkMatmult", 10.0);
  std::vector<int64_t> times;
  for (size_t i = 0; i < prog.setup.size(); ++i) {
    if (prog.setup[i].kind != TraceEvent::kCompute) continue;
    EXPECT_GT(i, 0u);
    EXPECT_EQ(prog.setup[i - 1].kind, TraceEvent::kAlloc) << "busy time " << i << " follows no row";
    times.push_back(prog.setup[i].ns);
  }
  return times;
}

TEST(Go15Suite, MatmultFillsEachRowAfterAllocatingItAtItsSpansShare) {
  // b.N = 1000: n = 11, rows of 88 bytes, 85 to a span of the 96-byte class.
  EXPECT_EQ(MatmultFillTimes(1000, 1.0),
            std::vector<int64_t>(3 * 11, std::llround(kMakeMatrixNsPerSpan / 85)));
  // The time scale scales the setup's own time too.
  EXPECT_EQ(MatmultFillTimes(1000, 2.0)[0], std::llround(2 * kMakeMatrixNsPerSpan / 85));
}

TEST(Go15Suite, AMatrixRowTakesItsSpansShare) {
  // n = 670 (b.N = 3 x 10^8): rows of 5,360 bytes, three to a span of the
  // 5,376-byte class (2 pages).
  EXPECT_DOUBLE_EQ(MakeMatrixRowNs(670), kMakeMatrixNsPerSpan / 3);
  // n = 465 (10^8): 3,720 bytes, two to a span of the 4 KiB class.
  EXPECT_DOUBLE_EQ(MakeMatrixRowNs(465), kMakeMatrixNsPerSpan / 2);
  // n = 1001 (10^9): 8,008 bytes, one to an 8 KiB span.
  EXPECT_DOUBLE_EQ(MakeMatrixRowNs(1001), kMakeMatrixNsPerSpan);
  // n = 4097: a row of 32,776 bytes is a large object, a span of its own.
  EXPECT_DOUBLE_EQ(MakeMatrixRowNs(4097), kMakeMatrixNsPerSpan);
}

TEST(Go15Suite, MatmultIsOneRunOfItsGoroutineTree) {
  // b.N = 10^6: n = 101. Every split of i or j makes a done channel and a
  // goroutine; the k splits are serial.
  const RunProgram prog = Program("BenchmarkMatmult", 1000000);
  EXPECT_EQ(prog.iterations, 1);
  EXPECT_EQ(prog.ns_per_iteration, 10 * 1000000);
  EXPECT_EQ(Count(prog.body, TraceEvent::kGo), 2236);
  EXPECT_EQ(Count(prog.body, TraceEvent::kGoExit), 2236);
  EXPECT_EQ(AllocSizes(prog.body), std::vector<uint64_t>(2236, 96));
  // Below the threshold nothing splits.
  EXPECT_TRUE(Program("BenchmarkMatmult", 100).body.empty());
}

// Whether a matmult goroutine started on `block` grows its stack: some
// matmult call it makes itself nests 5 deep, or a split 4 deep makes its
// done channel (the goroutine's own call is depth 0; the first half of an i
// or j split is another goroutine's). Stated apart from the generator's
// walk of the tree, over the same splitting rule.
struct MatmultBlock {
  int64_t di, dj, dk;
};
bool MatmultGoroutineGrows(MatmultBlock k, int level) {
  constexpr int64_t kThreshold = 8;
  if (level >= 5) return true;
  if (k.di >= k.dj && k.di >= k.dk && k.di >= kThreshold) {
    return level + 1 >= 5 || MatmultGoroutineGrows({k.di - k.di / 2, k.dj, k.dk}, level + 1);
  }
  if (k.dj >= k.dk && k.dj >= kThreshold) {
    return level + 1 >= 5 || MatmultGoroutineGrows({k.di, k.dj - k.dj / 2, k.dk}, level + 1);
  }
  if (k.dk >= kThreshold) {
    return MatmultGoroutineGrows({k.di, k.dj, k.dk / 2}, level + 1) ||
           MatmultGoroutineGrows({k.di, k.dj, k.dk - k.dk / 2}, level + 1);
  }
  return false;
}
// How many goroutines the call on `k` (at `level` in its goroutine) and its
// nested calls start that grow.
int64_t MatmultGrowers(MatmultBlock k, int level) {
  constexpr int64_t kThreshold = 8;
  if (k.di >= k.dj && k.di >= k.dk && k.di >= kThreshold) {
    const MatmultBlock first{k.di / 2, k.dj, k.dk};
    return (MatmultGoroutineGrows(first, 0) ? 1 : 0) + MatmultGrowers(first, 0) +
           MatmultGrowers({k.di - k.di / 2, k.dj, k.dk}, level + 1);
  }
  if (k.dj >= k.dk && k.dj >= kThreshold) {
    const MatmultBlock first{k.di, k.dj / 2, k.dk};
    return (MatmultGoroutineGrows(first, 0) ? 1 : 0) + MatmultGrowers(first, 0) +
           MatmultGrowers({k.di, k.dj - k.dj / 2, k.dk}, level + 1);
  }
  if (k.dk >= kThreshold) {
    return MatmultGrowers({k.di, k.dj, k.dk / 2}, level + 1) +
           MatmultGrowers({k.di, k.dj, k.dk - k.dk / 2}, level + 1);
  }
  return 0;
}

// Go 1.5.1's matmult goroutines (testdata/go151_stacks) grow their 2 KiB
// stacks to 4 KiB once their own calls nest 5 deep, or a split 4 deep makes
// its channel: each such goroutine has one gogrow to 4 KiB, before that
// channel's alloc, and exits with it (gfput frees it).
TEST(Go15Suite, MatmultGoroutinesGrowTheirStacksWhereGo151sDid) {
  const RunProgram prog = Program("BenchmarkMatmult", 1000000);  // n = 101
  std::map<uint64_t, int> grows;
  for (const TraceEvent& e : prog.body) {
    if (e.kind != TraceEvent::kGoGrow) continue;
    EXPECT_EQ(e.bytes, 4096u);
    ++grows[e.id];
  }
  const int64_t want = MatmultGrowers({101, 101, 101}, 0);
  EXPECT_GT(want, 0);
  EXPECT_EQ(static_cast<int64_t>(grows.size()), want);
  for (const auto& [id, n] : grows) EXPECT_EQ(n, 1) << "goroutine " << id;
  // No goroutine grows in a tree too shallow for the rule.
  const RunProgram small = Program("BenchmarkMatmult", 30000);  // n = 32
  EXPECT_EQ(Count(small.body, TraceEvent::kGoGrow), MatmultGrowers({32, 32, 32}, 0));
}

// The tree in the order Go 1.5.1's scheduler runs it (proc1.go): newproc1's
// runnext, the FIFO ring, ready's runnext and stealing by the idle P.
TEST(Go15Suite, MatmultRunsItsTreeAsGo151Schedules) {
  const RunProgram prog = Program("BenchmarkMatmult", 1000000);
  std::map<uint64_t, size_t> started;  // go id -> index among the kGo events
  std::set<uint64_t> exited;
  std::vector<uint64_t> order;          // go ids in start order
  size_t first_go_on_p1 = SIZE_MAX;
  int running = 0;
  int most = 0;
  std::set<int> go_ps;
  std::set<int> exit_ps;
  std::map<int, uint64_t> last_started;  // per P
  std::set<int> exited_on;                // Ps that saw an exit
  std::map<uint64_t, uint64_t> go_of_chan;
  uint64_t last_chan = 0;
  int p0_looks = 0;
  for (const TraceEvent& e : prog.body) {
    if (e.kind == TraceEvent::kGlobRunqGet && e.p == 0 && p0_looks++ == 0) {
      // P 0 has counted the benchmark goroutine (execute: schedtick 1), so
      // the gs it then runs from runnext bring no look at the global queue
      // (at tick 0 the first would come with the first exit, after 12 gos);
      // its first comes at its 61st tick.
      EXPECT_EQ(order.size(), 150u);
      EXPECT_EQ(exited.size(), 93u);
    }
    if (e.kind == TraceEvent::kAlloc) last_chan = e.id;
    if (e.kind == TraceEvent::kGo) {
      go_of_chan[last_chan] = e.id;
      started[e.id] = order.size();
      order.push_back(e.id);
      go_ps.insert(e.p);
      last_started[e.p] = e.id;
      if (e.p == 1 && first_go_on_p1 == SIZE_MAX) first_go_on_p1 = order.size() - 1;
      most = std::max(most, ++running);
    }
    if (e.kind == TraceEvent::kGoExit) {
      if (exited_on.insert(e.p).second) {
        // A goroutine walks down its second halves, starting a goroutine at
        // each i or j split, and parks on the newest one, which sits in its
        // P's runnext: the first goroutine to exit on a P is the last one
        // that P started.
        EXPECT_EQ(e.id, last_started[e.p]) << "P " << e.p;
      }
      exited.insert(e.id);
      exit_ps.insert(e.p);
      --running;
    }
    if (e.kind == TraceEvent::kDrop) {
      // A done channel is dropped by its parent's receive, after the send
      // and the goexit of its goroutine.
      ASSERT_EQ(go_of_chan.count(e.id), 1u);
      EXPECT_EQ(exited.count(go_of_chan[e.id]), 1u) << "chan " << e.id;
    }
  }
  EXPECT_EQ(running, 0);
  // P 1 idles until a g sits on P 0's ring (runnext is not stolen): the
  // benchmark goroutine's second go displaces its first, which P 1 steals,
  // so the first goroutine P 1 starts comes after those two.
  EXPECT_GE(first_go_on_p1, 2u);
  EXPECT_LT(first_go_on_p1, order.size());
  EXPECT_EQ(go_ps, (std::set<int>{0, 1}));
  EXPECT_EQ(exit_ps, (std::set<int>{0, 1}));
  // Depth first on each P, so far fewer alive at once than the 4^4 - 1 the
  // four rounds of i and j splits would hold if each level ran side by side.
  EXPECT_LT(most, 4 * 4 * 4 * 4 - 1);
  // On one P nothing is stolen and everything runs on P 0.
  const RunProgram one = Program("BenchmarkMatmult", 1000000, /*gomaxprocs=*/1);
  for (const TraceEvent& e : one.body) {
    if (e.kind == TraceEvent::kGo || e.kind == TraceEvent::kGoExit) {
      ASSERT_EQ(e.p, 0);
    }
  }
  EXPECT_EQ(Count(one.body, TraceEvent::kGo), 2236);
}

std::vector<std::string> Lines(const std::vector<TraceEvent>& events) {
  std::vector<std::string> lines;
  for (const TraceEvent& e : events) lines.push_back(FormatTraceEvent(e));
  return lines;
}

// benchmarkCreateGoroutines with one chain per P in Go 1.5.1's order: P 1,
// woken by the first go, looks at the global queue (its schedtick 0 is a
// multiple of 61, then findrunnable's look) and steals the chain P 0's
// second go displaced; P 0 runs the newest from runnext. Each chain then
// runs its successors from runnext in one time slice, so no P looks at the
// global queue while the chains run; at their end P 0, its chain done and
// the benchmark goroutine parked again, finds nothing (findrunnable's
// look), and is woken again by P 1's last send.
TEST(Go15Suite, CreateGoroutinesParallelRunsItsChainsAsGo151Schedules) {
  const RunProgram prog = Program("BenchmarkCreateGoroutinesParallel", 1000);
  EXPECT_EQ(Lines(prog.setup), (std::vector<std::string>{"alloc 1 96 noscan 0", "globrunqput 0",
                                                         "globrunqget 1 0", "globrunqget 1 0"}));
  EXPECT_EQ(Lines(prog.body),
            (std::vector<std::string>{"go 2 0", "goexit 2 0", "go 3 1", "goexit 3 1"}));
  EXPECT_EQ(prog.iterations, 500);
  EXPECT_EQ(prog.ns_per_iteration, 20);
  EXPECT_EQ(Lines(prog.teardown), (std::vector<std::string>{"drop 1", "globrunqget 0 0",
                                                            "globrunqget 0 0"}));
  // On one P there is no P to wake: the chain runs from the benchmark
  // goroutine's runnext, and the P looks only when the chain has ended.
  const RunProgram one = Program("BenchmarkCreateGoroutinesParallel", 1000, /*procs=*/1);
  EXPECT_EQ(Lines(one.setup), (std::vector<std::string>{"alloc 1 96 noscan 0", "globrunqput 0"}));
  EXPECT_EQ(Lines(one.body), (std::vector<std::string>{"go 2 0", "goexit 2 0"}));
  EXPECT_EQ(one.iterations, 1000);
  EXPECT_EQ(Lines(one.teardown), (std::vector<std::string>{"drop 1"}));
}

// CreateGoroutines' chain alternates two gs: the loop body is two ops, the
// running goroutine starting the next and exiting in each, and the chain's
// first goroutine starts before the loop and its last exits after it; an
// odd b.N's extra op comes before the loop. The chain ends on the P its
// last stretch ran on.
TEST(Go15Suite, CreateGoroutinesChainAlternatesTwoGoroutines) {
  const RunProgram even = Program("BenchmarkCreateGoroutines", 10);
  EXPECT_EQ(Lines(even.setup), (std::vector<std::string>{"alloc 1 96 noscan 0", "go 2 0"}));
  EXPECT_EQ(Lines(even.body),
            (std::vector<std::string>{"go 3 0 work 0", "goexit 2 0 work 1", "move", "go 2 0 work 0",
                                      "goexit 3 0 work 1"}));
  EXPECT_EQ(even.iterations, 5);
  EXPECT_EQ(Lines(even.teardown), (std::vector<std::string>{"drop 1", "goexit 2 0"}));
  const RunProgram odd = Program("BenchmarkCreateGoroutines", 11);
  EXPECT_EQ(Lines(odd.setup), (std::vector<std::string>{"alloc 1 96 noscan 0", "go 2 0", "go 3 0",
                                                        "goexit 2 0"}));
  EXPECT_EQ(Lines(odd.body),
            (std::vector<std::string>{"go 4 0 work 0", "goexit 3 0 work 1", "move", "go 3 0 work 0",
                                      "goexit 4 0 work 1"}));
  EXPECT_EQ(odd.iterations, 5);
  EXPECT_EQ(Lines(odd.teardown), (std::vector<std::string>{"drop 1", "goexit 3 0"}));
  EXPECT_EQ(Lines(Program("BenchmarkCreateGoroutines", 1).teardown),
            (std::vector<std::string>{"drop 1", "goexit 3 0"}));
  // Two ops an iteration: the move every kCreateGoroutinesOpsPerMove ops
  // is every half as many iterations, and a chain of three stretches ends
  // on P 0 again.
  const int64_t stretch = kCreateGoroutinesOpsPerMove / 2;
  EXPECT_EQ(even.p_move_iterations, stretch);
  EXPECT_EQ(Lines(Program("BenchmarkCreateGoroutines", 2 * (stretch + 1)).teardown).back(),
            "goexit 2 1");
  EXPECT_EQ(Lines(Program("BenchmarkCreateGoroutines", 2 * (2 * stretch + 1)).teardown).back(),
            "goexit 2 0");
}

TEST(Go15Suite, InOpGoroutinesStartAndExitInTheOp) {
  const RunProgram parallel = Program("BenchmarkCreateGoroutinesParallel", 10);
  std::set<int> ps;
  for (const TraceEvent& e : parallel.body) {
    if (e.kind == TraceEvent::kGo) ps.insert(e.p);
  }
  EXPECT_EQ(ps, (std::set<int>{0, 1}));
  EXPECT_EQ(parallel.iterations, 5);
  // CreateGoroutinesCapture's op: four goroutines and a 16-byte WaitGroup
  // (Go 1.5.1's own report: 16 B/op, 1 allocs/op), on the benchmark
  // goroutine's P, which moves to the next P every
  // kCreateGoroutinesCaptureOpsPerMove ops (the loop's pmove).
  const RunProgram capture = Program("BenchmarkCreateGoroutinesCapture", 5000);
  EXPECT_EQ(capture.iterations, 5000);
  // The P runs the fourth first, then the third; where the other P has
  // stolen some of them, the last exits of the body (the first two for
  // two), as many as Go's counts draw: at a move (the loop's psteal) and
  // in the ops between (its pstay).
  EXPECT_EQ(Lines(capture.body),
            (std::vector<std::string>{"alloc 1 16 noscan 0", "drop 1", "go 2 0", "go 3 0",
                                      "go 4 0", "go 5 0", "goexit 5 0", "goexit 4 0",
                                      "goexit 2 0", "goexit 3 0"}));
  EXPECT_EQ(capture.p_move_iterations, kCreateGoroutinesCaptureOpsPerMove);
  EXPECT_EQ(capture.p_steal,
            std::vector<uint64_t>(kCreateGoroutinesCaptureExitsAtMove.begin(),
                                  kCreateGoroutinesCaptureExitsAtMove.end()));
  EXPECT_EQ(capture.p_stay,
            std::vector<uint64_t>(kCreateGoroutinesCaptureExitsBetweenMoves.begin(),
                                  kCreateGoroutinesCaptureExitsBetweenMoves.end()));
  // No other benchmark draws its steals.
  for (const char* other : {"BenchmarkCreateGoroutines", "BenchmarkMalloc8"}) {
    EXPECT_TRUE(Program(other, 5000).p_steal.empty()) << other;
    EXPECT_TRUE(Program(other, 5000).p_stay.empty()) << other;
  }
}

// deferproc makes each record with newdefer on the system stack (go1.5.1
// panic.go): a pooled size class (deferclass 2 of 5), but b.N records are
// live at once, so all but a pool's worth come from mallocgc.
// RunBuilder::Parallel copies the body once per P; the copies for the other
// Ps leave out what belongs to the iteration, not to each worker: its
// compute time and the calls that stop the world (runtime.GC(),
// debug.FreeOSMemory(), ReadMemStats).
TEST(Go15Suite, ParallelCopiesLeaveOutTimeAndTheCallsThatStopTheWorld) {
  const TraceEvent::Kind per_iteration[] = {TraceEvent::kGc, TraceEvent::kFreeOsMemory,
                                            TraceEvent::kReadMemStats, TraceEvent::kCompute};
  RunBuilder b(RunContext{6, 3, 1.0});
  b.OpAlloc(64, /*noscan=*/true);
  for (TraceEvent::Kind kind : per_iteration) {
    TraceEvent e{};
    e.kind = kind;
    e.ns = kind == TraceEvent::kCompute ? 100 : 0;
    b.OpEvent(e);
  }
  b.Parallel();
  const RunProgram prog = b.Build("parallel", 10.0);
  EXPECT_EQ(prog.iterations, 2);
  EXPECT_EQ(Count(prog.body, TraceEvent::kAlloc), 3);
  for (TraceEvent::Kind kind : per_iteration) {
    EXPECT_EQ(Count(prog.body, kind), 1) << kind;
  }
}

// pb.Next's grain is 1 in a benchmark's first run: a b.N below GOMAXPROCS
// gives ops to that many workers only, each op on its own P in one
// iteration as long as a full one.
TEST(Go15Suite, ParallelRunsOnlyBNOpsWhenBNIsBelowGomaxprocs) {
  for (const auto& [n, ops] : std::map<int64_t, int>{{1, 1}, {2, 2}, {3, 3}, {4, 3}}) {
    RunBuilder b(RunContext{n, 3, 1.0});
    b.OpAlloc(64, /*noscan=*/true);
    b.Parallel();
    EXPECT_EQ(b.ParallelOpPs(), ops) << n;
    const RunProgram prog = b.Build("parallel", 10.0);
    EXPECT_EQ(prog.iterations, n <= 3 ? 1 : 2) << n;
    EXPECT_EQ(prog.ns_per_iteration, 30) << n;
    std::set<int> ps;
    for (const TraceEvent& e : prog.body) ps.insert(e.p);
    EXPECT_EQ(static_cast<int>(ps.size()), ops) << n;
    EXPECT_EQ(Count(prog.body, TraceEvent::kAlloc), ops) << n;
  }
}

TEST(Go15Suite, DeferManyKeepsOneRecordPerOpMadeOnTheSystemStack) {
  const RunProgram prog = Program("BenchmarkDeferMany", 500);
  EXPECT_TRUE(prog.setup.empty());
  EXPECT_EQ(AllocSizes(prog.body), std::vector<uint64_t>{80});
  ASSERT_EQ(prog.body.size(), 2u);
  EXPECT_TRUE(prog.body[0].system_stack);
  EXPECT_TRUE(prog.body[0].chain);  // newdefer links each record to the last
  EXPECT_EQ(prog.body[1].kind, TraceEvent::kRetain);
  EXPECT_EQ(prog.iterations, 500);
  // The deferred calls' time (under a millisecond: one slice), the release
  // of the records it ran, then the teardown's release of the rest (none).
  ASSERT_EQ(prog.teardown.size(), 3u);
  EXPECT_EQ(prog.teardown[0].kind, TraceEvent::kCompute);
  EXPECT_EQ(prog.teardown[1].kind, TraceEvent::kRelease);
  EXPECT_EQ(prog.teardown[1].id, 500u);
  EXPECT_EQ(prog.teardown[2].kind, TraceEvent::kRelease);
  EXPECT_EQ(prog.teardown[2].id, 0u);
}

TEST(Go15Suite, MapPopGrowsItsBucketArrayAndKeepsTheLast) {
  // 144-byte buckets; 100 keys grow the table to 16, 1000 to 256, 10000 to
  // 2048, doubling from 2 (the first bucket is on the stack); every array
  // but the last is dropped once the next one is made.
  for (const auto& [name, last_log] : std::map<std::string, int>{
           {"BenchmarkMapPop100", 4}, {"BenchmarkMapPop1000", 8}, {"BenchmarkMapPop10000", 11}}) {
    SCOPED_TRACE(name);
    const RunProgram prog = Program(name);
    std::vector<uint64_t> want;
    for (int log = 1; log <= last_log; ++log) want.push_back(uint64_t{144} << log);
    EXPECT_EQ(AllocSizes(prog.setup), want);
    want.pop_back();
    EXPECT_EQ(SetupGarbageSizes(prog), want);
    // Each array is dropped right after the next one is made.
    ASSERT_EQ(prog.setup.size(), 2u * last_log - 1);
    for (size_t i = 1; i + 1 < prog.setup.size(); i += 2) {
      EXPECT_EQ(prog.setup[i].kind, TraceEvent::kAlloc);
      EXPECT_EQ(prog.setup[i + 1].kind, TraceEvent::kDrop);
      EXPECT_EQ(prog.setup[i + 1].id, prog.setup[i == 1 ? 0 : i - 2].id);
    }
  }
}

TEST(Go15Suite, HashMakesStringsRepeatsSliceAndKeepsItsString) {
  const RunProgram prog = Program("BenchmarkHash65536");
  EXPECT_EQ(AllocSizes(prog.setup), (std::vector<uint64_t>{65536, 65536}));
  ASSERT_EQ(prog.setup.size(), 3u);
  EXPECT_EQ(prog.setup[2].kind, TraceEvent::kDrop);
  EXPECT_EQ(prog.setup[2].id, prog.setup[0].id);  // the slice, not the string
}

TEST(Go15Suite, CompareStringBigGrowsItsBufferThenCopiesTwoStrings) {
  // The 1 MiB buffer, its growth by a quarter (growslice past 1024
  // elements), then s1 and s2 from the grown one; both buffers are garbage.
  const uint64_t big = 1048586;  // 74899 x "Hello Gophers!"
  EXPECT_EQ(AllocSizes(Program("BenchmarkCompareStringBig").setup),
            (std::vector<uint64_t>{1 << 20, 1310720, big, big}));
  EXPECT_EQ(AllocSizes(Program("BenchmarkCompareStringBigUnaligned").setup),
            (std::vector<uint64_t>{1 << 20, 1310720, big, 5 + big}));
  EXPECT_EQ(SetupGarbageSizes(Program("BenchmarkCompareStringBig")),
            (std::vector<uint64_t>{1 << 20, 1310720}));
}

TEST(Go15SuiteDeathTest, SetupGarbageMustBeDroppedBeforeTheLoop) {
  RunBuilder b(RunContext{10, 2});
  b.SetupAllocTemp(64, true);
  EXPECT_DEATH(b.Build("BenchmarkX", 1.0), "SetupAllocTemp objects never dropped");
  RunBuilder c(RunContext{10, 2});
  c.SetupAlloc(64, true);
  EXPECT_DEATH(c.SetupDrop(1), "no live SetupAllocTemp object");
}

TEST(Go15Suite, SetupGarbageAllocatesThenDropsInSetup) {
  RunBuilder b(RunContext{10, 2});
  b.SetupAlloc(8, true);
  b.SetupGarbage(32, false, 2, 1);
  const RunProgram prog = b.Build("BenchmarkX", 1.0);
  ASSERT_EQ(prog.setup.size(), 5u);
  EXPECT_EQ(prog.setup[1].kind, TraceEvent::kAlloc);
  EXPECT_EQ(prog.setup[1].bytes, 32u);
  EXPECT_FALSE(prog.setup[1].noscan);
  EXPECT_EQ(prog.setup[1].p, 1);
  EXPECT_EQ(prog.setup[2].kind, TraceEvent::kAlloc);
  EXPECT_EQ(prog.setup[3].kind, TraceEvent::kDrop);
  EXPECT_EQ(prog.setup[3].id, prog.setup[1].id);
  EXPECT_EQ(prog.setup[4].id, prog.setup[2].id);
  ASSERT_EQ(prog.teardown.size(), 1u);  // only the live object
  EXPECT_EQ(prog.teardown[0].id, prog.setup[0].id);
}

TEST(Go15Suite, SetTypeSliceSetupIsTheArrayAndItsBoxedHeader) {
  EXPECT_EQ(AllocSizes(Program("BenchmarkSetTypeNode1024Slice").setup),
            (std::vector<uint64_t>{8208 * 32, 24}));
  EXPECT_EQ(AllocSizes(Program("BenchmarkSetTypePtr126").setup), std::vector<uint64_t>{1008});
}


// With a sink, a WholeRun body goes to the sink as it is written and the
// program only counts it; the events are those the held body has.
TEST(Go15Suite, AStreamedBodyIsTheHeldBodyEventForEvent) {
  class Collect final : public EventSink {
   public:
    void Put(const TraceEvent& e) override { events.push_back(FormatTraceEvent(e)); }
    std::vector<std::string> events;
  };
  const Go15Benchmark* mm = Find("BenchmarkMatmult");
  ASSERT_NE(mm, nullptr);
  const RunProgram held = Program("BenchmarkMatmult", 1000000);
  Collect sink;
  RunBuilder builder(RunContext{1000000, 2}, &sink);
  mm->generate(builder);
  const RunProgram streamed = builder.Build("BenchmarkMatmult", 10.0);
  EXPECT_FALSE(held.body_streamed);
  EXPECT_TRUE(streamed.body_streamed);
  EXPECT_TRUE(streamed.body.empty());
  std::vector<std::string> want;
  for (const TraceEvent& e : held.body) want.push_back(FormatTraceEvent(e));
  EXPECT_EQ(sink.events, want);
  EXPECT_EQ(streamed.body_events, static_cast<int64_t>(held.body.size()));
  // 2236 goroutines and their 2236 done channels.
  EXPECT_EQ(streamed.body_work, 2 * 2236);
  EXPECT_EQ(held.body_work, 2 * 2236);
  EXPECT_EQ(streamed.setup.size(), held.setup.size());
  EXPECT_EQ(streamed.teardown.size(), held.teardown.size());
  EXPECT_EQ(streamed.ns_per_iteration, held.ns_per_iteration);
  // Programs that loop keep their body whatever the builder was given.
  RunBuilder looping(RunContext{10, 2}, &sink);
  Find("BenchmarkMalloc8")->generate(looping);
  const RunProgram malloc8 = looping.Build("BenchmarkMalloc8", 10.0);
  EXPECT_FALSE(malloc8.body_streamed);
  EXPECT_EQ(malloc8.body.size(), 2u);
}

TEST(Go15SuiteDeathTest, WholeRunAfterTheFirstBodyEventDies) {
  RunBuilder b(RunContext{10, 2});
  b.OpAlloc(8, true);
  EXPECT_DEATH(b.WholeRun(), "WholeRun after the body's first event");
}

// A loop without a safe point makes no heap event that would reach one:
// mallocgc on a goroutine and every other runtime call a heap event stands
// for would. DeferMany's records, made on the system stack, are the only
// events such a loop has.
TEST(Go15Suite, LoopsWithoutSafePointMakeNoHeapEventThatReachesOne) {
  int marked = 0;
  std::set<std::string> with_events;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (b.loop != kNoSafePoint) continue;
    ++marked;
    for (int procs : {1, 2, 4}) {
      const RunProgram prog = Program(b.name, 1000, procs);
      for (const TraceEvent& e : prog.body) {
        EXPECT_FALSE(ReachesSafePoint(e)) << b.name << ": " << FormatTraceEvent(e);
      }
      if (!prog.body.empty()) with_events.insert(b.name);
    }
  }
  EXPECT_EQ(marked, 131);
  EXPECT_EQ(with_events, std::set<std::string>{"BenchmarkDeferMany"});
}

// Only DeferMany's defer records are made on the system stack: newproc1's
// g structs are the goroutine table's (go events), and nothing else the
// suite allocates is mallocgc'd there in Go 1.5.1.
TEST(Go15Suite, OnlyDeferManyAllocatesOnTheSystemStack) {
  std::set<std::string> on_g0;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    const RunProgram prog = Program(b.name, 1000);
    for (const std::vector<TraceEvent>* part : {&prog.setup, &prog.body, &prog.teardown}) {
      for (const TraceEvent& e : *part) {
        if (e.system_stack) on_g0.insert(b.name);
      }
    }
  }
  EXPECT_EQ(on_g0, std::set<std::string>{"BenchmarkDeferMany"});
}

}  // namespace
}  // namespace thp
