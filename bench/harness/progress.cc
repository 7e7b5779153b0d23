#include "bench/harness/progress.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace thp {

Progress::Progress(std::string tool, std::string variant, bool quiet)
    : tool_(std::move(tool)), variant_(std::move(variant)), quiet_(quiet), start_(absl::Now()) {}

void Progress::Line(absl::string_view what) const {
  if (quiet_) return;
  absl::FPrintF(stderr, "%s: [%s] %s (%.1fs)\n", tool_, variant_, what,
                absl::ToDoubleSeconds(absl::Now() - start_));
}

}  // namespace thp
