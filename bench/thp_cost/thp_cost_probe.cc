#include "bench/thp_cost/thp_cost_probe.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {
namespace {

struct Round {
  LatencyHistogram steps;
  int64_t anon_huge = 0;
};

// Maps `bytes` of fresh memory as Go 1.21's grow does, lets `variant` advise
// it, and first-touches it 2 MiB at a time.
absl::Status TouchOnce(Kernel& kernel, absl::string_view variant, uintptr_t bytes, Round& out,
                       bool* advised) {
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(kernel, variant);
  if (!mem.ok()) return mem.status();
  // A PROT_NONE reservation with a chunk of slack, so the mapped part can
  // start on a 4 MiB chunk boundary as the page allocator's memory does.
  const uintptr_t reserve = bytes + kPallocChunkBytes;
  const MmapResult r = Reserve(kernel, 0, reserve);
  if (r.err != 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("probe: reserving ", reserve, " bytes failed with ", ErrnoName(r.err)));
  }
  const uintptr_t base = RoundUp(r.addr, kPallocChunkBytes);
  (*mem)->SysMap(base, bytes, /*reserved=*/true, nullptr);
  (*mem)->HeapGrown(base, bytes);
  *advised = (*mem)->counters().TotalCalls() > 0;
  for (uintptr_t off = 0; off < bytes; off += kHugePageSize) {
    const absl::Time start = absl::Now();
    const int err = kernel.Touch(base + off, kHugePageSize);
    out.steps.Record(absl::Now() - start);
    if (err != 0) {
      kernel.Munmap(r.addr, reserve);
      return absl::InternalError(absl::StrFormat("probe: touching %#x failed with %s", base + off,
                                                 ErrnoName(err)));
    }
  }
  out.anon_huge += static_cast<int64_t>(kernel.ResidencyOf(base, base + bytes).anon_huge_bytes);
  if (const int err = kernel.Munmap(r.addr, reserve); err != 0) {
    return absl::InternalError(absl::StrCat("probe: munmap failed with ", ErrnoName(err)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TouchProbeResult> RunTouchProbe(Kernel& kernel, absl::string_view variant,
                                               uintptr_t bytes, int rounds) {
  Round advised, plain;
  bool advises = false, none_advises = false;
  for (int i = 0; i < rounds; ++i) {
    // Alternate the order so a machine that slows down or speeds up during
    // the probe does not favour one side.
    for (int k = 0; k < 2; ++k) {
      const bool with_advice = (k == 0) == (i % 2 == 0);
      absl::Status st = with_advice ? TouchOnce(kernel, variant, bytes, advised, &advises)
                                    : TouchOnce(kernel, "none", bytes, plain, &none_advises);
      if (!st.ok()) return st;
    }
  }
  TouchProbeResult r;
  r.advises_new_memory = advises;
  r.advised = TouchCost::Of(advised.steps, advised.anon_huge);
  r.plain = TouchCost::Of(plain.steps, plain.anon_huge);
  return r;
}

absl::StatusOr<std::string> ReadThpSetting(absl::string_view name) {
  const std::string path = absl::StrCat("/sys/kernel/mm/transparent_hugepage/", name);
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  absl::string_view line = *text;
  line = line.substr(0, line.find('\n'));
  return std::string(line);
}

NamedCounts ReadThpVmstat() {
  static constexpr const char* kKeys[] = {"thp_fault_alloc",    "thp_fault_fallback",
                                          "thp_collapse_alloc", "thp_collapse_alloc_failed",
                                          "compact_stall",      "compact_fail"};
  NamedCounts out;
  for (const char* k : kKeys) out.emplace_back(k, 0);
  out.emplace_back("allocstall", 0);
  absl::StatusOr<std::string> text = ReadWholeFile("/proc/vmstat");
  if (!text.ok()) return {};
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ' ');
    int64_t n = 0;
    if (!absl::SimpleAtoi(kv.second, &n)) continue;
    for (auto& [name, value] : out) {
      if (kv.first == name) value = n;
    }
    if (absl::StartsWith(kv.first, "allocstall_")) out.back().second += n;
  }
  return out;
}

NamedCounts VmstatDelta(const NamedCounts& before, const NamedCounts& after) {
  NamedCounts out;
  for (const auto& [name, n] : after) {
    int64_t was = 0;
    for (const auto& [b_name, b] : before) {
      if (b_name == name) was = b;
    }
    out.emplace_back(name, n - was);
  }
  return out;
}

}  // namespace thp
