// A generated output file: text is appended to a 1 MiB buffer, written in
// blocks to `<name>.tmp<pid>`, and Commit() renames it to its final name, so
// a killed run never leaves a partial file under that name. The first error
// is kept and later writes are dropped. Not fsync'ed: a lost file is simply
// generated again.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include "nks/core/status.h"

namespace nks::gen {

class OutputFile {
 public:
  static constexpr size_t kBufferBytes = 1 << 20;

  explicit OutputFile(std::filesystem::path path);
  // An uncommitted file's temporary is removed.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Create();
  // Where callers append their text; FlushIfFull() after a record.
  std::string& buffer() { return buffer_; }
  void FlushIfFull() {
    if (buffer_.size() >= kBufferBytes) Flush();
  }
  bool failed() const { return !status_.ok(); }
  const Status& status() const { return status_; }
  // Writes what is buffered and closes the temporary file.
  Status Close();
  Status Commit();

 private:
  void Flush();
  Status Error(std::string_view what) const;

  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  bool committed_ = false;
  Status status_;  // the first error
};

}  // namespace nks::gen
