#include "runtime_port/memstream/recorder.h"

#include <utility>

namespace thp {

MemStreamRecorder::MemStreamRecorder(std::FILE* out, std::function<int64_t()> now)
    : out_(out), now_(std::move(now)) {
  ok_ = std::fprintf(out_, "%s\n", std::string(kMemStreamHeader).c_str()) > 0;
  PutAt(now_());
}

void MemStreamRecorder::PutAt(int64_t t) {
  last_ns_ = t;
  MemRecord at;
  at.kind = MemRecord::kAt;
  at.addr = static_cast<uint64_t>(t);
  Write(at);
}

void MemStreamRecorder::Write(const MemRecord& r) {
  ok_ = ok_ && std::fprintf(out_, "%s\n", FormatMemRecord(r).c_str()) > 0;
}

void MemStreamRecorder::Put(MemRecord r) {
  if (const int64_t t = now_(); t != last_ns_) PutAt(t);
  Write(r);
  ++records_;
}

namespace {

MemRecord Range(MemRecord::Kind k, uint64_t v, uint64_t n) {
  MemRecord r;
  r.kind = k;
  r.addr = v;
  r.len = n;
  return r;
}

}  // namespace

void MemStreamRecorder::OnSysAlloc(uintptr_t p, uintptr_t n, int err) {
  MemRecord r = Range(MemRecord::kSysAlloc, 0, n);
  r.result = p;
  r.err = err;
  Put(std::move(r));
}

void MemStreamRecorder::OnSysReserve(uintptr_t v, uintptr_t n, uintptr_t p, bool reserved) {
  MemRecord r = Range(MemRecord::kSysReserve, v, n);
  r.result = p;
  r.flag = reserved;
  Put(std::move(r));
}

void MemStreamRecorder::OnSysMap(uintptr_t v, uintptr_t n, bool reserved) {
  MemRecord r = Range(MemRecord::kSysMap, v, n);
  r.flag = reserved;
  Put(std::move(r));
}

void MemStreamRecorder::OnSysUnused(uintptr_t v, uintptr_t n) {
  Put(Range(MemRecord::kSysUnused, v, n));
}
void MemStreamRecorder::OnSysUsed(uintptr_t v, uintptr_t n) {
  Put(Range(MemRecord::kSysUsed, v, n));
}
void MemStreamRecorder::OnSysFree(uintptr_t v, uintptr_t n) {
  Put(Range(MemRecord::kSysFree, v, n));
}
void MemStreamRecorder::OnSysFault(uintptr_t v, uintptr_t n) {
  Put(Range(MemRecord::kSysFault, v, n));
}
void MemStreamRecorder::OnHeapGrown(uintptr_t v, uintptr_t n) {
  Put(Range(MemRecord::kHeapGrown, v, n));
}
void MemStreamRecorder::OnChunkBecameDense(uintptr_t chunk, uint64_t alloc_pages) {
  Put(Range(MemRecord::kChunkDense, chunk, alloc_pages));
}
void MemStreamRecorder::OnBeforeChunkScavenge(uintptr_t chunk) {
  Put(Range(MemRecord::kChunkScavenge, chunk, 0));
}
void MemStreamRecorder::OnScavengePass(bool begin) {
  MemRecord r;
  r.kind = begin ? MemRecord::kPassBegin : MemRecord::kPassEnd;
  Put(std::move(r));
}
void MemStreamRecorder::OnTouch(uintptr_t v, uintptr_t n) { Put(Range(MemRecord::kTouch, v, n)); }
void MemStreamRecorder::OnSysAllocOS(uintptr_t p, uintptr_t n) {
  MemRecord r = Range(MemRecord::kSysAllocOS, 0, n);
  r.result = p;
  Put(std::move(r));
}
void MemStreamRecorder::OnSysFreeOS(uintptr_t v, uintptr_t n) {
  Put(Range(MemRecord::kSysFreeOS, v, n));
}
void MemStreamRecorder::OnSysUsedPrepared(uintptr_t v, uintptr_t n, uintptr_t prepared) {
  MemRecord r = Range(MemRecord::kSysUsedPrepared, v, n);
  r.result = prepared;
  Put(std::move(r));
}
void MemStreamRecorder::OnSysHugePage(uintptr_t v, uintptr_t n, AdviceSite site, bool huge) {
  MemRecord r = Range(huge ? MemRecord::kSysHugePage : MemRecord::kSysNoHugePage, v, n);
  r.result = static_cast<uint64_t>(site);
  Put(std::move(r));
}
void MemStreamRecorder::Go121Heap() { Put(Range(MemRecord::kGo121Heap, 0, 0)); }

void MemStreamRecorder::Bench(size_t index, size_t total, absl::string_view name) {
  MemRecord r = Range(MemRecord::kBench, index, total);
  r.text = std::string(name);
  Put(std::move(r));
}
void MemStreamRecorder::Run(int64_t n) {
  Put(Range(MemRecord::kRun, static_cast<uint64_t>(n), 0));
}
void MemStreamRecorder::RunEnd(int64_t iterations) {
  Put(Range(MemRecord::kRunEnd, 0, static_cast<uint64_t>(iterations)));
}
void MemStreamRecorder::Sample(uintptr_t lo, uintptr_t hi) {
  Put(Range(MemRecord::kSample, lo, hi));
}
void MemStreamRecorder::Gctrace(absl::string_view line) {
  MemRecord r;
  r.kind = MemRecord::kGctrace;
  r.text = std::string(line);
  Put(std::move(r));
}
void MemStreamRecorder::End(absl::string_view totals) {
  MemRecord r;
  r.kind = MemRecord::kEnd;
  r.text = std::string(totals);
  Put(std::move(r));
}

}  // namespace thp
