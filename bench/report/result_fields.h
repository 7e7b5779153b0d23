// Field tables: how a driver's result type is written down. One table per
// result type lists its fields in order, and that one list drives every form
// the result takes:
//   - the child -> parent text (a child process writes it to its result
//     file, the parent reads it back): "key<TAB>value" lines, every field;
//   - a JSON object of the fields marked kInJson;
//   - CSV header names and cells of the fields marked kInCsv.
// So the child format, the JSON keys and the CSV columns cannot disagree.
//
// A table is a specialisation of FieldTable with one member template that
// calls v(key, field[, use]) for each field; `R` is the result type, const
// (for writing) or not (for parsing):
//   template <> struct FieldTable<MyResult> {
//     template <typename R, typename V> static void Visit(R& r, V& v) {
//       v("variant", r.variant);
//       v("wall_ns", r.wall_ns, kChildOnly);
//     }
//   };
// Field types: std::string, int64_t, uint64_t, bool, NamedCounts (name ->
// count, in order), std::vector<int64_t>, std::vector<CensusPoint> (a VMA
// count series). It mirrors no Go code.
#ifndef THP_BENCH_REPORT_RESULT_FIELDS_H_
#define THP_BENCH_REPORT_RESULT_FIELDS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime_port/kernel/census_kernel.h"

namespace thp {

using NamedCounts = std::vector<std::pair<std::string, int64_t>>;

// A JSON string literal, quotes included (control characters as \u00XX).
std::string JsonString(absl::string_view s);
// A CSV cell, quoted (with doubled quotes) only if it holds , " or a newline.
std::string CsvCell(absl::string_view s);

// Where a field appears besides the child text, which holds every field.
enum FieldUse : unsigned {
  kChildOnly = 0,
  kInJson = 1,
  kInCsv = 2,
  kEverywhere = kInJson | kInCsv,
  // NamedCounts as one JSON object {"name": n} and one CSV cell
  // "name=n;name=n"; without it, one JSON key and one CSV column per name,
  // "<key>.<name>" (the names come from the row, so rows with different
  // names make different columns).
  kNested = 4,
  // A string that says why the run failed: when it is not empty, the fields
  // after it may be missing from the child text (a child that died wrote
  // what it had).
  kFailure = 8,
};

template <typename R>
struct FieldTable;

namespace fields_internal {

// Writes the fields in one of the forms.
class Writer {
 public:
  enum Form { kChildText, kJson, kCsvHeader, kCsvCells };
  explicit Writer(Form form) : form_(form) {}
  void operator()(absl::string_view key, const std::string& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, int64_t v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, uint64_t v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, bool v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, const NamedCounts& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, const std::vector<int64_t>& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, const std::vector<CensusPoint>& v,
                  unsigned use = kEverywhere);
  // kChildText: the lines; kJson: {"key": value, ...}.
  std::string Text() const;
  // kCsvHeader, kCsvCells.
  const std::vector<std::string>& items() const { return items_; }

 private:
  // One field: its child-text value (one line per element of `lines`; none
  // for empty counts), its JSON value and its CSV cell.
  void Scalar(absl::string_view key, unsigned use, const std::string& text,
              const std::string& json, const std::string& csv);
  const Form form_;
  std::vector<std::string> items_;  // child-text lines, JSON members or CSV cells
};

// Fills a result from the child text; every line must be used exactly once.
class TextReader {
 public:
  explicit TextReader(absl::string_view text);
  void operator()(absl::string_view key, std::string& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, int64_t& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, uint64_t& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, bool& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, NamedCounts& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, std::vector<int64_t>& v, unsigned use = kEverywhere);
  void operator()(absl::string_view key, std::vector<CensusPoint>& v, unsigned use = kEverywhere);
  // The first bad line ("result line N: \"...\""), else the first field
  // missing where it had to be there ("result lacks <key>").
  absl::Status Finish() const;

 private:
  struct Line {
    int number;  // counting non-empty lines from 1
    absl::string_view text;
    absl::string_view key;
    absl::string_view value;
    bool used = false;
  };
  // The one line of `key`, or null (noting it missing).
  Line* Take(absl::string_view key);
  void Bad(const Line& line);
  void NoteMissing(absl::string_view key);

  std::vector<Line> lines_;
  absl::flat_hash_map<absl::string_view, std::vector<size_t>> by_key_;
  int first_bad_ = 0;  // line number, 0 if none
  bool failed_ = false;        // a kFailure field said the run failed
  bool past_failure_ = false;  // visiting the fields after a kFailure field
  std::string missing_;        // first field missing before any kFailure field
  std::string missing_after_failure_;
};

}  // namespace fields_internal

template <typename R>
fields_internal::Writer WriteFields(const R& r, fields_internal::Writer::Form form) {
  fields_internal::Writer w(form);
  FieldTable<R>::Visit(r, w);
  return w;
}

// The child -> parent text of `r`.
template <typename R>
std::string SerializeFields(const R& r) {
  return WriteFields(r, fields_internal::Writer::kChildText).Text();
}

// Reads the text SerializeFields wrote. Unknown keys, a line without a tab,
// a bad number and a missing field are errors.
template <typename R>
absl::StatusOr<R> ParseFields(absl::string_view text) {
  fields_internal::TextReader reader(text);
  R r;
  FieldTable<R>::Visit(r, reader);
  if (absl::Status st = reader.Finish(); !st.ok()) return st;
  return r;
}

// The kInJson fields as one JSON object on one line.
template <typename R>
std::string JsonFields(const R& r) {
  return WriteFields(r, fields_internal::Writer::kJson).Text();
}

// The kInCsv fields' column names, and `r`'s cells in the same order.
template <typename R>
std::vector<std::string> CsvHeader(const R& r) {
  return WriteFields(r, fields_internal::Writer::kCsvHeader).items();
}
template <typename R>
std::vector<std::string> CsvCells(const R& r) {
  return WriteFields(r, fields_internal::Writer::kCsvCells).items();
}

// A CSV table, one row per result, under the header of the first row (of a
// blank result if there is none).
std::string CsvLines(const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows);
template <typename R>
std::string CsvTable(const std::vector<R>& rows) {
  std::vector<std::vector<std::string>> cells;
  for (const R& r : rows) cells.push_back(CsvCells(r));
  return CsvLines(CsvHeader(rows.empty() ? R() : rows.front()), cells);
}

}  // namespace thp

#endif  // THP_BENCH_REPORT_RESULT_FIELDS_H_
