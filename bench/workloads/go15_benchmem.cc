#include "bench/workloads/go15_benchmem.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "mheap/go15/msize.h"
#include "mheap/go15/sudog_cache.h"

namespace thp {
namespace {

constexpr uint64_t kPageBytes = 8192;

struct Tally {
  double mallocs = 0;
  double bytes = 0;
  double gos = 0;
  void Add(const TraceEvent& e, double times) {
    if (e.kind == TraceEvent::kAlloc && e.bytes > 0) {
      mallocs += times;
      bytes += times * static_cast<double>(GoTotalAllocBytes(e));
    }
    if (e.kind == TraceEvent::kSudog) {  // as if both caches were empty
      mallocs += times;
      bytes += times * static_cast<double>(kSudogBytes);
    }
    if (e.kind == TraceEvent::kGo) gos += times;
  }
};

bool ParseInt(absl::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const std::string copy(s);
  char* end = nullptr;
  *out = std::strtoll(copy.c_str(), &end, 10);
  return end != nullptr && *end == '\0';
}

}  // namespace

absl::StatusOr<std::map<std::string, GoBenchmem>> ParseGoBenchmem(absl::string_view text) {
  std::map<std::string, GoBenchmem> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, "Benchmark")) continue;
    const std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.size() < 3) continue;
    std::string name(f[0]);
    if (const size_t dash = name.rfind('-');
        dash != std::string::npos && dash + 1 < name.size() &&
        name.find_first_not_of("0123456789", dash + 1) == std::string::npos) {
      name.resize(dash);
    }
    GoBenchmem g;
    bool have_bytes = false, have_allocs = false;
    if (!ParseInt(f[1], &g.n) || g.n <= 0) continue;
    for (size_t i = 2; i < f.size(); ++i) {
      if (f[i] == "B/op") have_bytes = ParseInt(f[i - 1], &g.bytes_per_op);
      if (f[i] == "allocs/op") have_allocs = ParseInt(f[i - 1], &g.allocs_per_op);
    }
    if (have_bytes && have_allocs) out[name] = g;
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        "no benchmark line with B/op and allocs/op (expected -test.benchmem output)");
  }
  return out;
}

uint64_t GoTotalAllocBytes(const TraceEvent& alloc) {
  if (alloc.bytes == 0) return 0;
  if (alloc.noscan && alloc.bytes < kTinySize) return kTinySize;
  if (alloc.bytes <= kMaxSmallSize) return GetSizeClasses().RoundUpSize(alloc.bytes);
  return (alloc.bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
}

ModelBenchmem CountBenchmem(const RunProgram& prog) {
  Tally setup, body;
  bool body_reads = false;
  for (const TraceEvent& e : prog.body) body_reads |= e.kind == TraceEvent::kReadMemStats;
  if (!body_reads) {
    size_t from = 0;
    for (size_t i = 0; i < prog.setup.size(); ++i) {
      if (prog.setup[i].kind == TraceEvent::kReadMemStats) from = i + 1;
    }
    for (size_t i = from; i < prog.setup.size(); ++i) setup.Add(prog.setup[i], 1);
  }
  const double iterations = static_cast<double>(prog.iterations);
  bool timed = !body_reads;
  for (const TraceEvent& e : prog.body) {
    if (e.kind == TraceEvent::kReadMemStats) timed = !timed;
    if (timed) body.Add(e, iterations);
  }
  const double n = static_cast<double>(prog.n);
  ModelBenchmem m;
  m.allocs_per_op = (setup.mallocs + body.mallocs) / n;
  m.bytes_per_op = (setup.bytes + body.bytes) / n;
  m.gos_per_op = (setup.gos + body.gos) / n;
  m.setup_bytes_per_op = setup.bytes / n;
  return m;
}

ModelBenchmem ModelBenchmemOf(const Go15Benchmark& bench, int64_t n, int gomaxprocs) {
  RunContext ctx;
  ctx.n = n;
  ctx.gomaxprocs = gomaxprocs;
  RunBuilder builder(ctx);
  bench.generate(builder);
  return CountBenchmem(builder.Build(bench.name, 1.0));
}

}  // namespace thp
