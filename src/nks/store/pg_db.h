// A thin RAII layer over libpq: every statement with values is prepared
// (once per connection, named after its SQL) and its values are parameters,
// so no SQL is ever built from data. Bulk rows go through COPY.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nks/core/status.h"

namespace nks::store::pg {

// One statement parameter. The type is sent with it (BIGINT, TEXT or
// BYTEA), so a statement prepares the same whatever the value.
class Param {
 public:
  enum class Type : uint8_t { kInt8, kText, kBytea };
  Param(int64_t v) : type_(Type::kInt8), value_(std::to_string(v)) {}  // NOLINT: implicit on purpose
  Param(int v) : Param(int64_t{v}) {}                                  // NOLINT
  Param(uint32_t v) : Param(int64_t{v}) {}                             // NOLINT
  Param(std::string_view v) : type_(Type::kText), value_(v) {}         // NOLINT
  Param(const std::string& v) : type_(Type::kText), value_(v) {}       // NOLINT
  Param(const char* v) : type_(Type::kText), value_(v) {}              // NOLINT
  // TEXT, NULL when empty (nullable text columns, as the SQLite store).
  static Param TextOrNull(std::string_view v);
  // BIGINT, NULL when 0 (nullable integer columns).
  static Param IntOrNull(int64_t v);
  // Raw bytes (sent in binary format).
  static Param Bytes(std::string_view v);

  Type type() const { return type_; }
  bool null() const { return null_; }
  const std::string& value() const { return value_; }

 private:
  Param(Type t, bool null, std::string v) : type_(t), null_(null), value_(std::move(v)) {}
  Type type_;
  bool null_ = false;
  std::string value_;
};

using Params = std::vector<Param>;

// A statement's result rows (text format), owned.
class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* r) : r_(r) {}
  ~Rows() { PQclear(r_); }
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Rows& operator=(Rows&& o) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const { return r_ ? PQntuples(r_) : 0; }
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT/UPDATE/DELETE.
  int64_t affected() const;
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  // NULL reads as 0 and as "", like the SQLite layer.
  int64_t Int(int row, int col) const;
  std::string Text(int row, int col) const;
  // The value's text without a copy: valid while these Rows live.
  std::string_view TextView(int row, int col) const;
  // A BYTEA column (hex text format) as raw bytes.
  std::string Bytes(int row, int col) const;

 private:
  PGresult* r_ = nullptr;
};

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // `url`: a libpq connection URI (postgresql://...). The password, if the
  // URI has one, never appears in errors.
  Status Open(const std::string& url);
  // One or more statements without parameters (migrations, BEGIN).
  Status Exec(std::string_view sql);
  // A statement with parameters $1..$n, prepared on first use.
  Result<Rows> Query(std::string_view sql, const Params& params = {});
  // The same, planned for these values each time (an unnamed statement).
  // For a page of a large scan: a prepared statement turns to a generic
  // plan after five runs, and a generic plan can use no partial index
  // (it cannot prove `report_id<>0` from `report_id=$1`), so each page of
  // a bank file or report read the outcomes from its first id on.
  Result<Rows> QueryPlanned(std::string_view sql, const Params& params = {});
  // COPY `copy_sql` (... FROM STDIN) with `data` in COPY text format.
  Status Copy(std::string_view copy_sql, std::string_view data);

  PGconn* handle() { return conn_; }

 private:
  Status Error(std::string_view what, const PGresult* r) const;
  Result<std::string> Prepare(std::string_view sql, const Params& params);

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

// Appends `v` to a COPY text-format row, escaped; NULL is written for
// `null`. Columns are separated by '\t' and rows end with '\n' (the caller's).
void CopyText(std::string* out, std::string_view v);
void CopyNull(std::string* out);
void CopyInt(std::string* out, int64_t v);

// A connection URI with its password replaced by "***" (for messages).
std::string RedactUrl(std::string_view url);

}  // namespace nks::store::pg
