#include "bench/calibrate/model_event_order.h"

#include <cstdio>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace calibrate {
namespace {

std::string Written(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, f) != nullptr) out += buf;
  return out;
}

// Each benchmark's records come after its bench_start, in time order, a
// cycle's after the heap's at the same instant, each with its benchmark's
// index; as text they are heap_log_dump's lines.
TEST(ModelEventOrderTest, HandsOnEachBenchmarksRecordsInTimeOrder) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ModelEventText text(f);
  std::vector<size_t> benchmarks;
  ModelEventOrder dump([&](size_t benchmark, const heaplog::HeapEvent& e) {
    benchmarks.push_back(benchmark);
    text.Write(e);
  });
  dump.Add(50, heaplog::SysUnused{});  // before any benchmark: dropped
  dump.StartBenchmark(100, "BenchmarkMalloc8-2", 2);
  heaplog::Alloc a;
  a.npage = 1;
  a.sizeclass = 2;
  dump.Add(200, a);
  heaplog::AllocDone d;
  d.page = 57;
  d.found_npages = 1;
  dump.Add(200, d);
  GcCycle c;
  c.num = 3;
  c.mode = GcMode::kForceBlock;
  c.start_ns = 200;
  c.end_ns = 900;
  c.mark_term_ns = 700;
  c.heap0 = 4096;
  c.heap1 = 6144;
  c.heap2 = 1024;
  c.next_gc = 4 << 20;
  dump.AddCycle(c);
  heaplog::SysUnused u;
  u.v = 0xc820072000;
  u.n = 8192;
  dump.Add(500, u);
  dump.StartBenchmark(1000, "BenchmarkMalloc16-2", 2);
  dump.Finish();
  ASSERT_TRUE(text.Finish());
  EXPECT_EQ(Written(f),
            "100 bench_start procs=2 name=\"BenchmarkMalloc8-2\"\n"
            "200 alloc npage=1 caller=small sizeclass=2\n"
            "200 alloc_done page=57 found_npages=1 found_npreleased=0\n"
            "200 gc_start numgc=2 mode=force_block heap_live=4096\n"
            "500 sys_unused v=0xc820072000 n=8192\n"
            "700 gc_mark_term heap_live=6144\n"
            "900 gc_done numgc=3 heap_marked=1024 next_gc=4194304\n"
            "1000 bench_start procs=2 name=\"BenchmarkMalloc16-2\"\n");
  EXPECT_EQ(benchmarks, (std::vector<size_t>{0, 0, 0, 0, 0, 0, 0, 1}));
  std::fclose(f);
}

// With a filter only the records it keeps are held and handed on (a
// benchmark's start always); a record made out of time order is sorted in.
TEST(ModelEventOrderTest, KeepsOnlyWhatTheFilterAcceptsAndSortsALateRecord) {
  std::vector<std::pair<int64_t, bool>> got;  // time, gc_done
  ModelEventOrder order(
      [&got](size_t benchmark, const heaplog::HeapEvent& e) {
        EXPECT_EQ(benchmark, 0u);
        got.push_back({e.time_ns, std::holds_alternative<heaplog::GcDone>(e.body)});
      },
      [](const heaplog::EventBody& b) {
        return std::holds_alternative<heaplog::SysUnused>(b) ||
               std::holds_alternative<heaplog::GcDone>(b);
      });
  order.StartBenchmark(10, "BenchmarkMalloc8-2", 2);
  order.Add(30, heaplog::SysUnused{});
  order.Add(20, heaplog::SysUnused{});  // late
  order.Add(25, heaplog::Alloc{});      // dropped
  GcCycle c;
  c.start_ns = 21;
  c.mark_term_ns = 22;
  c.end_ns = 30;
  order.AddCycle(c);  // only its gc_done, after the record at its instant
  order.Finish();
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, bool>>{{10, false}, {20, false}, {30, false}, {30, true}}));
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
