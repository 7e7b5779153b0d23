#include "bench/report/repro_report.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace thp {
namespace {

VariantResult Variant(const std::string& name, int64_t peak_own, int64_t peak_at_ns,
                      const std::string& bench) {
  VariantResult v;
  v.variant = name;
  v.max_go_vmas = peak_own + kGoStaticBinaryVmas;
  v.max_at_benchmark = bench;
  v.virtual_ns = 10'000'000'000;
  v.series = {{0, 300, 3}, {peak_at_ns, 300 + peak_own, peak_own}, {9'000'000'000, 290, 5}};
  return v;
}

ReproRun TwoVariants(int64_t prefix_own, int64_t fixed_own) {
  ReproRun run;
  run.kernel = "sim";
  run.profile = "linux2015";
  run.variants = {Variant("prefix", prefix_own, 4'000'000'000, "BenchmarkMatmult"),
                  Variant("fixed", fixed_own, 2'000'000'000, "BenchmarkStackCopy")};
  return run;
}

TEST(ReproReportSvgTest, AutoScaleIsLogWhenOneVariantDwarfsAnother) {
  EXPECT_THAT(FormatSvg(TwoVariants(1546, 20)), ::testing::HasSubstr("logarithmic y axis"));
  EXPECT_THAT(FormatSvg(TwoVariants(40, 20)), ::testing::HasSubstr("linear y axis"));
  EXPECT_THAT(FormatSvg(TwoVariants(1546, 20), SvgScale::kLinear), ::testing::HasSubstr("linear y axis"));
  EXPECT_THAT(FormatSvg(TwoVariants(40, 20), SvgScale::kLog), ::testing::HasSubstr("logarithmic y axis"));
}

TEST(ReproReportSvgTest, EachPeakIsMarkedWithItsBenchmark) {
  const std::string svg = FormatSvg(TwoVariants(1546, 20));
  EXPECT_THAT(svg, ::testing::HasSubstr(absl::StrCat(">prefix ", 1546 + kGoStaticBinaryVmas,
                                                     " in BenchmarkMatmult<")));
  EXPECT_THAT(svg, ::testing::HasSubstr(absl::StrCat(">fixed ", 20 + kGoStaticBinaryVmas,
                                                     " in BenchmarkStackCopy<")));
  size_t dots = 0;
  for (size_t p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1)) {
    ++dots;
  }
  EXPECT_EQ(dots, 2u);
}

TEST(ReproReportSvgTest, TheLegendIsOutsideThePlot) {
  const std::string svg = FormatSvg(TwoVariants(1546, 20));
  // The plot's x axis ends where the legend column begins.
  const size_t legend = svg.find("variant: max (benchmark at the peak)");
  ASSERT_NE(legend, std::string::npos);
  const size_t x = svg.rfind("x=\"", legend);
  const double legend_x = std::stod(svg.substr(x + 3));
  const size_t axis = svg.find("<line x1=\"70.0\" y1=\"524.0\" x2=\"");
  ASSERT_NE(axis, std::string::npos) << svg.substr(0, 2000);
  const double axis_end = std::stod(svg.substr(axis + std::string("<line x1=\"70.0\" y1=\"524.0\" x2=\"").size()));
  EXPECT_GT(legend_x, axis_end);
}

TEST(ReproReportSvgTest, BadScaleNamesTheValue) {
  absl::StatusOr<SvgScale> s = ParseSvgScale("logx");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "--svg_y=\"logx\": unknown scale (accepted: auto, linear, log)");
}

}  // namespace
}  // namespace thp
