// Writes the memory-layer stream (mem_stream.h) of one heap run: installed
// as the MemLinux observer from the heap's first call on
// (RuntimeOptions::mem_observer), it writes each memory-layer call as it
// enters, preceded by an "at" record whenever the virtual clock moved; the
// driver adds its markers (bench, run, sample, gctrace, end) in order.
// Recording only reads: the run is the same with or without it.
#ifndef THP_RUNTIME_PORT_MEMSTREAM_RECORDER_H_
#define THP_RUNTIME_PORT_MEMSTREAM_RECORDER_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "runtime_port/mem_linux/mem_linux.h"
#include "runtime_port/memstream/mem_stream.h"

namespace thp {

class MemStreamRecorder final : public MemLinuxObserver {
 public:
  // Writes to `out` (not owned, open for writing); `now` is the virtual
  // clock. Writes the header and the clock's time at once.
  MemStreamRecorder(std::FILE* out, std::function<int64_t()> now);

  void OnSysAlloc(uintptr_t p, uintptr_t n, int err) override;
  void OnSysReserve(uintptr_t v, uintptr_t n, uintptr_t p, bool reserved) override;
  void OnSysMap(uintptr_t v, uintptr_t n, bool reserved) override;
  void OnSysUnused(uintptr_t v, uintptr_t n) override;
  void OnSysUsed(uintptr_t v, uintptr_t n) override;
  void OnSysFree(uintptr_t v, uintptr_t n) override;
  void OnSysFault(uintptr_t v, uintptr_t n) override;
  void OnHeapGrown(uintptr_t v, uintptr_t n) override;
  void OnChunkBecameDense(uintptr_t chunk, uint64_t alloc_pages) override;
  void OnBeforeChunkScavenge(uintptr_t chunk) override;
  void OnScavengePass(bool begin) override;
  void OnTouch(uintptr_t v, uintptr_t n) override;
  void OnSysAllocOS(uintptr_t p, uintptr_t n) override;
  void OnSysFreeOS(uintptr_t v, uintptr_t n) override;
  void OnSysUsedPrepared(uintptr_t v, uintptr_t n, uintptr_t prepared) override;
  void OnSysHugePage(uintptr_t v, uintptr_t n, AdviceSite site, bool huge) override;
  // The stream is the Go 1.21 heap's: call before its first call.
  void Go121Heap();

  // The driver's markers.
  void Bench(size_t index, size_t total, absl::string_view name);
  void Run(int64_t n);
  void RunEnd(int64_t iterations);
  void Sample(uintptr_t lo, uintptr_t hi);
  void Gctrace(absl::string_view line);
  // The last record: the heap run's totals as key=value words.
  void End(absl::string_view totals);

  int64_t records() const { return records_; }
  // False once a write failed (the stream is then incomplete).
  bool ok() const { return ok_; }

 private:
  // A record of the run, after an "at" record if the clock moved.
  void Put(MemRecord r);
  // The clock's record (not counted in records()).
  void PutAt(int64_t t);
  void Write(const MemRecord& r);

  std::FILE* out_;
  std::function<int64_t()> now_;
  int64_t last_ns_ = 0;
  int64_t records_ = 0;
  bool ok_ = true;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEMSTREAM_RECORDER_H_
