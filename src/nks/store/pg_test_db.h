// For tests: a fresh PostgreSQL database per test on the throwaway cluster
// that ctest's fixture "pg" starts (scripts/pg_test_cluster.sh), whose
// admin URL is in NKS_TEST_PG_URL. Each test gets a database of its own, so
// tests run in parallel; it is dropped afterwards unless the test failed.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <string>
#include <string_view>

namespace nks::store {

// The test cluster's admin URL, "" when the fixture did not run.
inline std::string TestPgAdminUrl() {
  const char* url = std::getenv("NKS_TEST_PG_URL");
  return url != nullptr ? url : "";
}

// `url` with its database (the path after the authority) replaced by `db`.
inline std::string PgUrlWithDatabase(const std::string& url, const std::string& db) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return url + "/" + db;
  size_t end = url.find('?', path);
  return url.substr(0, path + 1) + db + (end == std::string::npos ? "" : url.substr(end));
}

// A database name unique to this process and call, readable: "t<pid>_<n>_<what>".
inline std::string TestPgDatabaseName(std::string_view what) {
  static std::atomic<int> counter{0};
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_";
  for (char c : what) {
    if (name.size() >= 63) break;  // PostgreSQL's NAMEDATALEN - 1
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_');
  }
  return name;
}

// Runs one statement on the admin database; "" or the error.
inline std::string TestPgAdminExec(const std::string& sql) {
  PGconn* c = PQconnectdb(TestPgAdminUrl().c_str());
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

// Creates the empty database `name`; returns its URL, or "" and sets *error.
inline std::string CreateTestPgDatabase(const std::string& name, std::string* error) {
  if (TestPgAdminUrl().empty()) {
    *error = "NKS_TEST_PG_URL is not set (run the tests with ctest, whose fixture starts the cluster)";
    return "";
  }
  *error = TestPgAdminExec("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
  if (error->empty()) *error = TestPgAdminExec("CREATE DATABASE \"" + name + "\"");
  return error->empty() ? PgUrlWithDatabase(TestPgAdminUrl(), name) : "";
}

inline void DropTestPgDatabase(const std::string& name) {
  (void)TestPgAdminExec("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
}

}  // namespace nks::store
