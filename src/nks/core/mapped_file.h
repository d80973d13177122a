// A file mapped read-only into memory, safe against the file shrinking
// under it. Reading a mapped page past a truncated file's end raises SIGBUS,
// which would kill the process; a payment system or operator truncating or
// rewriting an input file while NKS reads it must instead get an error.
//
// While a MappedFile is open its range is registered with a process-wide
// SIGBUS handler. A fault inside a registered range replaces the page with
// zeros (an anonymous mapping over it), marks the file `truncated()` and
// returns, so the reader sees NULs, ends in some parse error, and its
// caller then checks truncated() and reports that the file changed. A
// SIGBUS anywhere else is passed on (the default action: the process dies).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks {

class MappedFile {
 public:
  // At most this many files mapped at once in the process (the handler
  // scans a fixed table: no allocation, no lock in a signal handler).
  static constexpr size_t kOpenMax = 64;

  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps the regular file at `path` (empty files map to an empty view).
  static Result<MappedFile> Open(const std::string& path);
  // Maps `bytes` bytes of the open file `fd` (which may be closed after).
  static Result<MappedFile> Map(int fd, size_t bytes, const std::string& path);

  std::string_view bytes() const { return {data_, size_}; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  // True once a read found the file shorter than when it was mapped.
  bool truncated() const;
  // kIoError naming the file when truncated(), else OK.
  Status CheckUnchanged() const;

 private:
  void Release();

  const char* data_ = nullptr;
  size_t size_ = 0;
  int slot_ = -1;  // in the handler's table; -1 when nothing is mapped
  std::string path_;
};

}  // namespace nks
