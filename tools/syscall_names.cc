#include "tools/syscall_names.h"

#include <string.h>
#include <sys/mman.h>

#include "absl/strings/str_cat.h"

namespace thp {

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

std::string AdviceName(int64_t advice) {
  switch (advice) {
    case MADV_NORMAL: return "NORMAL";
    case MADV_DONTNEED: return "DONTNEED";
    case MADV_FREE: return "FREE";
    case MADV_HUGEPAGE: return "HUGEPAGE";
    case MADV_NOHUGEPAGE: return "NOHUGEPAGE";
    case MADV_COLLAPSE: return "COLLAPSE";
    default: return absl::StrCat("advice", advice);
  }
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? std::string(name) : absl::StrCat("errno", err);
}

std::string MadviseKey(int64_t advice, int64_t ret) {
  const bool failed = ret < 0 && ret > -4096;
  return failed ? absl::StrCat(AdviceName(advice), "/", ErrnoName(static_cast<int>(-ret)))
                : AdviceName(advice);
}

}  // namespace thp
