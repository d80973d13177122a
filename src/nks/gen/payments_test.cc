#include "nks/gen/payments.h"
#include "nks/iso20022/xsd_check.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <unistd.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "nks/authority/config.h"
#include "nks/core/account.h"
#include "nks/core/csv.h"
#include "nks/core/file.h"
#include "nks/core/ids.h"
#include "nks/core/money.h"
#include "nks/iso20022/schema.h"

namespace nks::gen {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kFileBytesMax = uint64_t{1} << 30;

fs::path FreshDir(const std::string& name) {
  static int counter = 0;
  const fs::path dir = fs::temp_directory_path() / ("nks_payments_test_" + std::to_string(getpid()) +
                                                    "_" + std::to_string(counter++) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string ReadFile(const fs::path& path) {
  auto text = ReadSmallFile(path.string(), kFileBytesMax);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

void WriteFile(const fs::path& path, const std::string& text) {
  ASSERT_TRUE(WriteFileDurably(path.string(), text).ok());
}

// ---- XML -----------------------------------------------------------------

// Empty when the file is valid, else libxml2's messages.
std::string SchemaErrors(const fs::path& file) {
  return iso20022::SchemaErrors(file.string(), "pain.001.001.10.xsd");
}

xmlNode* Child(xmlNode* node, const char* name) {
  for (xmlNode* c = node == nullptr ? nullptr : node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0) return c;
  }
  return nullptr;
}

std::vector<xmlNode*> Children(xmlNode* node, const char* name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0) out.push_back(c);
  }
  return out;
}

// The text at a path of child elements; empty when missing.
std::string Text(xmlNode* node, std::initializer_list<const char*> path) {
  for (const char* name : path) node = Child(node, name);
  if (node == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(node);
  std::string text = reinterpret_cast<const char*>(content);
  xmlFree(content);
  return text;
}

// The Othr/Id values of an OrgId or PrvtId by their SchmeNm/Prtry.
std::map<std::string, std::string> Others(xmlNode* id_parent) {
  std::map<std::string, std::string> out;
  if (id_parent == nullptr) return out;
  for (xmlNode* other : Children(id_parent, "Othr")) {
    out[Text(other, {"SchmeNm", "Prtry"})] = Text(other, {"Id"});
  }
  return out;
}

struct Tx {
  std::string end_to_end_id;
  std::string amount;
  std::string currency;
  std::string purpose;
  std::string name;
  std::string party;  // PrvtId or OrgId
  std::string scheme;
  std::string id;
  std::string iban;
  std::string bban;
  std::string bic;
  std::string remittance;
};

struct PaymentInfo {
  std::string id;
  std::string count;
  std::string control_sum;
  std::string date;
  std::string debtor_name;
  std::map<std::string, std::string> debtor_ids;  // by scheme
  std::string debit_account;
  std::string debit_bank;
  std::string los_unit;
  std::vector<Tx> txs;
};

struct Pain001 {
  std::string message_id;
  std::string created;
  std::string count;
  std::string control_sum;
  std::map<std::string, std::string> initiating_party;
  std::vector<PaymentInfo> infos;
  std::vector<const Tx*> all_txs() const {
    std::vector<const Tx*> out;
    for (const PaymentInfo& info : infos) {
      for (const Tx& tx : info.txs) out.push_back(&tx);
    }
    return out;
  }
};

Tx ParseTx(xmlNode* node) {
  Tx tx;
  tx.end_to_end_id = Text(node, {"PmtId", "EndToEndId"});
  xmlNode* amount = Child(Child(node, "Amt"), "InstdAmt");
  tx.amount = Text(node, {"Amt", "InstdAmt"});
  if (amount != nullptr) {
    xmlChar* ccy = xmlGetProp(amount, BAD_CAST "Ccy");
    tx.currency = reinterpret_cast<const char*>(ccy);
    xmlFree(ccy);
  }
  tx.purpose = Text(node, {"Purp", "Prtry"});
  tx.name = Text(node, {"Cdtr", "Nm"});
  xmlNode* id = Child(Child(node, "Cdtr"), "Id");
  tx.party = Child(id, "PrvtId") != nullptr ? "PrvtId" : "OrgId";
  tx.scheme = Text(id, {tx.party.c_str(), "Othr", "SchmeNm", "Prtry"});
  tx.id = Text(id, {tx.party.c_str(), "Othr", "Id"});
  tx.iban = Text(node, {"CdtrAcct", "Id", "IBAN"});
  tx.bban = Text(node, {"CdtrAcct", "Id", "Othr", "Id"});
  if (!tx.bban.empty()) {
    EXPECT_EQ(Text(node, {"CdtrAcct", "Id", "Othr", "SchmeNm", "Prtry"}), "BBAN");
  }
  tx.bic = Text(node, {"CdtrAgt", "FinInstnId", "BICFI"});
  tx.remittance = Text(node, {"RmtInf", "Ustrd"});
  return tx;
}

PaymentInfo ParsePaymentInfo(xmlNode* node) {
  PaymentInfo info;
  info.id = Text(node, {"PmtInfId"});
  EXPECT_EQ(Text(node, {"PmtMtd"}), "TRF");
  info.count = Text(node, {"NbOfTxs"});
  info.control_sum = Text(node, {"CtrlSum"});
  info.date = Text(node, {"ReqdExctnDt", "Dt"});
  info.debtor_name = Text(node, {"Dbtr", "Nm"});
  info.debtor_ids = Others(Child(Child(Child(node, "Dbtr"), "Id"), "OrgId"));
  info.debit_account = Text(node, {"DbtrAcct", "Id", "Othr", "Id"});
  info.debit_bank = Text(node, {"DbtrAgt", "FinInstnId", "BICFI"});
  info.los_unit = Others(Child(Child(Child(node, "UltmtDbtr"), "Id"), "OrgId"))["LOS"];
  for (xmlNode* tx : Children(node, "CdtTrfTxInf")) info.txs.push_back(ParseTx(tx));
  return info;
}

Pain001 Parse(const fs::path& file) {
  Pain001 p;
  xmlDocPtr doc = xmlReadFile(file.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_HUGE);
  EXPECT_NE(doc, nullptr);
  if (doc == nullptr) return p;
  xmlNode* root = xmlDocGetRootElement(doc);
  EXPECT_EQ(xmlStrcmp(root->name, BAD_CAST "Document"), 0);
  xmlNode* message = Child(root, "CstmrCdtTrfInitn");
  xmlNode* header = Child(message, "GrpHdr");
  p.message_id = Text(header, {"MsgId"});
  p.created = Text(header, {"CreDtTm"});
  p.count = Text(header, {"NbOfTxs"});
  p.control_sum = Text(header, {"CtrlSum"});
  p.initiating_party = Others(Child(Child(Child(header, "InitgPty"), "Id"), "OrgId"));
  for (xmlNode* info : Children(message, "PmtInf")) p.infos.push_back(ParsePaymentInfo(info));
  xmlFreeDoc(doc);
  return p;
}

int64_t Ore(const std::string& decimal) {
  auto amount = AmountOre::ParseDecimal(decimal);
  EXPECT_TRUE(amount.ok()) << decimal;
  return amount.ok() ? amount->ore() : 0;
}

// ---- The population --------------------------------------------------------

struct PopulationFacts {
  std::set<std::string> cprs;
  std::set<std::string> living_cprs;  // active or protected
  std::set<std::string> nemkonto_ids;  // "cpr:..", "cvr:..", "se:..", "p:.."
  std::set<std::string> active_cvrs;
  std::map<std::string, std::pair<std::string, std::string>> units;  // number -> (type, cvr)
};

void ForEachRow(const fs::path& file, const std::function<void(const std::vector<std::string_view>&)>& fn) {
  auto reader = CsvReader::Open(file.string());
  ASSERT_TRUE(reader.ok());
  std::vector<std::string_view> fields;
  bool header = true;
  while (true) {
    auto more = reader->Next(&fields);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    if (!header) fn(fields);
    header = false;
  }
}

PopulationFacts ReadFacts(const fs::path& dir) {
  PopulationFacts f;
  ForEachRow(dir / "cpr.csv", [&](const auto& row) {
    f.cprs.emplace(row[0]);
    if (row[5] == "active" || row[5] == "protected") f.living_cprs.emplace(row[0]);
  });
  ForEachRow(dir / "nemkonti.csv", [&](const auto& row) {
    f.nemkonto_ids.insert(std::string(row[0]) + ":" + std::string(row[1]));
  });
  ForEachRow(dir / "cvr.csv", [&](const auto& row) {
    if (row[5] == "active") f.active_cvrs.emplace(row[0]);
  });
  ForEachRow(dir / "units.csv", [&](const auto& row) {
    f.units[std::string(row[1])] = {std::string(row[0]), std::string(row[2])};
  });
  return f;
}

class GenPaymentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    population_dir_ = new fs::path(FreshDir("population"));
    PopulationOptions po;
    po.persons = 4000;
    po.companies = 300;
    po.seed = 7;
    ASSERT_TRUE(GeneratePopulation(po, *population_dir_).ok());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*population_dir_);
    delete population_dir_;
  }

  void SetUp() override { dir_ = FreshDir("out"); }
  void TearDown() override { fs::remove_all(dir_); }

  PaymentsOptions Options(uint64_t count, uint64_t seed = 1) const {
    PaymentsOptions o;
    o.count = count;
    o.seed = seed;
    o.population_dir = *population_dir_;
    return o;
  }

  static fs::path* population_dir_;
  fs::path dir_;
};
fs::path* GenPaymentsTest::population_dir_ = nullptr;

// ---- Tests -------------------------------------------------------------------

TEST_F(GenPaymentsTest, FileValidatesAgainstTheSchema) {
  const fs::path file = dir_ / "payments.xml";
  auto report = GeneratePayments(Options(3000), file);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(SchemaErrors(file), "");
  const std::string text = ReadFile(file);
  EXPECT_EQ(text.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10\">", 0), 0u);
}

TEST_F(GenPaymentsTest, EveryKindAloneValidates) {
  for (size_t k = 0; k < kPaymentKindCount; ++k) {
    const auto kind = static_cast<PaymentKind>(k);
    auto mix = ParsePaymentMix(std::string(PaymentKindName(kind)) + "=1");
    ASSERT_TRUE(mix.ok());
    PaymentsOptions o = Options(200);
    o.mix = *mix;
    const fs::path file = dir_ / (std::string(PaymentKindName(kind)) + ".xml");
    auto report = GeneratePayments(o, file);
    ASSERT_TRUE(report.ok()) << PaymentKindName(kind) << ": " << report.status().ToString();
    EXPECT_EQ(SchemaErrors(file), "") << PaymentKindName(kind);
    // A duplicate needs an earlier payment: the first one is always new.
    const uint64_t expected = kind == PaymentKind::kDuplicate ? 199 : 200;
    EXPECT_EQ(report->kind_counts[k], expected) << PaymentKindName(kind);
  }
}

TEST_F(GenPaymentsTest, SameSeedGivesByteIdenticalFiles) {
  ASSERT_TRUE(GeneratePayments(Options(2500, 42), dir_ / "a.xml").ok());
  ASSERT_TRUE(GeneratePayments(Options(2500, 42), dir_ / "b.xml").ok());
  ASSERT_TRUE(GeneratePayments(Options(2500, 43), dir_ / "c.xml").ok());
  const std::string a = ReadFile(dir_ / "a.xml");
  EXPECT_EQ(a, ReadFile(dir_ / "b.xml"));
  EXPECT_NE(a, ReadFile(dir_ / "c.xml"));
}

TEST_F(GenPaymentsTest, CountsAndControlSumsMatchTheTransactions) {
  constexpr uint64_t kCount = 25'001;  // three PmtInf of at most 10,000
  const fs::path file = dir_ / "payments.xml";
  auto report = GeneratePayments(Options(kCount), file);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const Pain001 p = Parse(file);
  EXPECT_EQ(p.count, std::to_string(kCount));
  EXPECT_EQ(p.infos.size(), 3u);
  EXPECT_EQ(report->payment_infos, p.infos.size());
  int64_t total_ore = 0;
  uint64_t total_txs = 0;
  std::set<std::string> ids;
  for (const PaymentInfo& info : p.infos) {
    int64_t sum_ore = 0;
    for (const Tx& tx : info.txs) {
      const int64_t ore = Ore(tx.amount);
      EXPECT_GE(ore, 100'00);
      EXPECT_LE(ore, 25'000'00);
      EXPECT_EQ(tx.amount.size() - tx.amount.find('.'), 3u) << tx.amount;  // two decimals
      EXPECT_EQ(tx.currency, "DKK");
      sum_ore += ore;
    }
    EXPECT_LE(info.txs.size(), kTransactionsPerPaymentInfoMax);
    EXPECT_EQ(info.count, std::to_string(info.txs.size()));
    EXPECT_EQ(Ore(info.control_sum), sum_ore);
    EXPECT_TRUE(ids.insert(info.id).second) << "PmtInfId " << info.id << " twice";
    total_ore += sum_ore;
    total_txs += info.txs.size();
  }
  EXPECT_EQ(total_txs, kCount);
  EXPECT_EQ(Ore(p.control_sum), total_ore);
  EXPECT_EQ(report->control_sum_ore, total_ore);
  EXPECT_EQ(p.control_sum, AmountOre::Of(total_ore)->ToDecimal());
}

TEST_F(GenPaymentsTest, PayerIsTheDemoConfiguration) {
  const fs::path file = dir_ / "payments.xml";
  ASSERT_TRUE(GeneratePayments(Options(100), file).ok());
  const Pain001 p = Parse(file);
  const store::ConfigSnapshot demo = authority::DemoConfig();
  ASSERT_EQ(demo.systems.size(), 1u);
  EXPECT_EQ(p.initiating_party.at("NKSSYS"), demo.systems[0].id);
  ASSERT_EQ(demo.bank_agreements.size(), 1u);
  const store::BankAgreement& agreement = demo.bank_agreements[0];
  auto debit_account = Account::Parse(agreement.account);
  ASSERT_TRUE(debit_account.ok());
  const DanishAccount& danish = debit_account->danish();
  const std::string bban = fmt::format("{:04}{:010}", danish.registration(), danish.account());
  std::set<std::string> los_units;
  for (const auto& unit : demo.los_units) los_units.insert(unit.id);
  std::set<std::string> benefit_types;
  for (const auto& type : demo.benefit_types) benefit_types.insert(type.code);
  std::set<std::string> los_units_used;
  ASSERT_FALSE(p.infos.empty());
  for (const PaymentInfo& info : p.infos) {
    EXPECT_EQ(info.debtor_name, demo.authorities[0].name);
    EXPECT_EQ(info.debtor_ids.at("NKS"), std::to_string(demo.authorities[0].nks));
    EXPECT_EQ(info.debtor_ids.at("PIA"), agreement.number);
    EXPECT_EQ(info.debit_account, bban);
    EXPECT_EQ(info.debit_bank, agreement.bank);
    EXPECT_EQ(info.date, "2026-11-30");
    EXPECT_TRUE(los_units.count(info.los_unit)) << info.los_unit;
    los_units_used.insert(info.los_unit);
    for (const Tx& tx : info.txs) EXPECT_TRUE(benefit_types.count(tx.purpose)) << tx.purpose;
  }
  EXPECT_EQ(los_units_used, los_units);
  EXPECT_EQ(p.message_id, "GEN-1-100");
  EXPECT_EQ(p.created, "2026-11-27T20:00:00+01:00");
}

TEST_F(GenPaymentsTest, UsesTheGivenMessageIdDateAndTime) {
  PaymentsOptions o = Options(10);
  o.message_id = "SP-2027-01-0001";
  o.payout_date = Date{std::chrono::year{2027}, std::chrono::January, std::chrono::day{29}};
  o.created_at = *ParseInstant("2027-01-20T06:00:00+01:00");
  const fs::path file = dir_ / "payments.xml";
  auto report = GeneratePayments(o, file);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->message_id, "SP-2027-01-0001");
  const Pain001 p = Parse(file);
  EXPECT_EQ(p.message_id, "SP-2027-01-0001");
  EXPECT_EQ(p.created, "2027-01-20T06:00:00+01:00");
  for (const PaymentInfo& info : p.infos) {
    EXPECT_EQ(info.date, "2027-01-29");
    for (const Tx& tx : info.txs) EXPECT_NE(tx.remittance.find(" januar 2027"), std::string::npos) << tx.remittance;
  }
}

TEST_F(GenPaymentsTest, MixIsWithinToleranceOf10000) {
  constexpr uint64_t kCount = 10'000;
  std::array<uint64_t, kPaymentKindCount> observed{};
  auto report = GeneratePayments(Options(kCount, 5), dir_ / "payments.xml", {},
                                 [&](const GeneratedPayment& g) { ++observed[static_cast<size_t>(g.kind)]; });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(observed, report->kind_counts);
  const PaymentMix mix = DefaultPaymentMix();
  uint64_t total_weight = 0;
  for (const uint32_t w : mix.weights) total_weight += w;
  for (size_t k = 0; k < kPaymentKindCount; ++k) {
    const double share = static_cast<double>(mix.weights[k]) / static_cast<double>(total_weight);
    const double expected = share * kCount;
    const double sigma = std::sqrt(kCount * share * (1 - share));
    EXPECT_NEAR(static_cast<double>(report->kind_counts[k]), expected, 4 * sigma + 1)
        << PaymentKindName(static_cast<PaymentKind>(k));
  }
}

TEST_F(GenPaymentsTest, DuplicatesReuseAnEarlierEndToEndId) {
  constexpr uint64_t kCount = 3000;
  std::vector<GeneratedPayment> payments;
  std::vector<std::string> ids;
  PaymentsOptions o = Options(kCount);
  o.mix = *ParsePaymentMix("valid=80,duplicate=20");
  const fs::path file = dir_ / "payments.xml";
  auto report = GeneratePayments(o, file, {}, [&](const GeneratedPayment& g) {
    payments.push_back(g);
    ids.emplace_back(g.end_to_end_id);
  });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const Pain001 parsed = Parse(file);
  const std::vector<const Tx*> txs = parsed.all_txs();
  ASSERT_EQ(txs.size(), kCount);
  std::set<std::string> seen;
  uint64_t duplicates = 0;
  for (size_t i = 0; i < txs.size(); ++i) {
    EXPECT_EQ(txs[i]->end_to_end_id, ids[i]);
    const bool earlier = seen.count(txs[i]->end_to_end_id) > 0;
    EXPECT_EQ(earlier, payments[i].kind == PaymentKind::kDuplicate) << i << " " << ids[i];
    duplicates += payments[i].kind == PaymentKind::kDuplicate;
    seen.insert(txs[i]->end_to_end_id);
  }
  EXPECT_GT(duplicates, 400u);
  EXPECT_EQ(seen.size(), kCount - duplicates);
  EXPECT_EQ(report->kind_counts[static_cast<size_t>(PaymentKind::kDuplicate)], duplicates);
}

// Each kind's recipient is what the kind promises, checked against the
// population files themselves.
TEST_F(GenPaymentsTest, RecipientsAreWhatTheirKindSays) {
  constexpr uint64_t kCount = 10'000;
  std::vector<PaymentKind> kinds;
  PaymentsOptions o = Options(kCount, 9);
  o.mix = *ParsePaymentMix(
      "valid=40,unknown-cpr=8,invalid-cpr=8,no-nemkonto=8,specific-account=8,complete=8,"
      "duplicate=4,foreign-account=8,company=8");
  const fs::path file = dir_ / "payments.xml";
  auto report = GeneratePayments(o, file, {}, [&](const GeneratedPayment& g) { kinds.push_back(g.kind); });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const PopulationFacts facts = ReadFacts(*population_dir_);
  const Pain001 parsed = Parse(file);
  const std::vector<const Tx*> txs = parsed.all_txs();
  ASSERT_EQ(txs.size(), kinds.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    const Tx& tx = *txs[i];
    const PaymentKind kind = kinds[i];
    SCOPED_TRACE(fmt::format("payment {} ({})", i, PaymentKindName(kind)));
    EXPECT_FALSE(tx.name.empty());
    EXPECT_FALSE(tx.remittance.empty());
    const bool person = kind != PaymentKind::kCompany;
    EXPECT_EQ(tx.party, person ? "PrvtId" : "OrgId");
    const bool complete = kind == PaymentKind::kComplete || kind == PaymentKind::kForeignAccount;
    EXPECT_EQ(!tx.iban.empty() || !tx.bban.empty(), complete);
    EXPECT_EQ(!tx.bic.empty(), kind == PaymentKind::kForeignAccount);
    if (person) {
      EXPECT_EQ(tx.scheme, "CPR");
      ASSERT_EQ(tx.id.size(), 10u);
    }
    switch (kind) {
      case PaymentKind::kValid:
      case PaymentKind::kSpecificAccount:
      case PaymentKind::kDuplicate:
        EXPECT_TRUE(facts.living_cprs.count(tx.id));
        EXPECT_TRUE(facts.nemkonto_ids.count("cpr:" + tx.id));
        EXPECT_EQ(tx.purpose == "kapitalpension", kind == PaymentKind::kSpecificAccount);
        break;
      case PaymentKind::kUnknownCpr:
        EXPECT_TRUE(Cpr::Parse(tx.id).ok()) << tx.id;
        EXPECT_FALSE(facts.cprs.count(tx.id)) << tx.id;
        break;
      case PaymentKind::kInvalidCpr:
        EXPECT_FALSE(Cpr::Parse(tx.id).ok()) << tx.id;
        break;
      case PaymentKind::kNoNemKonto:
        EXPECT_TRUE(facts.living_cprs.count(tx.id));
        EXPECT_FALSE(facts.nemkonto_ids.count("cpr:" + tx.id));
        break;
      case PaymentKind::kComplete: {
        EXPECT_TRUE(facts.cprs.count(tx.id));
        const std::string account = tx.iban.empty() ? tx.bban.substr(0, 4) + "-" + tx.bban.substr(4) : tx.iban;
        if (!tx.bban.empty()) {
          EXPECT_EQ(tx.bban.size(), 14u);
        }
        auto danish = Account::Parse(account);
        ASSERT_TRUE(danish.ok()) << account;
        EXPECT_TRUE(danish->is_danish());
        break;
      }
      case PaymentKind::kForeignAccount: {
        auto iban = Iban::Parse(tx.iban);
        ASSERT_TRUE(iban.ok()) << tx.iban;
        EXPECT_NE(iban->country(), "DK");
        EXPECT_TRUE(Bic::Parse(tx.bic).ok()) << tx.bic;
        break;
      }
      case PaymentKind::kCompany: {
        if (tx.scheme == "CVR") {
          EXPECT_TRUE(facts.active_cvrs.count(tx.id));
          EXPECT_TRUE(facts.nemkonto_ids.count("cvr:" + tx.id));
        } else {
          ASSERT_TRUE(tx.scheme == "SE" || tx.scheme == "PNR") << tx.scheme;
          const auto unit = facts.units.find(tx.id);
          ASSERT_NE(unit, facts.units.end()) << tx.id;
          EXPECT_EQ(unit->second.first, tx.scheme == "SE" ? "se" : "p");
          EXPECT_TRUE(facts.active_cvrs.count(unit->second.second));
          EXPECT_TRUE(facts.nemkonto_ids.count(unit->second.first + ":" + tx.id) ||
                      facts.nemkonto_ids.count("cvr:" + unit->second.second));
        }
        break;
      }
    }
  }
  EXPECT_EQ(SchemaErrors(file), "");
}

// A hand-written population: names that need escaping, nobody without a
// NemKonto, no companies.
class GenPaymentsSmallPopulationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("small");
    WriteFile(dir_ / "cpr.csv",
              "cpr,name,address,postcode,city,status\n"
              "0203451235,\"Hansen & Søn <Test> \"\"Q\"\"\",Vestergade 1,8000,Aarhus C,active\n"
              "0304561234,Anne Jensen,Østergade 2,8000,Aarhus C,active\n");
    WriteFile(dir_ / "cvr.csv", "cvr,name,address,postcode,city,status\n");
    WriteFile(dir_ / "units.csv", "type,number,cvr\n");
    WriteFile(dir_ / "nemkonti.csv",
              "id_type,id,account,bank\n"
              "cpr,0203451235,1551-0000123456,1551\n"
              "cpr,0304561234,1551-0000123457,1551\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  PaymentsOptions Options(const std::string& mix) const {
    PaymentsOptions o;
    o.count = 20;
    o.population_dir = dir_;
    o.mix = *ParsePaymentMix(mix);
    return o;
  }

  fs::path dir_;
};

TEST_F(GenPaymentsSmallPopulationTest, EscapesNamesInXml) {
  const fs::path file = dir_ / "payments.xml";
  auto report = GeneratePayments(Options("valid=1"), file);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(SchemaErrors(file), "");
  const std::string text = ReadFile(file);
  EXPECT_NE(text.find("<Nm>Hansen &amp; Søn &lt;Test&gt; &quot;Q&quot;</Nm>"), std::string::npos);
  std::set<std::string> names;
  const Pain001 parsed = Parse(file);
  for (const Tx* tx : parsed.all_txs()) names.insert(tx->name);
  EXPECT_EQ(names, (std::set<std::string>{"Hansen & Søn <Test> \"Q\"", "Anne Jensen"}));
}

TEST_F(GenPaymentsSmallPopulationTest, SaysWhichRecipientsAreMissing) {
  const fs::path file = dir_ / "payments.xml";
  auto report = GeneratePayments(Options("valid=90,no-nemkonto=10"), file);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("no-nemkonto"), std::string::npos) << report.status().message();
  report = GeneratePayments(Options("company=1"), file);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("companies"), std::string::npos) << report.status().message();
  EXPECT_FALSE(fs::exists(file));
  // Unknown CPRs are drawn outside the two persons.
  report = GeneratePayments(Options("unknown-cpr=1,invalid-cpr=1,complete=1,foreign-account=1"), file);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(SchemaErrors(file), "");
}

TEST_F(GenPaymentsSmallPopulationTest, ReportsBrokenPopulationFiles) {
  WriteFile(dir_ / "cpr.csv", "cpr,name,address,postcode,city,status\n02034512X5,A,B,8000,C,active\n");
  auto report = GeneratePayments(Options("valid=1"), dir_ / "payments.xml");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kCorruption);
  EXPECT_NE(report.status().message().find("cpr.csv:2:"), std::string::npos) << report.status().message();
  WriteFile(dir_ / "cpr.csv", "cpr,name,address,postcode,city,status\n0203451235,\"A\tB\",B,8000,C,active\n");
  report = GeneratePayments(Options("valid=1"), dir_ / "payments.xml");
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("cpr.csv:2: name: control character"), std::string::npos)
      << report.status().message();
  WriteFile(dir_ / "cpr.csv", "number,name\n");
  report = GeneratePayments(Options("valid=1"), dir_ / "payments.xml");
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("header"), std::string::npos) << report.status().message();
}

TEST_F(GenPaymentsTest, RejectsBadOptionsAndLeavesNoFile) {
  const fs::path file = dir_ / "payments.xml";
  PaymentsOptions o = Options(0);
  EXPECT_EQ(GeneratePayments(o, file).status().code(), Code::kInvalidArgument);
  o.count = kPaymentsMax + 1;
  EXPECT_EQ(GeneratePayments(o, file).status().code(), Code::kInvalidArgument);
  o = Options(10);
  o.message_id = std::string(36, 'M');
  EXPECT_EQ(GeneratePayments(o, file).status().code(), Code::kInvalidArgument);
  o.message_id = "has space";
  EXPECT_EQ(GeneratePayments(o, file).status().code(), Code::kInvalidArgument);
  o = Options(10);
  o.population_dir = dir_ / "missing";
  EXPECT_EQ(GeneratePayments(o, file).status().code(), Code::kIoError);
  o = Options(10);
  EXPECT_FALSE(GeneratePayments(o, dir_ / "no-such-dir" / "payments.xml").ok());
  EXPECT_TRUE(fs::is_empty(dir_)) << "temporary or partial files left behind";
}

TEST_F(GenPaymentsTest, DefaultPopulationIsTheOutputsDirectory) {
  auto dir = DefaultPopulationDir(*population_dir_ / "payments.xml");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(*dir, *population_dir_);
  auto none = DefaultPopulationDir(dir_ / "payments.xml");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("--population"), std::string::npos);
}

TEST(GenPaymentsMixTest, ParsesKindsAndWeights) {
  auto mix = ParsePaymentMix("valid=90,unknown-cpr=2.5,company=0.25");
  ASSERT_TRUE(mix.ok()) << mix.status().ToString();
  PaymentMix expected;
  expected.weights[static_cast<size_t>(PaymentKind::kValid)] = 9000;
  expected.weights[static_cast<size_t>(PaymentKind::kUnknownCpr)] = 250;
  expected.weights[static_cast<size_t>(PaymentKind::kCompany)] = 25;
  EXPECT_EQ(mix->weights, expected.weights);
  uint32_t total = 0;
  for (const uint32_t w : DefaultPaymentMix().weights) total += w;
  EXPECT_EQ(total, 10'000u);  // the defaults are percentages
  for (size_t k = 0; k < kPaymentKindCount; ++k) {
    auto kind = ParsePaymentMix(std::string(PaymentKindName(static_cast<PaymentKind>(k))) + "=1");
    ASSERT_TRUE(kind.ok()) << PaymentKindName(static_cast<PaymentKind>(k));
  }
}

TEST(GenPaymentsMixTest, RejectsBadMixes) {
  for (const char* bad : {"", "valid", "valid=", "valid=x", "valid=1.234", "valid=-1", "bogus=1",
                          "valid=1,valid=2", "valid=0", "valid=1,", "valid=10000000000", "valid=.5"}) {
    auto mix = ParsePaymentMix(bad);
    EXPECT_FALSE(mix.ok()) << "'" << bad << "'";
    if (!mix.ok()) {
      EXPECT_EQ(mix.status().code(), Code::kInvalidArgument);
    }
  }
  auto unknown = ParsePaymentMix("bogus=1");
  EXPECT_NE(unknown.status().message().find("unknown-cpr"), std::string::npos);  // lists the kinds
}

}  // namespace
}  // namespace nks::gen
