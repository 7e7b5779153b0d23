#include "mheap/go15/events/byte_io.h"

#include <lzma.h>

#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace thp {
namespace heaplog {
namespace {

std::string ReadAll(ByteSource& src, size_t chunk = 7) {
  std::string out(chunk, '\0');
  std::string all;
  for (;;) {
    absl::StatusOr<size_t> n = src.Read(out.data(), chunk);
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok() || *n == 0) return all;
    all.append(out.data(), *n);
  }
}

std::string Xz(const std::string& plain) {
  std::string out(plain.size() + 1024, '\0');
  size_t pos = 0;
  const lzma_ret r = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                             reinterpret_cast<const uint8_t*>(plain.data()), plain.size(),
                                             reinterpret_cast<uint8_t*>(out.data()), &pos, out.size());
  EXPECT_EQ(r, LZMA_OK);
  out.resize(pos);
  return out;
}

std::string Pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>((i * 7919) % 251));
  return s;
}

TEST(ByteIoTest, PlainInputPassesThrough) {
  for (const std::string& in : {std::string(), std::string("ab"), Pattern(100000)}) {
    absl::StatusOr<std::unique_ptr<ByteSource>> src = MaybeXz(MemorySource(in));
    ASSERT_TRUE(src.ok());
    EXPECT_EQ(ReadAll(**src), in);
  }
}

TEST(ByteIoTest, XzIsDecompressedIncludingConcatenatedStreams) {
  const std::string a = Pattern(300000), b = "second stream";
  absl::StatusOr<std::unique_ptr<ByteSource>> src = MaybeXz(MemorySource(Xz(a) + Xz(b)));
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(ReadAll(**src, 4096), a + b);
}

TEST(ByteIoTest, CorruptXzIsAnError) {
  std::string z = Xz(Pattern(100000));
  z.resize(z.size() / 2);
  absl::StatusOr<std::unique_ptr<ByteSource>> src = MaybeXz(MemorySource(z));
  ASSERT_TRUE(src.ok());
  char buf[4096];
  absl::Status last;
  for (;;) {
    absl::StatusOr<size_t> n = (*src)->Read(buf, sizeof(buf));
    if (!n.ok()) {
      last = n.status();
      break;
    }
    ASSERT_NE(*n, 0u) << "a truncated xz stream must not read as a clean end";
  }
  EXPECT_THAT(std::string(last.message()), ::testing::HasSubstr("xz: corrupt or truncated"));
}

TEST(ByteIoTest, FilesAndSinks) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/log.bin";
  {
    absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(path);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Write("hello ").ok());
    ASSERT_TRUE((*sink)->Write("log").ok());
    ASSERT_TRUE((*sink)->Close().ok());
  }
  absl::StatusOr<std::unique_ptr<ByteSource>> src = OpenLogSource(path);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(ReadAll(**src), "hello log");
  EXPECT_FALSE(OpenLogSource("/nonexistent/log").ok());
  EXPECT_FALSE(FileSink::Create("/nonexistent/log").ok());
  std::string s;
  std::unique_ptr<ByteSink> str = StringSink(&s);
  ASSERT_TRUE(str->Write("x").ok());
  EXPECT_EQ(s, "x");
}

// ReadLogFile: the whole file, decompressed when it is xz, in one string.
TEST(ByteIoTest, ReadLogFileReadsPlainAndXzWhole) {
  const std::string dir = std::string(getenv("TEST_TMPDIR"));
  const std::string plain = Pattern(200000);
  for (const auto& [name, bytes] :
       {std::pair<std::string, std::string>{"plain.txt", plain}, {"packed.txt.xz", Xz(plain)}}) {
    absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(dir + "/" + name);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Write(bytes).ok());
    ASSERT_TRUE((*sink)->Close().ok());
    absl::StatusOr<std::string> read = ReadLogFile(dir + "/" + name);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(*read, plain) << name;
  }
  EXPECT_EQ(ReadLogFile("/nonexistent/log").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
