// The cases of Go 1.21's mpagecache_test.go: TestPageCacheAlloc,
// TestPageCacheFlush (empty, full and 100 random caches) and
// TestPageAllocAllocToCache, same inputs and expectations.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/mpagealloc.h"
#include "mheap/go121/page_alloc_testing.h"

namespace thp {
namespace go121 {
namespace {

constexpr unsigned kN = kPallocChunkPagesU;
const ChunkIdx B = kBaseChunkIdx;
constexpr uintptr_t kPS = kPageSize;

PageCache Cache(uintptr_t base, uint64_t cache, uint64_t scav) { return {base, cache, scav}; }

TEST(PageCacheTest, Alloc) {
  const uintptr_t base = PageBase(B, 0);
  struct Hit {
    uintptr_t npages, base, scav;
  };
  struct Case {
    PageCache cache;
    std::vector<Hit> hits;
  };
  const std::map<std::string, Case> cases = {
      {"Empty",
       {Cache(base, 0, 0),
        {{1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {4, 0, 0}, {5, 0, 0}, {11, 0, 0}, {12, 0, 0},
         {16, 0, 0}, {27, 0, 0}, {32, 0, 0}, {43, 0, 0}, {57, 0, 0}, {64, 0, 0}, {121, 0, 0}}}},
      {"Lo1", {Cache(base, 0x1, 0x1), {{1, base, kPS}, {1, 0, 0}, {10, 0, 0}}}},
      {"Hi1", {Cache(base, uint64_t{1} << 63, 0x1), {{1, base + 63 * kPS, 0}, {1, 0, 0}, {10, 0, 0}}}},
      {"Swiss1",
       {Cache(base, 0x20005555, 0x5505),
        {{2, 0, 0},
         {1, base, kPS},
         {1, base + 2 * kPS, kPS},
         {1, base + 4 * kPS, 0},
         {1, base + 6 * kPS, 0},
         {1, base + 8 * kPS, kPS},
         {1, base + 10 * kPS, kPS},
         {1, base + 12 * kPS, kPS},
         {1, base + 14 * kPS, kPS},
         {1, base + 29 * kPS, 0},
         {1, 0, 0},
         {10, 0, 0}}}},
      {"Lo2", {Cache(base, 0x3, uint64_t{0x2} << 62), {{2, base, 0}, {2, 0, 0}, {1, 0, 0}}}},
      {"Hi2",
       {Cache(base, uint64_t{0x3} << 62, uint64_t{0x3} << 62),
        {{2, base + 62 * kPS, 2 * kPS}, {2, 0, 0}, {1, 0, 0}}}},
      {"Swiss2",
       {Cache(base, uint64_t{0x3333} << 31, uint64_t{0x3030} << 31),
        {{2, base + 31 * kPS, 0},
         {2, base + 35 * kPS, 2 * kPS},
         {2, base + 39 * kPS, 0},
         {2, base + 43 * kPS, 2 * kPS},
         {2, 0, 0}}}},
      {"Hi53",
       {Cache(base, ((uint64_t{1} << 53) - 1) << 10, ((uint64_t{1} << 16) - 1) << 10),
        {{53, base + 10 * kPS, 16 * kPS}, {53, 0, 0}, {1, 0, 0}}}},
      {"Full53",
       {Cache(base, ~uint64_t{0}, ((uint64_t{1} << 16) - 1) << 10),
        {{53, base, 16 * kPS}, {53, 0, 0}, {1, base + 53 * kPS, 0}}}},
      {"Full64", {Cache(base, ~uint64_t{0}, ~uint64_t{0}), {{64, base, 64 * kPS}, {64, 0, 0}, {1, 0, 0}}}},
      {"FullMixed",
       {Cache(base, ~uint64_t{0}, ~uint64_t{0}),
        {{5, base, 5 * kPS},
         {7, base + 5 * kPS, 7 * kPS},
         {1, base + 12 * kPS, 1 * kPS},
         {23, base + 13 * kPS, 23 * kPS},
         {63, 0, 0},
         {3, base + 36 * kPS, 3 * kPS},
         {3, base + 39 * kPS, 3 * kPS},
         {3, base + 42 * kPS, 3 * kPS},
         {12, base + 45 * kPS, 12 * kPS},
         {11, 0, 0},
         {4, base + 57 * kPS, 4 * kPS},
         {4, 0, 0},
         {6, 0, 0},
         {36, 0, 0},
         {2, base + 61 * kPS, 2 * kPS},
         {3, 0, 0},
         {1, base + 63 * kPS, 1 * kPS},
         {4, 0, 0},
         {2, 0, 0},
         {62, 0, 0},
         {1, 0, 0}}}},
  };
  EXPECT_EQ(cases.size(), 11u);
  for (const auto& [name, c] : cases) {
    PageCache pc = c.cache;
    for (size_t i = 0; i < c.hits.size(); ++i) {
      const AllocResult r = pc.Alloc(c.hits[i].npages);
      ASSERT_EQ(r.base, c.hits[i].base) << name << " alloc #" << i;
      ASSERT_EQ(r.scav, c.hits[i].scav) << name << " alloc #" << i;
    }
  }
}

std::vector<BitRange> Bits64ToBitRanges(uint64_t bits, unsigned base) {
  std::vector<BitRange> ranges;
  unsigned start = 0, size = 0;
  for (unsigned i = 0; i < 64; ++i) {
    if (bits & (uint64_t{1} << i)) {
      if (size == 0) start = i + base;
      ++size;
    } else if (size != 0) {
      ranges.push_back({start, size});
      size = 0;
    }
  }
  if (size != 0) ranges.push_back({start, size});
  return ranges;
}

void RunFlush(unsigned base, uint64_t cache, uint64_t scav) {
  SCOPED_TRACE(testing::Message() << "base=" << base << std::hex << " cache=" << cache
                                  << " scav=" << scav);
  TestPageAlloc b({{B, {{base, 64}}}}, {{B, {}}});
  PageCache c = Cache(PageBase(B, base), cache, scav);
  b.Flush(c);
  EXPECT_TRUE(c.Empty());
  TestPageAlloc want({{B, Bits64ToBitRanges(~cache, base)}}, {{B, Bits64ToBitRanges(scav, base)}});
  EXPECT_EQ(DiffPageAlloc(want.p(), b.p()), "");
}

TEST(PageCacheTest, Flush) {
  RunFlush(0, 0, 0);
  RunFlush(0, ~uint64_t{0}, ~uint64_t{0});
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) {
    const unsigned base = static_cast<unsigned>(rng() % (kN / 64)) * 64;
    const uint64_t cache = rng();
    RunFlush(base, cache, rng() & cache);
  }
}

TEST(PageCacheTest, AllocToCache) {
  struct Case {
    ChunkMap before_alloc, before_scav;
    std::vector<PageCache> hits;
    ChunkMap after_alloc, after_scav;
  };
  std::map<std::string, Case> t;
  t["AllFree"] = {{{B, {}}},
                  {{B, {{1, 1}, {64, 64}}}},
                  {Cache(PageBase(B, 0), ~uint64_t{0}, 0x2),
                   Cache(PageBase(B, 64), ~uint64_t{0}, ~uint64_t{0}),
                   Cache(PageBase(B, 128), ~uint64_t{0}, 0),
                   Cache(PageBase(B, 192), ~uint64_t{0}, 0)},
                  {{B, {{0, 256}}}},
                  {}};
  t["ManyArena"] = {{{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN - 64}}}},
                    {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {}}},
                    {Cache(PageBase(B + 2, kN - 64), ~uint64_t{0}, 0)},
                    {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN}}}},
                    {}};
  t["NotContiguous"] = {{{B, {{0, kN}}}, {B + 0xff, {{0, 0}}}},
                        {{B, {{0, kN}}}, {B + 0xff, {{31, 67}}}},
                        {Cache(PageBase(B + 0xff, 0), ~uint64_t{0}, ((uint64_t{1} << 33) - 1) << 31)},
                        {{B, {{0, kN}}}, {B + 0xff, {{0, 64}}}},
                        {{B, {{0, kN}}}, {B + 0xff, {{64, 34}}}}};
  t["First"] = {{{B, {{0, 32}, {33, 31}, {96, 32}}}},
                {{B, {{1, 4}, {31, 5}, {66, 2}}}},
                {Cache(PageBase(B, 0), uint64_t{1} << 32, uint64_t{1} << 32),
                 Cache(PageBase(B, 64), (uint64_t{1} << 32) - 1, uint64_t{0x3} << 2)},
                {{B, {{0, 128}}}},
                {}};
  t["Fail"] = {{{B, {{0, kN}}}},
               {},
               {Cache(0, 0, 0), Cache(0, 0, 0), Cache(0, 0, 0)},
               {{B, {{0, kN}}}},
               {}};
  t["RetainScavBits"] = {{{B, {{0, 1}, {10, 2}}}},
                         {{B, {{0, 4}, {11, 1}}}},
                         {Cache(PageBase(B, 0), ~uint64_t{0x1 | (0x3 << 10)}, uint64_t{0x7} << 1)},
                         {{B, {{0, 64}}}},
                         {{B, {{0, 1}, {11, 1}}}}};
  const ChunkIdx sums_per_page(kPhysPageSize / kPallocSumBytes);
  const ChunkIdx base(B.raw() & ~(sums_per_page.raw() - 1));
  const ChunkIdx edge = base + (sums_per_page.raw() - 1);
  constexpr uintptr_t kBigJump = 0x100000;
  t["DiscontiguousMappedSumBoundary"] = {
      {{edge, {{0, kN - 1}}}, {base + kBigJump, {{1, kN - 1}}}},
      {{edge, {}}, {base + kBigJump, {}}},
      {Cache(PageBase(edge, kN - 64), uint64_t{1} << 63, 0),
       Cache(PageBase(base + kBigJump, 0), 1, 0), Cache(0, 0, 0)},
      {{edge, {{0, kN}}}, {base + kBigJump, {{0, kN}}}},
      {}};
  EXPECT_EQ(t.size(), 7u);
  for (const auto& [name, c] : t) {
    SCOPED_TRACE(name);
    TestPageAlloc b(c.before_alloc, c.before_scav, /*has_scav=*/!c.before_scav.empty());
    for (size_t i = 0; i < c.hits.size(); ++i) {
      const PageCache got = b.AllocToCache();
      ASSERT_EQ(got.base, c.hits[i].base) << "hit #" << i;
      ASSERT_EQ(got.cache, c.hits[i].cache) << "hit #" << i;
      ASSERT_EQ(got.scav, c.hits[i].scav) << "hit #" << i;
    }
    TestPageAlloc want(c.after_alloc, c.after_scav, /*has_scav=*/!c.after_scav.empty());
    EXPECT_EQ(DiffPageAlloc(want.p(), b.p()), "");
  }
}

}  // namespace
}  // namespace go121
}  // namespace thp
