// What the PostgreSQL store does beyond the shared contract: payments
// partitioned by payout month and months detached for archiving. The
// SQLite store refuses to archive (its instantiation checks that).
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include <string>
#include <vector>

#include "nks/core/ids.h"
#include "nks/store/temp_store_test.h"

namespace nks::store {
namespace {

class ArchiveTest : public TempStoreTest {
 protected:
  ArchiveTest() : TempStoreTest("nks-archive") {}

  Payment Add(const std::string& e2e, const std::string& payout_date) {
    Payment p;
    p.system = "SYS";
    p.end_to_end = e2e;
    p.pmt_inf_id = "P-" + payout_date;
    p.authority = 12345678;
    p.los = "L";
    p.bank_agreement = "PIA";
    p.benefit_type = "b";
    p.recipient = RecipientId::ParseTagged("cpr:010285-1237")->key();
    p.amount_ore = 10000;
    p.currency = "DKK";
    p.requested_date = p.payout_date = payout_date;
    Status st = store_->AddPayment(&p);
    EXPECT_TRUE(st.ok()) << e2e << ": " << st.ToString();
    return p;
  }
  void Forward(Payment p) {
    p.status = PaymentStatus::kForwarded;
    p.resolved_account = "15510000123456";
    p.resolution = "nemkonto";
    Status st = store_->SetPaymentOutcome(p);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  // A statement without rows, on a connection of its own (PostgreSQL only).
  void Exec(const std::string& sql) {
    PGconn* c = PQconnectdb(target_.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
  }
  std::vector<int64_t> ByRecipient(uint64_t recipient, int limit = 100) {
    PaymentQuery q;
    q.recipient = recipient;
    q.limit = limit;
    std::vector<int64_t> ids;
    Status st = store_->SearchPayments(q, [&](const Payment& p) {
      ids.push_back(p.id);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return ids;
  }
  std::vector<Payment> Batch(int64_t first_id, size_t n, const std::string& e2e_prefix) {
    std::vector<Payment> batch(n);
    for (size_t i = 0; i < n; ++i) {
      Payment& p = batch[i];
      p.id = first_id + static_cast<int64_t>(i);
      p.system = "SYS";
      p.end_to_end = e2e_prefix + std::to_string(i);
      p.pmt_inf_id = "P";
      p.authority = 12345678;
      p.los = "L";
      p.bank_agreement = "PIA";
      p.benefit_type = "b";
      p.recipient = RecipientId::ParseTagged("cpr:010285-1237")->key();
      p.amount_ore = 100 + static_cast<int64_t>(i);
      p.currency = "DKK";
      p.requested_date = p.payout_date = "2026-11-30";
    }
    return batch;
  }

  // One number from the database itself (PostgreSQL only).
  long long Count(const std::string& sql) {
    PGconn* c = PQconnectdb(target_.c_str());
    long long n = -1;
    if (PQstatus(c) == CONNECTION_OK) {
      PGresult* r = PQexec(c, sql.c_str());
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) n = std::stoll(PQgetvalue(r, 0, 0));
      else ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
      PQclear(r);
    }
    PQfinish(c);
    return n;
  }
};

TEST_P(ArchiveTest, OldMonthsLeaveTheLiveTablesWhileTheirEndToEndIdsStayUsed) {
  // November first, so October's ids are the larger: ids must not be given
  // out again once October is gone.
  Payment nov = Add("NOV-1", "2026-11-02");
  Payment oct1 = Add("OCT-1", "2026-10-30");
  Payment oct2 = Add("OCT-2", "2026-10-01");
  Payment sep = Add("SEP-1", "2026-09-30");
  Forward(oct1);
  Forward(oct2);
  Forward(sep);
  if (GetParam() == Backend::kPostgres) {  // a partition per month
    EXPECT_EQ(Count("SELECT COUNT(*) FROM pg_inherits WHERE inhparent='payments'::regclass"), 3);
  }

  auto archived = store_->ArchivePaymentMonthsBefore("2026-11");
  if (GetParam() == Backend::kSqlite) {
    ASSERT_FALSE(archived.ok());
    EXPECT_EQ(archived.status().code(), Code::kFailedPrecondition);
    EXPECT_NE(archived.status().message().find("PostgreSQL"), std::string::npos) << archived.status().ToString();
    EXPECT_TRUE(store_->GetPayment(oct1.id)->has_value());
    return;
  }
  ASSERT_TRUE(archived.ok()) << archived.status().ToString();
  ASSERT_EQ(archived->size(), 2u);
  EXPECT_EQ((*archived)[0].month, "2026-09");
  EXPECT_EQ((*archived)[0].payments, 1u);
  EXPECT_EQ((*archived)[1].month, "2026-10");
  EXPECT_EQ((*archived)[1].table, "payments_202610");
  EXPECT_EQ((*archived)[1].outcomes_table, "payments_202610_outcomes");
  EXPECT_EQ((*archived)[1].payments, 2u);

  // The archive: the month's payments and their outcomes, in tables of their own.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payments_202610"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payments_202610_outcomes WHERE status=" +
                  std::to_string(static_cast<int>(PaymentStatus::kForwarded))),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM pg_inherits WHERE inhparent='payments'::regclass"), 1);  // November
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_outcomes"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_recipients"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_groups"), 1);

  // Live: November only. October's EndToEndIds are still used (AM05).
  EXPECT_FALSE(store_->GetPayment(oct1.id)->has_value());
  EXPECT_FALSE(store_->FindPayment("SYS", "OCT-1")->has_value());
  EXPECT_TRUE(*store_->EndToEndIdUsed("SYS", "OCT-1"));
  EXPECT_TRUE(store_->GetPayment(nov.id)->has_value());
  auto next = store_->NextPaymentId();
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, sep.id);
  Payment again;
  again.system = "SYS";
  again.end_to_end = "OCT-1";
  again.payout_date = again.requested_date = "2026-11-30";
  EXPECT_EQ(store_->AddPayment(&again).code(), Code::kAlreadyExists);

  // No payment can be stored for an archived month.
  Payment late;
  late.system = "SYS";
  late.end_to_end = "OCT-3";
  late.payout_date = late.requested_date = "2026-10-15";
  Status st = store_->AddPayment(&late);
  EXPECT_EQ(st.code(), Code::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("payout month 2026-10 was archived"), std::string::npos) << st.ToString();

  // A month with a pending payment is not archived, and nothing changes.
  st = store_->ArchivePaymentMonthsBefore("2027-01").status();
  EXPECT_EQ(st.code(), Code::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("payout month 2026-11: 1 payments are still pending"), std::string::npos)
      << st.ToString();
  EXPECT_TRUE(store_->GetPayment(nov.id)->has_value());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM pg_inherits WHERE inhparent='payments'::regclass"), 1);

  // Nothing left before November; a bad month is refused.
  archived = store_->ArchivePaymentMonthsBefore("2026-11");
  ASSERT_TRUE(archived.ok());
  EXPECT_TRUE(archived->empty());
  EXPECT_EQ(store_->ArchivePaymentMonthsBefore("2026-13-01").status().code(), Code::kInvalidArgument);
}

// A bulk commit of 50,000 payments or more leaves the planner statistics of
// what it filled: the row counts, from a small sample (statistics target 10:
// a histogram of at most 11 bounds).
TEST_P(ArchiveTest, BulkPaymentsLeaveSmallSampleStatisticsBehind) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "planner statistics: PostgreSQL";
  auto first = store_->NextPaymentId();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::vector<Payment> batch = Batch(*first, 60'000, "E-");
  std::vector<size_t> duplicates;
  ASSERT_TRUE(store_->BulkTransact([&] { return store_->AddPayments(batch, &duplicates); }).ok());
  EXPECT_TRUE(duplicates.empty());
  EXPECT_EQ(Count("SELECT reltuples::bigint / 1000 FROM pg_class WHERE relname='payments_202611'"), 60);
  EXPECT_EQ(Count("SELECT reltuples::bigint / 1000 FROM pg_class WHERE relname='payment_keys'"), 60);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM pg_stats WHERE tablename='payments_202611' AND attname='id' AND "
                  "array_length(histogram_bounds, 1) BETWEEN 2 AND 11"),
            1);
}

// A bulk batch's payment_recipients rows go on a second connection in a
// transaction of its own, committed just before the payments: rolled back
// with them, and what a crash between the two commits leaves (entries of
// payments never stored, entries again when the ids are used again) is
// not found by a search.
TEST_P(ArchiveTest, RecipientEntriesWithoutTheirPaymentAreNotFound) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "the side connection: PostgreSQL";
  const uint64_t anna = RecipientId::ParseTagged("cpr:010285-1237")->key();
  const uint64_t bo = RecipientId::ParseTagged("cpr:010285-1245")->key();
  auto first = store_->NextPaymentId();
  ASSERT_TRUE(first.ok());

  // Rolled back: nothing of the batch stays, on either connection.
  std::vector<Payment> batch = Batch(*first, 2'000, "R-");
  std::vector<size_t> duplicates;
  Status st = store_->BulkTransact([&]() -> Status {
    NKS_RETURN_IF_ERROR(store_->AddPayments(batch, &duplicates));
    return Status::Internal("the intake failed");
  });
  EXPECT_EQ(st.code(), Code::kInternal) << st.ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payments"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_recipients"), 0);
  EXPECT_TRUE(ByRecipient(anna).empty());

  // Committed: every payment has its entry.
  ASSERT_TRUE(store_->BulkTransact([&] { return store_->AddPayments(batch, &duplicates); }).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_recipients"), 2'000);
  EXPECT_EQ(ByRecipient(anna, 3), (std::vector<int64_t>{*first + 1'999, *first + 1'998, *first + 1'997}));

  // Left over by a crash: an entry twice, one of an id never stored, one
  // naming the wrong recipient. Each payment once, and only its own.
  Exec(fmt::format("INSERT INTO payment_recipients VALUES ({0}, {1}), ({0}, {2}), ({3}, {1})", anna,
                   *first + 5, *first + 50'000, bo));
  EXPECT_EQ(ByRecipient(anna, 2'001).size(), 2'000u);
  EXPECT_TRUE(ByRecipient(bo).empty());

  // The next bulk batch (AddPayments sees the ids already used) also stores.
  auto next = store_->NextPaymentId();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, *first + 2'000);
  std::vector<Payment> more = Batch(*next, 1'500, "S-");
  ASSERT_TRUE(store_->BulkTransact([&] { return store_->AddPayments(more, &duplicates); }).ok());
  EXPECT_EQ(ByRecipient(anna, 4'000).size(), 3'500u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ArchiveTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::store
