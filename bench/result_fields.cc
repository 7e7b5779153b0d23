#include "bench/result_fields.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace thp {

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string CsvCell(absl::string_view s) {
  if (s.find_first_of(",\"\n") == absl::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvLines(const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows) {
  std::string out = absl::StrCat(absl::StrJoin(header, ","), "\n");
  for (const std::vector<std::string>& row : rows) absl::StrAppend(&out, absl::StrJoin(row, ","), "\n");
  return out;
}

namespace fields_internal {
namespace {

// "name=n;name=n", the nested form of counts in a CSV cell.
std::string JoinedCounts(const NamedCounts& v) {
  return absl::StrJoin(v, ";", [](std::string* out, const std::pair<std::string, int64_t>& c) {
    absl::StrAppend(out, c.first, "=", c.second);
  });
}

}  // namespace

// --- TextWriter

void TextWriter::operator()(absl::string_view key, const std::string& v, unsigned) {
  std::string one_line = v;  // a value is one line and holds no tab
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  std::replace(one_line.begin(), one_line.end(), '\t', ' ');
  absl::StrAppend(&out_, key, "\t", one_line, "\n");
}
void TextWriter::operator()(absl::string_view key, int64_t v, unsigned) {
  absl::StrAppend(&out_, key, "\t", v, "\n");
}
void TextWriter::operator()(absl::string_view key, uint64_t v, unsigned) {
  absl::StrAppend(&out_, key, "\t", v, "\n");
}
void TextWriter::operator()(absl::string_view key, bool v, unsigned) {
  absl::StrAppend(&out_, key, "\t", v ? 1 : 0, "\n");
}
void TextWriter::operator()(absl::string_view key, const NamedCounts& v, unsigned) {
  for (const auto& [name, n] : v) absl::StrAppend(&out_, key, ".", name, "\t", n, "\n");
}
void TextWriter::operator()(absl::string_view key, const std::vector<int64_t>& v, unsigned) {
  absl::StrAppend(&out_, key, "\t", absl::StrJoin(v, ","), "\n");
}
void TextWriter::operator()(absl::string_view key, const std::vector<CensusPoint>& v, unsigned) {
  for (const CensusPoint& p : v) {
    absl::StrAppend(&out_, key, "\t", p.t_ns, "\t", p.process, "\t", p.own, "\n");
  }
}

// --- TextReader

TextReader::TextReader(absl::string_view text) {
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++number;
    const size_t tab = line.find('\t');
    if (tab == absl::string_view::npos) {
      if (first_bad_ == 0) first_bad_ = number;
      lines_.push_back(Line{number, line, line, "", /*used=*/true});
      continue;
    }
    lines_.push_back(Line{number, line, line.substr(0, tab), line.substr(tab + 1)});
  }
  for (size_t i = 0; i < lines_.size(); ++i) {
    if (!lines_[i].used) by_key_[lines_[i].key].push_back(i);
  }
}

void TextReader::Bad(const Line& line) {
  if (first_bad_ == 0 || line.number < first_bad_) first_bad_ = line.number;
}

void TextReader::NoteMissing(absl::string_view key) {
  std::string& first = past_failure_ ? missing_after_failure_ : missing_;
  if (first.empty()) first = std::string(key);
}

TextReader::Line* TextReader::Take(absl::string_view key) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) {
    NoteMissing(key);
    return nullptr;
  }
  Line* first = nullptr;
  for (size_t i : it->second) {
    Line& line = lines_[i];
    if (first == nullptr) {
      first = &line;
    } else {
      Bad(line);  // a field given twice
    }
    line.used = true;
  }
  return first;
}

void TextReader::operator()(absl::string_view key, std::string& v, unsigned use) {
  if (Line* line = Take(key)) v = std::string(line->value);
  if (use & kFailure) {
    failed_ = !v.empty();
    past_failure_ = true;
  }
}
void TextReader::operator()(absl::string_view key, int64_t& v, unsigned) {
  if (Line* line = Take(key); line != nullptr && !absl::SimpleAtoi(line->value, &v)) Bad(*line);
}
void TextReader::operator()(absl::string_view key, uint64_t& v, unsigned) {
  if (Line* line = Take(key); line != nullptr && !absl::SimpleAtoi(line->value, &v)) Bad(*line);
}
void TextReader::operator()(absl::string_view key, bool& v, unsigned) {
  Line* line = Take(key);
  if (line == nullptr) return;
  if (line->value != "0" && line->value != "1") Bad(*line);
  v = line->value == "1";
}
void TextReader::operator()(absl::string_view key, NamedCounts& v, unsigned) {
  // Counts may be empty, so none of their lines is required.
  const std::string prefix = absl::StrCat(key, ".");
  for (Line& line : lines_) {
    if (line.used || !absl::StartsWith(line.key, prefix)) continue;
    line.used = true;
    int64_t n = 0;
    if (!absl::SimpleAtoi(line.value, &n)) Bad(line);
    v.emplace_back(std::string(line.key.substr(prefix.size())), n);
  }
}
void TextReader::operator()(absl::string_view key, std::vector<int64_t>& v, unsigned) {
  Line* line = Take(key);
  if (line == nullptr) return;
  for (absl::string_view item : absl::StrSplit(line->value, ',', absl::SkipEmpty())) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(item, &n)) Bad(*line);
    v.push_back(n);
  }
}
void TextReader::operator()(absl::string_view key, std::vector<CensusPoint>& v, unsigned) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;  // a series may be empty
  for (size_t i : it->second) {
    Line& line = lines_[i];
    line.used = true;
    std::vector<absl::string_view> f = absl::StrSplit(line.value, '\t');
    CensusPoint p;
    if (f.size() != 3 || !absl::SimpleAtoi(f[0], &p.t_ns) || !absl::SimpleAtoi(f[1], &p.process) ||
        !absl::SimpleAtoi(f[2], &p.own)) {
      Bad(line);
      continue;
    }
    v.push_back(p);
  }
}

absl::Status TextReader::Finish() const {
  int bad = first_bad_;
  for (const Line& line : lines_) {
    if (!line.used && (bad == 0 || line.number < bad)) bad = line.number;  // an unknown key
  }
  if (bad != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "result line %d: \"%s\"", bad, lines_[static_cast<size_t>(bad - 1)].text));
  }
  if (!missing_.empty()) return absl::InvalidArgumentError(absl::StrCat("result lacks ", missing_));
  if (!missing_after_failure_.empty() && !failed_) {
    return absl::InvalidArgumentError(absl::StrCat("result lacks ", missing_after_failure_));
  }
  return absl::OkStatus();
}

// --- JsonWriter

void JsonWriter::Add(absl::string_view key, absl::string_view json_value) {
  items_.push_back(absl::StrCat(JsonString(key), ": ", json_value));
}
void JsonWriter::operator()(absl::string_view key, const std::string& v, unsigned use) {
  if (use & kInJson) Add(key, JsonString(v));
}
void JsonWriter::operator()(absl::string_view key, int64_t v, unsigned use) {
  if (use & kInJson) Add(key, absl::StrCat(v));
}
void JsonWriter::operator()(absl::string_view key, uint64_t v, unsigned use) {
  if (use & kInJson) Add(key, absl::StrCat(v));
}
void JsonWriter::operator()(absl::string_view key, bool v, unsigned use) {
  if (use & kInJson) Add(key, v ? "true" : "false");
}
void JsonWriter::operator()(absl::string_view key, const NamedCounts& v, unsigned use) {
  if (!(use & kInJson)) return;
  if (!(use & kNested)) {
    for (const auto& [name, n] : v) Add(absl::StrCat(key, ".", name), absl::StrCat(n));
    return;
  }
  std::vector<std::string> inner;
  for (const auto& [name, n] : v) inner.push_back(absl::StrCat(JsonString(name), ": ", n));
  Add(key, absl::StrCat("{", absl::StrJoin(inner, ", "), "}"));
}
void JsonWriter::operator()(absl::string_view key, const std::vector<int64_t>& v, unsigned use) {
  if (use & kInJson) Add(key, absl::StrCat("[", absl::StrJoin(v, ", "), "]"));
}
void JsonWriter::operator()(absl::string_view key, const std::vector<CensusPoint>& v,
                            unsigned use) {
  if (!(use & kInJson)) return;
  std::string points;
  for (const CensusPoint& p : v) {
    absl::StrAppend(&points, points.empty() ? "" : ",", "[", p.t_ns, ",", p.process, ",", p.own, "]");
  }
  Add(key, absl::StrCat("[", points, "]"));
}
std::string JsonWriter::Object() const { return absl::StrCat("{", absl::StrJoin(items_, ", "), "}"); }

// --- CsvWriter

void CsvWriter::Add(unsigned use, absl::string_view key, std::string cell) {
  if (use & kInCsv) cells_.push_back(header_ ? std::string(key) : std::move(cell));
}
void CsvWriter::operator()(absl::string_view key, const std::string& v, unsigned use) {
  Add(use, key, CsvCell(v));
}
void CsvWriter::operator()(absl::string_view key, int64_t v, unsigned use) {
  Add(use, key, absl::StrCat(v));
}
void CsvWriter::operator()(absl::string_view key, uint64_t v, unsigned use) {
  Add(use, key, absl::StrCat(v));
}
void CsvWriter::operator()(absl::string_view key, bool v, unsigned use) {
  Add(use, key, v ? "1" : "0");
}
void CsvWriter::operator()(absl::string_view key, const NamedCounts& v, unsigned use) {
  if (use & kNested) {
    Add(use, key, CsvCell(JoinedCounts(v)));
    return;
  }
  for (const auto& [name, n] : v) Add(use, absl::StrCat(key, ".", name), absl::StrCat(n));
}

}  // namespace fields_internal
}  // namespace thp
