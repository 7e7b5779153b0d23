#include "mheap/go15/replay/port_decisions.h"

#include <variant>

#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace heaplog {
namespace {

// The port's decisions, as records, for one allocation that grows the heap,
// one free, one scavenge pass and one reuse of released memory.
TEST(PortDecisionsTest, WritesTheHeapsDecisionsAsGoLogsThem) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "prefix");
  ASSERT_TRUE(mem.ok());
  PortDecisions port;
  (*mem)->set_observer(&port);
  VirtualClock clock(5000);
  MHeap heap(**mem, clock, 1);
  heap.set_observer(&port);
  port.set_arena_start(heap.layout().arena_start);
  ASSERT_EQ(port.queue().size(), 1u);  // mallocinit's sysReserve
  EXPECT_EQ(std::get<SysReserve>(port.queue()[0].body).p, uintptr_t{0xc000000000});
  EXPECT_EQ(port.sys_alloc().calls, 1);  // the first persistentalloc chunk
  port.queue().clear();

  MSpan* s = heap.Alloc(PageCount(1), 0, /*large=*/true, /*needzero=*/true);
  std::deque<PortDecision>& q = port.queue();
  ASSERT_EQ(q.size(), 7u);
  EXPECT_EQ(std::get<SysMap>(q[0].body).v, heap.layout().arena_start);  // the arena, bitmap, spans
  EXPECT_TRUE(std::holds_alternative<SysMap>(q[1].body));
  EXPECT_TRUE(std::holds_alternative<SysMap>(q[2].body));
  const Grow& g = std::get<Grow>(q[3].body);
  EXPECT_EQ(g.npage, 8u);
  EXPECT_EQ(g.ask, uintptr_t{1} << 20);
  const Free& grown = std::get<Free>(q[4].body);
  EXPECT_EQ(grown.why, FreeWhy::kGrow);
  EXPECT_TRUE(grown.stamped);
  EXPECT_EQ(q[4].stamp, 5000);
  const Free& trim = std::get<Free>(q[5].body);
  EXPECT_EQ(trim.why, FreeWhy::kTrim);
  EXPECT_EQ(trim.page, 1u);
  EXPECT_EQ(trim.merged_npages, 127u);
  EXPECT_FALSE(trim.stamped);
  const AllocDone& done = std::get<AllocDone>(q[6].body);
  EXPECT_EQ(done.page, std::optional<uint64_t>(0));
  EXPECT_EQ(done.found_npages, 128u);
  q.clear();

  clock.Set(6000);
  port.set_free_why(FreeWhy::kLarge);
  heap.Free(s, /*acct=*/true);
  ASSERT_EQ(q.size(), 1u);
  const Free& f = std::get<Free>(q[0].body);
  EXPECT_EQ(f.why, FreeWhy::kLarge);
  EXPECT_TRUE(f.acctinuse && f.acctidle && f.stamped);
  EXPECT_EQ(f.merged_npages, 128u);  // coalesced with the trimmed tail
  EXPECT_EQ(q[0].stamp, 6000);
  q.clear();

  heap.Scavenge(-1, ~uint64_t{0}, 0);
  ASSERT_EQ(q.size(), 3u);  // sysUnused, then prefix's NOHUGEPAGE and DONTNEED
  EXPECT_EQ(std::get<SysUnused>(q[0].body).n, uintptr_t{1} << 20);
  EXPECT_EQ(std::get<Madvise>(q[1].body).advice, 15u);
  EXPECT_EQ(std::get<Madvise>(q[2].body).advice, 4u);
  EXPECT_EQ(std::get<Madvise>(q[2].body).result, 0);
  q.clear();

  heap.AllocStack(PageCount(2));
  ASSERT_EQ(q.size(), 4u);  // sysUsed of the whole span, HUGEPAGE, the trim, alloc_done
  EXPECT_EQ(std::get<SysUsed>(q[0].body).n, uintptr_t{1} << 20);
  EXPECT_EQ(std::get<Madvise>(q[1].body).advice, 14u);
  EXPECT_EQ(std::get<AllocDone>(q[3].body).found_npreleased, 128u);
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
