#include "mheap/testing/fuzz_trace_decoder.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace thp {
namespace {

// Running goroutines at most (each stack at most 256 KiB).
constexpr size_t kMaxGoroutines = 256;
// newm events at most (each M keeps an m struct and two stacks for good).
constexpr int kMaxNewMs = 64;

class Decoder {
 public:
  Decoder(const uint8_t* data, size_t size, int gomaxprocs)
      : data_(data), size_(size), procs_(gomaxprocs) {}

  std::vector<TraceEvent> Run() {
    while (i_ < size_) Op(Next() % 19);
    return std::move(out_);
  }

 private:
  uint8_t Next() { return i_ < size_ ? data_[i_++] : 0; }
  int P(uint8_t b) const { return b % procs_; }
  TraceEvent Event(TraceEvent::Kind kind, uint64_t id = 0) {
    TraceEvent e{};
    e.kind = kind;
    e.id = id;
    return e;
  }
  // Removes and returns the (b mod size)th element.
  template <typename T>
  static T Take(std::vector<T>& v, uint8_t b) {
    const size_t k = b % v.size();
    T x = v[k];
    v[k] = v.back();
    v.pop_back();
    return x;
  }

  void Op(uint8_t op) {
    switch (op) {
      case 0:
      case 1: {
        const uint8_t s = Next(), f = Next();
        uint64_t bytes = 1 + 171 * uint64_t{s};
        if (s >= 0xc0) {
          bytes = (32 << 10) + ((s - 0xc0) + 64 * uint64_t{static_cast<uint8_t>(f >> 4)}) * 8192 +
                  ((f & 8) != 0 ? 100 : 0);
        }
        if (live_bytes_ + bytes > kFuzzMaxLiveBytes) return;
        TraceEvent e = Event(TraceEvent::kAlloc, ++next_id_);
        e.bytes = bytes;
        e.noscan = (f & 4) != 0;
        e.system_stack = s < 0xc0 && (f & 8) != 0;
        e.write_barrier = s < 0xc0 && (f & 0x10) != 0;
        e.finalizer = s < 0xc0 && (f & 0x20) != 0;
        e.chain = s < 0xc0 && (f & 0x40) != 0;
        e.p = P(f & 3);
        out_.push_back(e);
        objects_.emplace_back(e.id, bytes);
        live_bytes_ += bytes;
        return;
      }
      case 2: {
        const uint8_t b = Next();
        if (objects_.empty()) return;
        const auto [id, bytes] = Take(objects_, b);
        live_bytes_ -= bytes;
        out_.push_back(Event(TraceEvent::kDrop, id));
        return;
      }
      case 3: {
        const uint8_t b = Next();
        const uint64_t bytes = uint64_t{2048} << (b % 8);
        if (stack_bytes_ + bytes > kFuzzMaxLiveBytes) return;
        TraceEvent e = Event(TraceEvent::kStack, ++next_id_);
        e.bytes = bytes;
        e.p = P(b >> 3);
        out_.push_back(e);
        stacks_.emplace_back(e.id, bytes);
        stack_bytes_ += bytes;
        return;
      }
      case 4: {
        const uint8_t b = Next(), q = Next();
        if (stacks_.empty()) return;
        const auto [id, bytes] = Take(stacks_, b);
        stack_bytes_ -= bytes;
        TraceEvent e = Event(TraceEvent::kUnstack, id);
        e.p = P(q);
        out_.push_back(e);
        return;
      }
      case 5: {
        if (goroutines_.size() >= kMaxGoroutines) {
          Next();
          return;
        }
        TraceEvent e = Event(TraceEvent::kGo, ++next_gid_);
        e.p = P(Next());
        out_.push_back(e);
        goroutines_.push_back(e.id);
        return;
      }
      case 6: {
        const uint8_t b = Next(), c = Next();
        if (goroutines_.empty()) return;
        TraceEvent e = Event(TraceEvent::kGoGrow, goroutines_[b % goroutines_.size()]);
        e.bytes = uint64_t{2048} << (c % 8);
        e.p = P(c >> 3);
        out_.push_back(e);
        return;
      }
      case 7: {
        const uint8_t b = Next(), q = Next();
        if (goroutines_.empty()) return;
        TraceEvent e = Event(TraceEvent::kGoExit, Take(goroutines_, b));
        e.p = P(q);
        out_.push_back(e);
        return;
      }
      case 8:
        out_.push_back(Event(TraceEvent::kGc));
        return;
      case 9:
        out_.push_back(Event(TraceEvent::kFreeOsMemory));
        return;
      case 10: {
        TraceEvent e = Event(TraceEvent::kCompute);
        e.ns = (int64_t{Next()} + 1) * 100000;
        out_.push_back(e);
        return;
      }
      case 11: {
        const int64_t b = int64_t{Next()} + 1;
        TraceEvent e = Event(TraceEvent::kSleep);
        e.ns = b * b * 10000000;
        out_.push_back(e);
        return;
      }
      case 12: {
        const uint8_t b = Next();
        if (objects_.empty()) return;
        const auto [id, bytes] = Take(objects_, b);
        out_.push_back(Event(TraceEvent::kRetain, id));
        retained_bytes_ += bytes;  // still in live_bytes_, until the release
        ++retained_;
        return;
      }
      case 13:
        out_.push_back(Event(TraceEvent::kRelease));
        live_bytes_ -= retained_bytes_;
        retained_bytes_ = 0;
        retained_ = 0;
        return;
      case 14:
        Loop();
        return;
      case 15: {
        const uint8_t b = Next(), c = Next(), q = Next();
        if (goroutines_.empty()) return;
        TraceEvent e = Event(TraceEvent::kGoUse, goroutines_[b % goroutines_.size()]);
        e.bytes = 512 * (uint64_t{c} + 1);
        e.p = P(q);
        if ((q & 0x80) != 0) e.ns = (int64_t{q & 0x7f} + 1) * 100000;
        out_.push_back(e);
        return;
      }
      case 16:
        out_.push_back(Event(TraceEvent::kReadMemStats));
        return;
      case 18: {
        // The bytes stay counted (a bound, not a tally) until a full release.
        const uint8_t b = Next();
        if (retained_ == 0) return;
        const uint64_t n = 1 + b % retained_;
        retained_ -= n;
        out_.push_back(Event(TraceEvent::kRelease, n));
        return;
      }
      case 17: {
        const uint8_t b = Next();
        if (new_ms_ >= kMaxNewMs) return;
        ++new_ms_;
        TraceEvent e = Event(TraceEvent::kNewM, 1 + b % 8);
        e.at_cycle_end = (b & 0x80) != 0;
        out_.push_back(e);
        return;
      }
    }
  }

  void Loop() {
    const uint8_t n = Next(), shape = Next(), s = Next(), t = Next();
    TraceEvent loop = Event(TraceEvent::kLoop, 1 + n % 32);
    loop.ns = int64_t{t} * 10000;
    const int kind = (shape >> 2) % 6;
    const int m = 1 + shape % 3;
    const uint64_t bytes = 1 + 128 * uint64_t{s};
    std::vector<TraceEvent> body;
    auto alloc = [&](uint64_t id) {
      TraceEvent e = Event(TraceEvent::kAlloc, id);
      e.bytes = bytes;
      e.noscan = (s & 1) != 0;
      e.p = P(s);
      return e;
    };
    switch (kind) {
      case 0:
      case 1:
        for (int k = 0; k < m; ++k) {
          const uint64_t id = ++next_id_;
          body.push_back(alloc(id));
          body.push_back(Event(kind == 0 ? TraceEvent::kDrop : TraceEvent::kRetain, id));
        }
        break;
      case 2: {
        const uint64_t first = next_id_ + 1;
        for (int k = 0; k < m; ++k) body.push_back(alloc(++next_id_));
        for (int k = 0; k < m; ++k) body.push_back(Event(TraceEvent::kDrop, first + k));
        break;
      }
      case 3:
        for (int k = 0; k < m; ++k) {
          TraceEvent e = Event(TraceEvent::kStack, ++next_id_);
          e.bytes = uint64_t{2048} << (s % 4);
          e.p = P(s);
          TraceEvent u = Event(TraceEvent::kUnstack, e.id);
          u.p = P(s >> 2);
          body.push_back(e);
          body.push_back(u);
        }
        break;
      case 5: {
        // Goroutines started and then ending within each iteration, their
        // starts and exits stating work or not (go and goexit lines'
        // "work <units>").
        const uint64_t first = next_gid_ + 1;
        for (int k = 0; k < m; ++k) {
          TraceEvent e = Event(TraceEvent::kGo, ++next_gid_);
          e.p = P(s);
          if ((s & 0x10) != 0) {
            e.work_stated = true;
            e.work = 0;
          }
          body.push_back(e);
        }
        for (int k = 0; k < m; ++k) {
          TraceEvent e = Event(TraceEvent::kGoExit, first + static_cast<uint64_t>(k));
          e.p = P(s >> 2);
          if ((s & 0x20) != 0) {
            e.work_stated = true;
            e.work = 1 + (s >> 6);
          }
          body.push_back(e);
        }
        break;
      }
      case 4:
        // Only what reaches no safe point: allocs on the system stack, each
        // dropped or retained.
        loop.no_safe_point = true;
        for (int k = 0; k < m - 1; ++k) {
          const uint64_t id = ++next_id_;
          TraceEvent e = alloc(id);
          e.system_stack = true;
          body.push_back(e);
          body.push_back(Event((s & 2) != 0 ? TraceEvent::kRetain : TraceEvent::kDrop, id));
        }
        break;
    }
    if (kind == 1 || (kind == 4 && (s & 2) != 0)) {
      const uint64_t retained = loop.id * static_cast<uint64_t>(kind == 4 ? m - 1 : m) * bytes;
      if (live_bytes_ + retained > kFuzzMaxLiveBytes) return;
      live_bytes_ += retained;
      retained_bytes_ += retained;
      retained_ += loop.id * static_cast<uint64_t>(kind == 4 ? m - 1 : m);
    }
    // Any loop may keep every P busy: that changes only when the runtime's
    // own goroutines get a P.
    loop.every_p_busy = (shape & 0x80) != 0;
    // The count's high bits (the low five give the iterations): a pmove of
    // 1 to 7 iterations, or none.
    loop.p_move = n >> 5;
    // And in such a loop, the time's low bit puts the move marker into the
    // body, where its other bits say.
    if (loop.p_move != 0 && (t & 1) != 0) {
      body.insert(body.begin() + static_cast<std::ptrdiff_t>((t >> 1) % (body.size() + 1)),
                  Event(TraceEvent::kMove));
    } else if (loop.p_move != 0 && kind == 5 && (t & 2) != 0) {
      // Or, for a goroutine body, psteal weights 0 or 1 for draws of 0 to
      // 5 exits from t's other bits (past the body's one to three exits
      // too), or 1 for 0 alone when those are all 0.
      for (int j = 0; j < 6; ++j) loop.p_steal.push_back((t >> (2 + j)) & 1);
      if ((t >> 2) == 0) loop.p_steal = {1};
      // One more byte: if its low bit is set, pstay weights 0 or 1 for
      // draws of 0 to m exits from its next bits (1 for 0 alone when those
      // are all 0), and psteal's cut to as many (1 for 0 alone when what
      // is left is all 0): a pstay loop draws within the body's exits.
      const uint8_t u = Next();
      if ((u & 1) != 0) {
        for (int j = 0; j <= m; ++j) loop.p_stay.push_back((u >> (1 + j)) & 1);
        if (std::none_of(loop.p_stay.begin(), loop.p_stay.end(), [](uint64_t w) { return w; })) {
          loop.p_stay = {1};
        }
        loop.p_steal.resize(static_cast<size_t>(m) + 1);
        if (std::none_of(loop.p_steal.begin(), loop.p_steal.end(), [](uint64_t w) { return w; })) {
          loop.p_steal = {1};
        }
      }
    }
    // A body of allocs, drops and retains whose loop neither keeps every P
    // busy nor moves may reach its safe points only at its allocs, where
    // the time's low bit (which only a pmove loop reads otherwise) says.
    if (kind <= 2 && !loop.every_p_busy && loop.p_move == 0 && (t & 1) != 0) {
      loop.alloc_safe_points = true;
    }
    out_.push_back(loop);
    for (TraceEvent& e : body) out_.push_back(std::move(e));
    out_.push_back(Event(TraceEvent::kEnd));
  }

  const uint8_t* data_;
  size_t size_;
  size_t i_ = 0;
  int procs_;
  std::vector<TraceEvent> out_;
  uint64_t next_id_ = 0, next_gid_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> objects_;  // id, bytes
  std::vector<std::pair<uint64_t, uint64_t>> stacks_;   // id, bytes
  std::vector<uint64_t> goroutines_;
  uint64_t live_bytes_ = 0;      // live and retained objects
  uint64_t retained_bytes_ = 0;  // of which retained
  uint64_t retained_ = 0;        // retained objects not yet released
  uint64_t stack_bytes_ = 0;
  int new_ms_ = 0;
};

}  // namespace

std::vector<TraceEvent> DecodeFuzzTrace(const uint8_t* data, size_t size, int gomaxprocs) {
  return Decoder(data, size, gomaxprocs).Run();
}

}  // namespace thp
