// kBgSweepNsPerSpan, kBgSweepNsPerObject and kBgSweepNsPerLargePage (mgc.h)
// measured again from Go 1.5.1's own run
// (testdata/go151_heaplog/prefix.hlog.xz), the way their comment says:
// after each background cycle's gc_done, the frees of sweeping (why=central
// or large) before the next alloc record, cycle start or b.N run form a
// burst; over the bursts of at least kBgSweepMinBurstFrees frees, a least
// absolute deviations fit of (last free - gc_done) / frees on one term per
// freed span, one per object slot of the freed spans (a large object's
// span holds one) and one per page of the freed large spans. Each freed
// span's size class comes from the alloc record that made it. The fit is
// iteratively reweighted least squares (weights 1 / |residual|, at least 1
// ns, 100 rounds, by which it has converged); the first term is compared to
// the nearest 100 ns, the second to the nearest half ns and the third to the
// nearest 50 ns. A second test checks the per-benchmark medians the
// constants' comment quotes, Go's and the fit's.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/msize.h"
#include "runtime_port/base/units.h"

namespace thp {
namespace {

using Row = std::array<double, 3>;

// One burst, per freed span: 1, slots, large pages; its time; and the
// benchmark it came in.
struct Burst {
  Row x{};
  double ns_per_free = 0;
  std::string benchmark;
};

// Solves the 3x3 system m * out = v by Gaussian elimination (the normal
// equations here are positive definite: no pivoting needed).
Row Solve(std::array<Row, 3> m, Row v) {
  for (int i = 0; i < 3; ++i) {
    for (int j = i + 1; j < 3; ++j) {
      const double f = m[j][i] / m[i][i];
      for (int k = 0; k < 3; ++k) m[j][k] -= f * m[i][k];
      v[j] -= f * v[i];
    }
  }
  Row out{};
  for (int i = 2; i >= 0; --i) {
    double s = v[i];
    for (int k = i + 1; k < 3; ++k) s -= m[i][k] * out[k];
    out[i] = s / m[i][i];
  }
  return out;
}

Row LeastAbsoluteDeviations(const std::vector<Burst>& bursts) {
  std::vector<double> w(bursts.size(), 1.0);
  Row c{};
  for (int round = 0; round < 100; ++round) {
    std::array<Row, 3> m{};
    Row v{};
    for (size_t b = 0; b < bursts.size(); ++b) {
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) m[i][j] += w[b] * bursts[b].x[i] * bursts[b].x[j];
        v[i] += w[b] * bursts[b].x[i] * bursts[b].ns_per_free;
      }
    }
    c = Solve(m, v);
    for (size_t b = 0; b < bursts.size(); ++b) {
      double fit = 0;
      for (int i = 0; i < 3; ++i) fit += c[i] * bursts[b].x[i];
      w[b] = 1.0 / std::max(std::abs(bursts[b].ns_per_free - fit), 1.0);
    }
  }
  return c;
}

// The recorded run's bursts (the file comment's).
std::vector<Burst> ReadBursts() {
  const SizeClasses& classes = GetSizeClasses();
  absl::flat_hash_map<uint64_t, uint64_t> class_of;  // span's first page -> size class
  uint64_t pending_class = 0;
  std::string benchmark;
  std::vector<Burst> bursts;
  bool background = false;  // the last cycle started was a background one
  bool open = false;        // a burst is being counted
  int64_t done_at = 0, last_free_at = 0;
  int frees = 0;
  double slots = 0, large_pages = 0;
  auto close = [&] {
    if (open && frees >= kBgSweepMinBurstFrees) {
      const double f = frees;
      bursts.push_back({{1.0, slots / f, large_pages / f}, (last_free_at - done_at) / f, benchmark});
    }
    open = false;
  };
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          close();
          benchmark = b->BaseName();
        } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
          close();
          pending_class = a->sizeclass;
        } else if (const auto* d = std::get_if<heaplog::AllocDone>(&e.body)) {
          if (d->page.has_value()) class_of[*d->page] = pending_class;
        } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
          close();
          background = g->mode == heaplog::GcMode::kBackground;
        } else if (std::holds_alternative<heaplog::GcDone>(e.body)) {
          close();
          if (background) {
            open = true;
            done_at = last_free_at = e.time_ns;
            frees = 0;
            slots = large_pages = 0;
          }
        } else if (const auto* f = std::get_if<heaplog::Free>(&e.body)) {
          if (open && (f->why == heaplog::FreeWhy::kCentral || f->why == heaplog::FreeWhy::kLarge)) {
            ++frees;
            last_free_at = e.time_ns;
            const auto it = class_of.find(f->page);
            const uint64_t cl = it == class_of.end() ? 0 : it->second;
            if (cl == 0) {
              slots += 1;
              large_pages += static_cast<double>(f->npages);
            } else {
              slots += static_cast<double>(f->npages * kPageSize / classes.ClassToSize(static_cast<int>(cl)));
            }
          }
        } else if (std::holds_alternative<heaplog::BenchRun>(e.body) ||
                   std::holds_alternative<heaplog::BenchEnd>(e.body)) {
          close();
        }
      });
  EXPECT_TRUE(st.ok()) << st;
  return bursts;
}

// The same, read once for the tests below.
const std::vector<Burst>& RecordedBursts() {
  static const std::vector<Burst>* bursts = new std::vector<Burst>(ReadBursts());
  return *bursts;
}

TEST(BgSweepTiming, TheTermsAreTheRecordedRunsFit) {
  const std::vector<Burst>& bursts = RecordedBursts();
  ASSERT_GT(bursts.size(), 3000u);
  const Row c = LeastAbsoluteDeviations(bursts);
  EXPECT_EQ(kBgSweepNsPerSpan, std::llround(c[0] / 100) * 100) << c[0] << " ns per span";
  EXPECT_EQ(kBgSweepNsPerObject, std::round(c[1] * 2) / 2) << c[1] << " ns per slot";
  EXPECT_EQ(kBgSweepNsPerLargePage, std::llround(c[2] / 50) * 50) << c[2] << " ns per large page";
}

// The median of `v` (the mean of the two middle values when even), in us
// to the nearest 0.1.
double MedianUs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double m = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return std::round(m / 100) / 10;
}

// The per-benchmark medians mgc.h quotes, the recorded run's and the
// terms' (burst by burst, the terms over the burst's spans).
TEST(BgSweepTiming, ThePerBenchmarkMediansAreTheCommentsOnes) {
  absl::flat_hash_map<std::string, std::vector<double>> real, fit;
  for (const Burst& b : RecordedBursts()) {
    real[b.benchmark].push_back(b.ns_per_free);
    fit[b.benchmark].push_back(static_cast<double>(kBgSweepNsPerSpan) +
                               kBgSweepNsPerObject * b.x[1] +
                               static_cast<double>(kBgSweepNsPerLargePage) * b.x[2]);
  }
  struct Quoted {
    const char* benchmark;
    double real_us, fit_us;
  };
  for (const Quoted& q : {Quoted{"BenchmarkMallocLargeStruct", 1.8, 1.7},
                          Quoted{"BenchmarkAppendGrowByte", 5.1, 4.6},
                          Quoted{"BenchmarkMallocTypeInfo8", 14.3, 13.4},
                          Quoted{"BenchmarkCallClosure3", 11.0, 7.5},
                          Quoted{"BenchmarkMalloc16", 11.8, 7.5},
                          Quoted{"BenchmarkCreateGoroutinesCapture", 14.1, 7.5}}) {
    EXPECT_EQ(MedianUs(real[q.benchmark]), q.real_us) << q.benchmark;
    EXPECT_EQ(MedianUs(fit[q.benchmark]), q.fit_us) << q.benchmark;
  }
  // The other churn benchmarks, of 512 slots a span: 6.8 to 8.7 us, the
  // fit's 7.5.
  double lo = 1e9, hi = 0;
  for (const char* name :
       {"BenchmarkCallClosure2", "BenchmarkCallClosure4", "BenchmarkConvT2EUintptr",
        "BenchmarkConvT2ESmall", "BenchmarkConvT2ELarge", "BenchmarkConvT2IUintptr",
        "BenchmarkConvT2ISmall", "BenchmarkConvT2ILarge", "BenchmarkAllocation",
        "BenchmarkMallocTypeInfo16", "BenchmarkMalloc8"}) {
    ASSERT_GE(real[name].size(), 20u) << name;
    lo = std::min(lo, MedianUs(real[name]));
    hi = std::max(hi, MedianUs(real[name]));
    EXPECT_EQ(MedianUs(fit[name]), 7.5) << name;
  }
  EXPECT_EQ(lo, 6.8);
  EXPECT_EQ(hi, 8.7);
}

}  // namespace
}  // namespace thp
