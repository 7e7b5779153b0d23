#include "bench/report/result_fields.h"

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

// --- Writer

void Writer::Scalar(absl::string_view key, unsigned use, const std::string& text,
                    const std::string& json, const std::string& csv) {
  switch (form_) {
    case kChildText:
      items_.push_back(absl::StrCat(key, "\t", text));
      break;
    case kJson:
      if (use & kInJson) items_.push_back(absl::StrCat(JsonString(key), ": ", json));
      break;
    case kCsvHeader:
      if (use & kInCsv) items_.push_back(std::string(key));
      break;
    case kCsvCells:
      if (use & kInCsv) items_.push_back(csv);
      break;
  }
}

std::string Writer::Text() const {
  if (form_ == kJson) return absl::StrCat("{", absl::StrJoin(items_, ", "), "}");
  std::string out;
  for (const std::string& line : items_) absl::StrAppend(&out, line, "\n");
  return out;
}

void Writer::operator()(absl::string_view key, const std::string& v, unsigned use) {
  std::string one_line = v;  // a child-text value is one line and holds no tab
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  std::replace(one_line.begin(), one_line.end(), '\t', ' ');
  Scalar(key, use, one_line, JsonString(v), CsvCell(v));
}
void Writer::operator()(absl::string_view key, int64_t v, unsigned use) {
  const std::string n = absl::StrCat(v);
  Scalar(key, use, n, n, n);
}
void Writer::operator()(absl::string_view key, uint64_t v, unsigned use) {
  const std::string n = absl::StrCat(v);
  Scalar(key, use, n, n, n);
}
void Writer::operator()(absl::string_view key, bool v, unsigned use) {
  Scalar(key, use, v ? "1" : "0", v ? "true" : "false", v ? "1" : "0");
}
void Writer::operator()(absl::string_view key, const NamedCounts& v, unsigned use) {
  // Flat: one field per name, "<key>.<name>", in every form; the child text
  // is always flat.
  if (form_ == kChildText || !(use & kNested)) {
    for (const auto& [name, n] : v) {
      const std::string count = absl::StrCat(n);
      Scalar(absl::StrCat(key, ".", name), use, count, count, count);
    }
    return;
  }
  std::vector<std::string> members;
  for (const auto& [name, n] : v) members.push_back(absl::StrCat(JsonString(name), ": ", n));
  Scalar(key, use, "", absl::StrCat("{", absl::StrJoin(members, ", "), "}"),
         CsvCell(JoinedCounts(v)));
}
void Writer::operator()(absl::string_view key, const std::vector<int64_t>& v, unsigned use) {
  // A list has no CSV column.
  Scalar(key, use & ~kInCsv, absl::StrJoin(v, ","), absl::StrCat("[", absl::StrJoin(v, ", "), "]"),
         "");
}
void Writer::operator()(absl::string_view key, const std::vector<CensusPoint>& v, unsigned use) {
  if (form_ == kChildText) {
    for (const CensusPoint& p : v) {
      items_.push_back(absl::StrCat(key, "\t", p.t_ns, "\t", p.process, "\t", p.own));
    }
    return;
  }
  std::string points;
  for (const CensusPoint& p : v) {
    absl::StrAppend(&points, points.empty() ? "" : ",", "[", p.t_ns, ",", p.process, ",", p.own, "]");
  }
  // A series has no CSV column.
  Scalar(key, use & ~kInCsv, "", absl::StrCat("[", points, "]"), "");
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

}  // namespace fields_internal
}  // namespace thp
