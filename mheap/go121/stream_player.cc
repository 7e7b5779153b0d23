#include "mheap/go121/stream_player.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

absl::StatusOr<bool> ApplyMemRecord(const MemRecord& r, MemLinux& mem) {
  uint64_t sys_stat = 0;  // the heap's statistics are not replayed
  auto diverged = [&r](absl::string_view call, uintptr_t got) {
    return absl::FailedPreconditionError(
        absl::StrFormat("replay diverged: %s(%#x, %d) got %#x here, %#x in the recorded heap run",
                        call, r.addr, r.len, got, r.result));
  };
  switch (r.kind) {
    case MemRecord::kSysAllocOS: {
      const uintptr_t p = mem.SysAllocOS(r.len);
      if (p != r.result) return diverged("sysAllocOS", p);
      return true;
    }
    case MemRecord::kSysReserve: {
      const uintptr_t p = mem.SysReserve(r.addr, r.len);
      if (p != r.result) return diverged("sysReserve", p);
      return true;
    }
    case MemRecord::kSysMap:
      mem.SysMap(r.addr, r.len, &sys_stat);
      return true;
    case MemRecord::kSysUnused:
      mem.SysUnused(r.addr, r.len);
      return true;
    case MemRecord::kSysUsedPrepared:
      mem.SysUsed(r.addr, r.len, r.result);
      return true;
    case MemRecord::kSysFreeOS:
      mem.SysFreeOS(r.addr, r.len);
      return true;
    case MemRecord::kSysHugePage:
    case MemRecord::kSysNoHugePage: {
      if (r.result >= static_cast<uint64_t>(kNumAdviceSites)) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", FormatMemRecord(r), "\": no such advice site"));
      }
      const AdviceSite site = static_cast<AdviceSite>(r.result);
      if (r.kind == MemRecord::kSysHugePage) {
        mem.SysHugePage(r.addr, r.len, site);
      } else {
        mem.SysNoHugePage(r.addr, r.len, site);
      }
      return true;
    }
    case MemRecord::kHeapGrown:
      mem.HeapGrown(r.addr, r.len);
      return true;
    case MemRecord::kChunkDense:
      mem.ChunkBecameDense(r.addr, r.len);
      return true;
    case MemRecord::kChunkScavenge:
      mem.BeforeChunkScavenge(r.addr);
      return true;
    case MemRecord::kTouch: {
      // As the runtime's span hand-out checks its touch (runtime.cc).
      const int err = mem.Touch(r.addr, r.len);
      THP_CHECK(err == 0, absl::StrFormat("touching span [%#x, %#x): errno %d", r.addr,
                                          r.addr + r.len, err));
      return true;
    }
    case MemRecord::kSysAlloc:
    case MemRecord::kSysUsed:
    case MemRecord::kSysFree:
    case MemRecord::kSysFault:
    case MemRecord::kPassBegin:
    case MemRecord::kPassEnd:
      return absl::FailedPreconditionError(absl::StrCat(
          "\"", FormatMemRecord(r), "\": a Go 1.5 heap's record in a Go 1.21 heap's stream"));
    case MemRecord::kGo121Heap:
    case MemRecord::kAt:
    case MemRecord::kBench:
    case MemRecord::kRun:
    case MemRecord::kRunEnd:
    case MemRecord::kSample:
    case MemRecord::kGctrace:
    case MemRecord::kEnd:
      return false;
  }
  return false;
}

}  // namespace go121
}  // namespace thp
