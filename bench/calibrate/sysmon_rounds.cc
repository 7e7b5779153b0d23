#include "bench/calibrate/sysmon_rounds.h"

#include <algorithm>
#include <variant>

#include "bench/calibrate/nearest_rank.h"

namespace thp {
namespace calibrate {

namespace {
constexpr uint64_t kCappedSleepNs = 10000000;  // sysmon's usleep cap, 10 ms
}  // namespace

std::optional<SysmonRound> SysmonRoundFinder::Observe(const heaplog::HeapEvent& e) {
  if (std::holds_alternative<heaplog::GcStart>(e.body)) in_cycle_ = true;
  if (std::holds_alternative<heaplog::GcMarkTerm>(e.body)) in_cycle_ = false;
  const auto* s = std::get_if<heaplog::Scavenge>(&e.body);
  if (s == nullptr || s->k < 0) return std::nullopt;
  const std::optional<uint64_t> prev = prev_now_;
  const bool began_in_cycle = prev_in_cycle_;
  prev_now_ = s->now;
  prev_in_cycle_ = in_cycle_;
  if (!prev.has_value() || s->now < *prev) return std::nullopt;
  const uint64_t gap = s->now - *prev;
  if (gap < kCappedSleepNs || gap >= 2 * kCappedSleepNs) return std::nullopt;
  return SysmonRound{static_cast<int64_t>(gap - kCappedSleepNs), began_in_cycle};
}

SysmonRounds SummarizeRounds(std::vector<int64_t> overshoots_ns) {
  SysmonRounds r;
  r.rounds = overshoots_ns.size();
  if (overshoots_ns.empty()) return r;
  std::sort(overshoots_ns.begin(), overshoots_ns.end());
  r.median_ns = NearestRankOfSorted(overshoots_ns, 0.5);
  r.p90_ns = NearestRankOfSorted(overshoots_ns, 0.9);
  double sum = 0;
  for (int64_t v : overshoots_ns) sum += static_cast<double>(v);
  r.mean_ns = static_cast<int64_t>(sum / static_cast<double>(overshoots_ns.size()) + 0.5);
  return r;
}

}  // namespace calibrate
}  // namespace thp
