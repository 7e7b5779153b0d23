#include "runtime_port/base/file_io.h"

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace thp {
namespace {

std::string TempPath(const char* name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(FileIoTest, WritesAndReadsBackExactly) {
  const std::string path = TempPath("file_io_test.txt");
  std::string text(200000, 'x');  // more than one read buffer
  text[12345] = '\0';
  text += "\nlast line";
  ASSERT_TRUE(WriteFile(path, text));
  absl::StatusOr<std::string> back = ReadWholeFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, text);
  ASSERT_TRUE(WriteFile(path, "short"));  // truncates
  EXPECT_EQ(*ReadWholeFile(path), "short");
}

// A bounded read refuses a file past its bound, also one that never ends,
// and reads one of exactly the bound.
TEST(FileIoTest, ABoundedReadStopsPastItsBound) {
  absl::StatusOr<std::string> zero = ReadWholeFile("/dev/zero", 100000);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), "read /dev/zero: more than 100000 bytes (the bound of this input)");
  const std::string path = TempPath("file_io_bound.txt");
  ASSERT_TRUE(WriteFile(path, std::string(100000, 'b')));
  EXPECT_TRUE(ReadWholeFile(path, 100000).ok());
  EXPECT_FALSE(ReadWholeFile(path, 99999).ok());
  EXPECT_FALSE(ReadWorkspaceFile(path, 99999).ok());
}

TEST(FileIoTest, ReadsProcFilesWhoseSizeIsZero) {
  absl::StatusOr<std::string> maps = ReadWholeFile("/proc/self/maps");
  ASSERT_TRUE(maps.ok()) << maps.status();
  EXPECT_NE(maps->find('\n'), std::string::npos);
}

TEST(FileIoTest, FailuresNameThePath) {
  absl::StatusOr<std::string> missing = ReadWholeFile("/no/such/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "open /no/such/file: No such file or directory");
  EXPECT_FALSE(WriteFile("/no/such/dir/f", "x"));
  EXPECT_FALSE(WriteFile("/dev/full", "x"));  // the error shows at close
}

TEST(FileIoTest, WriteErrorsSayWhy) {
  EXPECT_EQ(WriteWholeFile("/dev/full", "x").message(), "No space left on device");
  EXPECT_EQ(WriteWholeFile("/nonexistent-dir/f", "x").message(), "No such file or directory");
  EXPECT_TRUE(WriteWholeFile(TempPath("w"), "x").ok());
}

TEST(FileIoTest, AWorkspaceFileIsReadFromTheWorkingDirectoryOrTheRunfiles) {
  // A relative path that exists nowhere gives the working directory's error.
  EXPECT_EQ(ReadWorkspaceFile("no/such/file").status().message(),
            "open no/such/file: No such file or directory");
  // An absolute path is read as given.
  EXPECT_TRUE(ReadWorkspaceFile("/proc/self/status").ok());
}

}  // namespace
}  // namespace thp
