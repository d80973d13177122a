// Cache files of derived data (the register's resolution index, the set of
// known recipients): a header naming what the data was derived from, then
// length-prefixed sections of raw bytes, then a checksum of all of it.
//
// A snapshot is only ever a cache. The store stays the truth: a reader
// compares the header with the store (SnapshotKey) and rebuilds from the
// store when the file is missing, torn, corrupt, of another format version
// or of another store. So a snapshot is written without fsync (to a
// temporary name, then renamed over the old one) and never needs recovery.
//
// Sections are read straight into their destination (no intermediate copy):
// loading 300 MB from the page cache takes ~0.1 s where rebuilding from the
// store takes seconds.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "nks/core/status.h"

namespace nks {

// What a snapshot was derived from. `kind` tells the files apart (one magic
// per kind and format version); the rest is the caller's to compare.
struct SnapshotKey {
  uint64_t kind = 0;
  int64_t store_id = 0;
  int64_t registry_generation = 0;
  int64_t seq_a = 0;  // e.g. the last NemKonto history entry applied
  int64_t seq_b = 0;  // e.g. the last specific-account entry applied
  bool operator==(const SnapshotKey&) const = default;
};

// A 64-bit checksum of bytes, fed in pieces; finds torn and corrupted files
// (not a defence against someone who writes the file on purpose: the data
// directory is trusted).
class SnapshotChecksum {
 public:
  void Update(const void* data, size_t bytes);
  uint64_t value() const { return hash_ ^ (length_ * 0x9e3779b97f4a7c15ULL); }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  uint64_t length_ = 0;
};

class SnapshotWriter {
 public:
  // Starts `path`.tmp; Finish() renames it over `path`.
  static Result<SnapshotWriter> Create(const std::string& path, const SnapshotKey& key);
  SnapshotWriter(SnapshotWriter&& other) noexcept;
  SnapshotWriter& operator=(SnapshotWriter&&) = delete;
  SnapshotWriter(const SnapshotWriter&) = delete;
  ~SnapshotWriter();  // an unfinished file is removed

  Status Section(const void* data, size_t bytes);
  template <typename T>
  Status Vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    return Section(v.data(), v.size() * sizeof(T));
  }
  Status Finish();

 private:
  SnapshotWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status Write(const void* data, size_t bytes);

  std::string path_;
  int fd_ = -1;
  SnapshotChecksum checksum_;
};

class SnapshotReader {
 public:
  // nullopt when there is no usable file of `kind` at `path` (missing, too
  // short, another kind or version); the caller then rebuilds.
  static std::optional<SnapshotReader> Open(const std::string& path, uint64_t kind);
  SnapshotReader(SnapshotReader&& other) noexcept;
  SnapshotReader& operator=(SnapshotReader&&) = delete;
  SnapshotReader(const SnapshotReader&) = delete;
  ~SnapshotReader();

  const SnapshotKey& key() const { return key_; }
  // The next section's length, then its bytes into `out` (resized). A
  // section longer than `bytes_max` or past the end is Corruption.
  Status Section(std::string* out, size_t bytes_max);
  template <typename T>
  Status Vector(std::vector<T>* out, size_t count_max) {
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t bytes = 0;
    NKS_RETURN_IF_ERROR(SectionLength(&bytes, count_max * sizeof(T)));
    if (bytes % sizeof(T) != 0) return Status::Corruption(path_ + ": section of a partial element");
    out->resize(bytes / sizeof(T));
    return Read(out->data(), bytes);
  }
  // Checks that the file ends here with the checksum of what was read.
  Status Finish();

 private:
  SnapshotReader(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  Status SectionLength(uint64_t* bytes, uint64_t bytes_max);
  Status Read(void* data, size_t bytes);

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;  // of the file
  uint64_t offset_ = 0;
  SnapshotKey key_;
  SnapshotChecksum checksum_;
};

}  // namespace nks
