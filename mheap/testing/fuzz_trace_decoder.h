// Bytes to a heap-event trace (bench/workloads/trace_format.h), for the
// heaps' trace-level fuzzer (mheap/testing/mheap_fuzz.cc): any byte string
// decodes to a valid trace, so the fuzzer explores workloads rather than
// parse errors, and a failing input prints as a trace a developer can keep.
//
// The decoder keeps the trace's state (live object, stack and goroutine
// ids, live bytes) as the replayer will, so every event it writes is one
// the replayer accepts: drops, retains, unstacks and goroutine events name
// a live id (and are left out when none is live), ids are never reused, P
// is below `gomaxprocs`, and sizes are bounded: live and retained objects
// together at most kFuzzMaxLiveBytes, live raw stacks as much again, at
// most 256 running goroutines, at most 64 newm events (an event past a
// bound is left out).
//
// Each event starts with an op byte; op % 19 picks the event, and the next
// bytes (0 once the input runs out) are its operands:
//   0, 1  alloc      s, f: s < 0xc0: 1 + 171*s bytes (a size class, up to
//                    32 KiB); else a large object of 32 KiB + k pages,
//                    k = (s - 0xc0) + 64*(f >> 4), plus 100 bytes if f & 8.
//                    P f & 3 (mod gomaxprocs), noscan if f & 4; a small
//                    one (s < 0xc0) on the system stack if f & 8, stored
//                    through a write barrier if f & 0x10, with a
//                    finalizer if f & 0x20, a chain link if f & 0x40
//   2     drop       b: the (b mod live)th live object
//   3     stack      b: 2 KiB << (b % 8) bytes (to 256 KiB), P b >> 3
//   4     unstack    b, q: the (b mod live)th live stack, on P q
//   5     go         b: a new goroutine on P b
//   6     gogrow     b, c: the (b mod running)th goroutine's stack becomes
//                    2 KiB << (c % 8), on P c >> 3
//   7     goexit     b, q: the (b mod running)th goroutine exits on P q
//   8     gc
//   9     freeosmemory
//   10    compute    b: (b + 1) * 100 us busy
//   11    sleep      b: (b + 1)^2 * 10 ms idle (to 11 minutes: sysmon's
//                    forced GC after 2 minutes and its scavenger's 5-minute
//                    idle limit are reached)
//   12    retain     b: the (b mod live)th live object
//   13    release
//   14    loop       n, shape, s, t: 1 + n % 32 iterations of t * 10 us each;
//                    the body (fresh ids, the same each iteration) is one
//                    of these, shape >> 2 mod 6: 0 m transient allocs
//                    (alloc x; drop x), 1 m retained allocs (alloc x;
//                    retain x), 2 a block (m allocs, then their drops in
//                    order), 3 m stacks (stack x; unstack x), 4 a
//                    nosafepoint loop of m - 1 allocs on the system stack,
//                    each retained if s & 2, else dropped (empty when m is
//                    1), 5 m goroutines started on P s, then ended on P
//                    s >> 2 (their starts of work 0 if s & 0x10, their
//                    exits of work 1 + (s >> 6) if s & 0x20); m = 1 +
//                    shape % 3; object sizes 1 + 128*s bytes, noscan if
//                    s & 1, stacks 2 KiB << (s % 4), P s; every P busy if
//                    shape & 0x80; pmove n >> 5 unless 0, and then a move
//                    line at (t >> 1) mod (body size + 1) if t & 1, else
//                    for goroutines if t & 2 psteal with weight (t >> (2 +
//                    j)) & 1 for j = 0 to 5 (1 for 0 alone if all are 0),
//                    and then one more byte u: if u & 1, pstay with weight
//                    (u >> (1 + j)) & 1 for j = 0 to m and psteal cut to
//                    its first m + 1 weights (either 1 for 0 alone if all
//                    are 0)
//   15    gouse      b, c, q: the (b mod running)th goroutine uses
//                    512 * (c + 1) bytes of stack (to 128 KiB), on P q;
//                    if q & 0x80, as a ramp over ((q & 0x7f) + 1) * 100 us
//   16    readmemstats
//   17    newm       b: at the start of the (1 + b % 8)th background cycle
//                    from here, or at its end if b & 0x80
//   18    release n  b: the 1 + (b mod retained) objects retained last (their
//                    bytes count toward the bound until a full release)
// (a P operand is taken mod gomaxprocs). Retained loop objects count
// toward the bound (a loop that would pass it is left out).
#ifndef THP_MHEAP_TESTING_FUZZ_TRACE_DECODER_H_
#define THP_MHEAP_TESTING_FUZZ_TRACE_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench/workloads/trace_format.h"

namespace thp {

inline constexpr uint64_t kFuzzMaxLiveBytes = uint64_t{64} << 20;

std::vector<TraceEvent> DecodeFuzzTrace(const uint8_t* data, size_t size, int gomaxprocs);

}  // namespace thp

#endif  // THP_MHEAP_TESTING_FUZZ_TRACE_DECODER_H_
