// The pain.001 reader as an intake source: whatever the mode, and whether
// or not the visitor can start over, intake sees the exact reader's calls
// and errors. Synthetic data only.
#include "nks/payments/pain001_source.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using iso20022::Pain001ReadMode;

std::string Pain001(std::string_view extra_in_group, std::string_view name) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10\">\n"
      "  <CstmrCdtTrfInitn>\n"
      "    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-20T10:00:00</CreDtTm>"
      "<NbOfTxs>2</NbOfTxs><CtrlSum>300.50</CtrlSum><InitgPty><Id><OrgId><Othr><Id>SYS-1</Id>"
      "<SchmeNm><Prtry>NKSSYS</Prtry></SchmeNm></Othr></OrgId></Id></InitgPty></GrpHdr>\n"
      "    <PmtInf><PmtInfId>P-1</PmtInfId><PmtMtd>TRF</PmtMtd>{}"
      "<ReqdExctnDt><Dt>2026-11-25</Dt></ReqdExctnDt>\n"
      "      <Dbtr><Id><OrgId><Othr><Id>12345</Id><SchmeNm><Prtry>NKS</Prtry></SchmeNm></Othr>"
      "<Othr><Id>PIA-1</Id><SchmeNm><Prtry>PIA</Prtry></SchmeNm></Othr></OrgId></Id></Dbtr>\n"
      "      <DbtrAcct><Id><Othr><Id>15510000123456</Id><SchmeNm><Prtry>BBAN</Prtry></SchmeNm>"
      "</Othr></Id></DbtrAcct>\n"
      "      <DbtrAgt><FinInstnId><BICFI>DABADKKKXXX</BICFI></FinInstnId></DbtrAgt>\n"
      "      <UltmtDbtr><Id><OrgId><Othr><Id>LOS-1</Id><SchmeNm><Prtry>LOS</Prtry></SchmeNm>"
      "</Othr></OrgId></Id></UltmtDbtr>\n"
      "      <CdtTrfTxInf><PmtId><EndToEndId>E-1</EndToEndId></PmtId>"
      "<Amt><InstdAmt Ccy=\"DKK\">100.50</InstdAmt></Amt><Cdtr><Nm>{}</Nm><Id><PrvtId><Othr>"
      "<Id>0102851237</Id><SchmeNm><Prtry>CPR</Prtry></SchmeNm></Othr></PrvtId></Id></Cdtr>"
      "<Purp><Prtry>BOERNEYD</Prtry></Purp></CdtTrfTxInf>\n"
      "      <CdtTrfTxInf><PmtId><EndToEndId>E-2</EndToEndId></PmtId>"
      "<Amt><InstdAmt Ccy=\"DKK\">200</InstdAmt></Amt><CdtrAcct><Id><IBAN>DK5000400440116243"
      "</IBAN></Id></CdtrAcct><RmtInf><Ustrd>Tekst</Ustrd></RmtInf></CdtTrfTxInf>\n"
      "    </PmtInf>\n"
      "  </CstmrCdtTrfInitn>\n"
      "</Document>\n",
      extra_in_group, name);
}

// Every call as text; restartable or not.
class Transcript : public IncomingVisitor {
 public:
  explicit Transcript(bool can_restart) : can_restart_(can_restart) {}
  Status OnHeader(const IncomingHeader& h) override {
    text += fmt::format("H {} {} {} {}\n", h.msg_id, h.initiating_system, h.transaction_count,
                        h.control_sum_ore.value_or(-2));
    return Status::Ok();
  }
  Status OnGroup(const IncomingGroup& g) override {
    text += fmt::format("G {} {} {} {} {} {} {} {}\n", g.line, g.pmt_inf_id, g.authority,
                        g.bank_agreement, g.los, g.payout_date, g.debtor_account, g.debtor_bank);
    return Status::Ok();
  }
  Status OnPayment(const IncomingPayment& p) override {
    text += fmt::format("P {} {} {} {} {} {} {} {} {}\n", p.line, p.end_to_end, p.amount,
                        p.currency, p.benefit_type, p.recipient_scheme, p.recipient_id,
                        p.creditor_account, p.remittance);
    return Status::Ok();
  }
  Status OnGroupTotals(bool count, bool sum) override {
    text += fmt::format("GT {} {}\n", count, sum);
    return Status::Ok();
  }
  Status OnFileTotals(bool count, bool sum) override {
    text += fmt::format("FT {} {}\n", count, sum);
    return Status::Ok();
  }
  Status OnRestart() override {
    if (!can_restart_) return IncomingVisitor::OnRestart();
    text.clear();
    ++restarts;
    return Status::Ok();
  }

  std::string text;
  int restarts = 0;

 private:
  bool can_restart_;
};

class Pain001SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("nks_pain001_source_{}", getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(std::string_view xml) {
    const fs::path p = dir_ / fmt::format("f{}.xml", files_++);
    std::ofstream(p, std::ios::binary) << xml;
    return p.string();
  }

  // The exact reading, and every other way agrees with it.
  void ExpectAllWaysAgree(const std::string& path, bool fast_decides) {
    Transcript exact(false);
    const Status want = ReadPain001With(path, exact, Pain001ReadMode::kExact);
    for (const bool can_restart : {false, true}) {
      Transcript got(can_restart);
      const Status status = ReadPain001(path, got);
      EXPECT_EQ(status.ToString(), want.ToString()) << can_restart;
      EXPECT_EQ(got.text, exact.text) << can_restart;
      // A restartable visitor is probed once, and restarted where the fast
      // reader gave up part-way.
      if (can_restart) {
        EXPECT_EQ(got.restarts, fast_decides ? 1 : 2);
      }
    }
    Transcript fast(false);
    const Status fast_status = ReadPain001With(path, fast, Pain001ReadMode::kFast);
    if (fast_decides) {
      EXPECT_EQ(fast_status.ToString(), want.ToString());
      EXPECT_EQ(fast.text, exact.text);
    } else {
      EXPECT_EQ(fast_status.code(), Code::kUnavailable) << fast_status.ToString();
    }
  }

  fs::path dir_;
  int files_ = 0;
};

TEST_F(Pain001SourceTest, AValidFileReadsTheSameEveryWay) {
  ExpectAllWaysAgree(Write(Pain001("", "Hansen &amp; Co")), true);
}

TEST_F(Pain001SourceTest, AFileTheFastReaderLeavesReadsTheSameEveryWay) {
  ExpectAllWaysAgree(Write(Pain001("<!-- a comment -->", "Hansen")), false);
}

TEST_F(Pain001SourceTest, AnInvalidFileGetsTheExactReadersError) {
  const std::string path = Write(Pain001("<PmtMtdX/>", "Hansen"));
  ExpectAllWaysAgree(path, false);
  Transcript visitor(false);
  const Status status = ReadPain001(path, visitor);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_NE(status.message().find(path + ":"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace nks::payments
