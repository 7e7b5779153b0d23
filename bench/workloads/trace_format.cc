#include "bench/workloads/trace_format.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "runtime_port/base/quote.h"

namespace thp {
namespace {

absl::Status LineError(int line_no, absl::string_view line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrFormat("trace line %d: %s: %s", line_no, what, QuoteForError(line)));
}

// a + b, or false if it passes `limit` (both non-negative).
bool AddWithin(int64_t* a, int64_t b, int64_t limit) {
  if (b > limit - *a) return false;
  *a += b;
  return true;
}

// a * b, or false if it passes `limit` (both non-negative).
bool MulWithin(int64_t a, int64_t b, int64_t limit, int64_t* out) {
  if (a != 0 && b > limit / a) return false;
  *out = a * b;
  return true;
}

// A loop's psteal or pstay list: decimal weights, comma separated, that
// StealWeightsOk takes (parsing stops at the first past kMaxStealWeights).
bool ParseStealWeights(absl::string_view text, std::vector<uint64_t>* out) {
  out->clear();
  for (absl::string_view w : absl::StrSplit(text, ',')) {
    uint64_t v = 0;
    if (out->size() == kMaxStealWeights || !absl::SimpleAtoi(w, &v)) return false;
    out->push_back(v);
  }
  return StealWeightsOk(*out);
}

}  // namespace

bool StealWeightsOk(const std::vector<uint64_t>& weights) {
  return !weights.empty() && weights.size() <= kMaxStealWeights &&
         std::all_of(weights.begin(), weights.end(),
                     [](uint64_t w) { return w <= kMaxTraceCount; }) &&
         std::any_of(weights.begin(), weights.end(), [](uint64_t w) { return w != 0; });
}

absl::StatusOr<TraceEvent> ParseTraceLine(absl::string_view line, int line_no, bool* is_event) {
  *is_event = false;
  absl::string_view body = line.substr(0, line.find('#'));
  std::vector<absl::string_view> f = absl::StrSplit(body, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (f.empty()) return TraceEvent{};
  *is_event = true;
  TraceEvent e{};
  auto num = [&](size_t i, uint64_t* out) { return i < f.size() && absl::SimpleAtoi(f[i], out); };
  auto p_of = [&](size_t i, int* out) {
    return i < f.size() && absl::SimpleAtoi(f[i], out) && *out >= 0 && *out <= 255;
  };
  const absl::string_view op = f[0];
  uint64_t v = 0;
  if (op == "alloc") {
    e.kind = TraceEvent::kAlloc;
    // The flags, each at most once, in this order.
    size_t i = 5;
    if (i < f.size() && f[i] == "systemstack") {
      e.system_stack = true;
      ++i;
    }
    if (i < f.size() && f[i] == "writebarrier") {
      e.write_barrier = true;
      ++i;
    }
    if (i < f.size() && f[i] == "finalizer") {
      e.finalizer = true;
      ++i;
    }
    if (i < f.size() && f[i] == "chain") {
      e.chain = true;
      ++i;
    }
    bool work_ok = true;
    if (i < f.size() && f[i] == "work") {
      work_ok = num(i + 1, &e.work) && e.work >= 1 && e.work <= kMaxAllocWork;
      i += 2;
    }
    if (f.size() < 5 || i != f.size() || !work_ok || !num(1, &e.id) || !num(2, &e.bytes) ||
        (f[3] != "scan" && f[3] != "noscan") || !p_of(4, &e.p)) {
      return LineError(line_no, line,
                       "expected alloc <id> <bytes> scan|noscan <p> [systemstack] [writebarrier] "
                       "[finalizer] [chain] [work <units>], units from 1 to 2^32");
    }
    e.noscan = f[3] == "noscan";
  } else if (op == "drop") {
    e.kind = TraceEvent::kDrop;
    if (f.size() != 2 || !num(1, &e.id)) return LineError(line_no, line, "expected drop <id>");
  } else if (op == "stack") {
    e.kind = TraceEvent::kStack;
    if (f.size() != 4 || !num(1, &e.id) || !num(2, &e.bytes) || !p_of(3, &e.p)) {
      return LineError(line_no, line, "expected stack <id> <bytes> <p>");
    }
  } else if (op == "unstack") {
    e.kind = TraceEvent::kUnstack;
    if (f.size() != 3 || !num(1, &e.id) || !p_of(2, &e.p)) {
      return LineError(line_no, line, "expected unstack <id> <p>");
    }
  } else if (op == "sudog" || op == "unsudog") {
    e.kind = op == "sudog" ? TraceEvent::kSudog : TraceEvent::kUnsudog;
    if (f.size() != 3 || !num(1, &e.id) || !p_of(2, &e.p)) {
      return LineError(line_no, line, absl::StrCat("expected ", op, " <id> <p>"));
    }
  } else if (op == "go" || op == "goexit") {
    e.kind = op == "go" ? TraceEvent::kGo : TraceEvent::kGoExit;
    bool work_ok = true;
    if (f.size() >= 4) {
      e.work_stated = true;
      work_ok = f.size() == 5 && f[3] == "work" && num(4, &e.work) && e.work <= kMaxAllocWork;
    }
    if ((f.size() != 3 && f.size() != 5) || !work_ok || !num(1, &e.id) || !p_of(2, &e.p)) {
      return LineError(line_no, line,
                       absl::StrCat("expected ", op, " <id> <p> [work <units>], units from 0 to 2^32"));
    }
  } else if (op == "gogrow") {
    e.kind = TraceEvent::kGoGrow;
    if (f.size() != 4 || !num(1, &e.id) || !num(2, &e.bytes) || !p_of(3, &e.p)) {
      return LineError(line_no, line, "expected gogrow <id> <bytes> <p>");
    }
  } else if (op == "gouse") {
    e.kind = TraceEvent::kGoUse;
    // The options, each at most once, in this order.
    uint64_t ramp = 0;
    size_t i = 4;
    bool ok = f.size() >= 4 && num(1, &e.id) && num(2, &e.bytes) && p_of(3, &e.p);
    if (ok && i < f.size() && f[i] == "ramp") {
      ok = num(i + 1, &ramp) && ramp > 0 && ramp <= static_cast<uint64_t>(kMaxTraceNs);
      i += 2;
    }
    if (ok && i < f.size() && f[i] == "frame") {
      ok = num(i + 1, &e.frame_bytes) && e.frame_bytes > 0 && e.frame_bytes <= kMaxFrameBytes;
      i += 2;
    }
    if (!ok || i != f.size()) {
      return LineError(line_no, line,
                       "expected gouse <id> <bytes> <p> [ramp <ns>] [frame <bytes>], ns from 1 "
                       "to 1e14, frame bytes from 1 to 2^30");
    }
    e.ns = static_cast<int64_t>(ramp);
  } else if (op == "globrunqput") {
    e.kind = TraceEvent::kGlobRunqPut;
    if (f.size() != 2 || !num(1, &e.id) || e.id > kMaxTraceCount) {
      return LineError(line_no, line, "expected globrunqput <n>, n at most 1e11");
    }
  } else if (op == "globrunqget") {
    e.kind = TraceEvent::kGlobRunqGet;
    if (f.size() != 3 || !p_of(1, &e.p) || !num(2, &e.id) || e.id > kMaxTraceCount) {
      return LineError(line_no, line, "expected globrunqget <p> <n>, n at most 1e11");
    }
  } else if (op == "newm") {
    e.kind = TraceEvent::kNewM;
    if (f.size() != 3 || !num(1, &e.id) || e.id < 1 || e.id > kMaxNewMCycle ||
        (f[2] != "start" && f[2] != "end")) {
      return LineError(line_no, line, "expected newm <n> start|end, n from 1 to 1e6");
    }
    e.at_cycle_end = f[2] == "end";
  } else if (op == "retain") {
    e.kind = TraceEvent::kRetain;
    if (f.size() != 2 || !num(1, &e.id)) return LineError(line_no, line, "expected retain <id>");
  } else if (op == "release") {
    // e.id: how many of the retained objects, the last retained first; 0:
    // every one.
    e.kind = TraceEvent::kRelease;
    if (f.size() > 2 || (f.size() == 2 && (!num(1, &e.id) || e.id < 1 || e.id > kMaxTraceCount))) {
      return LineError(line_no, line, "expected release or release <n>, n from 1 to 1e11");
    }
  } else if (op == "gc" || op == "freeosmemory" || op == "readmemstats") {
    e.kind = op == "gc" ? TraceEvent::kGc
             : op == "readmemstats" ? TraceEvent::kReadMemStats
                               : TraceEvent::kFreeOsMemory;
    if (f.size() != 1) return LineError(line_no, line, absl::StrCat("expected ", op, " alone"));
  } else if (op == "compute") {
    e.kind = TraceEvent::kCompute;
    e.no_safe_point = f.size() == 3 && f[2] == "nosafepoint";
    if ((f.size() != 2 && !e.no_safe_point) || !num(1, &v) ||
        v > static_cast<uint64_t>(kMaxTraceNs)) {
      return LineError(line_no, line, "expected compute <ns> [nosafepoint], ns at most 1e14");
    }
    e.ns = static_cast<int64_t>(v);
  } else if (op == "sleep") {
    e.kind = TraceEvent::kSleep;
    if (f.size() != 2 || !num(1, &v) || v > static_cast<uint64_t>(kMaxTraceNs)) {
      return LineError(line_no, line, "expected sleep <ns>, at most 1e14");
    }
    e.ns = static_cast<int64_t>(v);
  } else if (op == "bench") {
    e.kind = TraceEvent::kBench;
    if (f.size() != 3 || !num(2, &e.id) || e.id > kMaxTraceCount) {
      return LineError(line_no, line, "expected bench <name> <n>, n at most 1e11");
    }
    e.name = std::string(f[1]);
  } else if (op == "loop") {
    e.kind = TraceEvent::kLoop;
    // The flags, each at most once, in this order.
    size_t k = 3;
    if (k < f.size() && f[k] == "nosafepoint") {
      e.no_safe_point = true;
      ++k;
    } else if (k < f.size() && f[k] == "allocsafepoints") {
      e.alloc_safe_points = true;
      ++k;
    }
    if (k < f.size() && f[k] == "everypbusy") {
      e.every_p_busy = true;
      ++k;
    }
    bool p_move_ok = true;
    if (k < f.size() && f[k] == "pmove") {
      p_move_ok = k + 1 < f.size() && num(k + 1, &e.p_move) && e.p_move >= 1 &&
                  e.p_move <= kMaxTraceCount;
      k += 2;
      if (p_move_ok && k < f.size() && f[k] == "psteal") {
        p_move_ok = k + 1 < f.size() && ParseStealWeights(f[k + 1], &e.p_steal);
        k += 2;
        if (p_move_ok && k < f.size() && f[k] == "pstay") {
          p_move_ok = k + 1 < f.size() && ParseStealWeights(f[k + 1], &e.p_stay);
          k += 2;
        }
      }
    }
    if (f.size() < 3 || k != f.size() || !p_move_ok || !num(1, &e.id) || e.id > kMaxTraceCount ||
        !num(2, &v) || v > static_cast<uint64_t>(kMaxTraceNs)) {
      return LineError(line_no, line,
                       absl::StrCat("expected loop <iterations> <ns> [nosafepoint|allocsafepoints] "
                                    "[everypbusy] [pmove <k> [psteal <w0>,<w1>,... [pstay <w0>,<w1>,...]]], "
                                    "iterations "
                                    "and k at most 1e11 (k at least 1), ns at most 1e14, 1 to ",
                                    kMaxStealWeights,
                                    " weights of at most 1e11, not all 0"));
    }
    // A loop with safe points only at its allocs has one goroutine, which
    // stays on its P.
    if (e.alloc_safe_points && (e.every_p_busy || e.p_move != 0)) {
      return LineError(line_no, line, "allocsafepoints goes with neither everypbusy nor pmove");
    }
    e.ns = static_cast<int64_t>(v);
  } else if (op == "end") {
    e.kind = TraceEvent::kEnd;
    if (f.size() != 1) return LineError(line_no, line, "expected end alone");
  } else if (op == "move") {
    e.kind = TraceEvent::kMove;
    if (f.size() != 1) return LineError(line_no, line, "expected move alone");
  } else {
    return LineError(line_no, line,
                     "unknown event (accepted: alloc, drop, retain, release, stack, unstack, "
                     "sudog, unsudog, go, gogrow, gouse, goexit, globrunqput, globrunqget, newm, "
                     "gc, freeosmemory, readmemstats, compute, sleep, bench, loop, end, move)");
  }
  return e;
}

absl::StatusOr<std::optional<TraceEvent>> TraceParser::Feed(absl::string_view line) {
  ++line_no_;
  if (line.size() > kMaxTraceLineBytes) {
    return LineError(line_no_, line, absl::StrCat("longer than ", kMaxTraceLineBytes, " bytes"));
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!header_) {
    absl::string_view body = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (body.empty()) return std::nullopt;
    if (body != "thp-trace 1") {
      return LineError(line_no_, line, "expected the header \"thp-trace 1\"");
    }
    header_ = true;
    return std::nullopt;
  }
  bool is_event = false;
  absl::StatusOr<TraceEvent> e = ParseTraceLine(line, line_no_, &is_event);
  if (!e.ok()) return e.status();
  if (!is_event) return std::nullopt;
  e->line = line_no_;
  if (e->kind == TraceEvent::kLoop || e->kind == TraceEvent::kBench) {
    if (loop_line_ != 0) {
      return LineError(line_no_, line,
                       absl::StrCat("inside the loop opened on line ", loop_line_,
                                    " (loops hold no loop or bench lines)"));
    }
    if (e->kind == TraceEvent::kLoop) {
      loop_line_ = line_no_;
      loop_no_safe_point_ = e->no_safe_point;
      loop_alloc_safe_points_ = e->alloc_safe_points;
      loop_p_move_ = e->p_move != 0;
      loop_p_steal_ = !e->p_steal.empty();
      move_line_ = 0;
    }
  } else if (e->kind == TraceEvent::kEnd) {
    if (loop_line_ == 0) return LineError(line_no_, line, "end without a loop");
    loop_line_ = 0;
  } else if (e->kind == TraceEvent::kMove) {
    if (loop_line_ == 0 || !loop_p_move_) {
      return LineError(line_no_, line, "move outside a loop with pmove");
    }
    if (move_line_ != 0) {
      return LineError(line_no_, line,
                       absl::StrCat("a second move in the loop opened on line ", loop_line_,
                                    " (the first on line ", move_line_, ")"));
    }
    if (loop_p_steal_) {
      return LineError(line_no_, line,
                       absl::StrCat("a move in the loop opened on line ", loop_line_,
                                    ", which has psteal (its draws place each move's exits)"));
    }
    move_line_ = line_no_;
  } else if (loop_line_ != 0 && loop_no_safe_point_ && ReachesSafePoint(*e)) {
    return LineError(line_no_, line,
                     absl::StrCat("inside the nosafepoint loop opened on line ", loop_line_,
                                  " (such a loop holds only systemstack allocs, drops, "
                                  "retains, nosafepoint computes and a move: any other event "
                                  "would reach a safe point)"));
  } else if (loop_line_ != 0 && loop_alloc_safe_points_ && ReachesSafePointBetweenAllocs(*e)) {
    return LineError(line_no_, line,
                     absl::StrCat("inside the allocsafepoints loop opened on line ", loop_line_,
                                  " (such a loop holds only allocs, drops, retains and "
                                  "nosafepoint computes: any other event would reach a safe "
                                  "point between its allocs)"));
  }
  // What the line costs once loops are expanded: a loop's iterations each
  // run its body and take its ns; every other line is one event (in a loop,
  // once per iteration, counted at its end).
  const int64_t times = loop_line_ != 0 ? loop_iterations_ : 1;
  bool within = true;
  int64_t product = 0;
  if (e->kind == TraceEvent::kLoop) {
    body_events_ = 0;
    loop_iterations_ = static_cast<int64_t>(e->id);
    within = MulWithin(loop_iterations_, e->ns, kMaxTraceNs, &product) &&
             AddWithin(&virtual_ns_, product, kMaxTraceNs);
  } else if (e->kind == TraceEvent::kEnd) {
    within = MulWithin(loop_iterations_, body_events_, kMaxTraceEvents, &product) &&
             AddWithin(&events_, product, kMaxTraceEvents);
  } else {
    if (loop_line_ != 0) {
      ++body_events_;
    } else {
      within = AddWithin(&events_, 1, kMaxTraceEvents);
    }
    if (within && (e->kind == TraceEvent::kCompute || e->kind == TraceEvent::kSleep)) {
      within = MulWithin(times, e->ns, kMaxTraceNs, &product) &&
               AddWithin(&virtual_ns_, product, kMaxTraceNs);
    }
  }
  if (!within) {
    return LineError(line_no_, line,
                     absl::StrCat("the trace passes its bounds here (at most ", kMaxTraceEvents,
                                  " events and ", kMaxTraceNs,
                                  " ns of virtual time, loops expanded)"));
  }
  return std::optional<TraceEvent>(*std::move(e));
}

absl::Status TraceParser::Finish() const {
  if (!header_) return absl::InvalidArgumentError("trace: empty (no \"thp-trace 1\" header)");
  if (loop_line_ != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace line ", loop_line_, ": loop without an end"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TraceEvent>> ParseTrace(absl::string_view text) {
  std::vector<TraceEvent> out;
  TraceParser parser;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::StatusOr<std::optional<TraceEvent>> e = parser.Feed(line);
    if (!e.ok()) return e.status();
    if (e->has_value()) out.push_back(**std::move(e));
  }
  if (absl::Status st = parser.Finish(); !st.ok()) return st;
  return out;
}

absl::Status ForEachTraceEvent(std::FILE* f, const std::function<absl::Status(TraceEvent&&)>& fn) {
  TraceParser parser;
  std::string line;
  bool done = false;
  while (!done) {
    // One line at a time, without holding more than one: a line longer
    // than the bound fails here as ParseTrace's would.
    line.clear();
    int c = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
      line.push_back(static_cast<char>(c));
      // Past the bound the line is refused: stop reading (a line may never
      // end, as /dev/zero's).
      if (line.size() > kMaxTraceLineBytes) break;
    }
    if (c == EOF) {
      if (std::ferror(f)) return absl::DataLossError("trace: read error");
      done = true;
    }
    absl::StatusOr<std::optional<TraceEvent>> e = parser.Feed(line);
    if (!e.ok()) return e.status();
    if (e->has_value()) {
      if (absl::Status st = fn(**std::move(e)); !st.ok()) return st;
    }
  }
  return parser.Finish();
}

TraceEvent AllocEvent(uint64_t id, uint64_t bytes, bool noscan, int p) {
  TraceEvent e{};
  e.kind = TraceEvent::kAlloc;
  e.id = id;
  e.bytes = bytes;
  e.noscan = noscan;
  e.p = p;
  return e;
}

TraceEvent DropEvent(uint64_t id) {
  TraceEvent e{};
  e.kind = TraceEvent::kDrop;
  e.id = id;
  return e;
}

std::string FormatTraceEvent(const TraceEvent& e) {
  switch (e.kind) {
    case TraceEvent::kAlloc:
      return absl::StrFormat("alloc %d %d %s %d%s%s%s%s%s", e.id, e.bytes,
                             e.noscan ? "noscan" : "scan", e.p, e.system_stack ? " systemstack" : "",
                             e.write_barrier ? " writebarrier" : "", e.finalizer ? " finalizer" : "",
                             e.chain ? " chain" : "",
                             e.work != 1 ? absl::StrFormat(" work %d", e.work) : "");
    case TraceEvent::kDrop: return absl::StrFormat("drop %d", e.id);
    case TraceEvent::kStack: return absl::StrFormat("stack %d %d %d", e.id, e.bytes, e.p);
    case TraceEvent::kUnstack: return absl::StrFormat("unstack %d %d", e.id, e.p);
    case TraceEvent::kSudog: return absl::StrFormat("sudog %d %d", e.id, e.p);
    case TraceEvent::kUnsudog: return absl::StrFormat("unsudog %d %d", e.id, e.p);
    case TraceEvent::kGc: return "gc";
    case TraceEvent::kFreeOsMemory: return "freeosmemory";
    case TraceEvent::kReadMemStats: return "readmemstats";
    case TraceEvent::kCompute:
      return absl::StrFormat("compute %d%s", e.ns, e.no_safe_point ? " nosafepoint" : "");
    case TraceEvent::kSleep: return absl::StrFormat("sleep %d", e.ns);
    case TraceEvent::kBench: return absl::StrFormat("bench %s %d", e.name, e.id);
    case TraceEvent::kLoop:
      return absl::StrFormat("loop %d %d%s%s%s%s%s%s", e.id, e.ns,
                             e.no_safe_point ? " nosafepoint" : "",
                             e.alloc_safe_points ? " allocsafepoints" : "",
                             e.every_p_busy ? " everypbusy" : "",
                             e.p_move != 0 ? absl::StrFormat(" pmove %d", e.p_move) : "",
                             e.p_steal.empty()
                                 ? ""
                                 : absl::StrCat(" psteal ", absl::StrJoin(e.p_steal, ",")),
                             e.p_stay.empty()
                                 ? ""
                                 : absl::StrCat(" pstay ", absl::StrJoin(e.p_stay, ",")));
    case TraceEvent::kEnd: return "end";
    case TraceEvent::kMove: return "move";
    case TraceEvent::kRetain: return absl::StrFormat("retain %d", e.id);
    case TraceEvent::kRelease: return e.id == 0 ? "release" : absl::StrFormat("release %d", e.id);
    case TraceEvent::kGo:
      return absl::StrFormat("go %d %d%s", e.id, e.p,
                             e.work_stated ? absl::StrFormat(" work %d", e.work) : "");
    case TraceEvent::kGoGrow: return absl::StrFormat("gogrow %d %d %d", e.id, e.bytes, e.p);
    case TraceEvent::kGoExit:
      return absl::StrFormat("goexit %d %d%s", e.id, e.p,
                             e.work_stated ? absl::StrFormat(" work %d", e.work) : "");
    case TraceEvent::kGoUse:
      return absl::StrCat(absl::StrFormat("gouse %d %d %d", e.id, e.bytes, e.p),
                          e.ns > 0 ? absl::StrFormat(" ramp %d", e.ns) : "",
                          e.frame_bytes > 0 ? absl::StrFormat(" frame %d", e.frame_bytes) : "");
    case TraceEvent::kGlobRunqPut: return absl::StrFormat("globrunqput %d", e.id);
    case TraceEvent::kGlobRunqGet: return absl::StrFormat("globrunqget %d %d", e.p, e.id);
    case TraceEvent::kNewM:
      return absl::StrFormat("newm %d %s", e.id, e.at_cycle_end ? "end" : "start");
  }
  return "?";
}

}  // namespace thp
