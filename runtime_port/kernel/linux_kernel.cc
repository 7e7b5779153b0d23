#include "runtime_port/kernel/linux_kernel.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/proc_maps.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
// x86-64 numbers, for C libraries older than the calls.
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

namespace thp {
namespace {

int ProtBits(Prot prot) {
  switch (prot) {
    case Prot::kNone: return PROT_NONE;
    case Prot::kRead: return PROT_READ;
    case Prot::kReadWrite: return PROT_READ | PROT_WRITE;
  }
  return PROT_NONE;
}

std::vector<SmapsEntry> ReadSmapsOrDie() {
  absl::StatusOr<std::string> text = ReadWholeFile("/proc/self/smaps");
  THP_CHECK(text.ok(), std::string(text.status().message()));
  absl::StatusOr<std::vector<SmapsEntry>> entries = ParseSmaps(*text);
  THP_CHECK(entries.ok(), std::string(entries.status().message()));
  return *std::move(entries);
}

// This process's pidfd and which advices process_madvise takes on it.
struct SelfMadvise {
  static constexpr int kUnprobed = -1;
  std::mutex mu;
  int pidfd = -1;  // -1: not open (yet, or again after a fork)
  std::array<int, kNumAdvices> refused;  // 0, an errno, or kUnprobed

  SelfMadvise() { refused.fill(kUnprobed); }
};

SelfMadvise& Self() {
  static SelfMadvise* self = [] {
    auto* s = new SelfMadvise;
    // The child of a fork inherits the descriptor, which still names the
    // parent: process_madvise on it would advise the parent's memory (or be
    // refused as a remote DONTNEED). Only the forking thread runs in the
    // child, so no lock is needed here.
    pthread_atfork(nullptr, nullptr, [] {
      SelfMadvise& c = Self();
      if (c.pidfd >= 0) close(c.pidfd);
      c.pidfd = -1;
    });
    return s;
  }();
  return *self;
}

// The pidfd of this process, or minus the errno of pidfd_open.
int SelfPidfdLocked(SelfMadvise& s) {
  if (s.pidfd < 0) {
    const long fd = syscall(SYS_pidfd_open, getpid(), 0u);
    if (fd < 0) return -errno;
    s.pidfd = static_cast<int>(fd);
  }
  return s.pidfd;
}

// The pidfd to batch `advice` on, or minus the errno with which the kernel
// refuses that (probed once per advice: an empty vector reaches every check
// of the call but no range).
int SelfBatchPidfd(Advice advice) {
  SelfMadvise& s = Self();
  std::lock_guard<std::mutex> lock(s.mu);
  const int fd = SelfPidfdLocked(s);
  if (fd < 0) return fd;
  int& refused = s.refused[static_cast<int>(advice)];
  if (refused == SelfMadvise::kUnprobed) {
    struct iovec none[1];
    refused = syscall(SYS_process_madvise, fd, none, size_t{0}, LinuxAdvice(advice), 0u) == 0
                  ? 0
                  : errno;
  }
  return refused == 0 ? fd : -refused;
}

}  // namespace

bool LinuxKernel::Supports(Advice advice) const {
  // MADV_TRY_COLLAPSE was proposed in 2024 and never merged.
  return advice != Advice::kTryCollapse;
}

MmapResult LinuxKernel::Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) {
  int mflags = MAP_PRIVATE | MAP_ANONYMOUS;
  if (flags & kMapFixed) mflags |= MAP_FIXED;
  if (flags & kMapNoReserve) mflags |= MAP_NORESERVE;
  void* p = mmap(reinterpret_cast<void*>(hint), len, ProtBits(prot), mflags, -1, 0);
  if (p == MAP_FAILED) return MmapResult{0, errno};
  return MmapResult{reinterpret_cast<uintptr_t>(p), 0};
}

int LinuxKernel::Munmap(uintptr_t addr, uintptr_t len) {
  return munmap(reinterpret_cast<void*>(addr), len) == 0 ? 0 : errno;
}

int LinuxKernel::Madvise(uintptr_t addr, uintptr_t len, Advice advice) {
  return madvise(reinterpret_cast<void*>(addr), len, LinuxAdvice(advice)) == 0 ? 0 : errno;
}

BatchResult LinuxKernel::MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) {
  const int pidfd = SelfBatchPidfd(advice);
  if (pidfd < 0) {
    BatchResult r = Kernel::MadviseBatch(ranges, advice);
    r.refused = -pidfd;
    return r;
  }
  const int linux_advice = LinuxAdvice(advice);
  return DriveVectoredMadvise(ranges, [&](const AddressRange* rs, size_t n) -> int64_t {
    struct iovec iov[kMaxIovecs];
    for (size_t j = 0; j < n; ++j) {
      iov[j].iov_base = reinterpret_cast<void*>(rs[j].lo);
      iov[j].iov_len = rs[j].hi - rs[j].lo;
    }
    const long ret = syscall(SYS_process_madvise, pidfd, iov, n, linux_advice, 0u);
    return ret >= 0 ? ret : -errno;
  });
}

int LinuxKernel::Touch(uintptr_t addr, uintptr_t len) {
  return madvise(reinterpret_cast<void*>(addr), len, MADV_POPULATE_WRITE) == 0 ? 0 : errno;
}

bool LinuxKernel::RangeUnmapped(uintptr_t addr, uintptr_t len) {
  // Like Go's addrspace_free: one page at a time, because mincore reports
  // ENOMEM if any page is unmapped and we need all of them to be.
  unsigned char vec = 0;
  for (uintptr_t off = 0; off < len; off += kOsPageSize) {
    uintptr_t chunk = len - off < kOsPageSize ? len - off : kOsPageSize;
    if (mincore(reinterpret_cast<void*>(addr + off), chunk, &vec) == 0 || errno != ENOMEM) {
      return false;
    }
  }
  return true;
}

std::vector<Vma> LinuxKernel::Vmas(uintptr_t lo, uintptr_t hi) {
  std::vector<Vma> out;
  for (const SmapsEntry& e : ReadSmapsOrDie()) {
    if (e.maps.end <= lo || e.maps.start >= hi) continue;
    out.push_back(Vma{e.maps.start, e.maps.end, ProtOfPerms(e.maps.perms), e.huge});
  }
  return out;
}

int64_t LinuxKernel::MapCount() { return TallyVmas({}).map_count; }

namespace {

// "start-end ..." of one maps line, in hex.
bool ParseMapsRange(absl::string_view line, uintptr_t* start, uintptr_t* end) {
  const size_t dash = line.find('-');
  const size_t space = line.find(' ');
  if (dash == absl::string_view::npos || space == absl::string_view::npos || space < dash) {
    return false;
  }
  uint64_t a = 0, b = 0;
  if (!absl::SimpleHexAtoi(line.substr(0, dash), &a) ||
      !absl::SimpleHexAtoi(line.substr(dash + 1, space - dash - 1), &b)) {
    return false;
  }
  *start = static_cast<uintptr_t>(a);
  *end = static_cast<uintptr_t>(b);
  return true;
}

}  // namespace

VmaTally LinuxKernel::TallyVmas(const std::vector<AddressRange>& ranges) {
  // Streams /proc/self/maps through a fixed buffer: at the VMA limit the
  // process cannot get new memory, and this count is what must still be
  // reported then. Lines are processed whole; a partial line at the end of
  // a read is carried to the next one.
  static char buf[1 << 16];
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  THP_CHECK(fd >= 0, absl::StrCat("open /proc/self/maps: errno ", errno));
  VmaTally t;
  size_t have = 0;
  auto line_done = [&](absl::string_view line) {
    if (absl::EndsWith(line, "[vsyscall]")) return;
    ++t.map_count;
    uintptr_t start = 0, end = 0;
    THP_CHECK(ParseMapsRange(line, &start, &end),
              absl::StrCat("unreadable /proc/self/maps line: ", line));
    // The first range ending after `start`; the VMA overlaps it if it
    // starts before the VMA ends.
    auto it = std::upper_bound(ranges.begin(), ranges.end(), start,
                               [](uintptr_t a, const AddressRange& r) { return a < r.hi; });
    if (it != ranges.end() && it->lo < end) ++t.in_ranges;
  };
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    THP_CHECK(n >= 0, absl::StrCat("read /proc/self/maps: errno ", errno));
    if (n == 0) break;
    have += static_cast<size_t>(n);
    size_t from = 0;
    for (size_t i = 0; i < have; ++i) {
      if (buf[i] != '\n') continue;
      line_done(absl::string_view(buf + from, i - from));
      from = i + 1;
    }
    THP_CHECK(from > 0 || have < sizeof buf, "a /proc/self/maps line longer than the buffer");
    std::memmove(buf, buf + from, have - from);
    have -= from;
  }
  if (have > 0) line_done(absl::string_view(buf, have));
  close(fd);
  return t;
}

namespace {

// The Linux 6.7 and 6.11 uapi (include/uapi/linux/fs.h) that Debian's
// linux-libc-dev 6.1 lacks, written out.
struct PageRegion {
  uint64_t start;
  uint64_t end;
  uint64_t categories;
};
struct PmScanArg {
  uint64_t size;
  uint64_t flags;
  uint64_t start;
  uint64_t end;
  uint64_t walk_end;
  uint64_t vec;
  uint64_t vec_len;
  uint64_t max_pages;
  uint64_t category_inverted;
  uint64_t category_mask;
  uint64_t category_anyof_mask;
  uint64_t return_mask;
};
struct ProcmapQuery {
  uint64_t size;
  uint64_t query_flags;
  uint64_t query_addr;
  uint64_t vma_start;
  uint64_t vma_end;
  uint64_t vma_flags;
  uint64_t vma_page_size;
  uint64_t vma_offset;
  uint64_t inode;
  uint32_t dev_major;
  uint32_t dev_minor;
  uint32_t vma_name_size;
  uint32_t build_id_size;
  uint64_t vma_name_addr;
  uint64_t build_id_addr;
};
static_assert(sizeof(PmScanArg) == 96 && sizeof(ProcmapQuery) == 104, "uapi layout");
constexpr unsigned long kPagemapScan = _IOWR('f', 16, PmScanArg);
constexpr unsigned long kProcmapQuery = _IOWR('f', 17, ProcmapQuery);
constexpr uint64_t kPageIsPresent = 1 << 3;
constexpr uint64_t kPageIsPfnZero = 1 << 5;
constexpr uint64_t kPageIsHuge = 1 << 6;
constexpr uint64_t kProcmapCoveringOrNext = 0x10;

}  // namespace

LinuxKernel::~LinuxKernel() {
  if (maps_fd_ >= 0) close(maps_fd_);
  if (pagemap_fd_ >= 0) close(pagemap_fd_);
}

Residency LinuxKernel::ResidencyOf(uintptr_t lo, uintptr_t hi) {
  if (std::optional<Residency> r = ResidencyByScan(lo, hi)) return *r;
  return ResidencyBySmaps(lo, hi);
}

std::optional<Residency> LinuxKernel::ResidencyByScan(uintptr_t lo, uintptr_t hi) {
  // PAGEMAP_SCAN takes whole pages only; mincore counts the whole pages
  // inside an unaligned range, which smaps' path keeps.
  if (scan_unsupported_ || lo % kOsPageSize != 0 || hi % kOsPageSize != 0) return std::nullopt;
  if (maps_fd_ < 0) {
    maps_fd_ = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    pagemap_fd_ = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (maps_fd_ < 0 || pagemap_fd_ < 0) {
      scan_unsupported_ = true;
      return std::nullopt;
    }
  }
  Residency r;
  std::array<PageRegion, 512> vec;
  // Scans [from, to) for pages with all of `want` (and none of `refuse`),
  // returning their bytes; false if the ioctl is refused.
  auto scan = [&](uint64_t from, uint64_t to, uint64_t want, uint64_t refuse,
                  uint64_t* bytes) {
    while (from < to) {
      PmScanArg arg{};
      arg.size = sizeof arg;
      arg.start = from;
      arg.end = to;
      arg.vec = reinterpret_cast<uint64_t>(vec.data());
      arg.vec_len = vec.size();
      arg.category_inverted = refuse;
      arg.category_mask = want | refuse;
      arg.return_mask = want;
      const long n = ioctl(pagemap_fd_, kPagemapScan, &arg);
      if (n < 0) return false;
      for (long i = 0; i < n; ++i) *bytes += vec[static_cast<size_t>(i)].end - vec[static_cast<size_t>(i)].start;
      if (arg.walk_end <= from) return false;  // no progress: not the ioctl we know
      from = arg.walk_end;
    }
    return true;
  };
  uint64_t at = lo;
  while (at < hi) {
    ProcmapQuery q{};
    q.size = sizeof q;
    q.query_flags = kProcmapCoveringOrNext;
    q.query_addr = at;
    if (ioctl(maps_fd_, kProcmapQuery, &q) != 0) {
      if (errno == ENOENT) break;  // no VMA at or above `at`
      scan_unsupported_ = true;
      return std::nullopt;
    }
    if (q.vma_start >= hi) break;
    const uint64_t from = std::max<uint64_t>(q.vma_start, lo);
    const uint64_t to = std::min<uint64_t>(q.vma_end, hi);
    if (!scan(from, to, kPageIsPresent, 0, &r.resident_bytes) ||
        (q.inode == 0 && q.dev_major == 0 && q.dev_minor == 0 &&
         !scan(q.vma_start, q.vma_end, kPageIsPresent | kPageIsHuge, kPageIsPfnZero,
               &r.anon_huge_bytes))) {
      scan_unsupported_ = true;
      return std::nullopt;
    }
    at = q.vma_end;
  }
  return r;
}

Residency LinuxKernel::ResidencyBySmaps(uintptr_t lo, uintptr_t hi) {
  Residency r;
  std::vector<unsigned char> vec;
  for (const SmapsEntry& e : ReadSmapsOrDie()) {
    if (e.maps.end <= lo || e.maps.start >= hi) continue;
    r.anon_huge_bytes += e.anon_huge_bytes;
    // Resident pages of exactly [lo, hi), from mincore over the mapped parts.
    uintptr_t s = e.maps.start > lo ? e.maps.start : lo;
    uintptr_t end = e.maps.end < hi ? e.maps.end : hi;
    constexpr uintptr_t kChunk = uintptr_t{1} << 30;
    for (uintptr_t a = s; a < end; a += kChunk) {
      uintptr_t n = end - a < kChunk ? end - a : kChunk;
      vec.assign(n / kOsPageSize, 0);
      int rc = mincore(reinterpret_cast<void*>(a), n, vec.data());
      THP_CHECK(rc == 0, absl::StrCat("mincore failed: errno ", errno));
      for (unsigned char b : vec) r.resident_bytes += (b & 1) ? kOsPageSize : 0;
    }
  }
  return r;
}

uint64_t LinuxKernel::ResidentBytes(uintptr_t lo, uintptr_t hi) {
  if (hi <= lo) return 0;
  const uintptr_t s = RoundDown(lo, kOsPageSize);
  const uintptr_t e = RoundUp(hi, kOsPageSize);
  if (s != lo || e != hi) return ResidencyOf(lo, hi).resident_bytes;
  // Most calls are one 2 MiB region: 512 bytes of vector on the stack.
  unsigned char small[512];
  std::vector<unsigned char> big;
  const size_t pages = (e - s) / kOsPageSize;
  unsigned char* vec = small;
  if (pages > sizeof small) {
    big.assign(pages, 0);
    vec = big.data();
  }
  if (mincore(reinterpret_cast<void*>(s), e - s, vec) != 0) {
    THP_CHECK(errno == ENOMEM, absl::StrCat("mincore failed: errno ", errno));
    return ResidencyOf(lo, hi).resident_bytes;
  }
  uint64_t bytes = 0;
  for (size_t i = 0; i < pages; ++i) bytes += (vec[i] & 1) ? kOsPageSize : 0;
  return bytes;
}

absl::StatusOr<ThpMode> ReadThpMode() {
  static constexpr char kPath[] = "/sys/kernel/mm/transparent_hugepage/enabled";
  absl::StatusOr<std::string> text = ReadWholeFile(kPath);
  if (!text.ok()) return text.status();
  return ParseThpMode(kPath, *text);
}

absl::StatusOr<int64_t> ReadMaxMapCount() {
  static constexpr char kPath[] = "/proc/sys/vm/max_map_count";
  absl::StatusOr<std::string> text = ReadWholeFile(kPath);
  if (!text.ok()) return text.status();
  return ParseMaxMapCount(kPath, *text);
}

}  // namespace thp
