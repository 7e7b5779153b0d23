// The objects a workload holds, as both ported runtimes keep them for their
// GC model's mark (every object not held is garbage): handles held by name,
// each as many times as it was handed out (tiny objects share an address
// only when the allocator combined them), and a stack of objects held
// without names (retained ones, or a batch dropped together). Sorted, so a
// mark walks the named ones in address order. It also counts the held
// objects that are links of a singly linked chain (allocated with the trace's
// `chain` flag), whose mark is serial (mgc.h, kChainLinkMarkNs). It mirrors
// no Go code.
#ifndef THP_MHEAP_HEAP_RUNTIME_LIVE_HANDLES_H_
#define THP_MHEAP_HEAP_RUNTIME_LIVE_HANDLES_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace thp {

class LiveHandles {
 public:
  void Hold(uintptr_t x, bool chain_link = false) {
    ++named_[x];
    if (chain_link && chain_named_.insert(x).second) ++chain_links_;
  }
  // A failed status naming `x` if it is not held by name.
  absl::Status Drop(uintptr_t x) {
    auto it = named_.find(x);
    if (it == named_.end()) {
      return absl::NotFoundError(absl::StrFormat("drop of %#x: not a live handle", x));
    }
    if (--it->second == 0) {
      named_.erase(it);
      if (chain_named_.erase(x) != 0) --chain_links_;
    }
    return absl::OkStatus();
  }
  void PushHeld(uintptr_t x, bool chain_link = false) {
    held_.push_back(x);
    held_chain_.push_back(chain_link);
    chain_links_ += chain_link ? 1 : 0;
  }
  size_t held_height() const { return held_.size(); }
  void DropHeldTo(size_t height) {
    if (height >= held_.size()) return;
    for (size_t i = height; i < held_chain_.size(); ++i) chain_links_ -= held_chain_[i] ? 1 : 0;
    held_.resize(height);
    held_chain_.resize(height);
  }
  // Chain links held (named or not): each one distinct object.
  size_t chain_links() const { return chain_links_; }
  // Every held object, named ones first in address order.
  void ForEach(const std::function<void(uintptr_t)>& f) const {
    for (const auto& [x, count] : named_) f(x);
    for (uintptr_t x : held_) f(x);
  }
  // Distinct addresses held.
  size_t distinct() const {
    if (held_.empty()) return named_.size();
    absl::flat_hash_set<uintptr_t> all(held_.begin(), held_.end());
    for (const auto& [x, count] : named_) all.insert(x);
    return all.size();
  }

 private:
  absl::btree_map<uintptr_t, int> named_;  // handle -> times held
  std::vector<uintptr_t> held_;            // oldest first
  std::vector<bool> held_chain_;           // held_[i] is a chain link
  absl::flat_hash_set<uintptr_t> chain_named_;  // named handles that are chain links
  size_t chain_links_ = 0;
};

}  // namespace thp

#endif  // THP_MHEAP_HEAP_RUNTIME_LIVE_HANDLES_H_
