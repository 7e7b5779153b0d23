#include "bench/pessimal/pessimal_pattern.h"

#include <cerrno>

namespace thp {
namespace {

using ErrorCounts = decltype(MadviseCounters::errors);

int64_t Refusals(const ErrorCounts& errors) {
  int64_t n = 0;
  for (const auto& [key, count] : errors) {
    if (key.second == EAGAIN || key.second == ENOMEM) n += count;
  }
  return n;
}

int LastRefusal(const ErrorCounts& before, const ErrorCounts& after) {
  for (const auto& [key, count] : after) {
    auto it = before.find(key);
    int64_t was = it == before.end() ? 0 : it->second;
    if (count > was && (key.second == EAGAIN || key.second == ENOMEM)) return key.second;
  }
  return 0;
}

}  // namespace

PessimalResult RunPessimal(MemLinux& mem, uint64_t max_heap, const PessimalProgress& progress) {
  const HugePagePolicy& policy = mem.policy();
  PessimalResult r;
  r.unit = policy.FlagGranularity() != 0 ? policy.FlagGranularity() : kHugePageSize;
  const uintptr_t g = r.unit;
  const uintptr_t release = g == 8192 ? g : g - 8192;
  constexpr uintptr_t kGrow = uintptr_t{1} << 30;

  // Mirrors mallocinit's reservation, Go 1.5 linux/amd64: arena + bitmap +
  // spans (512 GiB + 32 GiB + 512 MiB + 8 KiB) at the first free hint of
  // i<<40 | 0xc000000000, which on 64-bit only probes the hint; the arena
  // starts after the spans array and the bitmap (0xc820000000 for i = 0).
  constexpr uintptr_t kSpansBytes = uintptr_t{512} << 20;
  constexpr uintptr_t kBitmapBytes = uintptr_t{32} << 30;
  constexpr uintptr_t kReserveBytes = (uintptr_t{512} << 30) + kBitmapBytes + kSpansBytes + 8192;
  bool reserved = false;
  uintptr_t p = 0;
  for (uintptr_t i = 0; i <= 0x7f && p == 0; ++i) {
    p = mem.SysReserve((i << 40) | uintptr_t{0xc000000000}, kReserveBytes, &reserved);
  }
  if (p == 0) {
    // mallocinit, Go 1.5: no reservation at any hint (here: mmap refused at
    // vm.max_map_count, below the process's own VMAs) is a throw.
    r.reserve_failed = true;
    r.hit_limit = true;
    r.err = ENOMEM;
    r.vmas = mem.kernel().MapCount();
    return r;
  }
  const uintptr_t arena_start = p + kSpansBytes + kBitmapBytes;
  r.arena_start = arena_start;
  uint64_t heap_sys = 0;
  uintptr_t mapped_end = arena_start;
  const uint64_t report_every = max_heap / 20 > g ? max_heap / 20 : g;

  for (uint64_t i = 0; (i + 1) * g <= max_heap; ++i) {
    const uintptr_t a = arena_start + i * g;
    while (a + g > mapped_end) {
      mem.SysMap(mapped_end, kGrow, reserved, &heap_sys);
      mapped_end += kGrow;
    }
    // Only the error counts: the latency histograms need not be copied.
    const ErrorCounts before = mem.counters().errors;
    const int64_t refusals = Refusals(before);
    mem.SysUnused(a, release);
    if (policy.TracksChunkDensity()) {
      if (i % 2 == 0) {
        mem.BeforeChunkScavenge(a);
      } else {
        mem.ChunkBecameDense(a, 1);
      }
    }
    if (i % 2 == 1) mem.SysUsed(a, g);
    r.heap_bytes = (i + 1) * g;
    if (Refusals(mem.counters().errors) > refusals) {
      r.hit_limit = true;
      r.err = LastRefusal(before, mem.counters().errors);
      break;
    }
    if (progress && r.heap_bytes % report_every == 0) progress(r.heap_bytes);
  }
  r.vmas = mem.kernel().MapCount();
  return r;
}

}  // namespace thp
