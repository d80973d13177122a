#include "nks/http/access_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "nks/core/ids.h"

namespace nks::http {

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      *out += fmt::format("\\u{:04x}", static_cast<int>(u));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path) {
  if (path.empty() || path == "-") return std::unique_ptr<AccessLog>(new AccessLog(2, false));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Status::IoError(fmt::format("--access-log {}: {}", path, std::strerror(errno)));
  return std::unique_ptr<AccessLog>(new AccessLog(fd, true));
}

AccessLog::~AccessLog() {
  Flush();
  if (owned_) ::close(fd_);
}

std::string AccessLog::Line(const Request& request, const Response& response, double seconds, Instant now) {
  std::string target = PercentDecode(request.target.substr(0, kAccessLogTargetBytesMax));
  std::string line = "{\"time\":";
  AppendJsonString(&line, FormatUtc(now));
  line += ",\"remote\":";
  AppendJsonString(&line, request.remote);
  line += ",\"method\":";
  AppendJsonString(&line, request.method);
  line += ",\"target\":";
  AppendJsonString(&line, MaskCprsIn(target));
  line += ",\"route\":";
  AppendJsonString(&line, response.route);
  line += fmt::format(",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_ms\":{:.3f}", response.status,
                      request.body.size(), std::max(response.body_bytes, response.body.size()), seconds * 1e3);
  line += ",\"principal\":";
  AppendJsonString(&line, response.principal);
  if (!response.problem.empty()) {
    line += ",\"problem\":";
    AppendJsonString(&line, response.problem);
  }
  return line + "}";
}

void AccessLog::Write(const Request& request, const Response& response, double seconds, Instant now) {
  std::string line = Line(request, response, seconds, now);
  std::lock_guard lock(mu_);
  buffer_ += line;
  buffer_.push_back('\n');
  if (buffer_.size() >= kAccessLogBufferBytes) FlushLocked();
}

void AccessLog::Flush() {
  std::lock_guard lock(mu_);
  FlushLocked();
}

void AccessLog::FlushLocked() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a full disk must not stop the server; the lines are lost
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace nks::http
