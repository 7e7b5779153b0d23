// Which memory-layer variants a driver runs: its --variants list checked
// against the kernel it will run on, shared by vma_repro, thp_bloat and
// thp_cost so that a name means the same thing everywhere.
#ifndef THP_BENCH_HARNESS_VARIANT_CHOICE_H_
#define THP_BENCH_HARNESS_VARIANT_CHOICE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "bench/harness/kernel_choice.h"

namespace thp {

struct SkippedVariant {
  std::string name;
  std::string reason;
};

struct VariantSet {
  std::vector<std::string> run;  // in the list's order (the table's for a set)
  std::vector<SkippedVariant> skipped;
};

// What happens to a named variant the kernel cannot run (try_collapse on
// Linux, collapse on the 2015 profile).
enum class UnsupportedVariant { kExit, kSkip };

// `list` is --variants: comma-separated names, or with `allow_sets` "go"
// (every variant mirroring a Go release; this project's own, BeyondGo(),
// are skipped) or "all". An unknown name is one line and exit status 2. A
// variant `kernel` cannot run exits 2 under kExit and is skipped with the
// reason under kSkip; the sets always skip it. A list naming nothing at all
// exits 2.
VariantSet VariantsOrExit(const KernelChoice& kernel, absl::string_view list, bool allow_sets,
                          UnsupportedVariant unsupported);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_VARIANT_CHOICE_H_
