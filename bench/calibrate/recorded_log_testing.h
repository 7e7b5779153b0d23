// For tests that measure Go 1.5.1's recorded run
// (testdata/go151_heaplog/prefix.hlog.xz, about 18 MB of records): its
// tallies, read once per test binary.
#ifndef THP_BENCH_CALIBRATE_RECORDED_LOG_TESTING_H_
#define THP_BENCH_CALIBRATE_RECORDED_LOG_TESTING_H_

#include <utility>

#include "absl/status/statusor.h"
#include "bench/calibrate/real_tally.h"
#include "gtest/gtest.h"

namespace thp {
namespace calibrate {

// The recorded log's tallies (TallyLogFile). A log that cannot be read
// fails the test that first asks, which then gets an empty log.
inline const RealLog& RecordedLog() {
  static const RealLog* log = [] {
    absl::StatusOr<RealLog> l = TallyLogFile("testdata/go151_heaplog/prefix.hlog.xz", nullptr);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? new RealLog(*std::move(l)) : new RealLog;
  }();
  return *log;
}

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_RECORDED_LOG_TESTING_H_
