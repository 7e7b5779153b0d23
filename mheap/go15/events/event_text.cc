#include "mheap/go15/events/event_text.h"

#include <variant>

#include "absl/strings/str_cat.h"

namespace thp {
namespace heaplog {
namespace {

class Printer {
 public:
  explicit Printer(std::string* out) : out_(out) {}

  void U(const char* name, const uint64_t& f, uint64_t, uint64_t) { absl::StrAppend(out_, " ", name, "=", f); }
  void A(const char* name, const uint64_t& f) { absl::StrAppend(out_, " ", name, "=0x", absl::Hex(f)); }
  void I(const char* name, const int64_t& f, int64_t, int64_t) { absl::StrAppend(out_, " ", name, "=", f); }
  void B(const char* name, const bool& f) { absl::StrAppend(out_, " ", name, "=", f ? 1 : 0); }
  void S(const char* name, const std::string& f) {
    absl::StrAppend(out_, " ", name, "=\"");
    for (char c : f) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
        absl::StrAppend(out_, "\\x", absl::Hex(u, absl::kZeroPad2));
      } else {
        out_->push_back(c);
      }
    }
    out_->push_back('"');
  }
  template <typename Enum>
  void E(const char* name, const Enum& f) {
    absl::StrAppend(out_, " ", name, "=", Name(f));
  }
  void OptPage(const char* name, const std::optional<uint64_t>& f) {
    if (f.has_value()) {
      absl::StrAppend(out_, " ", name, "=", *f);
    } else {
      absl::StrAppend(out_, " ", name, "=none");
    }
  }
  void Flags3(const char*, const bool& a, const char* an, const bool& b, const char* bn, const bool& c,
              const char* cn) {
    absl::StrAppend(out_, " ", an, "=", a ? 1 : 0, " ", bn, "=", b ? 1 : 0, " ", cn, "=", c ? 1 : 0);
  }

 private:
  std::string* out_;
};

}  // namespace

bool ParseTimeFormat(absl::string_view text, TimeFormat* out) {
  if (text == "abs") {
    *out = TimeFormat::kAbsolute;
  } else if (text == "rel") {
    *out = TimeFormat::kRelative;
  } else if (text == "none") {
    *out = TimeFormat::kNone;
  } else {
    return false;
  }
  return true;
}

std::string FormatFields(const EventBody& body) {
  std::string out;
  Printer p(&out);
  // Fields() is non-const (it also decodes); printing only reads.
  std::visit([&](const auto& b) { const_cast<std::decay_t<decltype(b)>&>(b).Fields(p); }, body);
  return out;
}

std::string FormatEvent(const HeapEvent& e, TimeFormat time, int64_t base) {
  std::string out;
  switch (time) {
    case TimeFormat::kAbsolute: absl::StrAppend(&out, e.time_ns, " "); break;
    case TimeFormat::kRelative: absl::StrAppend(&out, e.time_ns - base, " "); break;
    case TimeFormat::kNone: break;
  }
  absl::StrAppend(&out, KindName(e.kind()), FormatFields(e.body));
  return out;
}

}  // namespace heaplog
}  // namespace thp
