// The values a numeric flag accepts, declared once beside its ABSL_FLAG:
//
//   ABSL_FLAG(int, rounds, 400, "rounds of the fragmenting service (1..100000)");
//   THP_FLAG_RANGE(rounds, 1, 100000);
//
// ParseFlagsOrExit (cli.h) then refuses, before any work starts, a value
// outside the range ("--rounds=0: expected 1 to 100000") and names the
// range when the value is not a number at all ("--rounds=abc: expected an
// integer (accepted: 1 to 100000)"), where Abseil would only say "Illegal
// value". Both are one line and exit status 2. Constraints that are not a
// range (a multiple of 4) stay with the driver.
#ifndef THP_BENCH_HARNESS_FLAG_RANGE_H_
#define THP_BENCH_HARNESS_FLAG_RANGE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace thp {

struct FlagRange {
  long double lo = 0;
  long double hi = 0;
  bool lo_exclusive = false;  // "above lo" rather than "lo to hi"
  std::string accepted;       // what the error line says is accepted
};

// Registers `range` for the flag named `name` (static initialisation time;
// one range per flag).
class FlagRangeRegistrar {
 public:
  FlagRangeRegistrar(const char* name, long double lo, long double hi);
  // `accepted` replaces the generated "lo to hi" (units, or an exclusive
  // lower bound).
  FlagRangeRegistrar(const char* name, long double lo, long double hi, bool lo_exclusive,
                     const char* accepted);
};

// The range registered for `name`, or nullptr.
const FlagRange* FindFlagRange(absl::string_view name);

// Whether `value` (a flag's CurrentValue(), so already of the flag's type)
// is inside `range`.
bool InFlagRange(const FlagRange& range, absl::string_view value);

}  // namespace thp

// Inclusive lo..hi, said as "lo to hi".
#define THP_FLAG_RANGE(name, lo, hi) \
  static const ::thp::FlagRangeRegistrar thp_flag_range_##name(#name, lo, hi)
// With the error's own words for what is accepted.
#define THP_FLAG_RANGE_SAID(name, lo, hi, lo_exclusive, accepted) \
  static const ::thp::FlagRangeRegistrar thp_flag_range_##name(#name, lo, hi, lo_exclusive, accepted)

#endif  // THP_BENCH_HARNESS_FLAG_RANGE_H_
