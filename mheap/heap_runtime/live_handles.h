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
    Named& h = named_[x];
    ++h.count;
    if (chain_link && !h.chain_link) {
      h.chain_link = true;
      ++named_chain_links_;
    }
  }
  // A failed status naming `x` if it is not held by name.
  absl::Status Drop(uintptr_t x) {
    auto it = named_.find(x);
    if (it == named_.end()) {
      return absl::NotFoundError(absl::StrFormat("drop of %#x: not a live handle", x));
    }
    if (--it->second.count == 0) {
      if (it->second.chain_link) --named_chain_links_;
      named_.erase(it);
    }
    return absl::OkStatus();
  }
  void PushHeld(uintptr_t x, bool chain_link = false) {
    if (chain_link) held_chain_at_.push_back(held_.size());
    held_.push_back(x);
  }
  size_t held_height() const { return held_.size(); }
  void DropHeldTo(size_t height) {
    if (height >= held_.size()) return;
    held_.resize(height);
    while (!held_chain_at_.empty() && held_chain_at_.back() >= height) held_chain_at_.pop_back();
  }
  // Chain links held (named or not): each one distinct object.
  size_t chain_links() const { return named_chain_links_ + held_chain_at_.size(); }
  // Every held object, named ones first in address order.
  void ForEach(const std::function<void(uintptr_t)>& f) const {
    for (const auto& [x, h] : named_) f(x);
    for (uintptr_t x : held_) f(x);
  }
  // Distinct addresses held.
  size_t distinct() const {
    if (held_.empty()) return named_.size();
    absl::flat_hash_set<uintptr_t> all(held_.begin(), held_.end());
    for (const auto& [x, h] : named_) all.insert(x);
    return all.size();
  }

 private:
  struct Named {
    int count = 0;            // times held
    bool chain_link = false;  // held (at least once) as a chain link
  };
  absl::btree_map<uintptr_t, Named> named_;
  std::vector<uintptr_t> held_;          // oldest first
  std::vector<size_t> held_chain_at_;    // where in held_ the chain links are, ascending
  size_t named_chain_links_ = 0;         // named handles that are chain links
};

}  // namespace thp

#endif  // THP_MHEAP_HEAP_RUNTIME_LIVE_HANDLES_H_
