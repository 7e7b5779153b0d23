// The runtime's nanotime(), injected. Nothing in the port sleeps: tests and
// drivers advance a VirtualClock.
#ifndef THP_RUNTIME_PORT_BASE_CLOCK_H_
#define THP_RUNTIME_PORT_BASE_CLOCK_H_

#include <cstdint>

namespace thp {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NanoTime() const = 0;
};

class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(int64_t start_ns = 1) : now_(start_ns) {}
  int64_t NanoTime() const override { return now_; }
  void Advance(int64_t ns) { now_ += ns; }
  void Set(int64_t ns) { now_ = ns; }

 private:
  int64_t now_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_CLOCK_H_
