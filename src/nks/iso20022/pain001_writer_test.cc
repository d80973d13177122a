#include "nks/iso20022/pain001_writer.h"
#include "nks/iso20022/xsd_check.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sys/resource.h>
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
std::string SchemaErrors(const fs::path& file, const std::string& xsd) {
  return iso20022::SchemaErrors(file.string(), xsd);
}

// The text of every node `xpath` selects; "p:" is the pain.001 namespace.
std::vector<std::string> Select(const fs::path& file, const std::string& xpath) {
  std::vector<std::string> out;
  xmlDocPtr doc = xmlReadFile(file.c_str(), nullptr, XML_PARSE_NONET);
  if (doc == nullptr) return out;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathRegisterNs(ctx, BAD_CAST "p", BAD_CAST std::string(kPain001Namespace).c_str());
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

int64_t ParseOre(const std::string& decimal) {
  Result<AmountOre> amount = AmountOre::ParseDecimal(decimal);
  EXPECT_TRUE(amount.ok()) << decimal;
  return amount.ok() ? amount->ore() : -1;
}

long MaxRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// ---- Synthetic data ---------------------------------------------------------

Account DanishAccountOf(uint64_t account) { return *DanishAccount::Of(1551, account); }

Account ForeignAccountOf(bool with_bic) {
  ForeignAccount foreign{.iban = *Iban::Parse("DE89370400440532013000"), .bic = std::nullopt};
  if (with_bic) foreign.bic = *Bic::Parse("COBADEFFXXX");
  return foreign;
}

BankFileHeader Header(uint64_t count, int64_t sum_ore) {
  return BankFileHeader{.message_id = "NKS-PIA4711-20261126-0001",
                        .created_at = sys_days(2026y / 11 / 25) + 5h,
                        .nks_id = "12345678",
                        .transaction_count = count,
                        .control_sum_ore = sum_ore};
}

BankFilePaymentGroup Group(uint64_t count, int64_t sum_ore, std::string debit_bank = "1551") {
  return BankFilePaymentGroup{.payment_info_id = "PIA4711-20261126-1",
                              .payout_date = 2026y / 11 / 26,
                              .authority_name = "Testkommune Ydelser",
                              .authority_agreement = 4711,
                              .bank_agreement = "PIA4711",
                              .debit_account = DanishAccountOf(9876543),
                              .debit_bank = std::move(debit_bank),
                              .los_unit = "LOS-0042",
                              .transaction_count = count,
                              .control_sum_ore = sum_ore};
}

BankFileTransaction Tx(uint64_t n, int64_t ore, Account account) {
  return BankFileTransaction{.payment_id = fmt::format("NKS{:012}", n),
                             .end_to_end_id = fmt::format("E2E-{}", n),
                             .amount = *AmountOre::Of(ore),
                             .currency = "DKK",
                             .benefit_type = "KONTANTHJ",
                             .creditor_name = "Test Testesen",
                             .creditor_account = std::move(account),
                             .remittance_text = "Kontanthjælp november 2026"};
}

class Pain001WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           fmt::format("nks_pain001_writer_test_{}_{}", getpid(), counter++);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A file with one group of `amounts` to Danish accounts.
  Status WriteOneGroup(const fs::path& path, const std::vector<int64_t>& amounts) {
    int64_t sum = 0;
    for (int64_t a : amounts) sum += a;
    NKS_ASSIGN_OR_RETURN(Pain001Writer writer,
                         Pain001Writer::Begin(path, Header(amounts.size(), sum)));
    NKS_RETURN_IF_ERROR(writer.BeginGroup(Group(amounts.size(), sum)));
    for (size_t i = 0; i < amounts.size(); ++i) {
      NKS_RETURN_IF_ERROR(writer.Add(Tx(i + 1, amounts[i], DanishAccountOf(123456 + i))));
    }
    return writer.Finish();
  }

  // Two groups: Danish accounts from a bank known by registration number,
  // foreign accounts from a bank known by BIC.
  Status WriteMixed(const fs::path& path) {
    NKS_ASSIGN_OR_RETURN(Pain001Writer writer,
                         Pain001Writer::Begin(path, Header(4, 10'000 + 250 + 99'999 + 1)));
    NKS_RETURN_IF_ERROR(writer.BeginGroup(Group(2, 10'250)));
    NKS_RETURN_IF_ERROR(writer.Add(Tx(1, 10'000, DanishAccountOf(123456))));
    NKS_RETURN_IF_ERROR(writer.Add(Tx(2, 250, DanishAccountOf(42))));
    BankFilePaymentGroup foreign = Group(2, 100'000, "DABADKKK");
    foreign.payment_info_id = "PIA4711-20261126-2";
    foreign.los_unit.clear();
    NKS_RETURN_IF_ERROR(writer.BeginGroup(foreign));
    NKS_RETURN_IF_ERROR(writer.Add(Tx(3, 99'999, ForeignAccountOf(true))));
    BankFileTransaction no_bic = Tx(4, 1, ForeignAccountOf(false));
    no_bic.currency = "EUR";
    no_bic.creditor_name.clear();
    no_bic.remittance_text.clear();
    NKS_RETURN_IF_ERROR(writer.Add(no_bic));
    return writer.Finish();
  }

  fs::path dir_;
};

constexpr char kXsd[] = "pain.001.001.10.xsd";

// ---- Schema validity and content ----------------------------------------------

TEST_F(Pain001WriterTest, WritesSchemaValidFile) {
  const fs::path path = dir_ / "bank.xml";
  ASSERT_TRUE(WriteMixed(path).ok());
  EXPECT_EQ(SchemaErrors(path, kXsd), "");
  EXPECT_EQ(Select(path, "//p:GrpHdr/p:NbOfTxs"), std::vector<std::string>{"4"});
  EXPECT_EQ(Select(path, "//p:GrpHdr/p:CreDtTm"),
            std::vector<std::string>{"2026-11-25T06:00:00+01:00"});
  EXPECT_EQ(Select(path, "//p:InitgPty/p:Nm"), std::vector<std::string>{"NemKonto-systemet"});
  EXPECT_EQ(Select(path, "//p:PmtInf/p:ReqdExctnDt/p:Dt")[0], "2026-11-26");
  EXPECT_EQ(Select(path, "//p:PmtInf[1]/p:Dbtr/p:Id/p:OrgId/p:Othr/p:SchmeNm/p:Prtry"),
            (std::vector<std::string>{"NKS", "PIA"}));
  EXPECT_EQ(Select(path, "//p:PmtInf[1]/p:Dbtr/p:Id/p:OrgId/p:Othr/p:Id"),
            (std::vector<std::string>{"4711", "PIA4711"}));
  EXPECT_EQ(Select(path, "//p:PmtInf/p:UltmtDbtr//p:Othr/p:Id"),
            std::vector<std::string>{"LOS-0042"});
  EXPECT_EQ(Select(path, "//p:PmtInf[1]/p:DbtrAgt/p:FinInstnId/p:Othr/p:Id"),
            std::vector<std::string>{"1551"});
  EXPECT_EQ(Select(path, "//p:PmtInf[2]/p:DbtrAgt/p:FinInstnId/p:BICFI"),
            std::vector<std::string>{"DABADKKK"});
  EXPECT_EQ(Select(path, "//p:PmtInf[1]/p:DbtrAcct/p:Id/p:Othr/p:Id"),
            std::vector<std::string>{"15510009876543"});
  EXPECT_EQ(Select(path, "//p:CdtTrfTxInf/p:PmtId/p:InstrId")[0], "NKS000000000001");
  EXPECT_EQ(Select(path, "//p:CdtTrfTxInf/p:PmtId/p:EndToEndId")[0], "E2E-1");
  EXPECT_EQ(Select(path, "//p:CdtTrfTxInf/p:Purp/p:Prtry").size(), 4u);
  EXPECT_EQ(Select(path, "//p:CdtTrfTxInf/p:RmtInf/p:Ustrd")[0], "Kontanthjælp november 2026");
}

TEST_F(Pain001WriterTest, WritesDanishAccountsAsBbanAndForeignOnesAsIbanWithBic) {
  const fs::path path = dir_ / "bank.xml";
  ASSERT_TRUE(WriteMixed(path).ok());
  EXPECT_EQ(Select(path, "//p:PmtInf[1]/p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:Othr/p:Id"),
            (std::vector<std::string>{"15510000123456", "15510000000042"}));
  EXPECT_EQ(Select(path, "//p:PmtInf[1]/p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Prtry"),
            (std::vector<std::string>{"BBAN", "BBAN"}));
  EXPECT_TRUE(Select(path, "//p:PmtInf[1]/p:CdtTrfTxInf/p:CdtrAgt").empty());
  EXPECT_EQ(Select(path, "//p:PmtInf[2]/p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN"),
            (std::vector<std::string>{"DE89370400440532013000", "DE89370400440532013000"}));
  // The BIC where known; a foreign account without one goes by IBAN alone.
  EXPECT_EQ(Select(path, "//p:CdtTrfTxInf/p:CdtrAgt/p:FinInstnId/p:BICFI"),
            std::vector<std::string>{"COBADEFFXXX"});
  EXPECT_EQ(Select(path, "//p:PmtInf[2]/p:CdtTrfTxInf[2]/p:Amt/p:InstdAmt/@Ccy"),
            std::vector<std::string>{"EUR"});
  EXPECT_TRUE(Select(path, "//p:PmtInf[2]/p:CdtTrfTxInf[2]/p:Cdtr").empty());
  EXPECT_TRUE(Select(path, "//p:PmtInf[2]/p:CdtTrfTxInf[2]/p:RmtInf").empty());
}

TEST_F(Pain001WriterTest, FormatsAmountsWithExactlyTwoDecimals) {
  const fs::path path = dir_ / "bank.xml";
  ASSERT_TRUE(WriteOneGroup(path, {1, 123456, 100, 10, AmountOre::kMaxOre}).ok());
  EXPECT_EQ(SchemaErrors(path, kXsd), "");
  EXPECT_EQ(Select(path, "//p:InstdAmt"),
            (std::vector<std::string>{"0.01", "1234.56", "1.00", "0.10", "999999999999.99"}));
  EXPECT_EQ(Select(path, "//p:InstdAmt/@Ccy")[0], "DKK");
}

TEST_F(Pain001WriterTest, ControlSumsEqualTheSumOfTheAmounts) {
  const fs::path path = dir_ / "bank.xml";
  ASSERT_TRUE(WriteMixed(path).ok());
  int64_t sum = 0;
  for (const std::string& amount : Select(path, "//p:InstdAmt")) sum += ParseOre(amount);
  EXPECT_EQ(sum, 110'250);
  EXPECT_EQ(Select(path, "//p:GrpHdr/p:CtrlSum"), std::vector<std::string>{"1102.50"});
  int64_t group_sum = 0;
  for (const std::string& amount : Select(path, "//p:PmtInf[1]//p:InstdAmt"))
    group_sum += ParseOre(amount);
  EXPECT_EQ(Select(path, "//p:PmtInf/p:CtrlSum"), (std::vector<std::string>{"102.50", "1000.00"}));
  EXPECT_EQ(group_sum, 10'250);
  EXPECT_EQ(Select(path, "//p:PmtInf/p:NbOfTxs"), (std::vector<std::string>{"2", "2"}));
}

TEST_F(Pain001WriterTest, SameInputGivesByteIdenticalFiles) {
  ASSERT_TRUE(WriteMixed(dir_ / "first.xml").ok());
  ASSERT_TRUE(WriteMixed(dir_ / "second.xml").ok());
  const std::string first = ReadFile(dir_ / "first.xml");
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, ReadFile(dir_ / "second.xml"));
  EXPECT_EQ(first.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
}

TEST_F(Pain001WriterTest, SchemaCheckCatchesAnInvalidFile) {
  // Guards the guard: an empty message must not pass as valid.
  const fs::path path = dir_ / "invalid.xml";
  std::ofstream(path) << "<?xml version=\"1.0\"?><Document xmlns=\"" << kPain001Namespace
                      << "\"><CstmrCdtTrfInitn/></Document>";
  EXPECT_NE(SchemaErrors(path, kXsd), "");
}

// ---- Text: escaping, UTF-8, limits ---------------------------------------------------

TEST_F(Pain001WriterTest, EscapesMarkupCharactersInNamesAndText) {
  const fs::path path = dir_ / "bank.xml";
  const std::string name = "Ærø & <Søn> \"A/S\" 'Øst'";
  const std::string text = "a<b & c>d \"q\" 'x' ]]> &amp;";
  {
    Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(1, 500));
    ASSERT_TRUE(writer.ok());
    BankFilePaymentGroup group = Group(1, 500);
    group.authority_name = "Kommune <&> \"'";
    ASSERT_TRUE(writer->BeginGroup(group).ok());
    BankFileTransaction tx = Tx(1, 500, DanishAccountOf(1));
    tx.creditor_name = name;
    tx.remittance_text = text;
    tx.end_to_end_id = "E2E&<1>";
    ASSERT_TRUE(writer->Add(tx).ok());
    ASSERT_TRUE(writer->Finish().ok());
  }
  EXPECT_EQ(SchemaErrors(path, kXsd), "");
  EXPECT_EQ(Select(path, "//p:Cdtr/p:Nm"), std::vector<std::string>{name});
  EXPECT_EQ(Select(path, "//p:RmtInf/p:Ustrd"), std::vector<std::string>{text});
  EXPECT_EQ(Select(path, "//p:Dbtr/p:Nm"), std::vector<std::string>{"Kommune <&> \"'"});
  EXPECT_EQ(Select(path, "//p:EndToEndId"), std::vector<std::string>{"E2E&<1>"});
  const std::string bytes = ReadFile(path);
  EXPECT_NE(bytes.find("<Nm>Ærø &amp; &lt;Søn&gt; &quot;A/S&quot; &apos;Øst&apos;</Nm>"),
            std::string::npos);
  EXPECT_NE(bytes.find("]]&gt; &amp;amp;"), std::string::npos);
}

TEST_F(Pain001WriterTest, RefusesControlCharactersAndLeavesNoFile) {
  for (const std::string& bad :
       {std::string("line\nbreak"), std::string("tab\there"), std::string("nul\0x", 5),
        std::string("del\x7f"), std::string("c1 \xc2\x85 next line")}) {
    const fs::path path = dir_ / "bank.xml";
    Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(1, 500));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->BeginGroup(Group(1, 500)).ok());
    BankFileTransaction tx = Tx(1, 500, DanishAccountOf(1));
    tx.remittance_text = bad;
    const Status added = writer->Add(tx);
    EXPECT_EQ(added.code(), Code::kInvalidArgument);
    EXPECT_NE(added.message().find("RmtInf/Ustrd: control character"), std::string::npos)
        << added.message();
    // The writer stays failed: Finish reports the first error, and no file appears.
    EXPECT_EQ(writer->Finish().message(), added.message());
    EXPECT_TRUE(DirEntries(dir_).empty());
  }
}

TEST_F(Pain001WriterTest, RefusesInvalidUtf8) {
  for (const std::string& bad : {std::string("\xff"), std::string("\xc3"),  // bad lead, truncated
                                 std::string("\xc0\xaf"),                   // overlong '/'
                                 std::string("\xed\xa0\x80"),               // surrogate
                                 std::string("\xef\xbf\xbe")}) {            // U+FFFE
    BankFileTransaction tx = Tx(1, 500, DanishAccountOf(1));
    tx.creditor_name = "Test " + bad;
    EXPECT_EQ(CheckBankFileTransaction(tx).code(), Code::kInvalidArgument) << bad;
  }
}

TEST_F(Pain001WriterTest, RefusesRemittanceTextOver140Characters) {
  BankFileTransaction tx = Tx(1, 500, DanishAccountOf(1));
  // The schema counts characters, not bytes: 140 "ø" are 280 bytes and fit.
  tx.remittance_text.clear();
  for (int i = 0; i < 140; ++i) tx.remittance_text += "ø";
  EXPECT_TRUE(CheckBankFileTransaction(tx).ok());
  tx.remittance_text += "x";
  const Status status = CheckBankFileTransaction(tx);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "RmtInf/Ustrd: 141 characters, at most 140");

  const fs::path path = dir_ / "bank.xml";
  Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(1, 500));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup(Group(1, 500)).ok());
  EXPECT_EQ(writer->Add(tx).message(),
            "pain.001 transaction 1: RmtInf/Ustrd: 141 characters, at most 140");
}

TEST_F(Pain001WriterTest, RefusesFieldsThatDoNotFitTheirElements) {
  BankFileTransaction tx = Tx(1, 500, DanishAccountOf(1));
  tx.end_to_end_id = std::string(36, 'E');
  EXPECT_EQ(CheckBankFileTransaction(tx).message(), "PmtId/EndToEndId: 36 characters, at most 35");
  tx = Tx(1, 500, DanishAccountOf(1));
  tx.benefit_type = "";
  EXPECT_EQ(CheckBankFileTransaction(tx).message(), "Purp/Prtry: empty");
  tx = Tx(1, 500, DanishAccountOf(1));
  tx.currency = "dkk";
  EXPECT_EQ(CheckBankFileTransaction(tx).code(), Code::kInvalidArgument);

  const fs::path path = dir_ / "bank.xml";
  EXPECT_EQ(Pain001Writer::Begin(path, Header(0, 500)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Pain001Writer::Begin(path, Header(1, 0)).status().code(), Code::kInvalidArgument);
  BankFileHeader header = Header(1, 500);
  header.message_id = std::string(36, 'M');
  EXPECT_EQ(Pain001Writer::Begin(path, header).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(DirEntries(dir_).empty());

  for (auto change : std::vector<void (*)(BankFilePaymentGroup&)>{
           [](BankFilePaymentGroup& g) { g.authority_agreement = 0; },
           [](BankFilePaymentGroup& g) { g.authority_agreement = 100'000'000; },
           [](BankFilePaymentGroup& g) { g.debit_bank = "155"; },
           [](BankFilePaymentGroup& g) { g.debit_bank = "NOTABIC!"; },
           [](BankFilePaymentGroup& g) { g.payout_date = 2026y / 2 / 30; },
           [](BankFilePaymentGroup& g) { g.transaction_count = 0; },
           [](BankFilePaymentGroup& g) { g.authority_name = std::string(141, 'a'); }}) {
    Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(1, 500));
    ASSERT_TRUE(writer.ok());
    BankFilePaymentGroup group = Group(1, 500);
    change(group);
    EXPECT_EQ(writer->BeginGroup(group).code(), Code::kInvalidArgument);
  }
  EXPECT_TRUE(DirEntries(dir_).empty());
}

// ---- Atomicity -------------------------------------------------------------------

TEST_F(Pain001WriterTest, TargetAppearsOnlyWhenFinishedAndNoTemporaryFileIsLeft) {
  const fs::path path = dir_ / "bank.xml";
  Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(2, 300));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup(Group(2, 300)).ok());
  ASSERT_TRUE(writer->Add(Tx(1, 100, DanishAccountOf(1))).ok());
  ASSERT_TRUE(writer->Add(Tx(2, 200, DanishAccountOf(2))).ok());
  EXPECT_FALSE(fs::exists(path));
  const std::vector<std::string> during = DirEntries(dir_);
  ASSERT_EQ(during.size(), 1u);
  EXPECT_EQ(during[0].rfind(".bank.xml.tmp", 0), 0u) << during[0];
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(DirEntries(dir_), std::vector<std::string>{"bank.xml"});
  EXPECT_EQ(SchemaErrors(path, kXsd), "");
}

TEST_F(Pain001WriterTest, AbandonedWriterLeavesNothing) {
  const fs::path path = dir_ / "bank.xml";
  {
    Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(2, 300));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->BeginGroup(Group(2, 300)).ok());
    ASSERT_TRUE(writer->Add(Tx(1, 100, DanishAccountOf(1))).ok());
  }
  EXPECT_TRUE(DirEntries(dir_).empty());
}

TEST_F(Pain001WriterTest, ReplacesAnEarlierFileWhole) {
  const fs::path path = dir_ / "bank.xml";
  { std::ofstream(path) << "old contents"; }
  Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(1, 100));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->BeginGroup(Group(1, 100)).ok());
  ASSERT_TRUE(writer->Add(Tx(1, 100, DanishAccountOf(1))).ok());
  EXPECT_EQ(ReadFile(path), "old contents");  // untouched until Finish
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(SchemaErrors(path, kXsd), "");
  EXPECT_EQ(DirEntries(dir_), std::vector<std::string>{"bank.xml"});
}

TEST_F(Pain001WriterTest, ReportsAnUnwritableDirectory) {
  const Result<Pain001Writer> writer =
      Pain001Writer::Begin(dir_ / "missing" / "bank.xml", Header(1, 100));
  EXPECT_EQ(writer.status().code(), Code::kIoError);
}

// ---- Scale -----------------------------------------------------------------------

TEST_F(Pain001WriterTest, Streams100000TransactionsInSmallMemory) {
  constexpr uint64_t kTransactions = 100'000;
  constexpr uint64_t kGroups = 4;
  constexpr long kRssGrowthMaxKib = 16 * 1024;  // the file is ~70 MB
  const fs::path path = dir_ / "large.xml";
  auto amount = [](uint64_t n) { return static_cast<int64_t>(1 + n % 1'000'000); };
  int64_t sums[kGroups] = {};
  for (uint64_t n = 0; n < kTransactions; ++n) sums[n % kGroups] += amount(n);
  const long rss_before_kib = MaxRssKib();
  {
    Result<Pain001Writer> writer =
        Pain001Writer::Begin(path, Header(kTransactions, sums[0] + sums[1] + sums[2] + sums[3]));
    ASSERT_TRUE(writer.ok());
    for (uint64_t g = 0; g < kGroups; ++g) {
      BankFilePaymentGroup group = Group(kTransactions / kGroups, sums[g]);
      group.payment_info_id = fmt::format("PIA4711-20261126-{}", g + 1);
      ASSERT_TRUE(writer->BeginGroup(group).ok());
      for (uint64_t n = g; n < kTransactions; n += kGroups) {
        ASSERT_TRUE(writer->Add(Tx(n, amount(n), DanishAccountOf(1'000'000 + n))).ok());
      }
    }
    ASSERT_TRUE(writer->Finish().ok());
  }
  EXPECT_LT(MaxRssKib() - rss_before_kib, kRssGrowthMaxKib);
  EXPECT_GT(fs::file_size(path), kTransactions * 400);  // ~420 bytes a transaction
  EXPECT_EQ(SchemaErrors(path, kXsd), "");
  EXPECT_EQ(DirEntries(dir_), std::vector<std::string>{"large.xml"});
}

// ---- Invariants ---------------------------------------------------------------------

using Pain001WriterDeathTest = Pain001WriterTest;

TEST_F(Pain001WriterDeathTest, FewerTransactionsThanAnnouncedStopTheProcess) {
  const fs::path path = dir_ / "bank.xml";
  EXPECT_DEATH(
      {
        Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(2, 300));
        (void)writer->BeginGroup(Group(2, 300));
        (void)writer->Add(Tx(1, 100, DanishAccountOf(1)));
        (void)writer->Finish();
      },
      "invariant violated.*Complete");
}

TEST_F(Pain001WriterDeathTest, MoreThanAnnouncedStopsTheProcess) {
  const fs::path path = dir_ / "bank.xml";
  EXPECT_DEATH(
      {
        Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(1, 100));
        (void)writer->BeginGroup(Group(1, 100));
        (void)writer->Add(Tx(1, 100, DanishAccountOf(1)));
        (void)writer->Add(Tx(2, 100, DanishAccountOf(2)));
      },
      "invariant violated.*count_written < group_.count_announced");
}

TEST_F(Pain001WriterDeathTest, AGroupWithALargerSumThanAnnouncedStopsTheProcess) {
  const fs::path path = dir_ / "bank.xml";
  EXPECT_DEATH(
      {
        Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(2, 300));
        (void)writer->BeginGroup(Group(2, 300));
        (void)writer->Add(Tx(1, 250, DanishAccountOf(1)));
        (void)writer->Add(Tx(2, 100, DanishAccountOf(2)));
      },
      "invariant violated.*sum_announced_ore");
}

TEST_F(Pain001WriterDeathTest, GroupsAnnouncingMoreThanTheFileStopTheProcess) {
  const fs::path path = dir_ / "bank.xml";
  EXPECT_DEATH(
      {
        Result<Pain001Writer> writer = Pain001Writer::Begin(path, Header(1, 300));
        (void)writer->BeginGroup(Group(2, 300));
      },
      "invariant violated");
}

}  // namespace
}  // namespace nks::iso20022
