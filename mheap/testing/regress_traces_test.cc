// Every testdata/traces/regress_*.trace (a failure mheap_fuzz printed, or a
// bug class written down by hand), replayed on both heaps under every
// mem_linux variant each runs, with the fuzzer's checks after every event
// (checked_replay.h). A broken check prints the trace up to the failing event and aborts, which
// fails the test.
#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "mheap/testing/checked_replay.h"
#include "runtime_port/base/file_io.h"

namespace thp {
namespace {

std::vector<std::string> RegressTraces(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (absl::StartsWith(name, "regress_") && absl::EndsWith(name, ".trace")) {
      names.push_back(name);
    }
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(RegressTraces, EveryOneRunsCleanOnEveryHeapAndVariant) {
  const std::string dir = "testdata/traces";
  const std::vector<std::string> names = RegressTraces(dir);
  ASSERT_GE(names.size(), 1u) << "no regress_*.trace in " << dir;
  for (const std::string& name : names) {
    absl::StatusOr<std::string> text = ReadWholeFile(dir + "/" + name);
    ASSERT_TRUE(text.ok()) << text.status();
    absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(*text);
    ASSERT_TRUE(events.ok()) << name << ": " << events.status();
    for (const auto& [heap, variant] : CheckedReplayConfigs()) {
      const std::string summary = ReplayChecked(*events, heap, variant);
      std::fprintf(stderr, "%s on %s under %s: %zu events: %s\n", name.c_str(),
                   std::string(HeapKindName(heap)).c_str(), variant.c_str(), events->size(),
                   summary.c_str());
    }
  }
}

}  // namespace
}  // namespace thp
