#include "mheap/go15/testing/stack_copy_runs.h"

#include <cmath>
#include <fstream>
#include <map>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/testing/go15_gctrace.h"

namespace thp {
namespace {

// gc n -> its clock terms, from the file's gc lines.
absl::StatusOr<std::map<uint64_t, Go15GcLine>> ReadGctrace(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::map<uint64_t, Go15GcLine> terms;
  std::string line;
  while (std::getline(in, line)) {
    Go15GcLine g;
    if (ParseGo15GcLine(line, &g)) terms[g.n] = g;
  }
  return terms;
}

}  // namespace

absl::StatusOr<std::vector<StackCopyCycle>> RecordedStackCopyCycles(
    const std::string& gctrace_path, const std::string& log_path) {
  absl::StatusOr<std::map<uint64_t, Go15GcLine>> terms = ReadGctrace(gctrace_path);
  if (!terms.ok()) return terms.status();
  struct Doubling {
    int64_t t;
    uint64_t bytes;
  };
  struct Cycle {
    uint64_t n;
    bool background;
    int64_t start, done;
  };
  std::vector<Doubling> doublings;
  std::vector<Cycle> cycles;
  Cycle open{};
  uint64_t page_shift = heaplog::HeapInit{}.page_shift;  // until the log's heap_init says
  const absl::Status st = heaplog::ForEachHeapEvent(log_path, [&](const heaplog::HeapEvent& e) {
    if (const auto* h = std::get_if<heaplog::HeapInit>(&e.body)) {
      page_shift = h->page_shift;
    } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
      const uint64_t bytes = a->npage << page_shift;
      if (a->caller == heaplog::AllocCaller::kStack && bytes >= kStackCopyMinDoublingBytes) {
        doublings.push_back(Doubling{e.time_ns, bytes});
      }
    } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
      open = Cycle{g->numgc + 1, g->mode == heaplog::GcMode::kBackground, e.time_ns, 0};
    } else if (std::get_if<heaplog::GcDone>(&e.body) != nullptr) {
      open.done = e.time_ns;
      cycles.push_back(open);
    }
  });
  if (!st.ok()) return st;
  std::vector<StackCopyCycle> out;
  for (size_t i = 0; i < cycles.size(); ++i) {
    const Cycle& c = cycles[i];
    const auto it = terms->find(c.n);
    if (!c.background || it == terms->end()) continue;
    StackCopyCycle s;
    s.start_ns = c.start;
    s.sweep_term_ns = it->second.sweep_term_ns;
    s.scan_ns = it->second.scan_ns;
    s.mark_term_ns = it->second.mark_term_ns;
    const int64_t since = i == 0 ? 0 : cycles[i - 1].done;
    const int64_t next_start = i + 1 < cycles.size() ? cycles[i + 1].start : INT64_MAX;
    for (const Doubling& d : doublings) {
      if (d.t > since && d.t <= s.ScanStartNs()) {
        s.doubling_ns = d.t;
        s.doubled_to = d.bytes;
      }
    }
    if (s.doubled_to != 0) {
      for (const Doubling& d : doublings) {
        if (d.t <= s.ScanStartNs()) continue;
        if (d.bytes == 2 * s.doubled_to && d.t < next_start) s.next_doubling_ns = d.t;
        break;
      }
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace thp
