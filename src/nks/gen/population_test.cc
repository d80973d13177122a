#include "nks/gen/population.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nks/core/account.h"
#include "nks/core/ids.h"

namespace nks::gen {
namespace {

namespace fs = std::filesystem;
using Row = std::vector<std::string>;

constexpr uint64_t kPersons = 10000;
constexpr uint64_t kCompanies = 500;
const char* const kFiles[] = {"cpr.csv", "cvr.csv", "units.csv", "nemkonti.csv"};

fs::path FreshDir(const std::string& name) {
  static int counter = 0;
  const fs::path dir =
      fs::temp_directory_path() / ("nks_population_test_" + std::to_string(getpid()) + "_" +
                                   std::to_string(counter++) + "_" + name);
  fs::remove_all(dir);
  return dir;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A tiny RFC 4180 reader: quoted fields, "" for a quote, LF row ends.
// Also returns each record's raw text for round-trip checks.
std::vector<Row> SplitCsv(const std::string& text, std::vector<std::string>* raw = nullptr) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false;
  size_t record_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty()) << "quote inside an unquoted field at byte " << i;
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      if (raw) raw->push_back(text.substr(record_start, i - record_start));
      record_start = i + 1;
    } else {
      field.push_back(c);
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  EXPECT_TRUE(field.empty() && row.empty()) << "last line has no line end";
  return rows;
}

std::string QuoteField(const std::string& f) {
  if (f.find_first_of(",\"\r\n") == std::string::npos) return f;
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

struct Population {
  std::vector<Row> cpr, cvr, units, nemkonti;  // without the header rows
};

Population Load(const fs::path& dir) {
  Population p;
  std::vector<Row>* targets[] = {&p.cpr, &p.cvr, &p.units, &p.nemkonti};
  for (int k = 0; k < 4; ++k) {
    std::vector<Row> rows = SplitCsv(ReadFile(dir / kFiles[k]));
    EXPECT_FALSE(rows.empty()) << kFiles[k];
    if (!rows.empty()) rows.erase(rows.begin());
    *targets[k] = std::move(rows);
  }
  return p;
}

class PopulationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(FreshDir("shared"));
    PopulationOptions options;
    options.persons = kPersons;
    options.companies = kCompanies;
    options.seed = 7;
    const Status s = GeneratePopulation(options, *dir_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    population_ = new Population(Load(*dir_));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete population_;
  }
  static const Population& pop() { return *population_; }

  static fs::path* dir_;
  static Population* population_;
};
fs::path* PopulationTest::dir_ = nullptr;
Population* PopulationTest::population_ = nullptr;

TEST_F(PopulationTest, WritesHeaderLinesAndOnlyTheFourFiles) {
  EXPECT_EQ(ReadFile(*dir_ / "cpr.csv").substr(0, 38), "cpr,name,address,postcode,city,status\n");
  EXPECT_EQ(ReadFile(*dir_ / "cvr.csv").substr(0, 38), "cvr,name,address,postcode,city,status\n");
  EXPECT_EQ(ReadFile(*dir_ / "units.csv").substr(0, 16), "type,number,cvr\n");
  EXPECT_EQ(ReadFile(*dir_ / "nemkonti.csv").substr(0, 24), "id_type,id,account,bank\n");
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(*dir_)) {
    names.insert(entry.path().filename().string());
  }
  EXPECT_EQ(names, (std::set<std::string>{"cpr.csv", "cvr.csv", "units.csv", "nemkonti.csv"}))
      << "a temporary file was left behind";
}

TEST_F(PopulationTest, WritesTheRequestedCounts) {
  EXPECT_EQ(pop().cpr.size(), kPersons);
  EXPECT_EQ(pop().cvr.size(), kCompanies);
  uint64_t se = 0, p = 0;
  for (const Row& r : pop().units) (r[0] == "se" ? se : p)++;
  EXPECT_EQ(se + p, pop().units.size());
  EXPECT_NEAR(static_cast<double>(se) / kCompanies, 0.25, 0.06);
  // 1 P-unit each, 20% with 2-4 more: 1 + 0.2 * 3 = 1.6 on average.
  EXPECT_NEAR(static_cast<double>(p) / kCompanies, 1.6, 0.15);
}

TEST_F(PopulationTest, EveryRowHasItsHeadersFieldCount) {
  for (const Row& r : pop().cpr) ASSERT_EQ(r.size(), 6u);
  for (const Row& r : pop().cvr) ASSERT_EQ(r.size(), 6u);
  for (const Row& r : pop().units) ASSERT_EQ(r.size(), 3u);
  for (const Row& r : pop().nemkonti) ASSERT_EQ(r.size(), 4u);
}

// Synthetic CPR numbers must never be real ones (see population.cc).
bool CprModulus11Ok(const std::string& ten_digits) {
  const int weights[] = {4, 3, 2, 7, 6, 5, 4, 3, 2, 1};
  int sum = 0;
  for (int k = 0; k < 10; ++k) sum += weights[k] * (ten_digits[k] - '0');
  return sum % 11 == 0;
}

TEST_F(PopulationTest, EveryCprParsesFailsModulus11AndAvoidsFirstJanuary) {
  using namespace std::chrono;
  for (const Row& r : pop().cpr) {
    ASSERT_EQ(r[0].size(), 10u);
    const Result<Cpr> cpr = Cpr::Parse(r[0]);
    ASSERT_TRUE(cpr.ok()) << cpr.status().ToString();
    EXPECT_FALSE(CprModulus11Ok(r[0])) << cpr->Masked();
    const year_month_day born = cpr->birth_date();
    EXPECT_GE(born, year{1920} / January / 2);
    EXPECT_LE(born, year{2006} / December / 31);
    EXPECT_FALSE(born.month() == January && born.day() == day{1});
  }
}

TEST_F(PopulationTest, StatusesHaveTheExpectedShares) {
  std::map<std::string, double> persons, companies;
  for (const Row& r : pop().cpr) persons[r[5]] += 1.0 / kPersons;
  for (const Row& r : pop().cvr) companies[r[5]] += 1.0 / kCompanies;
  EXPECT_EQ(persons.size(), 4u);
  EXPECT_NEAR(persons["active"], 0.965, 0.01);
  EXPECT_NEAR(persons["dead"], 0.02, 0.006);
  EXPECT_NEAR(persons["emigrated"], 0.01, 0.005);
  EXPECT_NEAR(persons["protected"], 0.005, 0.004);
  EXPECT_EQ(companies.size(), 2u);
  EXPECT_NEAR(companies["active"], 0.94, 0.035);
}

TEST_F(PopulationTest, EveryIdIsValidAndUniqueAcrossFiles) {
  std::set<std::string> ids;
  for (const Row& r : pop().cpr) EXPECT_TRUE(ids.insert(r[0]).second) << "cpr repeated";
  for (const Row& r : pop().cvr) {
    EXPECT_TRUE(Cvr::Parse(r[0]).ok()) << r[0];
    EXPECT_EQ(r[0][0], '8') << r[0];
    EXPECT_TRUE(ids.insert(r[0]).second) << r[0];
  }
  for (const Row& r : pop().units) {
    if (r[0] == "se") {
      EXPECT_TRUE(Se::Parse(r[1]).ok()) << r[1];
      EXPECT_EQ(r[1].size(), 8u);
      EXPECT_EQ(r[1][0], '9') << r[1];
    } else {
      ASSERT_EQ(r[0], "p");
      EXPECT_TRUE(PNumber::Parse(r[1]).ok()) << r[1];
      EXPECT_EQ(r[1].size(), 10u);
      EXPECT_EQ(r[1][0], '9') << r[1];
    }
    EXPECT_TRUE(ids.insert(r[1]).second) << r[1];
  }
}

TEST_F(PopulationTest, EveryUnitBelongsToAListedCompany) {
  std::set<std::string> cvrs;
  for (const Row& r : pop().cvr) cvrs.insert(r[0]);
  std::set<std::string> with_p;
  for (const Row& r : pop().units) {
    EXPECT_TRUE(cvrs.count(r[2])) << r[2];
    if (r[0] == "p") with_p.insert(r[2]);
  }
  EXPECT_EQ(with_p, cvrs) << "every company has a P-unit";
}

TEST_F(PopulationTest, EveryNemKontoBelongsToAListedIdAndAtMostOnce) {
  std::map<std::string, std::set<std::string>> known;
  for (const Row& r : pop().cpr) known["cpr"].insert(r[0]);
  for (const Row& r : pop().cvr) known["cvr"].insert(r[0]);
  for (const Row& r : pop().units) known[r[0]].insert(r[1]);
  std::set<std::string> seen;
  for (const Row& r : pop().nemkonti) {
    ASSERT_TRUE(known.count(r[0])) << r[0];
    EXPECT_TRUE(known[r[0]].count(r[1])) << r[0] << " " << r[1];
    EXPECT_TRUE(seen.insert(r[0] + ":" + r[1]).second) << "two NemKonti for " << r[1];
  }
}

TEST_F(PopulationTest, EveryAccountParsesAndNamesItsBank) {
  std::set<std::string> danish_accounts;
  for (const Row& r : pop().nemkonti) {
    const Result<Account> account = Account::Parse(r[2]);
    ASSERT_TRUE(account.ok()) << r[2] << ": " << account.status().ToString();
    EXPECT_EQ(account->ToString(), r[2]) << "not in canonical form";
    if (account->is_danish()) {
      EXPECT_EQ(r[3], r[2].substr(0, 4));
      EXPECT_TRUE(danish_accounts.insert(r[2]).second) << "account repeated: " << r[2];
    } else {
      EXPECT_EQ(r[0], "cpr");
      EXPECT_TRUE(Bic::Parse(r[3]).ok()) << r[3];
      EXPECT_EQ(r[3].substr(4, 2), account->foreign().iban.country());
      if (account->foreign().bic) {
        EXPECT_EQ(account->foreign().bic->ToString(), r[3]);
      }
    }
  }
}

TEST_F(PopulationTest, CoverageIsAsSpecified) {
  std::map<std::string, double> with;
  uint64_t foreign = 0;
  for (const Row& r : pop().nemkonti) {
    with[r[0]] += 1;
    if (!std::isdigit(static_cast<unsigned char>(r[2][0]))) ++foreign;
  }
  uint64_t se = 0, p = 0;
  for (const Row& r : pop().units) (r[0] == "se" ? se : p)++;
  EXPECT_NEAR(with["cpr"] / kPersons, 0.97, 0.006);
  EXPECT_NEAR(static_cast<double>(foreign) / with["cpr"], 0.01, 0.005);
  EXPECT_NEAR(with["cvr"] / kCompanies, 0.95, 0.03);
  EXPECT_NEAR(with["se"] / static_cast<double>(se), 0.10, 0.06);
  EXPECT_NEAR(with["p"] / static_cast<double>(p), 0.05, 0.035);
}

TEST_F(PopulationTest, QuotedFieldsRoundTrip) {
  uint64_t with_comma = 0, with_quote = 0;
  for (const char* name : kFiles) {
    std::vector<std::string> raw;
    const std::vector<Row> rows = SplitCsv(ReadFile(*dir_ / name), &raw);
    ASSERT_EQ(rows.size(), raw.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      std::string again;
      for (size_t f = 0; f < rows[i].size(); ++f) {
        if (f > 0) again.push_back(',');
        again += QuoteField(rows[i][f]);
        with_comma += rows[i][f].find(',') != std::string::npos;
        with_quote += rows[i][f].find('"') != std::string::npos;
      }
      ASSERT_EQ(again, raw[i]) << name << " row " << i;
    }
  }
  EXPECT_GT(with_comma, 1000u) << "addresses like 'Vestergade 12, 2. th.'";
  EXPECT_GT(with_quote, 5u) << "company names like 'Café \"Nordlys\" ApS'";
}

TEST_F(PopulationTest, UsesDanishLetters) {
  const std::string all = ReadFile(*dir_ / "cpr.csv") + ReadFile(*dir_ / "cvr.csv");
  for (const char* letter : {"æ", "ø", "å", "Æ", "Ø", "Å"}) {
    EXPECT_NE(all.find(letter), std::string::npos) << letter;
  }
}

bool SameFiles(const fs::path& a, const fs::path& b) {
  for (const char* name : kFiles) {
    if (ReadFile(a / name) != ReadFile(b / name)) return false;
  }
  return true;
}

TEST(PopulationDeterminismTest, SameSeedSameBytesOtherSeedOtherBytes) {
  PopulationOptions options;
  options.persons = 3000;
  options.companies = 300;
  options.seed = 42;
  const fs::path a = FreshDir("a"), b = FreshDir("b"), c = FreshDir("c");
  ASSERT_TRUE(GeneratePopulation(options, a).ok());
  ASSERT_TRUE(GeneratePopulation(options, b).ok());
  options.seed = 43;
  ASSERT_TRUE(GeneratePopulation(options, c).ok());
  EXPECT_TRUE(SameFiles(a, b));
  for (const char* name : kFiles) EXPECT_NE(ReadFile(a / name), ReadFile(c / name)) << name;
  for (const fs::path& d : {a, b, c}) fs::remove_all(d);
}

TEST(PopulationDeterminismTest, PersonsDoNotDependOnTheCompanyCount) {
  PopulationOptions options;
  options.persons = 2000;
  options.companies = 10;
  const fs::path a = FreshDir("few"), b = FreshDir("many");
  ASSERT_TRUE(GeneratePopulation(options, a).ok());
  options.companies = 200;
  ASSERT_TRUE(GeneratePopulation(options, b).ok());
  EXPECT_EQ(ReadFile(a / "cpr.csv"), ReadFile(b / "cpr.csv"));
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(PopulationForeignAccountTest, CoversSevenCountriesWithValidIbans) {
  PopulationOptions options;
  options.persons = 40000;
  options.companies = 0;
  const fs::path dir = FreshDir("foreign");
  ASSERT_TRUE(GeneratePopulation(options, dir).ok());
  std::map<std::string, int> countries;
  std::set<std::string> ibans;
  int with_bic = 0, total = 0;
  for (const Row& r : Load(dir).nemkonti) {
    const Result<Account> account = Account::Parse(r[2]);
    ASSERT_TRUE(account.ok()) << r[2];
    if (account->is_danish()) continue;
    ++total;
    EXPECT_TRUE(ibans.insert(account->foreign().iban.ToString()).second) << r[2];
    ++countries[std::string(account->foreign().iban.country())];
    with_bic += account->foreign().bic.has_value();
  }
  EXPECT_EQ(countries.size(), 7u);
  for (const char* c : {"DE", "SE", "NO", "GB", "FR", "ES", "PL"}) EXPECT_GT(countries[c], 0) << c;
  EXPECT_GT(with_bic, total / 2) << "most foreign accounts carry /BIC";
  EXPECT_LT(with_bic, total) << "some do not";
  fs::remove_all(dir);
}

TEST(PopulationProgressTest, ReportsNowAndThenAndFinishesAtTheTotal) {
  PopulationOptions options;
  options.persons = 200000;
  options.companies = 1000;
  const fs::path dir = FreshDir("progress");
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  ASSERT_TRUE(GeneratePopulation(options, dir, [&](uint64_t done, uint64_t total) {
                calls.emplace_back(done, total);
              }).ok());
  ASSERT_GE(calls.size(), 2u);
  EXPECT_LT(calls.size(), 100u) << "not per row";
  EXPECT_EQ(calls.back(), std::make_pair(uint64_t{201000}, uint64_t{201000}));
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  fs::remove_all(dir);
}

TEST(PopulationErrorTest, RefusesMoreCompaniesThanTheNumberSpaceHolds) {
  PopulationOptions options;
  options.companies = kCompaniesMax + 1;
  const fs::path dir = FreshDir("too_many");
  EXPECT_EQ(GeneratePopulation(options, dir).code(), Code::kInvalidArgument);
  options.companies = 1;
  options.persons = kPersonsMax + 1;
  EXPECT_EQ(GeneratePopulation(options, dir).code(), Code::kInvalidArgument);
  fs::remove_all(dir);
}

TEST(PopulationErrorTest, UnwritableDirectoryIsAnIoErrorNamingIt) {
  const fs::path base = FreshDir("blocker");
  fs::create_directories(base);
  std::ofstream(base / "file") << "x";  // a file where a directory should be
  const Status s = GeneratePopulation({}, base / "file" / "out");
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_NE(s.message().find("out"), std::string::npos) << s.message();
  fs::remove_all(base);
}

// A file-size limit makes write() fail with EFBIG (SIGXFSZ ignored), as a
// full disk would: the error names the file and no file is left behind.
TEST(PopulationErrorTest, FailedWriteIsAnIoErrorAndLeavesNoFiles) {
  constexpr rlim_t kFileSizeLimitBytes = 512 * 1024;  // below one 1 MiB write block
  const fs::path dir = FreshDir("efbig");
  rlimit old_limit{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  rlimit limit = old_limit;
  limit.rlim_cur = kFileSizeLimitBytes;
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  PopulationOptions options;
  options.persons = 100000;  // ~9 MB of cpr.csv
  const Status s = GeneratePopulation(options, dir);
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(s.code(), Code::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("cpr.csv"), std::string::npos) << s.message();
  EXPECT_TRUE(fs::is_empty(dir)) << "no final and no temporary files";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nks::gen
