#include "runtime_port/memstream/player.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/quote.h"

namespace thp {

absl::StatusOr<bool> ApplyMemRecord(const MemRecord& r, MemLinux& mem) {
  uint64_t sys_stat = 0;  // the heap's statistics are not replayed
  switch (r.kind) {
    case MemRecord::kSysAlloc: {
      const uintptr_t p = mem.SysAlloc(r.len, &sys_stat);
      if (p != r.result) {
        return absl::FailedPreconditionError(absl::StrFormat(
            "replay diverged: sysAlloc(%d) got %#x here, %#x in the recorded heap run", r.len, p,
            r.result));
      }
      return true;
    }
    case MemRecord::kSysReserve: {
      bool reserved = false;
      const uintptr_t p = mem.SysReserve(r.addr, r.len, &reserved);
      if (p != r.result || (p != 0 && reserved != r.flag)) {
        return absl::FailedPreconditionError(absl::StrFormat(
            "replay diverged: sysReserve(%#x, %d) got %#x (reserved %d) here, %#x (reserved %d) "
            "in the recorded heap run",
            r.addr, r.len, p, reserved, r.result, r.flag));
      }
      return true;
    }
    case MemRecord::kSysMap:
      mem.SysMap(r.addr, r.len, r.flag, &sys_stat);
      return true;
    case MemRecord::kSysUnused:
      mem.SysUnused(r.addr, r.len);
      return true;
    case MemRecord::kSysUsed:
      mem.SysUsed(r.addr, r.len);
      return true;
    case MemRecord::kSysFree:
      sys_stat = r.len;
      mem.SysFree(r.addr, r.len, &sys_stat);
      return true;
    case MemRecord::kSysFault:
      mem.SysFault(r.addr, r.len);
      return true;
    case MemRecord::kHeapGrown:
      mem.HeapGrown(r.addr, r.len);
      return true;
    case MemRecord::kChunkDense:
      mem.ChunkBecameDense(r.addr, r.len);
      return true;
    case MemRecord::kChunkScavenge:
      mem.BeforeChunkScavenge(r.addr);
      return true;
    case MemRecord::kPassBegin:
      mem.BeginScavengePass();
      return true;
    case MemRecord::kPassEnd:
      mem.EndScavengePass();
      return true;
    case MemRecord::kTouch: {
      // As the runtime's span hand-out checks its touch (mheap/go15/runtime.cc).
      const int err = mem.Touch(r.addr, r.len);
      THP_CHECK(err == 0, absl::StrFormat("touching span [%#x, %#x): %s", r.addr,
                                          r.addr + r.len, ErrnoName(err)));
      return true;
    }
    case MemRecord::kAt:
    case MemRecord::kBench:
    case MemRecord::kRun:
    case MemRecord::kRunEnd:
    case MemRecord::kSample:
    case MemRecord::kGctrace:
    case MemRecord::kEnd:
      return false;
    case MemRecord::kGo121Heap:
    case MemRecord::kSysAllocOS:
    case MemRecord::kSysFreeOS:
    case MemRecord::kSysUsedPrepared:
    case MemRecord::kSysHugePage:
    case MemRecord::kSysNoHugePage:
      return absl::FailedPreconditionError(absl::StrCat(
          "\"", FormatMemRecord(r), "\": a Go 1.21 heap's record (mheap/go121/stream_player.h)"));
  }
  return false;
}

absl::StatusOr<MemStreamReader> MemStreamReader::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  MemStreamReader reader(f, path);
  if (!reader.ReadLine() || reader.line_buf_ != kMemStreamHeader) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a memory-layer stream (its first line must be \"",
                     kMemStreamHeader, "\")"));
  }
  return reader;
}

MemStreamReader::MemStreamReader(MemStreamReader&& other) noexcept
    : f_(other.f_), path_(std::move(other.path_)), line_(other.line_),
      line_buf_(std::move(other.line_buf_)) {
  other.f_ = nullptr;
}

MemStreamReader::~MemStreamReader() {
  if (f_ != nullptr) std::fclose(f_);
}

bool MemStreamReader::ReadLine() {
  line_buf_.clear();
  int c = 0;
  bool any = false;
  while ((c = getc_unlocked(f_)) != EOF) {
    any = true;
    if (c == '\n') return true;
    line_buf_.push_back(static_cast<char>(c));
    // Past the bound the line is refused: stop reading (a line may never
    // end, as /dev/zero's).
    if (line_buf_.size() > kMaxMemStreamLineBytes) return true;
  }
  return any;
}

absl::StatusOr<MemRecord> MemStreamReader::Next() {
  if (!ReadLine()) return absl::NotFoundError(absl::StrCat(path_, ": end of stream"));
  ++line_;
  const absl::string_view text = line_buf_;
  if (text.size() > kMaxMemStreamLineBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ":", line_, ": longer than ",
                                                   kMaxMemStreamLineBytes, " bytes: ",
                                                   QuoteForError(text)));
  }
  absl::StatusOr<MemRecord> r = ParseMemRecord(text);
  if (!r.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ":", line_, ": ", r.status().message()));
  }
  return r;
}

}  // namespace thp
