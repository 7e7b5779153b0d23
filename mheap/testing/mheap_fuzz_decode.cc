// Prints the trace mheap_fuzz decodes from each input file (its heap and
// variant in a comment), so a kept fuzz input can be read, or kept as a
// testdata/traces/regress_<name>.trace:
//   bazel run //mheap/testing:mheap_fuzz_decode -- "$PWD"/testdata/fuzz/mheap/seed_loops
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "mheap/testing/checked_replay.h"
#include "mheap/testing/fuzz_trace_decoder.h"
#include "runtime_port/base/file_io.h"

int main(int argc, char** argv) {
  using namespace thp;
  if (argc < 2) {
    std::fprintf(stderr, "usage: mheap_fuzz_decode <fuzz input>...\n");
    return 2;
  }
  const std::vector<std::pair<HeapKind, std::string>> configs = CheckedReplayConfigs();
  for (int i = 1; i < argc; ++i) {
    absl::StatusOr<std::string> bytes = ReadWholeFile(argv[i]);
    if (!bytes.ok()) {
      std::fprintf(stderr, "mheap_fuzz_decode: cannot read \"%s\" (%s)\n", argv[i],
                   std::string(bytes.status().message()).c_str());
      return 2;
    }
    if (bytes->empty()) continue;
    const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
    const std::vector<TraceEvent> events =
        DecodeFuzzTrace(data + 1, bytes->size() - 1, kCheckedReplayGomaxprocs);
    const auto& [heap, variant] = configs[data[0] % configs.size()];
    std::printf("# %s: heap %s, variant %s, GOMAXPROCS %d\n%s", argv[i],
                std::string(HeapKindName(heap)).c_str(), variant.c_str(), kCheckedReplayGomaxprocs,
                TraceText(events, events.size()).c_str());
  }
  return 0;
}
