// Intake over a real SQLite store; the file is fed by a small in-test reader
// so each rule can be exercised alone (the pain.001 reader has its own
// tests, and the integration tests run both together).
#include "nks/payments/intake.h"

#include <gtest/gtest.h>

#include "nks/store/temp_store_test.h"
#include <libxml/xmlschemas.h>

#include <filesystem>
#include <fstream>

#include "nks/authority/config.h"
#include "nks/core/file.h"
#include "nks/iso20022/schema.h"
#include "nks/iso20022/xsd_check.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kCprA = 102851237;   // 010285-1237
constexpr uint64_t kCprB = 1503721118;  // 150372-1118

struct FakeFile {
  IncomingHeader header;
  std::vector<IncomingGroup> groups;
  std::vector<std::vector<IncomingPayment>> payments;
};

IncomingReader Feed(const FakeFile& f) {
  return [f](const std::string&, IncomingVisitor& v) -> Status {
    NKS_RETURN_IF_ERROR(v.OnHeader(f.header));
    for (size_t g = 0; g < f.groups.size(); ++g) {
      NKS_RETURN_IF_ERROR(v.OnGroup(f.groups[g]));
      for (const auto& p : f.payments[g]) NKS_RETURN_IF_ERROR(v.OnPayment(p));
    }
    return Status::Ok();
  };
}

IncomingPayment Pay(std::string e2e, std::string cpr, std::string amount = "100.00") {
  IncomingPayment p;
  p.line = 10;
  p.end_to_end = std::move(e2e);
  p.amount = std::move(amount);
  p.currency = "DKK";
  p.benefit_type = "boligstoette";
  p.recipient_scheme = "CPR";
  p.recipient_id = std::move(cpr);
  p.remittance = "Boligstøtte";
  return p;
}

class IntakeTest : public store::TempStoreTest {
 protected:
  IntakeTest() : TempStoreTest("nks-intake") {}
  void SetUp() override {
    TempStoreTest::SetUp();
    if (HasFatalFailure()) return;
    auto w = store_->BeginImport().value();
    for (uint64_t cpr : {kCprA, kCprB}) {
      ASSERT_TRUE(w->PutPerson(store::Person{cpr, "Test Person", "Vej 1", "8000", "Aarhus C",
                                             store::PersonStatus::kActive}, nullptr).ok());
    }
    ASSERT_TRUE(w->Commit().ok());
    ApplyConfig("late=reject");
    clock_ = std::make_unique<FixedClock>(*ParseInstant("2026-11-24T12:00:00+01:00"));
    options_.status_dir = dir_ / "status";
  }

  void ApplyConfig(const std::string& late) {
    auto parsed = authority::ParseConfig(
        "authority nks=12345678 name=Demo type=municipality policy=RETURN " + late + "\n"
        "los authority=12345678 id=DK name=Demo\n"
        "bank-agreement authority=12345678 number=PIA-1 bank=DABADKKK account=3001-0001234567\n"
        "benefit authority=12345678 code=boligstoette name=Boligstøtte\n"
        "system id=SYS name=Sys connected=yes\n"
        "system id=OTHER name=Other connected=yes\n"
        "connection system=SYS authority=12345678 state=active reference=R1\n",
        "test.nks");
    ASSERT_TRUE(parsed.ok()) << parsed.errors[0];
    auto r = authority::ApplyConfig(*store_, parsed.file, "t", Instant{});
    ASSERT_TRUE(r.ok() && r->ok());
  }

  FakeFile File(std::string msg_id, std::vector<IncomingPayment> payments,
                std::string date = "2026-11-27") {
    FakeFile f;
    f.header.msg_id = std::move(msg_id);
    f.header.initiating_system = "SYS";
    f.header.transaction_count = payments.size();
    IncomingGroup g;
    g.line = 5;
    g.pmt_inf_id = "P1";
    g.authority = "12345678";
    g.bank_agreement = "PIA-1";
    g.los = "DK";
    g.payout_date = std::move(date);
    g.debtor_account = "3001-0001234567";
    g.debtor_bank = "DABADKKK";
    f.groups.push_back(g);
    f.payments.push_back(std::move(payments));
    return f;
  }

  // Each test file gets its own bytes (the intake hashes them).
  Result<IntakeResult> Submit(const FakeFile& f, const std::string& system = "SYS",
                              const std::string& bytes = "") {
    std::string path = (dir_ / ("in-" + f.header.msg_id + ".xml")).string();
    std::ofstream(path) << (bytes.empty() ? f.header.msg_id : bytes);
    Intake intake(store_.get(), clock_.get(), options_);
    return intake.Submit(system, path, Feed(f));
  }

  std::string Report(const IntakeResult& r) { return *ReadSmallFile(r.report, 1 << 20); }

  bool ValidPain002(const std::string& path) {
    return iso20022::SchemaErrors(path, "pain.002.001.11.xsd").empty();
  }

  std::unique_ptr<FixedClock> clock_;
  IntakeOptions options_;
};

TEST_P(IntakeTest, AcceptsGoodPaymentsAndAnswersWithAValidReport) {
  auto r = Submit(File("M1", {Pay("E1", "0102851237"), Pay("E2", "1503721118", "2500.50")}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->group_status, "ACCP");
  EXPECT_EQ(r->accepted, 2u);
  EXPECT_EQ(r->rejected, 0u);
  EXPECT_FALSE(r->replayed);
  ASSERT_TRUE(fs::exists(r->report));
  EXPECT_TRUE(ValidPain002(r->report));
  EXPECT_NE(Report(*r).find("<OrgnlMsgId>M1</OrgnlMsgId>"), std::string::npos);
  EXPECT_TRUE(*store_->EndToEndIdUsed("SYS", "E2"));
  EXPECT_TRUE(fs::is_empty(fs::path(r->report).parent_path() / "staging"));
}

TEST_P(IntakeTest, BadPaymentsAreRejectedAloneWithTheirReasons) {
  IncomingPayment eur = Pay("E5", "0102851237");
  eur.currency = "EUR";
  IncomingPayment benefit = Pay("E6", "0102851237");
  benefit.benefit_type = "unknown";
  auto r = Submit(File("M2", {Pay("E1", "0102851237"), Pay("E2", "3202851237"), Pay("E3", "0101011234"),
                              Pay("E4", "0102851237", "1.234"), eur, benefit, Pay("E1", "1503721118")}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->group_status, "PART");
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 6u);
  std::string report = Report(*r);
  EXPECT_TRUE(ValidPain002(r->report));
  for (const char* code : {"<Prtry>NK01</Prtry>", "<Prtry>NK02</Prtry>", "<Cd>AM12</Cd>", "<Cd>AM02</Cd>",
                           "<Prtry>NK05</Prtry>", "<Cd>AM05</Cd>"}) {
    EXPECT_NE(report.find(code), std::string::npos) << code;
  }
  EXPECT_EQ(report.find("3202851237"), std::string::npos);  // CPR masked in reasons
}

TEST_P(IntakeTest, AReSentFileGetsTheOriginalAnswerAndChangesNothing) {
  FakeFile f = File("M3", {Pay("E1", "0102851237")});
  auto first = Submit(f);
  ASSERT_TRUE(first.ok());
  auto again = Submit(f);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->report, first->report);
  EXPECT_EQ(again->accepted, 1u);
}

TEST_P(IntakeTest, TheSameMsgIdWithOtherContentIsRefusedWhole) {
  ASSERT_TRUE(Submit(File("M4", {Pay("E1", "0102851237")})).ok());
  auto other = Submit(File("M4", {Pay("E9", "0102851237")}), "SYS", "other bytes");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->group_status, "RJCT");
  EXPECT_EQ(other->accepted, 0u);
  EXPECT_NE(Report(*other).find("<Cd>AM05</Cd>"), std::string::npos);
  EXPECT_FALSE(*store_->EndToEndIdUsed("SYS", "E9"));
}

TEST_P(IntakeTest, CountOrControlSumMismatchRefusesTheWholeFile) {
  FakeFile f = File("M5", {Pay("E1", "0102851237")});
  f.header.transaction_count = 2;
  auto r = Submit(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->group_status, "RJCT");
  EXPECT_NE(Report(*r).find("<Cd>AM18</Cd>"), std::string::npos);
  EXPECT_FALSE(*store_->EndToEndIdUsed("SYS", "E1"));

  FakeFile g = File("M6", {Pay("E1", "0102851237", "10.00")});
  g.header.control_sum_ore = 999;
  auto s = Submit(g);
  ASSERT_TRUE(s.ok());
  EXPECT_NE(Report(*s).find("<Cd>AM10</Cd>"), std::string::npos);
  EXPECT_TRUE(ValidPain002(s->report));
}

TEST_P(IntakeTest, AReusedEndToEndIdFromAnEarlierFileIsADuplicate) {
  ASSERT_TRUE(Submit(File("M7", {Pay("E1", "0102851237")})).ok());
  auto r = Submit(File("M8", {Pay("E1", "1503721118")}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_NE(Report(*r).find("<Cd>AM05</Cd>"), std::string::npos);
}

TEST_P(IntakeTest, LatePaymentsAreRejectedOrMovedAsTheAuthorityChose) {
  // Payout Wednesday 25 Nov: its cut-off was Tuesday 24 Nov 06:00.
  auto late = Submit(File("M9", {Pay("E1", "0102851237")}, "2026-11-25"));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->rejected, 1u);
  EXPECT_NE(Report(*late).find("<Cd>TM01</Cd>"), std::string::npos);

  ApplyConfig("late=next-banking-day");
  auto moved = Submit(File("M10", {Pay("E2", "0102851237")}, "2026-11-25"));
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->accepted, 1u);
  EXPECT_NE(Report(*moved).find("moved to 2026-11-26"), std::string::npos) << Report(*moved);
}

TEST_P(IntakeTest, ASystemWithoutAnActiveConnectionIsRefusedForThatAuthority) {
  FakeFile f = File("M11", {Pay("E1", "0102851237")});
  f.header.initiating_system = "OTHER";
  auto r = Submit(f, "OTHER");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->group_status, "RJCT");
  EXPECT_NE(Report(*r).find("<Cd>BE05</Cd>"), std::string::npos);
}

TEST_P(IntakeTest, AFileNamingAnotherSenderIsRefused) {
  FakeFile f = File("M12", {Pay("E1", "0102851237")});
  f.header.initiating_system = "OTHER";
  auto r = Submit(f, "SYS");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->group_status, "RJCT");
  EXPECT_NE(Report(*r).find("<Cd>FF01</Cd>"), std::string::npos);
}

}  // namespace
}  // namespace nks::payments

namespace nks::payments {
namespace {

// A reader that starts over after more than one stored batch (as the fast
// pain.001 reader does where it cannot decide): what intake stored of the
// first pass is taken back, so the second pass is answered as if alone.
TEST_P(IntakeTest, AReaderStartingOverAfterStoredBatchesLeavesOnlyTheSecondPass) {
  std::vector<IncomingPayment> payments;
  const size_t count = 20000;  // more than one batch of 16,384
  for (size_t i = 0; i < count; ++i) payments.push_back(Pay("E" + std::to_string(i), "0102851237", "1.00"));
  FakeFile f = File("M-RESTART", payments);
  const std::string path = (dir_ / "in-restart.xml").string();
  std::ofstream(path) << "restart";
  IncomingReader first_part_then_all = [&](const std::string& p, IncomingVisitor& v) -> Status {
    NKS_RETURN_IF_ERROR(v.OnHeader(f.header));
    NKS_RETURN_IF_ERROR(v.OnGroup(f.groups[0]));
    for (size_t i = 0; i < count - 1; ++i) NKS_RETURN_IF_ERROR(v.OnPayment(f.payments[0][i]));
    NKS_RETURN_IF_ERROR(v.OnRestart());
    return Feed(f)(p, v);
  };
  Intake intake(store_.get(), clock_.get(), options_);
  auto r = intake.Submit("SYS", path, first_part_then_all);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, count);
  EXPECT_EQ(r->rejected, 0u);
  // The second pass got the ids the first had, and nothing else is stored.
  EXPECT_EQ(*store_->NextPaymentId(), static_cast<int64_t>(count) + 1);
  auto read = ReadSmallFile(r->report, 64 << 20);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const std::string& report = *read;
  EXPECT_NE(report.find("<OrgnlInstrId>NKS1</OrgnlInstrId>"), std::string::npos);
  EXPECT_EQ(report.find("AM05"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, IntakeTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::payments
