// Makes the driver's own address-space layout the same on every run.
//
// With address-space randomisation, whether two of the process's mappings
// land next to each other (and merge into one VMA) changes from run to run,
// so the process's VMA count, and with it the heap size at which
// vm.max_map_count is reached, wobbles by a VMA or two. ReexecWithFixedLayout
// turns randomisation off for this process only (personality(2) with
// ADDR_NO_RANDOMIZE, an unprivileged per-process setting, like
// `setarch -R`) and re-executes the binary once. No system setting changes.
#ifndef THP_BENCH_HARNESS_FIXED_LAYOUT_H_
#define THP_BENCH_HARNESS_FIXED_LAYOUT_H_

namespace thp {

// Returns normally when the layout is already fixed (or cannot be fixed, in
// which case a one-line notice goes to stderr); otherwise does not return.
void ReexecWithFixedLayout(int argc, char** argv);

// Makes glibc serve this process's own allocations from a brk heap grown
// now (512 MiB) and never trimmed, never from mmap: nothing the harness or
// the port's own tables allocate later needs a mapping of its own. Such a
// mapping would be a VMA the real kernel counts and the simulated one does
// not, and brk and mmap both fail once map_count passes the limit. For the
// drivers that run a heap into vm.max_map_count (vma_limit, pessimal).
void ReserveOwnHeap();

}  // namespace thp

#endif  // THP_BENCH_HARNESS_FIXED_LAYOUT_H_
