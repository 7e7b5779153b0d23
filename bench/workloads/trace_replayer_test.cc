// Replays of traces on the simulated kernel: goroutine events, loops, the
// sample trace with and without the VMA census, and bad ids.
#include "bench/workloads/trace_replayer.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_line_testing.h"
#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "scavenger/sysmon.h"

namespace thp {
namespace {

// A loop's options with pmove k, psteal `weights` and pstay `stay`.
LoopOptions Moving(int64_t k, std::vector<uint64_t> weights = {},
                   std::vector<uint64_t> stay = {}) {
  LoopOptions o;
  o.p_move = k;
  o.p_steal = std::move(weights);
  o.p_stay = std::move(stay);
  return o;
}


// go, gogrow and goexit go through the runtime's goroutine table: a dead g
// is reused, and its stack is gone after a GC.
TEST(Trace, GoroutineEventsReuseDeadGsAndTheirStacks) {
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(
      "thp-trace 1\ngo 1 0\ngogrow 1 8192 0\ngo 2 1\ngoexit 1 0\ngoexit 2 1\n"
      "go 3 1\ngc\ngo 4 0\n");
  ASSERT_TRUE(events.ok()) << events.status();
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), false, nullptr);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->Run(*events, nullptr).ok());
  const GoroutineTable& gs = (*r)->runtime().goroutines();
  // 3 took 2's g on P 1 (with its 2 KiB stack); 4 took 1's g on P 0, whose
  // 8 KiB stack gfput freed: a 2 KiB one again.
  EXPECT_EQ(gs.allglen(), 2u);
  EXPECT_TRUE(gs.IsRunning(0) && gs.IsRunning(1));
  EXPECT_EQ(gs.stack_bytes(0), 2048u);
  (*r)->runtime().heap().CheckInvariants();
  TraceEvent exit{};
  exit.kind = TraceEvent::kGoExit;
  exit.id = 2;
  EXPECT_EQ((*r)->Apply(exit).message(), "goexit 2: no running goroutine has that id");
  TraceEvent go{};
  go.kind = TraceEvent::kGo;
  go.id = 3;
  EXPECT_EQ((*r)->Apply(go).message(), "go 3: id already running");
}

// A ramped gouse reaches Go 1.5's goroutine table: a GC 0.1 of an op in
// halves the 1 MiB stack and the op grows it back (a new one), a GC 0.9 in
// leaves it.
TEST(Trace, ARampedStackUseShrinksAtAGcOnlyEarlyInItsOp) {
  for (const auto& [into, moved] : {std::pair<int, bool>{100000, true}, {900000, false}}) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
        sim, absl::StrCat("thp-trace 1\ngo 1 0\ngouse 1 1000000 0 ramp 1000000\ncompute ",
                          3000000 + into, "\n"),
        /*batched=*/true);
    ASSERT_NE(r, nullptr);
    const GoroutineTable& gs = r->runtime().goroutines();
    ASSERT_EQ(gs.stack_bytes(0), 1u << 20);
    const uintptr_t lo = gs.stack_lo(0);
    r->runtime().GC();
    EXPECT_EQ(gs.stack_bytes(0), 1u << 20) << into;
    EXPECT_EQ(gs.stack_lo(0) != lo, moved) << into;
  }
}

// A loop is its body run `iterations` times with the loop's busy time: the
// same heap, clock and census as the events written out one by one.
TEST(Trace, LoopEqualsItsUnrolledBody) {
  const std::string body =
      "alloc 1 40000 noscan 0\nalloc 2 16 scan 1\ndrop 2\nstack 3 8192 0\nunstack 3 0\ndrop 1\n"
      "alloc 4 80 scan 1\nretain 4\n";
  // 4 ms per iteration spread over the three allocs and the stack: one
  // kLoopSliceNs slice after each (after an alloc's drop where the drop
  // follows it: the loop takes the pair as one transient allocation, dead
  // before the time passes).
  std::string looped =
      "thp-trace 1\nbench BenchmarkX 400\nloop 400 4000000\n" + body + "end\nrelease\ngc\n";
  std::string unrolled = "thp-trace 1\n";
  for (int i = 0; i < 400; ++i) {
    unrolled += "alloc 1 40000 noscan 0\ncompute 1000000\nalloc 2 16 scan 1\ndrop 2\n"
                "compute 1000000\nstack 3 8192 0\ncompute 1000000\nunstack 3 0\ndrop 1\n"
                "alloc 4 80 scan 1\ncompute 1000000\nretain 4\n";
  }
  unrolled += "release\ngc\n";
  auto run = [](const std::string& text) {
    absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
    EXPECT_TRUE(events.ok()) << events.status();
    SimulatedKernel sim;
    absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
        TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
    EXPECT_TRUE(r.ok());
    int benches = 0;
    absl::Status st = (*r)->Run(*events, [&](const TraceEvent&) { ++benches; });
    EXPECT_TRUE(st.ok()) << st;
    (*r)->runtime().heap().CheckInvariants();
    const MemStats& m = (*r)->runtime().heap().stats();
    const MadviseCounters& k = (*r)->heap_runtime().counters();
    return std::make_tuple((*r)->stats().virtual_ns, m.numgc, m.heap_sys, m.heap_released,
                           (*r)->stats().max_own_vmas, (*r)->sysmon().scavenges(),
                           k.bytes[static_cast<size_t>(Advice::kDontNeed)]);
  };
  auto a = run(looped);
  auto b = run(unrolled);
  EXPECT_EQ(a, b);
  // An empty body is time only, advanced in the same slices: 3 iterations
  // of 400 us make one slice of 1.2 ms.
  std::string empty = "thp-trace 1\nloop 2000 400000\nend\n";
  std::string slices = "thp-trace 1\n";
  for (int i = 0; i < 666; ++i) slices += "compute 1200000\n";
  slices += "compute 800000\n";
  EXPECT_EQ(run(empty), run(slices));
  // The loop's time, then the last runtime.GC()'s stopped world (with the
  // scan of the GC's three goroutines: backgroundgc, a mark worker per P).
  EXPECT_EQ(std::get<0>(a), int64_t{400} * 4000000 + kBlockingCycleNs +
                                   3 * (kBlockingCycleNsPerAllG + kBlockingCycleNsPerG));
  EXPECT_GT(std::get<6>(a), 0u);  // 1.6 s of virtual time: the scavenger released spans
  EXPECT_GT(std::get<1>(a), 0u);  // 16 MB of garbage: the pacer ran cycles
}

// A pmove loop's goroutine moves to the next P every k iterations: the
// same runtime as its body unrolled with each stretch's events on the next
// P in turn (GOMAXPROCS 2: P 0, 1, 0, 1), and dead gs on both Ps' free
// lists where the loop without pmove leaves them all on P 0's.
TEST(Trace, APmoveLoopMovesItsGoroutineToTheNextPEveryKIterations) {
  auto run = [](const std::string& text) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r =
        ReplayTraceText(sim, text, /*batched=*/true, /*scavenge_debug=*/true);
    r->runtime().heap().CheckInvariants();
    const MemStats& m = r->runtime().heap().stats();
    const GoroutineTable& gs = r->runtime().goroutines();
    return std::make_tuple(r->stats().virtual_ns, m.numgc, m.heap_sys, m.heap_inuse,
                           m.heap_released, gs.allglen(), gs.local_free(0), gs.local_free(1));
  };
  // Two goroutines an op (the second started while the first runs), and a
  // transient alloc; 2 ms an iteration, 1 ms after the alloc and each go.
  auto body = [](int p) {
    return absl::StrCat("alloc 1 4000 noscan ", p, "\ndrop 1\ngo 2 ", p, "\ngo 3 ", p,
                        "\ngoexit 2 ", p, "\ngoexit 3 ", p, "\n");
  };
  const std::string looped = "thp-trace 1\nloop 10 3000000 pmove 3\n" + body(0) + "end\ngc\n";
  std::string unrolled = "thp-trace 1\n";
  for (int i = 0; i < 10; ++i) {
    const int p = i / 3 % 2;
    unrolled += absl::StrCat("alloc 1 4000 noscan ", p, "\ndrop 1\ncompute 1000000\ngo 2 ", p,
                             "\ncompute 1000000\ngo 3 ", p, "\ncompute 1000000\ngoexit 2 ", p,
                             "\ngoexit 3 ", p, "\n");
  }
  unrolled += "gc\n";
  const auto moved = run(looped);
  EXPECT_EQ(moved, run(unrolled));
  // The loop's 30 ms, then the runtime.GC()'s stopped world.
  EXPECT_GT(std::get<0>(moved), int64_t{10} * 3000000);
  EXPECT_LT(std::get<0>(moved), int64_t{10} * 3000000 + 1000000);
  // P 1's first stretch found its free list empty and made two gs more.
  EXPECT_EQ(std::get<5>(moved), 4u);
  EXPECT_EQ(std::get<6>(moved), 2u);
  EXPECT_EQ(std::get<7>(moved), 2u);
  const auto stays = run("thp-trace 1\nloop 10 3000000\n" + body(0) + "end\ngc\n");
  EXPECT_EQ(std::get<5>(stays), 2u);
  EXPECT_EQ(std::get<6>(stays), 2u);
  EXPECT_EQ(std::get<7>(stays), 0u);
  // A pmove of as many iterations as the loop has, or more, never moves.
  EXPECT_EQ(run("thp-trace 1\nloop 10 3000000 pmove 10\n" + body(0) + "end\ngc\n"), stays);
  // An event on P 1 moves to P 0 in the second stretch.
  EXPECT_EQ(run("thp-trace 1\nloop 6 3000000 pmove 3\n" + body(1) + "end\ngc\n"),
            run("thp-trace 1\nloop 3 3000000\n" + body(1) + "end\nloop 3 3000000\n" + body(0) +
                "end\ngc\n"));
}

// Loop slices end on a grid of the loop's busy time, not a count restarted
// at each flush: with one, every slice of this loop (an iteration of 1,518
// ns, 379 ns after each go) would end after the same go, and sysmon's
// rounds and a mark's end would always find the same goroutines alive. On
// the grid each go ends about a quarter of the 1,518 slices, each exit
// none (they carry no time), the iteration's end (2 ns) few.
TEST(Trace, LoopSlicesEndAfterEachTimedEventOfTheBodyInTurn) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
      sim,
      "thp-trace 1\nloop 100000 1518\ngo 2 0\ngo 3 0\ngo 4 0\ngo 5 0\ngoexit 5 0\n"
      "goexit 4 0\ngoexit 2 0\ngoexit 3 0\nend\n",
      /*batched=*/true, /*scavenge_debug=*/true);
  const std::vector<int64_t>& ends = r->slice_ends_by_step();
  ASSERT_EQ(ends.size(), 9u);
  int64_t all = 0;
  for (int64_t n : ends) all += n;
  EXPECT_EQ(all, 100000 * 1518 / kLoopSliceNs);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_GT(ends[k], all / 4 - all / 20) << "go " << k;
    EXPECT_LT(ends[k], all / 4 + all / 20) << "go " << k;
  }
  for (size_t k = 4; k < 8; ++k) EXPECT_EQ(ends[k], 0) << "goexit " << k;
  EXPECT_LT(ends[8], all / 100);
}

// What a goroutine trace leaves, for the pmove tests: its virtual time,
// the heap in use, the gs made, and P 0's and P 1's free lists.
std::tuple<int64_t, uint64_t, size_t, size_t, size_t> GoroutineListsAfter(
    const std::string& text) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r =
      ReplayTraceText(sim, text, /*batched=*/true, /*scavenge_debug=*/true);
  const GoroutineTable& gs = r->runtime().goroutines();
  return std::make_tuple(r->stats().virtual_ns, r->runtime().heap().stats().heap_inuse,
                         gs.allglen(), gs.local_free(0), gs.local_free(1));
}

// A move marker in a pmove loop's body: in the last iteration of each
// stretch that another follows, the events after it run on the next P
// (the goroutines the other P stole exit there, and their gs go to its
// free list); the loop's last iteration moves nowhere.
TEST(Trace, APmoveLoopsMoveMarkerSendsTheRestOfTheMovingIterationToTheNextP) {
  const auto run = GoroutineListsAfter;
  const std::string looped =
      "thp-trace 1\nloop 10 2000000 pmove 3\nalloc 1 4000 noscan 0\ndrop 1\ngo 2 0\ngo 3 0\n"
      "move\ngoexit 3 0\ngoexit 2 0\nend\n";
  std::string unrolled = "thp-trace 1\n";
  for (int i = 0; i < 10; ++i) {
    const int p = i / 3 % 2;
    const int q = i % 3 == 2 && i < 9 ? 1 - p : p;
    unrolled += absl::StrCat("alloc 1 4000 noscan ", p, "\ndrop 1\ncompute 666666\ngo 2 ", p,
                             "\ncompute 666666\ngo 3 ", p, "\ncompute 666666\ngoexit 3 ", q,
                             "\ngoexit 2 ", q, "\ncompute 2\n");
  }
  const auto moved = run(looped);
  EXPECT_EQ(moved, run(unrolled));
  // Iteration 2's gs went to P 1, which iterations 3 to 5 reused, and
  // iteration 5's back to P 0: no g was made past the first two.
  EXPECT_EQ(std::get<2>(moved), 2u);
  // Iteration 8's went to P 1, where iteration 9 left them.
  EXPECT_EQ(std::get<3>(moved), 0u);
  EXPECT_EQ(std::get<4>(moved), 2u);
  // The marker alone moves nothing in a loop too short to move.
  const auto short_loop = run(
      "thp-trace 1\nloop 3 2000000 pmove 3\ngo 2 0\nmove\ngoexit 2 0\nend\n");
  EXPECT_EQ(std::get<3>(short_loop), 1u);
  EXPECT_EQ(std::get<4>(short_loop), 0u);
  // Through ApplyLoop: a marker needs pmove, and comes once.
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(r.ok());
  TraceEvent move{};
  move.kind = TraceEvent::kMove;
  const char* why = "a loop body holds at most one move, and only with pmove";
  EXPECT_EQ((*r)->ApplyLoop({move}, 4, 1000).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({move, move}, 4, 1000, Moving(2)).message(), why);
  EXPECT_EQ((*r)->Apply(move).code(), absl::StatusCode::kInvalidArgument);
}

// psteal draws, at each move, how many of the body's goexits run on the
// next P. A draw that is always 2 is the move marker before the last two.
TEST(Trace, APstealLoopThatAlwaysDrawsTwoEqualsAMarkerBeforeTheLastTwoExits) {
  const auto run = GoroutineListsAfter;
  const std::string gos = "alloc 1 16 noscan 0\ndrop 1\ngo 2 0\ngo 3 0\ngo 4 0\ngo 5 0\n";
  const auto drawn = run("thp-trace 1\nloop 20 2000000 pmove 3 psteal 0,0,1\n" + gos +
                         "goexit 5 0\ngoexit 4 0\ngoexit 2 0\ngoexit 3 0\nend\n");
  const auto marked = run("thp-trace 1\nloop 20 2000000 pmove 3\n" + gos +
                          "goexit 5 0\ngoexit 4 0\nmove\ngoexit 2 0\ngoexit 3 0\nend\n");
  EXPECT_EQ(drawn, marked);
  // Drawing 0 every time is a pmove loop without a marker.
  EXPECT_EQ(run("thp-trace 1\nloop 20 2000000 pmove 3 psteal 1\n" + gos +
                "goexit 5 0\ngoexit 4 0\ngoexit 2 0\ngoexit 3 0\nend\n"),
            run("thp-trace 1\nloop 20 2000000 pmove 3\n" + gos +
                "goexit 5 0\ngoexit 4 0\ngoexit 2 0\ngoexit 3 0\nend\n"));
  // Mixed weights: the same draws in every replay, and not all one way.
  const std::string mixed = "thp-trace 1\nloop 2000 2000000 pmove 3 psteal 1,1,1,1,1\n" + gos +
                            "goexit 5 0\ngoexit 4 0\ngoexit 2 0\ngoexit 3 0\nend\n";
  EXPECT_EQ(run(mixed), run(mixed));
  // Unequal moves walk the lists apart: more gs than a fixed draw's.
  EXPECT_GT(std::get<2>(run(mixed)), std::get<2>(marked));
}

// The ten iterations of a two-goroutine pmove 5 loop body ("alloc 1 4000
// noscan", a drop, go 2, go 3, goexit 3, goexit 2, of 2 ms each) unrolled:
// iteration i runs on P i / 5 % 2, its goexit 3 on P q3(i, p) and its
// goexit 2 on P q2(i, p).
template <typename Q3, typename Q2>
std::string UnrolledTwoGoroutineLoop(Q3 q3, Q2 q2) {
  std::string unrolled = "thp-trace 1\n";
  for (int i = 0; i < 10; ++i) {
    const int p = i / 5 % 2;
    unrolled += absl::StrCat("alloc 1 4000 noscan ", p, "\ndrop 1\ncompute 666666\ngo 2 ", p,
                             "\ncompute 666666\ngo 3 ", p, "\ncompute 666666\ngoexit 3 ",
                             q3(i, p), "\ngoexit 2 ", q2(i, p), "\ncompute 2\n");
  }
  return unrolled;
}

// A draw past the body's goexits: the moving iteration sends all of them,
// and the rest go in an iteration in the stretch's middle that does not
// move (here iteration 1 of 0-4: a plain one, the steal, two plain ones,
// the moving one). The same runtime as the loop unrolled.
TEST(Trace, APstealDrawPastTheBodysExitsStealsMidStretchWithoutMoving) {
  const auto run = GoroutineListsAfter;
  const auto drawn = run(
      "thp-trace 1\nloop 10 2000000 pmove 5 psteal 0,0,0,1\nalloc 1 4000 noscan 0\ndrop 1\n"
      "go 2 0\ngo 3 0\ngoexit 3 0\ngoexit 2 0\nend\n");
  EXPECT_EQ(drawn, run(UnrolledTwoGoroutineLoop(
                       [](int i, int p) { return i == 4 ? 1 - p : p; },
                       [](int i, int p) { return i == 1 || i == 4 ? 1 - p : p; })));
  // Iteration 1 left one g on each list, so iteration 2 made a third;
  // iteration 4 sent its two to P 1, where the second stretch ran.
  EXPECT_EQ(std::get<2>(drawn), 3u);
  EXPECT_EQ(std::get<3>(drawn), 0u);
  EXPECT_EQ(std::get<4>(drawn), 3u);
}

// pstay draws in each iteration that does not move: one that always
// draws 1 sends every iteration's last goexit on while the goroutine
// stays, and psteal still places the moving iteration's (here 2). The same
// runtime as the loop unrolled.
TEST(Trace, APstayLoopSendsExitsOnInIterationsThatDoNotMove) {
  const auto run = GoroutineListsAfter;
  const auto drawn = run(
      "thp-trace 1\nloop 10 2000000 pmove 5 psteal 0,0,1 pstay 0,1\nalloc 1 4000 noscan 0\n"
      "drop 1\ngo 2 0\ngo 3 0\ngoexit 3 0\ngoexit 2 0\nend\n");
  EXPECT_EQ(drawn, run(UnrolledTwoGoroutineLoop([](int i, int p) { return i == 4 ? 1 - p : p; },
                                                 [](int, int p) { return 1 - p; })));
  // Drawing 0 every time is the psteal loop alone.
  const std::string body =
      "alloc 1 4000 noscan 0\ndrop 1\ngo 2 0\ngo 3 0\ngoexit 3 0\ngoexit 2 0\nend\n";
  EXPECT_EQ(run("thp-trace 1\nloop 10 2000000 pmove 5 psteal 1,1,1 pstay 1\n" + body),
            run("thp-trace 1\nloop 10 2000000 pmove 5 psteal 1,1,1\n" + body));
}

// A loop that never moves still draws pstay in every iteration: with
// weights 9 and 1, about one iteration in ten sends its g to P 1, whose
// free list keeps it, so P 0 makes a new one for the next (400
// iterations: 40 expected, 6 the standard deviation).
TEST(Trace, APstayLoopThatNeverMovesDrawsAtItsRate) {
  const auto lists = GoroutineListsAfter(
      "thp-trace 1\nloop 400 2000000 pmove 400 psteal 1 pstay 9,1\ngo 2 0\ngoexit 2 0\nend\n");
  const size_t stolen = std::get<4>(lists);
  EXPECT_GE(stolen, 22u);
  EXPECT_LE(stolen, 58u);
  EXPECT_EQ(std::get<2>(lists), stolen + 1);  // each steal left P 0 without a g
}

TEST(Trace, WeightedIndexPicksEachIndexInProportionToItsWeight) {
  const std::vector<uint64_t> w = {1, 0, 3};
  EXPECT_EQ(WeightedIndex(w, 0.0), 0u);
  EXPECT_EQ(WeightedIndex(w, 0.2499), 0u);
  EXPECT_EQ(WeightedIndex(w, 0.25), 2u);
  EXPECT_EQ(WeightedIndex(w, 0.9999999), 2u);
  EXPECT_EQ(WeightedIndex({0, 5, 0}, 0.9999999999999999), 1u);
  EXPECT_EQ(WeightedIndex({7}, 0.5), 0u);
}

// Through ApplyLoop: psteal needs pmove, no marker, a goexit in the body,
// and the parser's weights (at most 64, each at most 1e11, one above 0).
TEST(Trace, APstealLoopIsRefusedWithoutPmoveAGoexitOrAWeight) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(r.ok());
  TraceEvent go{}, exit{}, move{};
  go.kind = TraceEvent::kGo;
  go.id = 1;
  exit.kind = TraceEvent::kGoExit;
  exit.id = 1;
  move.kind = TraceEvent::kMove;
  const std::string why =
      "psteal needs pmove, a body with a goexit and no move, and 1 to 64 weights of at most "
      "1e11, not all 0";
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(0, {1, 1})).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({go, move, exit}, 4, 1000, Moving(2, {1, 1})).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({go}, 4, 1000, Moving(2, {1, 1})).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {0, 0})).message(), why);
  EXPECT_EQ(
      (*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, std::vector<uint64_t>(kMaxStealWeights + 1, 1)))
          .message(),
      why);
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {1, kMaxTraceCount + 1})).message(),
            why);
  EXPECT_TRUE((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {1, kMaxTraceCount})).ok());
}

// Through ApplyLoop: pstay needs psteal, and then neither list has more
// weights than the body has goexits and one.
TEST(Trace, APstayLoopIsRefusedWithoutPstealOrWithDrawsPastTheBodysExits) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(r.ok());
  TraceEvent go{}, exit{};
  go.kind = TraceEvent::kGo;
  go.id = 1;
  exit.kind = TraceEvent::kGoExit;
  exit.id = 1;
  const std::string why =
      "pstay needs psteal, and then each has 1 to 2 weights (the body's goexits and one) of at "
      "most 1e11, not all 0";
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {}, {1, 1})).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {1, 1}, {1, 1, 1})).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {1, 1, 1}, {1, 1})).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {1, 1}, {0, 0})).message(), why);
  EXPECT_EQ((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {1, 1}, {1, kMaxTraceCount + 1}))
                .message(),
            why);
  EXPECT_TRUE((*r)->ApplyLoop({go, exit}, 4, 1000, Moving(2, {1, 1}, {0, 1})).ok());
}

// A replayer on `sim` with GODEBUG=scavenge=1, its loops batched or not.
std::unique_ptr<TraceReplayer> NewReplayer(SimulatedKernel& sim, bool batched) {
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return nullptr;
  (*r)->set_batched_loops(batched);
  return *std::move(r);
}

// An alloc that states its work takes that many units of its iteration's
// time, where each other alloc, stack and go event takes one: a 4 ms
// iteration of a 3-unit and a 1-unit alloc is 3 ms after the first and
// 1 ms after the second, which the cycles those allocations start and
// sysmon's rounds see as the unrolled body shows them, and not as they see
// an even split. (The iterations are shorter than forcegcperiod, so no
// cycle is forced: a forced GC's mark that an allocation catches makes it
// wait, which a loop's ops repay and an unrolled compute does not.)
TEST(Trace, AnAllocsStatedWorkIsItsShareOfTheIterationsTime) {
  auto run = [](const std::string& text) {
    absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
    EXPECT_TRUE(events.ok()) << events.status();
    SimulatedKernel sim;
    std::unique_ptr<TraceReplayer> r = NewReplayer(sim, /*batched=*/true);
    absl::Status st = r->Run(*events, nullptr);
    EXPECT_TRUE(st.ok()) << st;
    std::vector<int64_t> starts;
    for (const GcCycle& c : r->runtime().gc().cycles()) starts.push_back(c.start_ns);
    return std::make_tuple(r->stats().virtual_ns, starts, r->sysmon().scavenges(),
                           r->runtime().heap().stats().heap_released);
  };
  const std::string body = "alloc 1 2000000 scan 0 work 3\nalloc 2 4000000 scan 0\ndrop 1\ndrop 2\n";
  const auto weighted = run("thp-trace 1\nloop 200 4000000\n" + body + "end\n");
  std::string unrolled = "thp-trace 1\n";
  for (int i = 0; i < 200; ++i) {
    unrolled += "alloc 1 2000000 scan 0\ncompute 3000000\nalloc 2 4000000 scan 0\ndrop 1\ndrop 2\n"
                "compute 1000000\n";
  }
  EXPECT_EQ(weighted, run(unrolled));
  EXPECT_EQ(std::get<0>(weighted), int64_t{200} * 4000000);
  EXPECT_GT(std::get<1>(weighted).size(), 50u);
  EXPECT_GT(std::get<2>(weighted), 50);  // sysmon's passes
  const auto even = run(
      "thp-trace 1\nloop 200 4000000\nalloc 1 2000000 scan 0\nalloc 2 4000000 scan 0\ndrop 1\n"
      "drop 2\nend\n");
  EXPECT_NE(std::get<1>(weighted), std::get<1>(even));
}

// A go or goexit that states its work takes that share of the iteration's
// time instead of its own (one for a go, none for a goexit): a go of work
// 0 and a goexit of work 1 put the whole 2 ms after the exit, so a GC
// forced meanwhile finds the goroutine dead (its stack freed) where the
// default puts the time while it runs.
TEST(Trace, AGoOrGoexitsStatedWorkMovesTheIterationsTime) {
  auto run = [](const std::string& text) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r =
        ReplayTraceText(sim, text, /*batched=*/true, /*scavenge_debug=*/true);
    std::vector<int64_t> starts;
    for (const GcCycle& c : r->runtime().gc().cycles()) starts.push_back(c.start_ns);
    return std::make_tuple(r->stats().virtual_ns, starts, r->runtime().goroutines().allglen());
  };
  std::string after_exit = "thp-trace 1\n";
  std::string while_running = "thp-trace 1\n";
  for (int i = 0; i < 20; ++i) {
    after_exit += "go 1 0\ngoexit 1 0\ncompute 2000000\n";
    while_running += "go 1 0\ncompute 2000000\ngoexit 1 0\n";
  }
  const auto moved = run("thp-trace 1\nloop 20 2000000\ngo 1 0 work 0\ngoexit 1 0 work 1\nend\n");
  EXPECT_EQ(moved, run(after_exit));
  EXPECT_EQ(run("thp-trace 1\nloop 20 2000000\ngo 1 0\ngoexit 1 0\nend\n"), run(while_running));
  // One 30 ms iteration after a runtime.GC() and a forced background cycle
  // (which starts the GC's own goroutines): sysmon forces cycles 10 ms
  // after each; with the time after the exit they find the g dead and free
  // its stack (shrinkstack), with it before the exit they find it running.
  auto stack_after = [](const std::string& body) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
        sim, "thp-trace 1\ngc\ncompute 25000000\nloop 1 30000000\n" + body + "end\n",
        /*batched=*/true, /*scavenge_debug=*/true);
    EXPECT_GE(r->runtime().gc().cycles().size(), 3u);
    // The trace's goroutine: the one dead g (the GC's own keep running).
    const GoroutineTable& gs = r->runtime().goroutines();
    std::vector<uintptr_t> dead;
    for (size_t g = 0; g < gs.allglen(); ++g) {
      if (!gs.IsRunning(g)) dead.push_back(gs.stack_lo(g));
    }
    EXPECT_EQ(dead.size(), 1u);
    return dead.empty() ? uintptr_t{1} : dead[0];
  };
  EXPECT_EQ(stack_after("go 1 0 work 0\ngoexit 1 0 work 1\n"), 0u);
  EXPECT_NE(stack_after("go 1 0\ngoexit 1 0\n"), 0u);
}

// The replayer's batched paths (a body of one transient alloc taken as
// one allocation run between clock slices; allocs dropped together held on
// the runtime's stack; retained objects held until the release) make the
// decisions the loop's events make applied one by one.
TEST(Trace, BatchedLoopsEqualTheirEventsOneByOne) {
  struct Loop {
    std::vector<std::string> body;  // allocs ("alloc ID BYTES scan|noscan P") and the rest
    int64_t iterations;
    int64_t ns_per_iteration;
    std::string flags = "";  // after the loop line's numbers
  };
  const std::vector<Loop> loops = {
      // One transient object per iteration: 25 iterations a slice, refills
      // and pacer-started cycles inside the runs (11 MB of 112-byte objects).
      {{"alloc 1 100 scan 0", "drop 1"}, 100000, 40000},
      // Tiny noscan objects, and a large one, on P 1.
      {{"alloc 2 8 noscan 1", "drop 2"}, 30000, 30000},
      {{"alloc 3 40000 noscan 1", "drop 3"}, 300, 700000},
      // Three objects dropped together; slices end inside the batch.
      {{"alloc 4 64 scan 0", "alloc 5 64 scan 1", "alloc 6 32 noscan 0", "drop 4", "drop 5",
        "drop 6"},
       20000,
       120000},
      // A retained object per iteration, released after the loop.
      {{"alloc 7 80 scan 1", "retain 7"}, 20000, 50000},
      // One transient object per iteration, moving between the Ps every
      // 7,000 iterations (the runs stop at each move).
      {{"alloc 8 100 scan 0", "drop 8"}, 100000, 40000, " pmove 7000"},
      {{"alloc 9 64 scan 0", "alloc 10 64 scan 1", "drop 9", "drop 10"}, 20000, 120000,
       " pmove 900"},
  };
  auto trace = [](const std::vector<Loop>& ls) {
    std::string text = "thp-trace 1\n";
    for (const Loop& l : ls) {
      text += absl::StrCat("loop ", l.iterations, " ", l.ns_per_iteration, l.flags, "\n");
      for (const std::string& e : l.body) text += e + "\n";
      text += "end\nrelease\n";
    }
    return text;
  };
  auto run = [](const std::string& text, bool batched) {
    absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
    EXPECT_TRUE(events.ok()) << events.status();
    SimulatedKernel sim;
    std::unique_ptr<TraceReplayer> r = NewReplayer(sim, batched);
    absl::Status st = r->Run(*events, nullptr);
    EXPECT_TRUE(st.ok()) << st;
    r->runtime().heap().CheckInvariants();
    const MemStats& m = r->runtime().heap().stats();
    return std::make_tuple(r->stats().virtual_ns, r->stats().events, m.numgc, m.heap_sys,
                           m.heap_inuse, m.heap_released, m.heap_live, m.tinyallocs,
                           r->stats().max_own_vmas, r->sysmon().scavenges(),
                           r->runtime().mem().counters().TotalCalls());
  };
  for (size_t i = 0; i <= loops.size(); ++i) {
    SCOPED_TRACE(i < loops.size() ? absl::StrCat("loop ", i) : "all loops");
    const std::vector<Loop> ls = i < loops.size() ? std::vector<Loop>{loops[i]} : loops;
    const auto batched = run(trace(ls), true);
    EXPECT_EQ(batched, run(trace(ls), false));
    if (i == loops.size()) {
      EXPECT_GE(std::get<2>(batched), 3u);  // cycles started inside the runs
      EXPECT_GT(std::get<4>(batched), 0u);  // what the last cycle left in use
      EXPECT_GT(std::get<10>(batched), 0);  // the scavenger released memory
    }
  }
}

// set_loop_slice_ns sets how much of a loop's busy time passes before
// sysmon and the background sweeper catch up: a loop of transient allocs
// with a 20 us slice is the same allocs with 20 us of compute after each
// slice's worth of iterations (the batched path and the one-by-one path
// alike), and is not the loop at a 1 ms slice. The program allocates
// 0.06 bytes/ns, slower than the mark shares were measured on
// (kMarkShareMinBytesPerNs), so it never waits for a mark: a wait would
// be repaid by the loop's ops and not by the computes. On one P, which the
// program keeps, no sweeper races its refills (HeapRuntime::
// AllocRacesSweeper): on two, a loop's refills during a sweep would come at
// their own moments, which the sliced allocs, stating no time between
// them, cannot.
TEST(Trace, TheLoopSliceIsTheBusyTimeBetweenCatchUps) {
  constexpr int64_t kSliceNs = 20000;
  constexpr int64_t kNsPerIteration = 400;
  constexpr int64_t kIterations = 600000;  // 240 ms: 15 MB of garbage, GC cycles and scavenges
  const std::string looped =
      absl::StrCat("thp-trace 1\nloop ", kIterations, " ", kNsPerIteration,
                   "\nalloc 1 24 noscan 0\ndrop 1\nend\n");
  std::string sliced = "thp-trace 1\n";
  for (int64_t i = 0; i < kIterations / (kSliceNs / kNsPerIteration); ++i) {
    for (int64_t k = 0; k < kSliceNs / kNsPerIteration; ++k) {
      sliced += "alloc 1 24 noscan 0\ndrop 1\n";
    }
    sliced += absl::StrCat("compute ", kSliceNs, "\n");
  }
  auto run = [](const std::string& text, bool batched, int64_t slice_ns) {
    absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
    EXPECT_TRUE(events.ok()) << events.status();
    SimulatedKernel sim;
    RuntimeOptions one_p;
    one_p.gomaxprocs = 1;
    absl::StatusOr<std::unique_ptr<TraceReplayer>> made =
        TraceReplayer::Create(sim, one_p, /*scavenge_debug=*/true, nullptr);
    EXPECT_TRUE(made.ok()) << made.status();
    std::unique_ptr<TraceReplayer> r = *std::move(made);
    r->set_batched_loops(batched);
    EXPECT_EQ(r->loop_slice_ns(), kLoopSliceNs);
    r->set_loop_slice_ns(slice_ns);
    absl::Status st = r->Run(*events, nullptr);
    EXPECT_TRUE(st.ok()) << st;
    r->runtime().heap().CheckInvariants();
    const MemStats& m = r->runtime().heap().stats();
    std::vector<int64_t> starts;
    for (const GcCycle& c : r->runtime().gc().cycles()) starts.push_back(c.start_ns);
    return std::make_tuple(r->stats().virtual_ns, m.numgc, m.heap_sys, m.heap_inuse,
                           m.heap_released, r->sysmon().scavenges(),
                           r->runtime().mem().counters().TotalCalls(), starts);
  };
  const auto fine = run(looped, /*batched=*/true, kSliceNs);
  EXPECT_EQ(fine, run(looped, /*batched=*/false, kSliceNs));
  EXPECT_EQ(fine, run(sliced, /*batched=*/true, kSliceNs));
  EXPECT_GE(std::get<1>(fine), 3u);  // cycles started inside the loop
  // At a 1 ms slice the cycles start at other times.
  EXPECT_NE(std::get<7>(fine), std::get<7>(run(looped, /*batched=*/true, 1000000)));
}

// `release <n>` drops the n objects retained last, whichever way each was
// retained (a batched loop's retains go on the runtime's held stack, the
// others to the replayer's own list), and refuses more than are retained.
TEST(Trace, ReleaseNDropsTheObjectsRetainedLast) {
  const std::string text =
      "thp-trace 1\nloop 100 1000\nalloc 1 80 scan 0\nretain 1\nend\n"
      "alloc 2 80 scan 0\nretain 2\nalloc 3 48 scan 1\nretain 3\n";
  for (bool batched : {true, false}) {
    SCOPED_TRACE(batched ? "batched" : "one by one");
    absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
    ASSERT_TRUE(events.ok()) << events.status();
    SimulatedKernel sim;
    std::unique_ptr<TraceReplayer> r = NewReplayer(sim, batched);
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->Run(*events, nullptr).ok());
    HeapRuntime& rt = r->heap_runtime();
    const size_t base = rt.live_objects() - 102;  // what the runtime holds of its own
    const size_t held = rt.held_height();
    EXPECT_EQ(held, batched ? 100u : 0u);
    auto apply = [&](const std::string& line) {
      absl::StatusOr<std::vector<TraceEvent>> e = ParseTrace("thp-trace 1\n" + line + "\n");
      EXPECT_TRUE(e.ok()) << e.status();
      return r->Run(*e, nullptr);
    };
    // The last two retained, outside the loop: the held stack keeps its 100.
    ASSERT_TRUE(apply("release 2").ok());
    EXPECT_EQ(rt.live_objects(), base + 100);
    EXPECT_EQ(rt.held_height(), held);
    // Then 30 of the loop's, the newest.
    ASSERT_TRUE(apply("release 30").ok());
    EXPECT_EQ(rt.live_objects(), base + 70);
    EXPECT_EQ(rt.held_height(), batched ? 70u : 0u);
    EXPECT_EQ(std::string(apply("release 71").message()),
              "trace line 2: release 71: only 70 objects are retained");
    ASSERT_TRUE(apply("release").ok());
    EXPECT_EQ(rt.live_objects(), base);
    r->runtime().heap().CheckInvariants();
  }
}

// A trace file read as it runs (CheckTrace, then RunStream, the way
// //bench:replay reads one) gives what the parsed trace gives, loops of one
// iteration streamed and loops of many held.
TEST(Trace, AFileStreamedGivesWhatTheParsedTraceGives) {
  std::string text = "thp-trace 1\nbench BenchmarkX 3\nloop 1 9000000\n";
  for (int i = 0; i < 3000; ++i) {
    text += absl::StrCat("alloc ", i, " ", 32 + i % 5000, " scan ", i % 2, "\n");
    if (i % 3 == 0) text += absl::StrCat("drop ", i, "\n");
    if (i % 7 == 0) text += absl::StrCat("go ", 100000 + i, " 0\ngoexit ", 100000 + i, " 1\n");
  }
  text += "end\nloop 400 50000\nalloc 900000 64 scan 0\ndrop 900000\nend\nsleep 20000000\n";
  auto outcome = [](TraceReplayer& r) {
    const MemStats& m = r.runtime().heap().stats();
    return std::make_tuple(r.stats().events, r.stats().virtual_ns, r.stats().max_own_vmas, m.numgc,
                           m.heap_sys, m.heap_inuse, m.heap_released,
                           r.runtime().mem().counters().TotalCalls(), r.runtime().live_objects());
  };
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  ASSERT_TRUE(events.ok()) << events.status();
  SimulatedKernel held_kernel, streamed_kernel;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> held =
      TraceReplayer::Create(held_kernel, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  absl::StatusOr<std::unique_ptr<TraceReplayer>> streamed =
      TraceReplayer::Create(streamed_kernel, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(held.ok() && streamed.ok());
  ASSERT_TRUE((*held)->Run(*events, nullptr).ok());
  std::FILE* f = fmemopen(text.data(), text.size(), "r");
  ASSERT_NE(f, nullptr);
  absl::StatusOr<TraceReplayer::StreamableLoops> loops = TraceReplayer::CheckTrace(f);
  ASSERT_TRUE(loops.ok()) << loops.status();
  EXPECT_EQ(loops->size(), 1u);  // the loop of one iteration, on line 3
  EXPECT_EQ(loops->at(3), 3000 + 3000 / 7 + 1);
  std::rewind(f);
  absl::Status st = (*streamed)->RunStream(f, nullptr, *loops);
  std::fclose(f);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(outcome(**streamed), outcome(**held));
  EXPECT_GT(std::get<0>(outcome(**held)), 3000);
}

// A body that allocates one id twice fails as its events one by one would,
// even where a batch (allocs, then their drops in order) follows.
TEST(Trace, ABatchNeverHidesAnIdAllocatedTwice) {
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(
      "thp-trace 1\nloop 3 1000\nalloc 1 16 scan 0\nalloc 2 16 scan 0\nalloc 1 16 scan 0\n"
      "drop 2\ndrop 1\nend\n");
  ASSERT_TRUE(events.ok()) << events.status();
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), false, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Run(*events, nullptr).message(),
            "trace loop at line 2: alloc 1: id already live");
}

struct Result {
  ReplayStats stats;
  uint64_t released;
  int64_t madvise_calls;
};

Result Replay(const std::string& variant, bool vma_census = true) {
  absl::StatusOr<std::string> text = ReadWholeFile("testdata/traces/churn.trace");
  EXPECT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(*text);
  EXPECT_TRUE(events.ok()) << events.status();
  SimOptions so;
  so.profile = Linux2015Profile();
  SimulatedKernel sim(so);
  RuntimeOptions o;
  o.variant = variant;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, o, /*scavenge_debug=*/true, nullptr, vma_census);
  EXPECT_TRUE(r.ok()) << r.status();
  for (const TraceEvent& e : *events) {
    absl::Status st = (*r)->Apply(e);
    EXPECT_TRUE(st.ok()) << "line " << e.line << ": " << st;
  }
  (*r)->runtime().heap().CheckInvariants();
  return Result{(*r)->stats(), (*r)->runtime().heap().stats().heap_released,
                (*r)->runtime().mem().counters().TotalCalls()};
}

TEST(Trace, ReplayIsDeterministicAndShowsThePrefixVariantsVmas) {
  Result prefix = Replay("prefix");
  Result prefix_again = Replay("prefix");
  Result fixed = Replay("fixed");
  Result none = Replay("none");
  EXPECT_EQ(prefix.stats.max_vmas, prefix_again.stats.max_vmas);
  EXPECT_EQ(prefix.madvise_calls, prefix_again.madvise_calls);
  EXPECT_GT(prefix.released, 0u);
  // Go 1.5.0's exact-range flags split the arena far more than 44078a3's
  // huge-page-granular ones, and DONTNEED alone splits nothing.
  EXPECT_GT(prefix.stats.max_vmas, 2 * fixed.stats.max_vmas);
  EXPECT_GE(fixed.stats.max_vmas, none.stats.max_vmas);
  std::fprintf(stderr, "churn.trace max VMAs (sim, linux2015): prefix %ld, fixed %ld, none %ld\n",
               static_cast<long>(prefix.stats.max_vmas), static_cast<long>(fixed.stats.max_vmas),
               static_cast<long>(none.stats.max_vmas));
}

TEST(Trace, WithoutTheCensusTheRuntimeMakesTheSameCallsAndNoVmaFigures) {
  Result with = Replay("prefix");
  Result without = Replay("prefix", /*vma_census=*/false);
  EXPECT_EQ(without.madvise_calls, with.madvise_calls);
  EXPECT_EQ(without.released, with.released);
  EXPECT_EQ(without.stats.events, with.stats.events);
  EXPECT_EQ(without.stats.virtual_ns, with.stats.virtual_ns);
  EXPECT_GT(with.stats.max_vmas, 0);
  EXPECT_EQ(without.stats.max_vmas, 0);
  EXPECT_EQ(without.stats.max_own_vmas, 0);
}

// GODEBUG=gctrace=1: the gc line of every cycle (Go 1.5 gc(mode)), in the
// order the cycles ran, with sysmon's "GC forced" before each cycle it
// forces (forcegchelper) and the scvg lines of every scavenge pass
// (mHeap_Scavenge), FreeOSMemory's scvg-1 included.
TEST(Trace, GctraceHasALineForEveryCycleAndEveryScavenge) {
  std::string text = "thp-trace 1\n";
  for (int i = 1; i <= 40; ++i) text += absl::StrCat("alloc ", i, " 400000 noscan ", i % 2, "\n");
  for (int i = 1; i <= 40; i += 2) text += absl::StrCat("drop ", i, "\n");
  // 100 ms with every P idle: with scavenge=1 sysmon forces a GC every
  // 10 ms and scavenges every 10; then runtime.GC() and FreeOSMemory.
  text += "sleep 100000000\ngc\nfreeosmemory\n";
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  ASSERT_TRUE(events.ok()) << events.status();
  SimulatedKernel sim;
  RuntimeOptions o;
  o.gomaxprocs = 3;
  std::vector<std::string> lines;
  const GcTraceWriter sink = [&lines](const std::string& line) { lines.push_back(line); };
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, o, /*scavenge_debug=*/true, &sink);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->Run(*events, nullptr).ok());

  const std::vector<GcCycle>& cycles = (*r)->runtime().gc().cycles();
  const int64_t init_ns = (*r)->now_ns() - (*r)->stats().virtual_ns;
  size_t gc = 0, forced = 0, stats_lines = 0, released_lines = 0;
  bool after_forced = false;
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "gc ")) {
      ASSERT_LT(gc, cycles.size());
      EXPECT_EQ(line, GcLine(cycles[gc], init_ns, 3));
      // A cycle sysmon forced is a background one, as forcegchelper starts it.
      if (after_forced) {
        EXPECT_EQ(cycles[gc].mode, GcMode::kBackground);
      }
      after_forced = false;
      ++gc;
    } else if (line == "GC forced") {
      after_forced = true;
      ++forced;
    } else if (absl::StrContains(line, ": inuse: ")) {
      ++stats_lines;
    } else {
      EXPECT_TRUE(absl::EndsWith(line, " MB released")) << line;
      ++released_lines;
    }
  }
  EXPECT_EQ(gc, cycles.size());
  EXPECT_GE(forced, 5u);
  EXPECT_EQ(stats_lines, static_cast<size_t>((*r)->sysmon().scavenges()) + 1);
  EXPECT_GE(released_lines, 1u);
  // The last three: runtime.GC()'s line, then FreeOSMemory's forced cycle
  // and its scvg-1 stats line (nothing left to release).
  ASSERT_GE(lines.size(), 3u);
  EXPECT_TRUE(absl::EndsWith(lines[lines.size() - 3], " 3 P (forced)")) << lines[lines.size() - 3];
  EXPECT_TRUE(absl::EndsWith(lines[lines.size() - 2], " 3 P (forced)")) << lines[lines.size() - 2];
  EXPECT_TRUE(absl::StartsWith(lines.back(), "scvg-1: inuse: ")) << lines.back();
}

// sysmon readies forcegc.g onto the global run queue's tail (go1.5.1
// injectglist): while the workload reports that queue, the forced GC starts
// only when a P has taken every g queued ahead of it and then looks again.
TEST(Trace, AForcedGcWaitsInTheGlobalRunQueueTheWorkloadReports) {
  SimulatedKernel sim;
  RuntimeOptions o;
  o.gomaxprocs = 2;
  std::vector<std::string> lines;
  const GcTraceWriter sink = [&lines](const std::string& line) { lines.push_back(line); };
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, o, /*scavenge_debug=*/true, &sink);
  ASSERT_TRUE(r.ok());
  auto apply = [&r](const std::string& line) { ApplyTraceLine(**r, line); };
  auto forced = [&lines] { return std::count(lines.begin(), lines.end(), "GC forced"); };
  const GcModel& gc = (*r)->runtime().gc();
  apply("gc");  // last_gc set: sysmon may force from 10 ms on
  ASSERT_EQ(gc.cycles_started(), 1u);
  apply("globrunqput 3");
  apply("compute 30000000");  // 30 ms busy: sysmon readies forcegc.g behind the 3
  EXPECT_EQ(gc.cycles_started(), 1u);
  EXPECT_EQ(forced(), 0);
  apply("globrunqget 0 1");
  apply("globrunqget 1 2");
  apply("compute 30000000");  // forcegc.g is not readied twice
  EXPECT_EQ(gc.cycles_started(), 1u);
  apply("globrunqget 0 0");  // the workload's queue is empty: the P takes forcegc.g
  EXPECT_EQ(gc.cycles_started(), 2u);
  EXPECT_TRUE(gc.marking());  // a background cycle, in its concurrent phase
  EXPECT_EQ(forced(), 1);
  // runtime.GC() ends the report: sysmon's next forced GC runs at once.
  apply("gc");
  const size_t after_gc = gc.cycles_started();
  apply("compute 30000000");
  EXPECT_GT(gc.cycles_started(), after_gc);
  EXPECT_GT(forced(), 1);
}

// Having readied the GC goroutine, forcegc.g yields (go1.5.1 mgc.go
// startGC's Gosched) onto the global queue's tail and sets forcegc.idle
// only when a P runs it again: until then sysmon readies no other forced
// GC, however long it has been since the last one ended.
TEST(Trace, ForcegcWaitsItsTurnAgainBeforeSysmonCanReadyItAnew) {
  SimulatedKernel sim;
  RuntimeOptions o;
  o.gomaxprocs = 2;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, o, /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(r.ok());
  auto apply = [&r](const std::string& line) { ApplyTraceLine(**r, line); };
  const Go15HeapRuntime& rt = static_cast<const Go15HeapRuntime&>((*r)->heap_runtime());
  const GcModel& gc = (*r)->runtime().gc();
  apply("gc");
  apply("globrunqput 3");
  apply("compute 30000000");  // forcegc.g readied behind the 3
  EXPECT_EQ(rt.forcegc_ahead(), 3);
  apply("globrunqget 0 1");
  apply("globrunqput 4");     // behind forcegc.g: 2 ahead of it, 4 after
  apply("globrunqget 1 3");   // takes the 2 and forcegc.g: the GC starts
  ASSERT_EQ(gc.cycles_started(), 2u);
  EXPECT_EQ(rt.forcegc_ahead(), -1);
  EXPECT_EQ(rt.forcegc_yield_ahead(), 3);  // it yields behind the 3 still queued
  apply("compute 30000000");  // 30 ms since that GC ended: forcegc.g is not parked
  EXPECT_EQ(rt.forcegc_ahead(), -1);
  apply("globrunqget 0 3");
  EXPECT_EQ(rt.forcegc_yield_ahead(), 0);
  apply("globrunqget 1 0");   // runs it: it parks, forcegc.idle set
  EXPECT_EQ(rt.forcegc_yield_ahead(), -1);
  EXPECT_EQ(gc.cycles_started(), 2u);
  apply("compute 30000000");  // sysmon readies it anew, the queue empty
  EXPECT_EQ(rt.forcegc_ahead(), 0);
  apply("globrunqget 0 0");
  EXPECT_EQ(gc.cycles_started(), 3u);
  EXPECT_EQ(rt.forcegc_yield_ahead(), 0);
  // runtime.GC() ends the report: forcegc.g has run by then.
  apply("gc");
  EXPECT_EQ(rt.forcegc_yield_ahead(), -1);
}

// A forced GC still queued when runtime.GC() comes runs first: the
// workload's goroutines are done, so a P has taken forcegc.g.
TEST(Trace, AForcedGcStillQueuedRunsBeforeRuntimeGc) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(r.ok());
  absl::StatusOr<std::vector<TraceEvent>> events =
      ParseTrace("thp-trace 1\ngc\nglobrunqput 500\ncompute 15000000\ngc\n");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_TRUE((*r)->Run(*events, nullptr).ok());
  const std::vector<GcCycle>& cycles = (*r)->runtime().gc().cycles();
  ASSERT_EQ(cycles.size(), 3u);
  EXPECT_EQ(cycles[1].mode, GcMode::kBackground);
  EXPECT_EQ(cycles[2].mode, GcMode::kForceBlock);
}

// sudog and unsudog reach the runtime's sudog caches (mheap/go15
// runtime_test checks the caches themselves): the workload holds a sudog
// from one to the other, and bad ids and Ps are errors.
TEST(Trace, SudogEventsHoldASudogUntilItIsGivenBack) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), false, nullptr);
  ASSERT_TRUE(r.ok());
  TraceReplayer& rep = **r;
  auto apply = [&rep](const char* line) {
    bool is_event = false;
    absl::StatusOr<TraceEvent> e = ParseTraceLine(line, 1, &is_event);
    EXPECT_TRUE(e.ok()) << e.status();
    return rep.Apply(*e);
  };
  ASSERT_TRUE(apply("sudog 1 0").ok());
  ASSERT_TRUE(apply("sudog 2 1").ok());
  EXPECT_EQ(rep.runtime().live_objects(), 2u);
  ASSERT_TRUE(apply("unsudog 1 0").ok());
  EXPECT_EQ(rep.runtime().live_objects(), 1u);  // the cache keeps it, the workload not
  EXPECT_EQ(apply("sudog 2 0").message(), "sudog 2: id already held");
  EXPECT_EQ(apply("unsudog 9 0").message(), "unsudog 9: no held sudog has that id");
  EXPECT_EQ(apply("unsudog 2 2").message(), "P 2: expected 0 to 1");
  ASSERT_TRUE(apply("unsudog 2 1").ok());
  rep.runtime().heap().CheckInvariants();
}

TEST(Trace, UnknownIdsAreErrorsNotCrashes) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), false, nullptr);
  ASSERT_TRUE(r.ok());
  TraceEvent drop{};
  drop.kind = TraceEvent::kDrop;
  drop.id = 42;
  EXPECT_EQ((*r)->Apply(drop).code(), absl::StatusCode::kNotFound);
  TraceEvent big{};
  big.kind = TraceEvent::kAlloc;
  big.id = 1;
  big.bytes = 0;
  EXPECT_FALSE((*r)->Apply(big).ok());
  (*r)->runtime().heap().CheckInvariants();
}


// The GC cycles a one-second timed loop sees under GODEBUG=scavenge=1
// (sysmon forces a GC when none ended for 10 ms), with and without a safe
// point in the loop.
std::vector<GcCycle> CyclesOfOneSecondLoop(bool no_safe_point) {
  // 2 ms after the loop: a cycle started at its end has ended its mark.
  const std::string trace = absl::StrCat("thp-trace 1\ngc\nloop 1000 1000000",
                                         no_safe_point ? " nosafepoint" : "",
                                         "\nend\ncompute 2000000\n");
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r =
      ReplayTraceText(sim, trace, /*batched=*/true, /*scavenge_debug=*/true);
  if (r == nullptr) return {};
  return r->runtime().gc().cycles();
}

// Forced cycles end kBackgroundCycleNs after they start (and the costs of
// the GC's three goroutines, in allgs and alive: backgroundgc and a mark worker per P), the
// first runtime.GC()'s stopped world kBlockingCycleNs after it stopped (no
// goroutine alive yet), so sysmon (waking 10 ms and a drawn overshoot
// apart, scavenger/sysmon.h) finds 10 ms since the last GC's end at the
// first wake after that: a forced GC more than 10 ms after the last one
// ended, and at most two rounds later, mostly at the second wake, 20 ms
// and a little after (Go 1.5.1: 19.3 ms median, testdata/go151_heaplog).
TEST(Trace, SysmonForcesAGcTenMillisecondsAfterTheLastOneEnded) {
  const std::vector<GcCycle> cycles = CyclesOfOneSecondLoop(false);
  ASSERT_GE(cycles.size(), 3u);
  EXPECT_EQ(cycles[0].mode, GcMode::kForceBlock);
  EXPECT_EQ(cycles[0].end_ns - cycles[0].start_ns, kBlockingCycleNs);
  const SysmonOptions o;
  const int64_t max_share =
      *std::max_element(o.capped_overshoot_ns.begin(), o.capped_overshoot_ns.end());
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < cycles.size(); ++i) {
    EXPECT_EQ(cycles[i].mode, GcMode::kBackground);
    EXPECT_EQ(cycles[i].end_ns - cycles[i].start_ns,
              kBackgroundCycleNs + 3 * (kBackgroundCycleNsPerAllG + kBackgroundCycleNsPerG));
    const int64_t gap = cycles[i].start_ns - cycles[i - 1].end_ns;
    EXPECT_GT(gap, 10000000);
    EXPECT_LE(gap, 20000000 + max_share);
    gaps.push_back(gap);
  }
  std::sort(gaps.begin(), gaps.end());
  EXPECT_GT(gaps[gaps.size() / 2], 19000000);
  EXPECT_LT(gaps[gaps.size() / 2], 21000000);
  EXPECT_GE(cycles.size(), 1u + 40u);
  EXPECT_LE(cycles.size(), 1u + 51u);
}

// A loop with no safe point: the one GC sysmon forces waits for the loop to
// end, and no other is forced meanwhile.
TEST(Trace, AGcForcedDuringALoopWithoutSafePointStartsWhenTheLoopEnds) {
  const std::vector<GcCycle> cycles = CyclesOfOneSecondLoop(true);
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0].mode, GcMode::kForceBlock);
  EXPECT_EQ(cycles[1].mode, GcMode::kBackground);
  EXPECT_EQ(cycles[1].start_ns - cycles[0].end_ns, 1000000000);  // the loop's end
}

// While the GC sysmon forced waits for a loop without a safe point, the
// world is stopping (sched.gcwaiting): sysmon's rounds are a 20 us usleep
// and a 5 ms note sleep, so its passes come two rounds, 10.68 ms, apart
// (Go 1.5.1's mean there, scavenger/sysmon.h). When the loop ends the world restarts
// and wakes sysmon, which starts over at 20 us: its next pass comes as soon
// as 10 ms have passed, not a note sleep later.
TEST(Trace, WhileAStopWaitsForALoopSysmonSleepsOnItsNote) {
  struct Passes : MHeapObserver {
    std::vector<int64_t> now;
    void OnGrow(PageCount, uintptr_t, uintptr_t) override {}
    void OnFreeSpan(PageId, PageCount, bool, bool, bool, const MSpan&) override {}
    void OnAllocSpan(const MSpan*, PageCount, PageCount) override {}
    void OnScavenge(int32_t k, uint64_t t, uint64_t) override {
      if (k >= 0) now.push_back(static_cast<int64_t>(t));
    }
  } passes;
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(
      "thp-trace 1\ngc\nloop 1000 1000000 nosafepoint\nend\ncompute 12000000\n");
  ASSERT_TRUE(events.ok()) << events.status();
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = NewReplayer(sim, /*batched=*/true);
  ASSERT_NE(r, nullptr);
  r->runtime().heap().set_observer(&passes);
  ASSERT_TRUE(r->Run(*events, nullptr).ok());
  r->runtime().heap().set_observer(nullptr);
  const std::vector<GcCycle>& cycles = r->runtime().gc().cycles();
  ASSERT_GE(cycles.size(), 2u);
  const int64_t loop_end = cycles[1].start_ns;  // the forced GC's start
  const int64_t loop_start = cycles[0].end_ns;
  // The GC is forced by the second pass or so; from the third pass in the
  // loop to its end the stop waits.
  std::vector<int64_t> inside, after;
  for (int64_t t : passes.now) {
    if (t > loop_start && t < loop_end) inside.push_back(t);
    if (t >= loop_end) after.push_back(t);
  }
  ASSERT_GT(inside.size(), 90u);
  ASSERT_FALSE(after.empty());
  for (size_t i = 3; i < inside.size(); ++i) {
    EXPECT_EQ(inside[i] - inside[i - 1], 10680000) << i;
  }
  EXPECT_LT(after[0] - inside.back(), 10000000 + 20000 + 100000 + 1);
}

}  // namespace
}  // namespace thp
