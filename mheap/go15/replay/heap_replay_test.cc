// Replays the heap-event logs Go 1.5.1's own runtime recorded
// (testdata/go151_heaplog/: the smoke runs, and the full-suite runs when
// they are there) through the ported heap on the simulated kernel, with the
// variant each was recorded with, and requires every decision to match;
// then shows the checker is not vacuous: logs corrupted in one decision
// each are reported at exactly that record and field.
#include "mheap/go15/replay/heap_replay.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/byte_io.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/replay/log_corruption.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace heaplog {
namespace {

constexpr char kDir[] = "testdata/go151_heaplog";

// The records a replay compares with the port's decisions (madvise only
// when the variant is the recorded build).
bool IsCheckedDecision(const HeapEvent& e, bool with_madvise) {
  switch (e.kind()) {
    case Kind::kSysReserve:
    case Kind::kHeapInit:
    case Kind::kGrow:
    case Kind::kSysMap:
    case Kind::kFree:
    case Kind::kSysUsed:
    case Kind::kAllocDone:
    case Kind::kSysUnused:
    case Kind::kScavengeDone:
    case Kind::kGcSweepGen:
      return true;
    case Kind::kMadvise:
      return with_madvise;
    default:
      return false;
  }
}

struct Outcome {
  absl::Status status;
  std::optional<Divergence> divergence;
  ReplayCounts counts;
  int64_t want_decisions = 0;  // decision records in the log, counted here
  double seconds = 0;
};

// Replays events from `next` (which returns false at the end) on a fresh
// simulated kernel.
template <typename NextFn>
Outcome Replay(const std::string& variant, const std::string& build, NextFn next) {
  Outcome o;
  SimulatedKernel kernel;
  VirtualClock clock;
  ReplayOptions opts;
  opts.variant = variant;
  opts.recorded_build = build;
  opts.nprocs = 2;
  absl::StatusOr<std::unique_ptr<HeapReplay>> r = HeapReplay::Create(kernel, clock, opts);
  if (!r.ok()) {
    o.status = r.status();
    return o;
  }
  const absl::Time start = absl::Now();
  HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = next(&e);
    if (!more.ok()) {
      o.status = more.status();
      return o;
    }
    if (!*more) break;
    if (IsCheckedDecision(e, (*r)->check_madvise())) ++o.want_decisions;
    o.status = (*r)->Apply(e);
    if (!o.status.ok() || (*r)->divergence().has_value()) break;
  }
  if (o.status.ok()) o.status = (*r)->Finish();
  o.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  o.divergence = (*r)->divergence();
  o.counts = (*r)->counts();
  return o;
}

Outcome ReplayFile(const std::string& path, const std::string& variant, const std::string& build) {
  absl::StatusOr<std::unique_ptr<HeapEventReader>> reader = HeapEventReader::Open(path);
  if (!reader.ok()) {
    Outcome o;
    o.status = reader.status();
    return o;
  }
  HeapEventReader& rd = **reader;
  return Replay(variant, build, [&rd](HeapEvent* e) { return rd.Next(e); });
}

Outcome ReplayVector(const std::vector<HeapEvent>& events, const std::string& variant,
                     const std::string& build) {
  size_t i = 0;
  return Replay(variant, build, [&](HeapEvent* e) -> absl::StatusOr<bool> {
    if (i == events.size()) return false;
    *e = events[i++];
    return true;
  });
}

std::string BuildOf(const std::string& path) {
  absl::StatusOr<std::optional<Config>> c = PeekConfig(path);
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok() || !c->has_value()) return "";
  return (*c)->build;
}

// Every log in testdata/go151_heaplog: the smoke logs and any full-suite
// logs committed beside them.
std::vector<std::string> Logs() {
  std::vector<std::string> out;
  if (DIR* d = opendir(kDir)) {
    while (dirent* ent = readdir(d)) {
      const std::string name = ent->d_name;
      if (absl::EndsWith(name, ".hlog.xz") || absl::EndsWith(name, ".hlog")) {
        out.push_back(absl::StrCat(kDir, "/", name));
      }
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(HeapReplayTest, FindsTheSmokeLogs) {
  const std::vector<std::string> logs = Logs();
  EXPECT_NE(std::find(logs.begin(), logs.end(), absl::StrCat(kDir, "/smoke_prefix.hlog.xz")), logs.end());
  EXPECT_NE(std::find(logs.begin(), logs.end(), absl::StrCat(kDir, "/smoke_fixed.hlog.xz")), logs.end());
}

// Each log, through the variant it was recorded with: not one decision
// differs. One test per log (the full-suite logs take seconds each).
class RecordedLogTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RecordedLogTest, ReplaysExactly) {
  const std::string path = GetParam();
  const std::string build = BuildOf(path);
  ASSERT_TRUE(build == "prefix" || build == "fixed") << "config.build = \"" << build << "\"";
  const Outcome o = ReplayFile(path, build, build);
  ASSERT_TRUE(o.status.ok()) << o.status;
  ASSERT_FALSE(o.divergence.has_value()) << o.divergence->Describe();
  EXPECT_EQ(o.counts.decisions, o.want_decisions);
  EXPECT_GT(o.counts.Checked(Kind::kAllocDone), 0);
  EXPECT_GT(o.counts.Checked(Kind::kFree), 0);
  EXPECT_GT(o.counts.Checked(Kind::kSysUnused), 0);
  EXPECT_GT(o.counts.Checked(Kind::kMadvise), 0);
  EXPECT_EQ(o.counts.madvise_unchecked_go, 0);
  std::printf("%s: %lld records, %lld decisions checked, %.0f records/s\n", path.c_str(),
              static_cast<long long>(o.counts.records), static_cast<long long>(o.counts.decisions),
              o.counts.records / std::max(o.seconds, 1e-9));
}

INSTANTIATE_TEST_SUITE_P(Logs, RecordedLogTest, ::testing::ValuesIn(Logs()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param.substr(p.param.rfind('/') + 1);
                           name = name.substr(0, name.find('.'));
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

std::vector<HeapEvent> ReadSmoke(const std::string& build) {
  absl::StatusOr<std::unique_ptr<ByteSource>> in =
      OpenLogSource(absl::StrCat(kDir, "/smoke_", build, ".hlog.xz"));
  EXPECT_TRUE(in.ok()) << in.status();
  if (!in.ok()) return {};
  absl::StatusOr<std::vector<HeapEvent>> events = ReadAllEvents(*std::move(in));
  EXPECT_TRUE(events.ok()) << events.status();
  return events.ok() ? *std::move(events) : std::vector<HeapEvent>();
}

// The log changed in one place must diverge exactly there, naming the field.
void ExpectDivergenceAt(const std::vector<HeapEvent>& events, const std::string& build,
                        size_t index, const std::string& kind, const std::string& field) {
  const Outcome o = ReplayVector(events, build, build);
  ASSERT_TRUE(o.status.ok()) << o.status;
  ASSERT_TRUE(o.divergence.has_value()) << "no divergence; " << o.counts.decisions << " decisions";
  EXPECT_EQ(o.divergence->record_index, index) << o.divergence->Describe();
  EXPECT_EQ(o.divergence->offset, events[index].offset);
  EXPECT_EQ(o.divergence->kind, kind) << o.divergence->Describe();
  EXPECT_EQ(o.divergence->field, field) << o.divergence->Describe();
  EXPECT_NE(o.divergence->heap_state.find("free lists"), std::string::npos);
}

bool IsTrim(const HeapEvent& e) { return std::get<Free>(e.body).why == FreeWhy::kTrim; }
bool IsCentral(const HeapEvent& e) { return std::get<Free>(e.body).why == FreeWhy::kCentral; }
bool IsNoHugePage(const HeapEvent& e) { return std::get<Madvise>(e.body).advice == 15; }

class CorruptedLogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    events_ = ReadSmoke(GetParam());
    ASSERT_FALSE(events_.empty());
    // The uncorrupted log replays cleanly, so each divergence below is the
    // corruption's.
    const Outcome o = ReplayVector(events_, GetParam(), GetParam());
    ASSERT_TRUE(o.status.ok()) << o.status;
    ASSERT_FALSE(o.divergence.has_value()) << o.divergence->Describe();
  }
  std::vector<HeapEvent> events_;
};

TEST_P(CorruptedLogTest, AllocDonePointingElsewhere) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kAllocDone, 20, "page", 1);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "alloc_done", "page");
}

TEST_P(CorruptedLogTest, FoundSpanReleasedPages) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kAllocDone, 30, "found_npreleased", 1);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "alloc_done", "found_npreleased");
}

TEST_P(CorruptedLogTest, TrimmedTailCoalescedOtherwise) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kFree, 10, "merged_npages", 1, IsTrim);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "free", "merged_npages");
}

TEST_P(CorruptedLogTest, TrimmedTailStampedOtherwise) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kFree, 5, "unusedsince_age", 7, IsTrim);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "free", "unusedsince_age");
}

TEST_P(CorruptedLogTest, CentralFreeMergedWithMore) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kFree, 3, "merged_pages_before", 1, IsCentral);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "free", "merged_pages_before");
}

TEST_P(CorruptedLogTest, FreeOfASpanThePortDoesNotHave) {
  // An input, not a decision: the port has no span there to free.
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kFree, 3, "page", 1, IsCentral);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "free", "page");
}

TEST_P(CorruptedLogTest, GrowElsewhere) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kGrow, 1, "v", 8192);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "grow", "v");
}

TEST_P(CorruptedLogTest, SysMapLength) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kSysMap, 4, "n", 4096);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "sys_map", "n");
}

TEST_P(CorruptedLogTest, SysUnusedRange) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kSysUnused, 1, "n", 8192);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "sys_unused", "n");
}

TEST_P(CorruptedLogTest, SysUsedRange) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kSysUsed, 0, "v", 8192);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "sys_used", "v");
}

TEST_P(CorruptedLogTest, MadviseAdvice) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kMadvise, 0, "advice", -1, IsNoHugePage);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "madvise", "advice");
}

TEST_P(CorruptedLogTest, MadviseResultIsTalliedNotADivergence) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kMadvise, 0, "result", -22);
  ASSERT_TRUE(at.ok()) << at.status();
  const Outcome o = ReplayVector(events_, GetParam(), GetParam());
  ASSERT_TRUE(o.status.ok()) << o.status;
  EXPECT_FALSE(o.divergence.has_value()) << o.divergence->Describe();
  EXPECT_EQ(o.counts.madvise_result_mismatches, 1);
  EXPECT_NE(o.counts.first_result_mismatch.find(absl::StrCat("record ", *at, " ")), std::string::npos)
      << o.counts.first_result_mismatch;
}

TEST_P(CorruptedLogTest, ScavengeReleasedBytes) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kScavengeDone, 2, "released", 8192);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "scavenge_done", "released");
}

TEST_P(CorruptedLogTest, SweepGeneration) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kGcSweepGen, 1, "sweepgen", 2);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "gc_sweepgen", "sweepgen");
}

TEST_P(CorruptedLogTest, ArenaLayout) {
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kHeapInit, 0, "arena_end", 8192);
  ASSERT_TRUE(at.ok()) << at.status();
  ExpectDivergenceAt(events_, GetParam(), *at, "heap_init", "arena_end");
}

TEST_P(CorruptedLogTest, AMissingSysUsedIsTheNextRecordsDivergence) {
  absl::StatusOr<size_t> at = FindRecord(events_, Kind::kSysUsed, 0);
  ASSERT_TRUE(at.ok()) << at.status();
  events_.erase(events_.begin() + static_cast<ptrdiff_t>(*at));
  // Go now seems to have made its madvise (or the next decision) first;
  // the port's sysUsed is what it gets compared with.
  const Outcome o = ReplayVector(events_, GetParam(), GetParam());
  ASSERT_TRUE(o.divergence.has_value());
  EXPECT_EQ(o.divergence->record_index, *at) << o.divergence->Describe();
  EXPECT_EQ(o.divergence->field, "kind");
  EXPECT_NE(o.divergence->port.find("sys_used"), std::string::npos) << o.divergence->port;
}

TEST_P(CorruptedLogTest, ABiggerRequestDivergesAtItsFirstDecision) {
  // An input changed: the port takes a bigger span, and the first recorded
  // decision of that allocation no longer matches.
  absl::StatusOr<size_t> at = AddToField(events_, Kind::kAlloc, 40, "npage", 1);
  ASSERT_TRUE(at.ok()) << at.status();
  const Outcome o = ReplayVector(events_, GetParam(), GetParam());
  ASSERT_TRUE(o.divergence.has_value());
  EXPECT_GT(o.divergence->record_index, *at);
  EXPECT_NE(o.divergence->context.find(absl::StrCat("(record ", *at, ")")), std::string::npos)
      << o.divergence->Describe();
}

TEST_P(CorruptedLogTest, LostRecordsCannotBeReplayed) {
  HeapEvent lost = events_[2];
  lost.body = Lost{3, LostReason::kBufferFullBeforeOpen};
  events_.insert(events_.begin() + 2, lost);
  const Outcome o = ReplayVector(events_, GetParam(), GetParam());
  EXPECT_FALSE(o.status.ok());
  EXPECT_NE(o.status.message().find("dropped 3 records"), std::string::npos) << o.status;
}

TEST_P(CorruptedLogTest, ConfigOfAnotherBuild) {
  const Outcome o = ReplayVector(events_, GetParam(), GetParam() == "prefix" ? "fixed" : "prefix");
  EXPECT_FALSE(o.status.ok());
  EXPECT_NE(o.status.message().find("config says build"), std::string::npos) << o.status;
}

INSTANTIATE_TEST_SUITE_P(Builds, CorruptedLogTest, ::testing::Values("prefix", "fixed"));

// What another variant would have done with Go 1.5.1's heap history: the
// heap's decisions (sysUsed/sysUnused ranges included) still match exactly;
// only the madvise calls are left unchecked.
TEST(HeapReplayTest, OtherVariantsReplayTheHeapExactly) {
  for (const std::string build : {"prefix", "fixed"}) {
    const std::vector<HeapEvent> events = ReadSmoke(build);
    for (const std::string variant : {"none", "prefix", "fixed", "fixed_batched", "disablethp"}) {
      SCOPED_TRACE(build + " log through " + variant);
      const Outcome o = ReplayVector(events, variant, build);
      ASSERT_TRUE(o.status.ok()) << o.status;
      ASSERT_FALSE(o.divergence.has_value()) << o.divergence->Describe();
      EXPECT_EQ(o.counts.decisions, o.want_decisions);
      if (variant != build) {
        EXPECT_EQ(o.counts.Checked(Kind::kMadvise), 0);
        EXPECT_GT(o.counts.madvise_unchecked_go, 0);
        EXPECT_GT(o.counts.Checked(Kind::kSysUnused), 0);
      } else {
        EXPECT_GT(o.counts.Checked(Kind::kMadvise), 0);
      }
    }
  }
}

TEST(HeapReplayTest, ChunkTrackingVariantsAreRefused) {
  SimulatedKernel kernel;
  VirtualClock clock;
  ReplayOptions opts;
  opts.variant = "hugepage_eager";
  absl::StatusOr<std::unique_ptr<HeapReplay>> r = HeapReplay::Create(kernel, clock, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("hugepage_eager"), std::string::npos);
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
