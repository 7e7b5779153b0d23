#include "mheap/go15/events/byte_io.h"

#include <errno.h>
#include <lzma.h>

#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace thp {
namespace heaplog {
namespace {

class Memory : public ByteSource {
 public:
  explicit Memory(std::string bytes) : bytes_(std::move(bytes)) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    const size_t k = std::min(n, bytes_.size() - pos_);
    std::memcpy(buf, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

class File : public ByteSource {
 public:
  File(FILE* f, std::string path, bool owned) : f_(f), path_(std::move(path)), owned_(owned) {}
  ~File() override {
    if (owned_) std::fclose(f_);
  }
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    const size_t k = std::fread(buf, 1, n, f_);
    if (k == 0 && std::ferror(f_)) {
      return absl::DataLossError(absl::StrCat("cannot read ", path_, ": ", std::strerror(errno)));
    }
    return k;
  }

 private:
  FILE* f_;
  std::string path_;
  bool owned_;
};

// Replays `prefix` (bytes already read to sniff the format), then `rest`.
class Prefixed : public ByteSource {
 public:
  Prefixed(std::string prefix, std::unique_ptr<ByteSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      const size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return rest_->Read(buf, n);
  }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

class Xz : public ByteSource {
 public:
  explicit Xz(std::unique_ptr<ByteSource> in) : in_(std::move(in)), inbuf_(1 << 16) {}
  ~Xz() override { lzma_end(&strm_); }

  absl::Status Init() {
    // 1 GiB is far above what xz -9 needs to decode (65 MiB).
    const lzma_ret r = lzma_stream_decoder(&strm_, uint64_t{1} << 30, LZMA_CONCATENATED);
    if (r != LZMA_OK) return absl::InternalError(absl::StrCat("xz: cannot start decoder (", r, ")"));
    return absl::OkStatus();
  }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (done_ || n == 0) return 0;
    strm_.next_out = reinterpret_cast<uint8_t*>(buf);
    strm_.avail_out = n;
    while (strm_.avail_out == n) {
      lzma_action action = LZMA_RUN;
      if (strm_.avail_in == 0 && !in_eof_) {
        absl::StatusOr<size_t> k = in_->Read(reinterpret_cast<char*>(inbuf_.data()), inbuf_.size());
        if (!k.ok()) return k.status();
        if (*k == 0) in_eof_ = true;
        strm_.next_in = inbuf_.data();
        strm_.avail_in = *k;
      }
      if (in_eof_) action = LZMA_FINISH;
      const lzma_ret r = lzma_code(&strm_, action);
      if (r == LZMA_STREAM_END) {
        done_ = true;
        break;
      }
      if (r != LZMA_OK) {
        return absl::DataLossError(absl::StrCat("xz: corrupt or truncated input (liblzma error ", r,
                                                ") after ", strm_.total_in, " compressed bytes"));
      }
    }
    return n - strm_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> in_;
  std::vector<uint8_t> inbuf_;
  lzma_stream strm_ = LZMA_STREAM_INIT;
  bool in_eof_ = false;
  bool done_ = false;
};

class StringOut : public ByteSink {
 public:
  explicit StringOut(std::string* out) : out_(out) {}
  absl::Status Write(absl::string_view bytes) override {
    out_->append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }

 private:
  std::string* out_;
};

}  // namespace

std::unique_ptr<ByteSource> MemorySource(std::string bytes) {
  return std::make_unique<Memory>(std::move(bytes));
}

absl::StatusOr<std::unique_ptr<ByteSource>> MaybeXz(std::unique_ptr<ByteSource> raw) {
  static constexpr char kXzMagic[] = {'\xfd', '7', 'z', 'X', 'Z', '\0'};
  std::string head;
  char buf[sizeof(kXzMagic)];
  while (head.size() < sizeof(kXzMagic)) {
    absl::StatusOr<size_t> k = raw->Read(buf, sizeof(kXzMagic) - head.size());
    if (!k.ok()) return k.status();
    if (*k == 0) break;
    head.append(buf, *k);
  }
  const bool xz = head == absl::string_view(kXzMagic, sizeof(kXzMagic));
  auto replayed = std::make_unique<Prefixed>(std::move(head), std::move(raw));
  if (!xz) return std::unique_ptr<ByteSource>(std::move(replayed));
  auto dec = std::make_unique<Xz>(std::move(replayed));
  if (absl::Status s = dec->Init(); !s.ok()) return s;
  return std::unique_ptr<ByteSource>(std::move(dec));
}

absl::StatusOr<std::unique_ptr<ByteSource>> OpenLogSource(const std::string& path) {
  std::unique_ptr<ByteSource> raw;
  if (path == "-") {
    raw = std::make_unique<File>(stdin, "stdin", /*owned=*/false);
  } else {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
    }
    raw = std::make_unique<File>(f, path, /*owned=*/true);
  }
  return MaybeXz(std::move(raw));
}

absl::StatusOr<std::string> ReadLogFile(const std::string& path) {
  absl::StatusOr<std::unique_ptr<ByteSource>> src = OpenLogSource(path);
  if (!src.ok()) return src.status();
  std::string text;
  char buf[1 << 16];
  for (;;) {
    absl::StatusOr<size_t> n = (*src)->Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return text;
    text.append(buf, *n);
  }
}

std::unique_ptr<ByteSink> StringSink(std::string* out) { return std::make_unique<StringOut>(out); }

absl::StatusOr<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<FileSink>(new FileSink(f, path));
}

FileSink::~FileSink() {
  if (f_ != nullptr) std::fclose(f_);
}

absl::Status FileSink::Write(absl::string_view bytes) {
  if (f_ == nullptr) return absl::FailedPreconditionError(absl::StrCat(path_, " is closed"));
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) {
    return absl::DataLossError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status FileSink::Close() {
  if (f_ == nullptr) return absl::OkStatus();
  const int r = std::fclose(f_);
  f_ = nullptr;
  if (r != 0) return absl::DataLossError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  return absl::OkStatus();
}

}  // namespace heaplog
}  // namespace thp
