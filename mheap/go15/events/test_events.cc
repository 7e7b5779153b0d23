#include "mheap/go15/events/test_events.h"

#include <utility>

namespace thp {
namespace heaplog {

HeapEvent At(int64_t time_ns, EventBody body) {
  HeapEvent e;
  e.time_ns = time_ns;
  e.body = std::move(body);
  return e;
}

Scavenge SysmonPass(uint64_t now, int64_t k) {
  Scavenge s;
  s.k = k;
  s.now = now;
  s.limit = 20000000;
  return s;
}

Free SpanFree(uint64_t page, uint64_t npages, FreeWhy why, uint64_t merged_pages_before,
              uint64_t merged_npages, int64_t unusedsince_age) {
  Free f;
  f.page = page;
  f.npages = npages;
  f.why = why;
  f.merged_pages_before = merged_pages_before;
  f.merged_npages = merged_npages == 0 ? npages : merged_npages;
  f.unusedsince_age = unusedsince_age;
  return f;
}

std::vector<HeapEvent> SampleLog() {
  constexpr uint64_t kArena = 0xc820000000;
  std::vector<HeapEvent> log;
  int64_t t = 1000000000;
  auto add = [&](EventBody b) {
    log.push_back(At(t, std::move(b)));
    t += 100;
  };
  add(SysReserve{0xc000000000, 0x8000000000, 0xc000000000, false});
  HeapInit init;
  init.arena_start = kArena;
  init.arena_used = kArena;
  init.arena_end = 0xc000000000 + 0x8000000000;
  init.bitmap = kArena;
  init.spans = 0xc800000000;
  add(init);
  Config config;
  config.go_version = "go1.5.1";
  config.build = "prefix";
  config.gomaxprocs = 2;
  config.debug_scavenge = 1;
  config.godebug = "scavenge=1";
  add(config);
  add(Sysmon{10000000, 20000000});
  add(SysAlloc{0x7f0000000000, 65536});
  Alloc a;
  a.npage = 1;
  a.caller = AllocCaller::kSmall;
  a.sizeclass = 3;
  add(a);
  add(SysMap{kArena, 1 << 20, false});
  add(Grow{8, 1 << 20, kArena});
  Free grow;
  grow.page = 0;
  grow.npages = 128;
  grow.why = FreeWhy::kGrow;
  grow.acctidle = true;
  grow.stamped = true;
  grow.unusedsince_age = 40;
  grow.merged_npages = 128;
  add(grow);
  Free trim;
  trim.page = 1;
  trim.npages = 127;
  trim.why = FreeWhy::kTrim;
  trim.unusedsince_age = 140;
  trim.merged_npages = 127;
  add(trim);
  add(AllocDone{0, 128, 0});
  add(BenchStart{2, "BenchmarkMalloc8-2"});
  add(BenchRun{1});
  GcStart gs;
  gs.numgc = 0;
  gs.mode = GcMode::kForceBlock;
  gs.heap_live = 8192;
  add(gs);
  add(GcMarkTerm{8192});
  add(GcSweepGen{2, GcMode::kForceBlock});
  Free central;
  central.page = 0;
  central.npages = 1;
  central.why = FreeWhy::kCentral;
  central.acctinuse = central.acctidle = central.stamped = true;
  central.unusedsince_age = 30;
  central.merged_npages = 128;
  add(central);
  add(GcDone{1, 0, 4 << 20});
  t -= 250;  // another thread's record, stamped earlier
  add(SysAlloc{0x7f0000010000, 65536});
  t += 300;
  add(Scavenge{0, 1000002000, 20000000});
  add(SysUnused{kArena, 128 << 13});
  add(Madvise{kArena, 128 << 13, 15, 0});
  add(Madvise{kArena, 128 << 13, 4, 0});
  add(ScavengeDone{128 << 13});
  Alloc large;
  large.npage = 3;
  large.caller = AllocCaller::kLarge;
  add(large);
  add(SysUsed{kArena, 128 << 13});
  add(Madvise{kArena, 128 << 13, 14, -22});
  Free trim2;
  trim2.page = 3;
  trim2.npages = 125;
  trim2.why = FreeWhy::kTrim;
  trim2.unusedsince_age = 500;
  trim2.merged_npages = 125;
  add(trim2);
  add(AllocDone{0, 128, 128});
  Alloc stack;
  stack.npage = 4;
  stack.caller = AllocCaller::kStack;
  add(stack);
  Free trim3;
  trim3.page = 7;
  trim3.npages = 121;
  trim3.why = FreeWhy::kTrim;
  trim3.unusedsince_age = 700;
  trim3.merged_npages = 121;
  add(trim3);
  add(AllocDone{std::optional<uint64_t>(3), 125, 0});
  Free st;
  st.page = 3;
  st.npages = 4;
  st.why = FreeWhy::kStack;
  st.acctinuse = st.acctidle = st.stamped = true;
  st.merged_npages = 125;
  add(st);
  Free lg;
  lg.page = 0;
  lg.npages = 3;
  lg.why = FreeWhy::kLarge;
  lg.acctinuse = lg.acctidle = lg.stamped = true;
  lg.unusedsince_age = -5;
  lg.merged_npages = 128;
  add(lg);
  add(FreeOSMemory{});
  add(Scavenge{-1, UINT64_MAX, 0});
  add(ScavengeDone{0});
  add(SysFree{0x7f0000010000, 65536});
  add(BenchEnd{1000000, 55600000, false});
  add(Lost{3, LostReason::kBufferFullBeforeOpen});
  add(End{});
  return log;
}

}  // namespace heaplog
}  // namespace thp
