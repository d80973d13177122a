#include "nks/iso20022/xml_file_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace nks::iso20022 {
namespace {

namespace fs = std::filesystem;

// One decoded UTF-8 sequence; `bytes` is 0 when the sequence is invalid
// (truncated, overlong, a surrogate or above U+10FFFF).
struct CodePoint {
  uint32_t value = 0;
  size_t bytes = 0;
};

CodePoint DecodeAt(std::string_view text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return {lead, 1};
  // The lead byte gives the length, its payload bits, and the smallest
  // value that needs that length (anything below is an overlong form).
  size_t bytes = 0;
  uint32_t value = 0;
  uint32_t smallest = 0;
  if ((lead & 0xE0) == 0xC0) {
    bytes = 2;
    value = lead & 0x1Fu;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    bytes = 3;
    value = lead & 0x0Fu;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    bytes = 4;
    value = lead & 0x07u;
    smallest = 0x10000;
  } else {
    return {};
  }
  if (text.size() - at < bytes) return {};
  for (size_t k = 1; k < bytes; ++k) {
    const auto next = static_cast<unsigned char>(text[at + k]);
    if ((next & 0xC0) != 0x80) return {};
    value = (value << 6) | (next & 0x3Fu);
  }
  const bool surrogate = value >= 0xD800 && value <= 0xDFFF;
  if (value < smallest || value > 0x10FFFF || surrogate) return {};
  return {value, bytes};
}

bool IsRefused(uint32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF;
}

bool NeedsEscape(char c) { return c == '&' || c == '<' || c == '>' || c == '"' || c == '\''; }

std::string_view EntityFor(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    default:
      return "&apos;";
  }
}

Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IoError(
        fmt::format("{}: open directory: {}", dir.string(), std::strerror(errno)));
  }
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) {
    return Status::IoError(
        fmt::format("{}: fsync directory: {}", dir.string(), std::strerror(error)));
  }
  return Status::Ok();
}

fs::path DirectoryOf(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

}  // namespace

Status CheckText(std::string_view field, std::string_view text, size_t chars_max) {
  if (text.empty()) return Status::Invalid(fmt::format("{}: empty", field));
  size_t chars = 0;
  for (size_t at = 0; at < text.size();) {
    const CodePoint c = DecodeAt(text, at);
    if (c.bytes == 0)
      return Status::Invalid(fmt::format("{}: not valid UTF-8 at byte {}", field, at));
    if (IsRefused(c.value)) {
      return Status::Invalid(
          fmt::format("{}: control character U+{:04X} at byte {}", field, c.value, at));
    }
    at += c.bytes;
    ++chars;
  }
  if (chars > chars_max) {
    return Status::Invalid(fmt::format("{}: {} characters, at most {}", field, chars, chars_max));
  }
  return Status::Ok();
}

size_t CountChars(std::string_view utf8) {
  size_t chars = 0;
  for (const char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;  // not a continuation byte
  }
  return chars;
}

size_t PrefixBytes(std::string_view utf8, size_t chars_max) {
  size_t chars = 0;
  for (size_t at = 0; at < utf8.size(); ++at) {
    if ((static_cast<unsigned char>(utf8[at]) & 0xC0) == 0x80) continue;
    if (chars == chars_max) return at;
    ++chars;
  }
  return utf8.size();
}

std::string FormatOre(int64_t ore) {
  NKS_CHECK(ore >= 0);
  return fmt::format("{}.{:02}", ore / 100, ore % 100);
}

// ---- XmlFileWriter -----------------------------------------------------------

Result<std::unique_ptr<XmlFileWriter>> XmlFileWriter::Create(const fs::path& path) {
  static std::atomic<uint64_t> temp_counter{0};
  fs::path temp = DirectoryOf(path) / fmt::format(".{}.tmp{}-{}", path.filename().string(),
                                                  ::getpid(), temp_counter.fetch_add(1));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError(
        fmt::format("{}: create temporary file: {}", path.string(), std::strerror(errno)));
  }
  std::unique_ptr<XmlFileWriter> xml(new XmlFileWriter(path, std::move(temp), fd));
  xml->buffer_.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  return xml;
}

XmlFileWriter::XmlFileWriter(fs::path path, fs::path temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {
  buffer_.reserve(kBufferBytes + kBufferBytes / 4);
}

XmlFileWriter::~XmlFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void XmlFileWriter::Open(std::string_view tag) {
  NKS_CHECK(depth_ < kDepthMax);
  buffer_.append("<").append(tag).append(">\n");
  open_[depth_++] = tag;
}

void XmlFileWriter::OpenWithAttribute(std::string_view tag, std::string_view name,
                                      std::string_view value) {
  NKS_CHECK(depth_ < kDepthMax);
  buffer_.append("<").append(tag).append(" ").append(name).append("=\"");
  AppendEscaped(value);
  buffer_.append("\">\n");
  open_[depth_++] = tag;
}

void XmlFileWriter::Close() {
  NKS_CHECK(depth_ > 0);
  --depth_;
  buffer_.append("</").append(open_[depth_]).append(">\n");
  FlushIfFull();
}

void XmlFileWriter::Element(std::string_view tag, std::string_view text) {
  buffer_.append("<").append(tag).append(">");
  AppendEscaped(text);
  buffer_.append("</").append(tag).append(">\n");
}

void XmlFileWriter::ElementWithAttribute(std::string_view tag, std::string_view name,
                                         std::string_view value, std::string_view text) {
  buffer_.append("<").append(tag).append(" ").append(name).append("=\"");
  AppendEscaped(value);
  buffer_.append("\">");
  AppendEscaped(text);
  buffer_.append("</").append(tag).append(">\n");
}

Status XmlFileWriter::Commit() {
  NKS_CHECK(depth_ == 0);
  NKS_CHECK(fd_ >= 0);
  Flush();
  if (status_.ok() && ::fsync(fd_) != 0) status_ = Error("fsync", errno);
  if (::close(fd_) != 0 && status_.ok()) status_ = Error("close", errno);
  fd_ = -1;
  if (status_.ok() && ::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    status_ = Error("rename", errno);
  }
  if (!status_.ok()) return status_;  // the destructor removes the temporary file
  committed_ = true;
  status_ = SyncDirectory(DirectoryOf(path_));
  return status_;
}

// Runs of plain text are copied whole; a control byte here means a caller
// skipped CheckText, and writing it would make the file unreadable.
void XmlFileWriter::AppendEscaped(std::string_view text) {
  size_t run_start = 0;
  for (size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    NKS_CHECK(static_cast<unsigned char>(c) >= 0x20);
    if (!NeedsEscape(c)) continue;
    buffer_.append(text.substr(run_start, at - run_start)).append(EntityFor(c));
    run_start = at + 1;
  }
  buffer_.append(text.substr(run_start));
}

void XmlFileWriter::FlushIfFull() {
  if (buffer_.size() >= kBufferBytes) Flush();
}

void XmlFileWriter::Flush() {
  std::string_view bytes = buffer_;
  while (status_.ok() && !bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status_ = Error("write", n < 0 ? errno : EIO);
      break;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
}

Status XmlFileWriter::Error(std::string_view step, int error) const {
  return Status::IoError(fmt::format("{}: {}: {}", path_.string(), step, std::strerror(error)));
}

// ---- Shared pieces -------------------------------------------------------------

void WriteNksParty(XmlFileWriter& xml, std::string_view tag, std::string_view nks_id) {
  xml.Open(tag);
  xml.Element("Nm", kNksPartyName);
  xml.Open("Id");
  xml.Open("OrgId");
  xml.Open("Othr");
  xml.Element("Id", nks_id);
  xml.Close();  // Othr
  xml.Close();  // OrgId
  xml.Close();  // Id
  xml.Close();  // tag
}

void WriteOrganisationOther(XmlFileWriter& xml, std::string_view id, std::string_view scheme) {
  xml.Open("Othr");
  xml.Element("Id", id);
  xml.Open("SchmeNm");
  xml.Element("Prtry", scheme);
  xml.Close();  // SchmeNm
  xml.Close();  // Othr
}

}  // namespace nks::iso20022
