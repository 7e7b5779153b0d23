#include "mheap/go15/replay/field_diff.h"

#include <algorithm>
#include <array>
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

// The same fields as raw values, without formatting (the comparison's fast
// path): an optional page as the log encodes it (0 = none, else page + 1),
// a signed value by its bits, a string by reference.
struct RawField {
  const char* name;
  uint64_t value;
  const std::string* text;
};
// No record has more fields (heap_init has 12).
struct RawFields {
  std::array<RawField, 16> f;
  size_t n = 0;
  void push_back(RawField r) {
    THP_CHECK(n < f.size(), "a record with more than 16 fields");
    f[n++] = r;
  }
  size_t size() const { return n; }
  const RawField& operator[](size_t i) const { return f[i]; }
};

class RawLister {
 public:
  explicit RawLister(RawFields* out) : out_(out) {}

  void U(const char* name, const uint64_t& f, uint64_t, uint64_t) { Add(name, f); }
  void A(const char* name, const uint64_t& f) { Add(name, f); }
  void I(const char* name, const int64_t& f, int64_t, int64_t) { Add(name, static_cast<uint64_t>(f)); }
  void B(const char* name, const bool& f) { Add(name, f ? 1 : 0); }
  void S(const char* name, const std::string& f) { out_->push_back(RawField{name, 0, &f}); }
  template <typename Enum>
  void E(const char* name, const Enum& f) {
    Add(name, static_cast<uint64_t>(f));
  }
  void OptPage(const char* name, const std::optional<uint64_t>& f) {
    Add(name, f.has_value() ? *f + 1 : 0);
  }
  void Flags3(const char*, const bool& a, const char* an, const bool& b, const char* bn,
              const bool& c, const char* cn) {
    B(an, a);
    B(bn, b);
    B(cn, c);
  }

 private:
  void Add(const char* name, uint64_t v) { out_->push_back(RawField{name, v, nullptr}); }
  RawFields* out_;
};

RawFields ListRaw(const EventBody& body) {
  RawFields out;
  RawLister l(&out);
  std::visit([&](const auto& b) { const_cast<std::decay_t<decltype(b)>&>(b).Fields(l); }, body);
  return out;
}

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
  const RawFields a = ListRaw(recorded);
  const RawFields b = ListRaw(port);
  for (size_t i = 0; i < a.size(); ++i) {
    const bool same = a[i].text != nullptr ? *a[i].text == *b[i].text : a[i].value == b[i].value;
    if (same || std::find(skip.begin(), skip.end(), a[i].name) != skip.end()) continue;
    // Only a difference is worth formatting.
    const auto fa = ListFields(recorded);
    const auto fb = ListFields(port);
    return FieldDiff{fa[i].first, fa[i].second, fb[i].second};
  }
  return std::nullopt;
}

}  // namespace heaplog
}  // namespace thp
