// Names of the memory-management system calls and madvise advice values
// that vma_watch and vma_peak report, shared so both tools print the same
// keys (e.g. "madvise{NOHUGEPAGE=9753 NOHUGEPAGE/ENOMEM=239}").
#ifndef THP_TOOLS_SYSCALL_NAMES_H_
#define THP_TOOLS_SYSCALL_NAMES_H_

#include <cstdint>
#include <string>

namespace thp {

// "DONTNEED", "HUGEPAGE", ...; "advice<n>" for a value without a name.
std::string AdviceName(int64_t advice);

// "ENOMEM", "EINVAL", ...; "errno<n>" for a value without a name.
std::string ErrnoName(int err);

// The key a madvise call is counted under: the advice, and "/<errno>"
// when the call failed (ret is the raw system-call result, -errno on error).
std::string MadviseKey(int64_t advice, int64_t ret);

}  // namespace thp

#endif  // THP_TOOLS_SYSCALL_NAMES_H_
