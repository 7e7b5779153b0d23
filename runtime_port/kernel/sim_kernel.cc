#include "runtime_port/kernel/sim_kernel.h"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <utility>

#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {

SimulatedKernel::SimulatedKernel(SimOptions options) : options_(std::move(options)) {}

bool SimulatedKernel::Supports(Advice advice) const {
  if (advice == Advice::kCollapse || advice == Advice::kTryCollapse) {
    return options_.profile.has_collapse;
  }
  return true;
}

bool SimulatedKernel::AnonCompatible(uint64_t src, uint64_t target) const {
  if (options_.profile.anon_merge_2015) {
    // 2012..2015 is_mergeable_anon_vma: a neighbour without an anon_vma has an
    // empty (not singular) chain, so only an unfaulted source merges freely.
    return src == 0 || src == target;
  }
  return src == 0 || target == 0 || src == target;
}

SimulatedKernel::Map::iterator SimulatedKernel::Find(uintptr_t addr) {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return vmas_.end();
  --it;
  return addr < it->second.end ? it : vmas_.end();
}

SimulatedKernel::Map::iterator SimulatedKernel::SplitAt(Map::iterator it, uintptr_t addr) {
  // btree insertion invalidates every iterator: callers use the returned one
  // (the tail piece) and find the head again by key if they need it.
  THP_CHECK(addr > it->first && addr < it->second.end, "split outside the VMA");
  VmaState tail = it->second;
  it->second.end = addr;
  pages_.SplitHugeAt(addr);
  return vmas_.emplace(addr, tail).first;
}

bool SimulatedKernel::RangeFree(uintptr_t lo, uintptr_t hi) const {
  auto it = vmas_.upper_bound(lo);
  if (it != vmas_.begin() && std::prev(it)->second.end > lo) return false;
  return it == vmas_.end() || it->first >= hi;
}

bool SimulatedKernel::RangeUnmapped(uintptr_t addr, uintptr_t len) {
  return RangeFree(addr, addr + len);
}

uintptr_t SimulatedKernel::FindFreeTopDown(uintptr_t len, uintptr_t align) const {
  uintptr_t top = std::min(options_.mmap_base, options_.task_size);
  auto it = vmas_.lower_bound(top);
  for (;;) {
    uintptr_t bottom = options_.mmap_min_addr;
    bool has_prev = it != vmas_.begin();
    if (has_prev) bottom = std::max(bottom, std::prev(it)->second.end);
    if (top > bottom && top - bottom >= len) {
      uintptr_t candidate = RoundDown(top - len, align);
      if (candidate >= bottom) return candidate;
    }
    if (!has_prev) return 0;
    --it;
    top = std::min(top, it->first);
    if (top <= options_.mmap_min_addr) return 0;
  }
}

void SimulatedKernel::InsertNew(uintptr_t lo, uintptr_t hi, const VmaState& attrs) {
  // vma_merge_new_range: a new VMA has no anon_vma, so only attributes and
  // the neighbours' mutual compatibility matter.
  auto next = vmas_.lower_bound(lo);
  auto prev = next == vmas_.begin() ? vmas_.end() : std::prev(next);
  bool left = prev != vmas_.end() && prev->second.end == lo && SameAttrs(prev->second, attrs) &&
              AnonCompatible(0, prev->second.anon);
  bool right = next != vmas_.end() && next->first == hi && SameAttrs(next->second, attrs) &&
               AnonCompatible(0, next->second.anon);
  if (left && right && prev->second.anon != 0 && next->second.anon != 0 &&
      prev->second.anon != next->second.anon) {
    right = false;
  }
  if (left && right) {
    prev->second.end = next->second.end;
    if (prev->second.anon == 0) prev->second.anon = next->second.anon;
    vmas_.erase(next);
  } else if (left) {
    prev->second.end = hi;
  } else if (right) {
    VmaState merged = next->second;
    vmas_.erase(next);
    vmas_.emplace(lo, merged);
  } else {
    VmaState fresh = attrs;
    fresh.end = hi;
    vmas_.emplace(lo, fresh);
  }
}

MmapResult SimulatedKernel::Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) {
  if (len == 0) return MmapResult{0, EINVAL};
  len = RoundUp(len, kOsPageSize);
  if (len > options_.task_size) return MmapResult{0, ENOMEM};
  bool fixed = (flags & kMapFixed) != 0;
  if (fixed && hint % kOsPageSize != 0) return MmapResult{0, EINVAL};
  if (fixed && (hint > options_.task_size - len)) return MmapResult{0, ENOMEM};
  // do_mmap: "map_count > max" is tested before anything else, merges included.
  if (MapCount() > options_.max_map_count) return MmapResult{0, ENOMEM};

  uintptr_t addr = 0;
  if (fixed) {
    addr = hint;
  } else {
    uintptr_t h = RoundUp(hint, kOsPageSize);
    if (h != 0 && h >= options_.mmap_min_addr && h <= options_.task_size - len &&
        RangeFree(h, h + len)) {
      addr = h;
    } else {
      // Anonymous mappings that are whole multiples of a huge page and have
      // no hint are THP-aligned (Linux 6.7+).
      uintptr_t align = (hint == 0 && len % kHugePageSize == 0) ? kHugePageSize : kOsPageSize;
      addr = FindFreeTopDown(len, align);
      if (addr == 0) return MmapResult{0, ENOMEM};
    }
  }
  if (fixed) {
    int err = UnmapRange(addr, addr + len);
    if (err != 0) return MmapResult{0, err};
  }
  VmaState attrs;
  attrs.prot = prot;
  attrs.noreserve = (flags & kMapNoReserve) != 0;
  InsertNew(addr, addr + len, attrs);
  return MmapResult{addr, 0};
}

int SimulatedKernel::UnmapRange(uintptr_t lo, uintptr_t hi) {
  auto it = vmas_.upper_bound(lo);
  if (it != vmas_.begin() && std::prev(it)->second.end > lo) --it;
  if (it == vmas_.end() || it->first >= hi) return 0;
  // Punching a hole inside one VMA needs one more VMA than before: refused
  // at the limit. Trimming an end uses the unchecked split.
  if (lo > it->first && hi < it->second.end && MapCount() >= options_.max_map_count) {
    return ENOMEM;
  }
  if (lo > it->first) it = SplitAt(it, lo);
  while (it != vmas_.end() && it->first < hi) {
    if (it->second.end > hi) {
      const uintptr_t start = it->first;
      SplitAt(it, hi);
      it = vmas_.find(start);
    }
    pages_.Zap(it->first, it->second.end, /*reclaim=*/false);
    it = vmas_.erase(it);
  }
  // free_pgtables: a page table goes when no VMA overlaps its region any more.
  for (uintptr_t r = RoundDown(lo, kHugePageSize); r < hi; r += kHugePageSize) {
    if (pages_.StateOf(r) != SimPageTables::State::kAbsent && RangeFree(r, r + kHugePageSize)) {
      pages_.FreeTable(r);
    }
  }
  return 0;
}

int SimulatedKernel::Munmap(uintptr_t addr, uintptr_t len) {
  if (addr % kOsPageSize != 0 || len == 0) return EINVAL;
  len = RoundUp(len, kOsPageSize);
  if (addr > options_.task_size || len > options_.task_size - addr) return EINVAL;
  return UnmapRange(addr, addr + len);
}

int SimulatedKernel::ModifyFlag(Map::iterator it, uintptr_t lo, uintptr_t hi, HugeFlag flag) {
  const uintptr_t ms = it->first;
  const uintptr_t me = it->second.end;
  VmaState want = it->second;
  want.huge = flag;
  const uint64_t mid_anon = it->second.anon;
  auto prev = it == vmas_.begin() ? vmas_.end() : std::prev(it);
  auto next = std::next(it);
  bool left = lo == ms && prev != vmas_.end() && prev->second.end == ms &&
              SameAttrs(prev->second, want) && AnonCompatible(mid_anon, prev->second.anon);
  bool right = hi == me && next != vmas_.end() && next->first == me &&
               SameAttrs(next->second, want) && AnonCompatible(mid_anon, next->second.anon);
  if (left && right && prev->second.anon != 0 && next->second.anon != 0 &&
      prev->second.anon != next->second.anon) {
    right = false;
  }
  // Below, every structural change invalidates iterators, so VMAs are
  // addressed by their start keys.
  if (left && right) {
    prev->second.end = next->second.end;
    if (prev->second.anon == 0) prev->second.anon = mid_anon ? mid_anon : next->second.anon;
    vmas_.erase(me);
    vmas_.erase(ms);
    return 0;
  }
  if (left) {
    if (prev->second.anon == 0) prev->second.anon = mid_anon;
    prev->second.end = hi;
    VmaState rest = it->second;
    vmas_.erase(ms);
    if (hi < me) {
      vmas_.emplace(hi, rest);
      pages_.SplitHugeAt(hi);
    }
    return 0;
  }
  if (right) {
    VmaState merged = next->second;
    if (merged.anon == 0) merged.anon = mid_anon;
    if (lo == ms) {
      vmas_.erase(ms);
    } else {
      it->second.end = lo;
      pages_.SplitHugeAt(lo);
    }
    vmas_.erase(me);
    vmas_.emplace(lo, merged);
    return 0;
  }
  // No merge: split off the parts outside [lo, hi), each split refused at
  // the limit (split_vma's "map_count >= max_map_count").
  if (lo > ms) {
    if (MapCount() >= options_.max_map_count) return ENOMEM;
    SplitAt(it, lo);
  }
  if (hi < me) {
    if (MapCount() >= options_.max_map_count) return ENOMEM;
    SplitAt(vmas_.find(lo), hi);
  }
  vmas_.find(lo)->second.huge = flag;
  return 0;
}

bool SimulatedKernel::HugeEligible(const VmaState& vma, uintptr_t vma_start,
                                   uintptr_t region) const {
  if (vma.prot != Prot::kReadWrite) return false;
  if (region < vma_start || region + kHugePageSize > vma.end) return false;
  switch (options_.thp_mode) {
    case ThpMode::kAlways: return vma.huge != HugeFlag::kNoHuge;
    case ThpMode::kMadvise: return vma.huge == HugeFlag::kHuge;
    case ThpMode::kNever: return false;
  }
  return false;
}

int SimulatedKernel::CollapseInVma(const VmaState& vma, uintptr_t vma_start, uintptr_t lo,
                                   uintptr_t hi) {
  // MADV_COLLAPSE (6.1 semantics), called per VMA by madvise's walk. A VMA
  // is refused outright (thp_vma_allowable_order) if it is NOHUGEPAGE, was
  // never faulted (no anon_vma) or holds no whole aligned 2 MiB region;
  // otherwise the range is clamped inward to huge pages and collapsed region
  // by region. A range that starts and ends inside one huge page clamps to
  // hstart > hend, which Linux's unsigned region count turns into a failure
  // (EINVAL), while hstart == hend is an empty success. Regions: a PTE table collapses even when
  // no page is present (into a zero-filled huge page), an already PMD-mapped
  // region counts as done, and a region without a page table (pmd_none)
  // ends the call with EINVAL, leaving the regions after it alone. (Linux
  // carries on past a region whose whole 1 GiB area has no page-middle
  // directory at all; with the rest of the process nearby that does not
  // happen, so it is not modelled.) MADV_TRY_COLLAPSE differs only under
  // memory pressure, which the simulator does not model.
  if (vma.huge == HugeFlag::kNoHuge || vma.anon == 0 ||
      RoundUp(vma_start, kHugePageSize) + kHugePageSize > vma.end) {
    return EINVAL;
  }
  const uintptr_t hs = RoundUp(lo, kHugePageSize);
  const uintptr_t he = RoundDown(hi, kHugePageSize);
  if (hs > he) return EINVAL;
  for (uintptr_t r = hs; r < he; r += kHugePageSize) {
    switch (pages_.StateOf(r)) {
      case SimPageTables::State::kHuge:
        break;
      case SimPageTables::State::kPte:
        pages_.MakeHuge(r);
        break;
      case SimPageTables::State::kAbsent:
        return EINVAL;
    }
  }
  return 0;
}

int SimulatedKernel::CollapseRegion(uintptr_t region) {
  if (region % kHugePageSize != 0) return EINVAL;
  auto it = Find(region);
  if (it == vmas_.end() || it->second.end < region + kHugePageSize) return EINVAL;
  return CollapseInVma(it->second, it->first, region, region + kHugePageSize);
}

int SimulatedKernel::Madvise(uintptr_t addr, uintptr_t len, Advice advice) {
  if (addr % kOsPageSize != 0) return EINVAL;
  if (!Supports(advice)) return EINVAL;
  uintptr_t rounded = RoundUp(len, kOsPageSize);
  if (rounded < len) return EINVAL;
  const uintptr_t end = addr + rounded;
  if (end < addr) return EINVAL;
  if (rounded == 0) return 0;

  int unmapped_error = 0;
  uintptr_t cur = addr;
  while (cur < end) {
    auto it = vmas_.upper_bound(cur);
    if (it != vmas_.begin() && std::prev(it)->second.end > cur) --it;
    if (it == vmas_.end()) return ENOMEM;
    if (cur < it->first) {
      unmapped_error = ENOMEM;  // a hole: reported at the end, the rest still advised
      cur = it->first;
      if (cur >= end) break;
    }
    const uintptr_t piece_end = std::min(it->second.end, end);
    switch (advice) {
      case Advice::kDontNeed:
        pages_.Zap(cur, piece_end, /*reclaim=*/true);
        break;
      case Advice::kHugePage:
      case Advice::kNoHugePage: {
        HugeFlag flag = advice == Advice::kHugePage ? HugeFlag::kHuge : HugeFlag::kNoHuge;
        if (it->second.huge == flag) {
          if (options_.profile.reflag_is_einval) return EINVAL;
          break;  // same flags: nothing to do, no split
        }
        int err = ModifyFlag(it, cur, piece_end, flag);
        // madvise turns a refused split's ENOMEM into EAGAIN.
        if (err != 0) return err == ENOMEM ? EAGAIN : err;
        break;
      }
      case Advice::kCollapse:
      case Advice::kTryCollapse: {
        int err = CollapseInVma(it->second, it->first, cur, piece_end);
        if (err != 0) return err;
        break;
      }
    }
    cur = piece_end;
  }
  return unmapped_error;
}

BatchResult SimulatedKernel::MadviseBatch(const std::vector<AddressRange>& ranges,
                                          Advice advice) {
  if (!options_.profile.process_madvise_self) return Kernel::MadviseBatch(ranges, advice);
  return DriveVectoredMadvise(ranges, [&](const AddressRange* rs, size_t n) {
    return VectoredMadvise(rs, n, advice);
  });
}

int64_t SimulatedKernel::VectoredMadvise(const AddressRange* ranges, size_t n, Advice advice) {
  // process_madvise: import_iovec refuses more than UIO_MAXIOV iovecs and
  // shortens the vector to MAX_RW_COUNT bytes (the iovecs past the cap get
  // length 0); vector_madvise then advises each in order like madvise and
  // stops at the first error, returning the bytes done if there are any.
  if (n > kMaxIovecs) return -EINVAL;
  uintptr_t total = 0;
  for (size_t j = 0; j < n; ++j) {
    const uintptr_t len = std::min(ranges[j].hi - ranges[j].lo, kMaxRwCount - total);
    if (const int err = Madvise(ranges[j].lo, len, advice); err != 0) {
      return total > 0 ? static_cast<int64_t>(total) : -static_cast<int64_t>(err);
    }
    total += len;
  }
  return static_cast<int64_t>(total);
}

int SimulatedKernel::Touch(uintptr_t addr, uintptr_t len) {
  // MADV_POPULATE_WRITE: faults page by page in address order; a hole gives
  // ENOMEM and a VMA that is not writable EINVAL, after the pages before it.
  if (addr % kOsPageSize != 0) return EINVAL;
  const uintptr_t end = addr + RoundUp(len, kOsPageSize);
  uintptr_t cur = addr;
  while (cur < end) {
    auto it = Find(cur);
    if (it == vmas_.end()) return ENOMEM;
    if (it->second.prot != Prot::kReadWrite) return EINVAL;
    const uintptr_t piece_end = std::min(it->second.end, end);
    if (it->second.anon == 0) it->second.anon = next_anon_++;
    for (uintptr_t p = cur; p < piece_end; p += kOsPageSize) {
      uintptr_t region = RoundDown(p, kHugePageSize);
      if (pages_.StateOf(region) == SimPageTables::State::kHuge) {
        p = region + kHugePageSize - kOsPageSize;  // the whole region is present
        continue;
      }
      pages_.Fault(p, HugeEligible(it->second, it->first, region));
    }
    cur = piece_end;
  }
  return 0;
}

std::vector<Vma> SimulatedKernel::Vmas(uintptr_t lo, uintptr_t hi) {
  std::vector<Vma> out;
  auto it = vmas_.upper_bound(lo);
  if (it != vmas_.begin() && std::prev(it)->second.end > lo) --it;
  for (; it != vmas_.end() && it->first < hi; ++it) {
    out.push_back(Vma{it->first, it->second.end, it->second.prot, it->second.huge});
  }
  return out;
}

Residency SimulatedKernel::ResidencyOf(uintptr_t lo, uintptr_t hi) {
  Residency r;
  r.resident_bytes = pages_.ResidentBytes(lo, hi);
  for (const Vma& v : Vmas(lo, hi)) r.anon_huge_bytes += pages_.HugeBytesWithin(v.start, v.end);
  return r;
}

void SimulatedKernel::CheckInvariants() const {
  // Adjacent VMAs with equal attributes and anon_vma may legitimately stay
  // apart (a refused second split leaves two such pieces), so that is not
  // checked.
  uintptr_t last_end = 0;
  for (const auto& [start, v] : vmas_) {
    THP_CHECK(start < v.end, absl::StrFormat("empty VMA at %x", start));
    THP_CHECK(start >= last_end, absl::StrFormat("overlapping VMAs at %x", start));
    THP_CHECK(start % kOsPageSize == 0 && v.end % kOsPageSize == 0,
              absl::StrFormat("unaligned VMA %x-%x", start, v.end));
    last_end = v.end;
  }
}

}  // namespace thp
