#include "nks/store/sqlite_db.h"

#include <fmt/format.h>

namespace nks::store::sqlite {

// Waiting for another process's write transaction; imports hold the lock
// for their whole run, so this is generous.
constexpr int kBusyTimeoutMs = 60'000;

Stmt::Stmt(Db& db, std::string_view sql) : db_(&db) {
  int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
  // A statement that does not prepare is a bug in our SQL, not bad input.
  if (rc != SQLITE_OK) {
    fmt::print(stderr, "nks: cannot prepare SQL ({}): {}\n", sqlite3_errmsg(db.handle()), sql);
    NKS_CHECK(rc == SQLITE_OK);
  }
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    s_ = o.s_;
    db_ = o.db_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}

Stmt& Stmt::Bind(int i, std::string_view v) {
  if (v.empty()) {
    sqlite3_bind_null(s_, i);
  } else {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  return *this;
}

Stmt& Stmt::BindText(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  return *this;
}

Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status st = db_->Error("step");
  sqlite3_reset(s_);
  return st;
}

Status Stmt::Run() {
  auto r = Step();
  Reset();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

void Stmt::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(s_, col)));
}

std::string_view Stmt::TextView(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, col))};
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Open(const std::string& path) {
  // Memory statistics take a global mutex on every allocation; we never
  // read them. Must be set before SQLite initialises, hence once here.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    return Status::IoError(fmt::format("cannot open database {}: {}", path,
                                       db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db_, 1);
  return Status::Ok();
}

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return Status::IoError(fmt::format("database: {}", msg));
  }
  return Status::Ok();
}

Status Db::Error(std::string_view what) const {
  int rc = sqlite3_extended_errcode(db_);
  std::string msg = fmt::format("database {}: {}", what, sqlite3_errmsg(db_));
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return Status::AlreadyExists(msg);
  if ((rc & 0xff) == SQLITE_CORRUPT) return Status::Corruption(msg);
  return Status::IoError(msg);
}

}  // namespace nks::store::sqlite
