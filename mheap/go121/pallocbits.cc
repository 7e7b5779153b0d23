#include "mheap/go121/pallocbits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

// Go's bits.TrailingZeros64 / LeadingZeros64 / OnesCount64: 64 for zero.
unsigned Tz(uint64_t x) { return x == 0 ? 64 : static_cast<unsigned>(__builtin_ctzll(x)); }
unsigned Lz(uint64_t x) { return x == 0 ? 64 : static_cast<unsigned>(__builtin_clzll(x)); }
unsigned Ones(uint64_t x) { return static_cast<unsigned>(__builtin_popcountll(x)); }
// The low n bits set, for 0 <= n <= 64.
uint64_t LowMask(unsigned n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

}  // namespace

void PageBits::SetRange(unsigned i, unsigned n) {
  const unsigned j = i + n - 1;  // last bit, inclusive
  if (i / 64 == j / 64) {
    w_[i / 64] |= LowMask(n) << (i % 64);
    return;
  }
  w_[i / 64] |= ~uint64_t{0} << (i % 64);
  for (unsigned k = i / 64 + 1; k < j / 64; ++k) w_[k] = ~uint64_t{0};
  w_[j / 64] |= LowMask(j % 64 + 1);
}

void PageBits::ClearRange(unsigned i, unsigned n) {
  const unsigned j = i + n - 1;
  if (i / 64 == j / 64) {
    w_[i / 64] &= ~(LowMask(n) << (i % 64));
    return;
  }
  w_[i / 64] &= ~(~uint64_t{0} << (i % 64));
  for (unsigned k = i / 64 + 1; k < j / 64; ++k) w_[k] = 0;
  w_[j / 64] &= ~LowMask(j % 64 + 1);
}

unsigned PageBits::PopcntRange(unsigned i, unsigned n) const {
  const unsigned j = i + n - 1;
  if (i / 64 == j / 64) return Ones((w_[i / 64] >> (i % 64)) & LowMask(n));
  unsigned s = Ones(w_[i / 64] >> (i % 64));
  for (unsigned k = i / 64 + 1; k < j / 64; ++k) s += Ones(w_[k]);
  return s + Ones(w_[j / 64] & LowMask(j % 64 + 1));
}

PallocSum PallocSum::Pack(unsigned start, unsigned max, unsigned end) {
  // Only a root-level summary can reach kMaxPackedValue, and then all three
  // counts are equal: one bit says so.
  if (max == kMaxPackedValue) return PallocSum(uint64_t{1} << 63);
  constexpr uint64_t kMask = kMaxPackedValue - 1;
  return PallocSum((uint64_t{start} & kMask) | ((uint64_t{max} & kMask) << kLogMaxPackedValue) |
                   ((uint64_t{end} & kMask) << (2 * kLogMaxPackedValue)));
}

unsigned PallocSum::start() const {
  if (v_ >> 63) return kMaxPackedValue;
  return static_cast<unsigned>(v_ & (kMaxPackedValue - 1));
}

unsigned PallocSum::max() const {
  if (v_ >> 63) return kMaxPackedValue;
  return static_cast<unsigned>((v_ >> kLogMaxPackedValue) & (kMaxPackedValue - 1));
}

unsigned PallocSum::end() const {
  if (v_ >> 63) return kMaxPackedValue;
  return static_cast<unsigned>((v_ >> (2 * kLogMaxPackedValue)) & (kMaxPackedValue - 1));
}

PallocSum FreeChunkSum() {
  return PallocSum::Pack(kPallocChunkPagesU, kPallocChunkPagesU, kPallocChunkPagesU);
}

PallocSum MergeSummaries(const PallocSum* sums, size_t n, unsigned log_max_pages_per_sum) {
  const unsigned whole = 1u << log_max_pages_per_sum;
  unsigned start = sums[0].start(), max = sums[0].max(), end = sums[0].end();
  for (size_t i = 1; i < n; ++i) {
    const unsigned si = sums[i].start(), mi = sums[i].max(), ei = sums[i].end();
    // The running start grows only while everything merged so far is free.
    if (start == static_cast<unsigned>(i) << log_max_pages_per_sum) start += si;
    // The longest run is the old one, the new one, or the run across the
    // boundary.
    max = std::max({max, end + si, mi});
    // A wholly free summary extends the running end; any other replaces it.
    end = ei == whole ? end + whole : ei;
  }
  return PallocSum::Pack(start, max, end);
}

unsigned FindBitRange64(uint64_t c, unsigned n) {
  // Shorten every run of ones by n-1 from its top; a bit still set then
  // starts a run of n. The shift doubles as the zero gaps between runs widen,
  // so this takes log(n) steps.
  unsigned remove = n - 1;
  unsigned step = 1;
  while (remove > 0) {
    if (remove <= step) {
      c &= c >> (remove & 63);
      break;
    }
    c &= c >> (step & 63);
    if (c == 0) return 64;
    remove -= step;
    step *= 2;
  }
  return Tz(c);
}

uint64_t FillAligned(uint64_t x, unsigned m) {
  if (m == 1) return x;
  if (m == 0 || m > 64 || (m & (m - 1)) != 0) Throw("bad m value");
  // `low` has every bit but the top one of each group: adding it to the
  // group's low bits carries into the top bit iff any of them is set.
  uint64_t top = 0;
  for (unsigned g = 0; g < 64; g += m) top |= uint64_t{1} << (g + m - 1);
  const uint64_t low = ~top;
  // Top bit of each group set iff the group of x is all zero.
  const uint64_t empty = ~((((x & low) + low) | x) | low);
  // Spread each such top bit over its group, then invert.
  return ~((empty - (empty >> (m - 1))) | empty);
}

PallocSum PallocBits::Summarize() const {
  unsigned start = 0, max = 0, run = 0;
  bool seen_used = false;
  for (size_t k = 0; k < kPageBitsWords; ++k) {
    const uint64_t w = word(k);
    unsigned pos = 0;
    while (pos < 64) {
      const uint64_t rest = w >> pos;
      const unsigned zeros = rest == 0 ? 64 - pos : Tz(rest);
      run += zeros;
      pos += zeros;
      if (pos >= 64) break;
      // A page in use ends the current free run.
      if (!seen_used) {
        start = run;
        seen_used = true;
      }
      max = std::max(max, run);
      run = 0;
      pos += Tz(~rest);  // skip the pages in use
    }
  }
  if (!seen_used) return FreeChunkSum();
  max = std::max(max, run);
  return PallocSum::Pack(start, max, run);
}

FindResult PallocBits::Find(uintptr_t npages, unsigned search_idx) const {
  if (npages == 1) {
    const unsigned i = Find1(search_idx);
    return {i, i};
  }
  if (npages <= 64) return FindSmallN(npages, search_idx);
  return FindLargeN(npages, search_idx);
}

unsigned PallocBits::Find1(unsigned search_idx) const {
  for (unsigned i = search_idx / 64; i < kPageBitsWords; ++i) {
    const uint64_t x = word(i);
    if (~x == 0) continue;
    return i * 64 + Tz(~x);
  }
  return kNotFound;
}

FindResult PallocBits::FindSmallN(uintptr_t npages, unsigned search_idx) const {
  // A run of at most 64 pages crosses at most one word boundary, so it is
  // either the free top of the previous word plus the free bottom of this
  // one, or inside this word.
  unsigned prev_top_free = 0;
  unsigned new_search = kNotFound;
  for (unsigned i = search_idx / 64; i < kPageBitsWords; ++i) {
    const uint64_t b = word(i);
    if (~b == 0) {
      prev_top_free = 0;
      continue;
    }
    if (new_search == kNotFound) new_search = i * 64 + Tz(~b);
    if (prev_top_free + Tz(b) >= npages) return {i * 64 - prev_top_free, new_search};
    const unsigned j = FindBitRange64(~b, static_cast<unsigned>(npages));
    if (j < 64) return {i * 64 + j, new_search};
    prev_top_free = Lz(b);
  }
  return {kNotFound, new_search};
}

FindResult PallocBits::FindLargeN(uintptr_t npages, unsigned search_idx) const {
  // A run of more than 64 pages crosses at least one word boundary, so it
  // starts at the free top of some word.
  unsigned start = kNotFound, size = 0, new_search = kNotFound;
  for (unsigned i = search_idx / 64; i < kPageBitsWords; ++i) {
    const uint64_t x = word(i);
    if (x == ~uint64_t{0}) {
      size = 0;
      continue;
    }
    if (new_search == kNotFound) new_search = i * 64 + Tz(~x);
    if (size == 0) {
      size = Lz(x);
      start = i * 64 + 64 - size;
      continue;
    }
    const unsigned s = Tz(x);
    if (s + size >= npages) return {start, new_search};
    if (s < 64) {
      size = Lz(x);
      start = i * 64 + 64 - size;
      continue;
    }
    size += 64;
  }
  if (size < npages) return {kNotFound, new_search};
  return {start, new_search};
}

PageRun PallocData::FindScavengeCandidate(unsigned search_idx, uintptr_t min,
                                          uintptr_t max) const {
  if (min == 0 || (min & (min - 1)) != 0) {
    Throw(absl::StrCat("min must be a non-zero power of 2 (min = ", min, ")"));
  }
  if (min > kMaxPagesPerPhysPage) Throw(absl::StrCat("min too large (min = ", min, ")"));
  // A max that is not a multiple of min would return a misaligned run.
  max = max == 0 ? min : AlignUp(max, min);
  const unsigned m = static_cast<unsigned>(min);
  // In `blocked`, a one is a page in use or already scavenged (per aligned
  // group of min pages); the candidate is a run of zeros.
  auto blocked = [&](int k) { return FillAligned(scavenged.word(k) | word(k), m); };

  int i = static_cast<int>(search_idx / 64);
  while (i >= 0 && blocked(i) == ~uint64_t{0}) --i;
  if (i < 0) return {0, 0};

  // The run ends below the highest zero of word i and may reach down into
  // lower words.
  const uint64_t x = blocked(i);
  const unsigned top_ones = Lz(~x);
  const unsigned end = static_cast<unsigned>(i) * 64 + (64 - top_ones);
  unsigned run;
  if ((x << top_ones) != 0) {
    run = Lz(x << top_ones);
  } else {
    run = 64 - top_ones;
    for (int j = i - 1; j >= 0; --j) {
      const uint64_t y = blocked(j);
      run += Lz(y);
      if (y != 0) break;
    }
  }
  unsigned size = run < max ? run : static_cast<unsigned>(max);
  unsigned start = end - size;

  // Cutting to max must not break a huge page that lies wholly inside the
  // free run: then the run is widened down to the huge page's start.
  if (kPhysHugePageSize > kPageSize && kPhysHugePageSize > kPhysPageSize) {
    const unsigned per_huge = static_cast<unsigned>(kPhysHugePageSize / kPageSize);
    if (AlignUp(start, per_huge) <= end) {
      const unsigned below = static_cast<unsigned>(AlignDown(start, per_huge));
      if (below >= end - run) {
        size += start - below;
        start = below;
      }
    }
  }
  return {start, size};
}

}  // namespace go121
}  // namespace thp
