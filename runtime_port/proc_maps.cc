#include "runtime_port/proc_maps.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace thp {
namespace {

bool IsHeaderLine(absl::string_view line) {
  // Header lines start with a lowercase hex address; attribute lines with a
  // capitalised key ("Rss:", "VmFlags:").
  return !line.empty() && (absl::ascii_isdigit(line[0]) || (line[0] >= 'a' && line[0] <= 'f'));
}

absl::Status LineError(int line_no, absl::string_view line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrFormat("line %d: %s: \"%s\"", line_no, what, line));
}

absl::StatusOr<MapsEntry> ParseHeader(int line_no, absl::string_view line) {
  // start-end perms offset dev inode [name]
  std::vector<absl::string_view> fields =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (fields.size() < 5) return LineError(line_no, line, "expected at least 5 fields");
  MapsEntry e;
  std::pair<absl::string_view, absl::string_view> range = absl::StrSplit(fields[0], '-');
  uint64_t start = 0, end = 0;
  if (!absl::SimpleHexAtoi(range.first, &start) || !absl::SimpleHexAtoi(range.second, &end) ||
      end <= start) {
    return LineError(line_no, line, "bad address range");
  }
  e.start = start;
  e.end = end;
  if (fields[1].size() != 4) return LineError(line_no, line, "bad permissions");
  e.perms = std::string(fields[1]);
  if (fields.size() > 5) {
    // The name is everything after the inode field, spaces included.
    size_t pos = line.find(fields[5], fields[4].data() - line.data() + fields[4].size());
    e.name = std::string(absl::StripTrailingAsciiWhitespace(line.substr(pos)));
  }
  return e;
}

absl::StatusOr<uint64_t> ParseKb(int line_no, absl::string_view line, absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (!absl::ConsumeSuffix(&value, " kB")) return LineError(line_no, line, "expected kB");
  uint64_t kb = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &kb)) {
    return LineError(line_no, line, "bad number");
  }
  return kb * 1024;
}

}  // namespace

Prot ProtOfPerms(absl::string_view perms) {
  if (perms.size() >= 2 && perms[1] == 'w') return Prot::kReadWrite;
  if (!perms.empty() && perms[0] == 'r') return Prot::kRead;
  return Prot::kNone;
}

absl::StatusOr<std::vector<MapsEntry>> ParseMaps(absl::string_view text) {
  std::vector<MapsEntry> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    absl::StatusOr<MapsEntry> e = ParseHeader(line_no, line);
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  return out;
}

absl::StatusOr<std::vector<SmapsEntry>> ParseSmaps(absl::string_view text) {
  std::vector<SmapsEntry> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    if (IsHeaderLine(line)) {
      absl::StatusOr<MapsEntry> e = ParseHeader(line_no, line);
      if (!e.ok()) return e.status();
      out.push_back(SmapsEntry{*std::move(e)});
      continue;
    }
    if (out.empty()) return LineError(line_no, line, "attribute before any mapping");
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return LineError(line_no, line, "expected key: value");
    absl::string_view key = line.substr(0, colon);
    absl::string_view value = line.substr(colon + 1);
    SmapsEntry& cur = out.back();
    if (key == "Rss") {
      absl::StatusOr<uint64_t> v = ParseKb(line_no, line, value);
      if (!v.ok()) return v.status();
      cur.rss_bytes = *v;
    } else if (key == "AnonHugePages") {
      absl::StatusOr<uint64_t> v = ParseKb(line_no, line, value);
      if (!v.ok()) return v.status();
      cur.anon_huge_bytes = *v;
    } else if (key == "VmFlags") {
      for (absl::string_view flag : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
        if (flag == "hg") cur.huge = HugeFlag::kHuge;
        if (flag == "nh") cur.huge = HugeFlag::kNoHuge;
      }
    }
  }
  return out;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
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
  }
  close(fd);
  return out;
}

int64_t MapCountOf(const std::vector<MapsEntry>& entries) {
  int64_t n = 0;
  for (const MapsEntry& e : entries) {
    if (e.name != "[vsyscall]") ++n;
  }
  return n;
}

int64_t MapCountOfText(absl::string_view text) {
  int64_t lines = 0;
  for (char c : text) lines += (c == '\n');
  if (!text.empty() && text.back() != '\n') ++lines;
  if (text.find("[vsyscall]") != absl::string_view::npos) --lines;
  return lines;
}

}  // namespace thp
