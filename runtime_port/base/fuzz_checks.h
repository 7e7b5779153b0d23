// What every fuzz target checks of an error from a parser of user input:
// the promise of bad input is one line naming the value, so the message is
// non-empty, holds no newline and is bounded (a bad value is quoted escaped
// and cut, runtime_port/base/quote.h). A broken promise is a THP_CHECK
// failure, which a fuzz target turns into an abort (AbortOnFailedCheck) so
// libFuzzer keeps the input.
#ifndef THP_RUNTIME_PORT_BASE_FUZZ_CHECKS_H_
#define THP_RUNTIME_PORT_BASE_FUZZ_CHECKS_H_

#include <cstddef>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "runtime_port/base/check.h"

namespace thp {

// Generous next to kMaxQuotedChars: the quote plus the words around it.
inline constexpr size_t kMaxErrorMessage = 400;

// Call first in LLVMFuzzerTestOneInput: from then on a failed check or a
// Go fatal error aborts (libFuzzer keeps the input) instead of exiting.
inline void AbortOnFailedCheck() {
  static ScopedThrowHook abort_on_check([](absl::string_view) { std::abort(); });
}

inline void CheckOneLineError(const absl::Status& st) {
  if (st.ok()) return;
  const absl::string_view m = st.message();
  THP_CHECK(!m.empty(), "an error says what is wrong");
  THP_CHECK(m.find('\n') == absl::string_view::npos, "an error is one line");
  THP_CHECK(m.size() <= kMaxErrorMessage, "an error is bounded");
}

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_FUZZ_CHECKS_H_
