// The cases of Go 1.21's mgcscavenge_test.go that exercise the page
// allocator and the index (TestPageAllocScavenge, TestScavengeIndex,
// TestScavChunkDataPack), same inputs and expectations; the bitmap cases are
// in pallocbits_test, the pacing ones in scavenger/go121. Then what Go's
// tests cannot see: the madvise calls of scavengeOne at each release state.
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mheap/go121/mpagealloc.h"
#include "mheap/go121/page_alloc_testing.h"

namespace thp {
namespace go121 {
namespace {

constexpr unsigned kN = kPallocChunkPagesU;
const ChunkIdx B = kBaseChunkIdx;
constexpr uintptr_t kPS = kPageSize;
constexpr uintptr_t kAll = ~uintptr_t{0};

TEST(ScavengeTest, PageAllocScavenge) {
  // minPages: one runtime page holds two physical ones.
  const unsigned m = 1;
  struct Req {
    uintptr_t request, expect;
  };
  struct Case {
    ChunkMap before_alloc, before_scav;
    std::vector<Req> expect;
    ChunkMap after_scav;
  };
  std::map<std::string, Case> t;
  t["AllFreeUnscavExhaust"] = {{{B, {}}, {B + 1, {}}, {B + 2, {}}},
                               {{B, {}}, {B + 1, {}}, {B + 2, {}}},
                               {{kAll, 3 * kN * kPS}},
                               {{B, {{0, kN}}}, {B + 1, {{0, kN}}}, {B + 2, {{0, kN}}}}};
  t["NoneFreeUnscavExhaust"] = {{{B, {{0, kN}}}, {B + 1, {}}, {B + 2, {{0, kN}}}},
                                {{B, {}}, {B + 1, {{0, kN}}}, {B + 2, {}}},
                                {{kAll, 0}},
                                {{B, {}}, {B + 1, {{0, kN}}}, {B + 2, {}}}};
  t["ScavHighestPageFirst"] = {{{B, {}}},
                               {{B, {{m, kN - 2 * m}}}},
                               {{1, m * kPS}},
                               {{B, {{m, kN - m}}}}};
  t["ScavMultiple"] = {{{B, {}}},
                       {{B, {{m, kN - 2 * m}}}},
                       {{m * kPS, m * kPS}, {m * kPS, m * kPS}},
                       {{B, {{0, kN}}}}};
  t["ScavMultiple2"] = {{{B, {}}, {B + 1, {}}},
                        {{B, {{m, kN - 2 * m}}}, {B + 1, {{0, kN - 2 * m}}}},
                        {{2 * m * kPS, 2 * m * kPS}, {m * kPS, m * kPS}, {m * kPS, m * kPS}},
                        {{B, {{0, kN}}}, {B + 1, {{0, kN}}}}};
  t["ScavDiscontiguous"] = {{{B, {}}, {B + 0xe, {}}},
                            {{B, {{m, kN - 2 * m}}}, {B + 0xe, {{2 * m, kN - 2 * m}}}},
                            {{2 * m * kPS, 2 * m * kPS}, {kAll, 2 * m * kPS}, {kAll, 0}},
                            {{B, {{0, kN}}}, {B + 0xe, {{0, kN}}}}};
  t["ScavAllVeryDiscontiguous"] = {{{B, {}}, {B + 0x1000, {}}},
                                   {{B, {}}, {B + 0x1000, {}}},
                                   {{kAll, 2 * kN * kPS}, {kAll, 0}},
                                   {{B, {{0, kN}}}, {B + 0x1000, {{0, kN}}}}};
  EXPECT_EQ(t.size(), 7u);
  for (const auto& [name, c] : t) {
    SCOPED_TRACE(name);
    TestPageAlloc b(c.before_alloc, c.before_scav);
    for (size_t i = 0; i < c.expect.size(); ++i) {
      ASSERT_EQ(b.Scavenge(c.expect[i].request), c.expect[i].expect) << "scavenge #" << i + 1;
    }
    TestPageAlloc want(c.before_alloc, c.after_scav);
    EXPECT_EQ(DiffPageAlloc(want.p(), b.p()), "");
  }
}

// TestScavengeIndex: an index over 64 chunks, all dense in the last
// generation and with nothing to scavenge; `mark` makes a range
// scavengeable, `find` must return the given chunk and page.
class IndexHarness {
 public:
  explicit IndexHarness(bool force) : force_(force) {
    si_.InitForTest(B, B + 64);
    AllocRange(PageBase(B, 0), PageBase(B + 64, 0));
    si_.NextGen();
    FreeRange(PageBase(B, 0), PageBase(B + 64, 0));
    for (ChunkIdx ci = B; ci < B + 64; ++ci) si_.SetEmpty(ci);
    si_.ResetSearchAddrs();
  }
  void Mark(uintptr_t base, uintptr_t limit) {
    AllocRange(base, limit);
    FreeRange(base, limit);
  }
  // find(want, offset); want = 0 expects nothing.
  bool Find(ChunkIdx want, unsigned offset) {
    const ScavengeFind f = si_.Find(force_);
    EXPECT_EQ(f.ci.raw(), want.raw());
    EXPECT_EQ(f.page, offset);
    if (f.ci != want || f.page != offset) return false;
    si_.SetEmpty(f.ci);
    return true;
  }
  void NextGen() { si_.NextGen(); }

 private:
  // export_test.go's AllocRange / FreeRange over [base, limit).
  void AllocRange(uintptr_t base, uintptr_t limit) {
    const ChunkIdx sc = ChunkIndex(base), ec = ChunkIndex(limit - 1);
    const unsigned si = ChunkPageIndex(base), ei = ChunkPageIndex(limit - 1);
    if (sc == ec) {
      si_.Alloc(sc, ei + 1 - si);
      return;
    }
    si_.Alloc(sc, kN - si);
    for (ChunkIdx c = sc + 1; c < ec; ++c) si_.Alloc(c, kN);
    si_.Alloc(ec, ei + 1);
  }
  void FreeRange(uintptr_t base, uintptr_t limit) {
    const ChunkIdx sc = ChunkIndex(base), ec = ChunkIndex(limit - 1);
    const unsigned si = ChunkPageIndex(base), ei = ChunkPageIndex(limit - 1);
    if (sc == ec) {
      si_.Free(sc, si, ei + 1 - si);
      return;
    }
    si_.Free(sc, si, kN - si);
    for (ChunkIdx c = sc + 1; c < ec; ++c) si_.Free(c, 0, kN);
    si_.Free(ec, 0, ei + 1);
  }

  ScavengeIndex si_;
  bool force_;
};

TEST(ScavengeTest, ScavengeIndex) {
  using MarkFn = std::function<void(IndexHarness&)>;
  using FindFn = std::function<void(IndexHarness&)>;
  struct Case {
    std::string name;
    MarkFn mark;
    FindFn find;
  };
  auto one = [](uintptr_t lo, uintptr_t hi) {
    return [=](IndexHarness& h) { h.Mark(lo, hi); };
  };
  auto descending = [](ChunkIdx hi, ChunkIdx lo) {
    return [=](IndexHarness& h) {
      for (ChunkIdx i = hi; i >= lo; --i) {
        if (!h.Find(i, kN - 1)) return;
      }
    };
  };
  const std::vector<Case> cases = {
      {"Uninitialized", [](IndexHarness&) {}, [](IndexHarness&) {}},
      {"OnePage", one(PageBase(B, 3), PageBase(B, 4)), [](IndexHarness& h) { h.Find(B, 3); }},
      {"FirstPage", one(PageBase(B, 0), PageBase(B, 1)), [](IndexHarness& h) { h.Find(B, 0); }},
      {"SeveralPages", one(PageBase(B, 9), PageBase(B, 14)),
       [](IndexHarness& h) { h.Find(B, 13); }},
      {"WholeChunk", one(PageBase(B, 0), PageBase(B + 1, 0)),
       [](IndexHarness& h) { h.Find(B, kN - 1); }},
      {"LastPage", one(PageBase(B, kN - 1), PageBase(B + 1, 0)),
       [](IndexHarness& h) { h.Find(B, kN - 1); }},
      {"TwoChunks", one(PageBase(B, 128), PageBase(B + 1, 128)),
       [](IndexHarness& h) { h.Find(B + 1, 127) && h.Find(B, kN - 1); }},
      {"TwoChunksOffset", one(PageBase(B + 7, 128), PageBase(B + 8, 129)),
       [](IndexHarness& h) { h.Find(B + 8, 128) && h.Find(B + 7, kN - 1); }},
      {"SevenChunksOffset", one(PageBase(B + 6, 11), PageBase(B + 13, 15)),
       [&](IndexHarness& h) {
         if (h.Find(B + 13, 14)) descending(B + 12, B + 6)(h);
       }},
      {"ThirtyTwoChunks", one(PageBase(B, 0), PageBase(B + 32, 0)), descending(B + 31, B)},
      {"ThirtyTwoChunksOffset", one(PageBase(B + 3, 0), PageBase(B + 35, 0)),
       descending(B + 34, B + 3)},
      {"Mark",
       [](IndexHarness& h) {
         for (ChunkIdx i = B; i < B + 32; ++i) h.Mark(PageBase(i, 0), PageBase(i + 1, 0));
       },
       descending(B + 31, B)},
      {"MarkIdempotentOneChunk",
       [](IndexHarness& h) {
         h.Mark(PageBase(B, 0), PageBase(B + 1, 0));
         h.Mark(PageBase(B, 0), PageBase(B + 1, 0));
       },
       [](IndexHarness& h) { h.Find(B, kN - 1); }},
      {"MarkIdempotentThirtyTwoChunks",
       [](IndexHarness& h) {
         h.Mark(PageBase(B, 0), PageBase(B + 32, 0));
         h.Mark(PageBase(B, 0), PageBase(B + 32, 0));
       },
       descending(B + 31, B)},
      {"MarkIdempotentThirtyTwoChunksOffset",
       [](IndexHarness& h) {
         h.Mark(PageBase(B + 4, 0), PageBase(B + 31, 0));
         h.Mark(PageBase(B + 5, 0), PageBase(B + 36, 0));
       },
       descending(B + 35, B + 4)},
  };
  EXPECT_EQ(cases.size(), 15u);
  for (const Case& c : cases) {
    {
      SCOPED_TRACE("Bg/" + c.name);
      IndexHarness h(/*force=*/false);
      c.mark(h);
      if (h.Find(ChunkIdx(0), 0)) {  // nothing before the next generation
        h.NextGen();
        c.find(h);
        h.Find(ChunkIdx(0), 0);  // and the index is exhausted
      }
    }
    {
      SCOPED_TRACE("Force/" + c.name);
      IndexHarness h(/*force=*/true);
      c.mark(h);
      c.find(h);
      h.Find(ChunkIdx(0), 0);
    }
  }
}

TEST(ScavengeTest, ScavengeIndexMarkInterleaved) {
  {
    SCOPED_TRACE("Bg");
    IndexHarness h(false);
    for (ChunkIdx i = B; i < B + 32; ++i) {
      h.Mark(PageBase(i, 0), PageBase(i + 1, 0));
      h.NextGen();
      ASSERT_TRUE(h.Find(i, kN - 1));
    }
    h.Find(ChunkIdx(0), 0);
  }
  {
    SCOPED_TRACE("Force");
    IndexHarness h(true);
    for (ChunkIdx i = B; i < B + 32; ++i) {
      h.Mark(PageBase(i, 0), PageBase(i + 1, 0));
      ASSERT_TRUE(h.Find(i, kN - 1));
    }
    h.Find(ChunkIdx(0), 0);
  }
}

TEST(ScavengeTest, ScavChunkDataPack) {
  for (const ScavChunkData& d :
       {ScavChunkData{512, 512, 1918237402, 0b11}, ScavChunkData{12, 0, ~uint32_t{0}, 0b00}}) {
    EXPECT_TRUE(ScavChunkData::Unpack(d.Pack()) == d);
  }
}

// Beyond Go's tests: what scavengeOne sends to the kernel. A fresh chunk is
// marked dense (the zero value), so its first release is preceded by a
// whole-chunk NOHUGEPAGE in go1.21.0 and by nothing later.
TEST(ScavengeTest, ScavengeOneAdvicePerReleaseState) {
  for (const std::string variant : {"hugepage_eager", "collapse", "none"}) {
    SCOPED_TRACE(variant);
    TestPageAlloc b({{B, {{0, 128}}}}, {{B, {}}}, true, variant);
    const uintptr_t chunk = ChunkBase(B);
    ASSERT_EQ(b.sim().Touch(chunk, kChunkBytes), 0);
    const int64_t nohuge_before = b.mem().counters().Calls(Advice::kNoHugePage);
    // 64 KiB, the background scavenger's quantum: the run is cut to 8 pages
    // but widened to the whole free huge page at the chunk's top.
    EXPECT_EQ(b.p().Scavenge(64 << 10, nullptr, /*force=*/true), 256 * kPS);
    EXPECT_EQ(b.mem().counters().Calls(Advice::kNoHugePage) - nohuge_before,
              variant == "hugepage_eager" ? 1 : 0);
    EXPECT_EQ(b.mem().counters().Calls(Advice::kDontNeed), 1);
    EXPECT_EQ(b.mem().counters().Bytes(Advice::kDontNeed), 256 * kPS);
    EXPECT_FALSE(b.p().scav_index().Load(B).IsHugePage());
    // The mark is gone: the next release sends no NOHUGEPAGE. Pages
    // [128, 256) do not fill a huge page, so 8 pages go.
    EXPECT_EQ(b.p().Scavenge(64 << 10, nullptr, true), 8 * kPS);
    EXPECT_EQ(b.mem().counters().Calls(Advice::kNoHugePage) - nohuge_before,
              variant == "hugepage_eager" ? 1 : 0);
    EXPECT_EQ(b.sim().ResidentBytes(chunk, chunk + kChunkBytes), kChunkBytes - 264 * kPS);
  }
}

}  // namespace
}  // namespace go121
}  // namespace thp
