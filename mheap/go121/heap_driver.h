// Test support: the Go 1.21 heap driven by a byte-coded op sequence, with the
// heap's and the simulated kernel's checkers run after every op. The random
// test feeds it seeded bytes, the fuzz target libFuzzer's.
//
// Each op is an op byte and an argument byte:
//   0 alloc      a heap span of 1 + a%32 pages, or (a & 0x1f)*64 + 256 if a >= 0xe0
//   1 stack      a stack span of 1 + a%8 pages
//   2 free       the live span a % live (freeSpan or freeManual)
//   3 scavenge   scavengeAll (FreeOSMemory's release)
//   4 gc         mark termination with a goal of 1 + a%64 MiB (2 GiB if a == 0xff);
//                sweeping ends: the sweeper readies the scavenger, sysmon wakes it
//   5 tick       a*10 ms of virtual time; the background scavenger runs what is due
//   6 p          the running P becomes a % (nprocs+1) - 1 (-1: no P)
//   7 limit      GOMEMLIMIT: unlimited if a == 0, else mappedReady + (a-128)*64 KiB
//   8 flush      the page cache of P a % nprocs
#ifndef THP_MHEAP_GO121_HEAP_DRIVER_H_
#define THP_MHEAP_GO121_HEAP_DRIVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mheap/go121/mem_linux.h"
#include "mheap/go121/mheap.h"
#include "runtime_port/base/check.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "scavenger/go121/bg_scavenger.h"

namespace thp {
namespace go121 {

class HeapDriver {
 public:
  static constexpr int kOps = 9;

  HeapDriver(const std::string& variant, int nprocs) : nprocs_(nprocs) {
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(sim_, variant);
    THP_CHECK(m.ok(), std::string(m.status().message()));
    mem_ = *std::move(m);
    heap_ = std::make_unique<MHeap>(*mem_, clock_, nprocs);
    bg_ = std::make_unique<BackgroundScavenger>(clock_, heap_->BackgroundScavengerHooks());
  }
  ~HeapDriver() {
    bg_.reset();
    heap_.reset();
  }

  void Step(uint8_t op, uint8_t a) {
    switch (op % kOps) {
      case 0: {
        const uintptr_t n = a >= 0xe0 ? uintptr_t{a & 0x1fu} * 64 + 256 : 1 + a % 32;
        MSpan* s = heap_->Alloc(n, /*spanclass=*/static_cast<uint8_t>(a % 136));
        THP_CHECK(s != nullptr && s->npages == n, "heap allocation failed");
        live_.push_back({s, false});
        break;
      }
      case 1: {
        MSpan* s = heap_->AllocManual(1 + a % 8, SpanAllocType::kStack);
        THP_CHECK(s != nullptr, "stack allocation failed");
        live_.push_back({s, true});
        break;
      }
      case 2: {
        if (live_.empty()) break;
        const size_t i = a % live_.size();
        auto [s, stack] = live_[i];
        live_[i] = live_.back();
        live_.pop_back();
        if (stack) {
          heap_->FreeManual(s, SpanAllocType::kStack);
        } else {
          heap_->FreeSpan(s);
        }
        break;
      }
      case 3: heap_->ScavengeAll(); break;
      case 4:
        heap_->GcMarkTermination(a == 0xff ? uint64_t{2} << 30 : static_cast<uint64_t>(1 + a % 64) << 20);
        bg_->Ready();
        bg_->SysmonCheck();
        break;
      case 5:
        clock_.Advance(int64_t{a} * 10'000'000);
        bg_->RunDue();
        break;
      case 6: heap_->set_current_p(a % (nprocs_ + 1) - 1); break;
      case 7:
        if (a == 0) {
          heap_->SetMemoryLimit(INT64_MAX);
        } else {
          const int64_t m = static_cast<int64_t>(mem_->mapped_ready()) + (int64_t{a} - 128) * 65536;
          heap_->SetMemoryLimit(m > 0 ? m : 0);
        }
        break;
      case 8: heap_->FlushPageCache(a % nprocs_); break;
    }
    heap_->CheckInvariants();
    sim_.CheckInvariants();
  }

  // Runs a whole byte string: op, argument, op, argument, ...
  void Run(const uint8_t* data, size_t size) {
    for (size_t i = 0; i + 1 < size; i += 2) Step(data[i], data[i + 1]);
  }

  MHeap& heap() { return *heap_; }
  MemLinux& mem() { return *mem_; }
  SimulatedKernel& sim() { return sim_; }
  BackgroundScavenger& bg() { return *bg_; }
  size_t live() const { return live_.size(); }

 private:
  int nprocs_;
  SimulatedKernel sim_;
  VirtualClock clock_{1'000'000'000};
  std::unique_ptr<MemLinux> mem_;
  std::unique_ptr<MHeap> heap_;
  std::unique_ptr<BackgroundScavenger> bg_;
  std::vector<std::pair<MSpan*, bool>> live_;  // span, is a stack
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_HEAP_DRIVER_H_
