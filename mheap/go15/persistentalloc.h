// Off-heap metadata allocators of Go 1.5: persistentalloc (malloc.go) and
// fixalloc (mfixalloc.go). They matter here because their memory comes from
// mmap(nil) in 256 KiB chunks: each chunk is a VMA of its own, and in issue
// 12233 it was persistentalloc's sysAlloc that failed ("runtime: cannot
// allocate memory") once the heap's madvise calls had used up the VMAs.
//
// Only the address bookkeeping is modelled (which chunk, which offset);
// nothing is stored in the memory.
#ifndef THP_MHEAP_GO15_PERSISTENTALLOC_H_
#define THP_MHEAP_GO15_PERSISTENTALLOC_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "mheap/go15/mstats.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {

class PersistentAlloc {
 public:
  static constexpr uintptr_t kChunk = 256 << 10;
  static constexpr uintptr_t kMaxBlock = 64 << 10;

  PersistentAlloc(MemLinux& mem, MemStats& stats, int nprocs);

  // Mirrors persistentalloc1, Go 1.5: `p` is the P the caller runs on (its
  // palloc chunk), or -1 for the global chunk. Requests of 64 KiB or more go
  // straight to sysAlloc. Throws "runtime: cannot allocate memory" when a new
  // chunk cannot be had. `stat` is the memstats field charged.
  uintptr_t Alloc(uintptr_t size, uintptr_t align, uint64_t* stat, int p);

  int64_t chunks() const { return chunks_; }

 private:
  struct Chunk {
    uintptr_t base = 0;
    uintptr_t off = 0;
  };
  MemLinux& mem_;
  MemStats& stats_;
  std::vector<Chunk> per_p_;
  Chunk global_;
  int64_t chunks_ = 0;
};

// Mirrors fixalloc, Go 1.5: fixed-size records carved from 16 KiB
// persistentalloc chunks; freed records are reused last-in first-out.
// `first` runs for every record taken from a chunk (never for a reused one),
// as recordspan does for span structs.
class FixAlloc {
 public:
  static constexpr uintptr_t kFixAllocChunk = 16 << 10;

  FixAlloc(uintptr_t size, std::function<void()> first, uint64_t* stat, uint64_t* inuse_stat,
           PersistentAlloc& palloc);

  // Returns true if a freed record was reused, false if a new one was carved.
  bool Alloc(int p);
  void Free();

 private:
  const uintptr_t size_;
  std::function<void()> first_;
  uint64_t* stat_;
  uint64_t* inuse_;
  PersistentAlloc& palloc_;
  uintptr_t nchunk_ = 0;  // bytes left in the current chunk
  uint64_t free_records_ = 0;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_PERSISTENTALLOC_H_
