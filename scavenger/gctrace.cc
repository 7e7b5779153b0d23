#include "scavenger/gctrace.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace thp {

std::string ScvgReleasedLine(int32_t k, uint64_t released_bytes) {
  return absl::StrFormat("scvg%d: %d MB released", k, released_bytes >> 20);
}

std::string ScvgStatsLine(int32_t k, const MemStats& s) {
  return absl::StrFormat("scvg%d: inuse: %d, idle: %d, sys: %d, released: %d, consumed: %d (MB)",
                         k, s.heap_inuse >> 20, s.heap_idle >> 20, s.heap_sys >> 20,
                         s.heap_released >> 20, (s.heap_sys - s.heap_released) >> 20);
}

std::string ItoaDiv(uint64_t val, int dec) {
  // Mirrors itoaDiv, Go 1.5, digit for digit (including its leading zero for
  // a one-digit value with dec == 0, which Go never asks for).
  char buf[24];
  int i = static_cast<int>(sizeof buf) - 1;
  const int idec = i - dec;
  while (val >= 10 || i >= idec) {
    buf[i] = static_cast<char>('0' + val % 10);
    --i;
    if (i == idec) {
      buf[i] = '.';
      --i;
    }
    val /= 10;
  }
  buf[i] = static_cast<char>('0' + val);
  return std::string(buf + i, buf + sizeof buf);
}

std::string FmtNsAsMs(uint64_t ns) {
  if (ns >= 10000000) return ItoaDiv(ns / 1000000, 0);
  uint64_t x = ns / 1000;
  if (x == 0) return "0";
  int dec = 3;
  while (x >= 100) {
    x /= 10;
    --dec;
  }
  return ItoaDiv(x, dec);
}

std::string GcLine(const GcCycle& c, int64_t runtime_init_ns, int procs) {
  const uint64_t since_init = static_cast<uint64_t>(c.start_ns - runtime_init_ns);
  // gc(mode), go1.5.1 mgc.go: a background cycle's length lies between
  // tMark and tMarkTerm (its concurrent mark); a blocking one sets tScan,
  // tInstallWB, tMark and tMarkTerm together once the world is stopped, so
  // its stop is the mark termination's.
  const int64_t ms = (c.end_ns - c.start_ns) / 1000000;
  const bool background = c.mode == GcMode::kBackground;
  std::string line = absl::StrFormat(
      "gc %d @%ss 0%%: 0+0+0+%d+%d ms clock, 0+0+0+0/0/0+0 ms cpu, %d->%d->%d MB, %d MB goal, %d P",
      c.num, ItoaDiv(since_init / 1000000, 3), background ? ms : 0, background ? 0 : ms,
      c.heap0 >> 20, c.heap1 >> 20, c.heap2 >> 20, c.heap_goal >> 20, procs);
  if (!background) absl::StrAppend(&line, " (forced)");
  return line;
}

}  // namespace thp
