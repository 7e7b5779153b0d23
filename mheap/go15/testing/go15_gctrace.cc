#include "mheap/go15/testing/go15_gctrace.h"

#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace thp {
namespace {

// Milliseconds as gctrace prints them ("0.11", "136"), in nanoseconds.
bool Ms(absl::string_view s, int64_t* ns) {
  double ms = 0;
  if (!absl::SimpleAtod(s, &ms)) return false;
  *ns = std::llround(ms * 1e6);
  return true;
}

}  // namespace

bool ParseGo15GcLine(absl::string_view line, Go15GcLine* out) {
  const size_t at = line.find("gc ");
  if (at == absl::string_view::npos) return false;
  line.remove_prefix(at + 3);
  Go15GcLine g;
  const size_t sp = line.find(' ');
  if (sp == absl::string_view::npos || !absl::SimpleAtoi(line.substr(0, sp), &g.n)) return false;
  const size_t from = line.find("%: ");
  const size_t to = line.find(" ms clock");
  if (from == absl::string_view::npos || to == absl::string_view::npos || to < from) return false;
  const std::vector<absl::string_view> terms =
      absl::StrSplit(line.substr(from + 3, to - from - 3), '+');
  if (terms.size() != 5 || !Ms(terms[0], &g.sweep_term_ns) || !Ms(terms[1], &g.scan_ns) ||
      !Ms(terms[2], &g.install_wb_ns) || !Ms(terms[3], &g.mark_ns) ||
      !Ms(terms[4], &g.mark_term_ns)) {
    return false;
  }
  g.forced = absl::EndsWith(absl::StripTrailingAsciiWhitespace(line), "(forced)");
  *out = g;
  return true;
}

}  // namespace thp
