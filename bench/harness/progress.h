// Progress lines on stderr while a driver runs, one format for all:
// "<tool>: [<variant>] <what> (<seconds>s)", the seconds of wall time since
// the Progress was made; nothing at all under --quiet. It mirrors no Go code.
#ifndef THP_BENCH_HARNESS_PROGRESS_H_
#define THP_BENCH_HARNESS_PROGRESS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace thp {

class Progress {
 public:
  Progress(std::string tool, std::string variant, bool quiet);
  void Line(absl::string_view what) const;

 private:
  std::string tool_;
  std::string variant_;
  bool quiet_;
  absl::Time start_;
};

}  // namespace thp

#endif  // THP_BENCH_HARNESS_PROGRESS_H_
