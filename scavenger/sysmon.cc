#include "scavenger/sysmon.h"

#include <algorithm>

namespace thp {

int64_t CappedOvershootMeanNs(const SysmonOptions& o) {
  int64_t sum = 0;
  for (int64_t v : o.capped_overshoot_ns) sum += v;
  return sum / kCappedOvershootShares;
}

Sysmon::Sysmon(int64_t start_ns, SysmonOptions options)
    : options_(options), overshoots_(options.overshoot_seed) {
  forcegcperiod_ = int64_t{2} * 60 * 1000000000;
  scavengelimit_ = int64_t{5} * 60 * 1000000000;
  if (options_.scavenge_debug) {
    forcegcperiod_ = 10 * 1000000;
    scavengelimit_ = 20 * 1000000;
  }
  maxsleep_ = forcegcperiod_ / 2;
  if (scavengelimit_ < forcegcperiod_) maxsleep_ = scavengelimit_ / 2;
  lastscavenge_ = start_ns;
  ScheduleNext(start_ns, nullptr);
}

void Sysmon::ScheduleNext(int64_t now, const SysmonActions* a) {
  if (idle_ == 0) {
    delay_us_ = 20;
  } else if (idle_ > 50) {
    delay_us_ *= 2;
  }
  if (delay_us_ > 10 * 1000) delay_us_ = 10 * 1000;
  int64_t overshoot = options_.usleep_overshoot_ns;
  if (delay_us_ == 10 * 1000) {
    const bool busy = a != nullptr && a->every_p_busy && a->every_p_busy();
    overshoot = busy ? options_.capped_overshoot_every_p_busy_ns
                     : options_.capped_overshoot_ns[overshoots_.Next() % kCappedOvershootShares];
  }
  next_wake_ = now + delay_us_ * 1000 + overshoot;
}

void Sysmon::NoteWakeup(int64_t now) {
  if (resume_after_note_ && next_wake_ > now) next_wake_ = now;
}

void Sysmon::RunUntil(int64_t now, const SysmonActions& a,
                      const std::function<void(int64_t)>& set_clock) {
  while (next_wake_ <= now) {
    int64_t t = next_wake_;
    set_clock(t);
    if (!resume_after_note_) {
      ++wakes_;
      int64_t busy_at = t;
      if (a.note_sleep && a.note_sleep(t, &busy_at)) {
        // notetsleep(maxsleep): woken early when a P becomes busy or the
        // world restarts, else late by a timed sleep's overshoot; then the
        // period starts again at 20 us.
        const int64_t until = std::min(busy_at, t + maxsleep_ + options_.note_timeout_overshoot_ns);
        idle_ = 0;
        delay_us_ = 20;
        if (until > now) {
          next_wake_ = until;  // finish the round when the caller gets there
          resume_after_note_ = true;
          return;
        }
        t = until;
        set_clock(t);
      }
    }
    resume_after_note_ = false;
    if (a.retake) a.retake(t);
    ++idle_;  // retake() retook nothing
    // sysmon, go1.5.1 proc1.go: the forced-GC test, then the scavenge test.
    // A forced GC is only readied here (injectglist of forcegc.g); it runs
    // on a P while sysmon goes on to mHeap_Scavenge, and reaches the heap
    // (stack spans freed, caches flushed, spans swept) no sooner than its
    // mark termination, a millisecond or so later. In Go 1.5.1's own run
    // (testdata/go151_heaplog/prefix.hlog.xz), of the 6,920 forced cycles
    // with a scavenge record within 200 us of their gc_start (median 1 us
    // after it), every one reached mark termination after that scavenge.
    // The model's cycle does all its work at its start, so it runs after
    // this round's scavenge.
    const int64_t last_gc = a.last_gc ? a.last_gc() : 0;
    const bool force_gc = last_gc != 0 && t - last_gc > forcegcperiod_;
    if (lastscavenge_ + scavengelimit_ / 2 < t) {
      if (a.scavenge) {
        a.scavenge(nscavenge_, static_cast<uint64_t>(t), static_cast<uint64_t>(scavengelimit_));
      }
      lastscavenge_ = t;
      ++nscavenge_;
    }
    if (force_gc && a.force_gc) a.force_gc();
    if (a.after_round) a.after_round(t);
    ScheduleNext(t, &a);
  }
}
}  // namespace thp
