// Fuzz target for the kernel side: the /proc readers and the simulated
// kernel. The first input byte picks what the rest is:
//  - 0: /proc/<pid>/maps text for ParseMaps; 1: smaps text for ParseSmaps.
//    Any text parses or fails with one bounded line (the line it could not
//    read is quoted escaped and cut); a parsed entry is a non-empty range
//    with four permission characters.
//  - 2: a sequence of operations on a SimulatedKernel with a small
//    vm.max_map_count (the next byte, 4 to 67), 6 bytes each: mmap (with or
//    without a hint, MAP_FIXED or not, any protection), munmap, madvise of
//    every advice, a touch, khugepaged's collapse of a 2 MiB region, and a
//    batched madvise, all inside a 64 MiB window. After every operation the
//    kernel's own recompute-and-compare check (CheckInvariants) holds, and
//    map_count stays at most one past the limit (Linux lets the mapping
//    that finds exactly max_map_count VMAs through, and nothing after it).
// Kept inputs live in testdata/fuzz/kernel/ and are replayed by
// kernel_fuzz_regression_test on every test run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/fuzz_checks.h"
#include "runtime_port/kernel/proc_maps.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace {

constexpr uintptr_t kWindow = uintptr_t{0x7e0000000000};  // 2 MiB-aligned
constexpr uintptr_t kPage = 4096;
constexpr uintptr_t kWindowPages = (uintptr_t{64} << 20) / kPage;

void CheckEntry(const thp::MapsEntry& e) {
  THP_CHECK(e.start < e.end, "a parsed mapping is a non-empty range");
  THP_CHECK(e.perms.size() == 4, "a parsed mapping has four permission characters");
}

void RunKernelOps(const uint8_t* data, size_t size) {
  if (size == 0) return;
  thp::SimOptions o;
  o.max_map_count = 4 + data[0] % 64;
  thp::SimulatedKernel k(o);
  ++data;
  --size;
  for (; size >= 6; data += 6, size -= 6) {
    const uintptr_t page = (uintptr_t{data[1]} | uintptr_t{data[2]} << 8) % kWindowPages;
    const uintptr_t npages = 1 + (uintptr_t{data[3]} | uintptr_t{data[4]} << 8) % 1024;
    const uintptr_t addr = kWindow + page * kPage;
    const uintptr_t len = npages * kPage;
    const uint8_t arg = data[5];
    switch (data[0] % 7) {
      case 0: {  // mmap at a hint (MAP_FIXED or not)
        const thp::Prot prot = static_cast<thp::Prot>(arg % 3);
        const uint32_t flags = ((arg >> 2) & 1 ? thp::kMapFixed : 0u) |
                               ((arg >> 3) & 1 ? thp::kMapNoReserve : 0u);
        k.Mmap(addr, len, prot, flags);
        break;
      }
      case 1:  // mmap where the kernel likes
        k.Mmap(0, len, static_cast<thp::Prot>(arg % 3), 0);
        break;
      case 2:
        k.Munmap(addr, len);
        break;
      case 3:
        k.Madvise(addr, len, static_cast<thp::Advice>(arg % thp::kNumAdvices));
        break;
      case 4:
        k.Touch(addr, len);
        break;
      case 5:
        k.CollapseRegion(addr & ~((uintptr_t{2} << 20) - 1));
        break;
      case 6: {  // a batch of up to 4 ranges, 64 pages apart
        std::vector<thp::AddressRange> ranges;
        for (int i = 0; i <= arg % 4; ++i) {
          const uintptr_t lo = addr + static_cast<uintptr_t>(i) * 64 * kPage;
          ranges.push_back(thp::AddressRange{lo, lo + len});
        }
        k.MadviseBatch(ranges, static_cast<thp::Advice>((arg >> 2) % thp::kNumAdvices));
        break;
      }
    }
    k.CheckInvariants();
    THP_CHECK(k.MapCount() <= o.max_map_count + 1, "map_count passes the limit by one at most");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  thp::AbortOnFailedCheck();
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      absl::StatusOr<std::vector<thp::MapsEntry>> maps = thp::ParseMaps(text);
      thp::CheckOneLineError(maps.status());
      if (maps.ok()) {
        for (const thp::MapsEntry& e : *maps) CheckEntry(e);
      }
      break;
    }
    case 1: {
      absl::StatusOr<std::vector<thp::SmapsEntry>> smaps = thp::ParseSmaps(text);
      thp::CheckOneLineError(smaps.status());
      if (smaps.ok()) {
        for (const thp::SmapsEntry& e : *smaps) CheckEntry(e.maps);
      }
      break;
    }
    case 2:
      RunKernelOps(data + 1, size - 1);
      break;
  }
  return 0;
}
