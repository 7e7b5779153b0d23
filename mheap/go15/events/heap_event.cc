#include "mheap/go15/events/heap_event.h"

#include <array>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace thp {
namespace heaplog {
namespace {

template <size_t... I>
constexpr std::array<absl::string_view, kNumKinds> KindNames(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, EventBody>::kName...};
}
constexpr std::array<absl::string_view, kNumKinds> kKindNames =
    KindNames(std::make_index_sequence<kNumKinds>());

template <size_t I>
bool Emplace(size_t index, EventBody* body) {
  if constexpr (I < kNumKinds) {
    static_assert(static_cast<size_t>(std::variant_alternative_t<I, EventBody>::kKind) == I + 1,
                  "EventBody's alternatives must be in Kind order");
    if (index == I) {
      body->emplace<I>();
      return true;
    }
    return Emplace<I + 1>(index, body);
  } else {
    return false;
  }
}

}  // namespace

absl::string_view Name(AllocCaller v) {
  switch (v) {
    case AllocCaller::kSmall: return "small";
    case AllocCaller::kLarge: return "large";
    case AllocCaller::kStack: return "stack";
  }
  return "?";
}

absl::string_view Name(FreeWhy v) {
  switch (v) {
    case FreeWhy::kCentral: return "central";
    case FreeWhy::kLarge: return "large";
    case FreeWhy::kStack: return "stack";
    case FreeWhy::kGrow: return "grow";
    case FreeWhy::kTrim: return "trim";
  }
  return "?";
}

absl::string_view Name(GcMode v) {
  switch (v) {
    case GcMode::kBackground: return "background";
    case GcMode::kForce: return "force";
    case GcMode::kForceBlock: return "force_block";
  }
  return "?";
}

absl::string_view Name(LostReason v) {
  switch (v) {
    case LostReason::kBufferFullBeforeOpen: return "buffer_full_before_open";
  }
  return "?";
}

absl::string_view KindName(Kind kind) {
  const size_t i = static_cast<size_t>(kind);
  return i >= 1 && i <= kNumKinds ? kKindNames[i - 1] : absl::string_view();
}

bool MakeBody(uint8_t kind, EventBody* body) {
  if (kind < 1 || kind > kNumKinds) return false;
  return Emplace<0>(kind - 1u, body);
}

std::string BenchBaseName(const std::string& printed, uint64_t procs) {
  const std::string suffix = absl::StrCat("-", procs);
  if (procs > 0 && absl::EndsWith(printed, suffix)) {
    return printed.substr(0, printed.size() - suffix.size());
  }
  return printed;
}

}  // namespace heaplog
}  // namespace thp
