#include "runtime_port/base/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_format.h"

namespace thp {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path, size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrFormat("open %s: %s", path, std::strerror(errno)));
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return absl::InternalError(absl::StrFormat("read %s: %s", path, std::strerror(err)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      close(fd);
      return absl::OutOfRangeError(
          absl::StrFormat("read %s: more than %d bytes (the bound of this input)", path, max_bytes));
    }
  }
  close(fd);
  return out;
}

absl::StatusOr<std::string> ReadWorkspaceFile(const std::string& path, size_t max_bytes) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, max_bytes);
  if (text.ok() || path.empty() || path[0] == '/') return text;
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return text;
  self[n] = '\0';
  absl::StatusOr<std::string> beside =
      ReadWholeFile(absl::StrFormat("%s.runfiles/thp_lab/%s", self, path), max_bytes);
  return beside.ok() ? beside : text;
}

absl::Status WriteWholeFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return absl::UnavailableError(std::strerror(errno));
  int err = 0;
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size()) err = errno != 0 ? errno : EIO;
  if (std::fclose(f) != 0 && err == 0) err = errno != 0 ? errno : EIO;
  return err == 0 ? absl::OkStatus() : absl::UnavailableError(std::strerror(err));
}

bool WriteFile(const std::string& path, const std::string& text) {
  return WriteWholeFile(path, text).ok();
}

}  // namespace thp
