// Readers for /proc/<pid>/maps and /proc/<pid>/smaps.
//
// The real kernel's VMA list is the ground truth of this project, so the
// parsers are strict: a line they cannot read is an error naming the line,
// never a silently skipped VMA. They take text so tests can feed recorded
// files from testdata/ (read with runtime_port/base/file_io.h). Bounds: a
// line is at most kMaxProcLineBytes, a count fits its type (a kB figure
// whose byte count would wrap is refused); a CRLF line end reads as LF.
#ifndef THP_RUNTIME_PORT_KERNEL_PROC_MAPS_H_
#define THP_RUNTIME_PORT_KERNEL_PROC_MAPS_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

// A maps line is an address range, four short fields and a path of at most
// PATH_MAX (4096) bytes, which the kernel may show with a byte as four
// ("\012" for a newline): 17 KiB and the fields fit in 32 KiB.
inline constexpr size_t kMaxProcLineBytes = 32768;

struct MapsEntry {
  uintptr_t start = 0;
  uintptr_t end = 0;
  std::string perms;  // "rw-p"
  std::string name;   // "[heap]", a path, or empty for anonymous memory
};

struct SmapsEntry {
  MapsEntry maps;
  uint64_t rss_bytes = 0;
  uint64_t anon_huge_bytes = 0;
  HugeFlag huge = HugeFlag::kNone;  // from VmFlags "hg" / "nh"
};

absl::StatusOr<std::vector<MapsEntry>> ParseMaps(absl::string_view text);
absl::StatusOr<std::vector<SmapsEntry>> ParseSmaps(absl::string_view text);

// mm->map_count as vm.max_map_count sees it: entries minus the [vsyscall]
// gate area, which /proc lists but which is not a VMA of the process.
int64_t MapCountOf(const std::vector<MapsEntry>& entries);

// Counts the lines of a maps text and whether one is [vsyscall], without
// building entries (fast path for large processes).
int64_t MapCountOfText(absl::string_view text);

// Prot of a perms string ("rw-p" -> kReadWrite).
Prot ProtOfPerms(absl::string_view perms);

// The text of /sys/kernel/mm/transparent_hugepage/enabled ("always
// [madvise] never"): the bracketed mode. `path` names the file in errors.
absl::StatusOr<ThpMode> ParseThpMode(absl::string_view path, absl::string_view text);

// The text of /proc/sys/vm/max_map_count: one integer, 0 to INT_MAX (the
// sysctl is an int), optionally followed by a newline.
absl::StatusOr<int64_t> ParseMaxMapCount(absl::string_view path, absl::string_view text);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_PROC_MAPS_H_
