// The streaming pain.001.001.10 reader: fields, document order, per-payment
// problems, fatal errors with line and element path, DTD attacks, flat
// memory, and a differential check against libxml2's whole-document
// validator (the reader must accept exactly what the XSD accepts).
// Synthetic data only: test CPR/CVR/SE/P numbers, published example IBANs.
#include "nks/iso20022/pain001_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libxml/xmlschemas.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "nks/gen/payments.h"
#include "nks/gen/population.h"
#include "nks/iso20022/schema.h"
#include "nks/iso20022/xsd_check.h"

namespace nks::iso20022 {
namespace {

namespace fs = std::filesystem;

// ---- Generating files ------------------------------------------------------

constexpr char kCpr[] = "0102851237";
constexpr char kCvr[] = "80000006";
constexpr char kSe[] = "90000004";
constexpr char kPnr[] = "9000000001";
constexpr char kBban[] = "15510000123456";
constexpr char kForeignIban[] = "DE89370400440532013000";
constexpr char kDanishIban[] = "DK5000400440116243";
constexpr char kBic[] = "COBADEFFXXX";

std::string OthrId(std::string_view id, std::string_view scheme) {
  return fmt::format("<Othr><Id>{}</Id><SchmeNm><Prtry>{}</Prtry></SchmeNm></Othr>", id, scheme);
}
std::string PersonCreditor(std::string_view cpr) {
  return fmt::format("<Cdtr><Nm>Test Person</Nm><Id><PrvtId>{}</PrvtId></Id></Cdtr>",
                     OthrId(cpr, "CPR"));
}
std::string CompanyCreditor(std::string_view id, std::string_view scheme) {
  return fmt::format("<Cdtr><Id><OrgId>{}</OrgId></Id></Cdtr>", OthrId(id, scheme));
}
std::string IbanAccount(std::string_view iban) {
  return fmt::format("<CdtrAcct><Id><IBAN>{}</IBAN></Id></CdtrAcct>", iban);
}
std::string BbanAccount(std::string_view bban) {
  return fmt::format("<CdtrAcct><Id>{}</Id></CdtrAcct>", OthrId(bban, "BBAN"));
}
std::string BicAgent(std::string_view bic) {
  return fmt::format("<CdtrAgt><FinInstnId><BICFI>{}</BICFI></FinInstnId></CdtrAgt>", bic);
}

struct TxSpec {
  std::string e2e;  // empty: "E2E-<group>-<n>"
  std::string amount = "100.00";
  std::string ccy = "DKK";
  std::string agent;  // <CdtrAgt>
  std::string creditor = PersonCreditor(kCpr);
  std::string account;  // <CdtrAcct>
  std::string purpose = "<Purp><Prtry>BOERNEYD</Prtry></Purp>";
  std::string remittance = "<RmtInf><Ustrd>Boerne- og ungeydelse 4. kvartal</Ustrd></RmtInf>";
  std::string pmt_id_extra;  // before EndToEndId: <InstrId>
};

struct GroupSpec {
  std::string authority = "12345";
  std::string bank_agreement = "PIA-778899";
  std::string los_unit = "LOS-4711";
  std::string execution = "<Dt>2026-11-25</Dt>";
  std::string debtor_account =
      fmt::format("<DbtrAcct><Id>{}</Id></DbtrAcct>", OthrId(kBban, "BBAN"));
  std::string counts;  // <NbOfTxs>, <CtrlSum> of the PmtInf, when wanted
  std::vector<TxSpec> txs = {TxSpec{}};
};

struct FileSpec {
  std::string prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string root = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10\">";
  std::string nb_of_txs;  // empty: the true count
  std::string ctrl_sum;   // empty: omitted
  std::string system = "SYS-1";
  std::vector<GroupSpec> groups = {GroupSpec{}};
  std::string after_groups;  // <SplmtryData>
};

std::string TxXml(const TxSpec& t, size_t group, size_t n) {
  const std::string e2e = t.e2e.empty() ? fmt::format("E2E-{}-{}", group, n) : t.e2e;
  return fmt::format(
      "      <CdtTrfTxInf>\n"
      "        <PmtId>{}<EndToEndId>{}</EndToEndId></PmtId>\n"
      "        <Amt>\n"
      "          <InstdAmt Ccy=\"{}\">{}</InstdAmt>\n"
      "        </Amt>\n"
      "        {}{}{}\n"
      "        {}\n"
      "        {}\n"
      "      </CdtTrfTxInf>\n",
      t.pmt_id_extra, e2e, t.ccy, t.amount, t.agent, t.creditor, t.account, t.purpose,
      t.remittance);
}

std::string GroupXml(const GroupSpec& g, size_t group) {
  std::string out = fmt::format(
      "    <PmtInf>\n"
      "      <PmtInfId>PMT-{}</PmtInfId>\n"
      "      <PmtMtd>TRF</PmtMtd>{}\n"
      "      <ReqdExctnDt>{}</ReqdExctnDt>\n"
      "      <Dbtr><Nm>Test Authority</Nm><Id><OrgId>{}{}</OrgId></Id></Dbtr>\n"
      "      {}\n"
      "      <DbtrAgt><FinInstnId><BICFI>DABADKKKXXX</BICFI></FinInstnId></DbtrAgt>\n"
      "      <UltmtDbtr><Id><OrgId>{}</OrgId></Id></UltmtDbtr>\n",
      group, g.counts, g.execution, OthrId(g.authority, "NKS"), OthrId(g.bank_agreement, "PIA"),
      g.debtor_account, OthrId(g.los_unit, "LOS"));
  for (size_t i = 0; i < g.txs.size(); ++i) out += TxXml(g.txs[i], group, i + 1);
  return out + "    </PmtInf>\n";
}

std::string Pain001Xml(const FileSpec& f) {
  size_t count = 0;
  for (const GroupSpec& g : f.groups) count += g.txs.size();
  std::string out =
      f.prolog + f.root +
      fmt::format(
          "\n  <CstmrCdtTrfInitn>\n"
          "    <GrpHdr>\n"
          "      <MsgId>MSG-2026-0001</MsgId>\n"
          "      <CreDtTm>2026-11-20T10:00:00+01:00</CreDtTm>\n"
          "      <NbOfTxs>{}</NbOfTxs>{}\n"
          "      <InitgPty><Id><OrgId>{}</OrgId></Id></InitgPty>\n"
          "    </GrpHdr>\n",
          f.nb_of_txs.empty() ? std::to_string(count) : f.nb_of_txs,
          f.ctrl_sum.empty() ? "" : fmt::format("\n      <CtrlSum>{}</CtrlSum>", f.ctrl_sum),
          OthrId(f.system, "NKSSYS"));
  for (size_t i = 0; i < f.groups.size(); ++i) out += GroupXml(f.groups[i], i + 1);
  return out + f.after_groups + "  </CstmrCdtTrfInitn>\n</Document>\n";
}

FileSpec Groups(size_t groups, size_t txs_each) {
  FileSpec f;
  f.groups.assign(groups, GroupSpec{});
  for (GroupSpec& g : f.groups) g.txs.assign(txs_each, TxSpec{});
  return f;
}

// `xml` with the first `from` replaced by `to`; fails the test when absent.
std::string Replace(std::string xml, std::string_view from, std::string_view to) {
  const size_t at = xml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) xml.replace(at, from.size(), to);
  return xml;
}

// 1-based line of the first `needle`.
uint64_t LineOf(std::string_view xml, std::string_view needle) {
  const size_t at = xml.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<uint64_t>(std::count(xml.begin(), xml.begin() + at, '\n'));
}

// ---- Reading them ------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / fmt::format("nks_pain001_reader_{}_{}_{}", getpid(),
                                                   info->test_suite_name(), info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempDir() { fs::remove_all(dir_); }
  std::string Write(const std::string& name, std::string_view content) const {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  fs::path dir() const { return dir_; }

 private:
  fs::path dir_;
};

struct Recorder : Pain001Visitor {
  std::string events;  // "H G1 T1.1 E1(1) ..."
  Pain001Header header;
  std::vector<Pain001Group> groups;
  std::vector<Pain001Transaction> txs;
  std::vector<Pain001Totals> group_totals;

  Status OnHeader(const Pain001Header& h) override {
    header = h;
    events += "H ";
    return Status::Ok();
  }
  Status OnGroup(const Pain001Group& g) override {
    groups.push_back(g);
    events += fmt::format("G{} ", g.index);
    return Status::Ok();
  }
  Status OnTransaction(const Pain001Group& g, const Pain001Transaction& tx) override {
    txs.push_back(tx);
    events += fmt::format("T{}.{} ", g.index, tx.index);
    return Status::Ok();
  }
  Status OnGroupEnd(const Pain001Group& g, const Pain001Totals& read) override {
    group_totals.push_back(read);
    events += fmt::format("E{}({}) ", g.index, read.tx_count);
    return Status::Ok();
  }
};

Result<Pain001Totals> ReadFile(const std::string& path, Pain001Visitor& visitor) {
  Result<Pain001Reader> reader = Pain001Reader::Open(path);
  if (!reader.ok()) return reader.status();
  return reader->Read(visitor);
}

// Reads `xml` from a file; the test's own TempDir holds it.
struct ReadOutcome {
  std::string path;
  Result<Pain001Totals> totals;
  Recorder seen;
};
ReadOutcome ReadXml(const TempDir& dir, std::string_view xml, const std::string& name = "in.xml") {
  ReadOutcome out{dir.Write(name, xml), Status::Internal("not read"), {}};
  out.totals = ReadFile(out.path, out.seen);
  return out;
}

DecimalAmount Dec(std::string_view text) {
  std::optional<DecimalAmount> d = DecimalAmount::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(DecimalAmount());
}

std::vector<Pain001Field> Fields(const std::vector<Pain001FieldError>& errors) {
  std::vector<Pain001Field> out;
  for (const Pain001FieldError& e : errors) out.push_back(e.field);
  return out;
}

// ---- Fields --------------------------------------------------------------------

TEST(Pain001ReaderTest, ReadsEveryProfileFieldOfAMinimalFile) {
  TempDir dir;
  const std::string xml = Pain001Xml(FileSpec{});
  ReadOutcome r = ReadXml(dir, xml);
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  EXPECT_EQ(r.seen.events, "H G1 T1.1 E1(1) ");
  EXPECT_EQ(r.seen.header.msg_id, "MSG-2026-0001");
  EXPECT_EQ(r.seen.header.created, "2026-11-20T10:00:00+01:00");
  EXPECT_EQ(r.seen.header.declared.tx_count, 1u);
  EXPECT_TRUE(r.seen.header.declared.ctrl_sum.empty());
  EXPECT_EQ(r.seen.header.initiating_system, "SYS-1");
  EXPECT_EQ(r.seen.header.line, LineOf(xml, "<GrpHdr>"));

  ASSERT_EQ(r.seen.groups.size(), 1u);
  const Pain001Group& g = r.seen.groups[0];
  EXPECT_TRUE(g.errors.empty()) << g.errors[0].message;
  EXPECT_EQ(g.index, 1u);
  EXPECT_EQ(g.line, LineOf(xml, "<PmtInf>"));
  EXPECT_EQ(g.pmt_inf_id, "PMT-1");
  EXPECT_EQ(g.authority, 12345u);
  EXPECT_EQ(g.bank_agreement, "PIA-778899");
  EXPECT_EQ(g.los_unit, "LOS-4711");
  ASSERT_TRUE(g.payout_date.has_value());
  EXPECT_EQ(FormatDate(*g.payout_date), "2026-11-25");
  EXPECT_EQ(g.debtor_account_text, kBban);
  ASSERT_TRUE(g.debtor_account.has_value());
  EXPECT_EQ(g.debtor_account->ToString(), "1551-0000123456");
  EXPECT_EQ(g.debtor_agent_bic, "DABADKKKXXX");
  EXPECT_FALSE(g.declared.tx_count.has_value());

  ASSERT_EQ(r.seen.txs.size(), 1u);
  const Pain001Transaction& tx = r.seen.txs[0];
  EXPECT_TRUE(tx.errors.empty()) << tx.errors[0].message;
  EXPECT_EQ(tx.index, 1u);
  EXPECT_EQ(tx.line, LineOf(xml, "<CdtTrfTxInf>"));
  EXPECT_EQ(tx.end_to_end_id, "E2E-1-1");
  EXPECT_EQ(tx.instr_id, "");
  EXPECT_EQ(tx.amount_text, "100.00");
  EXPECT_EQ(tx.currency, "DKK");
  ASSERT_TRUE(tx.amount.has_value());
  EXPECT_EQ(tx.amount->ore(), 10000);
  EXPECT_EQ(tx.benefit_type, "BOERNEYD");
  EXPECT_EQ(tx.recipient_scheme, "CPR");
  EXPECT_EQ(tx.recipient_id_text, kCpr);
  ASSERT_TRUE(tx.recipient.has_value());
  EXPECT_EQ(tx.recipient->Tagged(), "cpr:010285-1237");
  EXPECT_FALSE(tx.creditor_account.has_value());
  EXPECT_EQ(tx.remittance_text, "Boerne- og ungeydelse 4. kvartal");

  EXPECT_EQ(r.totals->tx_count, 1u);
  EXPECT_EQ(r.totals->amount_sum, Dec("100"));
}

TEST(Pain001ReaderTest, CallsTheVisitorInDocumentOrder) {
  TempDir dir;
  FileSpec f = Groups(3, 2);
  f.groups[1].txs.push_back(TxSpec{});
  ReadOutcome r = ReadXml(dir, Pain001Xml(f));
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  EXPECT_EQ(r.seen.events, "H G1 T1.1 T1.2 E1(2) G2 T2.1 T2.2 T2.3 E2(3) G3 T3.1 T3.2 E3(2) ");
  ASSERT_EQ(r.seen.txs.size(), 7u);
  EXPECT_EQ(r.seen.txs[4].end_to_end_id, "E2E-2-3");
  EXPECT_EQ(r.seen.groups[2].pmt_inf_id, "PMT-3");
  EXPECT_EQ(r.seen.group_totals[1].amount_sum, Dec("300.00"));
  EXPECT_EQ(r.totals->tx_count, 7u);
  EXPECT_EQ(r.totals->amount_sum, Dec("700"));
}

TEST(Pain001ReaderTest, ReadsCompletePaymentsWithIbanBicAndBban) {
  TempDir dir;
  FileSpec f = Groups(1, 4);
  std::vector<TxSpec>& t = f.groups[0].txs;
  t[0].agent = BicAgent(kBic);
  t[0].account = IbanAccount(kForeignIban);
  t[0].ccy = "EUR";
  t[1].account = BbanAccount(kBban);
  t[1].creditor = "";  // a complete payment need not name the recipient
  t[2].account = IbanAccount(kDanishIban);
  t[2].agent = BicAgent("DABADKKK");
  t[3].account = IbanAccount("GB29NWBK60161331926819");
  ReadOutcome r = ReadXml(dir, Pain001Xml(f));
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  ASSERT_EQ(r.seen.txs.size(), 4u);
  for (const Pain001Transaction& tx : r.seen.txs) {
    EXPECT_TRUE(tx.errors.empty()) << tx.index << ": " << tx.errors[0].message;
    ASSERT_TRUE(tx.creditor_account.has_value()) << tx.index;
  }
  EXPECT_EQ(r.seen.txs[0].creditor_account->ToString(), "DE89370400440532013000/COBADEFFXXX");
  EXPECT_EQ(r.seen.txs[0].creditor_bic, kBic);
  EXPECT_EQ(r.seen.txs[0].currency, "EUR");
  EXPECT_EQ(r.seen.txs[1].creditor_account->ToString(), "1551-0000123456");
  EXPECT_FALSE(r.seen.txs[1].recipient.has_value());
  EXPECT_EQ(r.seen.txs[2].creditor_account->ToString(), "0040-0440116243");
  EXPECT_EQ(r.seen.txs[3].creditor_account->ToString(), "GB29NWBK60161331926819");
}

TEST(Pain001ReaderTest, ReadsCompanyRecipients) {
  TempDir dir;
  FileSpec f = Groups(1, 3);
  f.groups[0].txs[0].creditor = CompanyCreditor(kCvr, "CVR");
  f.groups[0].txs[1].creditor = CompanyCreditor(kSe, "SE");
  f.groups[0].txs[2].creditor = CompanyCreditor(kPnr, "PNR");
  ReadOutcome r = ReadXml(dir, Pain001Xml(f));
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  ASSERT_EQ(r.seen.txs.size(), 3u);
  const std::vector<std::string> want = {"cvr:80000006", "se:90000004", "p:9000000001"};
  for (size_t i = 0; i < 3; ++i) {
    const Pain001Transaction& tx = r.seen.txs[i];
    EXPECT_TRUE(tx.errors.empty()) << tx.errors[0].message;
    ASSERT_TRUE(tx.recipient.has_value());
    EXPECT_EQ(tx.recipient->Tagged(), want[i]);
  }
  EXPECT_EQ(r.seen.txs[2].recipient_scheme, "PNR");
}

// Optional elements the profile does not use are passed over; those it
// does (InstrId, several Ustrd, per-PmtInf counts) are read.
FileSpec WithOptionalElements() {
  FileSpec f = Groups(1, 2);
  f.ctrl_sum = "200.00";
  f.groups[0].counts =
      "<BtchBookg>true</BtchBookg><NbOfTxs>2</NbOfTxs><CtrlSum>200</CtrlSum>"
      "<PmtTpInf><InstrPrty>NORM</InstrPrty><CtgyPurp><Cd>GOVT</Cd></CtgyPurp></PmtTpInf>";
  TxSpec& t = f.groups[0].txs[0];
  t.pmt_id_extra = "<InstrId>INSTR-1</InstrId>";
  t.creditor = fmt::format(
      "<Cdtr><Nm>Test Person</Nm><PstlAdr><StrtNm>Testvej</StrtNm><BldgNb>1</BldgNb>"
      "<PstCd>9999</PstCd><TwnNm>Testby</TwnNm><Ctry>DK</Ctry></PstlAdr>"
      "<Id><PrvtId><DtAndPlcOfBirth><BirthDt>1985-02-01</BirthDt><CityOfBirth>Testby</CityOfBirth>"
      "<CtryOfBirth>DK</CtryOfBirth></DtAndPlcOfBirth>{}{}</PrvtId></Id><CtryOfRes>DK</CtryOfRes></"
      "Cdtr>"
      "<UltmtCdtr><Nm>Guardian</Nm></UltmtCdtr>",
      OthrId("X-1", "OTHER"), OthrId(kCpr, "CPR"));
  t.remittance =
      "<RgltryRptg><DbtCdtRptgInd>CRED</DbtCdtRptgInd></RgltryRptg>"
      "<RmtInf><Ustrd>Line one &amp; more</Ustrd><Ustrd><![CDATA[Line <two>]]></Ustrd></RmtInf>"
      "<SplmtryData><Envlp><x:Any xmlns:x=\"urn:example:any\"><x:Deep a=\"1\">t</x:Deep></x:Any>"
      "</Envlp></SplmtryData>";
  f.after_groups = "  <SplmtryData><PlcAndNm>x</PlcAndNm><Envlp><Free/></Envlp></SplmtryData>\n";
  return f;
}

TEST(Pain001ReaderTest, ReadsOptionalElementsAndPassesOverTheRest) {
  TempDir dir;
  ReadOutcome r = ReadXml(dir, Pain001Xml(WithOptionalElements()));
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  ASSERT_EQ(r.seen.txs.size(), 2u);
  const Pain001Transaction& tx = r.seen.txs[0];
  EXPECT_TRUE(tx.errors.empty()) << tx.errors[0].message;
  EXPECT_EQ(tx.instr_id, "INSTR-1");
  EXPECT_EQ(tx.recipient_scheme, "CPR");  // the OTHER scheme is passed over
  EXPECT_EQ(tx.remittance_text, "Line one & more\nLine <two>");
  EXPECT_EQ(r.seen.groups[0].declared.tx_count, 2u);
  EXPECT_EQ(r.seen.groups[0].declared.ctrl_sum, "200");
  EXPECT_EQ(r.seen.header.declared.ctrl_sum, "200.00");
  EXPECT_TRUE(CountMatches(r.seen.groups[0].declared, r.seen.group_totals[0]));
  EXPECT_TRUE(SumMatches(r.seen.groups[0].declared, r.seen.group_totals[0]));
  EXPECT_TRUE(SumMatches(r.seen.header.declared, *r.totals));
}

TEST(Pain001ReaderTest, RecordsPaymentProblemsAndReadsOn) {
  TempDir dir;
  FileSpec f = Groups(1, 12);
  std::vector<TxSpec>& t = f.groups[0].txs;
  t[0].amount = "100.005";  // schema-valid (5 decimals allowed), not whole øre
  t[1].amount = "0.00";
  t[2].creditor = PersonCreditor("3102851237");          // 31 February
  t[3].creditor = CompanyCreditor("80000007", "CVR");    // check digit
  t[4].account = IbanAccount("DE89370400440532013001");  // checksum
  t[5].account = BbanAccount("1551000012345");           // 13 digits
  t[6].purpose = "";
  t[7].purpose = "<Purp><Cd>GOVT</Cd></Purp>";
  t[8].creditor = "";
  t[9].creditor = CompanyCreditor(kCpr, "CPR");  // a CPR under OrgId
  t[10].account = fmt::format("<CdtrAcct><Id>{}</Id></CdtrAcct>", OthrId(kBban, "KONTO"));
  t[11].remittance = "<RmtInf>";
  for (int i = 0; i < 11; ++i) t[11].remittance += "<Ustrd>line</Ustrd>";
  t[11].remittance += "</RmtInf>";
  ReadOutcome r = ReadXml(dir, Pain001Xml(f));
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  ASSERT_EQ(r.seen.txs.size(), 12u);
  using F = Pain001Field;
  const std::vector<std::vector<F>> want = {
      {F::kAmount},          {F::kAmount},          {F::kRecipientId},     {F::kRecipientId},
      {F::kCreditorAccount}, {F::kCreditorAccount}, {F::kBenefitType},     {F::kBenefitType},
      {F::kRecipientId},     {F::kRecipientId},     {F::kCreditorAccount}, {F::kRemittance}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(Fields(r.seen.txs[i].errors), want[i]) << "transaction " << i + 1;
  }
  EXPECT_FALSE(r.seen.txs[0].amount.has_value());
  EXPECT_NE(r.seen.txs[0].errors[0].message.find("Amt/InstdAmt: 100.005"), std::string::npos);
  // CPR digits never appear in a message.
  EXPECT_EQ(r.seen.txs[2].errors[0].message.find("3102851237"), std::string::npos)
      << r.seen.txs[2].errors[0].message;
  // ISO 20022 sums every amount, valid for NKS or not.
  EXPECT_EQ(r.totals->amount_sum, Dec("1100.005"));  // 100.005 + 0 + 10 x 100
}

TEST(Pain001ReaderTest, RecordsPaymentGroupProblems) {
  TempDir dir;
  FileSpec f = Groups(4, 1);
  f.groups[0].authority = "0123";
  f.groups[1].los_unit = "";  // <Id></Id> is not schema-valid: drop the Othr instead
  f.groups[2].execution = "<DtTm>2026-11-25T09:00:00</DtTm>";
  f.groups[3].debtor_account =
      fmt::format("<DbtrAcct><Id>{}</Id></DbtrAcct>", OthrId(kBban, "KONTO"));
  std::string xml = Pain001Xml(f);
  xml = Replace(xml,
                "<UltmtDbtr><Id><OrgId><Othr><Id></Id><SchmeNm><Prtry>LOS</Prtry></SchmeNm>"
                "</Othr></OrgId></Id></UltmtDbtr>",
                "");
  ReadOutcome r = ReadXml(dir, xml);
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  ASSERT_EQ(r.seen.groups.size(), 4u);
  using F = Pain001Field;
  EXPECT_EQ(Fields(r.seen.groups[0].errors), std::vector<F>{F::kAuthority});
  EXPECT_EQ(r.seen.groups[0].authority, 0u);
  EXPECT_EQ(Fields(r.seen.groups[1].errors), std::vector<F>{F::kLosUnit});
  EXPECT_EQ(Fields(r.seen.groups[2].errors), std::vector<F>{F::kPayoutDate});
  EXPECT_FALSE(r.seen.groups[2].payout_date.has_value());
  EXPECT_EQ(Fields(r.seen.groups[3].errors), std::vector<F>{F::kDebtorAccount});
}

TEST(Pain001ReaderTest, HandsOverDeclaredAndCountedFigures) {
  TempDir dir;
  FileSpec f = Groups(2, 2);
  f.nb_of_txs = "5";
  f.ctrl_sum = "400.001";
  f.groups[0].counts = "<NbOfTxs>2</NbOfTxs><CtrlSum>200.00000</CtrlSum>";
  f.groups[1].counts = "<NbOfTxs>3</NbOfTxs><CtrlSum>199.99</CtrlSum>";
  ReadOutcome r = ReadXml(dir, Pain001Xml(f));
  ASSERT_TRUE(r.totals.ok()) << r.totals.status().ToString();
  EXPECT_FALSE(CountMatches(r.seen.header.declared, *r.totals));  // AM18
  EXPECT_FALSE(SumMatches(r.seen.header.declared, *r.totals));    // AM10
  EXPECT_TRUE(CountMatches(r.seen.groups[0].declared, r.seen.group_totals[0]));
  EXPECT_TRUE(SumMatches(r.seen.groups[0].declared, r.seen.group_totals[0]));
  EXPECT_FALSE(CountMatches(r.seen.groups[1].declared, r.seen.group_totals[1]));
  EXPECT_FALSE(SumMatches(r.seen.groups[1].declared, r.seen.group_totals[1]));
  EXPECT_EQ(r.totals->amount_sum.ToString(), "400.00");
}

TEST(Pain001ReaderDecimalTest, ParsesTheXsDecimalLexicalSpaceExactly) {
  EXPECT_EQ(Dec("1050.5").WholeOre(), 105050);
  EXPECT_EQ(Dec(" +0001050.50000 ").WholeOre(), 105050);
  EXPECT_EQ(Dec(".5").WholeOre(), 50);
  EXPECT_EQ(Dec("7.").WholeOre(), 700);
  EXPECT_EQ(Dec("0.001").WholeOre(), std::nullopt);
  EXPECT_EQ(Dec("0.12345").ToString(), "0.12345");
  EXPECT_EQ(Dec("12").ToString(), "12.00");
  EXPECT_EQ(Dec("-3.1").ToString(), "-3.10");
  EXPECT_TRUE(Dec("-3.1").is_negative());
  EXPECT_EQ(Dec("1.000000000000000000"), Dec("1"));  // zeros past the 5th decimal
  EXPECT_EQ(Dec("9999999999999999999999999999").ToString(), "9999999999999999999999999999.00");
  for (const char* bad : {"", " ", ".", "+", "1,00", "1.2.3", "1e3", "0.000001",
                          "99999999999999999999999999999", "- 1", "12a"}) {
    EXPECT_FALSE(DecimalAmount::Parse(bad).has_value()) << bad;
  }
  DecimalAmount sum;
  for (int i = 0; i < 1000; ++i) sum += Dec("0.00001");
  EXPECT_EQ(sum, Dec("0.01"));
}

// ---- Fatal errors: line and element path ---------------------------------------

// The message must be "<file>:<line>: <path>: <reason>".
void ExpectFileError(const ReadOutcome& r, uint64_t line, std::string_view path,
                     std::string_view reason_part) {
  ASSERT_FALSE(r.totals.ok()) << "accepted";
  EXPECT_EQ(r.totals.status().code(), Code::kInvalidArgument);
  const std::string& m = r.totals.status().message();
  const std::string prefix = fmt::format("{}:{}: {}: ", r.path, line, path);
  EXPECT_EQ(m.substr(0, prefix.size()), prefix) << m;
  EXPECT_NE(m.find(reason_part), std::string::npos) << m;
}

constexpr char kTx25[] = "/Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[5]";

TEST(Pain001ReaderTest, ReportsASchemaErrorWithLineAndPath) {
  TempDir dir;
  FileSpec f = Groups(2, 6);
  f.groups[1].txs[4].amount = "12.123456";
  const std::string xml = Pain001Xml(f);
  ReadOutcome r = ReadXml(dir, xml);
  ExpectFileError(r, LineOf(xml, "12.123456"), fmt::format("{}/Amt/InstdAmt", kTx25),
                  "more fractional digits than are allowed");
  // Nothing at or after the bad transaction reached the visitor.
  EXPECT_LE(r.seen.txs.size(), 10u);
  for (const Pain001Transaction& tx : r.seen.txs) EXPECT_NE(tx.end_to_end_id, "E2E-2-5");
}

TEST(Pain001ReaderTest, ReportsAMissingElementAtItsParent) {
  TempDir dir;
  FileSpec f = Groups(2, 6);
  f.groups[1].txs[4].e2e = "GONE";
  const std::string xml = Replace(Pain001Xml(f), "<EndToEndId>GONE</EndToEndId>", "");
  ExpectFileError(ReadXml(dir, xml), LineOf(xml, "<PmtId></PmtId>"), fmt::format("{}/PmtId", kTx25),
                  "Missing child element(s)");
}

TEST(Pain001ReaderTest, ReportsAnUnknownOrMisplacedElementAtItself) {
  TempDir dir;
  FileSpec f = Groups(2, 6);
  f.groups[1].txs[4].purpose = "<Foo>1</Foo>";
  std::string xml = Pain001Xml(f);
  ExpectFileError(ReadXml(dir, xml), LineOf(xml, "<Foo>"), fmt::format("{}/Foo", kTx25),
                  "This element is not expected");
  f = Groups(2, 6);
  f.groups[1].txs[4].remittance = "<Purp><Prtry>X</Prtry></Purp>";  // a second Purp
  xml = Pain001Xml(f);
  ExpectFileError(ReadXml(dir, xml, "twice.xml"), LineOf(xml, "<Purp><Prtry>X"),
                  fmt::format("{}/Purp[2]", kTx25), "not expected");
}

TEST(Pain001ReaderTest, ReportsAnAttributeError) {
  TempDir dir;
  FileSpec f = Groups(2, 6);
  f.groups[1].txs[4].ccy = "dkk";
  const std::string xml = Pain001Xml(f);
  ExpectFileError(ReadXml(dir, xml), LineOf(xml, "\"dkk\""), fmt::format("{}/Amt/InstdAmt", kTx25),
                  "attribute 'Ccy'");
}

TEST(Pain001ReaderTest, FindsThePathInAFileOnOneLine) {
  TempDir dir;
  FileSpec f = Groups(3, 40);
  f.groups[1].txs[32].e2e = std::string(36, 'X');
  std::string xml = Pain001Xml(f);
  xml.erase(std::remove(xml.begin(), xml.end(), '\n'), xml.end());
  ExpectFileError(ReadXml(dir, xml), 1,
                  "/Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[33]/PmtId/EndToEndId",
                  "exceeds the allowed maximum length of '35'");
}

TEST(Pain001ReaderTest, FindsThePathOfAnErrorInTheFirstBytes) {
  TempDir dir;
  std::string xml = Pain001Xml(FileSpec{});
  xml = Replace(xml, "MSG-2026-0001", std::string(36, 'M'));
  ExpectFileError(ReadXml(dir, xml), LineOf(xml, "<MsgId>"),
                  "/Document/CstmrCdtTrfInitn/GrpHdr/MsgId", "maximum length");
  FileSpec wrong;
  wrong.root = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">";
  xml = Pain001Xml(wrong);
  ExpectFileError(ReadXml(dir, xml, "ns.xml"), 2, "/Document", "No matching global declaration");
}

TEST(Pain001ReaderTest, ReportsNotWellFormedWithItsLine) {
  TempDir dir;
  FileSpec f = Groups(2, 6);
  std::string xml = Replace(Pain001Xml(f), "</Purp>", "</Prp>");
  ExpectFileError(ReadXml(dir, xml), LineOf(xml, "</Prp>"),
                  "/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Purp",
                  "Opening and ending tag mismatch");
  ReadOutcome empty = ReadXml(dir, "", "empty.xml");
  ASSERT_FALSE(empty.totals.ok());
  EXPECT_NE(empty.totals.status().message().find("empty.xml:"), std::string::npos);
  xml = Pain001Xml(FileSpec{});
  ReadOutcome cut = ReadXml(dir, xml.substr(0, xml.size() - 40), "cut.xml");
  ASSERT_FALSE(cut.totals.ok());
  EXPECT_EQ(cut.totals.status().code(), Code::kInvalidArgument);
}

// Found by fuzz/pain001_fuzz (ASan: use after free): libxml2 frees a comment
// or PI as its reader moves on, and the read then failed on the cut text.
TEST(Pain001ReaderTest, ReportsAnErrorJustPastACommentOrProcessingInstruction) {
  TempDir dir;
  const std::string root = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10\">";
  ExpectFileError(ReadXml(dir, root + "<?pi?>\n<", "pi.xml"), 2, "/Document", "");
  ExpectFileError(ReadXml(dir, root + "<!--c-->\n<", "comment.xml"), 2, "/Document", "");
}

TEST(Pain001ReaderTest, CountsLinesPast65535) {
  TempDir dir;
  FileSpec f = Groups(1, 12'000);  // ~8 lines each
  f.groups[0].txs[11'000].amount = "-1.00";
  const std::string xml = Pain001Xml(f);
  const uint64_t line = LineOf(xml, ">-1.00<");
  ASSERT_GT(line, 70'000u);
  ReadOutcome r = ReadXml(dir, xml);
  ExpectFileError(r, line, "/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[11001]/Amt/InstdAmt",
                  "minInclusive");
  ASSERT_GT(r.seen.txs.size(), 10'000u);
  EXPECT_EQ(r.seen.txs[10'000].line, LineOf(xml, "E2E-1-10001<") - 1);
}

TEST(Pain001ReaderTest, StopsWhenTheVisitorFails) {
  struct StopAtThird : Recorder {
    Status OnTransaction(const Pain001Group& g, const Pain001Transaction& tx) override {
      if (tx.index == 3) return Status::FailedPrecondition("enough");
      return Recorder::OnTransaction(g, tx);
    }
  } visitor;
  TempDir dir;
  const std::string path = dir.Write("in.xml", Pain001Xml(Groups(1, 5)));
  Result<Pain001Totals> r = ReadFile(path, visitor);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(visitor.events, "H G1 T1.1 T1.2 ");
}

TEST(Pain001ReaderTest, OpenFailsOnlyForIo) {
  Result<Pain001Reader> r = Pain001Reader::Open("/nonexistent/nks/file.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
  TempDir dir;
  Result<Pain001Reader> reader = Pain001Reader::Open(dir.Write("in.xml", Pain001Xml(FileSpec{})));
  ASSERT_TRUE(reader.ok());
  Recorder v;
  ASSERT_TRUE(reader->Read(v).ok());
  EXPECT_EQ(reader->Read(v).status().code(), Code::kFailedPrecondition);
}

TEST(Pain001ReaderTest, RefusesAFileAboveTheSizeLimit) {
  TempDir dir;
  const std::string path = dir.Write("huge.xml", Pain001Xml(FileSpec{}));
  fs::resize_file(path, Pain001Reader::kFileBytesMax + 1);  // sparse: no disk used
  Recorder visitor;
  const auto start = std::chrono::steady_clock::now();
  Result<Pain001Totals> r = ReadFile(path, visitor);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            fmt::format("{}:1: /: {} bytes; the limit is {}", path,
                        Pain001Reader::kFileBytesMax + 1, Pain001Reader::kFileBytesMax));
}

// The schema is compiled once and shared; libxml2's error state is per
// thread. Four readers at once must each see only their own file.
TEST(Pain001ReaderTest, ReadsOnSeveralThreadsAtOnce) {
  TempDir dir;
  constexpr int kThreads = 4;
  std::vector<std::string> paths;
  for (int i = 0; i < kThreads; ++i) {
    FileSpec f = Groups(2, 500 + static_cast<size_t>(i));
    if (i == kThreads - 1) f.groups[1].txs[400].amount = "1.1234567";  // one bad file
    paths.push_back(dir.Write(fmt::format("t{}.xml", i), Pain001Xml(f)));
  }
  std::vector<Result<Pain001Totals>> results(kThreads, Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Recorder visitor;
      results[i] = ReadFile(paths[i], visitor);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads - 1; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    EXPECT_EQ(results[i]->tx_count, 2u * (500 + i));
  }
  ASSERT_FALSE(results[kThreads - 1].ok());
  EXPECT_NE(results[kThreads - 1].status().message().find("PmtInf[2]/CdtTrfTxInf[401]/Amt"),
            std::string::npos)
      << results[kThreads - 1].status().message();
}

// ---- DTDs and entities -----------------------------------------------------------

std::string WithDoctype(std::string_view doctype, std::string_view body_text = "") {
  FileSpec f;
  f.prolog += std::string(doctype) + "\n";
  std::string xml = Pain001Xml(f);
  if (!body_text.empty()) xml = Replace(xml, "Boerne- og ungeydelse", body_text);
  return xml;
}

constexpr char kBillionLaughs[] =
    "<!DOCTYPE Document [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>";

void ExpectDtdRefused(const ReadOutcome& r, uint64_t line) {
  ExpectFileError(r, line, "/", "DOCTYPE");
  EXPECT_TRUE(r.seen.events.empty()) << r.seen.events;
}

TEST(Pain001ReaderSecurityTest, RefusesABillionLaughsAtOnce) {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  ReadOutcome r = ReadXml(dir, WithDoctype(kBillionLaughs, "&lol9;"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ExpectDtdRefused(r, 2);
  EXPECT_LT(elapsed, std::chrono::milliseconds(200));
}

TEST(Pain001ReaderSecurityTest, RefusesExternalEntitiesAndDtds) {
  TempDir dir;
  const std::string secret = dir.Write("secret.txt", "TOP-SECRET-CONTENT");
  const std::vector<std::string> doctypes = {
      fmt::format("<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file://{}\">]>", secret),
      fmt::format("<!DOCTYPE Document [<!ENTITY % p SYSTEM \"file://{}\"> %p;]>", secret),
      "<!DOCTYPE Document SYSTEM \"http://127.0.0.1:9/evil.dtd\">",
      "<!DOCTYPE Document>",
  };
  for (const std::string& doctype : doctypes) {
    ReadOutcome r = ReadXml(dir, WithDoctype(doctype, "&xxe;"));
    ExpectDtdRefused(r, 2);
    EXPECT_EQ(r.totals.status().message().find("TOP-SECRET"), std::string::npos);
  }
}

std::string Utf16Le(std::string_view ascii_xml) {
  std::string out = "\xFF\xFE";
  for (char c : ascii_xml) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

TEST(Pain001ReaderSecurityTest, FindsTheDoctypeBehindCommentsBomsAndUtf16) {
  TempDir dir;
  ExpectDtdRefused(ReadXml(dir,
                           "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- a <!DOCTYPE in a comment "
                           "is fine -->\n<?pi x?>\n<!DOCTYPE Document>\n<Document/>"),
                   4);
  std::string xml = WithDoctype("<!DOCTYPE Document [<!ENTITY e \"x\">]>", "&e;");
  xml = Replace(xml, "encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
  ExpectDtdRefused(ReadXml(dir, Utf16Le(xml), "utf16.xml"), 2);
}

TEST(Pain001ReaderSecurityTest, RefusesAPrologLongerThanTheLimit) {
  TempDir dir;
  FileSpec f;
  f.prolog += "<!--" + std::string(Pain001Reader::kPrologBytesMax, 'c') + "-->\n";
  ReadOutcome r = ReadXml(dir, Pain001Xml(f));
  ASSERT_FALSE(r.totals.ok());
  EXPECT_NE(r.totals.status().message().find("no root element in the first"), std::string::npos)
      << r.totals.status().message();
}

// ---- Differential: the reader's verdict is the XSD's -----------------------------

// libxml2's whole-document validation of `path` against the bundled XSD,
// independent of the reader's schema cache.
bool XsdAccepts(const std::string& path) {
  return SchemaErrors(path, "pain.001.001.10.xsd").empty();
}

struct CorpusFile {
  std::string name;
  std::string xml;
  bool valid;
};

// Every element as p:Name, the namespace bound to the prefix "p".
std::string Prefixed(std::string_view xml) {
  std::string out;
  for (size_t i = 0; i < xml.size(); ++i) {
    out.push_back(xml[i]);
    if (xml[i] != '<' || i + 1 >= xml.size()) continue;
    if (xml[i + 1] == '/') out.push_back(xml[++i]);
    if (std::isalpha(static_cast<unsigned char>(xml[i + 1]))) out += "p:";
  }
  return Replace(out, "xmlns=", "xmlns:p=");
}

std::vector<CorpusFile> ValidCorpus() {
  std::vector<CorpusFile> out;
  out.push_back({"minimal", Pain001Xml(FileSpec{}), true});
  out.push_back({"multiple-pmtinf", Pain001Xml(Groups(3, 4)), true});
  FileSpec complete = Groups(1, 3);
  complete.groups[0].txs[0].agent = BicAgent(kBic);
  complete.groups[0].txs[0].account = IbanAccount(kForeignIban);
  complete.groups[0].txs[1].account = BbanAccount(kBban);
  complete.groups[0].txs[2].account = IbanAccount(kDanishIban);
  out.push_back({"complete-iban-bic-bban", Pain001Xml(complete), true});
  FileSpec companies = Groups(1, 3);
  companies.groups[0].txs[0].creditor = CompanyCreditor(kCvr, "CVR");
  companies.groups[0].txs[1].creditor = CompanyCreditor(kSe, "SE");
  companies.groups[0].txs[2].creditor = CompanyCreditor(kPnr, "PNR");
  out.push_back({"companies-cvr-se-pnr", Pain001Xml(companies), true});
  out.push_back({"optional-elements", Pain001Xml(WithOptionalElements()), true});
  FileSpec fractions;
  fractions.groups[0].txs[0].amount = "100.005";  // the XSD allows 5 decimals
  out.push_back({"amount-3-decimals", Pain001Xml(fractions), true});
  std::string one_line = Pain001Xml(Groups(2, 3));
  one_line.erase(std::remove(one_line.begin(), one_line.end(), '\n'), one_line.end());
  out.push_back({"one-line", one_line, true});
  out.push_back({"utf16", Utf16Le(Replace(Pain001Xml(FileSpec{}), "UTF-8", "UTF-16")), true});
  FileSpec commented;
  commented.prolog += "<!-- comment -->\n<?nks-pi data?>\n";
  out.push_back({"comments-pi-bom", "\xEF\xBB\xBF" + Pain001Xml(commented), true});
  out.push_back({"namespace-prefix", Prefixed(Pain001Xml(Groups(2, 2))), true});
  FileSpec hinted;  // a schema location hint is neither fetched nor obeyed
  hinted.root =
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation="
      "\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10 http://127.0.0.1:9/evil.xsd\">";
  out.push_back({"xsi-schema-location", Pain001Xml(hinted), true});
  return out;
}

std::vector<CorpusFile> InvalidCorpus() {
  const std::string base = Pain001Xml(Groups(2, 2));
  auto broken = [&](std::string name, std::string_view from, std::string_view to) {
    return CorpusFile{std::move(name), Replace(base, from, to), false};
  };
  std::vector<CorpusFile> out;
  out.push_back(broken("not-well-formed", "</Purp>", "</Prp>"));
  out.push_back(broken("wrong-namespace", "pain.001.001.10", "pain.001.001.03"));
  out.push_back(broken("missing-end-to-end-id", "<EndToEndId>E2E-2-2</EndToEndId>", ""));
  out.push_back(broken("missing-debtor-agent",
                       "<DbtrAgt><FinInstnId><BICFI>DABADKKKXXX</BICFI></FinInstnId></DbtrAgt>",
                       ""));
  out.push_back(broken("amount-6-decimals", ">100.00<", ">100.000001<"));
  out.push_back(broken("amount-negative", ">100.00<", ">-100.00<"));
  out.push_back(broken("amount-comma", ">100.00<", ">100,00<"));
  out.push_back(broken("amount-19-digits", ">100.00<", ">1234567890123456789<"));
  out.push_back(broken("currency-lower-case", "Ccy=\"DKK\"", "Ccy=\"dkk\""));
  out.push_back(broken("currency-4-letters", "Ccy=\"DKK\"", "Ccy=\"DKKK\""));
  out.push_back(broken("currency-missing", " Ccy=\"DKK\"", ""));
  out.push_back(broken("end-to-end-id-36", "E2E-2-1<", std::string(36, 'E') + "<"));
  out.push_back(broken("end-to-end-id-empty", "E2E-2-1<", "<"));
  out.push_back(broken("unknown-element", "<PmtMtd>TRF</PmtMtd>", "<PmtMtd>TRF</PmtMtd><Foo/>"));
  out.push_back(broken("out-of-order", "<PmtMtd>TRF</PmtMtd>", "<PmtMtdX/>"));
  out.push_back(broken("amt-before-pmtid", "<PmtId><EndToEndId>E2E-1-1</EndToEndId></PmtId>",
                       "<Amt><InstdAmt Ccy=\"DKK\">1</InstdAmt></Amt>"
                       "<PmtId><EndToEndId>E2E-1-1</EndToEndId></PmtId>"));
  out.push_back(broken("nb-of-txs-letters", "<NbOfTxs>4</NbOfTxs>", "<NbOfTxs>four</NbOfTxs>"));
  out.push_back(broken("date-30-february", "<Dt>2026-11-25</Dt>", "<Dt>2026-02-30</Dt>"));
  out.push_back(broken("bic-pattern", "DABADKKKXXX", "DABA-DKKK"));
  out.push_back(broken("payment-method", "<PmtMtd>TRF</PmtMtd>", "<PmtMtd>XXX</PmtMtd>"));
  out.push_back(
      broken("two-group-headers", "</GrpHdr>", "</GrpHdr><GrpHdr><MsgId>x</MsgId></GrpHdr>"));
  out.push_back(broken("missing-pmtinfid", "<PmtInfId>PMT-1</PmtInfId>", ""));
  out.push_back(broken("text-after-root", "</Document>\n", "</Document>\ntrailing"));
  out.push_back(broken("truncated", "</Document>\n", "</CstmrCdtTrf"));
  out.push_back(
      broken("element-in-no-namespace", "<PmtMtd>TRF</PmtMtd>", "<PmtMtd xmlns=\"\">TRF</PmtMtd>"));
  out.push_back(broken("bad-utf8", "Boerne-", "B\xC3\x28rne-"));
  out.push_back({"empty", "", false});
  std::string no_pmtinf = base;
  no_pmtinf.erase(no_pmtinf.find("    <PmtInf>"),
                  no_pmtinf.rfind("</PmtInf>\n") + 10 - no_pmtinf.find("    <PmtInf>"));
  out.push_back({"no-pmtinf", no_pmtinf, false});
  return out;
}

TEST(Pain001ReaderDifferentialTest, AcceptsExactlyWhatTheXsdAccepts) {
  TempDir dir;
  std::vector<CorpusFile> corpus = ValidCorpus();
  for (CorpusFile& c : InvalidCorpus()) corpus.push_back(std::move(c));
  int accepted = 0;
  int valid = 0;
  for (const CorpusFile& c : corpus) {
    valid += c.valid ? 1 : 0;
    const std::string path = dir.Write(c.name + ".xml", c.xml);
    Recorder visitor;
    Result<Pain001Totals> read = ReadFile(path, visitor);
    const bool xsd = XsdAccepts(path);
    EXPECT_EQ(xsd, c.valid) << c.name << " (the corpus expectation is wrong)";
    EXPECT_EQ(read.ok(), xsd) << c.name << ": " << read.status().ToString();
    if (!read.ok()) {
      // Every fatal error names the file and a line.
      EXPECT_EQ(read.status().message().rfind(path + ":", 0), 0u) << read.status().message();
    }
    accepted += read.ok() ? 1 : 0;
  }
  EXPECT_EQ(accepted, valid);
  EXPECT_GE(valid, 11);
  EXPECT_GE(corpus.size() - valid, 25u);
}

// Random edits of a valid file: lines dropped, doubled or swapped, tags
// dropped, text replaced by values near the schema's limits, bytes added,
// the file cut short. Seeded: the same mutants on every run.
std::string Mutate(std::string xml, std::mt19937& rng) {
  static const std::vector<std::string> kTexts = {"",
                                                  "x",
                                                  " ",
                                                  "-1",
                                                  "0",
                                                  "1.123456",
                                                  "1.12345",
                                                  "12,50",
                                                  "2026-13-01",
                                                  "2026-02-28",
                                                  "DKK",
                                                  "dkk",
                                                  "TRF",
                                                  "true",
                                                  "99999999999999999999",
                                                  std::string(35, 'a'),
                                                  std::string(36, 'a'),
                                                  std::string(141, 'b'),
                                                  "&amp;",
                                                  "&lt;x&gt;"};
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto line_start = [&](size_t at) { return xml.rfind('\n', at) + 1; };
  const size_t at = pick(xml.size());
  switch (pick(7)) {
    case 0: {  // drop a line
      const size_t b = line_start(at);
      return xml.erase(b, xml.find('\n', at) - b + 1);
    }
    case 1: {  // double a line
      const size_t b = line_start(at);
      return xml.insert(b, xml.substr(b, xml.find('\n', at) - b + 1));
    }
    case 2: {  // swap a line with the next
      const size_t b = line_start(at);
      const size_t e = xml.find('\n', at);
      const size_t e2 = xml.find('\n', e + 1);
      if (e2 == std::string::npos) return xml;
      const std::string first = xml.substr(b, e - b + 1);
      xml.erase(b, e - b + 1);
      return xml.insert(b + (e2 - e), first);
    }
    case 3: {  // drop a tag
      const size_t lt = xml.find('<', at);
      if (lt == std::string::npos) return xml;
      return xml.erase(lt, xml.find('>', lt) - lt + 1);
    }
    case 4: {  // replace a text
      const size_t gt = xml.find('>', at);
      const size_t lt = xml.find('<', gt);
      if (lt == std::string::npos) return xml;
      return xml.replace(gt + 1, lt - gt - 1, kTexts[pick(kTexts.size())]);
    }
    case 5:
      return xml.insert(at, 1, "<>&\"'\x80="[pick(7)]);
    default:
      return xml.substr(0, at);
  }
}

TEST(Pain001ReaderDifferentialTest, AgreesWithTheXsdOnMutatedFiles) {
  TempDir dir;
  FileSpec f = WithOptionalElements();
  f.groups.push_back(GroupSpec{});
  f.groups[1].txs[0].account = BbanAccount(kBban);
  f.groups[1].txs[0].agent = BicAgent(kBic);
  const std::string base = Pain001Xml(f);
  std::mt19937 rng(20261125);
  constexpr int kMutants = 600;
  int accepted = 0;
  for (int i = 0; i < kMutants; ++i) {
    std::string xml = base;
    const int edits = i % 4 == 0 ? 2 : 1;
    for (int e = 0; e < edits; ++e) xml = Mutate(std::move(xml), rng);
    const std::string path = dir.Write(fmt::format("m{}.xml", i), xml);
    Recorder visitor;
    Result<Pain001Totals> read = ReadFile(path, visitor);
    const bool xsd = XsdAccepts(path);
    EXPECT_EQ(read.ok(), xsd) << "mutant " << i << ": " << read.status().ToString() << "\n" << xml;
    accepted += xsd ? 1 : 0;
    fs::remove(path);
  }
  // Both verdicts well represented, or the test proves little.
  EXPECT_GT(accepted, kMutants / 20);
  EXPECT_LT(accepted, kMutants * 9 / 10);
}

// ---- Memory ----------------------------------------------------------------------

long ResidentKiB() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0;
  long pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * (sysconf(_SC_PAGESIZE) / 1024);
}

void ExpectFlatMemory(const TempDir& dir, Pain001ReadMode mode) {
  constexpr size_t kTxs = 60'000;
  const std::string path = (dir.dir() / "big.xml").string();
  {
    // Written in pieces: the test must not hold the file in memory either.
    FileSpec f = Groups(1, 1);
    const std::string whole = Pain001Xml(f);
    const size_t tx_begin = whole.find("      <CdtTrfTxInf>");
    const size_t tx_end = whole.find("    </PmtInf>");
    std::ofstream out(path, std::ios::binary);
    out << Replace(whole.substr(0, tx_begin), "<NbOfTxs>1<", fmt::format("<NbOfTxs>{}<", kTxs));
    for (size_t i = 0; i < kTxs; ++i) out << TxXml(TxSpec{}, 1, i + 1);
    out << whole.substr(tx_end);
  }
  struct Sampler : Pain001Visitor {
    long min_kib = 0;
    long max_kib = 0;
    uint64_t seen = 0;
    bool in_order = true;
    Status OnTransaction(const Pain001Group&, const Pain001Transaction& tx) override {
      ++seen;
      in_order = in_order && tx.index == seen && tx.errors.empty() &&
                 tx.end_to_end_id == fmt::format("E2E-1-{}", seen);
      if (seen % 2000 == 0) {
        const long kib = ResidentKiB();
        if (seen == 10'000) min_kib = max_kib = kib;  // after warm-up
        if (seen > 10'000) {
          min_kib = std::min(min_kib, kib);
          max_kib = std::max(max_kib, kib);
        }
      }
      return Status::Ok();
    }
  } sampler;
  Result<Pain001Reader> reader = Pain001Reader::Open(path);
  ASSERT_TRUE(reader.ok());
  Result<Pain001Totals> r = reader->Read(sampler, mode);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(sampler.seen, kTxs);
  EXPECT_TRUE(sampler.in_order);
  EXPECT_EQ(r->amount_sum, Dec(std::to_string(kTxs * 100)));
  EXPECT_LT(sampler.max_kib - sampler.min_kib, 4 * 1024)
      << "resident memory grew from " << sampler.min_kib << " KiB to " << sampler.max_kib
      << " KiB over " << fs::file_size(path) / 1'000'000 << " MB";
}

TEST(Pain001ReaderStreamingTest, MemoryStaysFlatWhateverTheFileSize) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer holds freed memory in quarantine";
#endif
  TempDir dir;
  ExpectFlatMemory(dir, Pain001ReadMode::kExact);
}

// The fast reader maps the whole file but drops the pages behind it.
TEST(Pain001FastTest, MemoryStaysFlatWhateverTheFileSize) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer holds freed memory in quarantine";
#endif
  TempDir dir;
  ExpectFlatMemory(dir, Pain001ReadMode::kFast);
}

// ---- The fast reader: it decides or gives up, and where it decides, it is exact ----

std::string Dump(const Pain001Declared& d) {
  return fmt::format("count={} sum='{}'", d.tx_count ? std::to_string(*d.tx_count) : "-",
                     d.ctrl_sum);
}
std::string Dump(const std::vector<Pain001FieldError>& errors) {
  std::string out;
  for (const Pain001FieldError& e : errors) {
    out += fmt::format("[{}: {}]", Pain001FieldName(e.field), e.message);
  }
  return out;
}
std::string Dump(const Pain001Totals& t) {
  return fmt::format("n={} sum={}", t.tx_count, t.amount_sum.ToString());
}

std::string LineText(uint64_t line) { return std::to_string(line); }

// Every visitor call with every field, one line each.
struct FullRecorder : Pain001Visitor {
  std::string calls;
  int restarts = 0;
  std::vector<uint64_t> tx_lines;

  Status OnHeader(const Pain001Header& h) override {
    calls += fmt::format("H line={} msg='{}' created='{}' {} sys='{}'\n", LineText(h.line),
                         h.msg_id, h.created, Dump(h.declared), h.initiating_system);
    return Status::Ok();
  }
  Status OnGroup(const Pain001Group& g) override {
    calls += fmt::format(
        "G{} line={} id='{}' {} auth={} pia='{}' los='{}' date={} dbtr='{}'/{} bic='{}' {}\n",
        g.index, LineText(g.line), g.pmt_inf_id, Dump(g.declared), g.authority, g.bank_agreement,
        g.los_unit, g.payout_date ? FormatDate(*g.payout_date) : "-", g.debtor_account_text,
        g.debtor_account ? g.debtor_account->ToString() : "-", g.debtor_agent_bic, Dump(g.errors));
    return Status::Ok();
  }
  Status OnTransaction(const Pain001Group& g, const Pain001Transaction& t) override {
    tx_lines.push_back(t.line);
    calls += fmt::format(
        "T{}.{} line={} e2e='{}' instr='{}' amt='{}' ccy='{}' ore={} purp='{}' rcpt={}:'{}'/{} "
        "acct='{}' bic='{}'/{} rmt='{}' {}\n",
        g.index, t.index, LineText(t.line), t.end_to_end_id, t.instr_id, t.amount_text, t.currency,
        t.amount ? t.amount->ToDecimal() : "-", t.benefit_type, t.recipient_scheme,
        t.recipient_id_text, t.recipient ? t.recipient->Tagged() : "-", t.creditor_account_text,
        t.creditor_bic, t.creditor_account ? t.creditor_account->ToString() : "-",
        t.remittance_text, Dump(t.errors));
    return Status::Ok();
  }
  Status OnGroupEnd(const Pain001Group& g, const Pain001Totals& read) override {
    calls += fmt::format("E{} {}\n", g.index, Dump(read));
    return Status::Ok();
  }
  Status OnRestart() override {
    calls.clear();
    tx_lines.clear();
    ++restarts;
    return Status::Ok();
  }
};

struct Reading {
  Result<Pain001Totals> totals = Status::Internal("not read");
  FullRecorder seen;
  std::string Outcome() const {
    return totals.ok() ? "ok " + Dump(*totals) : totals.status().ToString();
  }
};

Reading ReadWith(const std::string& path, Pain001ReadMode mode) {
  Reading r;
  Result<Pain001Reader> reader = Pain001Reader::Open(path);
  r.totals = reader.ok() ? reader->Read(r.seen, mode) : Result<Pain001Totals>(reader.status());
  return r;
}

// The fast reader's promise for one file: it gives up, or it accepts what
// the exact reader accepts with the very same calls. kAuto is exact's
// verdict always. Returns whether the fast reader decided.
bool ExpectFastAgrees(const std::string& path, const std::string& what) {
  const Reading exact = ReadWith(path, Pain001ReadMode::kExact);
  const Reading fast = ReadWith(path, Pain001ReadMode::kFast);
  const Reading automatic = ReadWith(path, Pain001ReadMode::kAuto);
  EXPECT_EQ(automatic.Outcome(), exact.Outcome()) << what;
  EXPECT_EQ(automatic.seen.calls, exact.seen.calls) << what;
  if (!fast.totals.ok()) {
    EXPECT_EQ(fast.totals.status().code(), Code::kUnavailable) << what << ": " << fast.Outcome();
    EXPECT_EQ(automatic.seen.restarts, 1) << what;
    return false;
  }
  EXPECT_TRUE(exact.totals.ok()) << what << ": the fast reader accepted what the exact one "
                                 << "refused: " << exact.Outcome();
  EXPECT_EQ(fast.Outcome(), exact.Outcome()) << what;
  EXPECT_EQ(fast.seen.calls, exact.seen.calls) << what;
  EXPECT_EQ(automatic.seen.restarts, 0) << what;
  return true;
}

TEST(Pain001FastTest, AgreesWithTheExactReaderOnTheCorpus) {
  TempDir dir;
  int decided_valid = 0;
  for (const CorpusFile& c : ValidCorpus()) {
    decided_valid += ExpectFastAgrees(dir.Write(c.name + ".xml", c.xml), c.name) ? 1 : 0;
  }
  for (const CorpusFile& c : InvalidCorpus()) {
    EXPECT_FALSE(ExpectFastAgrees(dir.Write(c.name + ".xml", c.xml), c.name)) << c.name;
  }
  // minimal, multiple-pmtinf, complete, companies, 3 decimals, one line.
  EXPECT_GE(decided_valid, 6);
}

TEST(Pain001FastTest, DecidesTheProfilesOrdinaryShapes) {
  TempDir dir;
  FileSpec f = Groups(2, 3);
  f.ctrl_sum = "600.00";
  f.groups[0].counts = "<BtchBookg>false</BtchBookg><NbOfTxs>3</NbOfTxs><CtrlSum>300.0</CtrlSum>";
  f.groups[0].txs[0].pmt_id_extra = "<InstrId>INSTR-1</InstrId>";
  f.groups[0].txs[1].remittance =
      "<RmtInf><Ustrd>Første linje æøå €</Ustrd><Ustrd>2</Ustrd></RmtInf>";
  f.groups[0].txs[2].creditor = CompanyCreditor(kCvr, "CVR");
  f.groups[1].txs[0].account = IbanAccount(kForeignIban);
  f.groups[1].txs[0].agent = BicAgent(kBic);
  f.groups[1].txs[1].amount = "0.5";
  f.groups[1].txs[2].purpose = "<Purp><Cd>GOVT</Cd></Purp>";        // a per-payment error
  f.groups[1].execution = "<DtTm>2026-11-25T09:00:00.123Z</DtTm>";  // a per-group error
  const std::string xml = Pain001Xml(f);
  EXPECT_TRUE(ExpectFastAgrees(dir.Write("ordinary.xml", xml), "ordinary"));
  const Reading fast = ReadWith((dir.dir() / "ordinary.xml").string(), Pain001ReadMode::kFast);
  EXPECT_NE(fast.seen.calls.find("rmt='Første linje æøå €\n2'"), std::string::npos)
      << fast.seen.calls;
}

TEST(Pain001FastTest, GivesUpOnWhatItDoesNotTakeAsItIs) {
  TempDir dir;
  const std::string base = Pain001Xml(Groups(1, 2));
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"Boerne-", "Boerne &nbsp; "},      // an undeclared entity
      {"Boerne-", "Boerne &#0; "},        // not a character
      {"Boerne-", "<![CDATA[Boerne]]>"},  // CDATA
      {"Boerne-", "Boerne ]]> "},         // not well-formed
      {"<PmtMtd>TRF</PmtMtd>", "<PmtMtd>TRF</PmtMtd><!-- c -->"},
      {"<PmtMtd>TRF</PmtMtd>", "<PmtMtd>TRF</PmtMtd><?pi x?>"},
      {"\n  <CstmrCdtTrfInitn>", "\r\n  <CstmrCdtTrfInitn>"},
      {"encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\""},
      {"<MsgId>", "<MsgId\n>"},
      {"</GrpHdr>", "</GrpHdr><PmtInfX/>"},
      {"    </PmtInf>\n", "    </PmtInf>\n  <SplmtryData><Envlp/></SplmtryData>\n"},
      {"<CreDtTm>2026-11-20T10:00:00+01:00", "<CreDtTm>2026-11-20T10:00:00+14:00"},
      {"<InstdAmt Ccy=\"DKK\">", "<InstdAmt Ccy=\"DKK\" Ccy=\"DKK\">"},
      {"<InstdAmt Ccy=\"DKK\">", "<InstdAmt Ccy=\"DKK\"Foo=\"1\">"},
      {"<EndToEndId>E2E-1-1",
       "<EndToEndId>&#49;&#50;&#51;&#52;&#53;&#54;&#55;&#56;&#57;"
       "&#48;&#49;&#50;&#51;&#52;&#53;&#54;&#55;&#56;&#57;&#48;&#49;&#50;&#51;&#52;&#53;&#54;"
       "&#55;&#56;&#57;&#48;&#49;&#50;&#51;&#52;&#53;&#54;"},  // 36 characters
  };
  for (const auto& [from, to] : edits) {
    const std::string xml = Replace(base, from, to);
    const std::string path = dir.Write("edit.xml", xml);
    EXPECT_FALSE(ExpectFastAgrees(path, to)) << to;
  }
  EXPECT_FALSE(ExpectFastAgrees(dir.Write("prefixed.xml", Prefixed(base)), "prefixed"));
  // Decided: references and '>' are decoded, leading zeros counted.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"Boerne-", "Boerne &amp; &lt;&gt;&quot;&apos; &#65;&#x42;&#xe6;&#x1F600; > "},
           {"<InstdAmt Ccy=\"DKK\">100.00", "<InstdAmt Ccy=\"DKK\">0100.00"},
           {"<EndToEndId>E2E-1-1", "<EndToEndId>&#x45;2E-1-1"},
       }) {
    EXPECT_TRUE(ExpectFastAgrees(dir.Write("edit.xml", Replace(base, from, to)), to)) << to;
  }
  EXPECT_FALSE(ExpectFastAgrees(dir.Write("bom.xml", "\xEF\xBB\xBF" + base), "bom"));
}

TEST(Pain001FastTest, AgreesWithTheExactReaderOnMutatedFiles) {
  TempDir dir;
  FileSpec f = Groups(2, 2);
  f.groups[1].txs[0].account = BbanAccount(kBban);
  f.groups[1].txs[0].agent = BicAgent(kBic);
  f.groups[1].txs[1].creditor = CompanyCreditor(kSe, "SE");
  const std::string base = Pain001Xml(f);
  std::mt19937 rng(20261202);
  constexpr int kMutants = 800;
  int decided = 0;
  int xsd_valid = 0;
  for (int i = 0; i < kMutants; ++i) {
    std::string xml = base;
    const int edits = i % 4 == 0 ? 2 : 1;
    for (int e = 0; e < edits; ++e) xml = Mutate(std::move(xml), rng);
    const std::string path = dir.Write(fmt::format("m{}.xml", i), xml);
    const bool fast_decided = ExpectFastAgrees(path, fmt::format("mutant {}:\n{}", i, xml));
    decided += fast_decided ? 1 : 0;
    if (fast_decided) {
      EXPECT_TRUE(XsdAccepts(path)) << "mutant " << i << " accepted by the fast reader:\n" << xml;
    }
    xsd_valid += ReadWith(path, Pain001ReadMode::kExact).totals.ok() ? 1 : 0;
    fs::remove(path);
  }
  // It is really used: most valid mutants are decided fast.
  RecordProperty("fast_decided", decided);
  RecordProperty("xsd_valid", xsd_valid);
  EXPECT_GT(decided, xsd_valid / 2);
  EXPECT_GT(decided, kMutants / 20);
}

TEST(Pain001FastTest, CountsLinesPast65535) {
  TempDir dir;
  const std::string xml = Pain001Xml(Groups(20, 400));  // ~100k lines
  const std::string path = dir.Write("long.xml", xml);
  EXPECT_TRUE(ExpectFastAgrees(path, "long"));
  const Reading fast = ReadWith(path, Pain001ReadMode::kFast);
  ASSERT_EQ(fast.seen.tx_lines.size(), 8000u);
  EXPECT_GT(fast.seen.tx_lines.back(), 65535u);
  EXPECT_EQ(fast.seen.tx_lines.back(), LineOf(xml, "<EndToEndId>E2E-20-400<") - 1);
  EXPECT_EQ(fast.seen.tx_lines[7000], LineOf(xml, "<EndToEndId>E2E-18-201<") - 1);
  // No white space before the transactions: no text node to place them by.
  std::string packed = xml;
  for (size_t at = 0; (at = packed.find("\n      <CdtTrfTxInf>", at)) != std::string::npos;) {
    packed.erase(at, 7);
  }
  EXPECT_TRUE(ExpectFastAgrees(dir.Write("packed.xml", packed), "packed"));
}

// A visitor that cannot start over gets kUnavailable from kAuto where the
// fast reader gives up, and the reader may then be read exactly.
TEST(Pain001FastTest, AutoWithoutRestartLeavesTheRerunToTheCaller) {
  TempDir dir;
  const std::string path =
      dir.Write("comment.xml", Replace(Pain001Xml(FileSpec{}), "<PmtMtd>", "<!-- c --><PmtMtd>"));
  Result<Pain001Reader> reader = Pain001Reader::Open(path);
  ASSERT_TRUE(reader.ok());
  Recorder plain;
  Result<Pain001Totals> first = reader->Read(plain, Pain001ReadMode::kAuto);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), Code::kUnavailable) << first.status().ToString();
  Recorder again;
  Result<Pain001Totals> second = reader->Read(again, Pain001ReadMode::kExact);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(again.events, "H G1 T1.1 E1(1) ");
  EXPECT_FALSE(reader->Read(again, Pain001ReadMode::kExact).ok());  // and then no more
}

// A payment file cut short after Open() (the sender overwrites it while NKS
// reads): the fast reader's mapping reads zeros past the new end instead of
// dying with SIGBUS, and the read fails as an I/O error naming the file.
TEST(Pain001FastTest, AFileTruncatedUnderTheReaderIsAnIoErrorNotACrash) {
  TempDir dir;
  const std::string path = dir.Write("in.xml", Pain001Xml(Groups(3, 2000)));
  Result<Pain001Reader> reader = Pain001Reader::Open(path);
  ASSERT_TRUE(reader.ok());
  ASSERT_GT(reader->file_bytes(), 64u * 1024);
  ASSERT_EQ(::truncate(path.c_str(), 16 * 1024), 0);
  FullRecorder visitor;
  Result<Pain001Totals> read = reader->Read(visitor, Pain001ReadMode::kFast);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Code::kIoError) << read.status().ToString();
  EXPECT_NE(read.status().message().find("shrank while it was being read"), std::string::npos)
      << read.status().ToString();
}

TEST(Pain001FastTest, PassesOnTheVisitorsError) {
  struct Failing : FullRecorder {
    Status OnTransaction(const Pain001Group&, const Pain001Transaction&) override {
      return Status::AlreadyExists("stop here");
    }
  };
  TempDir dir;
  const std::string path = dir.Write("in.xml", Pain001Xml(Groups(1, 3)));
  Result<Pain001Reader> reader = Pain001Reader::Open(path);
  ASSERT_TRUE(reader.ok());
  Failing visitor;
  Result<Pain001Totals> read = reader->Read(visitor, Pain001ReadMode::kFast);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(visitor.restarts, 0);
}

// The generator's ordinary files (every kind of its default mix, several
// seeds and sizes, lines past 65535): the fast reader decides them all, and
// exactly.
TEST(Pain001FastTest, DecidesEveryGeneratedFileExactly) {
  TempDir dir;
  gen::PopulationOptions population;
  population.persons = 2000;
  population.companies = 100;
  population.seed = 3;
  ASSERT_TRUE(gen::GeneratePopulation(population, dir.dir() / "pop").ok());
  for (const auto& [count, seed] :
       std::vector<std::pair<uint64_t, uint64_t>>{{1, 1}, {50, 2}, {4000, 3}, {12000, 4}}) {
    gen::PaymentsOptions options;
    options.count = count;
    options.seed = seed;
    options.population_dir = dir.dir() / "pop";
    const fs::path file = dir.dir() / fmt::format("gen-{}.xml", count);
    Result<gen::PaymentsReport> report = gen::GeneratePayments(options, file);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(ExpectFastAgrees(file.string(), file.string()))
        << ReadWith(file.string(), Pain001ReadMode::kFast).Outcome();
    fs::remove(file);
  }
}

// The fuzzer's seeds: the same promise; the valid ones in UTF-8 are decided.
TEST(Pain001FastTest, AgreesWithTheExactReaderOnTheFuzzSeeds) {
  int decided = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(NKS_SOURCE_DIR) / "fuzz/corpus/pain001")) {
    const std::string name = entry.path().filename().string();
    const bool fast = ExpectFastAgrees(entry.path().string(), name);
    if (name.rfind("generated-", 0) == 0 || name.rfind("fast-", 0) == 0) {
      EXPECT_TRUE(fast) << name << ": "
                        << ReadWith(entry.path().string(), Pain001ReadMode::kFast).Outcome();
      ++decided;
    }
  }
  EXPECT_GE(decided, 4);
}

}  // namespace
}  // namespace nks::iso20022
