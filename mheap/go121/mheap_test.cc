// The Go 1.21 heap at each release state: where it maps what, which madvise
// calls it makes on which range with the heap lock held or not, and when it
// scavenges, on the simulated kernel (and, for the release-state scenario,
// the real one), with CheckInvariants after every step.
#include "mheap/go121/mheap.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {
namespace {

using ::testing::ElementsAre;

constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t kArena0 = uintptr_t{0xc000000000};
constexpr uintptr_t kPS = kPageSize;

// A heap on its own kernel, recorded.
class Fixture {
 public:
  explicit Fixture(const std::string& variant, Kernel* kernel = nullptr)
      : rec_(kernel != nullptr ? *kernel : sim_) {
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec_, variant);
    EXPECT_TRUE(m.ok()) << m.status();
    mem_ = *std::move(m);
    heap_ = std::make_unique<MHeap>(*mem_, clock_, /*nprocs=*/1);
    rec_.Clear();
  }
  ~Fixture() { heap_.reset(); }

  MSpan* Alloc(uintptr_t npages) {
    MSpan* s = heap_->Alloc(npages, /*spanclass=*/0);
    heap_->CheckInvariants();
    return s;
  }
  void Free(MSpan* s) {
    heap_->FreeSpan(s);
    heap_->CheckInvariants();
  }
  uintptr_t ScavengeAll() {
    const uintptr_t r = heap_->ScavengeAll();
    heap_->CheckInvariants();
    return r;
  }
  void Gc(uint64_t next_goal) {
    heap_->GcMarkTermination(next_goal);
    heap_->CheckInvariants();
  }
  // The madvise calls since the last Clear, in order.
  std::vector<KernelCall> Madvises() const { return rec_.MadviseCalls(); }
  // The madvise calls on the heap arena only.
  std::vector<KernelCall> ArenaMadvises() const {
    std::vector<KernelCall> out;
    for (const KernelCall& c : rec_.MadviseCalls()) {
      if (c.addr >= kArena0 && c.addr < kArena0 + 64 * kMiB) out.push_back(c);
    }
    return out;
  }

  SimulatedKernel sim_;
  RecordingKernel rec_;
  VirtualClock clock_{1'000'000'000};
  std::unique_ptr<MemLinux> mem_;
  std::unique_ptr<MHeap> heap_;
};

TEST(Go121HeapTest, InitReservesSummariesAndIndexOnly) {
  SimulatedKernel sim;
  RecordingKernel rec(sim);
  absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec, "none");
  ASSERT_TRUE(m.ok());
  VirtualClock clock;
  MHeap heap(**m, clock, 1);
  // Five summary levels (128 KiB to 512 MiB) and the scavenge index, all
  // PROT_NONE, wherever the kernel puts them; nothing else yet.
  ASSERT_EQ(rec.calls().size(), 6u);
  const uintptr_t sizes[6] = {128 << 10, 1 << 20, 8 << 20, 64 << 20, 512 << 20, 512 << 20};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(rec.calls()[i].kind, KernelCall::kMmap);
    EXPECT_EQ(rec.calls()[i].prot, Prot::kNone);
    EXPECT_EQ(rec.calls()[i].len, sizes[i]);
  }
  EXPECT_EQ(heap.arena_hints().front().addr, kArena0);
  EXPECT_EQ(heap.arena_hints().size(), 64u);
  EXPECT_EQ(heap.arena_hints().back().addr, (uintptr_t{0x3f} << 40) | kArena0);
  heap.CheckInvariants();
}

TEST(Go121HeapTest, FirstAllocationGrowsOneChunkOfTheFirstArena) {
  Fixture f("none");
  MSpan* s = f.Alloc(1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->base(), kArena0);
  EXPECT_FALSE(s->needzero);
  // 64 MiB reserved at the first hint, 4 MiB of it mapped.
  EXPECT_EQ(f.heap_->cur_arena_base(), kArena0 + 4 * kMiB);
  EXPECT_EQ(f.heap_->cur_arena_end(), kArena0 + 64 * kMiB);
  EXPECT_EQ(f.heap_->arena_hints().front().addr, kArena0 + 64 * kMiB);
  EXPECT_THAT(f.sim_.Vmas(kArena0, kArena0 + 64 * kMiB),
              ElementsAre(Vma{kArena0, kArena0 + 4 * kMiB, Prot::kReadWrite, HugeFlag::kNone},
                          Vma{kArena0 + 4 * kMiB, kArena0 + 64 * kMiB, Prot::kNone,
                              HugeFlag::kNone}));
  // The GC metadata: the arena map's L2 and the chunk bitmap block, both
  // NOHUGEPAGE (the heap goal is far below 1 GiB).
  const uintptr_t l2 = f.heap_->arena_l2_addr();
  const uintptr_t block = f.heap_->pages().ChunkBlockAddr(ChunkIndex(kArena0).l1());
  EXPECT_THAT(f.Madvises(), ElementsAre(MadviseCall(l2, kArenaL2Bytes, Advice::kNoHugePage),
                                        MadviseCall(block, 1 * kMiB, Advice::kNoHugePage)));
  // Stats: 4 MiB grown, released but for the one page now in use.
  EXPECT_EQ(f.heap_->stats().heap_in_use, kPS);
  EXPECT_EQ(f.heap_->stats().heap_released, 4 * kMiB - kPS);
  EXPECT_EQ(f.heap_->stats().heap_free, 0u);
  // mappedReady: the metadata (1 MiB block, one heapArena, 128 KiB of L0,
  // four 4 KiB summary pages, one index page) and the one page.
  EXPECT_EQ(f.mem_->mapped_ready(),
            kMiB + kHeapArenaStructBytes + (128 << 10) + 5 * 4096 + kPS);
}

TEST(Go121HeapTest, SmallAllocationsComeFromThePageCache) {
  Fixture f("none");
  MSpan* a = f.Alloc(1);  // grows; the cache was empty and stays so
  MSpan* b = f.Alloc(1);  // refills the cache with pages 1..63
  MSpan* c = f.Alloc(3);
  EXPECT_EQ(b->base(), kArena0 + kPS);
  EXPECT_EQ(c->base(), kArena0 + 2 * kPS);
  EXPECT_EQ(f.heap_->page_cache(0).base, kArena0);
  EXPECT_EQ(f.heap_->page_cache(0).cache, ~uint64_t{0} << 5);
  // 16 pages and more skip the cache.
  MSpan* d = f.Alloc(16);
  EXPECT_EQ(d->base(), kArena0 + 64 * kPS);
  f.Free(a);
  f.Free(c);
  f.heap_->FlushPageCache(0);
  f.heap_->CheckInvariants();
  f.Free(b);
  f.Free(d);
}

TEST(Go121HeapTest, GrowthStepsThroughTheArenaAndToTheNextHint) {
  Fixture f("none");
  f.Alloc(16 * 512);          // 64 MiB: the whole first arena
  MSpan* s = f.Alloc(600);    // needs a second arena at the next hint
  EXPECT_EQ(s->base(), kArena0 + 64 * kMiB);
  EXPECT_EQ(f.heap_->all_arenas().size(), 2u);
  EXPECT_THAT(f.sim_.Vmas(kArena0, kArena0 + 128 * kMiB),
              ElementsAre(Vma{kArena0, kArena0 + 72 * kMiB, Prot::kReadWrite, HugeFlag::kNone},
                          Vma{kArena0 + 72 * kMiB, kArena0 + 128 * kMiB, Prot::kNone,
                              HugeFlag::kNone}));
  // Contiguous with the first, so one range for the page allocator.
  EXPECT_EQ(f.heap_->pages().in_use().ranges().size(), 1u);
}

TEST(Go121HeapTest, ATakenHintIsDroppedForTheNext) {
  Fixture f("none");
  ASSERT_EQ(MapFixed(f.sim_, kArena0 + 32 * kMiB, 4096), 0);  // someone else's page
  MSpan* s = f.Alloc(1);
  EXPECT_EQ(s->base(), uintptr_t{0x1c000000000});
  EXPECT_EQ(f.heap_->arena_hints().front().addr, uintptr_t{0x1c000000000} + 64 * kMiB);
  EXPECT_EQ(f.heap_->arena_hints().size(), 63u);
}

// The scenario that shows the release states apart: a chunk is used, freed
// and released (its dense mark clears), then refilled past 496 pages.
struct ScenarioCalls {
  std::vector<KernelCall> grow, release, refill;
};

ScenarioCalls RunDenseRefill(Fixture& f) {
  ScenarioCalls out;
  MSpan* a = f.Alloc(100);
  out.grow = f.ArenaMadvises();
  f.rec_.Clear();
  f.Free(a);
  EXPECT_EQ(f.ScavengeAll(), 100 * kPS);
  out.release = f.ArenaMadvises();
  f.rec_.Clear();
  MSpan* b = f.Alloc(497);
  EXPECT_EQ(b->base(), kArena0);
  out.refill = f.ArenaMadvises();
  return out;
}

TEST(Go121HeapTest, DenseRefillPerReleaseState) {
  const KernelCall huge = MadviseCall(kArena0, 4 * kMiB, Advice::kHugePage);
  const KernelCall nohuge = MadviseCall(kArena0, 4 * kMiB, Advice::kNoHugePage);
  const KernelCall collapse = MadviseCall(kArena0, 4 * kMiB, Advice::kCollapse);
  const KernelCall release = MadviseCall(kArena0, 100 * kPS, Advice::kDontNeed);
  const KernelCall disable = MadviseCall(kArena0, 4 * kMiB, Advice::kNoHugePage);
  struct Want {
    std::string variant;
    ScenarioCalls calls;
  };
  const std::vector<Want> wants = {
      {"hugepage_eager", {{huge}, {nohuge, release}, {huge}}},  // go1.21.0
      {"collapse", {{}, {release}, {collapse}}},                // go1.21.1-1.21.3
      {"none", {{}, {release}, {}}},                            // go1.21.4+
      {"disablethp", {{disable}, {release}, {}}},               // go1.21.6, disablethp=1
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(w.variant);
    Fixture f(w.variant);
    const ScenarioCalls got = RunDenseRefill(f);
    EXPECT_EQ(got.grow, w.calls.grow);
    EXPECT_EQ(got.release, w.calls.release);
    EXPECT_EQ(got.refill, w.calls.refill);
    // The dense advice is made under the heap lock, the release without.
    const MadviseCounters& c = f.mem_->counters();
    EXPECT_EQ(c.heap_locked_latency[static_cast<int>(Advice::kDontNeed)].count(), 0);
    EXPECT_EQ(c.heap_locked_latency[static_cast<int>(Advice::kCollapse)].count(),
              w.variant == "collapse" ? 1 : 0);
  }
}

TEST(Go121HeapTest, HugepageEagerVmas) {
  Fixture f("hugepage_eager");
  MSpan* a = f.Alloc(100);
  f.Alloc(512);  // a second growth, HUGEPAGE too: the two merge
  EXPECT_THAT(f.sim_.Vmas(kArena0, kArena0 + 8 * kMiB),
              ElementsAre(Vma{kArena0, kArena0 + 8 * kMiB, Prot::kReadWrite, HugeFlag::kHuge}));
  f.Free(a);
  f.ScavengeAll();  // NOHUGEPAGE on the first chunk before its release
  EXPECT_THAT(f.sim_.Vmas(kArena0, kArena0 + 8 * kMiB),
              ElementsAre(Vma{kArena0, kArena0 + 4 * kMiB, Prot::kReadWrite, HugeFlag::kNoHuge},
                          Vma{kArena0 + 4 * kMiB, kArena0 + 8 * kMiB, Prot::kReadWrite,
                              HugeFlag::kHuge}));
}

TEST(Go121HeapTest, CollapseFromThePageCacheWhenSmallAllocationsFillAReleasedChunk) {
  Fixture f("collapse");
  MSpan* big = f.Alloc(512);
  f.Free(big);
  f.ScavengeAll();  // the chunk's mark clears
  f.rec_.Clear();
  // One-page objects: the page cache takes 64 pages at a time; the eighth
  // block takes the chunk from 448 to 512 pages in use.
  std::vector<MSpan*> spans;
  for (int i = 0; i < 8 * 64; ++i) spans.push_back(f.Alloc(1));
  EXPECT_THAT(f.ArenaMadvises(),
              ElementsAre(MadviseCall(kArena0, 4 * kMiB, Advice::kCollapse)));
  EXPECT_EQ(f.mem_->counters().CallsAt(AdviceSite::kChunkDense, Advice::kCollapse), 1);
}

// Before the first GC's mark termination the scavenger's goals are their
// zero value, 0, yet growth scavenges nothing: the background cursor has
// not been set by any nextGen.
TEST(Go121HeapTest, NoGrowthScavengingBeforeTheFirstGc) {
  Fixture f("none");
  MSpan* a = f.Alloc(1024);
  f.Free(a);
  EXPECT_EQ(f.heap_->scavenge_goals().gc_percent_goal, 0u);
  f.Alloc(2048);  // grows
  EXPECT_EQ(f.heap_->released_eager_total(), 0u);
  EXPECT_EQ(f.mem_->counters().Calls(Advice::kDontNeed), 0);
}

TEST(Go121HeapTest, GrowthScavengesFreeChunksAgainstTheGcPercentGoal) {
  for (const std::string variant : {"hugepage_eager", "none"}) {
    SCOPED_TRACE(variant);
    Fixture f(variant);
    MSpan* a = f.Alloc(1024);  // chunks 0-1
    f.Alloc(16);               // chunk 2
    f.Free(a);
    f.Gc(4 * kMiB);  // first cycle: no goal yet
    EXPECT_EQ(f.heap_->scavenge_goals().gc_percent_goal, kNoGoal);
    // lastHeapInUse 128 KiB at goal ratio 1, plus 10% (integer division),
    // rounded up to 4 KiB: 144179 -> 147456.
    f.Gc(4 * kMiB);
    EXPECT_EQ(f.heap_->scavenge_goals().gc_percent_goal, 36u * 4096);
    f.rec_.Clear();
    MSpan* c = f.Alloc(1100);  // 12 MiB of growth
    EXPECT_EQ(c->base(), kArena0 + 8 * kMiB + 16 * kPS);
    EXPECT_EQ(f.heap_->released_eager_total(), 8 * kMiB);
    std::vector<KernelCall> want;
    for (uintptr_t chunk : {kArena0 + 4 * kMiB, kArena0}) {
      if (variant == "hugepage_eager") {
        want.push_back(MadviseCall(chunk, 4 * kMiB, Advice::kNoHugePage));
      }
      want.push_back(MadviseCall(chunk, 4 * kMiB, Advice::kDontNeed));
    }
    if (variant == "hugepage_eager") {
      want.insert(want.begin(), MadviseCall(kArena0 + 12 * kMiB, 12 * kMiB, Advice::kHugePage));
    }
    EXPECT_EQ(f.ArenaMadvises(), want);
  }
}

TEST(Go121HeapTest, MemoryLimitForcesScavengingAtAllocation) {
  Fixture f("hugepage_eager");
  f.Alloc(512);  // the chunk, then all of it released
  f.Free(f.heap_->SpanOf(kArena0));
  f.ScavengeAll();
  MSpan* e = f.Alloc(32);
  f.Alloc(32);
  f.Free(e);  // 32 free pages, not released
  f.heap_->SetMemoryLimit(static_cast<int64_t>(f.mem_->mapped_ready()));
  // The 1.21 background goal is 95 times the limit: none.
  EXPECT_EQ(f.heap_->scavenge_goals().memory_limit_goal, kNoGoal);
  f.rec_.Clear();
  MSpan* d = f.Alloc(64);  // 512 KiB of released pages brought back
  EXPECT_EQ(d->base(), kArena0 + 64 * kPS);
  // Over the limit by 512 KiB; forced scavenging finds e's 256 KiB. The
  // chunk's mark was cleared by the first release: no NOHUGEPAGE.
  EXPECT_THAT(f.ArenaMadvises(), ElementsAre(MadviseCall(kArena0, 32 * kPS, Advice::kDontNeed)));
  EXPECT_EQ(f.heap_->released_eager_total(), 32 * kPS);
}

TEST(Go121HeapTest, BackgroundScavengerReleasesAHugePageARun) {
  Fixture f("none");
  MSpan* a = f.Alloc(2048);  // 16 MiB
  f.Alloc(16);
  f.Free(a);
  f.Gc(1 * kMiB);
  f.Gc(1 * kMiB);
  BackgroundScavenger bg(f.clock_, f.heap_->BackgroundScavengerHooks());
  f.rec_.Clear();
  bg.Wake();
  // One 64 KiB request becomes a whole free huge page (2 MiB = 512 pages of
  // 4 KiB, 5.12 ms at 10 us a page): one request fills the run.
  EXPECT_EQ(bg.RunDue(), 2 * kMiB);
  f.heap_->CheckInvariants();
  EXPECT_THAT(f.ArenaMadvises(),
              ElementsAre(MadviseCall(kArena0 + 14 * kMiB, 2 * kMiB, Advice::kDontNeed)));
  EXPECT_EQ(bg.timer_deadline(), f.clock_.NanoTime() + 5'120'000'000);
}

// Found by the checker: scavengeOne searches a chunk only at and below the
// index find gave it, and marks the chunk empty when that finds nothing, so
// pages freed above the background cursor in the current GC cycle are then
// hidden from every scavenge, forced ones included, until the next free in
// that chunk. go1.21.x does this (master too, as of this port).
TEST(Go121HeapTest, BackgroundPassHidesPagesFreedAboveItsCursor) {
  Fixture f("none");
  MSpan* a = f.Alloc(100);  // pages [0, 100)
  f.Alloc(100);             // [100, 200)
  MSpan* c = f.Alloc(100);  // [200, 300)
  f.Alloc(212);             // the rest of the chunk
  f.Free(a);
  f.Gc(1 * kMiB);  // nextGen: the background cursor goes to page 99
  f.Free(c);       // this cycle's free, above the cursor
  f.rec_.Clear();
  // A background pass finds a's pages below the cursor, then nothing more
  // at or below page 99, and marks the chunk empty.
  EXPECT_EQ(f.heap_->pages().Scavenge(kMiB, nullptr, /*force=*/false), 100 * kPS);
  EXPECT_TRUE(f.heap_->pages().scav_index().Load(ChunkIndex(kArena0)).IsEmpty());
  // FreeOSMemory now skips the chunk: c's 100 pages stay resident.
  EXPECT_EQ(f.ScavengeAll(), 0u);
  EXPECT_THAT(f.ArenaMadvises(), ElementsAre(MadviseCall(kArena0, 100 * kPS, Advice::kDontNeed)));
  EXPECT_EQ(f.heap_->stats().heap_free, 100 * kPS);
}

TEST(Go121HeapTest, MetadataHugePagesWhenTheGoalPassesOneGiB) {
  Fixture f("none");
  f.Alloc(1);
  f.rec_.Clear();
  f.Gc(uint64_t{2} << 30);
  // The chunk bitmap block gets nothing (Go's loop skips a heap inside one
  // 32 GiB L1 entry); the arena map's L2 gets HUGEPAGE on its huge pages.
  const uintptr_t l2 = f.heap_->arena_l2_addr();
  const uintptr_t lo = RoundUp(l2, kHugePageSize), hi = RoundDown(l2 + kArenaL2Bytes, kHugePageSize);
  EXPECT_THAT(f.Madvises(), ElementsAre(MadviseCall(lo, hi - lo, Advice::kHugePage)));
  EXPECT_TRUE(f.heap_->arenas_huge_pages());
  EXPECT_TRUE(f.heap_->pages().chunk_huge_pages());
  f.rec_.Clear();
  f.Gc(uint64_t{2} << 30);  // once only
  EXPECT_TRUE(f.Madvises().empty());
}

TEST(Go121HeapTest, StacksAreManualSpans) {
  Fixture f("none");
  MSpan* s = f.heap_->AllocManual(4, SpanAllocType::kStack);
  f.heap_->CheckInvariants();
  EXPECT_EQ(s->state, SpanState::kManual);
  EXPECT_EQ(f.heap_->stats().in_stacks, static_cast<int64_t>(4 * kPS));
  EXPECT_EQ(f.heap_->stats().heap_in_use, 0u);
  f.heap_->FreeManual(s, SpanAllocType::kStack);
  f.heap_->CheckInvariants();
  EXPECT_EQ(f.heap_->stats().in_stacks, 0);
}

// The release-state scenario on this machine's kernel gives the same calls
// on the arena, and the same arena VMAs, as on the simulated one.
TEST(Go121HeapRealKernelTest, DenseRefillMatchesTheSimulatedKernel) {
  for (const std::string variant : {"hugepage_eager", "collapse", "none", "disablethp"}) {
    SCOPED_TRACE(variant);
    LinuxKernel real;
    if (!real.RangeUnmapped(kArena0, 64 * kMiB)) {
      GTEST_SKIP() << "the first Go heap hint is mapped in this process";
    }
    Fixture on_real(variant, &real);
    const ScenarioCalls r = RunDenseRefill(on_real);
    const std::vector<Vma> real_vmas = real.Vmas(kArena0, kArena0 + 64 * kMiB);
    on_real.heap_.reset();  // unmaps before the next variant reuses the hint
    Fixture on_sim(variant);
    const ScenarioCalls s = RunDenseRefill(on_sim);
    EXPECT_EQ(r.grow, s.grow);
    EXPECT_EQ(r.release, s.release);
    EXPECT_EQ(r.refill, s.refill);
    EXPECT_EQ(real_vmas, on_sim.sim_.Vmas(kArena0, kArena0 + 64 * kMiB));
  }
}

}  // namespace
}  // namespace go121
}  // namespace thp
