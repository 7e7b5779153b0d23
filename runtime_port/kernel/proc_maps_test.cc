#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/proc_maps.h"

#include <string>

#include "gtest/gtest.h"

namespace thp {
namespace {

std::string Testdata(const std::string& name) {
  absl::StatusOr<std::string> text = ReadWholeFile("testdata/proc/" + name);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

TEST(ProcMaps, ParsesRecordedMapsOfLinux618) {
  absl::StatusOr<std::vector<MapsEntry>> maps = ParseMaps(Testdata("maps_linux618.txt"));
  ASSERT_TRUE(maps.ok()) << maps.status();
  ASSERT_EQ(maps->size(), 28u);
  EXPECT_EQ((*maps)[0].name, "/tmp/probe/rec");
  EXPECT_EQ((*maps)[5].start, 0x7f0000000000u);
  EXPECT_EQ((*maps)[5].end, 0x7f0000200000u);
  EXPECT_EQ((*maps)[5].perms, "rw-p");
  EXPECT_EQ((*maps)[5].name, "");
  EXPECT_EQ(maps->back().name, "[vsyscall]");
  // [vsyscall] is a gate area, not a VMA: map_count is one less than lines.
  EXPECT_EQ(MapCountOf(*maps), 27);
  EXPECT_EQ(MapCountOfText(Testdata("maps_linux618.txt")), 27);
}

TEST(ProcMaps, ParsesRecordedSmapsFlagsAndSizes) {
  absl::StatusOr<std::vector<SmapsEntry>> smaps = ParseSmaps(Testdata("smaps_linux618.txt"));
  ASSERT_TRUE(smaps.ok()) << smaps.status();
  ASSERT_EQ(smaps->size(), 28u);
  const SmapsEntry& none = (*smaps)[5];
  EXPECT_EQ(none.maps.start, 0x7f0000000000u);
  EXPECT_EQ(none.huge, HugeFlag::kNone);
  EXPECT_EQ(none.rss_bytes, 4096u);
  const SmapsEntry& hg = (*smaps)[6];
  EXPECT_EQ(hg.maps.start, 0x7f0000200000u);
  EXPECT_EQ(hg.huge, HugeFlag::kHuge);
  EXPECT_EQ(hg.rss_bytes, 2u << 20);
  EXPECT_EQ(hg.anon_huge_bytes, 2u << 20);
  const SmapsEntry& nh = (*smaps)[8];
  EXPECT_EQ(nh.maps.start, 0x7f0000600000u);
  EXPECT_EQ(nh.maps.end, 0x7f0000602000u);
  EXPECT_EQ(nh.huge, HugeFlag::kNoHuge);
  EXPECT_EQ(nh.rss_bytes, 4096u);
}

// An error is one bounded line: the line it could not read is quoted
// escaped and cut; a kB figure too large for a byte count is refused, not
// wrapped.
TEST(ProcMaps, ErrorsQuoteTheLineEscapedAndCutAndRefuseOverflow) {
  absl::StatusOr<std::vector<MapsEntry>> longline = ParseMaps(std::string(5000, 'z') + "\x01\n");
  ASSERT_FALSE(longline.ok());
  EXPECT_EQ(longline.status().message(),
            "line 1: bad address range: \"" + std::string(120, 'z') + "...\"");
  absl::StatusOr<std::vector<MapsEntry>> binary = ParseMaps("7f-7e \x01\x02\n");
  ASSERT_FALSE(binary.ok());
  EXPECT_EQ(binary.status().message(), "line 1: bad address range: \"7f-7e \\x01\\x02\"");
  const std::string head = "7f0000000000-7f0000200000 rw-p 00000000 00:00 0\n";
  absl::StatusOr<std::vector<SmapsEntry>> huge = ParseSmaps(head + "Rss: 18014398509481984 kB\n");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().message(), "line 2: bad number: \"Rss: 18014398509481984 kB\"");
  absl::StatusOr<std::vector<SmapsEntry>> biggest = ParseSmaps(head + "Rss: 18014398509481983 kB\n");
  ASSERT_TRUE(biggest.ok()) << biggest.status();
  EXPECT_EQ((*biggest)[0].rss_bytes, uint64_t{18014398509481983} * 1024);
}

TEST(ProcMaps, RejectsMalformedLinesWithTheirNumber) {
  absl::StatusOr<std::vector<MapsEntry>> bad =
      ParseMaps("7f0000000000-7f0000200000 rw-p 00000000 00:00 0\nnot a line\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status();

  absl::StatusOr<std::vector<MapsEntry>> reversed =
      ParseMaps("7f0000200000-7f0000000000 rw-p 00000000 00:00 0\n");
  EXPECT_FALSE(reversed.ok());

  absl::StatusOr<std::vector<SmapsEntry>> orphan = ParseSmaps("Rss: 4 kB\n");
  EXPECT_FALSE(orphan.ok());

  absl::StatusOr<std::vector<SmapsEntry>> bad_kb =
      ParseSmaps("7f0000000000-7f0000200000 rw-p 00000000 00:00 0\nRss: four kB\n");
  EXPECT_FALSE(bad_kb.ok());
}

// Bounds (proc_maps.h): a line past kMaxProcLineBytes is refused by its
// number, before its fields are read; a CRLF line end reads as LF.
TEST(ProcMaps, BoundsLineLengthAndReadsCrlf) {
  const std::string head = "7f0000000000-7f0000200000 rw-p 00000000 00:00 0 ";
  const std::string at_bound = head + std::string(kMaxProcLineBytes - head.size(), 'p');
  absl::StatusOr<std::vector<MapsEntry>> ok = ParseMaps(at_bound + "\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  absl::StatusOr<std::vector<MapsEntry>> too_long = ParseMaps("\n" + at_bound + "p\n");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().message().substr(0, 40), "line 2: longer than 32768 bytes: \"7f0000");
  absl::StatusOr<std::vector<SmapsEntry>> crlf =
      ParseSmaps("7f0000000000-7f0000200000 rw-p 00000000 00:00 0 [heap]\r\nRss: 8 kB\r\n");
  ASSERT_TRUE(crlf.ok()) << crlf.status();
  EXPECT_EQ((*crlf)[0].maps.name, "[heap]");
  EXPECT_EQ((*crlf)[0].rss_bytes, 8192u);
}

// The sysctl-like files: one value, bounded, quoted in the error with the
// file's name.
TEST(ProcMaps, ThpModeAndMaxMapCountTexts) {
  EXPECT_EQ(*ParseThpMode("f", "always [madvise] never\n"), ThpMode::kMadvise);
  EXPECT_EQ(*ParseThpMode("f", "[always] madvise never\n"), ThpMode::kAlways);
  EXPECT_EQ(ParseThpMode("/sys/x", "always madvise\x01\n").status().message(),
            "/sys/x: \"always madvise\\x01\\n\": expected a THP mode in brackets (accepted: "
            "always, madvise, never)");
  EXPECT_EQ(*ParseMaxMapCount("f", "65530\n"), 65530);
  EXPECT_EQ(*ParseMaxMapCount("f", "2147483647\n"), 2147483647);
  EXPECT_EQ(ParseMaxMapCount("/proc/m", "2147483648\n").status().message(),
            "/proc/m: \"2147483648\\n\": expected an integer (accepted: 0 to 2147483647)");
  EXPECT_FALSE(ParseMaxMapCount("f", "-1\n").ok());
  EXPECT_FALSE(ParseMaxMapCount("f", "").ok());
}

TEST(ProcMaps, PermsToProt) {
  EXPECT_EQ(ProtOfPerms("rw-p"), Prot::kReadWrite);
  EXPECT_EQ(ProtOfPerms("r--p"), Prot::kRead);
  EXPECT_EQ(ProtOfPerms("---p"), Prot::kNone);
}

}  // namespace
}  // namespace thp
