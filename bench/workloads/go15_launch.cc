#include "bench/workloads/go15_launch.h"

#include <string>

#include "absl/container/flat_hash_map.h"

namespace thp {
namespace {

TraceEvent LaunchEvent(TraceEvent::Kind kind) {
  TraceEvent e{};
  e.kind = kind;
  e.id = kLaunchGoroutineId;
  e.p = kLaunchP;
  return e;
}

// From here to the table's end: tools/go151/launch_table.py on
// testdata/go151_stacks/summary.tsv (launch_stacks.py on stacks.txt.xz).
constexpr uint64_t kUseAtRunGc = 1496;
constexpr uint64_t kUseInStopTimer = 1024;
constexpr uint64_t kFixedStackBytes = 2048;

}  // namespace

const LaunchStack& Go151LaunchStack(absl::string_view benchmark) {
  static const auto* const kTable = new absl::flat_hash_map<std::string, LaunchStack>{
      {"BenchmarkCopy1Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy2Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy4Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy8Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy12Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy16Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy32Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy128Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy1024Byte", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopySlice
      {"BenchmarkCopy1String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy2String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy4String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy8String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy12String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy16String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy32String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy128String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopy1024String", {kUseAtRunGc, 8192, kUseInStopTimer}},  // benchmarkCopyStr
      {"BenchmarkCopyFat1024", {kUseAtRunGc, 4096, kUseInStopTimer}},  // BenchmarkCopyFat1024
  };
  static const LaunchStack kFits{kUseAtRunGc, kFixedStackBytes, kUseInStopTimer};
  auto it = kTable->find(benchmark);
  return it == kTable->end() ? kFits : it->second;
}

TraceEvent LaunchStartEvent() { return LaunchEvent(TraceEvent::kGo); }

TraceEvent LaunchUseEvent(uint64_t bytes) {
  TraceEvent e = LaunchEvent(TraceEvent::kGoUse);
  e.bytes = bytes;
  return e;
}

TraceEvent LaunchExitEvent() { return LaunchEvent(TraceEvent::kGoExit); }

}  // namespace thp
