// Running the real `nks` binary from integration tests.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "nks/store/pg_test_db.h"

namespace nks::testing {

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

// True when this run of the tests is on PostgreSQL: ctest runs every
// integration test twice, the second time (name suffix /postgres) with the
// test cluster (fixture "pg") up and its URL in NKS_TEST_PG_URL.
inline bool OnPostgres() { return !store::TestPgAdminUrl().empty(); }

// A loopback TCP port nothing listens on right now (for `nks serve`).
inline int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  close(s);
  return ntohs(a.sin_port);
}

// A temporary directory per test with `nks --data DIR` at hand; on
// PostgreSQL each data directory the test uses gets a database of its own
// (`--db`), made on first use.
class NksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A server that refuses a request may close while the client still
    // writes: the write must fail as an error, not kill the test.
    signal(SIGPIPE, SIG_IGN);
    dir_ = std::filesystem::temp_directory_path() /
           ("nks-it-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    data_ = (dir_ / "data").string();
  }
  void TearDown() override {
    if (!HasFailure()) {
      std::filesystem::remove_all(dir_);
      for (const auto& [data, db] : dbs_) store::DropTestPgDatabase(db.name);
    }
  }

  // The `--db` arguments for `data` ("" on SQLite: DATA/nks.db).
  std::vector<std::string> DbArgs(const std::string& data) {
    if (!OnPostgres()) return {};
    return {"--db", DbFor(data)};
  }
  // The PostgreSQL URL of `data`'s database, made on first use.
  std::string DbFor(const std::string& data) {
    auto it = dbs_.find(data);
    if (it != dbs_.end()) return it->second.url;
    Db db;
    db.name = store::TestPgDatabaseName(::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::string error;
    db.url = store::CreateTestPgDatabase(db.name, &error);
    EXPECT_FALSE(db.url.empty()) << error;
    return dbs_.emplace(data, db).first->second.url;
  }
  // Copies the data directory `from` to `to` (replacing it), with its
  // database: on PostgreSQL a new database made from `from`'s.
  void CopyData(const std::string& from, const std::string& to) {
    std::filesystem::remove_all(to);
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
    if (!OnPostgres()) return;
    auto old = dbs_.find(to);
    if (old != dbs_.end()) {
      store::DropTestPgDatabase(old->second.name);
      dbs_.erase(old);
    }
    Db db;
    db.name = store::TestPgDatabaseName(::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::string source = dbs_.at(from).name;
    std::string error = store::TestPgAdminExec("CREATE DATABASE \"" + db.name + "\" TEMPLATE \"" + source + "\"");
    ASSERT_TRUE(error.empty()) << error;
    db.url = store::PgUrlWithDatabase(store::TestPgAdminUrl(), db.name);
    dbs_.emplace(to, db);
  }

  // Runs `nks --data DATA [--db DB] [--clock CLOCK] args...` to completion.
  RunResult Nks(const std::vector<std::string>& args, const std::string& clock = "") {
    std::string cmd = std::string(NKS_BINARY) + " --data " + Quote(data_);
    for (const auto& a : DbArgs(data_)) cmd += " " + Quote(a);
    if (!clock.empty()) cmd += " --clock " + Quote(clock);
    for (const auto& a : args) cmd += " " + Quote(a);
    std::filesystem::path out = dir_ / "stdout", err = dir_ / "stderr";
    cmd += " >" + Quote(out.string()) + " 2>" + Quote(err.string());
    int status = std::system(cmd.c_str());
    RunResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }

  // Starts `nks --data DATA args...` without waiting (output discarded).
  pid_t Start(const std::vector<std::string>& args) {
    const std::vector<std::string> db_args = DbArgs(data_);  // made before the fork
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<std::string> all = {NKS_BINARY, "--data", data_};
      for (const auto& a : db_args) all.push_back(a);
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execv(NKS_BINARY, argv.data());
      _exit(127);
    }
    return pid;
  }

  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }

  std::filesystem::path dir_;
  std::string data_;

 private:
  struct Db {
    std::string name;
    std::string url;
  };
  std::map<std::string, Db> dbs_;  // data directory -> its PostgreSQL database
};

}  // namespace nks::testing
