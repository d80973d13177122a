// Applying bank reports over a real SQLite store: forwarded payments are
// planted directly, the bank's pain.002 is written with Pain002Writer.
#include "nks/payments/bank_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nks/authority/config.h"
#include "nks/core/ids.h"
#include "nks/iso20022/pain002_writer.h"
#include "nks/payments/cheque.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using iso20022::TransactionStatus;
using store::PaymentStatus;

constexpr uint64_t kCprA = 102851237;  // 010285-1237

struct BankTx {
  int64_t id;
  TransactionStatus status;
  std::string code;
};

class BankReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nks-bankreport-apply-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = store::OpenSqlite((dir_ / "nks.db").string()).value();
    auto w = store_->BeginImport().value();
    ASSERT_TRUE(w->PutPerson(store::Person{kCprA, "Test Person", "Vej 1", "8000", "Aarhus C",
                                           store::PersonStatus::kActive}, nullptr).ok());
    ASSERT_TRUE(w->Commit().ok());
    SetPolicy("RETURN");
    clock_ = std::make_unique<FixedClock>(*ParseInstant("2026-11-30T10:00:00+01:00"));
    options_.cheque_dir = dir_ / "cheques";
    options_.status_dir = dir_ / "status";
    store::IntakeFile f{0, "SYS", "MSG-1", "hash", 0, "ACCP", 4, 0, ""};
    ASSERT_TRUE(store_->AddIntakeFile(&f).ok());
    for (int i = 1; i <= 4; ++i) ids_.push_back(Forwarded(f.id, "E" + std::to_string(i)));
  }
  void TearDown() override {
    store_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void SetPolicy(const std::string& policy) {
    auto parsed = authority::ParseConfig(
        "authority nks=12345678 name=Demo type=municipality policy=" + policy +
            " error_account=3001-0009999999\n"
            "los authority=12345678 id=DK name=Demo\n"
            "bank-agreement authority=12345678 number=PIA-1 bank=DABADKKK account=3001-0001234567\n"
            "benefit authority=12345678 code=boligstoette name=Boligstøtte\n"
            "system id=SYS name=Sys connected=yes\n"
            "connection system=SYS authority=12345678 state=active reference=R1\n",
        "test.nks");
    ASSERT_TRUE(parsed.ok()) << parsed.errors[0];
    auto r = authority::ApplyConfig(*store_, parsed.file, "t", Instant{});
    ASSERT_TRUE(r.ok() && r->ok());
  }

  int64_t Forwarded(int64_t file_id, const std::string& e2e) {
    store::Payment p;
    p.file_id = file_id;
    p.system = "SYS";
    p.end_to_end = e2e;
    p.pmt_inf_id = "P1";
    p.authority = 12345678;
    p.los = "DK";
    p.bank_agreement = "PIA-1";
    p.benefit_type = "boligstoette";
    p.recipient = RecipientId::Parse(IdType::kCpr, "0102851237")->key();
    p.amount_ore = 10000;
    p.currency = "DKK";
    p.requested_date = p.payout_date = "2026-11-30";
    p.remittance = "Boligstøtte";
    EXPECT_TRUE(store_->AddPayment(&p).ok());
    p.status = PaymentStatus::kForwarded;
    p.bank_file_id = 1;
    p.resolved_account = "3001-0001111111";
    p.resolution = "nemkonto";
    EXPECT_TRUE(store_->SetPaymentOutcome(p).ok());
    return p.id;
  }

  std::string BankFile(const std::string& name, const std::vector<BankTx>& txs) {
    const fs::path p = dir_ / name;
    iso20022::StatusReportHeader h;
    h.message_id = "BANK-" + name.substr(0, 20);
    h.created_at = Instant{};
    h.nks_id = "DABADKKK";
    h.original_message_id = "NKS-PIA1-20261130-1";
    h.transaction_count = txs.size();
    auto w = iso20022::Pain002Writer::Begin(p, h);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->BeginGroup("NKS-PIA1-20261130-1").ok());
    for (const BankTx& t : txs) {
      std::optional<iso20022::StatusReason> reason;
      if (!t.code.empty()) reason = iso20022::StatusReason{iso20022::ReasonCode{t.code, false}, "bank says"};
      EXPECT_TRUE(w->Add({"NKS" + std::to_string(t.id), "X", t.status, reason}).ok());
    }
    EXPECT_TRUE(w->Finish().ok());
    return p.string();
  }

  store::Payment Get(int64_t id) { return store_->GetPayment(id).value().value(); }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  Result<BankReportResult> Apply(const std::string& path) {
    return ApplyBankReport(*store_, *clock_, path, options_);
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FixedClock> clock_;
  BankReportOptions options_;
  std::vector<int64_t> ids_;
};

TEST_F(BankReportTest, SettlesAndReturnsAndAnswersTheSender) {
  const std::string path = BankFile("r1.xml", {{ids_[0], TransactionStatus::kSettled, ""},
                                               {ids_[1], TransactionStatus::kRejected, "AC04"},
                                               {9999, TransactionStatus::kSettled, ""},
                                               {ids_[2], TransactionStatus::kPending, ""}});
  auto r = Apply(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->settled, 1u);
  EXPECT_EQ(r->returned, 1u);
  EXPECT_EQ(r->no_change, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].find("NKS9999: no such payment"), std::string::npos) << r->errors[0];
  EXPECT_EQ(Get(ids_[0]).status, PaymentStatus::kSettled);
  EXPECT_EQ(Get(ids_[1]).status, PaymentStatus::kFailed);
  EXPECT_EQ(Get(ids_[1]).outcome_reason, "AC04/RETURN");
  EXPECT_EQ(Get(ids_[2]).status, PaymentStatus::kForwarded);
  ASSERT_EQ(r->follow_up_reports.size(), 1u);
  const std::string report = Slurp(r->follow_up_reports[0]);
  EXPECT_NE(r->follow_up_reports[0].find("/status/SYS/"), std::string::npos);
  EXPECT_NE(report.find("<OrgnlMsgId>MSG-1</OrgnlMsgId>"), std::string::npos) << report;
  EXPECT_NE(report.find("<TxSts>ACSC</TxSts>"), std::string::npos);
  EXPECT_NE(report.find("<Cd>AC04</Cd>"), std::string::npos) << report;
  EXPECT_EQ(report.find("<GrpSts>"), std::string::npos);

  // Applied again: nothing changes, no new report.
  auto again = Apply(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->settled + again->returned, 0u);
  EXPECT_EQ(again->already_applied, 2u);
  EXPECT_TRUE(again->follow_up_reports.empty());
}

TEST_F(BankReportTest, ThePolicyAsConfiguredNowApplies) {
  SetPolicy("CHEQUE");
  auto r = Apply(BankFile("r2.xml", {{ids_[0], TransactionStatus::kRejected, "AC01"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cheques, 1u);
  EXPECT_EQ(Get(ids_[0]).outcome_reason, "AC01/CHEQUE");
  ASSERT_EQ(r->cheque_letters.size(), 1u);
  EXPECT_TRUE(fs::exists(r->cheque_letters[0]));

  SetPolicy("ERROR_ACCOUNT");
  auto e = Apply(BankFile("r3.xml", {{ids_[1], TransactionStatus::kRejected, "AC04"}}));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->to_error_account, 1u);
  auto made = store_->FindPayment("NKS", "NKS" + std::to_string(ids_[1]) + "/R").value();
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(made->status, PaymentStatus::kPending);
  EXPECT_EQ(made->creditor_account, "3001-0009999999");
  EXPECT_EQ(made->amount_ore, 10000);
  EXPECT_EQ(made->payout_date, "2026-12-02");  // 30 Nov 10:00 is past the cut-off for 1 Dec
  EXPECT_EQ(Get(ids_[1]).outcome_reason, fmt::format("AC04/ERROR_ACCOUNT NKS{}", made->id));
}

// A cover letter goes out exactly when its payment's CHEQUE outcome
// committed: a report whose transaction rolls back leaves no letter (its
// staged one is deleted on the next run), and a letter staged by a
// transaction that committed just before a crash is sent on the next run.
TEST_F(BankReportTest, ChequeLettersGoOutExactlyWhenTheirOutcomeCommitted) {
  SetPolicy("CHEQUE");
  options_.in_transaction = [] { return Status::IoError("the disk is gone"); };  // dies before COMMIT
  auto failed = Apply(BankFile("r5.xml", {{ids_[0], TransactionStatus::kRejected, "AC01"}}));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(Get(ids_[0]).status, PaymentStatus::kForwarded);
  EXPECT_TRUE(fs::exists(ChequeLetterPath(options_.cheque_dir / "staging", ids_[0])))
      << "staged before the commit that did not come";
  EXPECT_FALSE(fs::exists(ChequeLetterPath(options_.cheque_dir, ids_[0])));
  options_.in_transaction = nullptr;

  // The crash after a commit: payment 2 failed as a cheque with its letter
  // staged, not yet sent.
  store::Payment p = Get(ids_[1]);
  ASSERT_TRUE(StageChequeLetter(*store_, p, clock_->Now(), options_.cheque_dir, ChequeCause::kBankRejected).ok());
  p.status = PaymentStatus::kFailed;
  p.outcome_reason = "AC04/CHEQUE";
  ASSERT_TRUE(store_->Transact([&] { return store_->SetPaymentOutcome(p); }).ok());

  auto next = Apply(BankFile("r6.xml", {{ids_[2], TransactionStatus::kSettled, ""}}));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FALSE(fs::exists(ChequeLetterPath(options_.cheque_dir / "staging", ids_[0])))
      << "the rolled-back report's letter is deleted";
  EXPECT_FALSE(fs::exists(ChequeLetterPath(options_.cheque_dir, ids_[0])));
  EXPECT_TRUE(fs::exists(ChequeLetterPath(options_.cheque_dir, ids_[1]))) << "the committed cheque's letter is sent";
  EXPECT_FALSE(fs::exists(ChequeLetterPath(options_.cheque_dir / "staging", ids_[1])));

  // The report applied again now: one cheque, one letter.
  auto again = Apply(BankFile("r7.xml", {{ids_[0], TransactionStatus::kRejected, "AC01"}}));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->cheque_letters.size(), 1u);
  EXPECT_EQ(again->cheque_letters[0], ChequeLetterPath(options_.cheque_dir, ids_[0]).string());
}

TEST_F(BankReportTest, ABrokenReportChangesNothing) {
  const std::string path = BankFile("r4.xml", {{ids_[0], TransactionStatus::kSettled, ""}});
  std::string text = Slurp(path);
  std::ofstream(path) << text.substr(0, text.size() - 20);
  auto r = Apply(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Get(ids_[0]).status, PaymentStatus::kForwarded);
}

}  // namespace
}  // namespace nks::payments
