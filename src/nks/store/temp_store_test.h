// For tests: a fresh store per test on each backend: SQLite in a directory
// of its own under the system's temp directory, PostgreSQL in a database
// of its own on the test cluster (store/pg_test_db.h). The directory is
// made for both (tests write files there), named after the test; both are
// removed afterwards unless the test failed (so what it left can be looked
// at). A suite derived from TempStoreTest runs on both backends with
//   INSTANTIATE_TEST_SUITE_P(Backends, MySuite, NKS_STORE_BACKENDS);
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "nks/store/pg_test_db.h"
#include "nks/store/store.h"

namespace nks::store {

enum class Backend { kSqlite, kPostgres };

inline void PrintTo(Backend b, std::ostream* os) { *os << (b == Backend::kSqlite ? "sqlite" : "postgres"); }

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgres";
}

#define NKS_STORE_BACKENDS                                                                      \
  ::testing::Values(::nks::store::Backend::kSqlite, ::nks::store::Backend::kPostgres), \
      ::nks::store::BackendName

// The running test's name as one path or database name component.
inline std::string CurrentTestName() {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

// A store target per test: a SQLite file in `dir`, or a new PostgreSQL
// database. Returns what OpenStore opens, or "" with *error set.
class TestStoreTarget {
 public:
  std::string Make(Backend backend, const std::filesystem::path& dir, const std::string& what, std::string* error) {
    if (backend == Backend::kSqlite) return (dir / "nks.db").string();
    db_name_ = TestPgDatabaseName(what);
    return CreateTestPgDatabase(db_name_, error);
  }
  // Drops the PostgreSQL database, if one was made.
  void Remove() {
    if (!db_name_.empty()) DropTestPgDatabase(db_name_);
    db_name_.clear();
  }

 private:
  std::string db_name_;
};

class TempStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  explicit TempStoreTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (prefix_ + "-" + std::to_string(::getpid()) + "-" + CurrentTestName());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string error;
    target_ = target_maker_.Make(GetParam(), dir_, prefix_ + "_" + CurrentTestName(), &error);
    ASSERT_FALSE(target_.empty()) << error;
    auto s = OpenStore(target_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    if (!HasFailure()) {
      std::filesystem::remove_all(dir_);
      target_maker_.Remove();
      for (TestStoreTarget& t : others_) t.Remove();
    }
  }

  // Another empty store beside store_ (SQLite: DIR/<name>.db).
  Result<std::unique_ptr<Store>> OpenFreshStore(const std::string& name) {
    std::string error;
    std::filesystem::create_directories(dir_ / name);
    std::string target = others_.emplace_back().Make(GetParam(), dir_ / name, prefix_ + "_" + name, &error);
    if (target.empty()) return Status::IoError(error);
    return OpenStore(target);
  }

  std::filesystem::path dir_;
  std::string target_;  // the SQLite file or the PostgreSQL URL
  std::unique_ptr<Store> store_;

 private:
  std::string prefix_;
  TestStoreTarget target_maker_;
  std::vector<TestStoreTarget> others_;
};

}  // namespace nks::store
