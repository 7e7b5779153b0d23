#include "bench/report/address_map.h"

#include <memory>
#include <string>
#include <vector>

#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// Twenty one-page objects, every other one dropped, then FreeOSMemory: the
// dropped ones become released one-page spans between in-use ones.
std::unique_ptr<TraceReplayer> Fragmented(SimulatedKernel& sim, const std::string& variant) {
  RuntimeOptions o;
  o.variant = variant;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, o, /*scavenge_debug=*/true, nullptr);
  EXPECT_TRUE(r.ok()) << r.status();
  std::string text = "thp-trace 1\n";
  for (int i = 1; i <= 20; ++i) text += "alloc " + std::to_string(i) + " 8192 noscan 0\n";
  for (int i = 2; i <= 20; i += 2) text += "drop " + std::to_string(i) + "\n";
  text += "gc\nfreeosmemory\n";
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  EXPECT_TRUE(events.ok()) << events.status();
  EXPECT_TRUE((*r)->Run(*events, nullptr).ok());
  return *std::move(r);
}

TEST(AddressMapTest, RunsTileTheArenaAndReleasedSpansAreFlaggedUnderPrefix) {
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r = Fragmented(sim, "prefix");
  const AddressMap m = CaptureAddressMap(sim, r->runtime().heap(), "prefix", "after FreeOSMemory");
  ASSERT_GT(m.hi, m.lo);
  // VMAs and span runs each cover [lo, hi) without gaps or overlaps.
  uintptr_t at = m.lo;
  for (const Vma& v : m.vmas) {
    EXPECT_EQ(v.start, at);
    at = v.end;
  }
  EXPECT_EQ(at, m.hi);
  at = m.lo;
  int released = 0;
  for (size_t i = 0; i < m.spans.size(); ++i) {
    EXPECT_EQ(m.spans[i].start, at);
    if (i > 0) {
      EXPECT_NE(m.spans[i].shade, m.spans[i - 1].shade) << "adjacent runs not merged";
    }
    EXPECT_NE(m.spans[i].shade, SpanShade::kUnknown);
    at = m.spans[i].end;
    if (m.spans[i].shade != SpanShade::kReleased) continue;
    ++released;
    // prefix: NOHUGEPAGE on exactly the released (unaligned) span.
    for (const Vma& v : m.vmas) {
      if (v.start < m.spans[i].end && m.spans[i].start < v.end) {
        EXPECT_EQ(v.huge, HugeFlag::kNoHuge) << VmaToString(v);
      }
    }
  }
  EXPECT_EQ(at, m.hi);
  EXPECT_GE(released, 9);  // the dropped one-page spans, apart from any merged with the tail
}

TEST(AddressMapTest, TextRoundTripAndSvg) {
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r = Fragmented(sim, "prefix");
  const AddressMap m = CaptureAddressMap(sim, r->runtime().heap(), "prefix <peak>", "caption");
  absl::StatusOr<AddressMap> back = ParseAddressMap(SerializeAddressMap(m));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->title, m.title);
  EXPECT_EQ(back->caption, m.caption);
  EXPECT_EQ(back->lo, m.lo);
  EXPECT_EQ(back->hi, m.hi);
  EXPECT_EQ(back->vmas, m.vmas);
  ASSERT_EQ(back->spans.size(), m.spans.size());
  for (size_t i = 0; i < m.spans.size(); ++i) {
    EXPECT_EQ(back->spans[i].start, m.spans[i].start);
    EXPECT_EQ(back->spans[i].shade, m.spans[i].shade);
  }
  const std::string svg = RenderAddressMapsSvg({m, *back}, "two maps");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("prefix &lt;peak&gt;"), std::string::npos);  // escaped
  // One rectangle per VMA and span run per row it crosses: at least that many
  // NOHUGEPAGE-coloured ones as there are NOHUGEPAGE VMAs, twice (two maps).
  int nohuge = 0;
  for (const Vma& v : m.vmas) nohuge += v.huge == HugeFlag::kNoHuge;
  size_t found = 0;
  for (size_t p = svg.find("fill=\"#d33a2c\""); p != std::string::npos;
       p = svg.find("fill=\"#d33a2c\"", p + 1)) {
    ++found;
  }
  EXPECT_GE(found, 2u * nohuge + 1);  // + the legend
  EXPECT_GT(nohuge, 0);
}

TEST(AddressMapTest, SeveralMapsInOneTextComeBackInOrder) {
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r = Fragmented(sim, "fixed");
  AddressMap a = CaptureAddressMap(sim, r->runtime().heap(), "fixed — VMA peak", "first");
  AddressMap b = CaptureAddressMap(sim, r->runtime().heap(), "addrmap 1", "a title like a header");
  b.hi = b.lo + kHugePageSize;  // differ from `a` in more than the title
  b.vmas.resize(1);
  b.vmas[0].end = b.hi;
  b.spans = {SpanRun{b.lo, b.hi, SpanShade::kUnknown}};
  absl::StatusOr<std::vector<AddressMap>> back =
      ParseAddressMaps(SerializeAddressMap(a) + SerializeAddressMap(b));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].title, a.title);
  EXPECT_EQ((*back)[0].vmas, a.vmas);
  EXPECT_EQ((*back)[0].spans.size(), a.spans.size());
  EXPECT_EQ((*back)[1].title, "addrmap 1");
  EXPECT_EQ((*back)[1].caption, b.caption);
  EXPECT_EQ((*back)[1].hi, b.hi);
  EXPECT_EQ((*back)[1].vmas, b.vmas);
  ASSERT_EQ((*back)[1].spans.size(), 1u);
  EXPECT_EQ((*back)[1].spans[0].shade, SpanShade::kUnknown);

  absl::StatusOr<std::vector<AddressMap>> none = ParseAddressMaps("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  absl::StatusOr<std::vector<AddressMap>> bad =
      ParseAddressMaps(SerializeAddressMap(a) + "addrmap 1\nv 1 2 7\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("map 2: address map line 2"), absl::string_view::npos)
      << bad.status();
}

TEST(AddressMapTest, BadTextIsRefusedWithTheLine) {
  EXPECT_FALSE(ParseAddressMap("").ok());
  absl::StatusOr<AddressMap> bad = ParseAddressMap("addrmap 1\nv 1 2 7\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), absl::string_view::npos);
}

}  // namespace
}  // namespace thp

namespace thp {
namespace {

AddressMap Striped(uintptr_t lo, int vmas_in_first_region) {
  // The first 2 MiB region cut into `vmas_in_first_region` alternating
  // VMAs, then 6 MiB in one VMA.
  AddressMap m;
  m.title = "striped";
  m.lo = lo;
  m.hi = lo + 8 * (uintptr_t{1} << 20);
  const uintptr_t piece = kHugePageSize / vmas_in_first_region;
  for (int i = 0; i < vmas_in_first_region; ++i) {
    m.vmas.push_back(Vma{lo + i * piece, i + 1 == vmas_in_first_region ? lo + kHugePageSize
                                                                       : lo + (i + 1) * piece,
                         Prot::kReadWrite, i % 2 ? HugeFlag::kHuge : HugeFlag::kNoHuge});
  }
  m.vmas.push_back(Vma{lo + kHugePageSize, m.hi, Prot::kReadWrite, HugeFlag::kNone});
  m.spans.push_back(SpanRun{m.lo, m.hi, SpanShade::kReleased});
  return m;
}

TEST(AddressMapTest, DenseRegionsAreZoomedOnePerRow) {
  const std::string svg = RenderAddressMapsSvg({Striped(uintptr_t{0xc820000000}, 10)}, "zoom");
  EXPECT_NE(svg.find("The 1 2 MiB regions with the most VMAs"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">+0 MiB: 10<"), std::string::npos);
  // A VMA boundary tick for each VMA that starts inside the zoomed region.
  size_t ticks = 0;
  for (size_t p = svg.find("stroke-width=\"0.8\""); p != std::string::npos;
       p = svg.find("stroke-width=\"0.8\"", p + 1)) {
    ++ticks;
  }
  EXPECT_EQ(ticks, 9u);
}

TEST(AddressMapTest, CoarseMapsHaveNoZoom) {
  const std::string svg = RenderAddressMapsSvg({Striped(uintptr_t{0xc820000000}, 3)}, "coarse");
  EXPECT_EQ(svg.find("regions with the most VMAs"), std::string::npos);
}

}  // namespace
}  // namespace thp
