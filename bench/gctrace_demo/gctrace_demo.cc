// bench/gctrace_demo: a small allocation-churning workload run through the
// port under the GODEBUG, GOGC and GOMAXPROCS environment variables, printing
// Go 1.5's trace lines when GODEBUG=gctrace=1.
//
//   GODEBUG=gctrace=1,scavenge=1 bazel run -c opt //bench:gctrace_demo -- --kernel=sim
//
// Each round allocates a burst of 500 objects of mixed sizes on alternating Ps,
// keeps one in eight (at most 400, oldest dropped first), computes for 2 ms and
// sleeps 10 ms (every P idle), like the Goroutine* benchmarks; sysmon runs
// on the virtual clock throughout. The last line on stdout summarises.
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/flag_range.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/runtime_env.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/base/check.h"
#include "scavenger/gctrace.h"
#include "scavenger/scavenger.h"
#include "scavenger/sysmon.h"

ABSL_FLAG(std::string, variant, "fixed", "memory-layer variant (GODEBUG thpvariant= overrides)");
ABSL_FLAG(int, rounds, 40, "burst/compute/sleep rounds to run (1 to 100000)");
THP_FLAG_RANGE(rounds, 1, 100000);

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ParseFlagsOrExit(argc, argv, "Runs a churning workload under GODEBUG/GOGC/GOMAXPROCS.");
  thp::SetThrowExitStatus(1);
  const thp::RuntimeEnv env = thp::RuntimeEnvOrExit(absl::GetFlag(FLAGS_variant));
  const thp::DebugVars* dbg = &env.debug;
  const int rounds = absl::GetFlag(FLAGS_rounds);

  std::unique_ptr<thp::Kernel> kernel = thp::MakeKernelOrExit(thp::KernelChoiceFromFlags());
  const thp::RuntimeOptions& o = env.options;
  thp::VirtualClock clock(1000);
  absl::StatusOr<std::unique_ptr<thp::Runtime>> rt = thp::Runtime::Create(*kernel, clock, o);
  thp::ExitIfError(rt.status());

  const int64_t init_ns = clock.NanoTime();
  thp::GcTraceWriter sink = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  const thp::GcTraceWriter* gctrace = dbg->gctrace > 0 ? &sink : nullptr;
  if (gctrace != nullptr) {
    (*rt)->gc().set_on_cycle([&](const thp::GcCycle& c) {
      std::fprintf(stderr, "%s\n", thp::GcLine(c, init_ns, o.gomaxprocs).c_str());
    });
  }
  thp::SysmonOptions so;
  so.scavenge_debug = env.scavenge_debug;
  thp::Sysmon sysmon(clock.NanoTime(), so);
  bool idle = false;
  int64_t busy_at = 0;
  thp::SysmonActions a;
  a.note_sleep = [&](int64_t, int64_t* b) {
    *b = busy_at;
    return idle;
  };
  a.last_gc = [&] { return (*rt)->gc().last_gc_ns(); };
  a.force_gc = [&] {
    if (gctrace != nullptr) std::fprintf(stderr, "GC forced\n");
    (*rt)->gc().StartGC(thp::GcMode::kBackground, /*force_trigger=*/true);
  };
  a.scavenge = [&](int32_t k, uint64_t now, uint64_t limit) {
    thp::HeapScavenge((*rt)->heap(), k, now, limit, gctrace);
  };
  auto run_until = [&](int64_t t) {
    sysmon.RunUntil(t, a, [&](int64_t now) { clock.Set(now); });
    clock.Set(t);
  };

  std::deque<uintptr_t> kept;
  const uintptr_t sizes[] = {16, 64, 288, 1024, 4096, 20000, 70000, 400000};
  uint64_t allocs = 0;
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; i < 500; ++i) {
      const uintptr_t size = sizes[static_cast<size_t>((i * 7 + r) % 8)];
      absl::StatusOr<uintptr_t> x = (*rt)->Allocate(size, i % 3 == 0, i % o.gomaxprocs);
      thp::ExitIfError(x.status());
      ++allocs;
      if (i % 8 == 1) {
        kept.push_back(*x);
      } else {
        (*rt)->Drop(*x).IgnoreError();
      }
    }
    while (kept.size() > 400) {
      (*rt)->Drop(kept.front()).IgnoreError();
      kept.pop_front();
    }
    (*rt)->gc().BackgroundSweep(1 << 20);  // the other P's background sweeper
    run_until(clock.NanoTime() + 2 * 1000000);
    idle = true;
    busy_at = clock.NanoTime() + 10 * 1000000;
    run_until(busy_at);
    idle = false;
  }
  const thp::MemStats& st = (*rt)->heap().stats();
  std::printf("gctrace_demo variant=%s kernel=%s rounds=%d allocs=%lu gc=%lu scavenges=%d "
              "heap_sys=%lu heap_released=%lu vmas=%ld madvise: %s\n",
              o.variant.c_str(), kernel->Name().data(), rounds,
              static_cast<unsigned long>(allocs), static_cast<unsigned long>(st.numgc),
              sysmon.scavenges(), static_cast<unsigned long>(st.heap_sys),
              static_cast<unsigned long>(st.heap_released), static_cast<long>(kernel->MapCount()),
              (*rt)->mem().counters().Summary().c_str());
  return 0;
}
