// The events of a heap-event log: what Go 1.5.1's page heap did, one record
// per decision, as recorded by the project's patch to the Go runtime
// (tools/go151/heaplog.patch) and specified byte for byte in
// tools/go151/FORMAT.md. Each struct below is one record kind; it names the
// Go 1.5.1 function (runtime/mheap.go unless said otherwise) whose call it
// records. The same field list (Fields()) drives the reader, the writer and
// the text dump, so the three cannot disagree; each field carries the range
// the reader enforces.
//
// Span addresses of the arena (Alloc's result, Free's span) are recorded as
// page numbers counted from the arena start (HeapInit::arena_start), the way
// a replay compares them with a heap mapped elsewhere; every other address
// is a plain virtual address.
#ifndef THP_MHEAP_GO15_EVENTS_HEAP_EVENT_H_
#define THP_MHEAP_GO15_EVENTS_HEAP_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"

namespace thp {
namespace heaplog {

// Record kinds, the first byte of every record (FORMAT.md). The values are
// the format; never renumber.
enum class Kind : uint8_t {
  kHeapInit = 1,
  kConfig = 2,
  kSysmon = 3,
  kAlloc = 4,
  kAllocDone = 5,
  kFree = 6,
  kGrow = 7,
  kScavenge = 8,
  kScavengeDone = 9,
  kFreeOSMemory = 10,
  kGcStart = 11,
  kGcMarkTerm = 12,
  kGcSweepGen = 13,
  kGcDone = 14,
  kSysAlloc = 15,
  kSysReserve = 16,
  kSysMap = 17,
  kSysFree = 18,
  kSysUnused = 19,
  kSysUsed = 20,
  kMadvise = 21,
  kBenchStart = 22,
  kBenchRun = 23,
  kBenchEnd = 24,
  kLost = 25,
  kEnd = 26,
};
constexpr int kNumKinds = 26;

// Who asked mHeap_AllocSpanLocked for a span.
enum class AllocCaller : uint8_t {
  kSmall = 0,  // mHeap_Alloc_m for mCentral_Grow (sizeclass > 0)
  kLarge = 1,  // mHeap_Alloc_m for largeAlloc (sizeclass 0)
  kStack = 2,  // mHeap_AllocStack (stackpoolalloc, or stackalloc for a large stack)
};

// Who called mHeap_FreeSpanLocked.
enum class FreeWhy : uint8_t {
  kCentral = 1,  // mHeap_Free(acct=0): mCentral_FreeSpan gives back an empty small-object span
  kLarge = 2,    // mHeap_Free(acct=1): mSpan_Sweep frees a dead large object
  kStack = 3,    // mHeap_FreeStack
  kGrow = 4,     // mHeap_Grow: new memory enters the heap as a free span
  kTrim = 5,     // mHeap_AllocSpanLocked: the tail cut off a bigger span
};

// gc()'s mode argument (mgc.go).
enum class GcMode : uint8_t {
  kBackground = 0,   // gcBackgroundMode
  kForce = 1,        // gcForceMode
  kForceBlock = 2,   // gcForceBlockMode (runtime.GC, FreeOSMemory)
};

enum class LostReason : uint8_t {
  kBufferFullBeforeOpen = 1,  // the static buffer filled before THP_HEAPLOG was read
};

// The values each enum may take in a log (the reader rejects others).
template <typename E>
struct EnumRange;
template <>
struct EnumRange<AllocCaller> {
  static constexpr uint64_t kMin = 0, kMax = 2;
};
template <>
struct EnumRange<FreeWhy> {
  static constexpr uint64_t kMin = 1, kMax = 5;
};
template <>
struct EnumRange<GcMode> {
  static constexpr uint64_t kMin = 0, kMax = 2;
};
template <>
struct EnumRange<LostReason> {
  static constexpr uint64_t kMin = 1, kMax = 1;
};

absl::string_view Name(AllocCaller v);
absl::string_view Name(FreeWhy v);
absl::string_view Name(GcMode v);
absl::string_view Name(LostReason v);

// Range limits shared by the field lists.
constexpr uint64_t kMaxAddress = (uint64_t{1} << 57) - 1;  // x86-64 user space, 5-level paging
constexpr uint64_t kMaxBytes = uint64_t{1} << 47;
constexpr uint64_t kMaxPages = uint64_t{1} << 44;
constexpr uint64_t kU32 = 0xffffffffu;
constexpr int64_t kI32Min = -2147483648LL;
constexpr int64_t kI32Max = 2147483647LL;
constexpr int64_t kI64Min = INT64_MIN;
constexpr int64_t kI64Max = INT64_MAX;
constexpr size_t kMaxString = 128;

// A visitor V has (each reads, writes or prints one field, in order):
//   U(name, uint64_t&, min, max)   unsigned varint in [min, max]
//   A(name, uint64_t&)             an address: unsigned varint <= kMaxAddress, printed in hex
//   I(name, int64_t&, min, max)    zigzag varint in [min, max]
//   B(name, bool&)                 unsigned varint 0 or 1
//   S(name, std::string&)          length (<= kMaxString) then bytes
//   E(name, Enum&)                 unsigned varint, one of the enum's values
//   OptPage(name, std::optional<uint64_t>&)  varint 0 = none, else page + 1
//   Flags3(name, bool&, n0, bool&, n1, bool&, n2)  one varint, bit i = flag i

// mallocinit, once, after mHeap_Init: the arena's layout and the constants
// the heap's decisions depend on.
struct HeapInit {
  static constexpr Kind kKind = Kind::kHeapInit;
  static constexpr absl::string_view kName = "heap_init";
  uint64_t arena_start = 0, arena_used = 0, arena_end = 0;
  bool arena_reserved = false;
  uint64_t bitmap = 0, spans = 0;
  uint64_t page_shift = 13, phys_page_size = 4096, huge_page_size = 2 << 20;
  uint64_t heap_alloc_chunk = 1 << 20, max_mheap_list = 128, num_size_classes = 67;
  template <typename V>
  void Fields(V& v) {
    v.A("arena_start", arena_start);
    v.A("arena_used", arena_used);
    v.A("arena_end", arena_end);
    v.B("arena_reserved", arena_reserved);
    v.A("bitmap", bitmap);
    v.A("spans", spans);
    v.U("page_shift", page_shift, 12, 21);
    v.U("phys_page_size", phys_page_size, 4096, 1 << 21);
    v.U("huge_page_size", huge_page_size, 0, 1 << 30);
    v.U("heap_alloc_chunk", heap_alloc_chunk, 1, 1 << 30);
    v.U("max_mheap_list", max_mheap_list, 1, 4096);
    v.U("num_size_classes", num_size_classes, 1, 256);
  }
};

// schedinit, once, when THP_HEAPLOG has been read (the log opens here).
struct Config {
  static constexpr Kind kKind = Kind::kConfig;
  static constexpr absl::string_view kName = "config";
  std::string go_version;  // runtime.Version(), "go1.5.1"
  std::string build;       // "prefix" or "fixed" (-X runtime.heaplogBuild), may be empty
  uint64_t gomaxprocs = 1;
  uint64_t debug_scavenge = 0;  // GODEBUG scavenge=N
  int64_t gcpercent = 100;      // GOGC
  std::string godebug;          // the GODEBUG variable, cut at kMaxString bytes
  template <typename V>
  void Fields(V& v) {
    v.S("go_version", go_version);
    v.S("build", build);
    v.U("gomaxprocs", gomaxprocs, 1, 1 << 20);
    v.U("debug_scavenge", debug_scavenge, 0, kU32);
    v.I("gcpercent", gcpercent, kI32Min, kI32Max);
    v.S("godebug", godebug);
  }
};

// sysmon (proc1.go), once when it starts: its forced-GC period and the
// scavenger's limit (both shortened by GODEBUG=scavenge=1), in ns.
struct Sysmon {
  static constexpr Kind kKind = Kind::kSysmon;
  static constexpr absl::string_view kName = "sysmon";
  int64_t forcegcperiod = 0, scavengelimit = 0;
  template <typename V>
  void Fields(V& v) {
    v.I("forcegcperiod", forcegcperiod, 0, kI64Max);
    v.I("scavengelimit", scavengelimit, 0, kI64Max);
  }
};

// mHeap_AllocSpanLocked's entry: a request for npage pages. Everything the
// heap does for it (Grow and its sys calls, sysUsed, the trim's Free)
// follows before the matching AllocDone.
struct Alloc {
  static constexpr Kind kKind = Kind::kAlloc;
  static constexpr absl::string_view kName = "alloc";
  uint64_t npage = 1;
  AllocCaller caller = AllocCaller::kSmall;
  uint64_t sizeclass = 0;  // 1.. for kSmall, 0 otherwise
  template <typename V>
  void Fields(V& v) {
    v.U("npage", npage, 1, kMaxPages);
    v.E("caller", caller);
    v.U("sizeclass", sizeclass, 0, 255);
  }
};

// mHeap_AllocSpanLocked's return: the span (none when out of memory) and
// the free span it was cut from as found (npages and npreleased before the
// sysUsed and the trim, so a replay can check both decisions).
struct AllocDone {
  static constexpr Kind kKind = Kind::kAllocDone;
  static constexpr absl::string_view kName = "alloc_done";
  std::optional<uint64_t> page;  // first page of the span, from arena_start
  uint64_t found_npages = 0, found_npreleased = 0;
  template <typename V>
  void Fields(V& v) {
    v.OptPage("page", page);
    v.U("found_npages", found_npages, 0, kMaxPages);
    v.U("found_npreleased", found_npreleased, 0, kMaxPages);
  }
};

// mHeap_FreeSpanLocked, recorded after coalescing: the span as freed, who
// freed it, its accounting arguments, its unusedsince stamp (the age is
// the record's time minus the stamp; `stamped` says the argument was 0, so
// the stamp is nanotime() taken inside the call, otherwise it is the
// argument, e.g. a trimmed tail inheriting its span's stamp), and the free
// span it is part of afterwards (merged_pages_before pages start before it).
struct Free {
  static constexpr Kind kKind = Kind::kFree;
  static constexpr absl::string_view kName = "free";
  uint64_t page = 0, npages = 1;
  FreeWhy why = FreeWhy::kCentral;
  bool acctinuse = false, acctidle = false, stamped = false;
  int64_t unusedsince_age = 0;
  uint64_t merged_pages_before = 0, merged_npages = 1, merged_npreleased = 0;
  template <typename V>
  void Fields(V& v) {
    v.U("page", page, 0, kMaxPages);
    v.U("npages", npages, 1, kMaxPages);
    v.E("why", why);
    v.Flags3("flags", acctinuse, "acctinuse", acctidle, "acctidle", stamped, "stamped");
    v.I("unusedsince_age", unusedsince_age, kI64Min, kI64Max);
    v.U("merged_pages_before", merged_pages_before, 0, kMaxPages);
    v.U("merged_npages", merged_npages, 1, kMaxPages);
    v.U("merged_npreleased", merged_npreleased, 0, kMaxPages);
  }
};

// mHeap_Grow's end (always inside an Alloc): npage rounded up to 64 KiB
// worth of pages, the bytes asked of mHeap_SysAlloc (the last ask when the
// first failed), and the address got (0: out of memory).
struct Grow {
  static constexpr Kind kKind = Kind::kGrow;
  static constexpr absl::string_view kName = "grow";
  uint64_t npage = 0, ask = 0, v = 0;
  template <typename V>
  void Fields(V& vis) {
    vis.U("npage", npage, 0, kMaxPages);
    vis.U("ask", ask, 0, kMaxBytes);
    vis.A("v", v);
  }
};

// mHeap_Scavenge, under the heap lock: sysmon's pass k (or -1 from
// runtime/debug.FreeOSMemory, with now = 2^64-1 and limit 0). The
// sysUnused calls it makes follow, then ScavengeDone.
struct Scavenge {
  static constexpr Kind kKind = Kind::kScavenge;
  static constexpr absl::string_view kName = "scavenge";
  int64_t k = 0;
  uint64_t now = 0, limit = 0;
  template <typename V>
  void Fields(V& v) {
    v.I("k", k, kI32Min, kI32Max);
    v.U("now", now, 0, UINT64_MAX);
    v.U("limit", limit, 0, UINT64_MAX);
  }
};

// mHeap_Scavenge's end: bytes newly released (its sumreleased).
struct ScavengeDone {
  static constexpr Kind kKind = Kind::kScavengeDone;
  static constexpr absl::string_view kName = "scavenge_done";
  uint64_t released = 0;
  template <typename V>
  void Fields(V& v) {
    v.U("released", released, 0, kMaxBytes);
  }
};

// runtime_debug_freeOSMemory's entry (a forced GC and a scavenge follow).
struct FreeOSMemory {
  static constexpr Kind kKind = Kind::kFreeOSMemory;
  static constexpr absl::string_view kName = "free_os_memory";
  template <typename V>
  void Fields(V&) {}
};

// gc() (mgc.go) once it holds worldsema: numgc cycles completed before this one.
struct GcStart {
  static constexpr Kind kKind = Kind::kGcStart;
  static constexpr absl::string_view kName = "gc_start";
  uint64_t numgc = 0;
  GcMode mode = GcMode::kBackground;
  uint64_t heap_live = 0;
  template <typename V>
  void Fields(V& v) {
    v.U("numgc", numgc, 0, kU32);
    v.E("mode", mode);
    v.U("heap_live", heap_live, 0, kMaxBytes);
  }
};

// gc() entering mark termination (world stopped).
struct GcMarkTerm {
  static constexpr Kind kKind = Kind::kGcMarkTerm;
  static constexpr absl::string_view kName = "gc_mark_term";
  uint64_t heap_live = 0;
  template <typename V>
  void Fields(V& v) {
    v.U("heap_live", heap_live, 0, kMaxBytes);
  }
};

// gcSweep (mgc.go) under the heap lock: the new mheap_.sweepgen; every span
// swept from here on was marked by this cycle.
struct GcSweepGen {
  static constexpr Kind kKind = Kind::kGcSweepGen;
  static constexpr absl::string_view kName = "gc_sweepgen";
  uint64_t sweepgen = 0;
  GcMode mode = GcMode::kBackground;
  template <typename V>
  void Fields(V& v) {
    v.U("sweepgen", sweepgen, 0, kU32);
    v.E("mode", mode);
  }
};

// gc() after memstats.numgc++.
struct GcDone {
  static constexpr Kind kKind = Kind::kGcDone;
  static constexpr absl::string_view kName = "gc_done";
  uint64_t numgc = 0, heap_marked = 0, next_gc = 0;
  template <typename V>
  void Fields(V& v) {
    v.U("numgc", numgc, 0, kU32);
    v.U("heap_marked", heap_marked, 0, kMaxBytes);
    v.U("next_gc", next_gc, 0, UINT64_MAX);
  }
};

// mem_linux.go's sysAlloc: mmap's raw result (below 4096: failed, an errno).
struct SysAlloc {
  static constexpr Kind kKind = Kind::kSysAlloc;
  static constexpr absl::string_view kName = "sys_alloc";
  uint64_t addr = 0, n = 0;
  template <typename V>
  void Fields(V& v) {
    v.A("addr", addr);
    v.U("n", n, 0, kMaxBytes);
  }
};

// sysReserve: the hint v, size n, result p (0: failed) and *reserved.
struct SysReserve {
  static constexpr Kind kKind = Kind::kSysReserve;
  static constexpr absl::string_view kName = "sys_reserve";
  uint64_t v = 0, n = 0, p = 0;
  bool reserved = false;
  template <typename V>
  void Fields(V& vis) {
    vis.A("v", v);
    vis.U("n", n, 0, UINT64_MAX);
    vis.A("p", p);
    vis.B("reserved", reserved);
  }
};

// sysMap's entry.
struct SysMap {
  static constexpr Kind kKind = Kind::kSysMap;
  static constexpr absl::string_view kName = "sys_map";
  uint64_t v = 0, n = 0;
  bool reserved = false;
  template <typename V>
  void Fields(V& vis) {
    vis.A("v", v);
    vis.U("n", n, 0, kMaxBytes);
    vis.B("reserved", reserved);
  }
};

// sysFree, sysUnused (from scavengelist) and sysUsed (from
// mHeap_AllocSpanLocked), each at its entry.
struct SysFree {
  static constexpr Kind kKind = Kind::kSysFree;
  static constexpr absl::string_view kName = "sys_free";
  uint64_t v = 0, n = 0;
  template <typename V>
  void Fields(V& vis) {
    vis.A("v", v);
    vis.U("n", n, 0, kMaxBytes);
  }
};
struct SysUnused {
  static constexpr Kind kKind = Kind::kSysUnused;
  static constexpr absl::string_view kName = "sys_unused";
  uint64_t v = 0, n = 0;
  template <typename V>
  void Fields(V& vis) {
    vis.A("v", v);
    vis.U("n", n, 0, kMaxBytes);
  }
};
struct SysUsed {
  static constexpr Kind kKind = Kind::kSysUsed;
  static constexpr absl::string_view kName = "sys_used";
  uint64_t v = 0, n = 0;
  template <typename V>
  void Fields(V& vis) {
    vis.A("v", v);
    vis.U("n", n, 0, kMaxBytes);
  }
};

// Every madvise the runtime makes (the patch routes linux/amd64's madvise
// through a recording wrapper): range, advice and the raw result (0 or -errno).
struct Madvise {
  static constexpr Kind kKind = Kind::kMadvise;
  static constexpr absl::string_view kName = "madvise";
  uint64_t v = 0, n = 0, advice = 0;
  int64_t result = 0;
  template <typename V>
  void Fields(V& vis) {
    vis.A("v", v);
    vis.U("n", n, 0, kMaxBytes);
    vis.U("advice", advice, 0, kU32);
    vis.I("result", result, kI32Min, kI32Max);
  }
};

// A benchmark's printed name without the "-<procs>" suffix Go prints when
// procs is not 1 ("BenchmarkMalloc8-2", 2 -> "BenchmarkMalloc8").
std::string BenchBaseName(const std::string& printed, uint64_t procs);

// testing.RunBenchmarks (patched) before running a benchmark: its printed
// name ("BenchmarkMalloc8-2") and GOMAXPROCS.
struct BenchStart {
  static constexpr Kind kKind = Kind::kBenchStart;
  static constexpr absl::string_view kName = "bench_start";
  uint64_t procs = 1;
  std::string name;
  // The name as the benchmark function has it (BenchBaseName).
  std::string BaseName() const { return BenchBaseName(name, procs); }
  template <typename V>
  void Fields(V& v) {
    v.U("procs", procs, 1, 1 << 20);
    v.S("name", name);
  }
};

// testing's B.runN (patched) at its start, before its runtime.GC(): b.N.
struct BenchRun {
  static constexpr Kind kKind = Kind::kBenchRun;
  static constexpr absl::string_view kName = "bench_run";
  uint64_t n = 0;
  template <typename V>
  void Fields(V& v) {
    v.U("n", n, 0, uint64_t{1} << 62);
  }
};

// testing.RunBenchmarks after the benchmark: the final b.N, its time, failure.
struct BenchEnd {
  static constexpr Kind kKind = Kind::kBenchEnd;
  static constexpr absl::string_view kName = "bench_end";
  uint64_t n = 0;
  int64_t ns = 0;
  bool failed = false;
  template <typename V>
  void Fields(V& v) {
    v.U("n", n, 0, uint64_t{1} << 62);
    v.I("ns", ns, kI64Min, kI64Max);
    v.B("failed", failed);
  }
};

// Records the runtime had to drop; a log with one cannot be replayed exactly.
struct Lost {
  static constexpr Kind kKind = Kind::kLost;
  static constexpr absl::string_view kName = "lost";
  uint64_t count = 0;
  LostReason reason = LostReason::kBufferFullBeforeOpen;
  template <typename V>
  void Fields(V& v) {
    v.U("count", count, 0, UINT64_MAX);
    v.E("reason", reason);
  }
};

// The last record, written by os.Exit and by main's return. A log without
// it was cut short (the program crashed or was killed).
struct End {
  static constexpr Kind kKind = Kind::kEnd;
  static constexpr absl::string_view kName = "end";
  template <typename V>
  void Fields(V&) {}
};

// One alternative per kind, in Kind order (index = kind - 1).
using EventBody =
    std::variant<HeapInit, Config, Sysmon, Alloc, AllocDone, Free, Grow, Scavenge, ScavengeDone,
                 FreeOSMemory, GcStart, GcMarkTerm, GcSweepGen, GcDone, SysAlloc, SysReserve, SysMap,
                 SysFree, SysUnused, SysUsed, Madvise, BenchStart, BenchRun, BenchEnd, Lost, End>;
static_assert(std::variant_size_v<EventBody> == kNumKinds);

struct HeapEvent {
  uint64_t offset = 0;  // byte offset of the record in the (uncompressed) log
  int64_t time_ns = 0;  // the runtime's nanotime() (CLOCK_MONOTONIC) when recorded
  EventBody body;

  Kind kind() const { return static_cast<Kind>(body.index() + 1); }
};

// "alloc", "free", ... for a kind; empty for a value that is not one.
absl::string_view KindName(Kind kind);

// An empty body of `kind`; false when the byte is not a kind.
bool MakeBody(uint8_t kind, EventBody* body);

// Free's unusedsince stamp (nanotime) from its age and the record's time.
inline int64_t UnusedSince(const HeapEvent& e, const Free& f) { return e.time_ns - f.unusedsince_age; }

// An arena page number as an address.
inline uint64_t PageAddress(const HeapInit& h, uint64_t page) {
  return h.arena_start + (page << h.page_shift);
}

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_HEAP_EVENT_H_
