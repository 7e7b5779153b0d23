#include "bench/workloads/go15_bench_setup.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "bench/workloads/go15_launch.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

// The objects that outlive the set-up, by their place in a bank.
enum Held : uint64_t { kChan, kB, kBenchName, kPrintfInt, kPrintfString, kSprintfString, kSprintfInt };
constexpr uint64_t kBankSize = 8;

uint64_t IdOf(size_t nth, Held h) { return kBenchSetupIdBase + (nth % 2) * kBankSize + h; }

TraceEvent Alloc(uint64_t id, uint64_t bytes, bool noscan) {
  return AllocEvent(id, bytes, noscan, kLaunchP);
}

}  // namespace

std::vector<TraceEvent> Go151BenchSetupEvents(size_t nth, absl::string_view name, int procs) {
  THP_CHECK(nth >= 1, "the first benchmark's set-up is in the startup heap");
  THP_CHECK(procs >= 1, "the set-up needs GOMAXPROCS >= 1");
  const bool previous = nth >= 2;
  auto id = [nth](Held h) { return IdOf(nth, h); };
  auto previous_id = [nth](Held h) { return IdOf(nth - 1, h); };
  std::vector<TraceEvent> out;
  // b := &B{common: common{signal: make(chan interface{})}, ...}
  out.push_back(Alloc(id(kChan), kHchanBytes, /*noscan=*/true));
  out.push_back(Alloc(id(kB), kTestingBBytes, /*noscan=*/false));
  if (previous) {
    out.push_back(DropEvent(previous_id(kChan)));
    out.push_back(DropEvent(previous_id(kB)));
  }
  // benchName := benchmarkName(Benchmark.Name, procs)
  if (procs != 1) {
    out.push_back(Alloc(id(kSprintfString), kStringBoxBytes, /*noscan=*/false));
    out.push_back(Alloc(id(kSprintfInt), kIntBoxBytes, /*noscan=*/true));
    const std::string suffixed = absl::StrCat(name, "-", procs);
    out.push_back(Alloc(id(kBenchName), suffixed.size(), /*noscan=*/true));
    out.push_back(DropEvent(id(kSprintfString)));
    out.push_back(DropEvent(id(kSprintfInt)));
    if (previous) out.push_back(DropEvent(previous_id(kBenchName)));
  }
  // fmt.Printf("%-*s\t", maxlen, benchName)
  out.push_back(Alloc(id(kPrintfInt), kIntBoxBytes, /*noscan=*/true));
  out.push_back(Alloc(id(kPrintfString), kStringBoxBytes, /*noscan=*/false));
  if (previous) {
    out.push_back(DropEvent(previous_id(kPrintfInt)));
    out.push_back(DropEvent(previous_id(kPrintfString)));
  }
  return out;
}

}  // namespace thp
