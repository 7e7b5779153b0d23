// bench/pessimal: how much heap a variant can have before the kernel's VMA
// limit stops it, on the real or the simulated kernel.
//
//   bazel run -c opt //bench:pessimal -- --variant=prefix --kernel=linux
//       [--heap=auto|go15|go121]
//
// --heap picks the ported heap the pattern drives, as in vma_repro,
// thp_bloat and thp_cost (bench/harness/heap_choice.h): auto, the default,
// is the variant's own (DefaultHeapOf: go121 for hugepage_eager, collapse,
// try_collapse and disablethp, go15 for the others). On go15 the pattern is
// bench/pessimal/pessimal_pattern.h (Go 1.5's arena, the memory layer driven
// directly); on go121 it is pessimal_go121.h (the Go 1.21 page heap, page
// allocator and scavenger driven through their own calls).
//
// Prints one line (bench/report/pessimal_report.h); vmas is the kernel's
// map_count (/proc/self/maps lines minus [vsyscall]).
// Progress goes to stderr unless --quiet. Never changes sysctl settings.
// Exit status 0; 1 when the heap throws at the limit: the limit is below the
// process's own VMAs, so that the arena reservation itself is refused (Go
// 1.5's mallocinit throws; the line says limit_heap_bytes=0), or, on go121,
// a growth's mmap is refused (sysMapOS throws "runtime: out of memory"; the
// line says where); 2 for bad input.
// Runs with address-space randomisation off for itself (see fixed_layout.h),
// so the numbers are the same run after run and the simulated kernel's
// automatic baseline equals the real process's own VMA count.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/flag_range.h"
#include "bench/harness/heap_choice.h"
#include "bench/harness/kernel_choice.h"
#include "bench/pessimal/pessimal_go121.h"
#include "bench/pessimal/pessimal_pattern.h"
#include "bench/report/pessimal_report.h"
#include "mheap/go121/mem_linux.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/mem_linux/mem_linux.h"

ABSL_FLAG(std::string, variant, "prefix",
          "memory-layer variant: none, prefix, fixed, hugepage_eager, collapse, try_collapse, "
          "disablethp");
ABSL_FLAG(std::string, heap, "auto",
          "the ported heap: auto (the variant's own), go15 or go121");
ABSL_FLAG(uint64_t, max_heap, uint64_t{256} << 30,
          "stop without a limit once the pattern covers this many arena bytes");
THP_FLAG_RANGE_SAID(max_heap, uint64_t{4} << 20, uint64_t{512} << 30, false,
                    "4194304 to 549755813888 bytes, 4 MiB to 512 GiB (Go 1.5's arena limit)");
ABSL_FLAG(bool, quiet, false, "no progress lines on stderr");

namespace {

struct Run {
  thp::PessimalResult result;
  std::string counters;  // the memory layer's counter summary
};

}  // namespace

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ReserveOwnHeap();
  thp::ParseFlagsOrExit(argc, argv,
                        "Drives the worst-case heap pattern for a variant until the kernel "
                        "refuses a VMA split.\n  pessimal --variant=prefix --kernel=linux|sim "
                        "[--heap=auto|go15|go121] [--kernel_profile=linux6|linux2015]");
  const thp::KernelChoice choice = thp::KernelChoiceFromFlags();
  std::unique_ptr<thp::Kernel> kernel = thp::MakeKernelOrExit(choice);
  const std::string variant = absl::GetFlag(FLAGS_variant);
  const thp::HeapChoice heap_choice = thp::HeapChoiceOrExit(absl::GetFlag(FLAGS_heap));
  thp::CheckHeapsOrExit(heap_choice, {variant});
  const thp::HeapKind heap = heap_choice.For(variant);
  const std::string heap_name(thp::HeapKindName(heap));
  const uint64_t max_heap = absl::GetFlag(FLAGS_max_heap);

  const bool quiet = absl::GetFlag(FLAGS_quiet);
  const absl::Time start = absl::Now();
  auto progress = [&](uint64_t bytes) {
    if (!quiet) {
      std::fprintf(stderr, "pessimal: %s on %s (%s heap): %.1f GiB covered (%.1fs)\n",
                   variant.c_str(), choice.kernel.c_str(), heap_name.c_str(),
                   bytes / double(uint64_t{1} << 30), absl::ToDoubleSeconds(absl::Now() - start));
    }
  };
  auto line = [&](const thp::PessimalResult& r) {
    return thp::PessimalLine(variant, heap_name, choice.kernel, choice.profile, r);
  };
  Run run;
  if (heap == thp::HeapKind::kGo121) {
    thp::go121::MemOptions options;
    options.map_noreserve = true;
    absl::StatusOr<std::unique_ptr<thp::go121::MemLinux>> mem =
        thp::go121::NewMemLinux(*kernel, variant, options);
    thp::ExitIfError(mem.status());
    run.result = thp::RunPessimalGo121(**mem, max_heap, progress, [&](const thp::PessimalResult& r) {
      // The heap threw (its "fatal error:" line is on stderr already): the
      // line still says where the limit stopped it; exit 1, a Go fatal error.
      std::printf("%s\n", line(r).c_str());
      std::fflush(stdout);
      std::exit(1);
    });
    run.counters = (*mem)->counters().Summary();
  } else {
    thp::MemLinuxOptions options;
    options.map_noreserve = true;
    absl::StatusOr<std::unique_ptr<thp::MemLinux>> mem =
        thp::NewMemLinux(*kernel, variant, options);
    thp::ExitIfError(mem.status());
    run.result = thp::RunPessimal(**mem, max_heap, progress);
    run.counters = (*mem)->counters().Summary();
  }
  const thp::PessimalResult& r = run.result;
  if (r.reserve_failed) {
    // As Go 1.5's mallocinit throws when it cannot reserve the arena; the
    // line below still says where the limit stopped it (at no heap at all).
    std::fprintf(stderr, "fatal error: runtime: cannot reserve arena virtual address space "
                         "(map_count %lld at the limit)\n",
                 static_cast<long long>(r.vmas));
  }
  std::printf("%s\n", line(r).c_str());
  if (!quiet) {
    std::fprintf(stderr, "pessimal: %s; %s in %.2fs\n", run.counters.c_str(),
                 absl::StrFormat("unit %d KiB", r.unit / 1024).c_str(),
                 absl::ToDoubleSeconds(absl::Now() - start));
  }
  return r.reserve_failed ? 1 : 0;
}
