#include "bench/harness/flag_range.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace thp {
namespace {

std::map<std::string, FlagRange, std::less<>>& Ranges() {
  static auto* ranges = new std::map<std::string, FlagRange, std::less<>>();
  return *ranges;
}

void Register(const char* name, FlagRange range) {
  if (!Ranges().emplace(name, std::move(range)).second) {
    // A programming error, found at start-up of the binary that has it.
    std::fprintf(stderr, "internal error: two ranges for flag --%s\n", name);
    std::abort();
  }
}

// An integral bound printed without a fraction or an exponent.
std::string Bound(long double v) {
  if (v == static_cast<long double>(static_cast<unsigned long long>(v)) && v >= 0) {
    return absl::StrCat(static_cast<unsigned long long>(v));
  }
  if (v == static_cast<long double>(static_cast<long long>(v))) {
    return absl::StrCat(static_cast<long long>(v));
  }
  return absl::StrCat(static_cast<double>(v));
}

}  // namespace

FlagRangeRegistrar::FlagRangeRegistrar(const char* name, long double lo, long double hi) {
  Register(name, FlagRange{lo, hi, false, absl::StrCat(Bound(lo), " to ", Bound(hi))});
}

FlagRangeRegistrar::FlagRangeRegistrar(const char* name, long double lo, long double hi,
                                       bool lo_exclusive, const char* accepted) {
  Register(name, FlagRange{lo, hi, lo_exclusive, accepted});
}

const FlagRange* FindFlagRange(absl::string_view name) {
  auto it = Ranges().find(name);
  return it == Ranges().end() ? nullptr : &it->second;
}

bool InFlagRange(const FlagRange& range, absl::string_view value) {
  // Integers are compared exactly (a uint64 beyond 2^53 must not round into
  // range); anything else, as the number it is.
  long double v;
  int64_t i;
  uint64_t u;
  double d;
  if (absl::SimpleAtoi(value, &i)) {
    v = i;
  } else if (absl::SimpleAtoi(value, &u)) {
    v = u;
  } else if (absl::SimpleAtod(value, &d)) {
    v = d;
  } else {
    return false;
  }
  if (v != v) return false;  // NaN
  const bool above_lo = range.lo_exclusive ? v > range.lo : v >= range.lo;
  return above_lo && v <= range.hi;
}

}  // namespace thp
