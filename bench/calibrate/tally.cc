#include "bench/calibrate/tally.h"

#include <algorithm>
#include <variant>

#include "bench/calibrate/nearest_rank.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {
namespace calibrate {

absl::string_view SizeBinName(int bin) {
  static constexpr absl::string_view kNames[kSizeBins] = {"1",    "2",      "3-4", "5-8",
                                                          "9-32", "33-256", ">256"};
  return bin >= 0 && bin < kSizeBins ? kNames[bin] : absl::string_view("?");
}

int SizeBin(uint64_t pages) {
  if (pages <= 1) return 0;
  if (pages == 2) return 1;
  if (pages <= 4) return 2;
  if (pages <= 8) return 3;
  if (pages <= 32) return 4;
  if (pages <= 256) return 5;
  return 6;
}

void Tally::Add(const heaplog::EventBody& body) {
  using namespace heaplog;  // NOLINT: the record structs
  if (const auto* a = std::get_if<Alloc>(&body)) {
    const size_t caller = static_cast<size_t>(a->caller);
    ++allocs[caller];
    alloc_pages[caller] += a->npage;
    ++alloc_hist[SizeBin(a->npage)];
  } else if (const auto* f = std::get_if<Free>(&body)) {
    if (f->why == FreeWhy::kCentral || f->why == FreeWhy::kLarge || f->why == FreeWhy::kStack) {
      ++frees;
      free_pages += f->npages;
    }
  } else if (const auto* g = std::get_if<GcDone>(&body)) {
    ++gc_cycles;
    heap_marked += g->heap_marked;
  } else if (std::holds_alternative<Scavenge>(body)) {
    ++scavenge_passes;
  } else if (const auto* u = std::get_if<SysUnused>(&body)) {
    const uint64_t pages = BytesToPages(u->n);
    ++releases;
    released_pages += pages;
    ++release_hist[SizeBin(pages)];
  } else if (const auto* m = std::get_if<Madvise>(&body)) {
    // The log records Linux's advice numbers.
    if (m->advice == static_cast<uint64_t>(LinuxAdvice(Advice::kHugePage))) ++hugepage_calls;
    if (m->advice == static_cast<uint64_t>(LinuxAdvice(Advice::kNoHugePage))) ++nohugepage_calls;
  }
}

namespace {

// The nearest-rank q-quantile of `value` over `marks`, 0 without marks.
int64_t MarkQuantile(const std::vector<MarkPhase>& marks, double q,
                     int64_t (*value)(const MarkPhase&)) {
  if (marks.empty()) return 0;
  std::vector<int64_t> v;
  v.reserve(marks.size());
  for (const MarkPhase& p : marks) v.push_back(value(p));
  std::sort(v.begin(), v.end());
  return NearestRankOfSorted(v, q);
}

bool MarksEqual(const std::vector<MarkPhase>& a, const std::vector<MarkPhase>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const MarkPhase& x, const MarkPhase& y) {
    return x.ns == y.ns && x.grow_bytes == y.grow_bytes;
  });
}

}  // namespace

int64_t Tally::mark_us_quantile(double q) const {
  return MarkQuantile(marks, q, [](const MarkPhase& p) { return p.ns / 1000; });
}

int64_t Tally::mark_grow_kib_quantile(double q) const {
  return MarkQuantile(marks, q, [](const MarkPhase& p) { return p.grow_bytes / 1024; });
}

uint64_t Tally::marks_past_pacer_floor() const {
  return static_cast<uint64_t>(std::count_if(marks.begin(), marks.end(), PastPacerFloor));
}

Tally& Tally::operator+=(const Tally& o) {
  for (size_t i = 0; i < allocs.size(); ++i) {
    allocs[i] += o.allocs[i];
    alloc_pages[i] += o.alloc_pages[i];
  }
  for (int b = 0; b < kSizeBins; ++b) {
    alloc_hist[b] += o.alloc_hist[b];
    release_hist[b] += o.release_hist[b];
    stale_release_hist[b] += o.stale_release_hist[b];
    free_spans_at_start[b] += o.free_spans_at_start[b];
  }
  frees += o.frees;
  free_pages += o.free_pages;
  gc_cycles += o.gc_cycles;
  heap_marked += o.heap_marked;
  scavenge_passes += o.scavenge_passes;
  releases += o.releases;
  released_pages += o.released_pages;
  stale_now_releases += o.stale_now_releases;
  hugepage_calls += o.hugepage_calls;
  nohugepage_calls += o.nohugepage_calls;
  outliving_spans += o.outliving_spans;
  marks.insert(marks.end(), o.marks.begin(), o.marks.end());
  return *this;
}

bool Tally::operator==(const Tally& o) const {
  return allocs == o.allocs && alloc_pages == o.alloc_pages && alloc_hist == o.alloc_hist &&
         frees == o.frees && free_pages == o.free_pages && gc_cycles == o.gc_cycles &&
         heap_marked == o.heap_marked &&
         scavenge_passes == o.scavenge_passes && releases == o.releases &&
         released_pages == o.released_pages && release_hist == o.release_hist &&
         stale_now_releases == o.stale_now_releases &&
         stale_release_hist == o.stale_release_hist &&
         hugepage_calls == o.hugepage_calls && nohugepage_calls == o.nohugepage_calls &&
         outliving_spans == o.outliving_spans &&
         free_spans_at_start == o.free_spans_at_start && MarksEqual(marks, o.marks);
}

}  // namespace calibrate
}  // namespace thp
