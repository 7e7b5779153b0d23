#include "runtime_port/kernel/kernel_profile.h"

#include "absl/strings/str_cat.h"

namespace thp {

KernelProfile Linux6Profile() {
  KernelProfile p;
  p.name = "linux6";
  return p;
}

KernelProfile Linux2015Profile() {
  KernelProfile p;
  p.name = "linux2015";
  p.reflag_is_einval = true;
  p.has_collapse = false;
  p.anon_merge_2015 = true;
  p.process_madvise_self = false;
  return p;
}

absl::StatusOr<KernelProfile> KernelProfileByName(absl::string_view name) {
  if (name == "linux6") return Linux6Profile();
  if (name == "linux2015") return Linux2015Profile();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown kernel profile \"", name, "\" (accepted: linux6, linux2015)"));
}

}  // namespace thp
