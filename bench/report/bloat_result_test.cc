// The thp_bloat result: its field table's child text (every figure survives the round trip; a
// damaged line is an error naming it).
#include "bench/report/bloat_result.h"

#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

TEST(BloatResult, ResultRoundTrips) {
  BloatResult r;
  r.variant = "prefix";
  r.kernel = "linux";
  r.khugepaged = true;
  r.max_ptes_none = 447;
  r.arena_bytes = 234881024;
  r.rss_bytes = 29261824;
  r.anon_huge_bytes = 2097152;
  r.rss_peak_bytes = 1;
  r.rss_low_after_release_bytes = 2;
  r.heap_sys_bytes = 3;
  r.heap_inuse_bytes = 4;
  r.heap_released_bytes = 5;
  r.live_objects = 100000;
  r.scavenge_passes = 67;
  r.gc_cycles = 68;
  r.max_vmas = 7148;
  r.final_vmas = 7147;
  r.madvise_dontneed = 3572;
  r.madvise_hugepage = 6;
  r.madvise_nohugepage = 3571;
  r.regions_collapsed = 117;
  r.collapse_added_bytes = 208199680;
  r.collapse_failures = 2;
  r.collapse_errors = "EAGAIN=2";
  r.last_scan = {{"nohugepage", 111}, {"collapse_failed", 1}};
  r.collapse_ns = {4640783, 9162028, 12};
  r.virtual_ns = 700000000;
  r.wall_ns = 703645361;
  absl::StatusOr<BloatResult> back = ParseFields<BloatResult>(SerializeFields(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(SerializeFields(*back), SerializeFields(r));
  EXPECT_TRUE(back->khugepaged);
  EXPECT_EQ(back->collapse_ns, r.collapse_ns);
  EXPECT_EQ(back->last_scan, r.last_scan);
  EXPECT_EQ(back->collapse_errors, "EAGAIN=2");
}

TEST(BloatResult, UnknownOrBadLinesAreErrors) {
  EXPECT_EQ(ParseFields<BloatResult>("rss_bytes\tlots\n").status().message(),
            "result line 1: \"rss_bytes\tlots\"");
  EXPECT_FALSE(ParseFields<BloatResult>("variant\tnone\nmystery\t1\n").ok());
  EXPECT_FALSE(ParseFields<BloatResult>("no tab here\n").ok());
  EXPECT_FALSE(ParseFields<BloatResult>("collapse_ns\t1,x\n").ok());
}

}  // namespace
}  // namespace thp
