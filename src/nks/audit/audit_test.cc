#include "nks/audit/audit.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "nks/core/time.h"
#include "nks/store/store.h"
#include "nks/store/temp_store_test.h"

namespace nks::audit {
namespace {

namespace fs = std::filesystem;

// A fresh store per test on each backend; Tamper() edits it behind the
// store's back.
class AuditTest : public store::TempStoreTest {
 protected:
  AuditTest() : TempStoreTest("nks-audit") {}
  void SetUp() override {
    TempStoreTest::SetUp();
    if (HasFatalFailure()) return;
    clock_ = std::make_unique<FixedClock>(*ParseInstant("2026-11-25T10:00:00Z"));
    log_ = std::make_unique<AuditLog>(store_.get(), clock_.get());
  }
  void TearDown() override {
    log_.reset();
    TempStoreTest::TearDown();
  }

  void AppendFive() {
    for (int i = 1; i <= 5; ++i) {
      int64_t seq = 0;
      ASSERT_TRUE(log_->Append("employee:12345678/cw1", "GET /api/v1/nemkonto/{id}/history",
                               "cpr:0101011234", "200", &seq)
                      .ok());
      EXPECT_EQ(seq, i);
    }
  }

  // Runs `sql` on the store directly; true when it succeeded.
  bool RawExec(const std::string& sql) {
    if (GetParam() == store::Backend::kPostgres) {
      PGconn* c = PQconnectdb(target_.c_str());
      EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
      PGresult* r = PQexec(c, sql.c_str());
      bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      PQfinish(c);
      return ok;
    }
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(target_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close_v2(db);
    return rc == SQLITE_OK;
  }

  // Runs SQL as an intruder would: the append-only triggers dropped
  // (SQLite) or disabled (PostgreSQL) first.
  void Tamper(const std::string& sql) {
    const std::string off = GetParam() == store::Backend::kPostgres
                                ? "ALTER TABLE audit_log DISABLE TRIGGER USER; "
                                : "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ";
    EXPECT_TRUE(RawExec(off + sql)) << sql;
  }

  VerifyReport VerifyNow() {
    auto r = Verify(*store_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }

  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<AuditLog> log_;
};

TEST(AuditHashTest, EncodingIsLengthPrefixedAndHashIsStable) {
  store::AuditEntry a{1, 2, "ab", "c", "", "ok", std::string(64, '0'), ""};
  store::AuditEntry b{1, 2, "a", "bc", "", "ok", std::string(64, '0'), ""};
  EXPECT_NE(CanonicalEncoding(a), CanonicalEncoding(b));
  EXPECT_NE(EntryHash(a), EntryHash(b));
  EXPECT_EQ(EntryHash(a), EntryHash(a));
  EXPECT_EQ(EntryHash(a).size(), 64u);
  // The hash covers every field.
  store::AuditEntry c = a;
  c.at_us = 3;
  EXPECT_NE(EntryHash(a), EntryHash(c));
  c = a;
  c.prev_hash[0] = '1';
  EXPECT_NE(EntryHash(a), EntryHash(c));
}

TEST_P(AuditTest, EmptyLogVerifies) {
  VerifyReport r = VerifyNow();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.entries, 0);
}

TEST_P(AuditTest, AppendChainsEntriesAndMasksCprNumbers) {
  AppendFive();
  std::vector<store::AuditEntry> all;
  ASSERT_TRUE(store_->ScanAudit(0, INT64_MIN, [&](const store::AuditEntry& e) {
    all.push_back(e);
    return true;
  }).ok());
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].prev_hash, std::string(64, '0'));
  for (size_t i = 1; i < all.size(); ++i) EXPECT_EQ(all[i].prev_hash, all[i - 1].hash);
  for (const auto& e : all) {
    EXPECT_EQ(e.target.find("1234"), std::string::npos) << e.target;
    EXPECT_EQ(e.at_us, clock_->Now().time_since_epoch().count());
  }
  auto head = store_->AuditHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->first, 5);
  EXPECT_EQ(head->second, all[4].hash);
  EXPECT_TRUE(VerifyNow().ok());
}

TEST_P(AuditTest, StoreRefusesUpdateAndDelete) {
  AppendFive();
  EXPECT_FALSE(RawExec("UPDATE audit_log SET outcome='x' WHERE seq=2"));
  EXPECT_FALSE(RawExec("DELETE FROM audit_log WHERE seq=2"));
  EXPECT_TRUE(VerifyNow().ok());
}

TEST_P(AuditTest, DetectsAnEditedEntry) {
  AppendFive();
  Tamper("UPDATE audit_log SET target='cvr:80000006' WHERE seq=3");
  VerifyReport r = VerifyNow();
  EXPECT_EQ(r.first_bad_seq, 3) << r.problem;
}

TEST_P(AuditTest, DetectsAnEditedEntryWithItsHashRecomputed) {
  AppendFive();
  // The intruder fixes seq 3's own hash; seq 4 still names the old one.
  store::AuditEntry e;
  ASSERT_TRUE(store_->ScanAudit(3, INT64_MIN, [&](const store::AuditEntry& x) {
    e = x;
    return false;
  }).ok());
  e.outcome = "403 forbidden";
  Tamper("UPDATE audit_log SET outcome='403 forbidden', hash='" + EntryHash(e) + "' WHERE seq=3");
  VerifyReport r = VerifyNow();
  EXPECT_EQ(r.first_bad_seq, 4) << r.problem;
}

TEST_P(AuditTest, DetectsARemovedEntry) {
  AppendFive();
  Tamper("DELETE FROM audit_log WHERE seq=2");
  VerifyReport r = VerifyNow();
  EXPECT_EQ(r.first_bad_seq, 2) << r.problem;
}

TEST_P(AuditTest, DetectsSwappedEntries) {
  AppendFive();
  Tamper("UPDATE audit_log SET seq=-2 WHERE seq=2; UPDATE audit_log SET seq=2 WHERE seq=4; "
         "UPDATE audit_log SET seq=4 WHERE seq=-2");
  VerifyReport r = VerifyNow();
  EXPECT_EQ(r.first_bad_seq, 2) << r.problem;
}

TEST_P(AuditTest, DetectsARemovedTail) {
  AppendFive();
  Tamper("DELETE FROM audit_log WHERE seq=5");
  VerifyReport r = VerifyNow();
  EXPECT_EQ(r.first_bad_seq, 5) << r.problem;
}

TEST_P(AuditTest, AppendJoinsTheOpenTransaction) {
  AppendFive();
  Status st = store_->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(log_->Append("cli", "change", "x", "committed"));
    return Status::Invalid("the change failed");
  });
  EXPECT_FALSE(st.ok());
  auto head = store_->AuditHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->first, 5);  // rolled back with the change
  EXPECT_TRUE(VerifyNow().ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::audit
