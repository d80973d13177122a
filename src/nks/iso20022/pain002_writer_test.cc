#include "nks/iso20022/pain002_writer.h"
#include "nks/iso20022/xsd_check.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "nks/iso20022/schema.h"
#include "nks/iso20022/xml_file_writer.h"

namespace nks::iso20022 {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

// ---- Helpers: schema validation and reading the file back ------------------

// The schema's complaints about `file`; empty when it is valid.
std::string SchemaErrors(const fs::path& file) {
  return iso20022::SchemaErrors(file.string(), "pain.002.001.11.xsd");
}

// The text of every node `xpath` selects; "p:" is the pain.002 namespace.
std::vector<std::string> Select(const fs::path& file, const std::string& xpath) {
  std::vector<std::string> out;
  xmlDocPtr doc = xmlReadFile(file.c_str(), nullptr, XML_PARSE_NONET);
  if (doc == nullptr) return out;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathRegisterNs(ctx, BAD_CAST "p", BAD_CAST std::string(kPain002Namespace).c_str());
  xmlXPathObjectPtr result = xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx);
  if (result != nullptr && result->nodesetval != nullptr) {
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
      xmlChar* text = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
      out.emplace_back(reinterpret_cast<const char*>(text));
      xmlFree(text);
    }
  }
  xmlXPathFreeObject(result);
  xmlXPathFreeContext(ctx);
  xmlFreeDoc(doc);
  return out;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> DirEntries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// ---- Synthetic data ---------------------------------------------------------

StatusReportHeader Header(uint64_t count, GroupStatus group_status) {
  return StatusReportHeader{.message_id = "NKS-STS-000000042",
                            .created_at = sys_days(2026y / 6 / 1) + 4h + 30min,
                            .nks_id = "12345678",
                            .original_message_id = "KOMSYS-20260601-0007",
                            .original_transaction_count = 3,
                            .original_control_sum_ore = 123456,
                            .group_status = group_status,
                            .transaction_count = count};
}

StatusReportTransaction Tx(int n, TransactionStatus status,
                           std::optional<StatusReason> reason = {}) {
  return StatusReportTransaction{.original_instruction_id = fmt::format("NKS{:012}", n),
                                 .original_end_to_end_id = fmt::format("E2E-{}", n),
                                 .status = status,
                                 .reason = std::move(reason)};
}

class Pain002WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           fmt::format("nks_pain002_writer_test_{}_{}", getpid(), counter++);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A partly accepted file: one payment of each status, in two groups.
  Status WritePartial(const fs::path& path) {
    NKS_ASSIGN_OR_RETURN(Pain002Writer writer,
                         Pain002Writer::Begin(path, Header(7, GroupStatus::kPartiallyAccepted)));
    NKS_RETURN_IF_ERROR(writer.BeginGroup("PMT-1"));
    NKS_RETURN_IF_ERROR(writer.Add(Tx(1, TransactionStatus::kAccepted)));
    NKS_RETURN_IF_ERROR(
        writer.Add(Tx(2, TransactionStatus::kRejected,
                      MakeStatusReason(NksReason::kRecipientUnknown,
                                       "CPR-nummeret findes ikke i CPR-registret."))));
    NKS_RETURN_IF_ERROR(writer.Add(
        Tx(3, TransactionStatus::kRejected,
           MakeStatusReason(NksReason::kAfterCutoff, "Modtaget efter fristen kl. 06:00."))));
    NKS_RETURN_IF_ERROR(writer.BeginGroup("PMT-2"));
    NKS_RETURN_IF_ERROR(writer.Add(Tx(4, TransactionStatus::kCancelled)));
    NKS_RETURN_IF_ERROR(writer.Add(Tx(5, TransactionStatus::kForwarded)));
    StatusReportTransaction settled = Tx(6, TransactionStatus::kSettled);
    settled.original_instruction_id.clear();
    NKS_RETURN_IF_ERROR(writer.Add(settled));
    NKS_RETURN_IF_ERROR(writer.Add(Tx(7, TransactionStatus::kPending)));
    return writer.Finish();
  }

  fs::path dir_;
};

// ---- Schema validity and content ----------------------------------------------

TEST_F(Pain002WriterTest, WritesSchemaValidReport) {
  const fs::path path = dir_ / "status.xml";
  ASSERT_TRUE(WritePartial(path).ok());
  EXPECT_EQ(SchemaErrors(path), "");
  EXPECT_EQ(Select(path, "//p:GrpHdr/p:MsgId"), std::vector<std::string>{"NKS-STS-000000042"});
  EXPECT_EQ(Select(path, "//p:GrpHdr/p:CreDtTm"),
            std::vector<std::string>{"2026-06-01T06:30:00+02:00"});
  EXPECT_EQ(Select(path, "//p:GrpHdr/p:InitgPty/p:Nm"),
            std::vector<std::string>{"NemKonto-systemet"});
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:OrgnlMsgId"),
            std::vector<std::string>{"KOMSYS-20260601-0007"});
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:OrgnlMsgNmId"),
            std::vector<std::string>{"pain.001.001.10"});
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:OrgnlNbOfTxs"), std::vector<std::string>{"3"});
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:OrgnlCtrlSum"),
            std::vector<std::string>{"1234.56"});
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:GrpSts"), std::vector<std::string>{"PART"});
  EXPECT_EQ(Select(path, "//p:OrgnlPmtInfAndSts/p:OrgnlPmtInfId"),
            (std::vector<std::string>{"PMT-1", "PMT-2"}));
  EXPECT_EQ(Select(path, "//p:TxInfAndSts/p:TxSts"),
            (std::vector<std::string>{"ACCP", "RJCT", "RJCT", "CANC", "ACSP", "ACSC", "PDNG"}));
  EXPECT_EQ(Select(path, "//p:TxInfAndSts/p:OrgnlInstrId").size(), 6u);
  EXPECT_EQ(Select(path, "//p:TxInfAndSts/p:OrgnlEndToEndId").size(), 7u);
  // NKS codes as Prtry, ISO codes as Cd.
  EXPECT_EQ(Select(path, "//p:TxInfAndSts/p:StsRsnInf/p:Rsn/p:Prtry"),
            std::vector<std::string>{"NK02"});
  EXPECT_EQ(Select(path, "//p:TxInfAndSts/p:StsRsnInf/p:Rsn/p:Cd"),
            std::vector<std::string>{"TM01"});
  EXPECT_EQ(Select(path, "//p:TxInfAndSts/p:StsRsnInf/p:AddtlInf")[0],
            "CPR-nummeret findes ikke i CPR-registret.");
}

TEST_F(Pain002WriterTest, RejectedFileCarriesAGroupReasonAndNoTransactions) {
  const fs::path path = dir_ / "status.xml";
  StatusReportHeader header = Header(0, GroupStatus::kRejected);
  header.original_transaction_count.reset();
  header.original_control_sum_ore.reset();
  header.group_reason =
      MakeStatusReason(NksReason::kFileInvalid, "Filen er ikke gyldig XML: linje 3.");
  Result<Pain002Writer> writer = Pain002Writer::Begin(path, header);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(SchemaErrors(path), "");
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:GrpSts"), std::vector<std::string>{"RJCT"});
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:StsRsnInf/p:Rsn/p:Cd"),
            std::vector<std::string>{"FF01"});
  EXPECT_EQ(Select(path, "//p:OrgnlGrpInfAndSts/p:StsRsnInf/p:AddtlInf"),
            std::vector<std::string>{"Filen er ikke gyldig XML: linje 3."});
  EXPECT_TRUE(Select(path, "//p:OrgnlNbOfTxs").empty());
  EXPECT_TRUE(Select(path, "//p:OrgnlPmtInfAndSts").empty());
}

TEST_F(Pain002WriterTest, FollowUpReportHasNoGroupStatus) {
  const fs::path path = dir_ / "status.xml";
  Result<Pain002Writer> writer = Pain002Writer::Begin(path, Header(1, GroupStatus::kNone));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup("PMT-1").ok());
  ASSERT_TRUE(writer
                  ->Add(Tx(1, TransactionStatus::kRejected,
                           MakeStatusReason(
                               NksReason::kPaidByCheque,
                               "Kontoen er lukket; udbetalt med check til folkeregisteradressen.")))
                  .ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(SchemaErrors(path), "");
  EXPECT_TRUE(Select(path, "//p:GrpSts").empty());
  EXPECT_EQ(Select(path, "//p:Rsn/p:Prtry"), std::vector<std::string>{"NK06"});
}

TEST_F(Pain002WriterTest, ReasonCodesFollowTheProfile) {
  const std::vector<std::pair<NksReason, ReasonCode>> table = {
      {NksReason::kFileInvalid, {"FF01", false}},
      {NksReason::kAfterCutoff, {"TM01", false}},
      {NksReason::kDuplicate, {"AM05", false}},
      {NksReason::kCountMismatch, {"AM18", false}},
      {NksReason::kControlSumMismatch, {"AM10", false}},
      {NksReason::kAmountNotAllowed, {"AM02", false}},
      {NksReason::kInvalidAmount, {"AM12", false}},
      {NksReason::kNoActiveConnection, {"BE05", false}},
      {NksReason::kBankAgreementNotAuthority, {"RC01", false}},
      {NksReason::kIncorrectAccount, {"AC01", false}},
      {NksReason::kClosedAccount, {"AC04", false}},
      {NksReason::kRecipientIdInvalid, {"NK01", true}},
      {NksReason::kRecipientUnknown, {"NK02", true}},
      {NksReason::kNoAccount, {"NK03", true}},
      {NksReason::kUnknownBenefitType, {"NK05", true}},
      {NksReason::kPaidByCheque, {"NK06", true}},
      {NksReason::kPaidToErrorAccount, {"NK07", true}},
  };
  for (const auto& [reason, code] : table) EXPECT_EQ(ReasonCodeFor(reason), code) << code.code;
  EXPECT_EQ(TransactionStatusCode(TransactionStatus::kForwarded), "ACSP");
  EXPECT_EQ(GroupStatusCode(GroupStatus::kAccepted), "ACCP");
}

TEST_F(Pain002WriterTest, PassesABanksReasonCodeThrough) {
  const fs::path path = dir_ / "status.xml";
  Result<Pain002Writer> writer = Pain002Writer::Begin(path, Header(1, GroupStatus::kNone));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup("PMT-1").ok());
  StatusReason reason{.code = {"AG01", false}, .text = "Banken afviste betalingen."};
  ASSERT_TRUE(writer->Add(Tx(1, TransactionStatus::kRejected, reason)).ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(SchemaErrors(path), "");
  EXPECT_EQ(Select(path, "//p:Rsn/p:Cd"), std::vector<std::string>{"AG01"});
}

TEST_F(Pain002WriterTest, SplitsLongReasonTextIntoSeveralAdditionalInfos) {
  const fs::path path = dir_ / "status.xml";
  std::string text;
  while (CountChars(text) < 250) text += "Beløbet æøå ";  // multi-byte characters across the cuts
  Result<Pain002Writer> writer =
      Pain002Writer::Begin(path, Header(1, GroupStatus::kPartiallyAccepted));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup("PMT-1").ok());
  ASSERT_TRUE(writer
                  ->Add(Tx(1, TransactionStatus::kRejected,
                           MakeStatusReason(NksReason::kInvalidAmount, text)))
                  .ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(SchemaErrors(path), "");
  const std::vector<std::string> parts = Select(path, "//p:StsRsnInf/p:AddtlInf");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(CountChars(parts[0]), 105u);
  EXPECT_EQ(CountChars(parts[1]), 105u);
  EXPECT_EQ(parts[0] + parts[1] + parts[2], text);
}

TEST_F(Pain002WriterTest, SameInputGivesByteIdenticalFiles) {
  ASSERT_TRUE(WritePartial(dir_ / "first.xml").ok());
  ASSERT_TRUE(WritePartial(dir_ / "second.xml").ok());
  const std::string first = ReadFile(dir_ / "first.xml");
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, ReadFile(dir_ / "second.xml"));
}

TEST_F(Pain002WriterTest, EscapesMarkupCharacters) {
  const fs::path path = dir_ / "status.xml";
  const std::string text = "Beløb <0 & \"ugyldigt\" for 'E2E'";
  Result<Pain002Writer> writer =
      Pain002Writer::Begin(path, Header(1, GroupStatus::kPartiallyAccepted));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup("PMT<&>").ok());
  StatusReportTransaction tx =
      Tx(1, TransactionStatus::kRejected, MakeStatusReason(NksReason::kInvalidAmount, text));
  tx.original_end_to_end_id = "E2E'\"&1";
  ASSERT_TRUE(writer->Add(tx).ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(SchemaErrors(path), "");
  EXPECT_EQ(Select(path, "//p:AddtlInf"), std::vector<std::string>{text});
  EXPECT_EQ(Select(path, "//p:OrgnlEndToEndId"), std::vector<std::string>{"E2E'\"&1"});
  EXPECT_EQ(Select(path, "//p:OrgnlPmtInfId"), std::vector<std::string>{"PMT<&>"});
  EXPECT_NE(ReadFile(path).find("Beløb &lt;0 &amp; &quot;ugyldigt&quot; for &apos;E2E&apos;"),
            std::string::npos);
}

// ---- Refusals ------------------------------------------------------------------------

TEST_F(Pain002WriterTest, RefusesBadTransactions) {
  StatusReportTransaction tx = Tx(1, TransactionStatus::kRejected);
  EXPECT_EQ(CheckStatusReportTransaction(tx).message(), "TxSts RJCT: a rejection needs a reason");
  tx.reason = StatusReason{.code = {"TOOLONG", false}, .text = "x"};
  EXPECT_EQ(CheckStatusReportTransaction(tx).code(), Code::kInvalidArgument);
  tx.reason = MakeStatusReason(NksReason::kDuplicate, "");
  EXPECT_EQ(CheckStatusReportTransaction(tx).message(), "StsRsnInf/AddtlInf: empty");
  tx.reason =
      MakeStatusReason(NksReason::kDuplicate, std::string(kStatusReasonTextCharsMax + 1, 'x'));
  EXPECT_EQ(CheckStatusReportTransaction(tx).message(),
            "StsRsnInf/AddtlInf: 1051 characters, at most 1050");
  tx.reason = MakeStatusReason(NksReason::kDuplicate, "two\nlines");
  EXPECT_EQ(CheckStatusReportTransaction(tx).code(), Code::kInvalidArgument);
  tx = Tx(1, TransactionStatus::kAccepted);
  tx.original_end_to_end_id.clear();
  EXPECT_EQ(CheckStatusReportTransaction(tx).message(), "OrgnlEndToEndId: empty");

  const fs::path path = dir_ / "status.xml";
  Result<Pain002Writer> writer = Pain002Writer::Begin(path, Header(1, GroupStatus::kAccepted));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup("PMT-1").ok());
  EXPECT_EQ(writer->Add(Tx(1, TransactionStatus::kRejected)).code(), Code::kInvalidArgument);
  EXPECT_EQ(writer->Finish().code(), Code::kInvalidArgument);
  EXPECT_TRUE(DirEntries(dir_).empty());
}

TEST_F(Pain002WriterTest, RefusesBadHeaders) {
  const fs::path path = dir_ / "status.xml";
  StatusReportHeader header = Header(0, GroupStatus::kRejected);
  header.original_message_id = std::string(36, 'M');
  EXPECT_EQ(Pain002Writer::Begin(path, header).status().code(), Code::kInvalidArgument);
  header = Header(0, GroupStatus::kRejected);
  header.original_control_sum_ore = -1;
  EXPECT_EQ(Pain002Writer::Begin(path, header).status().code(), Code::kInvalidArgument);
  header = Header(kStatusReportTransactionsMax + 1, GroupStatus::kAccepted);
  EXPECT_EQ(Pain002Writer::Begin(path, header).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(DirEntries(dir_).empty());
}

// ---- Atomicity -------------------------------------------------------------------

TEST_F(Pain002WriterTest, TargetAppearsOnlyWhenFinishedAndNoTemporaryFileIsLeft) {
  const fs::path path = dir_ / "status.xml";
  Result<Pain002Writer> writer = Pain002Writer::Begin(path, Header(1, GroupStatus::kAccepted));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup("PMT-1").ok());
  ASSERT_TRUE(writer->Add(Tx(1, TransactionStatus::kAccepted)).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(DirEntries(dir_).size(), 1u);
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(DirEntries(dir_), std::vector<std::string>{"status.xml"});
}

TEST_F(Pain002WriterTest, AbandonedWriterLeavesNothing) {
  {
    Result<Pain002Writer> writer =
        Pain002Writer::Begin(dir_ / "status.xml", Header(1, GroupStatus::kAccepted));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->BeginGroup("PMT-1").ok());
  }
  EXPECT_TRUE(DirEntries(dir_).empty());
}

// ---- Invariants ---------------------------------------------------------------------

using Pain002WriterDeathTest = Pain002WriterTest;

TEST_F(Pain002WriterDeathTest, FewerStatusesThanAnnouncedStopTheProcess) {
  const fs::path path = dir_ / "status.xml";
  EXPECT_DEATH(
      {
        Result<Pain002Writer> writer =
            Pain002Writer::Begin(path, Header(2, GroupStatus::kAccepted));
        (void)writer->BeginGroup("PMT-1");
        (void)writer->Add(Tx(1, TransactionStatus::kAccepted));
        (void)writer->Finish();
      },
      "invariant violated.*count_written_ == count_announced_");
}

TEST_F(Pain002WriterDeathTest, MoreStatusesThanAnnouncedStopTheProcess) {
  const fs::path path = dir_ / "status.xml";
  EXPECT_DEATH(
      {
        Result<Pain002Writer> writer =
            Pain002Writer::Begin(path, Header(1, GroupStatus::kAccepted));
        (void)writer->BeginGroup("PMT-1");
        (void)writer->Add(Tx(1, TransactionStatus::kAccepted));
        (void)writer->Add(Tx(2, TransactionStatus::kAccepted));
      },
      "invariant violated.*count_written_ < count_announced_");
}

}  // namespace
}  // namespace nks::iso20022
