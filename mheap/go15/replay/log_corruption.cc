#include "mheap/go15/replay/log_corruption.h"

#include <variant>

#include "absl/strings/str_cat.h"

namespace thp {
namespace heaplog {
namespace {

class Adder {
 public:
  Adder(const std::string& field, int64_t delta) : field_(field), delta_(delta) {}

  void U(const char* name, uint64_t& f, uint64_t, uint64_t) { Add(name, f); }
  void A(const char* name, uint64_t& f) { Add(name, f); }
  void I(const char* name, int64_t& f, int64_t, int64_t) {
    if (field_ == name) {
      f += delta_;
      found_ = true;
    }
  }
  void B(const char*, bool&) {}
  void S(const char*, std::string&) {}
  template <typename Enum>
  void E(const char* name, Enum& f) {
    if (field_ == name) {
      f = static_cast<Enum>(static_cast<int64_t>(f) + delta_);
      found_ = true;
    }
  }
  void OptPage(const char* name, std::optional<uint64_t>& f) {
    if (field_ == name && f.has_value()) Add(name, *f);
  }
  void Flags3(const char*, bool&, const char*, bool&, const char*, bool&, const char*) {}
  bool found() const { return found_; }

 private:
  void Add(const char* name, uint64_t& f) {
    if (field_ != name) return;
    f = static_cast<uint64_t>(static_cast<int64_t>(f) + delta_);
    found_ = true;
  }
  const std::string& field_;
  int64_t delta_;
  bool found_ = false;
};

}  // namespace

absl::StatusOr<size_t> FindRecord(const std::vector<HeapEvent>& events, Kind kind, size_t nth) {
  size_t seen = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind() == kind && seen++ == nth) return i;
  }
  return absl::NotFoundError(absl::StrCat("no ", KindName(kind), " record #", nth));
}

absl::StatusOr<size_t> AddToField(std::vector<HeapEvent>& events, Kind kind, size_t nth,
                                  const std::string& field, int64_t delta,
                                  bool (*filter)(const HeapEvent&)) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind() != kind || (filter != nullptr && !filter(events[i]))) continue;
    if (nth-- != 0) continue;
    Adder a(field, delta);
    std::visit([&a](auto& b) { b.Fields(a); }, events[i].body);
    if (!a.found()) {
      return absl::NotFoundError(absl::StrCat(KindName(kind), " has no numeric field ", field));
    }
    return i;
  }
  return absl::NotFoundError(absl::StrCat("too few ", KindName(kind), " records"));
}

}  // namespace heaplog
}  // namespace thp
