#include "mheap/go15/persistentalloc.h"

#include <utility>

#include "runtime_port/base/units.h"
#include "runtime_port/base/check.h"

namespace thp {

PersistentAlloc::PersistentAlloc(MemLinux& mem, MemStats& stats, int nprocs)
    : mem_(mem), stats_(stats), per_p_(static_cast<size_t>(nprocs)) {}

uintptr_t PersistentAlloc::Alloc(uintptr_t size, uintptr_t align, uint64_t* stat, int p) {
  THP_CHECK(size != 0, "persistentalloc: size == 0");
  if (align == 0) align = 8;
  THP_CHECK((align & (align - 1)) == 0, "persistentalloc: align is not a power of 2");
  THP_CHECK(align <= kPageSize, "persistentalloc: align is too large");
  if (size >= kMaxBlock) return mem_.SysAlloc(size, stat);

  Chunk& c = p >= 0 && p < static_cast<int>(per_p_.size()) ? per_p_[static_cast<size_t>(p)]
                                                            : global_;
  c.off = RoundUpTo(c.off, align);
  if (c.off + size > kChunk || c.base == 0) {
    c.base = mem_.SysAlloc(kChunk, &stats_.other_sys);
    if (c.base == 0) Throw("runtime: cannot allocate memory");
    c.off = 0;
    ++chunks_;
  }
  const uintptr_t out = c.base + c.off;
  c.off += size;
  if (stat != &stats_.other_sys) {
    *stat += size;
    stats_.other_sys -= size;
  }
  return out;
}

FixAlloc::FixAlloc(uintptr_t size, std::function<void()> first, uint64_t* stat,
                   uint64_t* inuse_stat, PersistentAlloc& palloc)
    : size_(size), first_(std::move(first)), stat_(stat), inuse_(inuse_stat), palloc_(palloc) {}

bool FixAlloc::Alloc(int p) {
  *inuse_ += size_;
  if (free_records_ > 0) {
    --free_records_;
    return true;
  }
  if (nchunk_ < size_) {
    palloc_.Alloc(kFixAllocChunk, 0, stat_, p);
    nchunk_ = kFixAllocChunk;
  }
  if (first_) first_();
  nchunk_ -= size_;
  return false;
}

void FixAlloc::Free() {
  *inuse_ -= size_;
  ++free_records_;
}

}  // namespace thp
