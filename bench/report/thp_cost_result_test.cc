// The child-to-parent form of a thp_cost result (its field table): every
// figure survives the round trip, and damaged text is an error.
#include "bench/report/thp_cost_result.h"

#include "gtest/gtest.h"

namespace thp {
namespace {

// Gives every integer figure of a field table its own value.
struct Numberer {
  int64_t next = 1;
  void operator()(absl::string_view, int64_t& field, unsigned = 0) { field = next++ * 1000 + 7; }
  template <typename T>
  void operator()(absl::string_view, T&, unsigned = 0) {}
};

ThpCostResult Sample() {
  ThpCostResult r;
  r.variant = "collapse";
  r.kernel = "linux";
  Numberer n;
  FieldTable<ThpCostResult>::Visit(r, n);
  r.calls_by_site = {{"*dense/COLLAPSE", 35}, {"sysUnused/DONTNEED", 726}};
  r.madvise_errors = {{"COLLAPSE/EINVAL", 4}};
  r.vmstat_delta = {{"thp_collapse_alloc", 65}, {"compact_stall", 0}};
  return r;
}

TEST(ThpCostResult, RoundTripKeepsEveryFigure) {
  const ThpCostResult r = Sample();
  absl::StatusOr<ThpCostResult> back = ParseFields<ThpCostResult>(SerializeFields(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->variant, "collapse");
  EXPECT_EQ(back->kernel, "linux");
  EXPECT_EQ(back->error, "");
  EXPECT_EQ(SerializeFields(*back), SerializeFields(r));
  EXPECT_EQ(back->locked_calls, r.locked_calls);
  EXPECT_EQ(back->plain.max_huge_page_ns, r.plain.max_huge_page_ns);
  EXPECT_EQ(back->calls_by_site, r.calls_by_site);
  EXPECT_EQ(back->madvise_errors, r.madvise_errors);
  EXPECT_EQ(back->vmstat_delta, r.vmstat_delta);
}

TEST(ThpCostResult, AnErrorResultNeedsNoFigures) {
  absl::StatusOr<ThpCostResult> r =
      ParseFields<ThpCostResult>(
          "variant\tfixed\nkernel\tlinux\nerror\tfatal error: runtime: out of memory\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->error, "fatal error: runtime: out of memory");
}

TEST(ThpCostResult, DamagedTextIsAnError) {
  std::string text = SerializeFields(Sample());
  EXPECT_FALSE(ParseFields<ThpCostResult>(text + "nonsense\n").ok());
  EXPECT_FALSE(ParseFields<ThpCostResult>(text + "locked_calls\t12x\n").ok());
  EXPECT_FALSE(ParseFields<ThpCostResult>(text + "no_such_figure\t1\n").ok());
  EXPECT_FALSE(ParseFields<ThpCostResult>(text.substr(text.find('\n') + 1)).ok());  // no variant
  const size_t cut = text.find("end_rss\t");
  EXPECT_FALSE(ParseFields<ThpCostResult>(text.substr(0, cut)).ok());  // figures missing
}

TEST(TouchCost, PerPageFiguresComeFromTheSteps) {
  LatencyHistogram steps;
  for (int i = 0; i < 4; ++i) steps.RecordNs(512000);  // 1000 ns per 4 KiB page
  const TouchCost t = TouchCost::Of(steps, 2 << 20);
  EXPECT_EQ(t.bytes, 8 << 20);
  EXPECT_EQ(t.total_ns, 4 * 512000);
  EXPECT_DOUBLE_EQ(t.NsPerSmallPage(), 1000.0);
  EXPECT_DOUBLE_EQ(t.NsPerHugePage(), 512000.0);
  EXPECT_EQ(t.p50_huge_page_ns, 512000);
  EXPECT_EQ(t.anon_huge_bytes, 2 << 20);
  EXPECT_EQ(TouchCost().NsPerSmallPage(), 0);
}

}  // namespace
}  // namespace thp
