#include "bench/calibrate/sweep_lock_waits.h"

#include <algorithm>
#include <random>
#include <variant>

namespace thp {
namespace calibrate {

WaitDispersion UniformRateDispersion(const std::vector<SweepLockWaits>& by_benchmark,
                                     int simulations, uint64_t seed) {
  WaitDispersion d;
  d.simulations = simulations;
  // The benchmarks with a pass in a sweep: their passes and waits.
  std::vector<uint64_t> passes, waited;
  uint64_t all_passes = 0, all_waited = 0;
  for (const SweepLockWaits& w : by_benchmark) {
    if (w.passes_in_sweep == 0) continue;
    passes.push_back(w.passes_in_sweep);
    waited.push_back(w.waited);
    all_passes += w.passes_in_sweep;
    all_waited += w.waited;
  }
  d.benchmarks = passes.size();
  if (all_waited == 0) return d;  // nothing waited: nothing to spread
  d.rate = static_cast<double>(all_waited) / static_cast<double>(all_passes);
  auto chi_square = [&](const std::vector<uint64_t>& waits) {
    double chi = 0;
    for (size_t i = 0; i < passes.size(); ++i) {
      const double expected = static_cast<double>(passes[i]) * d.rate;
      const double gap = static_cast<double>(waits[i]) - expected;
      chi += gap * gap / expected;
    }
    return chi;
  };
  d.chi_square = chi_square(waited);
  // Each pass waits when a uniform draw from [0, 1) (the generator's top 53
  // bits) falls under the rate: the same draws on every platform.
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> drawn(passes.size());
  int reached = 0;
  for (int s = 0; s < simulations; ++s) {
    for (size_t i = 0; i < passes.size(); ++i) {
      drawn[i] = 0;
      for (uint64_t k = 0; k < passes[i]; ++k) {
        drawn[i] += static_cast<double>(rng() >> 11) * 0x1.0p-53 < d.rate;
      }
    }
    // A small tolerance: a draw equal to the counts must count as reaching.
    if (chi_square(drawn) >= d.chi_square * (1 - 1e-12)) ++reached;
  }
  d.p_value = simulations > 0 ? static_cast<double>(reached) / simulations : 1;
  return d;
}

SweepLockWaits& SweepLockWaitFinder::At(size_t segment) {
  if (segment >= counts_.size()) counts_.resize(segment + 1);
  return counts_[segment];
}

namespace {

// The pass that read its clock at `now` inside the window of `frees` (its
// sweep frees' times, in order, at least one) opened at `done_ns`.
PassInSweep Describe(size_t segment, int64_t now, const std::vector<int64_t>& frees,
                     int64_t done_ns, bool waited) {
  PassInSweep p;
  p.segment = segment;
  p.window_frees = frees.size();
  p.window_ns = frees.back() - done_ns;
  p.waited = waited;
  const auto after = std::upper_bound(frees.begin(), frees.end(), now);
  p.since_free_ns = after == frees.begin() ? -1 : now - *(after - 1);
  return p;
}

}  // namespace

void SweepLockWaitFinder::Count(const PassInSweep& p) {
  SweepLockWaits& c = At(p.segment);
  ++c.passes_in_sweep;
  c.waited += p.waited;
  if (p.MidBurst()) {
    ++c.mid_burst;
    c.mid_burst_waited += p.waited;
  }
  in_sweep_.push_back(p);
}

void SweepLockWaitFinder::CountAfter(size_t segment, int64_t after_ns) {
  if (after_ns < kJustAfterNs) {
    ++At(segment).just_after;
  } else if (after_ns < 2 * kJustAfterNs) {
    ++At(segment).next_after;
  }
}

void SweepLockWaitFinder::CloseWindow() {
  if (open_ && !free_ns_.empty()) {
    const int64_t last = free_ns_.back();
    for (const Pass& p : passes_) {
      if (p.now >= last) {
        CountAfter(p.segment, p.now - last);
        continue;
      }
      // Waited: no sweep free came after its record.
      Count(Describe(p.segment, p.now, free_ns_, done_ns_, p.frees_before == free_ns_.size()));
    }
    closed_done_ns_ = done_ns_;
    closed_free_ns_.swap(free_ns_);  // free_ns_ is cleared below
  }
  open_ = false;
  free_ns_.clear();
  passes_.clear();
}

bool SweepLockWaitFinder::Reads(const heaplog::EventBody& body) {
  if (const auto* f = std::get_if<heaplog::Free>(&body)) return IsSweepFree(*f);
  return std::holds_alternative<heaplog::GcDone>(body) ||
         std::holds_alternative<heaplog::GcStart>(body) ||
         std::holds_alternative<heaplog::Scavenge>(body);
}

void SweepLockWaitFinder::Observe(size_t segment, const heaplog::HeapEvent& e) {
  At(segment);
  if (std::holds_alternative<heaplog::GcDone>(e.body)) {
    CloseWindow();
    open_ = true;
    done_ns_ = e.time_ns;
    return;
  }
  if (std::holds_alternative<heaplog::GcStart>(e.body)) {
    CloseWindow();
    return;
  }
  const auto* s = std::get_if<heaplog::Scavenge>(&e.body);
  if (s != nullptr && s->k >= 0) {
    const auto now = static_cast<int64_t>(s->now);
    if (open_ && now >= done_ns_) {
      passes_.push_back({segment, now, free_ns_.size()});
    } else if (!closed_free_ns_.empty() && now >= closed_done_ns_) {
      // It read its clock in or just after the window already closed.
      const int64_t last = closed_free_ns_.back();
      if (now < last) {
        // It took the lock only after the next cycle started: it waited
        // past the sweep.
        Count(Describe(segment, now, closed_free_ns_, closed_done_ns_, /*waited=*/true));
      } else {
        CountAfter(segment, now - last);
      }
    }
    return;
  }
  if (!open_) return;
  if (const auto* f = std::get_if<heaplog::Free>(&e.body); f != nullptr && IsSweepFree(*f)) {
    free_ns_.push_back(e.time_ns);
  }
}

std::vector<SweepLockWaits> SweepLockWaitFinder::Finish() {
  CloseWindow();
  return counts_;
}

}  // namespace calibrate
}  // namespace thp
