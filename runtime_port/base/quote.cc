#include "runtime_port/base/quote.h"

#include "absl/strings/escaping.h"

namespace thp {

std::string EscapeForError(absl::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string piece = absl::CHexEscape(value.substr(i, 1));
    if (out.size() + piece.size() > kMaxQuotedChars) return out + "...";
    out += piece;
  }
  return out;
}

std::string QuoteForError(absl::string_view value) {
  return "\"" + EscapeForError(value) + "\"";
}

}  // namespace thp
