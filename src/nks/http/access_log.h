// JSON access log: one line per answered request, CPR numbers masked in the
// target (after percent-decoding, so %-escapes cannot hide one). Lines are
// buffered and written in batches; Flush() writes what is buffered.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/http/server.h"

namespace nks::http {

constexpr size_t kAccessLogBufferBytes = 64 * 1024;  // written when this full
constexpr size_t kAccessLogTargetBytesMax = 512;      // longer targets are cut

class AccessLog {
 public:
  // `path` empty or "-": stderr; else appended to the file.
  static Result<std::unique_ptr<AccessLog>> Open(const std::string& path);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void Write(const Request& request, const Response& response, double seconds, Instant now);
  void Flush();

  // The line Write() appends (without the newline); for tests.
  static std::string Line(const Request& request, const Response& response, double seconds, Instant now);

 private:
  explicit AccessLog(int fd, bool owned) : fd_(fd), owned_(owned) {}
  void FlushLocked();

  int fd_;
  bool owned_;
  std::mutex mu_;
  std::string buffer_;
};

// "%41" -> "A"; bad escapes are kept as they are. '+' is kept.
std::string PercentDecode(std::string_view text);
// Appends `s` as a JSON string literal.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace nks::http
