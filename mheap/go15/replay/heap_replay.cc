#include "mheap/go15/replay/heap_replay.h"

#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mheap/go15/events/event_text.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/msize.h"
#include "mheap/go15/replay/field_diff.h"
#include "mheap/go15/replay/heap_state.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace heaplog {
namespace {

std::string Text(const EventBody& body) {
  return absl::StrCat(KindName(static_cast<Kind>(body.index() + 1)), FormatFields(body));
}

std::string Where(uint64_t index, const HeapEvent& e) {
  return absl::StrFormat("record %d (offset %d)", index, e.offset);
}

}  // namespace

std::string Divergence::Describe() const {
  std::string out = absl::StrFormat(
      "divergence at record %d (offset %d), %s, field %s: Go 1.5.1 recorded %s, the port made %s\n"
      "  record: %s\n",
      record_index, offset, kind, field, recorded, port, record);
  if (!context.empty()) absl::StrAppend(&out, "  inside: ", context, "\n");
  absl::StrAppend(&out, "  benchmark: ", benchmark, "\n");
  absl::StrAppend(&out, "  the port's heap after its decision:\n", heap_state);
  return out;
}

absl::StatusOr<std::unique_ptr<HeapReplay>> HeapReplay::Create(Kernel& kernel, VirtualClock& clock,
                                                               ReplayOptions options) {
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(kernel, options.variant);
  if (!mem.ok()) return mem.status();
  if ((*mem)->policy().TracksChunkDensity()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "variant ", options.variant,
        " changes which spans the Go 1.5 heap's scavenger releases (Go 1.21's chunk-density "
        "rule), so Go 1.5.1's heap history cannot be replayed through it; accepted: variants "
        "without chunk tracking (none, prefix, fixed, fixed_batched, disablethp)"));
  }
  if (options.nprocs < 1) {
    return absl::InvalidArgumentError(absl::StrCat("nprocs ", options.nprocs, ": expected at least 1"));
  }
  return std::unique_ptr<HeapReplay>(new HeapReplay(clock, std::move(options), *std::move(mem)));
}

HeapReplay::HeapReplay(VirtualClock& clock, ReplayOptions options, std::unique_ptr<MemLinux> mem)
    : clock_(clock), options_(std::move(options)), mem_(std::move(mem)) {
  check_madvise_ = !options_.recorded_build.empty() && options_.recorded_build == options_.variant;
  mem_->set_observer(&port_);
}

bool HeapReplay::IsDecision(const HeapEvent& e) const {
  switch (e.kind()) {
    case Kind::kSysReserve:
    case Kind::kGrow:
    case Kind::kSysMap:
    case Kind::kFree:
    case Kind::kSysUsed:
    case Kind::kAllocDone:
    case Kind::kSysUnused:
    case Kind::kScavengeDone:
    case Kind::kMadvise:
      return true;
    default:
      return false;
  }
}

absl::Status HeapReplay::Apply(const HeapEvent& e) {
  if (divergence_.has_value()) return absl::OkStatus();
  Indexed r{next_index_++, e};
  ++counts_.records;
  if (const auto* m = std::get_if<Madvise>(&e.body)) ++counts_.go_madvise[m->advice];
  if (!bracket_.empty()) {
    bracket_.push_back(std::move(r));
    if (e.kind() == Kind::kAllocDone) return RunAlloc();
    return absl::OkStatus();
  }
  auto need_heap = [&]() -> absl::Status {
    if (heap_ != nullptr) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(Where(r.index, e), ": ", KindName(e.kind()), " before heap_init"));
  };
  switch (e.kind()) {
    case Kind::kHeapInit:
      return StartHeap(r);
    case Kind::kSysReserve:
      if (heap_ == nullptr) {
        pre_init_.push_back(std::move(r));
        return absl::OkStatus();
      }
      Match(r);
      return absl::OkStatus();
    case Kind::kAlloc:
      if (absl::Status s = need_heap(); !s.ok()) return s;
      if (scavenge_.has_value()) {
        return absl::FailedPreconditionError(
            absl::StrCat(Where(r.index, e), ": alloc inside a scavenge pass"));
      }
      bracket_.push_back(std::move(r));
      return absl::OkStatus();
    case Kind::kFree:
      if (absl::Status s = need_heap(); !s.ok()) return s;
      return ApplyFree(r);
    case Kind::kScavenge:
      if (absl::Status s = need_heap(); !s.ok()) return s;
      return StartScavenge(r);
    case Kind::kScavengeDone:
      if (!scavenge_.has_value()) {
        return absl::FailedPreconditionError(
            absl::StrCat(Where(r.index, e), ": scavenge_done without a scavenge"));
      }
      Match(r);
      if (!divergence_.has_value()) ExpectNothingMore(r);
      scavenge_.reset();
      return absl::OkStatus();
    case Kind::kGcMarkTerm:
      // gc's mark termination runs gcMark, whose gcCopySpans snapshots
      // allspans for the sweeper (and frees the previous snapshot): off the
      // heap, but it decides which allspans arrays recordspan may free.
      if (heap_ != nullptr) heap_->CopySpansForGC();
      return absl::OkStatus();
    case Kind::kGcSweepGen: {
      if (absl::Status s = need_heap(); !s.ok()) return s;
      heap_->CopySpansForGC();  // gcSweep's, just before sweepgen += 2
      heap_->AdvanceSweepgen();
      ++counts_.gc_cycles;
      const auto& g = std::get<GcSweepGen>(e.body);
      GcSweepGen mine = g;
      mine.sweepgen = heap_->sweepgen();
      if (std::optional<FieldDiff> d = FirstFieldDiff(e.body, mine); d.has_value()) {
        Diverge(r, d->field, d->recorded, d->port, 0, {});
        return absl::OkStatus();
      }
      ++counts_.decisions;
      ++counts_.checked[static_cast<size_t>(Kind::kGcSweepGen) - 1];
      return absl::OkStatus();
    }
    default:
      if (IsDecision(e)) {
        if (absl::Status s = need_heap(); !s.ok()) return s;
        Match(r);
        return absl::OkStatus();
      }
      return Note(r);
  }
}

absl::Status HeapReplay::Finish() {
  if (divergence_.has_value()) return absl::OkStatus();
  if (heap_ == nullptr) return absl::FailedPreconditionError("the log has no heap_init record");
  if (!bracket_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log ends inside the alloc at ", Where(bracket_.front().index, bracket_.front().e)));
  }
  if (scavenge_.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log ends inside the scavenge pass at ", Where(scavenge_->index, scavenge_->e)));
  }
  if (!ended_) return absl::FailedPreconditionError("the log has no end record (it was cut short)");
  return absl::OkStatus();
}

absl::Status HeapReplay::Note(const Indexed& r) {
  const HeapEvent& e = r.e;
  switch (e.kind()) {
    case Kind::kSysAlloc: {
      const auto& a = std::get<SysAlloc>(e.body);
      if (a.addr >= 4096) counts_.go_sys_alloc.Add(a.n);  // below 4096: mmap's errno
      return absl::OkStatus();
    }
    case Kind::kSysFree:
      counts_.go_sys_free.Add(std::get<SysFree>(e.body).n);
      return absl::OkStatus();
    case Kind::kBenchStart:
      benchmark_ = std::get<BenchStart>(e.body).name;
      ++counts_.benchmarks;
      return absl::OkStatus();
    case Kind::kConfig: {
      const auto& c = std::get<Config>(e.body);
      if (!options_.recorded_build.empty() && c.build != options_.recorded_build) {
        return absl::FailedPreconditionError(
            absl::StrCat(Where(r.index, e), ": the log's config says build \"", c.build,
                         "\", but the replay was told \"", options_.recorded_build, "\""));
      }
      return absl::OkStatus();
    }
    case Kind::kLost:
      return absl::FailedPreconditionError(absl::StrCat(
          Where(r.index, e), ": the runtime dropped ", std::get<Lost>(e.body).count,
          " records before the log opened; a log with lost records cannot be replayed exactly"));
    case Kind::kEnd:
      ended_ = true;
      return absl::OkStatus();
    case Kind::kHeapInit:
    case Kind::kAlloc:
    case Kind::kFree:
    case Kind::kScavenge:
    case Kind::kGcSweepGen:
      return absl::FailedPreconditionError(
          absl::StrCat(Where(r.index, e), ": ", KindName(e.kind()), " inside an alloc"));
    default:
      return absl::OkStatus();  // GC, benchmark and sysmon records inform only
  }
}

absl::Status HeapReplay::StartHeap(const Indexed& r) {
  if (heap_ != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(Where(r.index, r.e), ": a second heap_init"));
  }
  clock_.Set(r.e.time_ns);
  heap_ = std::make_unique<MHeap>(*mem_, clock_, options_.nprocs);
  heap_->set_observer(&port_);
  if (options_.touch_memory) {
    Kernel& kernel = mem_->kernel();
    heap_->set_on_span_handout([&kernel](const MSpan& s) {
      const int err = kernel.Touch(s.base(), s.end() - s.base());
      THP_CHECK(err == 0, absl::StrFormat("touching span [%#x, %#x): %s", s.base(), s.end(),
                                          ErrnoName(err)));
    });
  }
  port_.set_arena_start(heap_->layout().arena_start);
  // mallocinit's sysReserve calls came before heap_init in Go's log; the
  // port made its own while the heap was being made.
  for (const Indexed& p : pre_init_) {
    Match(p);
    if (divergence_.has_value()) return absl::OkStatus();
  }
  pre_init_.clear();
  const HeapLayout& l = heap_->layout();
  HeapInit mine;
  mine.arena_start = l.arena_start;
  mine.arena_used = l.arena_used;
  mine.arena_end = l.arena_end;
  mine.arena_reserved = l.arena_reserved;
  mine.bitmap = l.bitmap;
  mine.spans = l.spans;
  mine.page_shift = kPageShift;
  mine.phys_page_size = kOsPageSize;
  mine.huge_page_size = kHugePageSize;
  mine.heap_alloc_chunk = kHeapAllocChunk;
  mine.max_mheap_list = kMaxMHeapList;
  mine.num_size_classes = kNumSizeClasses;
  if (std::optional<FieldDiff> d = FirstFieldDiff(r.e.body, mine); d.has_value()) {
    Diverge(r, d->field, d->recorded, d->port, 0, {});
    return absl::OkStatus();
  }
  ++counts_.decisions;
  ++counts_.checked[static_cast<size_t>(Kind::kHeapInit) - 1];
  ExpectNothingMore(r);
  return absl::OkStatus();
}

absl::Status HeapReplay::RunAlloc() {
  const Indexed& a = bracket_.front();
  const Alloc& req = std::get<Alloc>(a.e.body);
  // Only the grow's free reads nanotime() inside mHeap_AllocSpanLocked (a
  // trimmed tail keeps its span's stamp): answer it with Go's value.
  int64_t now = a.e.time_ns;
  for (const Indexed& r : bracket_) {
    if (const auto* f = std::get_if<Free>(&r.e.body); f != nullptr && f->why == FreeWhy::kGrow) {
      now = UnusedSince(r.e, *f);
    }
  }
  clock_.Set(now);
  ++counts_.allocs;
  const PageCount npage(req.npage);
  if (req.caller == AllocCaller::kStack) {
    heap_->AllocStack(npage);
  } else {
    const bool large = req.caller == AllocCaller::kLarge;
    if (large ? req.sizeclass != 0 : (req.sizeclass < 1 || req.sizeclass >= kNumSizeClasses)) {
      return absl::InvalidArgumentError(absl::StrCat(Where(a.index, a.e), ": sizeclass ",
                                                     req.sizeclass, " for a ", Name(req.caller),
                                                     " allocation"));
    }
    heap_->Alloc(npage, static_cast<int>(req.sizeclass), large, /*needzero=*/true);
  }
  absl::Status status;
  for (size_t i = 1; i < bracket_.size() && !divergence_.has_value() && status.ok(); ++i) {
    if (IsDecision(bracket_[i].e)) {
      Match(bracket_[i]);
    } else {
      status = Note(bracket_[i]);
    }
  }
  if (status.ok() && !divergence_.has_value()) ExpectNothingMore(bracket_.back());
  bracket_.clear();
  return status;
}

absl::Status HeapReplay::ApplyFree(const Indexed& r) {
  const Free& f = std::get<Free>(r.e.body);
  if (f.why == FreeWhy::kGrow || f.why == FreeWhy::kTrim) {
    Match(r);  // outside an allocation the port made none
    return absl::OkStatus();
  }
  const HeapLayout& l = heap_->layout();
  const uintptr_t addr = l.arena_start + (f.page << kPageShift);
  MSpan* s = addr < l.arena_used ? heap_->Lookup(addr) : nullptr;
  const SpanState want = f.why == FreeWhy::kStack ? SpanState::kStack : SpanState::kInUse;
  const bool small = f.why == FreeWhy::kCentral;
  if (s == nullptr || s->start != PageId::ForAddr(addr) || s->state != want ||
      s->npages != PageCount(f.npages) ||
      (want == SpanState::kInUse && (s->sizeclass != 0) != small)) {
    std::string have = "no span";
    if (s != nullptr) {
      have = absl::StrFormat("span at page %d +%d %s sizeclass %d", (s->start - PageId::ForAddr(l.arena_start)).raw(),
                             s->npages.raw(), SpanStateName(s->state), s->sizeclass);
    }
    Diverge(r, "page",
            absl::StrFormat("a %s span at page %d +%d", Name(f.why), f.page, f.npages), have, addr,
            {f.npages});
    return absl::OkStatus();
  }
  // mHeap_FreeSpanLocked stamps the span with nanotime() before the record is
  // written; the record gives the value it read.
  clock_.Set(f.stamped ? UnusedSince(r.e, f) : r.e.time_ns);
  port_.set_free_why(f.why);
  ++counts_.frees_applied;
  switch (f.why) {
    case FreeWhy::kCentral:
    case FreeWhy::kLarge:
      // mSpan_Sweep / mCentral_FreeSpan: swept in this cycle, to be zeroed.
      s->sweepgen = heap_->sweepgen();
      s->needzero = 1;
      heap_->Free(s, /*acct=*/f.why == FreeWhy::kLarge);
      break;
    default:
      heap_->FreeStack(s);
      break;
  }
  Match(r);
  if (!divergence_.has_value()) ExpectNothingMore(r);
  return absl::OkStatus();
}

absl::Status HeapReplay::StartScavenge(const Indexed& r) {
  const Scavenge& sc = std::get<Scavenge>(r.e.body);
  clock_.Set(r.e.time_ns);
  ++counts_.scavenges;
  const uintptr_t released = heap_->Scavenge(static_cast<int32_t>(sc.k), sc.now, sc.limit);
  ScavengeDone done;
  done.released = released;
  port_.queue().push_back(PortDecision{done, 0});
  scavenge_ = r;
  return absl::OkStatus();
}

void HeapReplay::Match(const Indexed& r) {
  const HeapEvent& e = r.e;
  std::deque<PortDecision>& q = port_.queue();
  auto skip_port_madvise = [&] {
    while (!check_madvise_ && !q.empty() && std::holds_alternative<Madvise>(q.front().body)) {
      ++counts_.madvise_unchecked_port;
      q.pop_front();
    }
  };
  if (e.kind() == Kind::kMadvise && !check_madvise_) {
    ++counts_.madvise_unchecked_go;
    return;
  }
  skip_port_madvise();
  // What the record is about, for the heap picture.
  uintptr_t addr = 0;
  std::vector<uint64_t> sizes;
  if (!bracket_.empty()) sizes.push_back(std::get<Alloc>(bracket_.front().e.body).npage);
  const uintptr_t arena_start = heap_ != nullptr ? heap_->layout().arena_start : 0;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Free>) {
          addr = arena_start + (b.page << kPageShift);
          sizes.push_back(b.npages);
          sizes.push_back(b.merged_npages);
        } else if constexpr (std::is_same_v<T, AllocDone>) {
          if (b.page.has_value()) addr = arena_start + (*b.page << kPageShift);
          sizes.push_back(b.found_npages);
        } else if constexpr (std::is_same_v<T, Grow>) {
          addr = b.v;
          sizes.push_back(b.npage);
        } else if constexpr (std::is_same_v<T, SysMap> || std::is_same_v<T, SysUsed> ||
                             std::is_same_v<T, SysUnused> || std::is_same_v<T, Madvise>) {
          addr = b.v;
          sizes.push_back(b.n >> kPageShift);
        }
      },
      e.body);
  if (heap_ != nullptr && (addr < heap_->layout().arena_start || addr >= heap_->layout().arena_used)) {
    addr = 0;
  }
  if (q.empty()) {
    Diverge(r, "kind", Text(e.body), "no such call", addr, sizes);
    return;
  }
  PortDecision mine = std::move(q.front());
  q.pop_front();
  if (mine.body.index() != e.body.index()) {
    Diverge(r, "kind", Text(e.body), Text(mine.body), addr, sizes);
    return;
  }
  if (auto* f = std::get_if<Free>(&mine.body)) f->unusedsince_age = e.time_ns - mine.stamp;
  std::vector<absl::string_view> skip;
  if (e.kind() == Kind::kMadvise) skip.push_back("result");
  if (std::optional<FieldDiff> d = FirstFieldDiff(e.body, mine.body, skip); d.has_value()) {
    if (d->field == "unusedsince_age") {
      // Say it with the stamps, which is what the two heaps hold.
      const int64_t age = std::get<Free>(e.body).unusedsince_age;
      d->recorded = absl::StrCat(d->recorded, " (unusedsince ", e.time_ns - age, ")");
      d->port = absl::StrCat(d->port, " (unusedsince ", mine.stamp, ")");
    }
    Diverge(r, d->field, d->recorded, d->port, addr, sizes);
    return;
  }
  if (e.kind() == Kind::kMadvise) {
    const int64_t want = std::get<Madvise>(e.body).result;
    const int64_t got = std::get<Madvise>(mine.body).result;
    if (want != got) {
      if (counts_.madvise_result_mismatches++ == 0) {
        counts_.first_result_mismatch =
            absl::StrFormat("%s: %s: Go's kernel returned %d, the port's %d", Where(r.index, e),
                            Text(e.body), want, got);
      }
    }
  }
  ++counts_.decisions;
  ++counts_.checked[static_cast<size_t>(e.kind()) - 1];
}

void HeapReplay::ExpectNothingMore(const Indexed& r) {
  std::deque<PortDecision>& q = port_.queue();
  while (!check_madvise_ && !q.empty() && std::holds_alternative<Madvise>(q.front().body)) {
    ++counts_.madvise_unchecked_port;
    q.pop_front();
  }
  if (q.empty()) return;
  Diverge(r, "kind", absl::StrCat("nothing more by ", KindName(r.e.kind())), Text(q.front().body),
          0, {});
}

void HeapReplay::Diverge(const Indexed& r, std::string field, std::string recorded,
                         std::string port, uintptr_t addr, std::vector<uint64_t> sizes) {
  Divergence d;
  d.record_index = r.index;
  d.offset = r.e.offset;
  d.kind = std::string(KindName(r.e.kind()));
  d.field = std::move(field);
  d.recorded = std::move(recorded);
  d.port = std::move(port);
  d.record = FormatEvent(r.e);
  if (!bracket_.empty()) {
    d.context = absl::StrCat(FormatEvent(bracket_.front().e), " (record ", bracket_.front().index, ")");
  } else if (scavenge_.has_value()) {
    d.context = absl::StrCat(FormatEvent(scavenge_->e), " (record ", scavenge_->index, ")");
  }
  d.benchmark = benchmark_;
  d.heap_state = heap_ != nullptr ? DescribeHeapAround(*heap_, addr, sizes) : "  (no heap yet)\n";
  divergence_ = std::move(d);
}

absl::StatusOr<std::optional<Config>> PeekConfig(const std::string& path) {
  absl::StatusOr<std::unique_ptr<HeapEventReader>> reader = HeapEventReader::Open(path);
  if (!reader.ok()) return reader.status();
  HeapEvent e;
  // The config record follows mallocinit's few dozen records; give up well
  // after that rather than read a whole log.
  for (int i = 0; i < 100000; ++i) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (const auto* c = std::get_if<Config>(&e.body)) return std::optional<Config>(*c);
  }
  return std::optional<Config>();
}

}  // namespace heaplog
}  // namespace thp
