#include "nks/gen/output_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nks::gen {

namespace fs = std::filesystem;

OutputFile::OutputFile(fs::path path)
    : path_(std::move(path)), temp_path_(fs::path(path_).concat(fmt::format(".tmp{}", getpid()))) {
  buffer_.reserve(kBufferBytes + kBufferBytes / 8);
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) {
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
  }
}

Status OutputFile::Create() {
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) return Error("cannot create");
  return Status::Ok();
}

Status OutputFile::Close() {
  Flush();
  if (file_ != nullptr && std::fclose(file_) != 0 && status_.ok()) status_ = Error("close");
  file_ = nullptr;
  return status_;
}

Status OutputFile::Commit() {
  std::error_code ec;
  fs::rename(temp_path_, path_, ec);
  if (ec) return Status::IoError(fmt::format("{}: rename: {}", path_.string(), ec.message()));
  committed_ = true;
  return Status::Ok();
}

void OutputFile::Flush() {
  if (status_.ok() && file_ != nullptr && !buffer_.empty() &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    status_ = Error("write");
  }
  buffer_.clear();
}

Status OutputFile::Error(std::string_view what) const {
  return Status::IoError(fmt::format("{}: {}: {}", path_.string(), what, std::strerror(errno)));
}

}  // namespace nks::gen
