// The cases of Go 1.21's mpagealloc_test.go: TestPageAllocGrow,
// TestPageAllocAlloc, TestPageAllocExhaust, TestPageAllocFree,
// TestPageAllocAllocAndFree, with the same inputs and expectations, plus
// the mappings the allocator makes for its own metadata.
#include "mheap/go121/mpagealloc.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mheap/go121/page_alloc_testing.h"

namespace thp {
namespace go121 {
namespace {

constexpr unsigned kN = kPallocChunkPagesU;
const ChunkIdx B = kBaseChunkIdx;
constexpr uintptr_t kPS = kPageSize;
constexpr uintptr_t kBigJump = 0x100000;  // chunk index offset of O(TiB)

TEST(PageAllocTest, Grow) {
  struct Case {
    std::vector<uintptr_t> chunks;  // offsets from BaseChunkIdx
    std::vector<std::pair<uintptr_t, uintptr_t>> in_use;  // chunk offsets [lo, hi)
  };
  std::map<std::string, Case> cases = {
      {"One", {{0}, {{0, 1}}}},
      {"Contiguous2", {{0, 1}, {{0, 2}}}},
      {"Contiguous5", {{0, 1, 2, 3, 4}, {{0, 5}}}},
      {"Discontiguous", {{0, 2, 4}, {{0, 1}, {2, 3}, {4, 5}}}},
      {"Mixed", {{0, 1, 2, 4}, {{0, 3}, {4, 5}}}},
      {"WildlyDiscontiguous", {{0, 1, 0x10, 0x21}, {{0, 2}, {0x10, 0x11}, {0x21, 0x22}}}},
      {"ExtremelyDiscontiguous", {{0, kBigJump}, {{0, 1}, {kBigJump, kBigJump + 1}}}},
  };
  Case many;
  for (uintptr_t c = 0; c <= 64; c += 2) {
    many.chunks.push_back(c);
    many.in_use.push_back({c, c + 1});
  }
  cases["ManyDiscontiguous"] = many;
  EXPECT_EQ(cases.size(), 8u);
  for (const auto& [name, c] : cases) {
    ChunkMap chunks;
    for (uintptr_t off : c.chunks) chunks[B + off] = {};
    TestPageAlloc b(chunks, {}, /*has_scav=*/false);
    const std::vector<AddrRange>& got = b.p().in_use().ranges();
    ASSERT_EQ(got.size(), c.in_use.size()) << name;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i], AddrRange(PageBase(B + c.in_use[i].first, 0),
                                  PageBase(B + c.in_use[i].second, 0)))
          << name << " #" << i;
    }
  }
}

struct AllocHit {
  uintptr_t npages, base, scav;
};

struct AllocCase {
  ChunkMap before, scav, after;
  std::vector<AllocHit> hits;
};

std::map<std::string, AllocCase> AllocCases() {
  std::map<std::string, AllocCase> t;
  t["AllFree1"] = {{{B, {}}},
                   {{B, {{0, 1}, {2, 2}}}},
                   {{B, {{0, 5}}}},
                   {{1, PageBase(B, 0), kPS},
                    {1, PageBase(B, 1), 0},
                    {1, PageBase(B, 2), kPS},
                    {1, PageBase(B, 3), kPS},
                    {1, PageBase(B, 4), 0}}};
  t["ManyArena1"] = {{{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN - 1}}}},
                     {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN}}}},
                     {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN}}}},
                     {{1, PageBase(B + 2, kN - 1), kPS}}};
  t["NotContiguous1"] = {{{B, {{0, kN}}}, {B + 0xff, {{0, 0}}}},
                         {{B, {{0, kN}}}, {B + 0xff, {{0, kN}}}},
                         {{B, {{0, kN}}}, {B + 0xff, {{0, 1}}}},
                         {{1, PageBase(B + 0xff, 0), kPS}}};
  t["AllFree2"] = {{{B, {}}},
                   {{B, {{0, 3}, {7, 1}}}},
                   {{B, {{0, 10}}}},
                   {{2, PageBase(B, 0), 2 * kPS},
                    {2, PageBase(B, 2), kPS},
                    {2, PageBase(B, 4), 0},
                    {2, PageBase(B, 6), kPS},
                    {2, PageBase(B, 8), 0}}};
  t["Straddle2"] = {{{B, {{0, kN - 1}}}, {B + 1, {{1, kN - 1}}}},
                    {{B, {{kN - 1, 1}}}, {B + 1, {}}},
                    {{B, {{0, kN}}}, {B + 1, {{0, kN}}}},
                    {{2, PageBase(B, kN - 1), kPS}}};
  t["AllFree5"] = {{{B, {}}},
                   {{B, {{0, 8}, {9, 1}, {17, 5}}}},
                   {{B, {{0, 25}}}},
                   {{5, PageBase(B, 0), 5 * kPS},
                    {5, PageBase(B, 5), 4 * kPS},
                    {5, PageBase(B, 10), 0},
                    {5, PageBase(B, 15), 3 * kPS},
                    {5, PageBase(B, 20), 2 * kPS}}};
  t["AllFree64"] = {{{B, {}}},
                    {{B, {{21, 1}, {63, 65}}}},
                    {{B, {{0, 192}}}},
                    {{64, PageBase(B, 0), 2 * kPS},
                     {64, PageBase(B, 64), 64 * kPS},
                     {64, PageBase(B, 128), 0}}};
  t["AllFree65"] = {{{B, {}}},
                    {{B, {{129, 1}}}},
                    {{B, {{0, 195}}}},
                    {{65, PageBase(B, 0), 0}, {65, PageBase(B, 65), kPS}, {65, PageBase(B, 130), 0}}};
  t["ExhaustPallocChunkPages-3"] = {{{B, {}}},
                                    {{B, {{10, 1}}}},
                                    {{B, {{0, kN}}}},
                                    {{kN - 3, PageBase(B, 0), kPS},
                                     {kN - 3, 0, 0},
                                     {1, PageBase(B, kN - 3), 0},
                                     {2, PageBase(B, kN - 2), 0},
                                     {1, 0, 0},
                                     {kN - 3, 0, 0}}};
  t["AllFreePallocChunkPages"] = {{{B, {}}},
                                  {{B, {{0, 1}, {kN - 1, 1}}}},
                                  {{B, {{0, kN}}}},
                                  {{kN, PageBase(B, 0), 2 * kPS}, {kN, 0, 0}, {1, 0, 0}}};
  t["StraddlePallocChunkPages"] = {{{B, {{0, kN / 2}}}, {B + 1, {{kN / 2, kN / 2}}}},
                                   {{B, {}}, {B + 1, {{3, 100}}}},
                                   {{B, {{0, kN}}}, {B + 1, {{0, kN}}}},
                                   {{kN, PageBase(B, kN / 2), 100 * kPS}, {kN, 0, 0}, {1, 0, 0}}};
  t["StraddlePallocChunkPages+1"] = {{{B, {{0, kN / 2}}}, {B + 1, {}}},
                                     {{B, {{0, kN}}}, {B + 1, {{0, kN}}}},
                                     {{B, {{0, kN}}}, {B + 1, {{0, kN / 2 + 2}}}},
                                     {{kN + 1, PageBase(B, kN / 2), (kN + 1) * kPS},
                                      {kN, 0, 0},
                                      {1, PageBase(B + 1, kN / 2 + 1), kPS}}};
  t["AllFreePallocChunkPages*2"] = {{{B, {}}, {B + 1, {}}},
                                    {{B, {}}, {B + 1, {}}},
                                    {{B, {{0, kN}}}, {B + 1, {{0, kN}}}},
                                    {{kN * 2, PageBase(B, 0), 0}, {kN * 2, 0, 0}, {1, 0, 0}}};
  t["NotContiguousPallocChunkPages*2"] = {
      {{B, {}}, {B + 0x40, {}}, {B + 0x41, {}}},
      {{B, {{0, kN}}}, {B + 0x40, {}}, {B + 0x41, {}}},
      {{B, {{0, 22}}}, {B + 0x40, {{0, kN}}}, {B + 0x41, {{0, kN}}}},
      {{kN * 2, PageBase(B + 0x40, 0), 0},
       {21, PageBase(B, 0), 21 * kPS},
       {1, PageBase(B, 21), kPS}}};
  t["StraddlePallocChunkPages*2"] = {
      {{B, {{0, kN / 2}}}, {B + 1, {}}, {B + 2, {{kN / 2, kN / 2}}}},
      {{B, {{0, 7}}}, {B + 1, {{3, 5}, {121, 10}}}, {B + 2, {{kN / 2 + 12, 2}}}},
      {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN}}}},
      {{kN * 2, PageBase(B, kN / 2), 15 * kPS}, {kN * 2, 0, 0}, {1, 0, 0}}};
  t["StraddlePallocChunkPages*5/4"] = {
      {{B, {{0, kN}}}, {B + 1, {{0, kN * 3 / 4}}}, {B + 2, {{0, kN * 3 / 4}}}, {B + 3, {{0, 0}}}},
      {{B, {{0, kN}}},
       {B + 1, {{kN / 2, kN / 4 + 1}}},
       {B + 2, {{kN / 3, 1}}},
       {B + 3, {{kN * 2 / 3, 1}}}},
      {{B, {{0, kN}}}, {B + 1, {{0, kN * 3 / 4 + 1}}}, {B + 2, {{0, kN}}}, {B + 3, {{0, kN}}}},
      {{kN * 5 / 4, PageBase(B + 2, kN * 3 / 4), kPS},
       {kN * 5 / 4, 0, 0},
       {1, PageBase(B + 1, kN * 3 / 4), kPS}}};
  {
    AllocCase c;
    const unsigned scav_at[8] = {50, 31, 7, 200, 3, 51, 20, 1};
    for (uintptr_t k = 0; k < 8; ++k) {
      c.before[B + k] = {};
      c.scav[B + k] = {{scav_at[k], 1}};
      c.after[B + k] = {{0, k == 7 ? 6u : kN}};
    }
    c.hits = {{kN * 7 + 5, PageBase(B, 0), 8 * kPS}, {kN * 7 + 5, 0, 0}, {1, PageBase(B + 7, 5), 0}};
    t["AllFreePallocChunkPages*7+5"] = c;
  }
  // A chunk whose summary is the last of a summary page, and one far away:
  // exhausting the first must not read the unmapped summary page after it.
  const ChunkIdx sums_per_page(kPhysPageSize / kPallocSumBytes);
  const ChunkIdx base(B.raw() & ~(sums_per_page.raw() - 1));
  const ChunkIdx edge = base + (sums_per_page.raw() - 1);
  t["DiscontiguousMappedSumBoundary"] = {
      {{edge, {}}, {base + kBigJump, {}}},
      {{edge, {}}, {base + kBigJump, {}}},
      {{edge, {{0, kN}}}, {base + kBigJump, {{0, kN}}}},
      {{kN - 1, PageBase(edge, 0), 0},
       {1, PageBase(edge, kN - 1), 0},
       {1, PageBase(base + kBigJump, 0), 0},
       {kN - 1, PageBase(base + kBigJump, 1), 0},
       {1, 0, 0}}};
  // Issue 40191: find's candidate search address may not be mapped.
  constexpr uintptr_t kSmallOffset = 0x503;
  t["DiscontiguousBadSearchAddr"] = {
      {{B, {{0, kN - 1}}},
       {B + kBigJump + kSmallOffset, {{0, kN - 10}, {kN - 1, 1}}},
       {B + kBigJump * 2, {}}},
      {{B, {}}, {B + kBigJump + kSmallOffset, {}}, {B + kBigJump * 2, {}}},
      {{B, {{0, kN}}}, {B + kBigJump + kSmallOffset, {{0, kN}}}, {B + kBigJump * 2, {{0, 100}}}},
      {{1, PageBase(B, kN - 1), 0},
       {100, PageBase(base + kBigJump * 2, 0), 0},
       {9, PageBase(base + kBigJump + kSmallOffset, kN - 10), 0}}};
  return t;
}

TEST(PageAllocTest, Alloc) {
  const std::map<std::string, AllocCase> cases = AllocCases();
  EXPECT_EQ(cases.size(), 19u);
  for (const auto& [name, c] : cases) {
    SCOPED_TRACE(name);
    TestPageAlloc b(c.before, c.scav);
    for (size_t k = 0; k < c.hits.size(); ++k) {
      const AllocResult r = b.Alloc(c.hits[k].npages);
      ASSERT_EQ(r.base, c.hits[k].base) << "alloc #" << k + 1;
      ASSERT_EQ(r.scav, c.hits[k].scav) << "alloc #" << k + 1;
    }
    TestPageAlloc want(c.after, c.scav);
    EXPECT_EQ(DiffPageAlloc(want.p(), b.p()), "");
  }
}

TEST(PageAllocTest, Exhaust) {
  for (uintptr_t npages : {1, 2, 3, 4, 5, 8, 16, 64, 1024, 1025, 2048, 2049}) {
    SCOPED_TRACE(npages);
    ChunkMap desc;
    for (uintptr_t i = 0; i < 4; ++i) desc[B + i] = {};
    TestPageAlloc b(desc, {}, /*has_scav=*/false);
    const uintptr_t n_alloc = kN * 4 / npages;
    for (uintptr_t i = 0; i < n_alloc; ++i) {
      ASSERT_EQ(b.Alloc(npages).base, PageBase(B, static_cast<unsigned>(i * npages)))
          << "alloc #" << i + 1;
    }
    ASSERT_EQ(b.Alloc(npages).base, 0u);
    uintptr_t left = n_alloc * npages;
    ChunkMap want_desc;
    for (uintptr_t i = 0; i < 4; ++i) {
      if (left >= kN) {
        want_desc[B + i] = {{0, kN}};
        left -= kN;
      } else if (left > 0) {
        want_desc[B + i] = {{0, static_cast<unsigned>(left)}};
        left = 0;
      } else {
        want_desc[B + i] = {};
      }
    }
    TestPageAlloc want(want_desc, {}, /*has_scav=*/false);
    EXPECT_EQ(DiffPageAlloc(want.p(), b.p()), "");
  }
}

TEST(PageAllocTest, Free) {
  struct Case {
    ChunkMap before, after;
    uintptr_t npages;
    std::vector<uintptr_t> frees;
  };
  std::map<std::string, Case> t;
  t["Free1"] = {{{B, {{0, kN}}}},
                {{B, {{5, kN - 5}}}},
                1,
                {PageBase(B, 0), PageBase(B, 1), PageBase(B, 2), PageBase(B, 3), PageBase(B, 4)}};
  t["ManyArena1"] = {
      {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN}}}},
      {{B, {{0, kN / 2}, {kN / 2 + 1, kN / 2 - 1}}}, {B + 1, {{1, kN - 1}}}, {B + 2, {{0, kN - 1}}}},
      1,
      {PageBase(B, kN / 2), PageBase(B + 1, 0), PageBase(B + 2, kN - 1)}};
  t["Free2"] = {{{B, {{0, kN}}}},
                {{B, {{10, kN - 10}}}},
                2,
                {PageBase(B, 0), PageBase(B, 2), PageBase(B, 4), PageBase(B, 6), PageBase(B, 8)}};
  t["Straddle2"] = {{{B, {{kN - 1, 1}}}, {B + 1, {{0, 1}}}},
                    {{B, {}}, {B + 1, {}}},
                    2,
                    {PageBase(B, kN - 1)}};
  t["Free5"] = {{{B, {{0, kN}}}},
                {{B, {{25, kN - 25}}}},
                5,
                {PageBase(B, 0), PageBase(B, 5), PageBase(B, 10), PageBase(B, 15),
                 PageBase(B, 20)}};
  t["Free64"] = {{{B, {{0, kN}}}},
                 {{B, {{192, kN - 192}}}},
                 64,
                 {PageBase(B, 0), PageBase(B, 64), PageBase(B, 128)}};
  t["Free65"] = {{{B, {{0, kN}}}},
                 {{B, {{195, kN - 195}}}},
                 65,
                 {PageBase(B, 0), PageBase(B, 65), PageBase(B, 130)}};
  t["FreePallocChunkPages"] = {{{B, {{0, kN}}}}, {{B, {}}}, kN, {PageBase(B, 0)}};
  t["StraddlePallocChunkPages"] = {{{B, {{kN / 2, kN / 2}}}, {B + 1, {{0, kN / 2}}}},
                                   {{B, {}}, {B + 1, {}}},
                                   kN,
                                   {PageBase(B, kN / 2)}};
  t["StraddlePallocChunkPages+1"] = {{{B, {{0, kN}}}, {B + 1, {{0, kN}}}},
                                     {{B, {{0, kN / 2}}}, {B + 1, {{kN / 2 + 1, kN / 2 - 1}}}},
                                     kN + 1,
                                     {PageBase(B, kN / 2)}};
  t["FreePallocChunkPages*2"] = {{{B, {{0, kN}}}, {B + 1, {{0, kN}}}},
                                 {{B, {}}, {B + 1, {}}},
                                 kN * 2,
                                 {PageBase(B, 0)}};
  t["StraddlePallocChunkPages*2"] = {
      {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN}}}},
      {{B, {{0, kN / 2}}}, {B + 1, {}}, {B + 2, {{kN / 2, kN / 2}}}},
      kN * 2,
      {PageBase(B, kN / 2)}};
  {
    Case c;
    for (uintptr_t k = 0; k < 8; ++k) {
      c.before[B + k] = {{0, kN}};
      c.after[B + k] = k == 7 ? std::vector<BitRange>{{5, kN - 5}} : std::vector<BitRange>{};
    }
    c.npages = kN * 7 + 5;
    c.frees = {PageBase(B, 0)};
    t["AllFreePallocChunkPages*7+5"] = c;
  }
  EXPECT_EQ(t.size(), 13u);
  for (const auto& [name, c] : t) {
    SCOPED_TRACE(name);
    TestPageAlloc b(c.before, {}, /*has_scav=*/false);
    for (uintptr_t addr : c.frees) b.Free(addr, c.npages);
    TestPageAlloc want(c.after, {}, /*has_scav=*/false);
    EXPECT_EQ(DiffPageAlloc(want.p(), b.p()), "");
  }
}

TEST(PageAllocTest, AllocAndFree) {
  ChunkMap init;
  for (uintptr_t k = 0; k < 8; ++k) init[B + k] = {};
  struct Hit {
    bool alloc;
    uintptr_t npages, base;
  };
  const std::vector<Hit> hits = {
      {true, kN * 8, PageBase(B, 0)},  {false, kN * 8, PageBase(B, 0)},
      {true, kN * 8, PageBase(B, 0)},  {false, kN * 8, PageBase(B, 0)},
      {true, kN * 8, PageBase(B, 0)},  {false, kN * 8, PageBase(B, 0)},
      {true, 1, PageBase(B, 0)},       {false, 1, PageBase(B, 0)},
      {true, kN * 8, PageBase(B, 0)},
  };
  TestPageAlloc b(init, {}, /*has_scav=*/false);
  for (size_t k = 0; k < hits.size(); ++k) {
    if (hits[k].alloc) {
      ASSERT_EQ(b.Alloc(hits[k].npages).base, hits[k].base) << "alloc #" << k + 1;
    } else {
      b.Free(hits[k].base, hits[k].npages);
    }
  }
}

// The metadata mappings of one growth at the usual heap address: every
// summary level maps the page holding its block of entries, the scavenge
// index one page, and the chunk bitmaps get a 1 MiB NOHUGEPAGE block.
TEST(PageAllocTest, GrowMapsSummaryAndIndexPages) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "none");
  ASSERT_TRUE(mem.ok());
  HeapLock lock;
  uint64_t stat = 0;
  PageAlloc p(**mem, lock, &stat, nullptr);
  // Five summary reservations and the index's, all PROT_NONE.
  EXPECT_EQ(p.SummaryBytes(0), uintptr_t{128} << 10);
  EXPECT_EQ(p.SummaryBytes(4), uintptr_t{512} << 20);
  EXPECT_EQ(p.scav_index().array_bytes(), uintptr_t{512} << 20);
  lock.Lock();
  p.Grow(0xc000000000, 64 << 20);
  lock.Unlock();
  // L0 is mapped whole (its one block is the level); L1-L4 one page each;
  // the index one page.
  const uintptr_t want_ready = (128 << 10) + 4 * 4096 + 4096;
  EXPECT_EQ(p.summary_mapped_ready(), want_ready);
  EXPECT_EQ(stat, want_ready + PageAlloc::kChunkBlockBytes);
  EXPECT_EQ((*mem)->mapped_ready(), want_ready + PageAlloc::kChunkBlockBytes);
  const uintptr_t block = p.ChunkBlockAddr(ChunkIndex(0xc000000000).l1());
  ASSERT_NE(block, 0u);
  EXPECT_THAT(sim.Vmas(block, block + PageAlloc::kChunkBlockBytes),
              ::testing::ElementsAre(Vma{block, block + PageAlloc::kChunkBlockBytes,
                                         Prot::kReadWrite, HugeFlag::kNoHuge}));
  // The leaf entries of the 16 chunks are in the mapped page and free.
  for (uintptr_t c = 0; c < 16; ++c) {
    EXPECT_EQ(p.Summary(4, ChunkIndex(0xc000000000).raw() + c), FreeChunkSum());
  }
  // A second, adjacent growth needs no new summary or index page.
  lock.Lock();
  p.Grow(0xc004000000, 64 << 20);
  lock.Unlock();
  EXPECT_EQ(p.summary_mapped_ready(), want_ready);
}

TEST(PageAllocTest, ReadingAnUnmappedSummaryFaults) {
  TestPageAlloc b({{B, {}}, {B + kBigJump, {}}}, {}, false);
  EXPECT_TRUE(b.p().SummaryMapped(4, B.raw()));
  EXPECT_DEATH(b.p().Summary(4, B.raw() + kBigJump / 2), "unexpected fault address");
  EXPECT_DEATH(b.p().Summary(4, B.raw() + 2 * kBigJump), "index out of range");
}

}  // namespace
}  // namespace go121
}  // namespace thp
