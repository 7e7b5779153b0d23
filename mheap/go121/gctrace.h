// The trace lines of GODEBUG=gctrace=1 and GODEBUG=scavtrace=1 in Go 1.21's
// formats (go1.21.0 = master 21ff9be0eb; unchanged through 1.21.6):
// gcMarkTermination's per-cycle gc line (mgc.go) and printScavTrace's scav
// line (mgcscavenge.go). forcegchelper's "GC forced" (proc.go) is a fixed
// string.
//
// What the model does not have prints the way it is modelled. A cycle is
// instantaneous (mgc.h: the whole cycle runs inside the allocation or call
// that starts it, no mark workers, no assists), so work.tSweepTerm,
// tMark, tMarkTerm and tEnd are one instant: the three wall-clock phases
// print 0, and so do the five CPU times (sweep termination, assist,
// dedicated + fractional mark, idle mark, mark termination); the CPU
// utilisation (memstats.gc_cpu_fraction, the GC's share of CPU time since
// the program started) prints 0%. The cycle number, its start (the virtual
// clock at gcStart, since the runtime's start), the three heap sizes
// (heapLive at gcStart and at mark termination, bytes marked), the goal,
// the stack and globals bytes scanned and the P count are the model's own.
#ifndef THP_MHEAP_GO121_GCTRACE_H_
#define THP_MHEAP_GO121_GCTRACE_H_

#include <cstdint>
#include <string>

#include "mheap/go121/mgc.h"

namespace thp {
namespace go121 {

// "gc <n> @<s.mmm>s <u>%: <a>+<b>+<c> ms clock, <d>+<e>/<f>/<g>+<h> ms cpu,
//  <h0>-><h1>-><h2> MB, <goal> MB goal, <st> MB stacks, <gl> MB globals,
//  <p> P[ (forced)]"; (forced) for runtime.GC (work.userForced).
std::string GcLine(const GcCycle& cycle, int64_t runtime_init_ns, int procs);

// "scav <bg> KiB work (bg), <eager> KiB work (eager), <rel> KiB now,
//  <u>% util[ (forced)| [controller reset]]": released_bg and released_eager
// since the last line, gcController.heapReleased, and heapInUse as a
// percentage of heapRetained (heap_retained 0 prints 0%, where Go would
// divide by zero: a heap with nothing retained has printed no line yet).
std::string ScavTraceLine(uint64_t released_bg, uint64_t released_eager, uint64_t heap_released,
                          uint64_t heap_in_use, uint64_t heap_retained, bool forced,
                          bool controller_reset);

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_GCTRACE_H_
