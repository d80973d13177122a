#include "nks/store/pg_db.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace nks::store::pg {
namespace {

// Type OIDs of the built-in types we send (pg_type.h; stable since 7.x).
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;

// Notices ("relation already exists, skipping") are not errors; the
// default processor would print them on stderr.
void IgnoreNotice(void*, const char*) {}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Param Param::TextOrNull(std::string_view v) { return Param(Type::kText, v.empty(), std::string(v)); }
Param Param::IntOrNull(int64_t v) { return Param(Type::kInt8, v == 0, std::to_string(v)); }
Param Param::Bytes(std::string_view v) { return Param(Type::kBytea, false, std::string(v)); }

Rows& Rows::operator=(Rows&& o) noexcept {
  if (this != &o) {
    PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

int64_t Rows::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  int64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

int64_t Rows::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const char* p = PQgetvalue(r_, row, col);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(p, p + PQgetlength(r_, row, col), v);
  // A column we read as a number that is not one is a bug in our SQL.
  NKS_CHECK(ec == std::errc());
  (void)end;
  return v;
}

std::string Rows::Text(int row, int col) const {
  if (IsNull(row, col)) return {};
  return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}

std::string_view Rows::TextView(int row, int col) const {
  if (IsNull(row, col)) return {};
  return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
}

std::string Rows::Bytes(int row, int col) const {
  if (IsNull(row, col)) return {};
  std::string_view hex(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  // bytea_output = hex (set at connect): "\x" then two digits a byte.
  NKS_CHECK(hex.size() >= 2 && hex[0] == '\\' && hex[1] == 'x' && hex.size() % 2 == 0);
  std::string out;
  out.reserve((hex.size() - 2) / 2);
  for (size_t i = 2; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    NKS_CHECK(hi >= 0 && lo >= 0);
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Db::~Db() { PQfinish(conn_); }

std::string RedactUrl(std::string_view url) {
  // scheme://user:password@host... -> scheme://user:***@host...
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t start = scheme + 3;
  size_t at = url.find('@', start);
  size_t slash = url.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) return std::string(url);
  size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

Status Db::Open(const std::string& url) {
  if (conn_ != nullptr) {  // an earlier Open that failed, or one to replace
    PQfinish(conn_);
    prepared_.clear();
  }
  conn_ = PQconnectdb(url.c_str());
  if (conn_ == nullptr) return Status::IoError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return Status::IoError(fmt::format("cannot connect to PostgreSQL at {}: {}", RedactUrl(url), msg));
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  return Status::Ok();
}

Status Db::Error(std::string_view what, const PGresult* r) const {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  std::string text = fmt::format("database {}: {}", what, msg);
  std::string_view code = state ? state : "";
  // Class 23: integrity constraint violation (the SQLite layer's CONSTRAINT).
  if (code.substr(0, 2) == "23") return Status::AlreadyExists(text);
  // XX001/XX002: data or index corrupted.
  if (code == "XX001" || code == "XX002") return Status::Corruption(text);
  return Status::IoError(text);
}

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  PGresult* r = PQexec(conn_, s.c_str());
  Rows owned(r);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error("exec", r);
  return Status::Ok();
}

namespace {

// libpq's view of `params`: values, lengths, formats and types.
struct ParamArrays {
  explicit ParamArrays(const Params& params)
      : values(params.size()), lengths(params.size()), formats(params.size()), types(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      values[i] = p.null() ? nullptr : p.value().c_str();
      lengths[i] = static_cast<int>(p.value().size());
      formats[i] = p.type() == Param::Type::kBytea ? 1 : 0;
      types[i] = p.type() == Param::Type::kInt8 ? kInt8Oid : p.type() == Param::Type::kBytea ? kByteaOid : kTextOid;
    }
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  std::vector<Oid> types;
};

}  // namespace

Result<std::string> Db::Prepare(std::string_view sql, const Params& params) {
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it != prepared_.end()) return it->second;
  std::string name = fmt::format("nks{}", prepared_.size() + 1);
  const std::vector<Oid> types = ParamArrays(params).types;
  PGresult* r = PQprepare(conn_, name.c_str(), key.c_str(), static_cast<int>(types.size()), types.data());
  Rows owned(r);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    // A statement that does not parse (SQLSTATE class 42) is a bug in our
    // SQL, not bad input; anything else (a lost connection, an aborted
    // transaction, a lock timeout) is an error to return.
    Status st = Error("prepare", r);
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state != nullptr && std::string_view(state).substr(0, 2) == "42") {
      fmt::print(stderr, "nks: cannot prepare SQL ({}): {}\n", st.message(), sql);
      NKS_CHECK(false);
    }
    return st;
  }
  prepared_.emplace(std::move(key), name);
  return name;
}

Result<Rows> Db::Query(std::string_view sql, const Params& params) {
  NKS_ASSIGN_OR_RETURN(std::string name, Prepare(sql, params));
  ParamArrays a(params);
  PGresult* r = PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), a.values.data(),
                               a.lengths.data(), a.formats.data(), 0);
  Rows rows(r);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error("statement", r);
  return rows;
}

Result<Rows> Db::QueryPlanned(std::string_view sql, const Params& params) {
  const std::string text(sql);
  ParamArrays a(params);
  PGresult* r = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), a.types.data(), a.values.data(),
                             a.lengths.data(), a.formats.data(), 0);
  Rows rows(r);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error("statement", r);
  return rows;
}

Status Db::Copy(std::string_view copy_sql, std::string_view data) {
  std::string s(copy_sql);
  {
    PGresult* r = PQexec(conn_, s.c_str());
    Rows owned(r);
    if (PQresultStatus(r) != PGRES_COPY_IN) return Error("copy", r);
  }
  // Sent in pieces of at most 1 MiB: libpq buffers what it cannot send yet.
  constexpr size_t kCopyChunkBytes = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kCopyChunkBytes) {
    size_t n = std::min(kCopyChunkBytes, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
      (void)PQputCopyEnd(conn_, "send failed");
      break;
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return Error("copy end", nullptr);
  Status out = Status::Ok();
  while (PGresult* r = PQgetResult(conn_)) {
    Rows owned(r);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && out.ok()) out = Error("copy", r);
  }
  return out;
}

void CopyText(std::string* out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '\t': *out += "\\t"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      default: out->push_back(c);
    }
  }
}

void CopyNull(std::string* out) { *out += "\\N"; }

void CopyInt(std::string* out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out->append(buf, end);
}

}  // namespace nks::store::pg
