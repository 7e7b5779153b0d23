#include "bench/calibrate/gc_start_overshoot.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "bench/calibrate/nearest_rank.h"
#include "bench/calibrate/sweep_lock_waits.h"

namespace thp {
namespace calibrate {

GcStartOvershoots& GcStartOvershoots::operator+=(const GcStartOvershoots& o) {
  bytes.insert(bytes.end(), o.bytes.begin(), o.bytes.end());
  far += o.far;
  far_without_sweep += o.far_without_sweep;
  others_without_sweep += o.others_without_sweep;
  return *this;
}

int64_t GcStartOvershoots::Quantile(double q) const {
  if (bytes.empty()) return 0;
  std::vector<int64_t> sorted = bytes;
  std::sort(sorted.begin(), sorted.end());
  return NearestRankOfSorted(sorted, q);
}

bool GcStartOvershootFinder::Reads(const heaplog::EventBody& body) {
  if (const auto* f = std::get_if<heaplog::Free>(&body)) return IsSweepFree(*f);
  return std::holds_alternative<heaplog::GcDone>(body) ||
         std::holds_alternative<heaplog::GcStart>(body);
}

void GcStartOvershootFinder::Observe(size_t segment, const heaplog::HeapEvent& e) {
  if (segment >= counts_.size()) counts_.resize(segment + 1);
  if (const auto* d = std::get_if<heaplog::GcDone>(&e.body)) {
    have_done_ = true;
    next_gc_ = d->next_gc;
    swept_ = false;
    return;
  }
  if (const auto* f = std::get_if<heaplog::Free>(&e.body)) {
    if (IsSweepFree(*f)) swept_ = true;
    return;
  }
  const auto* s = std::get_if<heaplog::GcStart>(&e.body);
  if (s == nullptr || s->mode != heaplog::GcMode::kBackground || !have_done_) return;
  GcStartOvershoots& c = counts_[segment];
  const int64_t over = static_cast<int64_t>(s->heap_live) - static_cast<int64_t>(next_gc_);
  c.bytes.push_back(over);
  if (over > kFarOvershootBytes) {
    ++c.far;
    c.far_without_sweep += !swept_;
  } else {
    c.others_without_sweep += !swept_;
  }
}

}  // namespace calibrate
}  // namespace thp
