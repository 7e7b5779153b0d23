#include "mheap/go15/events/heap_event_log.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/event_text.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace heaplog {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Lines(const std::vector<HeapEvent>& events) {
  std::vector<std::string> out;
  for (const HeapEvent& e : events) out.push_back(FormatEvent(e));
  return out;
}

std::string Encode(const std::vector<HeapEvent>& events) {
  absl::StatusOr<std::string> bytes = EncodeEvents(events);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

absl::Status ReadError(std::string bytes) {
  absl::StatusOr<std::vector<HeapEvent>> events = ReadAllEvents(MemorySource(std::move(bytes)));
  return events.ok() ? absl::OkStatus() : events.status();
}

TEST(HeapEventLogTest, SampleHoldsEveryKind) {
  std::set<Kind> kinds;
  for (const HeapEvent& e : SampleLog()) kinds.insert(e.kind());
  EXPECT_EQ(kinds.size(), static_cast<size_t>(kNumKinds));
}

TEST(HeapEventLogTest, RoundTripIsExact) {
  const std::vector<HeapEvent> sample = SampleLog();
  const std::string bytes = Encode(sample);
  absl::StatusOr<std::vector<HeapEvent>> read = ReadAllEvents(MemorySource(bytes));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(Lines(*read), Lines(sample));
  // Offsets: the first record follows the header, each starts where the last ended.
  ASSERT_FALSE(read->empty());
  EXPECT_EQ(read->front().offset, kHeaderBytes);
  for (size_t i = 1; i < read->size(); ++i) EXPECT_GT((*read)[i].offset, (*read)[i - 1].offset);
  // Writing what was read gives the same bytes.
  EXPECT_EQ(Encode(*read), bytes);
}

TEST(HeapEventLogTest, HeaderLayout) {
  const std::string bytes = Encode(SampleLog());
  EXPECT_EQ(bytes.substr(0, 8), std::string("THPHLOG\0", 8));
  EXPECT_EQ(bytes.substr(8, 8), std::string("\x01\0\0\0\0\0\0\0", 8));
  // The first record: kind sys_reserve, time 1e9 zigzagged (2e9 as LEB128).
  EXPECT_EQ(static_cast<uint8_t>(bytes[16]), static_cast<uint8_t>(Kind::kSysReserve));
  EXPECT_EQ(bytes.substr(17, 5), "\x80\xa8\xd6\xb9\x07");
}

// A source that hands out one byte per call: the reader must not depend on
// how its input is cut.
class Trickle : public ByteSource {
 public:
  explicit Trickle(std::string bytes) : bytes_(std::move(bytes)) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (pos_ == bytes_.size() || n == 0) return 0;
    *buf = bytes_[pos_++];
    return 1;
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

TEST(HeapEventLogTest, StreamsALogLargerThanItsBuffer) {
  std::vector<HeapEvent> sample = SampleLog();
  std::vector<HeapEvent> big(sample.begin(), sample.end() - 1);  // without end
  const size_t body = big.size();
  int64_t t = big.back().time_ns;
  for (int i = 0; i < 30000; ++i) {  // about 300 KB of madvise records
    big.push_back(At(t += 7, Madvise{0xc820000000 + (uint64_t(i) << 13), 8192, 4, 0}));
  }
  big.push_back(At(t, End{}));
  const std::string bytes = Encode(big);
  ASSERT_GT(bytes.size(), 200000u);
  HeapEventReader reader(std::make_unique<Trickle>(bytes));
  HeapEvent e;
  size_t n = 0;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&e);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    ASSERT_EQ(FormatEvent(e), FormatEvent(big[n])) << n;
    ++n;
  }
  EXPECT_EQ(n, big.size());
  EXPECT_GT(n, body);
  EXPECT_EQ(reader.offset(), bytes.size());
}

TEST(HeapEventLogTest, EveryTruncationIsAnErrorNamingWhere) {
  const std::string bytes = Encode(SampleLog());
  for (size_t len = 0; len < bytes.size(); ++len) {
    absl::Status s = ReadError(bytes.substr(0, len));
    ASSERT_FALSE(s.ok()) << len;
    const std::string msg(s.message());
    if (len < 8) {
      EXPECT_THAT(msg, HasSubstr("not a heap-event log")) << len;
    } else {
      EXPECT_THAT(msg, HasSubstr("cut short")) << len << ": " << msg;
    }
  }
}

TEST(HeapEventLogTest, BadHeader) {
  std::string bytes = Encode(SampleLog());
  std::string bad_magic = bytes;
  bad_magic[0] = 'X';
  EXPECT_THAT(std::string(ReadError(bad_magic).message()), HasSubstr("offset 0: not a heap-event log"));
  std::string v2 = bytes;
  v2[8] = 2;
  EXPECT_THAT(std::string(ReadError(v2).message()), HasSubstr("offset 8: version 2 not supported"));
  std::string flags = bytes;
  flags[12] = 1;
  EXPECT_THAT(std::string(ReadError(flags).message()), HasSubstr("offset 12: header flags 1"));
}

// The log of `events` followed by one raw record, then an end record.
std::string WithRawRecord(const std::vector<HeapEvent>& events, const std::string& raw) {
  std::string bytes = Encode(events);
  bytes += raw;
  bytes += std::string("\x1a\x00", 2);  // end, time delta 0
  return bytes;
}

std::vector<HeapEvent> Prelude() {
  std::vector<HeapEvent> s = SampleLog();
  return {s[0], s[1], s[2]};  // sys_reserve, heap_init, config
}

TEST(HeapEventLogTest, BadFieldNamesOffsetKindAndField) {
  const std::vector<HeapEvent> pre = Prelude();
  const uint64_t off = Encode(pre).size();
  // alloc: time +0, npage 1, caller 7, sizeclass 0.
  absl::Status s = ReadError(WithRawRecord(pre, std::string("\x04\x00\x01\x07\x00", 5)));
  EXPECT_EQ(s.message(), "heap-event log offset " + std::to_string(off) +
                             ": alloc record: field caller: value 7 not in [0, 2]");
  // alloc with npage 0.
  s = ReadError(WithRawRecord(pre, std::string("\x04\x00\x00\x00\x00", 5)));
  EXPECT_THAT(std::string(s.message()), HasSubstr("alloc record: field npage: value 0 not in [1, "));
  // A small span without a size class.
  s = ReadError(WithRawRecord(pre, std::string("\x04\x00\x01\x00\x00", 5)));
  EXPECT_THAT(std::string(s.message()), HasSubstr("alloc record: field sizeclass: 0 for a small span"));
  // madvise with a result beyond int32.
  s = ReadError(WithRawRecord(pre, std::string("\x15\x00\x01\x01\x01\x80\x80\x80\x80\x20", 10)));
  EXPECT_THAT(std::string(s.message()), HasSubstr("madvise record: field result: value 4294967296 not in"));
}

TEST(HeapEventLogTest, VarintsMustBeShortAndCanonical) {
  const std::vector<HeapEvent> pre = Prelude();
  absl::Status s = ReadError(WithRawRecord(pre, std::string("\x17\x00\x81\x00", 4)));  // bench_run n=1 in 2 bytes
  EXPECT_THAT(std::string(s.message()), HasSubstr("bench_run record: field n: varint not in its shortest form"));
  s = ReadError(WithRawRecord(pre, std::string("\x17\x00", 2) + std::string(10, '\xff') + "\x01"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("bench_run record: field n: varint overflows 64 bits"));
  s = ReadError(WithRawRecord(pre, std::string("\x17\x00", 2) + std::string(9, '\x80') + "\x02"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("varint overflows 64 bits"));
}

TEST(HeapEventLogTest, UnknownKindAndTrailingData) {
  const std::vector<HeapEvent> pre = Prelude();
  const uint64_t off = Encode(pre).size();
  EXPECT_EQ(ReadError(WithRawRecord(pre, std::string("\x63\x00", 2))).message(),
            "heap-event log offset " + std::to_string(off) + ": unknown record kind 99");
  const std::string full = Encode(SampleLog());
  EXPECT_THAT(std::string(ReadError(full + "\x17").message()),
              HasSubstr("offset " + std::to_string(full.size()) + ": data after the end record"));
  std::vector<HeapEvent> no_end = SampleLog();
  no_end.pop_back();
  const std::string cut = Encode(no_end);
  EXPECT_EQ(ReadError(cut).message(), "heap-event log offset " + std::to_string(cut.size()) +
                                          ": the log ends without an end record (cut short)");
}

TEST(HeapEventLogTest, StructureIsChecked) {
  const std::vector<HeapEvent> pre = Prelude();
  const std::vector<HeapEvent> sample = SampleLog();
  auto error_of = [&](std::vector<HeapEvent> events) {
    events.push_back(At(events.back().time_ns, End{}));
    return std::string(ReadError(Encode(events)).message());
  };
  Free trim;
  trim.why = FreeWhy::kTrim;
  trim.page = 1;
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, trim)}), HasSubstr("free record: field why: trim outside an alloc"));
  Free central;
  central.why = FreeWhy::kCentral;
  central.acctinuse = central.acctidle = central.stamped = true;
  Alloc a;
  a.npage = 1;
  a.caller = AllocCaller::kLarge;
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, a), At(2, central)}),
              HasSubstr("free record: field why: central inside the alloc at offset"));
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, a), At(2, a)}), HasSubstr("is still open"));
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, AllocDone{})}), HasSubstr("alloc_done record: field (record): no alloc is open"));
  EXPECT_THAT(error_of({pre[0], At(1, a)}), HasSubstr("alloc record: field (record): before the heap_init record"));
  EXPECT_THAT(error_of({pre[0], pre[1], pre[1]}), HasSubstr("a second heap_init"));
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, Scavenge{}), At(2, a)}), HasSubstr("inside the scavenge at offset"));
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, ScavengeDone{})}), HasSubstr("no scavenge is open"));
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, Grow{})}), HasSubstr("grow record: field (record): outside an alloc"));
  Free wrong_flags = central;
  wrong_flags.acctinuse = false;
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, wrong_flags)}),
              HasSubstr("field flags: acctinuse=0 acctidle=1 stamped=1 for a central free"));
  Free outside = central;
  outside.page = uint64_t{1} << 40;
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, outside)}), HasSubstr("field page: span outside the arena"));
  Free merged = central;
  merged.merged_npages = 1;
  merged.merged_pages_before = 1;
  merged.page = 5;
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, merged)}), HasSubstr("field merged_npages: smaller than the freed span"));
  AllocDone done;
  done.page = 0;
  done.found_npages = 0;
  EXPECT_THAT(error_of({pre[0], pre[1], At(1, a), At(2, done)}), HasSubstr("found_npages: below the npage asked (1)"));
  (void)sample;
}

TEST(HeapEventLogTest, AfterAnErrorTheSameError) {
  HeapEventReader reader(MemorySource("nonsense, not a log"));
  HeapEvent e;
  absl::StatusOr<bool> first = reader.Next(&e);
  absl::StatusOr<bool> second = reader.Next(&e);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status(), second.status());
}

TEST(HeapEventWriterTest, RejectsOutOfRangeFields) {
  Alloc a;
  a.npage = 0;
  absl::StatusOr<std::string> bytes = EncodeEvents({At(0, a)});
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().message(),
            "heap-event writer: alloc record: field npage: value 0 not in [1, 17592186044416]");
  BenchStart b;
  b.name = std::string(kMaxString + 1, 'x');
  bytes = EncodeEvents({At(0, b)});
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("field name: string of 129 bytes"));
  bytes = EncodeEvents({At(-1, End{})});
  EXPECT_FALSE(bytes.ok());
}

TEST(HeapEventWriterTest, EmptyLogIsAHeaderOnly) {
  absl::StatusOr<std::string> bytes = EncodeEvents({});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), kHeaderBytes);
  EXPECT_THAT(std::string(ReadError(*bytes).message()), HasSubstr("offset 16: the log ends without an end record"));
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
