// The trace lines of GODEBUG=gctrace=1, in Go 1.5's formats (mgc.go,
// mheap.go, proc1.go): the scavenger's two lines, "GC forced", and the
// per-cycle gc line. The port's cycles have one length each (a background
// cycle's concurrent mark, a blocking cycle's stopped world: mgc.h), so the
// gc line has that in the phase Go times it in and 0 for every other time;
// the cycle number, start time, heap sizes, goal and P count are the
// model's own.
#ifndef THP_SCAVENGER_GCTRACE_H_
#define THP_SCAVENGER_GCTRACE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "mheap/go15/mgc.h"
#include "mheap/go15/mstats.h"

namespace thp {

// Where the gctrace lines go, one call per line without its newline
// (stderr in the drivers, a buffer in tests). "Trace" alone in this project
// means the heap-event trace of bench/workloads/trace_format.h.
using GcTraceWriter = std::function<void(const std::string& line)>;

// "scvg<k>: <n> MB released"
std::string ScvgReleasedLine(int32_t k, uint64_t released_bytes);
// "scvg<k>: inuse: <i>, idle: <d>, sys: <s>, released: <r>, consumed: <c> (MB)"
std::string ScvgStatsLine(int32_t k, const MemStats& stats);
// "gc <n> @<s.mmm>s <u>%: <clock> ms clock, <cpu> ms cpu, <h0>-><h1>-><h2> MB,
//  <goal> MB goal, <p> P[ (forced)]". Of Go 1.5's five clock phases only
// the concurrent mark (tMarkTerm - tMark, whole milliseconds as Go prints
// them) has a length here: the cycle's start to its end; the stop-the-world
// phases, the CPU times and the utilisation are 0.
std::string GcLine(const GcCycle& cycle, int64_t runtime_init_ns, int procs);

// Go's itoaDiv: val / 10^dec with dec decimals.
std::string ItoaDiv(uint64_t val, int dec);
// Go's fmtNSAsMS: whole milliseconds from 10 ms up, else two significant digits.
std::string FmtNsAsMs(uint64_t ns);

}  // namespace thp

#endif  // THP_SCAVENGER_GCTRACE_H_
