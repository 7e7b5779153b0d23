#include "bench/report/address_map.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "runtime_port/base/quote.h"

namespace thp {
namespace {

constexpr uintptr_t kMiB = uintptr_t{1} << 20;

void AppendSpanRun(std::vector<SpanRun>& runs, uintptr_t start, uintptr_t end, SpanShade shade) {
  if (!runs.empty() && runs.back().end == start && runs.back().shade == shade) {
    runs.back().end = end;
  } else {
    runs.push_back(SpanRun{start, end, shade});
  }
}

const char* FlagColour(HugeFlag f) {
  switch (f) {
    case HugeFlag::kNone: return "#c8c8c8";
    case HugeFlag::kHuge: return "#2e9e44";
    case HugeFlag::kNoHuge: return "#d33a2c";
  }
  return "#000";
}

const char* ShadeColour(SpanShade s) {
  switch (s) {
    case SpanShade::kInUse: return "#2f4f9e";
    case SpanShade::kFree: return "#9dbbe8";
    case SpanShade::kReleased: return "#f2c744";
    case SpanShade::kUnknown: return "#ffffff";
  }
  return "#000";
}

std::string Escape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Layout constants (pixels).
constexpr double kLeft = 90;
constexpr double kPlotWidth = 1100;
constexpr double kStrip = 9;
constexpr double kRowGap = 5;
constexpr double kRowHeight = 2 * kStrip + kRowGap;
constexpr int kMaxRows = 48;

// 48 rows of 1,100 px hold about 52,800 px: past this many 2 MiB pages the
// gridlines would be less than a pixel apart (and the SVG huge).
constexpr uintptr_t kMaxGridLines = 65536;

uintptr_t RowBytes(uintptr_t span) {
  const uintptr_t per_row = (span + kMaxRows - 1) / kMaxRows;
  return std::max<uintptr_t>(8 * kMiB, RoundUp(per_row, kHugePageSize));
}

// Draws [start, end) of one strip, split over the rows it crosses.
void DrawRun(std::string& svg, uintptr_t base, uintptr_t row_bytes, double top, double y_in_row,
             uintptr_t start, uintptr_t end, const char* colour) {
  while (start < end) {
    const uintptr_t row = (start - base) / row_bytes;
    const uintptr_t row_end = std::min(end, base + (row + 1) * row_bytes);
    const double x0 = kLeft + kPlotWidth * double(start - base - row * row_bytes) / double(row_bytes);
    const double x1 = kLeft + kPlotWidth * double(row_end - base - row * row_bytes) / double(row_bytes);
    absl::StrAppendFormat(&svg, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\"/>\n",
                          x0, top + row * kRowHeight + y_in_row, std::max(x1 - x0, 0.15), kStrip,
                          colour);
    start = row_end;
  }
}

// The zoom under a map: the 2 MiB regions (huge pages, absolute alignment)
// holding the most VMAs, one per row, when some region holds at least
// kZoomMinVmas: at the overview's scale an 8 KiB flag change is a fraction
// of a pixel; in a zoom row it is about 4 pixels wide.
constexpr int kZoomRows = 16;
constexpr int64_t kZoomMinVmas = 4;

struct ZoomRegion {
  uintptr_t start = 0;
  int64_t vmas = 0;  // VMAs overlapping the region
};

// Up to kZoomRows regions, the densest first chosen, returned in address order.
std::vector<ZoomRegion> DensestRegions(const AddressMap& m) {
  std::map<uintptr_t, int64_t> count;  // region start -> VMAs overlapping it
  // VMAs are disjoint and in order, so a region that lies wholly inside one
  // VMA overlaps that one only; a region with two or more holds a VMA
  // boundary. Counting each VMA in its first and last region is therefore
  // exact for every region that can qualify (kZoomMinVmas > 1), however
  // large the VMAs.
  for (const Vma& v : m.vmas) {
    const uintptr_t lo = std::max(v.start, m.lo), hi = std::min(v.end, m.hi);
    if (lo >= hi) continue;
    const uintptr_t first = RoundDown(lo, kHugePageSize), last = RoundDown(hi - 1, kHugePageSize);
    ++count[first];
    if (last != first) ++count[last];
  }
  std::vector<ZoomRegion> all;
  for (const auto& [start, n] : count) all.push_back(ZoomRegion{start, n});
  std::vector<ZoomRegion> dense;
  for (const ZoomRegion& z : all) {
    if (z.vmas >= kZoomMinVmas) dense.push_back(z);
  }
  std::stable_sort(dense.begin(), dense.end(),
                   [](const ZoomRegion& a, const ZoomRegion& b) { return a.vmas > b.vmas; });
  if (dense.size() > static_cast<size_t>(kZoomRows)) dense.resize(kZoomRows);
  std::sort(dense.begin(), dense.end(),
            [](const ZoomRegion& a, const ZoomRegion& b) { return a.start < b.start; });
  return dense;
}

double ZoomHeight(const AddressMap& m) {
  const size_t n = DensestRegions(m).size();
  return n == 0 ? 0 : 24 + n * kRowHeight;
}

double MapHeight(const AddressMap& m) {
  const uintptr_t rows = m.hi > m.lo ? (m.hi - m.lo + RowBytes(m.hi - m.lo) - 1) / RowBytes(m.hi - m.lo) : 0;
  return 40 + rows * kRowHeight + 10 + ZoomHeight(m);
}

// Draws the zoom rows of `m` from `top`.
void RenderZoom(std::string& svg, const AddressMap& m, double top) {
  const std::vector<ZoomRegion> regions = DensestRegions(m);
  if (regions.empty()) return;
  absl::StrAppendFormat(&svg,
                        "<text x=\"10\" y=\"%.0f\" font-size=\"12\">The %d 2 MiB regions with the "
                        "most VMAs, one per row (a row is one huge page, 8 KiB is %.1f px; a tick marks each VMA's start):</text>\n",
                        top + 14, regions.size(), kPlotWidth * 8192 / double(kHugePageSize));
  const double body = top + 24;
  for (size_t i = 0; i < regions.size(); ++i) {
    const uintptr_t lo = regions[i].start, hi = lo + kHugePageSize;
    const double row_top = body + i * kRowHeight;
    absl::StrAppendFormat(&svg,
                          "<text x=\"%.0f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\">+%.0f MiB: "
                          "%d</text>\n",
                          kLeft - 4, row_top + kStrip + 3, double(lo - m.lo) / double(kMiB),
                          regions[i].vmas);
    for (const Vma& v : m.vmas) {
      if (v.end <= lo || v.start >= hi) continue;
      DrawRun(svg, lo, kHugePageSize, row_top, 0, std::max(v.start, lo), std::min(v.end, hi),
              FlagColour(v.huge));
      // A tick where a VMA begins: neighbours with the same flag that did
      // not merge are two VMAs, and this is where one can see it.
      if (v.start > lo) {
        const double x = kLeft + kPlotWidth * double(v.start - lo) / double(kHugePageSize);
        absl::StrAppendFormat(&svg,
                              "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
                              "stroke-width=\"0.8\"/>\n",
                              x, x, row_top - 1, row_top + kStrip);
      }
    }
    for (const SpanRun& s : m.spans) {
      if (s.end <= lo || s.start >= hi) continue;
      DrawRun(svg, lo, kHugePageSize, row_top, kStrip, std::max(s.start, lo), std::min(s.end, hi),
              ShadeColour(s.shade));
    }
  }
}

void RenderOne(std::string& svg, const AddressMap& m, double top) {
  absl::StrAppendFormat(&svg, "<text x=\"10\" y=\"%.0f\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
                        top + 18, Escape(m.title));
  // The caption starts after the title (bold 14 px: about 9 px a character).
  absl::StrAppendFormat(&svg, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\">%s</text>\n",
                        std::max(kLeft, 24.0 + 9.0 * m.title.size()), top + 18, Escape(m.caption));
  if (m.hi <= m.lo) return;
  const uintptr_t row_bytes = RowBytes(m.hi - m.lo);
  const uintptr_t rows = (m.hi - m.lo + row_bytes - 1) / row_bytes;
  const double body = top + 30;
  for (uintptr_t r = 0; r < rows; ++r) {
    absl::StrAppendFormat(&svg, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\">+%d MiB</text>\n",
                          kLeft - 4, body + r * kRowHeight + kStrip + 3, r * row_bytes / kMiB);
  }
  for (const Vma& v : m.vmas) {
    DrawRun(svg, m.lo, row_bytes, body, 0, std::max(v.start, m.lo), std::min(v.end, m.hi),
            FlagColour(v.huge));
  }
  for (const SpanRun& s : m.spans) {
    DrawRun(svg, m.lo, row_bytes, body, kStrip, std::max(s.start, m.lo), std::min(s.end, m.hi),
            ShadeColour(s.shade));
  }
  // 2 MiB gridlines, at absolute 2 MiB boundaries, while they are at least
  // a pixel or so apart (a range of at most kMaxGridLines huge pages).
  const bool grid = (m.hi - m.lo) / kHugePageSize <= kMaxGridLines;
  for (uintptr_t g = RoundUp(m.lo, kHugePageSize); grid && g < m.hi; g += kHugePageSize) {
    const uintptr_t row = (g - m.lo) / row_bytes;
    const double x = kLeft + kPlotWidth * double(g - m.lo - row * row_bytes) / double(row_bytes);
    absl::StrAppendFormat(&svg, "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"0.4\"/>\n",
                          x, x, body + row * kRowHeight - 1, body + row * kRowHeight + 2 * kStrip + 1);
  }
  RenderZoom(svg, m, body + rows * kRowHeight + 10);
}

}  // namespace

AddressMap CaptureAddressMap(Kernel& kernel, const MHeap& heap, std::string title,
                             std::string caption) {
  AddressMap m;
  m.title = std::move(title);
  m.caption = std::move(caption);
  m.lo = heap.layout().arena_start;
  m.hi = heap.layout().arena_used;
  if (m.hi <= m.lo) return m;
  for (Vma v : kernel.Vmas(m.lo, m.hi)) {
    v.start = std::max(v.start, m.lo);
    v.end = std::min(v.end, m.hi);
    m.vmas.push_back(v);
  }
  for (uintptr_t p = m.lo; p < m.hi;) {
    const MSpan* s = heap.Lookup(p);
    if (s == nullptr || s->base() != p || s->end() > m.hi || s->state == SpanState::kDead) {
      AppendSpanRun(m.spans, p, p + kPageSize, SpanShade::kUnknown);
      p += kPageSize;
      continue;
    }
    SpanShade shade = SpanShade::kInUse;
    if (s->state == SpanState::kFree) {
      shade = s->npreleased == s->npages ? SpanShade::kReleased : SpanShade::kFree;
    }
    AppendSpanRun(m.spans, p, s->end(), shade);
    p = s->end();
  }
  return m;
}

std::string SerializeAddressMap(const AddressMap& m) {
  std::string out = "addrmap 1\n";
  absl::StrAppend(&out, "title ", m.title, "\ncaption ", m.caption, "\n");
  absl::StrAppendFormat(&out, "range %d %d\n", m.lo, m.hi);
  for (const Vma& v : m.vmas) {
    absl::StrAppendFormat(&out, "v %d %d %d\n", v.start, v.end, static_cast<int>(v.huge));
  }
  for (const SpanRun& s : m.spans) {
    absl::StrAppendFormat(&out, "s %d %d %d\n", s.start, s.end, static_cast<int>(s.shade));
  }
  return out;
}

// The most a map's range may cover: a 47-bit user address space.
constexpr uint64_t kMaxRange = uint64_t{1} << 47;

absl::StatusOr<AddressMap> ParseAddressMap(absl::string_view text) {
  AddressMap m;
  int line_no = 0;
  bool header = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    auto bad = [&] {
      return absl::InvalidArgumentError(
          absl::StrCat("address map line ", line_no, ": cannot read ", QuoteForError(line)));
    };
    if (!header) {
      if (line != "addrmap 1") return bad();
      header = true;
      continue;
    }
    const size_t sp = line.find(' ');
    const absl::string_view key = line.substr(0, sp);
    const absl::string_view rest = sp == absl::string_view::npos ? "" : line.substr(sp + 1);
    if (key == "title") { m.title = std::string(rest); continue; }
    if (key == "caption") { m.caption = std::string(rest); continue; }
    std::vector<absl::string_view> f = absl::StrSplit(rest, ' ');
    uint64_t a = 0, b = 0;
    int c = 0;
    // A range with lo <= hi; VMAs non-empty, in address order and disjoint
    // (as captured); span runs non-empty.
    if (key == "range" && f.size() == 2 && absl::SimpleAtoi(f[0], &a) && absl::SimpleAtoi(f[1], &b) &&
        a <= b && b - a <= kMaxRange) {
      m.lo = a;
      m.hi = b;
    } else if (key == "v" && f.size() == 3 && absl::SimpleAtoi(f[0], &a) &&
               absl::SimpleAtoi(f[1], &b) && absl::SimpleAtoi(f[2], &c) && c >= 0 && c <= 2 &&
               a < b && (m.vmas.empty() || m.vmas.back().end <= a)) {
      Vma v;
      v.start = a;
      v.end = b;
      v.prot = Prot::kReadWrite;
      v.huge = static_cast<HugeFlag>(c);
      m.vmas.push_back(v);
    } else if (key == "s" && f.size() == 3 && absl::SimpleAtoi(f[0], &a) &&
               absl::SimpleAtoi(f[1], &b) && absl::SimpleAtoi(f[2], &c) && c >= 0 && c <= 3 &&
               a < b) {
      m.spans.push_back(SpanRun{a, b, static_cast<SpanShade>(c)});
    } else {
      return bad();
    }
  }
  if (!header) return absl::InvalidArgumentError("address map: empty (no \"addrmap 1\" header)");
  return m;
}

absl::StatusOr<std::vector<AddressMap>> ParseAddressMaps(absl::string_view text) {
  std::vector<AddressMap> maps;
  constexpr absl::string_view kHeader = "addrmap 1\n";
  size_t start = 0;
  while (start < text.size()) {
    // The next map starts at the next line that is a header.
    size_t next = text.find(kHeader, start + 1);
    while (next != absl::string_view::npos && text[next - 1] != '\n') {
      next = text.find(kHeader, next + 1);
    }
    const absl::string_view one = text.substr(start, next == absl::string_view::npos
                                                         ? absl::string_view::npos
                                                         : next - start);
    absl::StatusOr<AddressMap> m = ParseAddressMap(one);
    if (!m.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("map ", maps.size() + 1, ": ", m.status().message()));
    }
    maps.push_back(*std::move(m));
    if (next == absl::string_view::npos) break;
    start = next;
  }
  return maps;
}

std::string RenderAddressMapsSvg(const std::vector<AddressMap>& maps, absl::string_view heading) {
  double height = 70;
  for (const AddressMap& m : maps) height += MapHeight(m);
  const double width = kLeft + kPlotWidth + 20;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
      width, height, width, height);
  absl::StrAppendFormat(&svg, "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>\n",
                        Escape(heading));
  // Legend.
  struct Key { const char* colour; const char* label; };
  const Key keys[] = {
      {FlagColour(HugeFlag::kNone), "VMA: no flag"},
      {FlagColour(HugeFlag::kHuge), "VMA: MADV_HUGEPAGE"},
      {FlagColour(HugeFlag::kNoHuge), "VMA: MADV_NOHUGEPAGE"},
      {ShadeColour(SpanShade::kInUse), "span: in use"},
      {ShadeColour(SpanShade::kFree), "span: free"},
      {ShadeColour(SpanShade::kReleased), "span: released"},
  };
  double x = 10;
  for (const Key& k : keys) {
    absl::StrAppendFormat(&svg, "<rect x=\"%.0f\" y=\"32\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#555\" stroke-width=\"0.5\"/>"
                          "<text x=\"%.0f\" y=\"42\" font-size=\"11\">%s</text>\n",
                          x, k.colour, x + 16, k.label);
    x += 175;
  }
  absl::StrAppendFormat(&svg, "<text x=\"10\" y=\"60\" font-size=\"11\">Each row: VMAs (top) over spans (bottom); "
                        "vertical lines every 2 MiB.</text>\n");
  double top = 70;
  for (const AddressMap& m : maps) {
    RenderOne(svg, m, top);
    top += MapHeight(m);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace thp
