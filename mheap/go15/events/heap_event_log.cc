#include "mheap/go15/events/heap_event_log.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace thp {
namespace heaplog {
namespace {

constexpr size_t kBufferBytes = 1 << 16;
static_assert(kBufferBytes >= 2 * kMaxRecordBytes);

// ---- decoding -------------------------------------------------------------

// Decodes one record's fields from [p, end). `eof` says the input ends at
// `end` (otherwise at least kMaxRecordBytes were available, so running out
// means the record is too long). Stops at the first problem.
class Decoder {
 public:
  Decoder(const char* p, const char* end, bool eof, uint64_t offset, absl::string_view kind)
      : start_(p), p_(p), end_(end), eof_(eof), offset_(offset), kind_(kind) {}

  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }
  size_t consumed() const { return static_cast<size_t>(p_ - start_); }

  // Reads an unsigned LEB128 varint: at most 10 bytes, canonical (no
  // trailing zero byte), fitting 64 bits.
  bool Varint(const char* field, uint64_t* out) {
    if (!ok()) return false;
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ == end_) {
        return Error(field, consumed() >= kMaxRecordBytes || !eof_
                                ? absl::StrCat("record longer than ", kMaxRecordBytes, " bytes")
                                : std::string("the log ends inside this field (cut short)"));
      }
      const uint8_t b = static_cast<uint8_t>(*p_++);
      if (i == 9 && b > 1) return Error(field, "varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        if (b == 0 && i > 0) return Error(field, "varint not in its shortest form");
        *out = v;
        return true;
      }
    }
    return Error(field, "varint longer than 10 bytes");
  }

  bool Error(const char* field, const std::string& what) {
    if (ok()) {
      status_ = absl::DataLossError(
          absl::StrCat("heap-event log offset ", offset_, ": ", kind_, " record: field ", field, ": ", what));
    }
    return false;
  }

  // The visitor interface of heap_event.h.
  void U(const char* name, uint64_t& f, uint64_t min, uint64_t max) {
    uint64_t v = 0;
    if (!Varint(name, &v)) return;
    if (v < min || v > max) {
      Error(name, absl::StrCat("value ", v, " not in [", min, ", ", max, "]"));
      return;
    }
    f = v;
  }
  void A(const char* name, uint64_t& f) { U(name, f, 0, kMaxAddress); }
  void I(const char* name, int64_t& f, int64_t min, int64_t max) {
    uint64_t z = 0;
    if (!Varint(name, &z)) return;
    const int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    if (v < min || v > max) {
      Error(name, absl::StrCat("value ", v, " not in [", min, ", ", max, "]"));
      return;
    }
    f = v;
  }
  void B(const char* name, bool& f) {
    uint64_t v = 0;
    U(name, v, 0, 1);
    f = v != 0;
  }
  void S(const char* name, std::string& f) {
    uint64_t n = 0;
    U(name, n, 0, kMaxString);
    if (!ok()) return;
    if (static_cast<uint64_t>(end_ - p_) < n) {
      Error(name, eof_ ? "the log ends inside this string (cut short)"
                       : absl::StrCat("record longer than ", kMaxRecordBytes, " bytes"));
      return;
    }
    f.assign(p_, n);
    p_ += n;
  }
  template <typename Enum>
  void E(const char* name, Enum& f) {
    uint64_t v = 0;
    U(name, v, EnumRange<Enum>::kMin, EnumRange<Enum>::kMax);
    if (ok()) f = static_cast<Enum>(v);
  }
  void OptPage(const char* name, std::optional<uint64_t>& f) {
    uint64_t v = 0;
    U(name, v, 0, kMaxPages + 1);
    if (!ok()) return;
    f = v == 0 ? std::nullopt : std::optional<uint64_t>(v - 1);
  }
  void Flags3(const char* name, bool& a, const char*, bool& b, const char*, bool& c, const char*) {
    uint64_t v = 0;
    U(name, v, 0, 7);
    a = (v & 1) != 0;
    b = (v & 2) != 0;
    c = (v & 4) != 0;
  }

 private:
  const char* start_;
  const char* p_;
  const char* end_;
  bool eof_;
  uint64_t offset_;
  absl::string_view kind_;
  absl::Status status_;
};

// ---- encoding -------------------------------------------------------------

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// Encodes fields, checking the same ranges as the Decoder.
class Encoder {
 public:
  Encoder(std::string* out, absl::string_view kind) : out_(out), kind_(kind) {}

  const absl::Status& status() const { return status_; }

  void U(const char* name, const uint64_t& f, uint64_t min, uint64_t max) {
    if (f < min || f > max) {
      Error(name, absl::StrCat("value ", f, " not in [", min, ", ", max, "]"));
      return;
    }
    PutVarint(out_, f);
  }
  void A(const char* name, const uint64_t& f) { U(name, f, 0, kMaxAddress); }
  void I(const char* name, const int64_t& f, int64_t min, int64_t max) {
    if (f < min || f > max) {
      Error(name, absl::StrCat("value ", f, " not in [", min, ", ", max, "]"));
      return;
    }
    PutVarint(out_, ZigZag(f));
  }
  void B(const char*, const bool& f) { PutVarint(out_, f ? 1 : 0); }
  void S(const char* name, const std::string& f) {
    if (f.size() > kMaxString) {
      Error(name, absl::StrCat("string of ", f.size(), " bytes, longer than ", kMaxString));
      return;
    }
    PutVarint(out_, f.size());
    out_->append(f);
  }
  template <typename Enum>
  void E(const char* name, const Enum& f) {
    U(name, static_cast<uint64_t>(f), EnumRange<Enum>::kMin, EnumRange<Enum>::kMax);
  }
  void OptPage(const char* name, const std::optional<uint64_t>& f) {
    if (!f.has_value()) {
      PutVarint(out_, 0);
      return;
    }
    U(name, *f + 1, 1, kMaxPages + 1);
  }
  void Flags3(const char*, const bool& a, const char*, const bool& b, const char*, const bool& c,
              const char*) {
    PutVarint(out_, (a ? 1 : 0) | (b ? 2 : 0) | (c ? 4 : 0));
  }

 private:
  void Error(const char* field, const std::string& what) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("heap-event writer: ", kind_, " record: field ", field, ": ", what));
    }
  }
  std::string* out_;
  absl::string_view kind_;
  absl::Status status_;
};

// Fields() is non-const (one list serves decoding too); the encoder only reads.
template <typename T>
absl::Status EncodeBody(const T& body, std::string* out) {
  Encoder enc(out, T::kName);
  const_cast<T&>(body).Fields(enc);
  return enc.status();
}

bool InArena(const HeapInit& h, uint64_t page, uint64_t npages) {
  const uint64_t arena_pages = (h.arena_end - h.arena_start) >> h.page_shift;
  return page <= arena_pages && npages <= arena_pages - page;
}

}  // namespace

// ---- reader ---------------------------------------------------------------

HeapEventReader::HeapEventReader(std::unique_ptr<ByteSource> source)
    : source_(std::move(source)), buf_(kBufferBytes) {}

absl::StatusOr<std::unique_ptr<HeapEventReader>> HeapEventReader::Open(const std::string& path) {
  absl::StatusOr<std::unique_ptr<ByteSource>> src = OpenLogSource(path);
  if (!src.ok()) return src.status();
  return std::make_unique<HeapEventReader>(std::move(*src));
}

absl::Status HeapEventReader::Fail(absl::Status s) {
  error_ = s;
  return s;
}

// Makes at least kMaxRecordBytes available from pos_, unless the input ends.
absl::Status HeapEventReader::Fill() {
  if (eof_ || end_ - pos_ >= kMaxRecordBytes) return absl::OkStatus();
  std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
  while (!eof_ && end_ < kMaxRecordBytes) {
    absl::StatusOr<size_t> n = source_->Read(buf_.data() + end_, buf_.size() - end_);
    if (!n.ok()) return n.status();
    if (*n == 0) eof_ = true;
    end_ += *n;
  }
  return absl::OkStatus();
}

absl::Status HeapEventReader::ReadHeader() {
  if (absl::Status s = Fill(); !s.ok()) return s;
  const size_t have = end_ - pos_;
  const char* h = buf_.data() + pos_;
  if (have < sizeof(kMagic) || std::memcmp(h, kMagic, sizeof(kMagic)) != 0) {
    return absl::DataLossError("heap-event log offset 0: not a heap-event log (no THPHLOG magic)");
  }
  if (have < kHeaderBytes) {
    return absl::DataLossError("heap-event log offset 8: the log ends inside its header (cut short)");
  }
  auto le32 = [](const char* p) {
    return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) |
           static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 8 |
           static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 16 |
           static_cast<uint32_t>(static_cast<uint8_t>(p[3])) << 24;
  };
  const uint32_t version = le32(h + 8);
  if (version != kVersion) {
    return absl::DataLossError(absl::StrCat("heap-event log offset 8: version ", version,
                                            " not supported (this reader reads version ", kVersion, ")"));
  }
  if (const uint32_t flags = le32(h + 12); flags != 0) {
    return absl::DataLossError(
        absl::StrCat("heap-event log offset 12: header flags ", flags, " (must be 0)"));
  }
  pos_ += kHeaderBytes;
  offset_ = kHeaderBytes;
  header_done_ = true;
  return absl::OkStatus();
}

absl::StatusOr<bool> HeapEventReader::Next(HeapEvent* event) {
  if (!error_.ok()) return error_;
  if (done_) return false;
  if (!header_done_) {
    if (absl::Status s = ReadHeader(); !s.ok()) return Fail(s);
  }
  if (absl::Status s = Fill(); !s.ok()) return Fail(s);
  if (pos_ == end_) {
    if (ended_) {
      done_ = true;
      return false;
    }
    return Fail(absl::DataLossError(absl::StrCat("heap-event log offset ", offset_,
                                                 ": the log ends without an end record (cut short)")));
  }
  if (ended_) {
    return Fail(absl::DataLossError(
        absl::StrCat("heap-event log offset ", offset_, ": data after the end record")));
  }
  const uint8_t kind = static_cast<uint8_t>(buf_[pos_]);
  HeapEvent e;
  e.offset = offset_;
  if (!MakeBody(kind, &e.body)) {
    return Fail(absl::DataLossError(
        absl::StrCat("heap-event log offset ", offset_, ": unknown record kind ", kind)));
  }
  const absl::string_view name = KindName(e.kind());
  Decoder dec(buf_.data() + pos_ + 1, buf_.data() + end_, eof_, offset_, name);
  int64_t dt = 0;
  dec.I("time", dt, kI64Min, kI64Max);
  if (dec.ok()) {
    if ((dt > 0 && time_ > kI64Max - dt) || time_ + dt < 0) {
      dec.Error("time", absl::StrCat("delta ", dt, " takes the time out of [0, 2^63)"));
    }
  }
  if (dec.ok()) std::visit([&](auto& body) { body.Fields(dec); }, e.body);
  if (dec.ok() && dec.consumed() + 1 > kMaxRecordBytes) {
    dec.Error("(record)", absl::StrCat("record longer than ", kMaxRecordBytes, " bytes"));
  }
  if (!dec.ok()) return Fail(dec.status());
  e.time_ns = time_ + dt;
  if (absl::Status s = Check(e); !s.ok()) return Fail(s);
  time_ = e.time_ns;
  pos_ += 1 + dec.consumed();
  offset_ += 1 + dec.consumed();
  *event = std::move(e);
  return true;
}

// The structure the runtime guarantees (see the header comment).
absl::Status HeapEventReader::Check(const HeapEvent& e) {
  auto bad = [&](absl::string_view field, const std::string& what) {
    return absl::DataLossError(absl::StrCat("heap-event log offset ", e.offset, ": ", KindName(e.kind()),
                                            " record: field ", field, ": ", what));
  };
  auto need_init = [&]() -> absl::Status {
    if (!heap_init_.has_value()) return bad("(record)", "before the heap_init record");
    return absl::OkStatus();
  };
  switch (e.kind()) {
    case Kind::kHeapInit: {
      const HeapInit& h = std::get<HeapInit>(e.body);
      if (heap_init_.has_value()) return bad("(record)", "a second heap_init");
      if (!(h.arena_start <= h.arena_used && h.arena_used <= h.arena_end)) {
        return bad("arena_used", "not within [arena_start, arena_end]");
      }
      if (h.arena_start % (uint64_t{1} << h.page_shift) != 0) {
        return bad("arena_start", "not aligned to the heap page");
      }
      heap_init_ = h;
      return absl::OkStatus();
    }
    case Kind::kConfig:
      if (config_seen_) return bad("(record)", "a second config");
      config_seen_ = true;
      return absl::OkStatus();
    case Kind::kAlloc: {
      if (absl::Status s = need_init(); !s.ok()) return s;
      const Alloc& a = std::get<Alloc>(e.body);
      if (open_alloc_.has_value()) {
        return bad("(record)", absl::StrCat("the alloc at offset ", open_alloc_->first, " is still open"));
      }
      if (open_scavenge_.has_value()) {
        return bad("(record)", absl::StrCat("inside the scavenge at offset ", *open_scavenge_));
      }
      if (a.caller == AllocCaller::kSmall ? a.sizeclass == 0 || a.sizeclass >= heap_init_->num_size_classes
                                          : a.sizeclass != 0) {
        return bad("sizeclass", absl::StrCat(a.sizeclass, " for a ", Name(a.caller), " span"));
      }
      open_alloc_ = std::make_pair(e.offset, a);
      return absl::OkStatus();
    }
    case Kind::kAllocDone: {
      const AllocDone& d = std::get<AllocDone>(e.body);
      if (!open_alloc_.has_value()) return bad("(record)", "no alloc is open");
      const uint64_t npage = open_alloc_->second.npage;
      open_alloc_.reset();
      if (!d.page.has_value()) {
        if (d.found_npages != 0 || d.found_npreleased != 0) return bad("found_npages", "nonzero without a span");
        return absl::OkStatus();
      }
      if (d.found_npages < npage) return bad("found_npages", absl::StrCat("below the npage asked (", npage, ")"));
      if (d.found_npreleased > d.found_npages) return bad("found_npreleased", "above found_npages");
      if (!InArena(*heap_init_, *d.page, d.found_npages)) return bad("page", "span outside the arena");
      return absl::OkStatus();
    }
    case Kind::kFree: {
      if (absl::Status s = need_init(); !s.ok()) return s;
      const Free& f = std::get<Free>(e.body);
      const bool internal = f.why == FreeWhy::kGrow || f.why == FreeWhy::kTrim;
      if (internal != open_alloc_.has_value()) {
        return bad("why", internal ? absl::StrCat(Name(f.why), " outside an alloc")
                                   : absl::StrCat(Name(f.why), " inside the alloc at offset ", open_alloc_->first));
      }
      if (open_scavenge_.has_value()) {
        return bad("(record)", absl::StrCat("inside the scavenge at offset ", *open_scavenge_));
      }
      // The arguments each caller passes in Go 1.5.1.
      const bool want_inuse = !internal;
      const bool want_idle = f.why != FreeWhy::kTrim;
      const bool want_stamped = f.why != FreeWhy::kTrim;
      if (f.acctinuse != want_inuse || f.acctidle != want_idle || (want_stamped && !f.stamped)) {
        return bad("flags", absl::StrCat("acctinuse=", f.acctinuse, " acctidle=", f.acctidle, " stamped=",
                                         f.stamped, " for a ", Name(f.why), " free"));
      }
      if (!InArena(*heap_init_, f.page, f.npages)) return bad("page", "span outside the arena");
      if (f.merged_pages_before > f.page) return bad("merged_pages_before", "before the arena");
      if (f.merged_npages < f.merged_pages_before + f.npages) {
        return bad("merged_npages", "smaller than the freed span");
      }
      if (!InArena(*heap_init_, f.page - f.merged_pages_before, f.merged_npages)) {
        return bad("merged_npages", "merged span outside the arena");
      }
      if (f.merged_npreleased > f.merged_npages) return bad("merged_npreleased", "above merged_npages");
      if ((f.unusedsince_age > 0 && e.time_ns < kI64Min + f.unusedsince_age) ||
          (f.unusedsince_age < 0 && e.time_ns > kI64Max + f.unusedsince_age)) {
        return bad("unusedsince_age", "the stamp overflows");
      }
      return absl::OkStatus();
    }
    case Kind::kGrow:
      if (!open_alloc_.has_value()) return bad("(record)", "outside an alloc");
      return absl::OkStatus();
    case Kind::kScavenge:
      if (absl::Status s = need_init(); !s.ok()) return s;
      if (open_scavenge_.has_value()) {
        return bad("(record)", absl::StrCat("the scavenge at offset ", *open_scavenge_, " is still open"));
      }
      if (open_alloc_.has_value()) {
        return bad("(record)", absl::StrCat("inside the alloc at offset ", open_alloc_->first));
      }
      open_scavenge_ = e.offset;
      return absl::OkStatus();
    case Kind::kScavengeDone:
      if (!open_scavenge_.has_value()) return bad("(record)", "no scavenge is open");
      open_scavenge_.reset();
      return absl::OkStatus();
    case Kind::kEnd:
      ended_ = true;
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

// ---- writer ---------------------------------------------------------------

absl::Status HeapEventWriter::Header() {
  if (header_done_) return absl::OkStatus();
  std::string h(kMagic, sizeof(kMagic));
  for (int i = 0; i < 4; ++i) h.push_back(static_cast<char>((kVersion >> (8 * i)) & 0xff));
  h.append(4, '\0');
  if (absl::Status s = sink_->Write(h); !s.ok()) return s;
  header_done_ = true;
  offset_ = kHeaderBytes;
  return absl::OkStatus();
}

absl::Status HeapEventWriter::Flush() { return Header(); }

absl::Status HeapEventWriter::Write(const HeapEvent& e) {
  if (absl::Status s = Header(); !s.ok()) return s;
  if (e.time_ns < 0) return absl::InvalidArgumentError("heap-event writer: negative time");
  record_.clear();
  record_.push_back(static_cast<char>(e.kind()));
  // Both times are in [0, 2^63), so the difference fits.
  PutVarint(&record_, ZigZag(e.time_ns - time_));
  absl::Status s = std::visit([&](const auto& body) { return EncodeBody(body, &record_); }, e.body);
  if (!s.ok()) return s;
  if (record_.size() > kMaxRecordBytes) {
    return absl::InvalidArgumentError(absl::StrCat("heap-event writer: ", KindName(e.kind()), " record of ",
                                                   record_.size(), " bytes"));
  }
  if (s = sink_->Write(record_); !s.ok()) return s;
  time_ = e.time_ns;
  offset_ += record_.size();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<HeapEvent>> ReadAllEvents(std::unique_ptr<ByteSource> source) {
  HeapEventReader reader(std::move(source));
  std::vector<HeapEvent> events;
  HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) return events;
    events.push_back(std::move(e));
  }
}

absl::StatusOr<std::string> EncodeEvents(const std::vector<HeapEvent>& events) {
  std::string out;
  std::unique_ptr<ByteSink> sink = StringSink(&out);
  HeapEventWriter writer(sink.get());
  for (const HeapEvent& e : events) {
    if (absl::Status s = writer.Write(e); !s.ok()) return s;
  }
  if (absl::Status s = writer.Flush(); !s.ok()) return s;
  return out;
}

absl::Status ForEachHeapEvent(const std::string& path,
                              const std::function<void(const HeapEvent&)>& fn) {
  absl::StatusOr<std::unique_ptr<HeapEventReader>> reader = HeapEventReader::Open(path);
  if (!reader.ok()) return reader.status();
  HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    fn(e);
  }
}

}  // namespace heaplog
}  // namespace thp
