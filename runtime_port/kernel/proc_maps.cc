#include "runtime_port/kernel/proc_maps.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "runtime_port/base/quote.h"

namespace thp {
namespace {

bool IsHeaderLine(absl::string_view line) {
  // Header lines start with a lowercase hex address; attribute lines with a
  // capitalised key ("Rss:", "VmFlags:").
  return !line.empty() && (absl::ascii_isdigit(line[0]) || (line[0] >= 'a' && line[0] <= 'f'));
}

absl::Status LineError(int64_t line_no, absl::string_view line, absl::string_view what) {
  // The line is quoted escaped and cut, so the message stays one bounded line.
  return absl::InvalidArgumentError(
      absl::StrFormat("line %d: %s: %s", line_no, what, QuoteForError(line)));
}

// Consumes a hexadecimal number; false if there is none or it overflows.
bool ConsumeHex(absl::string_view* s, uint64_t* out) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s->size(); ++i) {
    char c = (*s)[i];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      break;
    }
    if (i >= 16) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  if (i == 0) return false;
  s->remove_prefix(i);
  *out = v;
  return true;
}

// Consumes one space-delimited field and the blanks after it.
absl::string_view ConsumeField(absl::string_view* s) {
  size_t end = s->find(' ');
  if (end == absl::string_view::npos) end = s->size();
  absl::string_view field = s->substr(0, end);
  s->remove_prefix(end);
  while (!s->empty() && (s->front() == ' ' || s->front() == '\t')) s->remove_prefix(1);
  return field;
}

// start-end perms offset dev inode [name]
absl::Status ParseHeader(int64_t line_no, absl::string_view line, MapsEntry* e) {
  absl::string_view rest = line;
  uint64_t start = 0, end = 0;
  if (!ConsumeHex(&rest, &start) || !absl::ConsumePrefix(&rest, "-") ||
      !ConsumeHex(&rest, &end) || end <= start || !absl::ConsumePrefix(&rest, " ")) {
    return LineError(line_no, line, "bad address range");
  }
  e->start = start;
  e->end = end;
  absl::string_view perms = ConsumeField(&rest);
  if (perms.size() != 4) return LineError(line_no, line, "bad permissions");
  e->perms = std::string(perms);
  absl::string_view offset = ConsumeField(&rest);
  absl::string_view dev = ConsumeField(&rest);
  absl::string_view inode = ConsumeField(&rest);
  if (offset.empty() || dev.empty() || inode.empty()) {
    return LineError(line_no, line, "expected at least 5 fields");
  }
  e->name = std::string(absl::StripTrailingAsciiWhitespace(rest));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ParseKb(int64_t line_no, absl::string_view line, absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (!absl::ConsumeSuffix(&value, " kB")) return LineError(line_no, line, "expected kB");
  uint64_t kb = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &kb) || kb > (~uint64_t{0} >> 10)) {
    return LineError(line_no, line, "bad number");
  }
  return kb * 1024;
}

// Calls fn(line_no, line) for every non-empty line; stops at the first error.
template <typename Fn>
absl::Status ForEachLine(absl::string_view text, Fn fn) {
  int64_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    absl::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == absl::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() > kMaxProcLineBytes) {
      return LineError(line_no, line, absl::StrFormat("longer than %d bytes", kMaxProcLineBytes));
    }
    absl::Status st = fn(line_no, line);
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace

Prot ProtOfPerms(absl::string_view perms) {
  if (perms.size() >= 2 && perms[1] == 'w') return Prot::kReadWrite;
  if (!perms.empty() && perms[0] == 'r') return Prot::kRead;
  return Prot::kNone;
}

absl::StatusOr<std::vector<MapsEntry>> ParseMaps(absl::string_view text) {
  std::vector<MapsEntry> out;
  absl::Status st = ForEachLine(text, [&](int64_t line_no, absl::string_view line) {
    out.emplace_back();
    return ParseHeader(line_no, line, &out.back());
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<SmapsEntry>> ParseSmaps(absl::string_view text) {
  std::vector<SmapsEntry> out;
  absl::Status st = ForEachLine(text, [&](int64_t line_no, absl::string_view line) -> absl::Status {
    if (IsHeaderLine(line)) {
      out.emplace_back();
      return ParseHeader(line_no, line, &out.back().maps);
    }
    if (out.empty()) return LineError(line_no, line, "attribute before any mapping");
    SmapsEntry& cur = out.back();
    absl::string_view value = line;
    if (absl::ConsumePrefix(&value, "Rss:")) {
      absl::StatusOr<uint64_t> v = ParseKb(line_no, line, value);
      if (!v.ok()) return v.status();
      cur.rss_bytes = *v;
    } else if (absl::ConsumePrefix(&value, "AnonHugePages:")) {
      absl::StatusOr<uint64_t> v = ParseKb(line_no, line, value);
      if (!v.ok()) return v.status();
      cur.anon_huge_bytes = *v;
    } else if (absl::ConsumePrefix(&value, "VmFlags:")) {
      // Two-letter flags separated by spaces.
      for (size_t i = 0; i + 1 < value.size(); ++i) {
        if (value[i] == ' ' && i + 2 < value.size() + 1) {
          absl::string_view flag = value.substr(i + 1, 2);
          if (flag == "hg") cur.huge = HugeFlag::kHuge;
          if (flag == "nh") cur.huge = HugeFlag::kNoHuge;
        }
      }
    } else if (line.find(':') == absl::string_view::npos) {
      return LineError(line_no, line, "expected key: value");
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<ThpMode> ParseThpMode(absl::string_view path, absl::string_view text) {
  if (text.size() <= kMaxProcLineBytes) {
    if (text.find("[always]") != absl::string_view::npos) return ThpMode::kAlways;
    if (text.find("[madvise]") != absl::string_view::npos) return ThpMode::kMadvise;
    if (text.find("[never]") != absl::string_view::npos) return ThpMode::kNever;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "%s: %s: expected a THP mode in brackets (accepted: always, madvise, never)", path,
      QuoteForError(text)));
}

absl::StatusOr<int64_t> ParseMaxMapCount(absl::string_view path, absl::string_view text) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &v) || v < 0 || v > 2147483647) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: %s: expected an integer (accepted: 0 to 2147483647)", path, QuoteForError(text)));
  }
  return v;
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
