#include "runtime_port/memstream/mem_stream.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "runtime_port/base/quote.h"

namespace thp {
namespace {

struct Shape {
  MemRecord::Kind kind;
  const char* word;
  // One letter per argument: a=addr (hex, but decimal for at and run),
  // l=len, h=len in hex, r=result (hex), e=err, f=flag.
  const char* args;
};

constexpr Shape kShapes[] = {
    {MemRecord::kAt, "at", "a"},
    {MemRecord::kSysAlloc, "sysalloc", "lre"},
    {MemRecord::kSysReserve, "sysreserve", "alrf"},
    {MemRecord::kSysMap, "sysmap", "alf"},
    {MemRecord::kSysUnused, "sysunused", "al"},
    {MemRecord::kSysUsed, "sysused", "al"},
    {MemRecord::kSysFree, "sysfree", "al"},
    {MemRecord::kSysFault, "sysfault", "al"},
    {MemRecord::kHeapGrown, "grown", "al"},
    {MemRecord::kChunkDense, "dense", "al"},
    {MemRecord::kChunkScavenge, "chunkscavenge", "a"},
    {MemRecord::kTouch, "touch", "al"},
    {MemRecord::kRun, "run", "a"},
    {MemRecord::kRunEnd, "runend", "l"},
    {MemRecord::kSample, "sample", "ah"},
    {MemRecord::kGo121Heap, "go121heap", ""},
    {MemRecord::kSysAllocOS, "sysallocos", "lr"},
    {MemRecord::kSysFreeOS, "sysfreeos", "al"},
    {MemRecord::kSysUsedPrepared, "sysusedp", "alr"},
    {MemRecord::kSysHugePage, "syshugepage", "alr"},
    {MemRecord::kSysNoHugePage, "sysnohugepage", "alr"},
};

// "at" and "run" carry counts, not addresses, in `addr`.
bool AddrIsHex(MemRecord::Kind k) { return k != MemRecord::kAt && k != MemRecord::kRun; }

const Shape* ShapeOf(MemRecord::Kind k) {
  for (const Shape& s : kShapes) {
    if (s.kind == k) return &s;
  }
  return nullptr;
}

absl::StatusOr<uint64_t> ParseNumber(absl::string_view word, bool hex) {
  uint64_t v = 0;
  if (hex) {
    if (absl::StartsWith(word, "0x") && word.size() > 2 && word.size() <= 18) {
      bool ok = true;
      for (char c : word.substr(2)) {
        const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) ok = false;
        v = v * 16 + static_cast<uint64_t>(d < 0 ? 0 : d);
      }
      if (ok) return v;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(QuoteForError(word), ": expected a hex address (0x...)"));
  }
  if (!absl::SimpleAtoi(word, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat(QuoteForError(word), ": expected a decimal count of at most 2^64-1"));
  }
  return v;
}

}  // namespace

std::string FormatMemRecord(const MemRecord& r) {
  switch (r.kind) {
    case MemRecord::kPassBegin:
      return "pass begin";
    case MemRecord::kPassEnd:
      return "pass end";
    case MemRecord::kBench:
      return absl::StrCat("bench ", r.addr, " ", r.len, " ", r.text);
    case MemRecord::kGctrace:
      return absl::StrCat("gctrace ", r.text);
    case MemRecord::kEnd:
      return absl::StrCat("end ", r.text);
    default:
      break;
  }
  const Shape* s = ShapeOf(r.kind);
  std::string out = s->word;
  for (const char* a = s->args; *a != '\0'; ++a) {
    switch (*a) {
      case 'a':
        absl::StrAppend(&out, AddrIsHex(r.kind) ? absl::StrFormat(" 0x%x", r.addr)
                                                : absl::StrCat(" ", r.addr));
        break;
      case 'l':
        absl::StrAppend(&out, " ", r.len);
        break;
      case 'h':
        absl::StrAppend(&out, absl::StrFormat(" 0x%x", r.len));
        break;
      case 'r':
        absl::StrAppend(&out, absl::StrFormat(" 0x%x", r.result));
        break;
      case 'e':
        absl::StrAppend(&out, " ", r.err);
        break;
      case 'f':
        absl::StrAppend(&out, r.flag ? " 1" : " 0");
        break;
    }
  }
  return out;
}

absl::StatusOr<MemRecord> ParseMemRecord(absl::string_view line) {
  const size_t space = line.find(' ');
  const absl::string_view word = line.substr(0, space);
  const absl::string_view rest = space == absl::string_view::npos ? "" : line.substr(space + 1);
  MemRecord r;
  if (word == "pass") {
    if (rest == "begin" || rest == "end") {
      r.kind = rest == "begin" ? MemRecord::kPassBegin : MemRecord::kPassEnd;
      return r;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("pass ", QuoteForError(rest), ": expected begin or end"));
  }
  if (word == "gctrace" || word == "end") {
    r.kind = word == "gctrace" ? MemRecord::kGctrace : MemRecord::kEnd;
    r.text = std::string(rest);
    return r;
  }
  if (word == "bench") {
    std::vector<absl::string_view> f = absl::StrSplit(rest, absl::MaxSplits(' ', 2));
    if (f.size() != 3 || f[2].empty() || !absl::SimpleAtoi(f[0], &r.addr) ||
        !absl::SimpleAtoi(f[1], &r.len)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bench ", QuoteForError(rest), ": expected <index> <total> <name>"));
    }
    r.kind = MemRecord::kBench;
    r.text = std::string(f[2]);
    return r;
  }
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes) {
    if (word == s.word) shape = &s;
  }
  if (shape == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        QuoteForError(word), ": not a memory-layer record (expected at, sysalloc, sysreserve, "
        "sysmap, sysunused, sysused, sysfree, sysfault, grown, dense, chunkscavenge, pass, touch, "
        "bench, run, runend, sample, gctrace, end, go121heap, sysallocos, sysfreeos, sysusedp, "
        "syshugepage or sysnohugepage)"));
  }
  r.kind = shape->kind;
  std::vector<absl::string_view> args =
      rest.empty() ? std::vector<absl::string_view>() : absl::StrSplit(rest, ' ');
  const size_t want = std::char_traits<char>::length(shape->args);
  if (args.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat(shape->word, ": expected ", want,
                                                   " arguments, got ", args.size()));
  }
  for (size_t i = 0; i < want; ++i) {
    const char a = shape->args[i];
    const bool hex = (a == 'a' && AddrIsHex(r.kind)) || a == 'r' || a == 'h';
    if (a == 'f') {
      if (args[i] != "0" && args[i] != "1") {
        return absl::InvalidArgumentError(
            absl::StrCat(shape->word, " ", QuoteForError(args[i]), ": expected 0 or 1"));
      }
      r.flag = args[i] == "1";
      continue;
    }
    if (a == 'e') {
      if (!absl::SimpleAtoi(args[i], &r.err) || r.err < 0 || r.err > 4095) {
        return absl::InvalidArgumentError(absl::StrCat(
            shape->word, " ", QuoteForError(args[i]), ": expected an errno, 0 to 4095"));
      }
      continue;
    }
    absl::StatusOr<uint64_t> v = ParseNumber(args[i], hex);
    if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat(shape->word, " ", v.status().message()));
    (a == 'a' ? r.addr : a == 'r' ? r.result : r.len) = *v;
  }
  return r;
}

}  // namespace thp
