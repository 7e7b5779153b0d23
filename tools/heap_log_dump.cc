// heap_log_dump: prints a heap-event log (tools/go151/FORMAT.md; raw or
// xz-compressed, "-" for stdin) as text, one line per event
// (mheap/go15/events/event_text.h), so two logs can be compared with diff.
//
//   heap_log_dump [--time=rel|abs|none] [--offsets] [--benchmark=NAME] LOG
//   heap_log_dump --summary LOG     one line per benchmark segment
//
// A log that fails to read prints every event before the bad record, then
// the error on stderr (one line naming the file), and exits 2, as bad usage
// does (bad input: exit 1 is a Go fatal error's, README "Exit statuses").
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bench/harness/cli.h"
#include "mheap/go15/events/benchmark_split.h"
#include "mheap/go15/events/event_text.h"
#include "mheap/go15/events/heap_event_log.h"
#include "runtime_port/base/quote.h"

ABSL_FLAG(std::string, time, "rel",
          "time column: rel (ns since the first record), abs (nanotime), none (for diffs)");
ABSL_FLAG(bool, offsets, false, "prefix each line with the record's byte offset");
ABSL_FLAG(std::string, benchmark, "",
          "print only the events of this benchmark's segment (name with or without -<procs>; "
          "\"(startup)\" for the events before the first benchmark)");
ABSL_FLAG(bool, summary, false, "print one line per benchmark segment instead of the events");

namespace thp {
namespace {

using heaplog::BenchmarkSegment;
using heaplog::Kind;

void PrintSummary(const BenchmarkSegment& s) {
  std::printf(
      "%s procs=%llu offset=%llu start_ns=%lld end_ns=%lld runs=%llu ended=%d n=%llu ns=%lld "
      "alloc=%llu free=%llu grow=%llu scavenge=%llu sys_unused=%llu sys_used=%llu madvise=%llu "
      "gc=%llu\n",
      s.name.c_str(), static_cast<unsigned long long>(s.procs),
      static_cast<unsigned long long>(s.first_offset), static_cast<long long>(s.start_ns),
      static_cast<long long>(s.end_ns), static_cast<unsigned long long>(s.runs), s.ended ? 1 : 0,
      static_cast<unsigned long long>(s.n), static_cast<long long>(s.ns),
      static_cast<unsigned long long>(s.count(Kind::kAlloc)),
      static_cast<unsigned long long>(s.count(Kind::kFree)),
      static_cast<unsigned long long>(s.count(Kind::kGrow)),
      static_cast<unsigned long long>(s.count(Kind::kScavenge)),
      static_cast<unsigned long long>(s.count(Kind::kSysUnused)),
      static_cast<unsigned long long>(s.count(Kind::kSysUsed)),
      static_cast<unsigned long long>(s.count(Kind::kMadvise)),
      static_cast<unsigned long long>(s.count(Kind::kGcStart)));
}

int Run(const std::string& path) {
  heaplog::TimeFormat time;
  if (!heaplog::ParseTimeFormat(absl::GetFlag(FLAGS_time), &time)) {
    ExitUsage(absl::StrCat("--time=", absl::GetFlag(FLAGS_time), " is not one of rel, abs, none"));
  }
  absl::StatusOr<std::unique_ptr<heaplog::HeapEventReader>> reader =
      heaplog::HeapEventReader::Open(path);
  // The reader's open errors name the file; its format errors do not.
  if (!reader.ok()) {
    const absl::string_view why = reader.status().message();
    ExitUsage(absl::StrContains(why, path) ? std::string(why) : absl::StrCat(path, ": ", why));
  }
  const std::string only = absl::GetFlag(FLAGS_benchmark);
  const bool summary = absl::GetFlag(FLAGS_summary);
  const bool offsets = absl::GetFlag(FLAGS_offsets);
  heaplog::BenchmarkTracker tracker;
  heaplog::HeapEvent e;
  bool first = true;
  int64_t base = 0;
  size_t printed = 0;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    if (!more.ok()) {
      std::fflush(stdout);
      // Bad input: what was read is printed, then one line, exit 2.
      std::fprintf(stderr, "heap_log_dump: %s: %s\n", path.c_str(),
                   std::string(more.status().message()).c_str());
      return 2;
    }
    if (!*more) break;
    if (first) base = e.time_ns;
    first = false;
    const size_t seg = tracker.Observe(e);
    if (summary) continue;
    if (!only.empty() && !heaplog::SegmentMatches(tracker.segments()[seg], only)) continue;
    if (offsets) std::printf("%llu ", static_cast<unsigned long long>(e.offset));
    std::puts(heaplog::FormatEvent(e, time, base).c_str());
    ++printed;
  }
  if (summary) {
    for (const BenchmarkSegment& s : tracker.segments()) PrintSummary(s);
  } else if (!only.empty() && printed == 0) {
    std::fprintf(stderr, "heap_log_dump: %s: no benchmark %s\n", path.c_str(),
                 QuoteForError(only).c_str());
    return 2;
  }
  return 0;
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  std::vector<std::string> args = thp::ParseFlagsOrExit(
      argc, argv, "heap_log_dump [--time=rel|abs|none] [--offsets] [--benchmark=NAME] [--summary] LOG",
      /*allow_positional=*/true);
  if (args.size() != 1) thp::ExitUsage("want exactly one log file (\"-\" for stdin)");
  return thp::Run(args[0]);
}
