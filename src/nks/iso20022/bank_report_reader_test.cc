// The bank report reader on generated reports: a pain.002 written by NKS's
// own Pain002Writer (as a bank would answer), a hand-made camt.054, and
// broken variants of both, each judged also by libxml2's whole-document
// validation, which must give the same verdict.
#include "nks/iso20022/bank_report_reader.h"
#include "nks/iso20022/xsd_check.h"

#include <gtest/gtest.h>
#include <libxml/xmlschemas.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "nks/iso20022/pain002_writer.h"
#include "nks/iso20022/schema.h"

namespace nks::iso20022 {
namespace {

namespace fs = std::filesystem;

class Collect final : public BankReportVisitor {
 public:
  Status OnHeader(const BankReportHeader& h) override {
    header = h;
    ++headers;
    return Status::Ok();
  }
  Status OnTransaction(const BankReportTransaction& tx) override {
    txs.push_back(tx);
    return Status::Ok();
  }
  BankReportHeader header;
  int headers = 0;
  std::vector<BankReportTransaction> txs;
};

std::string Camt054(const std::string& entries) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
<BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>BANK-CAMT-1</MsgId><CreDtTm>2026-11-30T08:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><Acct><Id><Othr><Id>30010001234567</Id></Othr></Id></Acct>
)" + entries + R"(</Ntfctn>
</BkToCstmrDbtCdtNtfctn>
</Document>
)";
}

std::string Entry(const std::string& status, const std::string& indicator, const std::string& tx_details) {
  return "<Ntry><Amt Ccy=\"DKK\">100.00</Amt><CdtDbtInd>" + indicator + "</CdtDbtInd><Sts><Cd>" +
         status + "</Cd></Sts><BkTxCd/><NtryDtls>" + tx_details + "</NtryDtls></Ntry>\n";
}

std::string TxDetails(const std::string& instr, const std::string& e2e, const std::string& ret = "") {
  return "<TxDtls><Refs><InstrId>" + instr + "</InstrId><EndToEndId>" + e2e + "</EndToEndId></Refs>" +
         (ret.empty() ? "" : "<RtrInf><Rsn><Cd>" + ret + "</Cd></Rsn></RtrInf>") + "</TxDtls>";
}

class BankReportReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nks-bankreport-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // A bank's pain.002: NKS1 settled, NKS2 rejected AC04, NKS3 pending.
  std::string Pain002() {
    const fs::path p = dir_ / "bank.xml";
    StatusReportHeader h;
    h.message_id = "BANK-STS-1";
    h.created_at = Instant{};
    h.nks_id = "DABADKKK";
    h.original_message_id = "NKS-PIA1-20261130-1";
    h.transaction_count = 3;
    auto w = Pain002Writer::Begin(p, h);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->BeginGroup("NKS-PIA1-20261130-1").ok());
    EXPECT_TRUE(w->Add({"NKS1", "E1", TransactionStatus::kSettled, std::nullopt}).ok());
    EXPECT_TRUE(w->Add({"NKS2", "E2", TransactionStatus::kRejected,
                        StatusReason{ReasonCode{"AC04", false}, "Closed account"}}).ok());
    EXPECT_TRUE(w->Add({"NKS3", "E3", TransactionStatus::kPending, std::nullopt}).ok());
    EXPECT_TRUE(w->Finish().ok());
    return Slurp(p.string());
  }

  static bool XsdValid(const std::string& path, const std::string& xsd) {
    return SchemaErrors(path, xsd).empty();
  }

  Result<uint64_t> Read(const std::string& path, Collect* out) {
    auto reader = BankReportReader::Open(path);
    if (!reader.ok()) return reader.status();
    return reader->Read(*out);
  }

  fs::path dir_;
};

TEST_F(BankReportReaderTest, ReadsAPain002StatusReport) {
  const std::string path = Write("p.xml", Pain002());
  Collect c;
  auto n = Read(path, &c);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(c.headers, 1);
  EXPECT_EQ(c.header.kind, BankReportKind::kPain002);
  EXPECT_EQ(c.header.msg_id, "BANK-STS-1");
  EXPECT_EQ(c.header.original_msg_id, "NKS-PIA1-20261130-1");
  ASSERT_EQ(c.txs.size(), 3u);
  EXPECT_EQ(c.txs[0].instr_id, "NKS1");
  EXPECT_EQ(c.txs[0].end_to_end, "E1");
  EXPECT_EQ(c.txs[0].outcome, BankOutcome::kSettled);
  EXPECT_EQ(c.txs[1].outcome, BankOutcome::kRejected);
  EXPECT_EQ(c.txs[1].reason_code, "AC04");
  EXPECT_EQ(c.txs[1].status, "RJCT");
  EXPECT_EQ(c.txs[2].outcome, BankOutcome::kOther);
  EXPECT_GT(c.txs[1].line, c.txs[0].line);
  EXPECT_TRUE(XsdValid(path, "pain.002.001.11.xsd"));
}

TEST_F(BankReportReaderTest, ReadsACamt054Notification) {
  const std::string path =
      Write("c.xml", Camt054(Entry("BOOK", "DBIT", TxDetails("NKS7", "E7")) +
                             Entry("BOOK", "CRDT", TxDetails("NKS8", "E8", "AC01")) +
                             Entry("PDNG", "DBIT", TxDetails("NKS9", "E9"))));
  ASSERT_TRUE(XsdValid(path, "camt.054.001.08.xsd"));
  Collect c;
  auto n = Read(path, &c);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(c.header.kind, BankReportKind::kCamt054);
  EXPECT_EQ(c.header.msg_id, "BANK-CAMT-1");
  ASSERT_EQ(c.txs.size(), 3u);
  EXPECT_EQ(c.txs[0].instr_id, "NKS7");
  EXPECT_EQ(c.txs[0].outcome, BankOutcome::kSettled);
  EXPECT_EQ(c.txs[0].amount_text, "100.00");
  EXPECT_EQ(c.txs[0].currency, "DKK");
  EXPECT_EQ(c.txs[1].outcome, BankOutcome::kRejected);
  EXPECT_EQ(c.txs[1].reason_code, "AC01");
  EXPECT_EQ(c.txs[2].outcome, BankOutcome::kOther);
  EXPECT_EQ(c.txs[2].end_to_end, "E9");
}

TEST_F(BankReportReaderTest, BrokenReportsGetTheValidatorsVerdictWithLineAndPath) {
  const std::string good = Pain002();
  struct Mutant {
    std::string name;
    std::string text;
  };
  std::vector<Mutant> mutants = {
      {"bad-status", std::regex_replace(good, std::regex("<TxSts>ACSC</TxSts>"), "<TxSts>NOPE!</TxSts>")},
      {"unknown-element", std::regex_replace(good, std::regex("<TxSts>RJCT</TxSts>"),
                                             "<TxSts>RJCT</TxSts><Bogus/>")},
      {"truncated", good.substr(0, good.size() / 2)},
      {"no-msg-id", std::regex_replace(good, std::regex("<MsgId>BANK-STS-1</MsgId>"), "")},
      {"mismatch", std::regex_replace(good, std::regex("</OrgnlEndToEndId>"), "</OrgnlEndToEnd>",
                                      std::regex_constants::format_first_only)},
  };
  for (const Mutant& m : mutants) {
    ASSERT_NE(m.text, good) << m.name;
    const std::string path = Write(m.name + ".xml", m.text);
    Collect c;
    auto n = Read(path, &c);
    EXPECT_FALSE(XsdValid(path, "pain.002.001.11.xsd")) << m.name;
    ASSERT_FALSE(n.ok()) << m.name;
    EXPECT_EQ(n.status().code(), Code::kInvalidArgument) << m.name;
    // "file:LINE: /Document/...: reason"
    EXPECT_TRUE(std::regex_search(n.status().message(), std::regex(":[0-9]+: /Document")))
        << m.name << ": " << n.status().message();
  }
  Collect c;
  auto n = Read(Write("bad-status.xml", mutants[0].text), &c);
  EXPECT_NE(n.status().message().find("TxInfAndSts[1]/TxSts"), std::string::npos) << n.status().message();
}

TEST_F(BankReportReaderTest, RefusesADoctypeAndAForeignRoot) {
  std::string good = Pain002();
  std::string with_dtd = std::regex_replace(good, std::regex("<Document"),
                                            "<!DOCTYPE Document [<!ENTITY x \"y\">]>\n<Document",
                                            std::regex_constants::format_first_only);
  Collect c;
  auto n = Read(Write("dtd.xml", with_dtd), &c);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(c.txs.empty());
  std::string pain001 = std::regex_replace(good, std::regex("pain\\.002\\.001\\.11"), "pain.001.001.10");
  auto foreign = Read(Write("foreign.xml", pain001), &c);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("neither"), std::string::npos) << foreign.status().message();
}

TEST_F(BankReportReaderTest, AValidEmptyCamt054HasAHeaderAndNoTransactions) {
  const std::string path = Write("e.xml", Camt054(""));
  ASSERT_TRUE(XsdValid(path, "camt.054.001.08.xsd"));
  Collect c;
  auto n = Read(path, &c);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(c.headers, 1);
}

}  // namespace
}  // namespace nks::iso20022
