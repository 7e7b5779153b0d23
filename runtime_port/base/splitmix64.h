// A small seeded generator for the model's recorded scheduler decisions
// that follow a measured distribution (a background mark's share, the
// goroutines a steal takes, sysmon's overshoot of a 10 ms sleep, whether a
// scavenge pass due inside a sweep waits for it) or a
// stated one (where a ramped goroutine is in its op after a cycle):
// splitmix64 (Steele, Lea and Flood, "Fast
// splittable pseudorandom number generators", 2014). Deterministic for a
// seed on every platform; not for anything that needs secrecy.
#ifndef THP_RUNTIME_PORT_BASE_SPLITMIX64_H_
#define THP_RUNTIME_PORT_BASE_SPLITMIX64_H_

#include <cstdint>

namespace thp {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  // The next 64 bits of the sequence.
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  // A point of [0, 1): the next draw's top 53 bits.
  double NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_SPLITMIX64_H_
