// heap_log_cut: the first part of a heap-event log (tools/go151/FORMAT.md),
// ended where a benchmark begins, as a complete log of its own: every record
// before the cut, then an `end` record. What testdata keeps of a recording
// too large to commit whole; a replay of the part makes the same decisions
// as the whole log's replay up to the cut, because nothing before it depends
// on what follows.
//
//   heap_log_cut --before=BenchmarkMatmult IN OUT
//
// The cut falls at the first bench_start of that benchmark (name with or
// without "-<procs>"), or, if a heap bracket (alloc ... alloc_done,
// scavenge ... scavenge_done) is open there, right after it closes, so the
// part keeps the reader's structure rules. The output is raw; compress it
// with xz. A log that fails to read, a benchmark that is not in it, or bad
// usage is one line naming the file, exit 2 (bad input, as in every driver);
// then no OUT is left behind.
#include <cstdio>
#include <memory>
#include <string>
#include <variant>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bench/harness/cli.h"
#include "mheap/go15/events/byte_io.h"
#include "mheap/go15/events/heap_event_log.h"
#include "runtime_port/base/quote.h"

ABSL_FLAG(std::string, before, "", "the benchmark at whose start the log is cut");

namespace thp {
namespace {

using heaplog::Kind;

bool IsBenchmark(const heaplog::HeapEvent& e, const std::string& name) {
  const auto* b = std::get_if<heaplog::BenchStart>(&e.body);
  return b != nullptr && (b->name == name || absl::StartsWith(b->name, name + "-"));
}

// One line, the partial OUT removed, exit 2.
int Fail(const std::string& out, const std::string& what) {
  std::remove(out.c_str());
  std::fprintf(stderr, "heap_log_cut: %s\n", what.c_str());
  return 2;
}

int Run(const std::string& in, const std::string& out, const std::string& before) {
  absl::StatusOr<std::unique_ptr<heaplog::HeapEventReader>> reader =
      heaplog::HeapEventReader::Open(in);
  // The reader's open errors name the file; its format errors do not.
  if (!reader.ok()) {
    const absl::string_view why = reader.status().message();
    ExitUsage(absl::StrContains(why, in) ? std::string(why) : absl::StrCat(in, ": ", why));
  }
  absl::StatusOr<std::unique_ptr<heaplog::FileSink>> sink = heaplog::FileSink::Create(out);
  if (!sink.ok()) ExitUsage(sink.status().message());
  heaplog::HeapEventWriter writer(sink->get());
  heaplog::HeapEvent e;
  bool cutting = false;  // the benchmark has begun; stop once no bracket is open
  bool in_bracket = false;
  int64_t last_ns = 0;
  uint64_t kept = 0;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    if (!more.ok()) return Fail(out, absl::StrCat(in, ": ", more.status().message()));
    if (!*more) return Fail(out, absl::StrCat(in, ": no benchmark ", QuoteForError(before), " before the log's end"));
    if (!cutting && IsBenchmark(e, before)) cutting = true;
    if (cutting && !in_bracket) break;
    switch (e.kind()) {
      case Kind::kAlloc:
      case Kind::kScavenge:
        in_bracket = true;
        break;
      case Kind::kAllocDone:
      case Kind::kScavengeDone:
        in_bracket = false;
        break;
      default:
        break;
    }
    if (absl::Status s = writer.Write(e); !s.ok()) return Fail(out, absl::StrCat(out, ": ", s.message()));
    last_ns = e.time_ns;
    ++kept;
  }
  heaplog::HeapEvent end;
  end.time_ns = last_ns;
  end.body = heaplog::End{};
  if (absl::Status s = writer.Write(end); !s.ok()) return Fail(out, absl::StrCat(out, ": ", s.message()));
  if (absl::Status s = (*sink)->Close(); !s.ok()) return Fail(out, absl::StrCat(out, ": ", s.message()));
  std::fprintf(stderr, "heap_log_cut: kept %llu records (%llu bytes) before %s\n",
               static_cast<unsigned long long>(kept),
               static_cast<unsigned long long>(writer.offset()), before.c_str());
  return 0;
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  std::vector<std::string> args = thp::ParseFlagsOrExit(
      argc, argv, "heap_log_cut --before=NAME IN OUT", /*allow_positional=*/true);
  if (args.size() != 2) thp::ExitUsage("want IN and OUT");
  const std::string before = absl::GetFlag(FLAGS_before);
  if (before.empty()) thp::ExitUsage("--before: expected a benchmark name, e.g. BenchmarkMatmult");
  return thp::Run(args[0], args[1], before);
}
