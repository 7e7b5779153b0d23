#include "mheap/go121/mbitmap.h"

#include "mheap/go121/sizeclasses.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

void InitHeapSpanObjects(MSpan* s, uint32_t sweepgen) {
  const int sizeclass = SizeClassOf(s->spanclass);
  if (sizeclass == 0) {
    s->elemsize = s->npages * kPageSize;
    s->nelems = 1;
  } else {
    s->elemsize = SizeClasses::ClassToSize(sizeclass);
    s->nelems = static_cast<uint16_t>(s->npages * kPageSize / s->elemsize);
  }
  s->obj_limit = s->base() + uintptr_t{s->nelems} * s->elemsize;
  s->freeindex = 0;
  s->alloc_count = 0;
  s->alloc_count_before_cache = 0;
  s->alloc_bits.assign(s->nelems, false);
  s->gcmark_bits.assign(s->nelems, false);
  s->sweepgen = sweepgen;
}

uint16_t NextFreeIndex(MSpan* s) {
  if (s == nullptr) return 0;
  uintptr_t i = s->freeindex;
  while (i < s->nelems && s->alloc_bits[i]) ++i;
  if (i >= s->nelems) {
    s->freeindex = s->nelems;
    return s->nelems;
  }
  s->freeindex = static_cast<uint16_t>(i + 1);
  return static_cast<uint16_t>(i);
}

uint16_t CountAlloc(const MSpan& s) {
  uint16_t n = 0;
  for (bool b : s.gcmark_bits) n += b ? 1 : 0;
  return n;
}

}  // namespace go121
}  // namespace thp
