#include "mheap/go15/replay/field_diff.h"

#include <algorithm>
#include <variant>

#include "absl/strings/str_cat.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace heaplog {
namespace {

class Lister {
 public:
  explicit Lister(std::vector<std::pair<std::string, std::string>>* out) : out_(out) {}

  void U(const char* name, const uint64_t& f, uint64_t, uint64_t) { Add(name, absl::StrCat(f)); }
  void A(const char* name, const uint64_t& f) { Add(name, absl::StrCat("0x", absl::Hex(f))); }
  void I(const char* name, const int64_t& f, int64_t, int64_t) { Add(name, absl::StrCat(f)); }
  void B(const char* name, const bool& f) { Add(name, f ? "1" : "0"); }
  void S(const char* name, const std::string& f) { Add(name, absl::StrCat("\"", f, "\"")); }
  template <typename Enum>
  void E(const char* name, const Enum& f) {
    Add(name, std::string(Name(f)));
  }
  void OptPage(const char* name, const std::optional<uint64_t>& f) {
    Add(name, f.has_value() ? absl::StrCat(*f) : "none");
  }
  void Flags3(const char*, const bool& a, const char* an, const bool& b, const char* bn,
              const bool& c, const char* cn) {
    B(an, a);
    B(bn, b);
    B(cn, c);
  }

 private:
  void Add(const char* name, std::string value) { out_->emplace_back(name, std::move(value)); }
  std::vector<std::pair<std::string, std::string>>* out_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> ListFields(const EventBody& body) {
  std::vector<std::pair<std::string, std::string>> out;
  Lister l(&out);
  // Fields() is non-const (it also decodes); listing only reads.
  std::visit([&](const auto& b) { const_cast<std::decay_t<decltype(b)>&>(b).Fields(l); }, body);
  return out;
}

std::optional<FieldDiff> FirstFieldDiff(const EventBody& recorded, const EventBody& port,
                                        const std::vector<absl::string_view>& skip) {
  THP_CHECK(recorded.index() == port.index(), "FirstFieldDiff of records of different kinds");
  const auto a = ListFields(recorded);
  const auto b = ListFields(port);
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::find(skip.begin(), skip.end(), a[i].first) != skip.end()) continue;
    if (a[i].second != b[i].second) return FieldDiff{a[i].first, a[i].second, b[i].second};
  }
  return std::nullopt;
}

}  // namespace heaplog
}  // namespace thp
