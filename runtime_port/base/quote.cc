#include "runtime_port/base/quote.h"

#include "absl/strings/escaping.h"

namespace thp {

std::string QuoteForError(absl::string_view value) {
  std::string out = "\"";
  size_t used = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string piece = absl::CHexEscape(value.substr(i, 1));
    if (used + piece.size() > kMaxQuotedChars) {
      out += "...";
      break;
    }
    out += piece;
    used += piece.size();
  }
  out += '"';
  return out;
}

}  // namespace thp
