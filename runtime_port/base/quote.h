// How an error message quotes a value it got from a user (a flag, a file
// line): in double quotes, C-escaped (so binary bytes and newlines cannot
// break the one-line rule) and cut so the quote is at most kMaxQuotedChars
// characters between the quotes plus "..." when cut. An escape sequence is
// never split.
#ifndef THP_RUNTIME_PORT_BASE_QUOTE_H_
#define THP_RUNTIME_PORT_BASE_QUOTE_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace thp {

inline constexpr size_t kMaxQuotedChars = 120;

std::string QuoteForError(absl::string_view value);

// The same without the quotes, for a value shown as typed ("--rounds=0").
std::string EscapeForError(absl::string_view value);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_QUOTE_H_
