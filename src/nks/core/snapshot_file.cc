#include "nks/core/snapshot_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace nks {
namespace {

// File layout: magic "NKSSNAP\0", then the SnapshotKey's five 64-bit fields,
// then sections (u64 length + bytes), then the u64 checksum of everything
// before it. Little-endian, as the machine writes it: a snapshot never
// leaves the machine that made it.
constexpr char kMagic[8] = {'N', 'K', 'S', 'S', 'N', 'A', 'P', '\0'};
constexpr size_t kHeaderBytes = sizeof kMagic + 5 * sizeof(int64_t);

uint64_t Mix(uint64_t h, uint64_t word) {
  h ^= word;
  h *= 0x100000001b3ULL * 0x9e3779b1ULL | 1;
  return h ^ (h >> 29);
}

void EncodeKey(const SnapshotKey& key, char* out) {
  std::memcpy(out, kMagic, sizeof kMagic);
  const int64_t fields[5] = {static_cast<int64_t>(key.kind), key.store_id, key.registry_generation,
                             key.seq_a, key.seq_b};
  std::memcpy(out + sizeof kMagic, fields, sizeof fields);
}

}  // namespace

void SnapshotChecksum::Update(const void* data, size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  length_ += bytes;
  uint64_t h = hash_;
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    h = Mix(h, word);
  }
  if (i < bytes) {
    uint64_t word = 0;
    std::memcpy(&word, p + i, bytes - i);
    h = Mix(h, word ^ (uint64_t{bytes - i} << 56));
  }
  hash_ = h;
}

// ---- Writer ----

Result<SnapshotWriter> SnapshotWriter::Create(const std::string& path, const SnapshotKey& key) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
  SnapshotWriter w(path, fd);
  char header[kHeaderBytes];
  EncodeKey(key, header);
  NKS_RETURN_IF_ERROR(w.Write(header, sizeof header));
  return w;
}

SnapshotWriter::SnapshotWriter(SnapshotWriter&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), checksum_(other.checksum_) {
  other.fd_ = -1;
}

SnapshotWriter::~SnapshotWriter() {
  if (fd_ < 0) return;
  ::close(fd_);
  std::remove((path_ + ".tmp").c_str());
}

Status SnapshotWriter::Write(const void* data, size_t bytes) {
  checksum_.Update(data, bytes);
  const auto* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd_, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(fmt::format("{}.tmp: cannot write: {}", path_, std::strerror(errno)));
    p += n;
    bytes -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SnapshotWriter::Section(const void* data, size_t bytes) {
  const uint64_t length = bytes;
  NKS_RETURN_IF_ERROR(Write(&length, sizeof length));
  return Write(data, bytes);
}

Status SnapshotWriter::Finish() {
  NKS_CHECK(fd_ >= 0);
  const uint64_t sum = checksum_.value();
  NKS_RETURN_IF_ERROR(Write(&sum, sizeof sum));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Status::IoError(fmt::format("{}.tmp: cannot close", path_));
  if (std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0) {
    return Status::IoError(fmt::format("{}: cannot rename into place: {}", path_, std::strerror(errno)));
  }
  return Status::Ok();
}

// ---- Reader ----

std::optional<SnapshotReader> SnapshotReader::Open(const std::string& path, uint64_t kind) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < kHeaderBytes + sizeof(uint64_t)) {
    ::close(fd);
    return std::nullopt;
  }
  SnapshotReader r(path, fd, static_cast<uint64_t>(st.st_size));
  char header[kHeaderBytes];
  if (!r.Read(header, sizeof header).ok() || std::memcmp(header, kMagic, sizeof kMagic) != 0) {
    return std::nullopt;
  }
  int64_t fields[5];
  std::memcpy(fields, header + sizeof kMagic, sizeof fields);
  r.key_ = SnapshotKey{static_cast<uint64_t>(fields[0]), fields[1], fields[2], fields[3], fields[4]};
  if (r.key_.kind != kind) return std::nullopt;
  return r;
}

SnapshotReader::SnapshotReader(SnapshotReader&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), size_(other.size_), offset_(other.offset_),
      key_(other.key_), checksum_(other.checksum_) {
  other.fd_ = -1;
}

SnapshotReader::~SnapshotReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status SnapshotReader::Read(void* data, size_t bytes) {
  if (bytes > size_ - offset_) return Status::Corruption(path_ + ": ends early");
  auto* p = static_cast<char*>(data);
  size_t left = bytes;
  while (left > 0) {
    const ssize_t n = ::pread(fd_, p, left, static_cast<off_t>(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(fmt::format("{}: cannot read", path_));
    p += n;
    left -= static_cast<size_t>(n);
    offset_ += static_cast<uint64_t>(n);
  }
  checksum_.Update(data, bytes);
  return Status::Ok();
}

Status SnapshotReader::SectionLength(uint64_t* bytes, uint64_t bytes_max) {
  NKS_RETURN_IF_ERROR(Read(bytes, sizeof *bytes));
  if (*bytes > bytes_max || *bytes > size_ - offset_) {
    return Status::Corruption(fmt::format("{}: section of {} bytes is too long", path_, *bytes));
  }
  return Status::Ok();
}

Status SnapshotReader::Section(std::string* out, size_t bytes_max) {
  uint64_t bytes = 0;
  NKS_RETURN_IF_ERROR(SectionLength(&bytes, bytes_max));
  out->resize(bytes);
  return Read(out->data(), bytes);
}

Status SnapshotReader::Finish() {
  const uint64_t expected = checksum_.value();
  uint64_t stored = 0;
  if (size_ - offset_ != sizeof stored) return Status::Corruption(path_ + ": unexpected length");
  NKS_RETURN_IF_ERROR(Read(&stored, sizeof stored));
  if (stored != expected) return Status::Corruption(path_ + ": checksum does not match");
  return Status::Ok();
}

}  // namespace nks
