// Fuzz target for the text formats a user hands the drivers: heap-event
// traces (trace_format.h) and recorded benchmark timings
// (bench_schedule.h), and the address maps a driver's child hands its
// parent (bench/report/address_map.h). The first input byte picks the
// parser (0 or 2 mod 4: trace, 1: timings, 3: address maps), the rest is
// the file. Any input must parse or fail with one line of bounded length
// (CheckOneLineError); never crash or run unbounded (the fuzz build
// runs under ASan, and libFuzzer's -timeout catches a hang). A trace that
// parses must print back, event by event, to lines that parse to the same
// event; address maps that parse must print back to text that parses to
// the same text again, and draw (RenderAddressMapsSvg) without failing.
// Kept inputs live in testdata/fuzz/text_formats/ and are replayed by
// text_formats_fuzz_regression_test on every test run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "bench/report/address_map.h"
#include "bench/workloads/bench_schedule.h"
#include "bench/workloads/trace_format.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  thp::AbortOnFailedCheck();
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 4 == 3) {
    absl::StatusOr<std::vector<thp::AddressMap>> maps = thp::ParseAddressMaps(text);
    thp::CheckOneLineError(maps.status());
    if (!maps.ok()) return 0;
    for (const thp::AddressMap& m : *maps) {
      const std::string once = thp::SerializeAddressMap(m);
      absl::StatusOr<thp::AddressMap> again = thp::ParseAddressMap(once);
      THP_CHECK(again.ok(), "a parsed address map prints to text that parses");
      THP_CHECK(thp::SerializeAddressMap(*again) == once, "and prints the same again");
    }
    (void)thp::RenderAddressMapsSvg(*maps, "fuzz");
  } else if (data[0] % 2 == 0) {
    absl::StatusOr<std::vector<thp::TraceEvent>> events = thp::ParseTrace(text);
    thp::CheckOneLineError(events.status());
    if (!events.ok()) return 0;
    for (const thp::TraceEvent& e : *events) {
      const std::string line = thp::FormatTraceEvent(e);
      bool is_event = false;
      absl::StatusOr<thp::TraceEvent> again = thp::ParseTraceLine(line, e.line, &is_event);
      THP_CHECK(again.ok() && is_event, "a parsed event prints to a line that parses");
      THP_CHECK(thp::FormatTraceEvent(*again) == line, "and prints the same again");
    }
  } else {
    absl::StatusOr<std::vector<thp::RecordedBenchmark>> timings = thp::ParseBenchTimings(text);
    thp::CheckOneLineError(timings.status());
  }
  return 0;
}
