// Follow-up status reports over a real SQLite store: what each recorded
// outcome tells the sender, and that a report written again is the same.
#include "nks/payments/status_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nks/iso20022/xsd_check.h"
#include "nks/store/temp_store_test.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using iso20022::TransactionStatus;
using store::Payment;
using store::PaymentStatus;

// The views name string literals, which outlive the test.
store::ReportedPayment WithOutcome(PaymentStatus status, std::string_view reason,
                                   std::string_view resolution = "") {
  store::ReportedPayment p;
  p.id = 17;
  p.end_to_end = "E17";
  p.status = status;
  p.outcome_reason = reason;
  p.resolution = resolution;
  return p;
}

TEST(FollowUpTransactionTest, EachRecordedOutcomeHasItsStatusAndReason) {
  auto forwarded = FollowUpTransaction(WithOutcome(PaymentStatus::kForwarded, "", "nemkonto"));
  EXPECT_EQ(forwarded.status, TransactionStatus::kForwarded);
  EXPECT_FALSE(forwarded.reason);
  EXPECT_EQ(forwarded.original_instruction_id, "NKS17");
  EXPECT_EQ(forwarded.original_end_to_end_id, "E17");

  auto error_account = FollowUpTransaction(WithOutcome(PaymentStatus::kForwarded, "NK07", "error-account"));
  EXPECT_EQ(error_account.status, TransactionStatus::kForwarded);
  ASSERT_TRUE(error_account.reason);
  EXPECT_EQ(error_account.reason->code.code, "NK07");

  auto returned = FollowUpTransaction(WithOutcome(PaymentStatus::kFailed, "NK03"));
  EXPECT_EQ(returned.status, TransactionStatus::kRejected);
  EXPECT_EQ(returned.reason->code.code, "NK03");
  EXPECT_TRUE(returned.reason->code.proprietary);

  auto cheque = FollowUpTransaction(WithOutcome(PaymentStatus::kFailed, "NK06"));
  EXPECT_EQ(cheque.reason->code.code, "NK06");

  auto bank = FollowUpTransaction(WithOutcome(PaymentStatus::kFailed, "AC04/ERROR_ACCOUNT NKS99"));
  EXPECT_EQ(bank.status, TransactionStatus::kRejected);
  EXPECT_EQ(bank.reason->code.code, "AC04");
  EXPECT_FALSE(bank.reason->code.proprietary);
  EXPECT_NE(bank.reason->text.find("error account as payment NKS99"), std::string::npos) << bank.reason->text;
  EXPECT_NE(FollowUpTransaction(WithOutcome(PaymentStatus::kFailed, "AC01/RETURN")).reason->text.find("policy RETURN"),
            std::string::npos);

  EXPECT_EQ(FollowUpTransaction(WithOutcome(PaymentStatus::kStopped, "")).status, TransactionStatus::kCancelled);
  EXPECT_EQ(FollowUpTransaction(WithOutcome(PaymentStatus::kSettled, "")).status, TransactionStatus::kSettled);
}

class StatusReportTest : public store::TempStoreTest {
 protected:
  StatusReportTest() : TempStoreTest("nks-status-report") {}
  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

};

TEST_P(StatusReportTest, IsWrittenFromTheOutcomesNamingItAndTheSameWhenWrittenAgain) {
  store::IntakeFile file{0, "SYS", "MSG-1", "hash", 0, "ACCP", 3, 0, ""};
  ASSERT_TRUE(store_->AddIntakeFile(&file).ok());
  std::vector<Payment> payments;
  for (int i = 1; i <= 3; ++i) {
    Payment p;
    p.file_id = file.id;
    p.system = "SYS";
    p.end_to_end = "E" + std::to_string(i);
    p.pmt_inf_id = i < 3 ? "P1" : "P2";
    p.authority = 12345678;
    p.los = "L";
    p.bank_agreement = "PIA";
    p.benefit_type = "b";
    p.amount_ore = 100 * i;
    p.currency = "DKK";
    p.requested_date = p.payout_date = "2026-11-30";
    ASSERT_TRUE(store_->AddPayment(&p).ok());
    payments.push_back(p);
  }
  store::StatusReport r = PlanStatusReport(dir_ / "status", file, 2, 1764500000000000);
  ASSERT_TRUE(store_->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(store_->AddStatusReport(&r));
    payments[0].status = PaymentStatus::kStopped;  // the second is not in the report
    payments[0].report_id = r.id;
    payments[2].status = PaymentStatus::kFailed;
    payments[2].outcome_reason = "NK03";
    payments[2].report_id = r.id;
    NKS_RETURN_IF_ERROR(store_->SetPaymentOutcome(payments[0]));
    return store_->SetPaymentOutcome(payments[2]);
  }).ok());

  auto unwritten = store_->UnwrittenStatusReports();
  ASSERT_TRUE(unwritten.ok());
  ASSERT_EQ(unwritten->size(), 1u);
  std::vector<std::string> written;
  ASSERT_TRUE(WriteUnwrittenStatusReports(*store_, "NKS", &written).ok());
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(fs::path(written[0]).filename().string(), "MSG-1-FU" + std::to_string(r.id) + ".xml");
  const std::string first = Slurp(written[0]);
  EXPECT_EQ(iso20022::SchemaErrors(written[0], "pain.002.001.11.xsd"), "");
  EXPECT_NE(first.find("<OrgnlMsgId>MSG-1</OrgnlMsgId>"), std::string::npos);
  EXPECT_NE(first.find("<TxSts>CANC</TxSts>"), std::string::npos) << first;
  EXPECT_NE(first.find("<Prtry>NK03</Prtry>"), std::string::npos) << first;
  EXPECT_EQ(first.find(">E2<"), std::string::npos);
  EXPECT_TRUE(store_->UnwrittenStatusReports()->empty());

  // After a crash it would be written again: the same bytes.
  fs::remove(written[0]);
  ASSERT_TRUE(WriteStatusReport(*store_, r, "NKS").ok());
  EXPECT_TRUE(Slurp(written[0]) == first);
}

TEST_P(StatusReportTest, ACountThatDoesNotMatchTheRowsIsCorruption) {
  store::IntakeFile file{0, "SYS", "MSG-2", "hash", 0, "ACCP", 1, 0, ""};
  ASSERT_TRUE(store_->AddIntakeFile(&file).ok());
  store::StatusReport r = PlanStatusReport(dir_ / "status", file, 1, 0);
  ASSERT_TRUE(store_->AddStatusReport(&r).ok());  // no payment names it
  Status st = WriteStatusReport(*store_, r, "NKS");
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
  EXPECT_FALSE(fs::exists(StatusReportPath(r)));
}

// The id names the file and the MsgId, so a run after a crash must get the
// id the run that died got: a rolled-back report leaves no gap (a
// PostgreSQL sequence would).
TEST_P(StatusReportTest, ARolledBackReportLeavesNoGapInTheIds) {
  store::IntakeFile file{0, "SYS", "MSG-3", "hash", 0, "ACCP", 1, 0, ""};
  ASSERT_TRUE(store_->AddIntakeFile(&file).ok());
  store::StatusReport first = PlanStatusReport(dir_ / "status", file, 0, 0);
  ASSERT_TRUE(store_->AddStatusReport(&first).ok());
  store::StatusReport lost = PlanStatusReport(dir_ / "status", file, 0, 0);
  Status st = store_->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(store_->AddStatusReport(&lost));
    return Status::IoError("the process died here");
  });
  ASSERT_FALSE(st.ok());
  store::StatusReport again = PlanStatusReport(dir_ / "status", file, 0, 0);
  ASSERT_TRUE(store_->AddStatusReport(&again).ok());
  EXPECT_EQ(again.id, first.id + 1);
  EXPECT_EQ(again.id, lost.id);
  EXPECT_EQ(StatusReportPath(again), StatusReportPath(lost));
}

INSTANTIATE_TEST_SUITE_P(Backends, StatusReportTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::payments
