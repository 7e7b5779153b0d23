// Reads logs Go 1.5.1's own runtime wrote (testdata/go151_heaplog/: two
// benchmarks of runtime.test, prefix and fixed builds, recorded by
// tools/go151/build_and_record.sh) and checks what the recording patch
// promises beyond the reader's own checks: the heap's calls into
// mem_linux.go sit where mHeap_AllocSpanLocked and scavengelist make them,
// on the spans they decided on, and each madvise is the one that build's
// sysUnused/sysUsed makes for its range.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/benchmark_split.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace heaplog {
namespace {

constexpr uint64_t kHuge = 2 << 20;
constexpr uint64_t kDontneed = 4, kHugepage = 14, kNohugepage = 15;

struct MadviseCall {
  uint64_t v, n, advice;
  bool operator==(const MadviseCall& o) const { return v == o.v && n == o.n && advice == o.advice; }
};

// The madvise calls Go 1.5.1's mem_linux.go makes for sysUnused(v, n).
std::vector<MadviseCall> WantUnused(const std::string& build, uint64_t v, uint64_t n) {
  std::vector<MadviseCall> out;
  if (build == "prefix") {
    if (v % kHuge != 0 || n % kHuge != 0) out.push_back({v, n, kNohugepage});
  } else {  // 44078a3: only the huge pages holding the two ends, if unaligned
    const uint64_t head = v % kHuge != 0 ? v & ~(kHuge - 1) : 0;
    const uint64_t tail = (v + n) % kHuge != 0 ? (v + n - 1) & ~(kHuge - 1) : 0;
    if (head != 0 && head + kHuge == tail) {
      out.push_back({head, 2 * kHuge, kNohugepage});
    } else {
      if (head != 0) out.push_back({head, kHuge, kNohugepage});
      if (tail != 0 && tail != head) out.push_back({tail, kHuge, kNohugepage});
    }
  }
  out.push_back({v, n, kDontneed});
  return out;
}

// ... and for sysUsed(v, n).
std::vector<MadviseCall> WantUsed(const std::string& build, uint64_t v, uint64_t n) {
  if (build == "prefix") return {{v, n, kHugepage}};
  const uint64_t beg = (v + kHuge - 1) & ~(kHuge - 1), end = (v + n) & ~(kHuge - 1);
  if (beg < end) return {{beg, end - beg, kHugepage}};
  return {};
}

// Records written with mheap_.lock held.
bool UnderHeapLock(Kind k) {
  switch (k) {
    case Kind::kAlloc:
    case Kind::kAllocDone:
    case Kind::kFree:
    case Kind::kGrow:
    case Kind::kScavenge:
    case Kind::kScavengeDone:
    case Kind::kSysUnused:
    case Kind::kSysUsed:
    case Kind::kSysMap:
    case Kind::kGcSweepGen:
      return true;
    default:
      return false;
  }
}

class Go151LogTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Go151LogTest, RecordsWhatThePatchPromises) {
  const std::string build = GetParam();
  absl::StatusOr<std::unique_ptr<HeapEventReader>> reader =
      HeapEventReader::Open("testdata/go151_heaplog/smoke_" + build + ".hlog.xz");
  ASSERT_TRUE(reader.ok()) << reader.status();
  BenchmarkTracker tracker;
  std::optional<Config> config;
  bool in_alloc = false;           // an alloc is open
  uint64_t alloc_npage = 0;        // its request
  std::optional<Grow> grow;        // its grow
  std::vector<Free> internal;      // its grow and trim frees
  std::optional<SysUsed> used;     // its sys_used
  bool in_scavenge = false;
  std::vector<MadviseCall> want_madvise;  // still to come for the last sys_unused/sys_used
  uint64_t allocs = 0, frees = 0, unused = 0, used_calls = 0, madvises = 0, scavenges = 0;
  HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    tracker.Observe(e);
    const HeapInit* h = (*reader)->heap_init() ? &*(*reader)->heap_init() : nullptr;
    const std::string at = "at offset " + std::to_string(e.offset);
    if (UnderHeapLock(e.kind()) && !std::holds_alternative<Madvise>(e.body)) {
      // The heap's calls are made under its lock: none of its records comes
      // between a sys_unused/sys_used and that call's madvises (other
      // threads' sys_alloc, GC and benchmark records may).
      ASSERT_TRUE(want_madvise.empty()) << at << ": " << want_madvise.size() << " madvise calls missing";
    }
    if (const auto* c = std::get_if<Config>(&e.body)) config = *c;
    if (const auto* a = std::get_if<Alloc>(&e.body)) {
      in_alloc = true;
      alloc_npage = a->npage;
      grow.reset();
      internal.clear();
      used.reset();
      ++allocs;
    }
    if (const auto* g = std::get_if<Grow>(&e.body)) grow = *g;
    if (const auto* f = std::get_if<Free>(&e.body)) {
      ++frees;
      if (f->why == FreeWhy::kGrow) {
        ASSERT_TRUE(grow.has_value()) << at << ": a grow free without a grow";
        EXPECT_EQ(PageAddress(*h, f->page), grow->v) << at;
        EXPECT_EQ(f->npages << h->page_shift, grow->ask) << at;
      }
      if (f->why == FreeWhy::kGrow || f->why == FreeWhy::kTrim) internal.push_back(*f);
    }
    if (const auto* u = std::get_if<SysUsed>(&e.body)) {
      ASSERT_TRUE(in_alloc) << at << ": sys_used outside an alloc";
      used = *u;
      want_madvise = WantUsed(build, u->v, u->n);
      ++used_calls;
    }
    if (const auto* u = std::get_if<SysUnused>(&e.body)) {
      ASSERT_TRUE(in_scavenge) << at << ": sys_unused outside a scavenge";
      want_madvise = WantUnused(build, u->v, u->n);
      ++unused;
    }
    if (const auto* m = std::get_if<Madvise>(&e.body)) {
      ASSERT_FALSE(want_madvise.empty()) << at << ": a madvise the heap did not ask for";
      EXPECT_EQ((MadviseCall{m->v, m->n, m->advice}), want_madvise.front())
          << at << ": madvise " << m->v << " " << m->n << " " << m->advice;
      want_madvise.erase(want_madvise.begin());
      ++madvises;
    }
    if (std::holds_alternative<Scavenge>(e.body)) {
      in_scavenge = true;
      ++scavenges;
    }
    if (std::holds_alternative<ScavengeDone>(e.body)) in_scavenge = false;
    if (const auto* d = std::get_if<AllocDone>(&e.body)) {
      ASSERT_TRUE(d->page.has_value()) << at << ": runtime.test ran out of memory?";
      // sysUsed exactly when the span found had released pages, on all of it.
      EXPECT_EQ(used.has_value(), d->found_npreleased > 0) << at;
      if (used.has_value()) {
        EXPECT_EQ(used->v, PageAddress(*h, *d->page)) << at;
        EXPECT_EQ(used->n, d->found_npages << h->page_shift) << at;
      }
      // A bigger span is trimmed: its tail is freed back, stamped as the span was.
      const Free* trim = nullptr;
      for (const Free& f : internal) {
        if (f.why == FreeWhy::kTrim) trim = &f;
      }
      EXPECT_EQ(trim != nullptr, d->found_npages > alloc_npage) << at;
      if (trim != nullptr) {
        EXPECT_EQ(trim->page, *d->page + alloc_npage) << at;
        EXPECT_EQ(trim->npages, d->found_npages - alloc_npage) << at;
        EXPECT_FALSE(trim->stamped) << at;
      }
      in_alloc = false;
    }
  }
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->go_version, "go1.5.1");
  EXPECT_EQ(config->build, build);
  EXPECT_EQ(config->gomaxprocs, 2u);
  EXPECT_EQ(config->debug_scavenge, 1u);
  const HeapInit& h = *(*reader)->heap_init();
  EXPECT_EQ(h.page_shift, 13u);
  EXPECT_EQ(h.huge_page_size, kHuge);
  // mallocinit reserves _MaxMem (512 GiB on linux/amd64) and one heap page
  // more for rounding; the arena keeps that page when the reservation is aligned.
  EXPECT_EQ(h.arena_end - h.arena_start, (uint64_t{512} << 30) + 8192);
  // The smoke run's two benchmarks, each with its runs.
  const std::vector<BenchmarkSegment>& segs = tracker.segments();
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[0].name, kStartupSegment);
  EXPECT_EQ(segs[1].name, "BenchmarkMalloc8-2");
  EXPECT_EQ(segs[2].name, "BenchmarkStackGrowth-2");
  for (size_t i = 1; i < segs.size(); ++i) {
    EXPECT_TRUE(segs[i].ended);
    EXPECT_FALSE(segs[i].failed);
    EXPECT_GE(segs[i].runs, 2u);
    EXPECT_GT(segs[i].count(Kind::kAlloc), 0u);
  }
  // The run did what the test is about.
  EXPECT_GT(allocs, 500u);
  EXPECT_GT(frees, 1000u);
  EXPECT_GT(scavenges, 5u);
  EXPECT_GT(unused, 0u);
  EXPECT_GT(used_calls, 0u);
  EXPECT_GE(madvises, unused);
}

INSTANTIATE_TEST_SUITE_P(Builds, Go151LogTest, ::testing::Values("prefix", "fixed"));

}  // namespace
}  // namespace heaplog
}  // namespace thp
