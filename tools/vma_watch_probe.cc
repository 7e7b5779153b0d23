// The program vma_watch_test watches: a known sequence of VMA changes,
// including a peak that lasts only between two system calls.
//
// It maps 18 pages PROT_NONE and makes the middle 16 writable (the guard
// pages keep the mapping from merging with a neighbour: 3 VMAs), then
// (1) makes page 5 read-only (+2 VMAs), (2) makes it writable again (the
// three merge back: -2), (3) marks pages 9..10 MADV_NOHUGEPAGE (+2, kept),
// (4) unmaps all 18 pages (5 VMAs). It prints its own map_count before step
// 1 so the test can check vma_watch's numbers exactly.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

int main() {
  const long page = sysconf(_SC_PAGESIZE);
  char* p = static_cast<char*>(
      mmap(nullptr, 18 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (p == MAP_FAILED) return 1;
  if (mprotect(p + page, 16 * page, PROT_READ | PROT_WRITE) != 0) return 1;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int count = 0;
  while (std::getline(maps, line)) {
    if (line.find("[vsyscall]") == std::string::npos) ++count;
  }
  std::printf("baseline=%d\n", count);
  std::fflush(stdout);
  if (mprotect(p + 5 * page, page, PROT_READ) != 0) return 1;
  if (mprotect(p + 5 * page, page, PROT_READ | PROT_WRITE) != 0) return 1;
  if (madvise(p + 9 * page, 2 * page, MADV_NOHUGEPAGE) != 0) return 1;
  if (munmap(p, 18 * page) != 0) return 1;
  return 3;  // an exit status vma_watch must report, not adopt
}
