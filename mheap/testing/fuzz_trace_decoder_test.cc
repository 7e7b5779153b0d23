// The byte-to-event mapping of fuzz_trace_decoder.h, pinned on a few
// inputs, and any bytes decoding to a trace that parses back.
#include "mheap/testing/fuzz_trace_decoder.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace thp {
namespace {

std::string Text(const std::vector<uint8_t>& bytes) {
  std::string text = "thp-trace 1\n";
  for (const TraceEvent& e : DecodeFuzzTrace(bytes.data(), bytes.size(), 4)) {
    text += FormatTraceEvent(e) + "\n";
  }
  return text;
}

TEST(FuzzTraceDecoder, MapsBytesToEvents) {
  EXPECT_EQ(Text({
                2, 0,           // drop with nothing live: left out
                0, 10, 0x05,    // alloc 1 + 1710 bytes, P 1, noscan
                1, 0xc1, 0x1a,  // alloc 32 KiB + (1 + 64) pages + 100 bytes, P 2, scan
                12, 1,          // retain the second live object
                3, 0x0a,        // stack 8 KiB on P 1
                4, 0, 3,        // unstack it on P 3
                5, 6,           // go on P 2
                6, 0, 0x0b,     // its stack becomes 16 KiB, on P 1
                7, 0, 1,        // goexit on P 1
                8, 9, 13,       // gc, freeosmemory, release
                10, 1,          // compute 200 us
                11, 2,          // sleep 90 ms
                14, 1, 0x0a, 3, 2,  // 2 iterations of 20 us: a block of 2 allocs of 385 bytes
                21,             // 21 % 19 = 2: drop the only live object
            }),
            "thp-trace 1\nalloc 1 1711 noscan 1\nalloc 2 565348 scan 2\nretain 2\n"
            "stack 3 8192 1\nunstack 3 3\ngo 1 2\ngogrow 1 16384 1\ngoexit 1 1\ngc\n"
            "freeosmemory\nrelease\ncompute 200000\nsleep 90000000\nloop 2 20000\n"
            "alloc 4 385 noscan 3\nalloc 5 385 noscan 3\ndrop 4\ndrop 5\nend\ndrop 1\n");
}

TEST(FuzzTraceDecoder, MapsLoopsWithSafePointsOnlyAtTheirAllocs) {
  EXPECT_EQ(Text({
                14, 1, 0x0a, 3, 3,     // the time's low bit: safe points at the allocs only
                14, 0x21, 0x0a, 3, 3,  // not with pmove (the bit places a move marker)
                14, 1, 0x81, 3, 3,     // nor while every P is busy (a block of 1 alloc)
            }),
            "thp-trace 1\nloop 2 30000 allocsafepoints\nalloc 1 385 noscan 3\n"
            "alloc 2 385 noscan 3\ndrop 1\ndrop 2\nend\n"
            "loop 2 30000 pmove 1\nalloc 3 385 noscan 3\nmove\nalloc 4 385 noscan 3\ndrop 3\n"
            "drop 4\nend\nloop 2 30000 everypbusy\nalloc 5 385 noscan 3\ndrop 5\nend\n");
}

TEST(FuzzTraceDecoder, MapsStealDrawsOfGoroutineLoops) {
  EXPECT_EQ(Text({
                14, 0x21, 21, 0, 0x0e, 5,  // pmove 1, one goroutine: psteal 1,1,0,0,0,0,
                                           // and u = 5: pstay 0,1, psteal cut to 1,1
                14, 0x21, 21, 0, 0x0e, 0,  // u = 0: psteal alone
            }),
            "thp-trace 1\nloop 2 140000 pmove 1 psteal 1,1 pstay 0,1\ngo 1 0\ngoexit 1 0\nend\n"
            "loop 2 140000 pmove 1 psteal 1,1,0,0,0,0\ngo 2 0\ngoexit 2 0\nend\n");
}

TEST(FuzzTraceDecoder, MapsSystemStackAllocsAndTheirNosafepointLoops) {
  EXPECT_EQ(Text({
                0, 10, 0x0d,     // alloc 1711 bytes, P 1, noscan, on the system stack
                0, 0xc0, 0x08,   // a large one: f & 8 adds 100 bytes instead
                14, 1, 17, 3, 2,  // 2 iterations of 20 us, nosafepoint: 2 allocs, retained
                14, 0, 16, 0, 0,  // 1 iteration, nosafepoint: 1 alloc, dropped
                14, 0, 18, 0, 0,  // m is 1: an empty nosafepoint loop
            }),
            "thp-trace 1\nalloc 1 1711 noscan 1 systemstack\nalloc 2 32868 scan 0\n"
            "loop 2 20000 nosafepoint\nalloc 3 385 noscan 3 systemstack\nretain 3\n"
            "alloc 4 385 noscan 3 systemstack\nretain 4\nend\n"
            "loop 1 0 nosafepoint\nalloc 5 1 scan 0 systemstack\ndrop 5\nend\n"
            "loop 1 0 nosafepoint\nend\n");
}

TEST(FuzzTraceDecoder, MapsWriteBarrierStoresOfSmallAllocs) {
  EXPECT_EQ(Text({
                0, 10, 0x10,    // alloc 1711 bytes, P 0, stored through a write barrier
                0, 10, 0x18,    // both flags
                0, 0xc0, 0x10,  // a large one: f >> 4 picks its size instead
            }),
            "thp-trace 1\nalloc 1 1711 scan 0 writebarrier\n"
            "alloc 2 1711 scan 0 systemstack writebarrier\nalloc 3 557056 scan 0\n");
}

TEST(FuzzTraceDecoder, MapsFinalizersOfSmallAllocs) {
  EXPECT_EQ(Text({
                0, 10, 0x20,    // alloc 1711 bytes, P 0, with a finalizer
                0, 10, 0x38,    // all three flags
                0, 0xc0, 0x20,  // a large one: f >> 4 picks its size instead
            }),
            "thp-trace 1\nalloc 1 1711 scan 0 finalizer\n"
            "alloc 2 1711 scan 0 systemstack writebarrier finalizer\nalloc 3 1081344 scan 0\n");
}

TEST(FuzzTraceDecoder, MapsStackUsesMemStatsReadsAndNewMs) {
  EXPECT_EQ(Text({
                15, 0, 3, 1,        // gouse with no goroutine running: left out
                5, 1,               // go on P 1
                15, 7, 3, 0x02,     // its stack use: 2 KiB, on P 2
                15, 0, 255, 0x83,   // 128 KiB as a ramp over 400 us, on P 3
                16,                 // readmemstats
                17, 2,              // newm at the 3rd cycle's start
                17, 0x81,           // newm at the 2nd cycle's end
            }),
            "thp-trace 1\ngo 1 1\ngouse 1 2048 2\ngouse 1 131072 3 ramp 400000\n"
            "readmemstats\nnewm 3 start\nnewm 2 end\n");
}

TEST(FuzzTraceDecoder, MapsPartialReleasesOfWhatIsRetained) {
  EXPECT_EQ(Text({
                18, 0,              // nothing retained: left out
                0, 10, 0, 12, 0,    // alloc, retain it
                14, 2, 6, 3, 2,     // 3 iterations: one alloc retained each
                18, 2,              // 1 + 2 % 4: release 3
                18, 7,              // 1 + 7 % 1: release 1
                18, 0,              // none left: left out
            }),
            "thp-trace 1\nalloc 1 1711 scan 0\nretain 1\nloop 3 20000\nalloc 2 385 noscan 3\n"
            "retain 2\nend\nrelease 3\nrelease 1\n");
}

TEST(FuzzTraceDecoder, NewMsAreBounded) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 100; ++i) bytes.insert(bytes.end(), {17, 0});
  int new_ms = 0;
  for (const TraceEvent& e : DecodeFuzzTrace(bytes.data(), bytes.size(), 4)) {
    new_ms += e.kind == TraceEvent::kNewM;
  }
  EXPECT_EQ(new_ms, 64);
}

TEST(FuzzTraceDecoder, MapsChainLinksOfSmallAllocs) {
  EXPECT_EQ(Text({
                0, 10, 0x40,    // alloc 1711 bytes, P 0, a chain link
                0, 0xc0, 0x40,  // a large one: f >> 4 picks its size instead
            }),
            "thp-trace 1\nalloc 1 1711 scan 0 chain\nalloc 2 2129920 scan 0\n");
}

TEST(FuzzTraceDecoder, LiveBytesAreBounded) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 40; ++i) bytes.insert(bytes.end(), {0, 0xff, 0xf0});  // 8 MiB each
  int allocs = 0;
  for (const TraceEvent& e : DecodeFuzzTrace(bytes.data(), bytes.size(), 4)) {
    allocs += e.kind == TraceEvent::kAlloc;
  }
  EXPECT_EQ(allocs, static_cast<int>(kFuzzMaxLiveBytes / 8413184));
}

TEST(FuzzTraceDecoder, AnyBytesMakeATraceThatParses) {
  std::mt19937 rng(17);
  for (int n = 0; n < 300; ++n) {
    std::vector<uint8_t> bytes(rng() % 600);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    absl::StatusOr<std::vector<TraceEvent>> parsed = ParseTrace(Text(bytes));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
  }
}

}  // namespace
}  // namespace thp
