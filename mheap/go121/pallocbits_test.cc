// The cases of Go 1.21's mpallocbits_test.go (TestPallocBitsAllocRange,
// TestMallocBitsPopcntRange, TestPallocBitsSummarize[Random],
// TestPallocBitsAlloc, TestPallocBitsFree, TestFindBitRange64) and the
// bitmap cases of mgcscavenge_test.go (TestFillAligned,
// TestPallocDataFindScavengeCandidate), same inputs and expectations.
#include "mheap/go121/pallocbits.h"

#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/bit_range.h"

namespace thp {
namespace go121 {
namespace {

constexpr unsigned kN = kPallocChunkPagesU;
constexpr unsigned kNone = kNotFound;

TEST(PallocBitsTest, AllocRange) {
  struct Case {
    unsigned i, n;
    std::map<size_t, uint64_t> want;  // word -> value; others zero
  };
  const std::map<std::string, Case> cases = {
      {"OneLow", {0, 1, {{0, 0x1}}}},
      {"OneHigh", {kN - 1, 1, {{kN / 64 - 1, uint64_t{1} << 63}}}},
      {"Inner", {129, 5, {{2, 0x3e}}}},
      {"Aligned", {128, 128, {{2, ~uint64_t{0}}, {3, ~uint64_t{0}}}}},
      {"Begin",
       {0, 321, {{0, ~0ull}, {1, ~0ull}, {2, ~0ull}, {3, ~0ull}, {4, ~0ull}, {5, 0x1}}}},
      {"End",
       {kN - (64 * 3 + 1), 64 * 3 + 1,
        {{kN / 64 - 1, ~0ull}, {kN / 64 - 2, ~0ull}, {kN / 64 - 3, ~0ull},
         {kN / 64 - 4, uint64_t{1} << 63}}}},
      {"All", {0, kN, {{0, ~0ull}, {1, ~0ull}, {2, ~0ull}, {3, ~0ull}, {4, ~0ull},
                       {5, ~0ull}, {6, ~0ull}, {7, ~0ull}}}},
  };
  for (const auto& [name, c] : cases) {
    PallocBits want;
    for (const auto& [k, v] : c.want) want.word(k) = v;
    EXPECT_EQ(DiffBits(MakePallocBits({{c.i, c.n}}), want), "") << name;
  }
}

TEST(PallocBitsTest, PopcntRange) {
  struct Probe {
    unsigned i, n, want;
  };
  struct Case {
    std::vector<BitRange> init;
    std::vector<Probe> probes;
  };
  const std::map<std::string, Case> cases = {
      {"None",
       {{}, {{0, 1, 0}, {5, 3, 0}, {2, 11, 0}, {kN / 4 + 1, kN / 2, 0}, {0, kN, 0}}}},
      {"All",
       {{{0, kN}},
        {{0, 1, 1}, {5, 3, 3}, {2, 11, 11}, {kN / 4 + 1, kN / 2, kN / 2}, {0, kN, kN}}}},
      {"Half",
       {{{kN / 2, kN / 2}},
        {{0, 1, 0},
         {5, 3, 0},
         {2, 11, 0},
         {kN / 2 - 1, 1, 0},
         {kN / 2, 1, 1},
         {kN / 2 + 10, 1, 1},
         {kN / 2 - 1, 2, 1},
         {kN / 4, kN / 4, 0},
         {kN / 4, kN / 4 + 1, 1},
         {kN / 4 + 1, kN / 2, kN / 4 + 1},
         {0, kN, kN / 2}}}},
      {"OddBound",
       {{{0, 111}},
        {{0, 1, 1},
         {5, 3, 3},
         {2, 11, 11},
         {110, 2, 1},
         {99, 50, 12},
         {110, 1, 1},
         {111, 1, 0},
         {99, 1, 1},
         {120, 1, 0},
         {kN / 2, kN / 2, 0},
         {0, kN, 111}}}},
      {"Scattered",
       {{{1, 3},   {5, 1},   {7, 1},   {10, 2},  {13, 1},  {15, 4},  {21, 1},  {23, 1},
         {26, 2},  {30, 5},  {36, 2},  {40, 3},  {44, 6},  {51, 1},  {53, 2},  {58, 3},
         {63, 1},  {67, 2},  {71, 10}, {84, 1},  {89, 7},  {99, 2},  {103, 1}, {107, 2},
         {111, 1}, {113, 1}, {115, 1}, {118, 1}, {120, 2}, {125, 5}},
        {{0, 11, 6}, {0, 64, 39}, {13, 64, 40}, {64, 64, 34}, {0, 128, 73}, {1, 128, 74},
         {0, kN, 75}}}},
  };
  for (const auto& [name, c] : cases) {
    const PallocBits b = MakePallocBits(c.init);
    for (const Probe& p : c.probes) {
      EXPECT_EQ(b.PopcntRange(p.i, p.n), p.want) << name << " i=" << p.i << " n=" << p.n;
    }
  }
}

// export_test.go's SummarizeSlow: the summary by looking at every bit.
PallocSum SummarizeSlow(const PallocBits& b) {
  unsigned start = 0, end = 0, max = 0, run = 0;
  while (start < kN && b.Get(start) == 0) ++start;
  while (end < kN && b.Get(kN - end - 1) == 0) ++end;
  for (unsigned i = 0; i < kN; ++i) {
    run = b.Get(i) == 0 ? run + 1 : 0;
    max = std::max(max, run);
  }
  return PallocSum::Pack(start, max, end);
}

void ExpectSum(PallocSum got, PallocSum want, const std::string& what) {
  EXPECT_EQ(got.start(), want.start()) << what;
  EXPECT_EQ(got.max(), want.max()) << what;
  EXPECT_EQ(got.end(), want.end()) << what;
}

TEST(PallocBitsTest, SummarizeRandom) {
  std::mt19937_64 rng(1);
  PallocBits b;
  for (int iter = 0; iter < 1000; ++iter) {
    for (size_t k = 0; k < kPageBitsWords; ++k) b.word(k) = rng();
    ExpectSum(b.Summarize(), SummarizeSlow(b), "iteration " + std::to_string(iter));
  }
}

TEST(PallocBitsTest, Summarize) {
  struct Case {
    std::vector<BitRange> free;
    PallocSum want;
  };
  const std::map<std::string, Case> cases = {
      {"NoneFree", {{}, PallocSum::Pack(0, 0, 0)}},
      {"OnlyStart", {{{0, 10}}, PallocSum::Pack(10, 10, 0)}},
      {"OnlyEnd", {{{kN - 40, 40}}, PallocSum::Pack(0, 40, 40)}},
      {"StartAndEnd", {{{0, 11}, {kN - 23, 23}}, PallocSum::Pack(11, 23, 23)}},
      {"StartMaxEnd", {{{0, 4}, {50, 100}, {kN - 4, 4}}, PallocSum::Pack(4, 100, 4)}},
      {"OnlyMax", {{{1, 20}, {35, 241}, {kN - 50, 30}}, PallocSum::Pack(0, 241, 0)}},
      {"MultiMax", {{{35, 2}, {40, 5}, {100, 5}}, PallocSum::Pack(0, 5, 0)}},
      {"One", {{{2, 1}}, PallocSum::Pack(0, 1, 0)}},
      {"AllFree", {{{0, kN}}, PallocSum::Pack(kN, kN, kN)}},
  };
  for (const auto& [name, c] : cases) {
    PallocBits b = MakePallocBits(c.free);  // ones are the free pages here...
    Invert(b);                              // ...so invert: one means in use.
    ExpectSum(b.Summarize(), c.want, name);
  }
}

TEST(PallocBitsTest, Alloc) {
  struct Case {
    std::vector<BitRange> before, after;
    uintptr_t npages;
    std::vector<unsigned> hits;
  };
  const std::map<std::string, Case> cases = {
      {"AllFree1", {{}, {{0, 6}}, 1, {0, 1, 2, 3, 4, 5}}},
      {"AllFree2", {{}, {{0, 12}}, 2, {0, 2, 4, 6, 8, 10}}},
      {"AllFree5", {{}, {{0, 25}}, 5, {0, 5, 10, 15, 20}}},
      {"AllFree64", {{}, {{0, 192}}, 64, {0, 64, 128}}},
      {"AllFree65", {{}, {{0, 195}}, 65, {0, 65, 130}}},
      {"SomeFree64",
       {{{0, 32}, {64, 32}, {100, kN - 100}}, {{0, 32}, {64, 32}, {100, kN - 100}}, 64, {kNone}}},
      {"NoneFree1", {{{0, kN}}, {{0, kN}}, 1, {kNone, kNone}}},
      {"NoneFree2", {{{0, kN}}, {{0, kN}}, 2, {kNone, kNone}}},
      {"NoneFree5", {{{0, kN}}, {{0, kN}}, 5, {kNone, kNone}}},
      {"NoneFree65", {{{0, kN}}, {{0, kN}}, 65, {kNone, kNone}}},
      {"ExactFit1",
       {{{0, kN / 2 - 3}, {kN / 2 - 2, kN / 2 + 2}}, {{0, kN}}, 1, {kN / 2 - 3, kNone}}},
      {"ExactFit2",
       {{{0, kN / 2 - 3}, {kN / 2 - 1, kN / 2 + 1}}, {{0, kN}}, 2, {kN / 2 - 3, kNone}}},
      {"ExactFit5",
       {{{0, kN / 2 - 3}, {kN / 2 + 2, kN / 2 - 2}}, {{0, kN}}, 5, {kN / 2 - 3, kNone}}},
      {"ExactFit65",
       {{{0, kN / 2 - 31}, {kN / 2 + 34, kN / 2 - 34}}, {{0, kN}}, 65, {kN / 2 - 31, kNone}}},
      {"SomeFree161", {{{0, 185}, {331, 1}}, {{0, 185}, {331, 162}}, 161, {332}}},
  };
  for (const auto& [name, c] : cases) {
    PallocBits b = MakePallocBits(c.before);
    for (size_t k = 0; k < c.hits.size(); ++k) {
      const unsigned a = b.Find(c.npages, 0).index;
      ASSERT_EQ(a, c.hits[k]) << name << " find #" << k + 1;
      if (a != kNone) b.AllocRange(a, static_cast<unsigned>(c.npages));
    }
    EXPECT_EQ(DiffBits(b, MakePallocBits(c.after)), "") << name;
  }
}

TEST(PallocBitsTest, Free) {
  struct Case {
    std::vector<BitRange> before_inv, after_inv;
    std::vector<unsigned> frees;
    unsigned npages;
  };
  const std::map<std::string, Case> cases = {
      {"SomeFree", {{{0, 32}, {64, 32}, {100, 1}}, {{0, 33}, {64, 32}, {100, 1}}, {32}, 1}},
      {"NoneFree1", {{}, {{0, 6}}, {0, 1, 2, 3, 4, 5}, 1}},
      {"NoneFree2", {{}, {{0, 12}}, {0, 2, 4, 6, 8, 10}, 2}},
      {"NoneFree5", {{}, {{0, 25}}, {0, 5, 10, 15, 20}, 5}},
      {"NoneFree64", {{}, {{0, 192}}, {0, 64, 128}, 64}},
      {"NoneFree65", {{}, {{0, 195}}, {0, 65, 130}, 65}},
  };
  for (const auto& [name, c] : cases) {
    PallocBits b = MakePallocBits(c.before_inv);
    Invert(b);
    for (unsigned i : c.frees) b.Free(i, c.npages);
    PallocBits want = MakePallocBits(c.after_inv);
    Invert(want);
    EXPECT_EQ(DiffBits(b, want), "") << name;
  }
}

TEST(PallocBitsTest, FindBitRange64) {
  auto check = [](uint64_t x, unsigned n, unsigned want) {
    const unsigned got = FindBitRange64(x, n);
    if (want == kNone) {
      EXPECT_GE(got, 64u) << std::hex << x << " n=" << std::dec << n;
    } else {
      EXPECT_EQ(got, want) << std::hex << x << " n=" << std::dec << n;
    }
  };
  for (unsigned i = 1; i <= 64; ++i) check(~uint64_t{0}, i, 0);
  for (unsigned i = 1; i <= 64; ++i) check(0, i, kNone);
  check(0x8000000000000000, 1, 63);
  check(0xc000010001010000, 2, 62);
  check(0xc000010001030000, 2, 16);
  check(0xe000030001030000, 3, 61);
  check(0xe000030001070000, 3, 16);
  check(0xffff03ff01070000, 16, 48);
  check(0xffff03ff0107ffff, 16, 0);
  check(0x0fff03ff01079fff, 16, kNone);
}

TEST(PallocSumTest, PackRoundTripsAndRootIsOneBit) {
  const PallocSum s = PallocSum::Pack(3, 1000, 77);
  EXPECT_EQ(s.start(), 3u);
  EXPECT_EQ(s.max(), 1000u);
  EXPECT_EQ(s.end(), 77u);
  const PallocSum root = PallocSum::Pack(PallocSum::kMaxPackedValue, PallocSum::kMaxPackedValue,
                                         PallocSum::kMaxPackedValue);
  EXPECT_EQ(root.raw(), uint64_t{1} << 63);
  EXPECT_EQ(root.start(), 1u << 21);
  EXPECT_EQ(root.end(), 1u << 21);
}

TEST(PallocSumTest, MergeSummaries) {
  // Two free chunks, then one with 10 free at each end, then a full one.
  const PallocSum sums[4] = {FreeChunkSum(), FreeChunkSum(), PallocSum::Pack(10, 100, 10),
                             PallocSum::Pack(0, 0, 0)};
  const PallocSum m = MergeSummaries(sums, 4, kLogPallocChunkPages);
  EXPECT_EQ(m.start(), 2 * kN + 10);
  EXPECT_EQ(m.max(), 2 * kN + 10);
  EXPECT_EQ(m.end(), 0u);
}

// mgcscavenge_test.go's fillAlignedSlow.
uint64_t FillAlignedSlow(uint64_t x, unsigned m) {
  if (m == 1) return x;
  uint64_t out = 0;
  for (unsigned i = 0; i < 64; i += m) {
    const uint64_t group = (m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1) << i;
    if ((x & group) != 0) out |= group;
  }
  return out;
}

TEST(ScavengeBitsTest, FillAligned) {
  std::mt19937_64 rng(2);
  for (unsigned m = 1; m <= 64; m *= 2) {
    const uint64_t fixed[] = {0x0000000000000000, 0x00000000ffffffff, 0xffffffff00000000,
                              0x8000000000000001, 0xf00000000000000f, 0xf00000010050000f,
                              0xffffffffffffffff, 0x0000000000000001, 0x0000000000000002,
                              0x0000000000000008, uint64_t{1} << (m - 1),
                              m == 64 ? 0 : uint64_t{1} << m, 0xb02b9effcf137016,
                              0x3975a076a9fbff18, 0x0f8c88ec3b81506e, 0x60f14d80ef2fa0e6};
    for (uint64_t x : fixed) EXPECT_EQ(FillAligned(x, m), FillAlignedSlow(x, m)) << m;
    for (int i = 0; i < 1000; ++i) {
      const uint64_t x = rng();
      EXPECT_EQ(FillAligned(x, m), FillAlignedSlow(x, m)) << std::hex << x << " m=" << m;
      if (m > 1) {
        // Groups either zero or random.
        uint64_t v = 0;
        for (unsigned n = 0; n < 64; n += m) {
          if (rng() % 2 == 0) {
            const uint64_t mask = m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1;
            v |= (rng() & mask) << n;
          }
        }
        EXPECT_EQ(FillAligned(v, m), FillAlignedSlow(v, m)) << std::hex << v << " m=" << m;
      }
    }
  }
}

// TestPallocDataFindScavengeCandidate. Go builds its cases in a map, so
// "OneFree" and "OneScavenged", written once for each min <= 8 without a
// suffix, run only with the last one written, min = 8; so do they here.
TEST(ScavengeBitsTest, FindScavengeCandidate) {
  struct Case {
    std::vector<BitRange> alloc, scavenged;
    uintptr_t min, max;
    BitRange want;
  };
  std::map<std::string, Case> cases = {
      {"MixedMin1", {{{0, 40}, {42, kN - 42}}, {{0, 41}, {42, kN - 42}}, 1, kN, {41, 1}}},
      {"MultiMin1", {{{0, 63}, {65, 20}, {87, kN - 87}}, {{86, 1}}, 1, kN, {85, 1}}},
  };
  for (unsigned m = 1; m <= 64; m *= 2) {
    const std::string sfx = "Min" + std::to_string(m);
    cases["AllFree" + sfx] = {{}, {}, m, kN, {0, kN}};
    cases["AllScavenged" + sfx] = {{}, {{0, kN}}, m, kN, {0, 0}};
    cases["NoneFree" + sfx] = {{{0, kN}}, {{kN / 2, kN / 2}}, m, kN, {0, 0}};
    cases["StartFree" + sfx] = {{{m, kN - m}}, {}, m, kN, {0, m}};
    cases["EndFree" + sfx] = {{{0, kN - m}}, {}, m, kN, {kN - m, m}};
    cases["Straddle64" + sfx] = {
        {{0, 64 - m}, {64 + m, kN - (64 + m)}}, {}, m, 2 * m, {64 - m, 2 * m}};
    cases["BottomEdge64WithFull" + sfx] = {
        {{64, 64}, {128 + 3 * m, kN - (128 + 3 * m)}}, {{1, 10}}, m, 3 * m, {128, 3 * m}};
    cases["BottomEdge64WithPocket" + sfx] = {
        {{64, 62}, {127, 1}, {128 + 3 * m, kN - (128 + 3 * m)}}, {{1, 10}}, m, 3 * m,
        {128, 3 * m}};
    cases["Max0" + sfx] = {{}, {{0, kN - m}}, m, 0, {kN - m, m}};
    if (m <= 8) {
      cases["OneFree"] = {{{0, 40}, {40 + m, kN - (40 + m)}}, {}, m, kN, {40, m}};
      cases["OneScavenged"] = {{{0, 40}, {40 + m, kN - (40 + m)}}, {{40, 1}}, m, kN, {0, 0}};
    }
    if (m > 1) {
      cases["MaxUnaligned" + sfx] = {{}, {{0, kN - (m * 2 - 1)}}, m, m - 2, {kN - m, m}};
      cases["SkipSmall" + sfx] = {
          {{0, 64 - m}, {64, 5}, {70, 11}, {82, kN - 82}}, {}, m, m, {64 - m, m}};
      cases["SkipMisaligned" + sfx] = {
          {{0, 64 - m}, {64, 63}, {127 + m, kN - (127 + m)}}, {}, m, m, {64 - m, m}};
      cases["MaxLessThan" + sfx] = {{}, {{0, kN - m}}, m, 1, {kN - m, m}};
    }
  }
  // Huge pages of 256 runtime pages fit in a chunk twice but not three
  // times, so Go's PreserveHugePageMiddle case does not apply.
  const unsigned bits = static_cast<unsigned>(kPhysHugePageSize / kPageSize);
  ASSERT_EQ(bits, 256u);
  cases["PreserveHugePageBottom"] = {{{bits + 2, kN - (bits + 2)}}, {}, 1, 3, {0, bits + 2}};
  cases["PreserveHugePageTop"] = {{{0, kN - bits}}, {}, 1, 1, {kN - bits, bits}};
  EXPECT_EQ(cases.size(), 93u);
  for (const auto& [name, c] : cases) {
    const PallocData d = MakePallocData(c.alloc, c.scavenged);
    const PageRun got = d.FindScavengeCandidate(kN - 1, c.min, c.max);
    if (got.npages == 0 && c.want.n == 0) continue;
    EXPECT_EQ((BitRange{got.start, got.npages}), c.want) << name;
  }
}

}  // namespace
}  // namespace go121
}  // namespace thp
