#include "bench/report/address_map_go121.h"

#include <algorithm>
#include <utility>

namespace thp {
namespace {

void Append(std::vector<SpanRun>& runs, uintptr_t start, uintptr_t end, SpanShade shade) {
  if (!runs.empty() && runs.back().end == start && runs.back().shade == shade) {
    runs.back().end = end;
  } else {
    runs.push_back(SpanRun{start, end, shade});
  }
}

// The state of an allocated page no span covers: a free page of a P's page
// cache, or unknown.
SpanShade CachedOrUnknown(const go121::MHeap& heap, uintptr_t addr) {
  for (int p = 0; p < heap.nprocs(); ++p) {
    const go121::PageCache& c = heap.page_cache(p);
    if (c.Empty() || addr < c.base || addr >= c.base + go121::kPageCachePages * kPageSize) continue;
    const uint64_t bit = uint64_t{1} << ((addr - c.base) / kPageSize);
    if ((c.cache & bit) == 0) return SpanShade::kUnknown;
    return (c.scav & bit) != 0 ? SpanShade::kReleased : SpanShade::kFree;
  }
  return SpanShade::kUnknown;
}

}  // namespace

AddressMap CaptureAddressMap(Kernel& kernel, const go121::MHeap& heap, std::string title,
                             std::string caption) {
  AddressMap m;
  m.title = std::move(title);
  m.caption = std::move(caption);
  const std::vector<go121::AddrRange>& in_use = heap.pages().in_use().ranges();
  if (in_use.empty()) return m;
  m.lo = in_use.front().base.addr();
  m.hi = in_use.back().limit.addr();
  for (Vma v : kernel.Vmas(m.lo, m.hi)) {
    v.start = std::max(v.start, m.lo);
    v.end = std::min(v.end, m.hi);
    m.vmas.push_back(v);
  }
  uintptr_t p = m.lo;
  for (const go121::AddrRange& r : in_use) {
    const uintptr_t base = r.base.addr(), limit = r.limit.addr();
    if (p < base) Append(m.spans, p, base, SpanShade::kUnknown);
    p = std::max(p, base);
    while (p < limit) {
      const go121::PallocData* chunk = heap.pages().TryChunkOf(go121::ChunkIndex(p));
      if (chunk == nullptr) {
        const uintptr_t next = std::min(limit, go121::AlignUp(p + 1, go121::kChunkBytes));
        Append(m.spans, p, next, SpanShade::kUnknown);
        p = next;
        continue;
      }
      const unsigned i = go121::ChunkPageIndex(p);
      if (chunk->Get(i) == 0) {
        Append(m.spans, p, p + kPageSize,
               chunk->scavenged.Get(i) != 0 ? SpanShade::kReleased : SpanShade::kFree);
        p += kPageSize;
        continue;
      }
      if (const go121::MSpan* s = heap.SpanOf(p); s != nullptr) {
        const uintptr_t end = std::min(s->limit(), limit);
        Append(m.spans, p, end, SpanShade::kInUse);
        p = end;
        continue;
      }
      Append(m.spans, p, p + kPageSize, CachedOrUnknown(heap, p));
      p += kPageSize;
    }
  }
  return m;
}

}  // namespace thp
