#include "bench/harness/fixed_layout.h"

#include <malloc.h>
#include <sys/personality.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace thp {

void ReexecWithFixedLayout(int /*argc*/, char** argv) {
  const int current = personality(0xffffffff);
  if (current == -1 || (current & ADDR_NO_RANDOMIZE) != 0) return;
  if (personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE) == -1) {
    std::fprintf(stderr, "notice: cannot fix the address-space layout (%s); VMA counts may vary "
                 "by one or two between runs\n", std::strerror(errno));
    return;
  }
  execv("/proc/self/exe", argv);
  std::fprintf(stderr, "notice: re-exec for a fixed layout failed (%s); VMA counts may vary "
               "by one or two between runs\n", std::strerror(errno));
}

void ReserveOwnHeap() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
  void* p = std::malloc(size_t{512} << 20);
  std::free(p);
}

}  // namespace thp
