// The simulated kernel (linux6 profile) against the real one.
//
// Seeded random sequences of reserve / map / unmap / madvise / touch run on
// both kernels over the same 2 MiB-aligned 64 MiB range, fenced by read-only
// mappings so nothing outside can merge with it. After every step the errno,
// the VMA list of the range (start, end, prot, THP flag) and its resident and
// AnonHugePages bytes must be identical. On a divergence the test prints the
// seed, the step and both states.
//
// khugepaged runs asynchronously on the real kernel and may collapse a region
// of a VMA marked HUGEPAGE behind the test's back. It scans right after a
// process first asks for MADV_HUGEPAGE and then every scan_sleep_millisecs
// (10 s by default), pages_to_scan pages at a time, so when it reaches this
// process's arena depends on every other process registered with it. The
// test therefore does not rely on timing alone: before every step it reads
// khugepaged's pages_collapsed counter, and if that moved it adopts the
// collapses into the simulated kernel (CollapseRegion, the model of exactly
// that collapse) once it has shown they explain the whole difference: same
// VMAs and errno, and per VMA the extra AnonHugePages are 2 MiB regions the
// simulation has not collapsed, fully resident on the real kernel. Anything
// else, or a collapse it cannot pin to regions, is a divergence. Seeds are
// still started right after a khugepaged pass to make adoption rare, and a
// seed whose divergence coincides with a collapse in the middle of a step
// (where it cannot be adopted) runs once more; a second divergence fails.
// So does a seed whose divergence is an MADV_COLLAPSE the real kernel
// refused with EAGAIN: Linux's madvise_collapse reports a region whose
// pages it could not take at that moment (locked, off the LRU, or with a
// reference someone else holds for a moment: Linux commit ae63c898f400,
// "mm/MADV_COLLAPSE: set EAGAIN on unexpected page refcount") that way, a
// transient state the simulation does not model; a second such refusal
// fails too.
//
// Environment: THP_DIFF_SEEDS=a,b,c picks other seeds; THP_DIFF_OPS=N the
// number of steps per seed.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t kArena = 64 * kMiB;
constexpr uintptr_t kFence = 4 * kMiB;
constexpr uintptr_t kTestRangeHint = uintptr_t{0x200000000000};

struct Op {
  enum Kind { kReserve, kReserveFixed, kMap, kUnmap, kMadvise, kTouch } kind;
  uintptr_t off = 0;
  uintptr_t len = 0;
  Advice advice = Advice::kDontNeed;
  bool noreserve = false;
};

std::string OpToString(const Op& op) {
  const char* names[] = {"reserve", "reserve_fixed", "map", "unmap", "madvise", "touch"};
  std::string s = absl::StrFormat("%s +%#x len %#x", names[op.kind], op.off, op.len);
  if (op.kind == Op::kMadvise) absl::StrAppend(&s, " ", AdviceName(op.advice));
  if (op.kind == Op::kMap && op.noreserve) absl::StrAppend(&s, " noreserve");
  return s;
}

int Apply(Kernel& k, uintptr_t base, const Op& op) {
  const uintptr_t a = base + op.off;
  switch (op.kind) {
    case Op::kReserve: {
      MmapResult r = Reserve(k, a, op.len);
      if (r.err == 0 && r.addr != a) return -1;  // landed elsewhere: not comparable
      return r.err;
    }
    case Op::kReserveFixed:
      return k.Mmap(a, op.len, Prot::kNone, kMapFixed).err;
    case Op::kMap:
      return MapFixed(k, a, op.len, op.noreserve);
    case Op::kUnmap:
      return k.Munmap(a, op.len);
    case Op::kMadvise:
      return k.Madvise(a, op.len, op.advice);
    case Op::kTouch:
      return k.Touch(a, op.len);
  }
  return -2;
}

// A deterministic generator: absl::BitGen salts its seed per process on
// purpose, which would make a reported seed impossible to replay.
using Rng = std::mt19937_64;

template <typename T>
T Uniform(Rng& rng, T lo, T hi) {  // [lo, hi)
  return lo + static_cast<T>(rng() % static_cast<uint64_t>(hi - lo));
}

bool Bernoulli(Rng& rng, double p) { return (rng() >> 11) * 0x1.0p-53 < p; }

// Picks a length: mostly 8 KiB-granular spans, sometimes whole huge pages.
uintptr_t PickLen(Rng& rng, uintptr_t max) {
  uintptr_t len;
  switch (Uniform(rng, 0, 4)) {
    case 0: len = 8192 * Uniform<uintptr_t>(rng, 1, 5); break;
    case 1: len = 4096 * Uniform<uintptr_t>(rng, 1, 1024); break;
    case 2: len = 2 * kMiB * Uniform<uintptr_t>(rng, 1, 4); break;
    default: len = 8192 * Uniform<uintptr_t>(rng, 1, 1024); break;
  }
  return len > max ? max : len;
}

uintptr_t PickOff(Rng& rng, uintptr_t len) {
  uintptr_t room = kArena - len;
  switch (Uniform(rng, 0, 3)) {
    case 0: return RoundDown(Uniform<uintptr_t>(rng, 0, room + 1), 2 * kMiB);
    case 1: return RoundDown(Uniform<uintptr_t>(rng, 0, room + 1), 8192);
    default: return RoundDown(Uniform<uintptr_t>(rng, 0, room + 1), 4096);
  }
}

Op PickOp(Rng& rng, SimulatedKernel& sim, uintptr_t base) {
  Op op;
  int r = Uniform(rng, 0, 100);
  if (r < 6) {
    op.kind = Op::kMap;
  } else if (r < 9) {
    op.kind = Op::kReserveFixed;
  } else if (r < 11) {
    op.kind = Op::kReserve;
  } else if (r < 16) {
    op.kind = Op::kUnmap;
  } else if (r < 72) {
    op.kind = Op::kMadvise;
  } else {
    op.kind = Op::kTouch;
  }
  op.len = PickLen(rng, kArena);
  if (op.kind == Op::kMap) op.len = PickLen(rng, kArena) * (Bernoulli(rng, 0.5) ? 4 : 1);
  if (op.len > kArena) op.len = kArena;
  op.off = PickOff(rng, op.len);
  op.noreserve = Bernoulli(rng, 0.2);
  if (op.kind == Op::kMadvise) {
    int a = Uniform(rng, 0, 10);
    op.advice = a < 3   ? Advice::kDontNeed
                : a < 6 ? Advice::kHugePage
                : a < 9 ? Advice::kNoHugePage
                        : Advice::kCollapse;
  }
  if (op.kind == Op::kTouch && op.len > 8 * kMiB) op.len = 8 * kMiB;
  if (op.kind == Op::kReserve && !sim.RangeUnmapped(base + op.off, op.len)) {
    op.kind = Op::kReserveFixed;  // a hint that is taken lands elsewhere
  }
  return op;
}

int64_t KhugepagedStat(const char* name) {
  absl::StatusOr<std::string> t =
      ReadWholeFile(absl::StrCat("/sys/kernel/mm/transparent_hugepage/khugepaged/", name));
  int64_t v = -1;
  if (t.ok()) (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(*t), &v);
  return v;
}

int64_t KhugepagedCollapsed() { return KhugepagedStat("pages_collapsed"); }

// Registers this process with khugepaged (an MADV_HUGEPAGE on a scratch
// mapping wakes it) and waits until it has finished a pass over all
// registered processes, so the next pass is a full sleep period away.
// Returns when that quiet window ends (InfiniteFuture without khugepaged).
absl::Time SyncWithKhugepaged(LinuxKernel& k) {
  static uintptr_t scratch = 0;
  if (scratch == 0) {
    scratch = k.Mmap(0, 4 * kMiB, Prot::kReadWrite, 0).addr;
    k.Madvise(scratch, 4 * kMiB, Advice::kHugePage);
  }
  const int64_t scans = KhugepagedStat("full_scans");
  const int64_t sleep_ms = KhugepagedStat("scan_sleep_millisecs");
  if (scans < 0 || sleep_ms < 0) return absl::InfiniteFuture();
  const absl::Time deadline = absl::Now() + absl::Milliseconds(sleep_ms + 3000);
  while (KhugepagedStat("full_scans") == scans && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::Now() + absl::Milliseconds(sleep_ms);
}

std::string Dump(const std::vector<Vma>& vmas, uintptr_t base) {
  std::vector<std::string> lines;
  for (const Vma& v : vmas) {
    lines.push_back(absl::StrFormat("  +%#x-+%#x %s %s", v.start - base, v.end - base,
                                    ProtName(v.prot), HugeFlagName(v.huge)));
  }
  return absl::StrJoin(lines, "\n");
}

struct RunResult {
  bool diverged = false;
  bool collapse_unexplained = false;  // khugepaged collapsed what could not be adopted
  bool collapse_refused = false;      // the diverging step: a real MADV_COLLAPSE's EAGAIN
  std::string report;
  int ops = 0;
  int adopted = 0;  // khugepaged collapses adopted into the simulation
};

// Adopts into `sim` the 2 MiB regions khugepaged has collapsed on `real`
// and `sim` has not, where they can be told apart: per VMA of the arena
// (identical on both kernels, or nothing is adopted), the real kernel's
// extra AnonHugePages must be a whole number of regions; the regions fully
// resident on the real kernel and not on the simulated one must have been
// collapsed; regions fully resident on both count only if they are exactly
// the rest of the difference. Returns the number of regions adopted; what
// cannot be pinned is left for the comparison to report.
int AdoptKhugepagedCollapses(LinuxKernel& real, SimulatedKernel& sim, uintptr_t base) {
  const std::vector<Vma> vmas = real.Vmas(base, base + kArena);
  if (vmas != sim.Vmas(base, base + kArena)) return 0;
  constexpr uintptr_t kRegion = 2 * kMiB;
  int adopted = 0;
  for (const Vma& v : vmas) {
    const uint64_t real_huge = real.ResidencyOf(v.start, v.end).anon_huge_bytes;
    const uint64_t sim_huge = sim.HugeBytesWithin(v.start, v.end);
    if (real_huge <= sim_huge || (real_huge - sim_huge) % kRegion != 0) continue;
    const uint64_t missing = (real_huge - sim_huge) / kRegion;
    std::vector<uintptr_t> certain, possible;
    for (uintptr_t r = RoundUp(v.start, kRegion); r + kRegion <= v.end; r += kRegion) {
      if (sim.HugeBytesWithin(r, r + kRegion) != 0) continue;
      if (real.ResidentBytes(r, r + kRegion) != kRegion) continue;
      (sim.ResidentBytes(r, r + kRegion) == kRegion ? possible : certain).push_back(r);
    }
    if (certain.size() > missing) continue;
    if (certain.size() < missing) {
      if (certain.size() + possible.size() != missing) continue;
      certain.insert(certain.end(), possible.begin(), possible.end());
    }
    for (uintptr_t r : certain) {
      if (sim.CollapseRegion(r) == 0) ++adopted;
    }
  }
  return adopted;
}

RunResult RunSequence(uint64_t seed, int num_ops, ThpMode mode) {
  RunResult result;
  LinuxKernel real;
  // The fenced range: [fence][arena][fence], fences read-only. It sits at
  // 32 TiB, far below where the kernel places mappings it chooses itself, so
  // no allocation of the test's own (glibc's or ASan's) lands in a hole of
  // the arena; 32 TiB is also above ASan's shadow memory.
  MmapResult whole = real.Mmap(kTestRangeHint, kArena + 2 * kFence + 2 * kMiB, Prot::kRead, 0);
  if (whole.err != 0 || whole.addr != kTestRangeHint) {
    result.diverged = true;
    result.report = "could not reserve the test range";
    return result;
  }
  const uintptr_t base = RoundUp(whole.addr + kFence, 2 * kMiB);
  real.Munmap(whole.addr, base - kFence - whole.addr);
  real.Munmap(base + kArena + kFence, whole.addr + kArena + 2 * kFence + 2 * kMiB - (base + kArena + kFence));
  real.Munmap(base, kArena);

  SimOptions o;
  o.thp_mode = mode;
  SimulatedKernel sim(o);
  sim.Mmap(base - kFence, kFence, Prot::kRead, kMapFixed);
  sim.Mmap(base + kArena, kFence, Prot::kRead, kMapFixed);

  Rng rng(seed);
  std::vector<Op> history;
  int64_t collapsed_seen = KhugepagedCollapsed();
  for (int step = 0; step < num_ops; ++step) {
    Op op = PickOp(rng, sim, base);
    history.push_back(op);
    // khugepaged collapsed something since the last step: adopt it first, so
    // that this step acts on the same pages on both kernels.
    if (const int64_t c = KhugepagedCollapsed(); c != collapsed_seen) {
      collapsed_seen = c;
      result.adopted += AdoptKhugepagedCollapses(real, sim, base);
      if (!(real.ResidencyOf(base, base + kArena) == sim.ResidencyOf(base, base + kArena))) {
        result.collapse_unexplained = true;  // reported at this step's comparison
      }
    }
    int e_real = Apply(real, base, op);
    int e_sim = Apply(sim, base, op);
    std::vector<Vma> v_real = real.Vmas(base, base + kArena);
    std::vector<Vma> v_sim = sim.Vmas(base, base + kArena);
    Residency r_real = real.ResidencyOf(base, base + kArena);
    Residency r_sim = sim.ResidencyOf(base, base + kArena);
    if (!(r_real == r_sim) && KhugepagedCollapsed() != collapsed_seen) {
      // A collapse landed during the step; adoptable if the step did not
      // touch the collapsed pages (otherwise the seed is run again).
      collapsed_seen = KhugepagedCollapsed();
      result.adopted += AdoptKhugepagedCollapses(real, sim, base);
      r_real = real.ResidencyOf(base, base + kArena);
      r_sim = sim.ResidencyOf(base, base + kArena);
      result.collapse_unexplained = !(r_real == r_sim);
    }
    sim.CheckInvariants();
    result.ops = step + 1;
    if (e_real != e_sim || v_real != v_sim || !(r_real == r_sim)) {
      result.diverged = true;
      result.collapse_refused =
          op.kind == Op::kMadvise && op.advice == Advice::kCollapse && e_real == EAGAIN;
      result.report = absl::StrFormat(
          "seed %d: first divergence at step %d: %s\n"
          "errno real=%s sim=%s\nresident real=%d sim=%d, AnonHugePages real=%d sim=%d\n"
          "real VMAs:\n%s\nsim VMAs:\n%s",
          seed, step, OpToString(op), ErrnoName(e_real), ErrnoName(e_sim),
          r_real.resident_bytes, r_sim.resident_bytes, r_real.anon_huge_bytes,
          r_sim.anon_huge_bytes, Dump(v_real, base), Dump(v_sim, base));
      // The earlier steps that touched the neighbourhood of this one.
      absl::StrAppend(&result.report, "\nearlier steps within 4 MiB of it:");
      const uintptr_t lo = op.off > 4 * kMiB ? op.off - 4 * kMiB : 0;
      const uintptr_t hi = op.off + op.len + 4 * kMiB;
      for (size_t i = 0; i + 1 < history.size(); ++i) {
        const Op& h = history[i];
        if (h.off < hi && h.off + h.len > lo) {
          absl::StrAppend(&result.report, "\n  step ", i, ": ", OpToString(h));
        }
      }
      if (const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
        std::string path = absl::StrCat(dir, "/divergence_seed", seed, ".txt");
        if (FILE* f = std::fopen(path.c_str(), "w")) {
          for (size_t i = 0; i < history.size(); ++i) {
            std::fprintf(f, "step %zu: %s\n", i, OpToString(history[i]).c_str());
          }
          std::fclose(f);
          absl::StrAppend(&result.report, "\nall steps: ", path);
        }
      }
      break;
    }
  }
  real.Munmap(base - kFence, kArena + 2 * kFence);
  return result;
}

// Sanitizer builds run about four times slower; they use twice the seeds at
// half the length so that every seed still ends before khugepaged's next pass.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kSeedCount = 12;
#else
constexpr int kSeedCount = 6;
#endif
constexpr int kOpsPerSeed = 10200 / kSeedCount;

std::vector<uint64_t> Seeds() {
  std::vector<uint64_t> seeds;
  for (int i = 1; i <= kSeedCount; ++i) seeds.push_back(i);
  if (const char* env = std::getenv("THP_DIFF_SEEDS")) {
    seeds.clear();
    for (absl::string_view s : absl::StrSplit(env, ',', absl::SkipEmpty())) {
      uint64_t v = 0;
      if (absl::SimpleAtoi(s, &v)) seeds.push_back(v);
    }
  }
  return seeds;
}

int OpsPerSeed() {
  int n = kOpsPerSeed;
  if (const char* env = std::getenv("THP_DIFF_OPS")) (void)absl::SimpleAtoi(env, &n);
  return n;
}

TEST(KernelDifferential, SimulatedLinux6MatchesTheRealKernelStepByStep) {
  absl::StatusOr<ThpMode> mode = ReadThpMode();
  ASSERT_TRUE(mode.ok()) << mode.status();
  int total_ops = 0;
  absl::Time start = absl::Now();
  LinuxKernel real;
  absl::Time quiet_until = absl::InfinitePast();
  absl::Duration longest_seed = absl::ZeroDuration();
  absl::Duration running = absl::ZeroDuration();
  int adopted = 0;
  for (uint64_t seed : Seeds()) {
    // Start a seed only if it fits, with margin, before khugepaged's next pass.
    if (absl::Now() + 2 * longest_seed + absl::Seconds(1) > quiet_until) {
      quiet_until = SyncWithKhugepaged(real);
    }
    absl::Time seed_start = absl::Now();
    RunResult r = RunSequence(seed, OpsPerSeed(), *mode);
    if (r.diverged && (r.collapse_unexplained || r.collapse_refused)) {
      std::fprintf(stderr, "seed %lu diverged while %s; rerunning\n%s\n",
                   static_cast<unsigned long>(seed),
                   r.collapse_unexplained ? "khugepaged collapsed pages"
                                          : "the real kernel refused a collapse (EAGAIN)",
                   r.report.c_str());
      quiet_until = SyncWithKhugepaged(real);
      seed_start = absl::Now();
      r = RunSequence(seed, OpsPerSeed(), *mode);
      if (r.diverged && r.collapse_unexplained) {
        absl::StrAppend(&r.report, "\n(khugepaged collapsed pages that could not be adopted this run too)");
      }
      if (r.diverged && r.collapse_refused) {
        absl::StrAppend(&r.report, "\n(the real kernel refused a collapse with EAGAIN this run too)");
      }
    }
    adopted += r.adopted;
    const absl::Duration took = absl::Now() - seed_start;
    longest_seed = std::max(longest_seed, took);
    running += took;
    total_ops += r.ops;
    ASSERT_FALSE(r.diverged) << r.report;
  }
  std::fprintf(stderr,
               "differential: %d operations (THP mode %s), %d khugepaged collapses adopted: "
               "%s running, %s in all\n",
               total_ops, std::string(ThpModeName(*mode)).c_str(), adopted,
               absl::FormatDuration(running).c_str(),
               absl::FormatDuration(absl::Now() - start).c_str());
  EXPECT_GE(total_ops, 10000);
}

}  // namespace
}  // namespace thp
