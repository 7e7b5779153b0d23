#include "bench/harness/heap_choice.h"

#include "absl/strings/str_cat.h"
#include "bench/harness/cli.h"
#include "runtime_port/base/quote.h"

namespace thp {

HeapChoice HeapChoiceOrExit(absl::string_view value) {
  HeapChoice c;
  if (value == "auto") return c;
  if (!ParseHeapKind(value, &c.kind)) {
    ExitUsage(absl::StrCat("--heap=", QuoteForError(value), ": expected auto, go15 or go121"));
  }
  c.automatic = false;
  return c;
}

void CheckHeapsOrExit(const HeapChoice& choice, const std::vector<std::string>& variants) {
  for (const std::string& v : variants) {
    if (v == "fixed_batched" && choice.For(v) == HeapKind::kGo121) {
      ExitUsage(
          "--heap=go121: variant fixed_batched batches the DONTNEEDs of a Go 1.5 scavenge pass, "
          "which the Go 1.21 heap does not have (use --heap=auto or go15 for it)");
    }
  }
}

}  // namespace thp
