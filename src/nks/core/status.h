// Errors as values. A Status carries a stable code and a message that names
// the record and field at fault; Result<T> is a value or the Status saying
// why there is none. No exception crosses a module boundary.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nks {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // the input is malformed or breaks a rule
  kNotFound,           // the thing asked for does not exist
  kAlreadyExists,      // a unique key is taken
  kFailedPrecondition, // the state does not allow this now
  kPermissionDenied,   // the caller's channel or role may not do this
  kCorruption,         // stored data is inconsistent
  kIoError,            // the file system or database failed
  kInternal,           // a bug: an invariant does not hold
  kUnavailable,        // this way cannot decide; use the slower, exact one
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid-argument: cpr: day 32 does not exist"
  std::string ToString() const;

  // Prefixes the message with where the error happened ("cpr.csv:12: ").
  Status WithContext(std::string_view where) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value of T, or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace nks

// Returns early from the enclosing function when `expr` is not OK.
#define NKS_CONCAT_INNER(a, b) a##b
#define NKS_CONCAT(a, b) NKS_CONCAT_INNER(a, b)
#define NKS_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                      \
    ::nks::Status tmp = (expr);             \
    if (!tmp.ok()) return tmp;              \
  } while (0)
#define NKS_RETURN_IF_ERROR(expr) NKS_RETURN_IF_ERROR_IMPL(NKS_CONCAT(nks_status_, __COUNTER__), expr)
#define NKS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
// `NKS_ASSIGN_OR_RETURN(auto cpr, Cpr::Parse(text));`
#define NKS_ASSIGN_OR_RETURN(lhs, expr) \
  NKS_ASSIGN_OR_RETURN_IMPL(NKS_CONCAT(nks_result_, __COUNTER__), lhs, expr)

// An invariant that must hold in production: a violation stops the process
// rather than paying wrongly (TIGER_STYLE).
#define NKS_CHECK(cond)                                              \
  do {                                                               \
    if (!(cond)) ::nks::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace nks::internal {
[[noreturn]] void CheckFailed(const char* cond, const char* file, int line);
}
