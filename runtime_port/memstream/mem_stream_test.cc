// The memory-layer stream: every record's line reads back as itself, bad
// lines name what is wrong, and a stream recorded under one variant drives
// another variant's MemLinux to exactly the kernel calls that variant makes
// when the heap calls it directly.
#include "runtime_port/memstream/mem_stream.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime_port/base/quote.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "runtime_port/mem_linux/mem_linux.h"
#include "runtime_port/memstream/player.h"
#include "runtime_port/memstream/recorder.h"

namespace thp {
namespace {

constexpr uintptr_t M = uintptr_t{1} << 20;
constexpr uintptr_t kArena = uintptr_t{0xc000000000};

TEST(MemStream, EveryRecordReadsBackAsItself) {
  const std::vector<std::string> lines = {
      "at 1000",
      "sysalloc 65536 0x515000000000 0",
      "sysalloc 65536 0x0 12",
      "sysreserve 0xc000000000 584115552256 0xc000000000 0",
      "sysmap 0xc000000000 1048576 0",
      "sysunused 0xc000002000 8192",
      "sysused 0xc000002000 8192",
      "sysfree 0x515000000000 65536",
      "sysfault 0xc000000000 8192",
      "grown 0xc000000000 4194304",
      "dense 0xc000400000 12",
      "chunkscavenge 0xc000400000",
      "pass begin",
      "pass end",
      "touch 0xc000000000 8192",
      "bench 3 243 BenchmarkMalloc8",
      "run 1000000",
      "runend 500000",
      "sample 0xc000000000 0xc000100000",
      "gctrace gc 1 @0.001s 0%: 0.01+0.02 ms clock",
      "end heap_sys=1048576 numgc=3",
  };
  for (const std::string& line : lines) {
    absl::StatusOr<MemRecord> r = ParseMemRecord(line);
    ASSERT_TRUE(r.ok()) << line << ": " << r.status();
    EXPECT_EQ(FormatMemRecord(*r), line);
  }
}

TEST(MemStream, BadLinesSayWhatIsAccepted) {
  EXPECT_TRUE(absl::StrContains(ParseMemRecord("mmap 0x1 2").status().message(),
                                "\"mmap\": not a memory-layer record (expected at, sysalloc"));
  EXPECT_EQ(ParseMemRecord("sysmap 0xc000000000 8192").status().message(),
            "sysmap: expected 3 arguments, got 2");
  EXPECT_EQ(ParseMemRecord("sysunused 12 8192").status().message(),
            "sysunused \"12\": expected a hex address (0x...)");
  EXPECT_EQ(ParseMemRecord("sysunused 0xc0000g0000 8192").status().message(),
            "sysunused \"0xc0000g0000\": expected a hex address (0x...)");
  EXPECT_EQ(ParseMemRecord("sysmap 0xc000000000 8192 2").status().message(),
            "sysmap \"2\": expected 0 or 1");
  EXPECT_EQ(ParseMemRecord("at -5").status().message(),
            "at \"-5\": expected a decimal count of at most 2^64-1");
  EXPECT_EQ(ParseMemRecord("pass middle").status().message(),
            "pass \"middle\": expected begin or end");
  EXPECT_EQ(ParseMemRecord("bench 1 BenchmarkX").status().message(),
            "bench \"1 BenchmarkX\": expected <index> <total> <name>");
  EXPECT_EQ(ParseMemRecord("sysalloc 8192 0x0 99999").status().message(),
            "sysalloc \"99999\": expected an errno, 0 to 4095");
}

// What a heap does to its memory layer, in a small way: reserve the arena,
// map and touch, release in a scavenge pass, reuse, release unaligned, and
// free a sysAlloc'd block.
void HeapLike(MemLinux& mem) {
  bool reserved = false;
  ASSERT_EQ(mem.SysReserve(kArena, uintptr_t{512} << 30, &reserved), kArena);
  uint64_t stat = 0;
  mem.SysMap(kArena, 8 * M, reserved, &stat);
  ASSERT_EQ(mem.Touch(kArena, 8 * M), 0);
  mem.BeginScavengePass();
  mem.SysUnused(kArena + 8192, 3 * M);
  mem.SysUnused(kArena + 4 * M, 2 * M);
  mem.EndScavengePass();
  mem.SysUsed(kArena + 8192, 3 * M);
  mem.HeapGrown(kArena, 8 * M);
  mem.ChunkBecameDense(kArena + 4 * M, 100);
  mem.BeforeChunkScavenge(kArena + 4 * M);
  mem.SysUnused(kArena + 4 * M + 8192, 16384);
  const uintptr_t block = mem.SysAlloc(65536, &stat);
  ASSERT_NE(block, 0u);
  mem.SysFree(block, 65536, &stat);
}

std::vector<std::string> Calls(const RecordingKernel& rec) {
  std::vector<std::string> out;
  for (const KernelCall& c : rec.calls()) out.push_back(KernelCallToString(c));
  return out;
}

TEST(MemStream, AStreamRecordedUnderOneVariantDrivesAnother) {
  // Recorded under prefix.
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  ASSERT_NE(out, nullptr);
  int64_t now = 1000;
  {
    SimulatedKernel sim;
    absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "prefix");
    ASSERT_TRUE(mem.ok());
    MemStreamRecorder recorder(out, [&now] { return now; });
    (*mem)->set_observer(&recorder);
    HeapLike(**mem);
    now = 2000;
    recorder.Sample(kArena, kArena + 8 * M);
    recorder.End("heap_sys=8388608");
    EXPECT_TRUE(recorder.ok());
    EXPECT_EQ(recorder.records(), 16);  // 14 calls, the sample, the end
  }
  std::fclose(out);
  const std::string stream(text, size);
  std::free(text);
  EXPECT_TRUE(absl::StartsWith(stream, "thp-memstream 1\nat 1000\nsysreserve 0xc000000000 "))
      << stream;
  EXPECT_TRUE(absl::StrContains(stream, "\npass begin\nsysunused 0xc000002000 3145728\n"));
  EXPECT_TRUE(absl::StrContains(stream, "\nat 2000\nsample 0xc000000000 0xc000800000\n"));

  for (const char* variant : {"none", "prefix", "fixed", "fixed_batched", "hugepage_eager",
                              "collapse", "disablethp"}) {
    // The variant called directly.
    SimulatedKernel direct_sim;
    RecordingKernel direct(direct_sim);
    absl::StatusOr<std::unique_ptr<MemLinux>> d = NewMemLinux(direct, variant);
    ASSERT_TRUE(d.ok()) << variant;
    HeapLike(**d);
    // The variant driven by the stream.
    char path[] = "/tmp/mem_stream_test.XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, stream.data(), stream.size()), static_cast<ssize_t>(stream.size()));
    close(fd);
    absl::StatusOr<MemStreamReader> reader = MemStreamReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    SimulatedKernel replay_sim;
    RecordingKernel replayed(replay_sim);
    absl::StatusOr<std::unique_ptr<MemLinux>> r = NewMemLinux(replayed, variant);
    ASSERT_TRUE(r.ok());
    int markers = 0;
    for (;;) {
      absl::StatusOr<MemRecord> rec = reader->Next();
      if (absl::IsNotFound(rec.status())) break;
      ASSERT_TRUE(rec.ok()) << rec.status();
      absl::StatusOr<bool> applied = ApplyMemRecord(*rec, **r);
      ASSERT_TRUE(applied.ok()) << applied.status();
      markers += !*applied;
    }
    unlink(path);
    EXPECT_EQ(markers, 4) << variant;  // at 1000, at 2000, sample, end
    EXPECT_EQ(Calls(replayed), Calls(direct)) << variant;
    EXPECT_EQ((*r)->counters().TotalCalls(), (*d)->counters().TotalCalls()) << variant;
    EXPECT_GT((*r)->counters().TotalCalls(), 2) << variant;
  }
}

TEST(MemStream, AReplayThatGetsAnotherAddressSaysSo) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "fixed");
  ASSERT_TRUE(mem.ok());
  absl::StatusOr<MemRecord> r = ParseMemRecord("sysalloc 65536 0x7000 0");
  ASSERT_TRUE(r.ok());
  absl::StatusOr<bool> applied = ApplyMemRecord(*r, **mem);
  EXPECT_TRUE(absl::StartsWith(applied.status().message(), "replay diverged: sysAlloc(65536) got 0x"))
      << applied.status();
  EXPECT_TRUE(absl::EndsWith(applied.status().message(), ", 0x7000 in the recorded heap run"));
}

TEST(MemStream, AFileThatIsNotAStreamIsRefused) {
  char path[] = "/tmp/mem_stream_test.XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "thp-trace 1\n", 12), 12);
  close(fd);
  absl::StatusOr<MemStreamReader> reader = MemStreamReader::Open(path);
  unlink(path);
  EXPECT_EQ(reader.status().message(),
            std::string(path) +
                ": not a memory-layer stream (its first line must be \"thp-memstream 1\")");
}

// A line of the bound is read; one past it is refused by its path and line
// number, quoted cut (the reader keeps at most one byte past the bound of
// it, however long).
TEST(MemStream, ALineLongerThanTheBoundIsRefused) {
  char path[] = "/tmp/mem_stream_test.XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string at_bound = "gctrace " + std::string(kMaxMemStreamLineBytes - 8, 'x');
  const std::string text = absl::StrCat(kMemStreamHeader, "\n", at_bound, "\n", at_bound, "y\nat 6\n");
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  absl::StatusOr<MemStreamReader> reader = MemStreamReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<MemRecord> first = reader->Next();
  EXPECT_TRUE(first.ok()) << first.status();
  absl::StatusOr<MemRecord> r = reader->Next();
  unlink(path);
  EXPECT_EQ(r.status().message(),
            absl::StrCat(path, ":3: longer than 4096 bytes: \"gctrace ",
                         std::string(kMaxQuotedChars - 8, 'x'), "...\""));
}

}  // namespace
}  // namespace thp
