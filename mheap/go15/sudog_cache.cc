#include "mheap/go15/sudog_cache.h"

#include "runtime_port/base/check.h"

namespace thp {

SudogCache::SudogCache(int nprocs) : per_p_(static_cast<size_t>(nprocs)) {
  THP_CHECK(nprocs >= 1, "SudogCache needs a P");
  for (std::vector<uintptr_t>& c : per_p_) c.reserve(kSudogCacheCap);
}

uintptr_t SudogCache::Acquire(int p, const std::function<uintptr_t()>& new_sudog) {
  std::vector<uintptr_t>& c = per_p_.at(static_cast<size_t>(p));
  if (c.empty()) {
    // A batch from the central list, its head first.
    while (c.size() < kSudogCacheCap / 2 && !central_.empty()) {
      c.push_back(central_.back());
      central_.pop_back();
    }
    if (c.empty()) c.push_back(new_sudog());
  }
  const uintptr_t s = c.back();
  c.pop_back();
  return s;
}

void SudogCache::Release(int p, uintptr_t s) {
  std::vector<uintptr_t>& c = per_p_.at(static_cast<size_t>(p));
  if (c.size() == kSudogCacheCap) {
    // The upper half, taken from the end, becomes a chain first..last that
    // goes in front of the central list: the first taken ends up its head.
    std::vector<uintptr_t> chain;
    while (c.size() > kSudogCacheCap / 2) {
      chain.push_back(c.back());
      c.pop_back();
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) central_.push_back(*it);
  }
  c.push_back(s);
}

void SudogCache::ForEachCached(const std::function<void(uintptr_t)>& mark) const {
  for (const std::vector<uintptr_t>& c : per_p_) {
    for (uintptr_t s : c) mark(s);
  }
  for (uintptr_t s : central_) mark(s);
}

}  // namespace thp
