#include "nks/core/status.h"

#include <cstdio>
#include <cstdlib>

namespace nks {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid-argument";
    case Code::kNotFound: return "not-found";
    case Code::kAlreadyExists: return "already-exists";
    case Code::kFailedPrecondition: return "failed-precondition";
    case Code::kPermissionDenied: return "permission-denied";
    case Code::kCorruption: return "corruption";
    case Code::kIoError: return "io-error";
    case Code::kInternal: return "internal";
    case Code::kUnavailable: return "unavailable";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view where) const {
  if (ok()) return *this;
  std::string m(where);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m));
}

namespace internal {
void CheckFailed(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "nks: invariant violated at %s:%d: %s\n", file, line, cond);
  std::abort();
}
}  // namespace internal

}  // namespace nks
