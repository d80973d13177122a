// A thin RAII layer over the SQLite C API: prepared statements only, so no
// SQL is ever built from data.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks::store::sqlite {

class Db;

class Stmt {
 public:
  Stmt() = default;
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& o) noexcept : s_(o.s_), db_(o.db_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool valid() const { return s_ != nullptr; }
  // Parameters are 1-based as in SQLite. Text is bound without a copy: it
  // must stay alive until the statement is stepped and reset.
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view v);  // bound as TEXT; empty binds NULL
  Stmt& BindNull(int i);
  // Always TEXT, also when empty (NOT NULL text columns).
  Stmt& BindText(int i, std::string_view v);
  // SQLITE_ROW -> true, SQLITE_DONE -> false.
  Result<bool> Step();
  // Step() to completion of a statement that returns no rows.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  std::string Text(int col) const;
  // The column's text without a copy: valid until the next Step or Reset.
  std::string_view TextView(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

 private:
  sqlite3_stmt* s_ = nullptr;
  Db* db_ = nullptr;
};

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Open(const std::string& path);
  Status Exec(std::string_view sql);
  sqlite3* handle() { return db_; }
  Status Error(std::string_view what) const;
  int64_t Changes() const { return sqlite3_changes64(db_); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace nks::store::sqlite
