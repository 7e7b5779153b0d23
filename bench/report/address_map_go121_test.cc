// The Go 1.21 heap's address map for a small heap whose every page state is
// known: spans in use, free pages, released ones (scavenged, and fresh
// memory), and a P's page cache holding both kinds.
#include "bench/report/address_map_go121.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/mem_linux.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uintptr_t kBase = uintptr_t{0xc000000000};
constexpr uintptr_t kP = 8192;

std::vector<std::string> Runs(const AddressMap& m) {
  std::vector<std::string> out;
  for (const SpanRun& s : m.spans) {
    const char* name = s.shade == SpanShade::kInUse      ? "in use"
                       : s.shade == SpanShade::kFree     ? "free"
                       : s.shade == SpanShade::kReleased ? "released"
                                                         : "unknown";
    out.push_back(std::to_string((s.start - kBase) / kP) + "-" +
                  std::to_string((s.end - kBase) / kP) + " " + name);
  }
  return out;
}

TEST(AddressMapGo121, PageStatesFromTheBitmapsSpansAndPageCache) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<go121::MemLinux>> mem =
      go121::NewMemLinux(sim, "hugepage_eager");
  ASSERT_TRUE(mem.ok()) << mem.status();
  VirtualClock clock;
  go121::MHeap heap(**mem, clock, /*nprocs=*/1);
  EXPECT_TRUE(CaptureAddressMap(sim, heap, "t", "c").spans.empty());  // nothing grown yet

  heap.set_current_p(-1);  // no page cache for these two
  go121::MSpan* a = heap.Alloc(100, 0);  // grows one chunk; pages 0-99
  go121::MSpan* b = heap.Alloc(50, 0);   // pages 100-149
  ASSERT_EQ(a->base(), kBase);
  ASSERT_EQ(b->base(), kBase + 100 * kP);
  heap.FreeSpan(a);
  // A forced scavenge of 40 pages takes the top of the free run, 60-99
  // (the chunk was marked dense: hugepage_eager's NOHUGEPAGE on all of it).
  EXPECT_EQ(heap.pages().Scavenge(40 * kP, nullptr, /*force=*/true), 40 * kP);
  // P 0's page cache takes the 64-page block of the first free page (0-63:
  // 0-59 free, 60-63 scavenged) and hands out pages 0-1.
  heap.set_current_p(0);
  go121::MSpan* c = heap.Alloc(2, 0);
  ASSERT_EQ(c->base(), kBase);
  ASSERT_EQ(heap.page_cache(0).base, kBase);

  const AddressMap m = CaptureAddressMap(sim, heap, "hugepage_eager", "now");
  EXPECT_EQ(m.title, "hugepage_eager");
  EXPECT_EQ(m.caption, "now");
  EXPECT_EQ(m.lo, kBase);
  EXPECT_EQ(m.hi, kBase + (uintptr_t{4} << 20));
  EXPECT_EQ(Runs(m), (std::vector<std::string>{"0-2 in use", "2-60 free", "60-100 released",
                                               "100-150 in use", "150-512 released"}));
  ASSERT_EQ(m.vmas.size(), 1u);
  EXPECT_EQ(m.vmas[0].start, kBase);
  EXPECT_EQ(m.vmas[0].end, kBase + (uintptr_t{4} << 20));
  EXPECT_EQ(m.vmas[0].huge, HugeFlag::kNoHuge);

  // b freed (free, not released), and a stack from the lowest fit, the
  // released pages above the cache: in use like any span.
  heap.set_current_p(-1);
  heap.FreeSpan(b);
  go121::MSpan* st = heap.AllocManual(8, go121::SpanAllocType::kStack);
  ASSERT_EQ(st->base(), kBase + 64 * kP);
  EXPECT_EQ(Runs(CaptureAddressMap(sim, heap, "t", "c")),
            (std::vector<std::string>{"0-2 in use", "2-60 free", "60-64 released", "64-72 in use",
                                      "72-100 released", "100-150 free", "150-512 released"}));
}

}  // namespace
}  // namespace thp
