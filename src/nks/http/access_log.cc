#include "nks/http/access_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <limits>

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

namespace {

void AppendNumber(std::string* out, uint64_t n) {
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out->append(digits, end);
}

// "2026-12-03T15:51:09Z", formatted once a second (one server thread's
// cache: the access log is written from every thread).
void AppendUtcSecond(std::string* out, Instant now) {
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached;
  const int64_t second = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second != cached_second) {
    cached = FormatUtc(Instant(std::chrono::seconds(second)));
    cached_second = second;
  }
  *out += cached;
}

}  // namespace

std::string AccessLog::Line(const Request& request, const Response& response, double seconds, Instant now) {
  const std::string_view sent = std::string_view(request.target).substr(0, kAccessLogTargetBytesMax);
  // Decoded first, so that an encoded digit cannot hide a CPR from the mask.
  const std::string target = MaskCprsIn(sent.find('%') == std::string_view::npos ? std::string(sent) : PercentDecode(sent));
  std::string line;
  line.reserve(192 + target.size() + response.principal.size() + response.problem.size());
  line = "{\"time\":\"";
  AppendUtcSecond(&line, now);
  line += "\",\"remote\":";
  AppendJsonString(&line, request.remote);
  line += ",\"method\":";
  AppendJsonString(&line, request.method);
  line += ",\"target\":";
  AppendJsonString(&line, target);
  line += ",\"route\":";
  AppendJsonString(&line, response.route);
  line += ",\"status\":";
  AppendNumber(&line, static_cast<uint64_t>(std::max(response.status, 0)));
  line += ",\"bytes_in\":";
  AppendNumber(&line, request.body.size());
  line += ",\"bytes_out\":";
  AppendNumber(&line, std::max(response.body_bytes, response.body.size()));
  // Milliseconds with three decimals, from whole microseconds.
  const auto micros = static_cast<uint64_t>(std::max(0.0, seconds) * 1e6 + 0.5);
  line += ",\"duration_ms\":";
  AppendNumber(&line, micros / 1000);
  line.push_back('.');
  const auto frac = static_cast<unsigned>(micros % 1000);
  line.push_back(static_cast<char>('0' + frac / 100));
  line.push_back(static_cast<char>('0' + frac / 10 % 10));
  line.push_back(static_cast<char>('0' + frac % 10));
  line += ",\"principal\":";
  AppendJsonString(&line, response.principal);
  if (!response.problem.empty()) {
    line += ",\"problem\":";
    AppendJsonString(&line, response.problem);
  }
  line.push_back('}');
  return line;
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
