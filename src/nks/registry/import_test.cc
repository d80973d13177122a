// Import and delta update of the CPR/CVR registers from CSV (SPEC §3.1):
// a file lands whole or not at all, and every bad line is reported.
// All CPR, CVR, SE and P numbers here are invented test values.
#include "nks/registry/import.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nks/core/ids.h"
#include "nks/registry/recipients.h"
#include "nks/store/temp_store_test.h"

namespace nks::registry {
namespace {

namespace fs = std::filesystem;

constexpr char kCprHeader[] = "cpr,name,address,postcode,city,status\n";
constexpr char kCvrHeader[] = "cvr,name,address,postcode,city,status\n";
constexpr char kUnitsHeader[] = "type,number,cvr\n";

class RegistryImportTest : public store::TempStoreTest {
 protected:
  RegistryImportTest() : TempStoreTest("nks-registry-import") {}

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return path;
  }

  // Imports `text` with `fn` and returns the report; I/O errors fail the test.
  template <typename Fn>
  ImportReport Import(Fn fn, const std::string& name, const std::string& text,
                      const ImportOptions& options = {}) {
    std::string path = Write(name, text);
    Result<ImportReport> report = fn(*store_, path, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : ImportReport{};
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::vector<uint64_t> PersonNumbers() {
    std::vector<uint64_t> out;
    EXPECT_TRUE(store_->ScanPersonNumbers([&](uint64_t n) {
                         out.push_back(n);
                         return true;
                       }).ok());
    return out;
  }

  std::string ErrorsText(const ImportReport& r) {
    std::string out;
    for (const std::string& e : r.errors) out += e + "\n";
    return out;
  }

};

const std::string kGoodCpr = std::string(kCprHeader) +
                             "0102851237,Anna Test,Testvej 1,8000,Aarhus C,active\n"
                             "1503721118,Bo Test,Prøvegade 2,2100,København Ø,protected\n"
                             "3112991234,Carl Test,,,,dead\n"
                             "2007054321,Dorte Test,,,,emigrated\n";

const std::string kGoodCvr = std::string(kCvrHeader) +
                             "80000006,Test ApS,Industrivej 2,5000,Odense C,active\n"
                             "80000014,Prøve A/S,,,,ceased\n";

// ---- Good files ----

TEST_P(RegistryImportTest, ImportsAGoodCprFileWithCounts) {
  ImportReport r = Import(ImportCpr, "cpr.csv", kGoodCpr);
  ASSERT_TRUE(r.ok()) << ErrorsText(r);
  EXPECT_EQ(r.file, Path("cpr.csv"));
  EXPECT_EQ(r.records, 4u);
  EXPECT_EQ(r.changed, 4u);
  EXPECT_EQ(r.unchanged, 0u);
  EXPECT_EQ(r.errors_total, 0u);
  EXPECT_EQ(*store_->CountPersons(), 4u);

  auto anna = store_->GetPerson(102851237);
  ASSERT_TRUE(anna.ok() && anna->has_value());
  EXPECT_EQ((*anna)->name, "Anna Test");
  EXPECT_EQ((*anna)->address, "Testvej 1");
  EXPECT_EQ((*anna)->postcode, "8000");
  EXPECT_EQ((*anna)->city, "Aarhus C");
  EXPECT_EQ((*anna)->status, store::PersonStatus::kActive);
  auto bo = store_->GetPerson(1503721118);
  ASSERT_TRUE(bo.ok() && bo->has_value());
  EXPECT_EQ((*bo)->city, "København Ø");
  EXPECT_EQ((*bo)->status, store::PersonStatus::kProtected);
  auto carl = store_->GetPerson(3112991234);
  ASSERT_TRUE(carl.ok() && carl->has_value());
  EXPECT_EQ((*carl)->status, store::PersonStatus::kDead);
  EXPECT_EQ((*carl)->address, "");
}

TEST_P(RegistryImportTest, AcceptsDashedCprCrlfQuotedCommasBomAndBlankLines) {
  ImportReport r = Import(ImportCpr, "cpr.csv",
                          "\xEF\xBB\xBF"
                          "cpr,name,address,postcode,city,status\r\n"
                          "010285-1237,\"Test, Anna\",\"Testvej 1, 2. tv\",8000,Aarhus C,active\r\n"
                          "\r\n"
                          "1503721118,\"Bo \"\"Bobby\"\" Test\",Vej 2,2100,København Ø,active\r\n");
  ASSERT_TRUE(r.ok()) << ErrorsText(r);
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(r.changed, 2u);
  auto anna = store_->GetPerson(102851237);
  ASSERT_TRUE(anna.ok() && anna->has_value());
  EXPECT_EQ((*anna)->name, "Test, Anna");
  EXPECT_EQ((*anna)->address, "Testvej 1, 2. tv");
  auto bo = store_->GetPerson(1503721118);
  ASSERT_TRUE(bo.ok() && bo->has_value());
  EXPECT_EQ((*bo)->name, "Bo \"Bobby\" Test");
}

TEST_P(RegistryImportTest, ImportsCompaniesAndTheirUnits) {
  ImportReport cvr = Import(ImportCvr, "cvr.csv", kGoodCvr);
  ASSERT_TRUE(cvr.ok()) << ErrorsText(cvr);
  EXPECT_EQ(cvr.records, 2u);
  EXPECT_EQ(cvr.changed, 2u);
  auto ceased = store_->GetCompany(80000014);
  ASSERT_TRUE(ceased.ok() && ceased->has_value());
  EXPECT_EQ((*ceased)->name, "Prøve A/S");
  EXPECT_EQ((*ceased)->status, store::CompanyStatus::kCeased);

  ImportReport units = Import(ImportUnits, "units.csv",
                              std::string(kUnitsHeader) +
                                  "se,90000004,80000006\n"
                                  "p,9000000001,80000014\n");
  ASSERT_TRUE(units.ok()) << ErrorsText(units);
  EXPECT_EQ(units.records, 2u);
  EXPECT_EQ(units.changed, 2u);

  RecipientId se = RecipientId::Of(*Se::Parse("90000004"));
  RecipientId p = RecipientId::Of(*PNumber::Parse("9000000001"));
  auto se_row = store_->GetUnit(se.key());
  ASSERT_TRUE(se_row.ok() && se_row->has_value());
  EXPECT_EQ((*se_row)->cvr, 80000006u);
  auto p_row = store_->GetUnit(p.key());
  ASSERT_TRUE(p_row.ok() && p_row->has_value());
  EXPECT_EQ((*p_row)->cvr, 80000014u);
}

TEST_P(RegistryImportTest, UnsortedInputImportsTheSameAsSorted) {
  ImportReport r = Import(ImportCpr, "cpr.csv",
                          std::string(kCprHeader) +
                              "3112991234,Carl Test,,,,dead\n"
                              "0102851237,Anna Test,Testvej 1,8000,Aarhus C,active\n"
                              "2007054321,Dorte Test,,,,emigrated\n"
                              "1503721118,Bo Test,Prøvegade 2,2100,København Ø,protected\n");
  ASSERT_TRUE(r.ok()) << ErrorsText(r);
  std::vector<uint64_t> unsorted = PersonNumbers();
  std::vector<store::Person> unsorted_rows;
  for (uint64_t n : unsorted) unsorted_rows.push_back(**store_->GetPerson(n));

  // The same rows, in key order, into a second store.
  auto sorted_store = OpenFreshStore("sorted");
  ASSERT_TRUE(sorted_store.ok());
  auto sorted = ImportCpr(**sorted_store, Write("sorted.csv", kGoodCpr));
  ASSERT_TRUE(sorted.ok() && sorted->ok());
  EXPECT_EQ(r.records, sorted->records);
  EXPECT_EQ(r.changed, sorted->changed);

  std::vector<uint64_t> sorted_numbers;
  ASSERT_TRUE((*sorted_store)->ScanPersonNumbers([&](uint64_t n) {
                               sorted_numbers.push_back(n);
                               return true;
                             }).ok());
  EXPECT_EQ(unsorted, sorted_numbers);
  ASSERT_EQ(unsorted.size(), 4u);
  for (size_t i = 0; i < unsorted.size(); ++i) {
    store::Person other = **(*sorted_store)->GetPerson(sorted_numbers[i]);
    EXPECT_EQ(unsorted_rows[i].name, other.name);
    EXPECT_EQ(unsorted_rows[i].address, other.address);
    EXPECT_EQ(unsorted_rows[i].postcode, other.postcode);
    EXPECT_EQ(unsorted_rows[i].city, other.city);
    EXPECT_EQ(unsorted_rows[i].status, other.status);
  }
}

// ---- Delta import ----

TEST_P(RegistryImportTest, DeltaImportCountsChangedAndUnchangedRows) {
  ASSERT_TRUE(Import(ImportCpr, "cpr.csv", kGoodCpr).ok());

  ImportReport again = Import(ImportCpr, "cpr.csv", kGoodCpr);
  ASSERT_TRUE(again.ok()) << ErrorsText(again);
  EXPECT_EQ(again.records, 4u);
  EXPECT_EQ(again.changed, 0u);
  EXPECT_EQ(again.unchanged, 4u);

  // Anna moves, Carl is new in this delta file; Bo is as before.
  ImportReport delta = Import(ImportCpr, "delta.csv",
                              std::string(kCprHeader) +
                                  "0102851237,Anna Test,Nyvej 9,8200,Aarhus N,active\n"
                                  "1503721118,Bo Test,Prøvegade 2,2100,København Ø,protected\n"
                                  "0505051111,Erik Test,Ved Stranden 5,1000,København K,active\n");
  ASSERT_TRUE(delta.ok()) << ErrorsText(delta);
  EXPECT_EQ(delta.records, 3u);
  EXPECT_EQ(delta.changed, 2u);
  EXPECT_EQ(delta.unchanged, 1u);
  EXPECT_EQ(*store_->CountPersons(), 5u) << "rows missing from a delta file stay";
  EXPECT_EQ((**store_->GetPerson(102851237)).address, "Nyvej 9");
}

// ---- Bad files: every bad line reported, nothing imported ----

TEST_P(RegistryImportTest, ReportsEveryBadCprLineAndImportsNothing) {
  const std::string path = Path("cpr.csv");
  ImportReport r = Import(ImportCpr, "cpr.csv",
                          std::string(kCprHeader) +
                              "0102851237,Anna Test,Testvej 1,8000,Aarhus C,active\n"  // 2 good
                              "3102851237,Bad Date,Testvej 1,8000,Aarhus C,active\n"   // 3
                              "1503721118,Bo Test,Testvej 1,8000,Aarhus C\n"           // 4
                              "2007054321,Dorte Test,Testvej 1,8000,Aarhus C,alive\n"  // 5
                              "3112991234,Carl Test,Testvej 1,80000,Aarhus C,active\n" // 6
                              "0113851237,Bad Month,Testvej 1,8000,Aarhus C,active\n"  // 7
                              "0505051111,Erik Test,,,,active\n");                     // 8
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.records, 7u);
  EXPECT_EQ(r.changed, 0u);
  EXPECT_EQ(r.errors_total, 6u);
  const std::vector<std::string> expected = {
      path + ":3: cpr: day 31 does not exist in month 02 of 1985",
      path + ":4: record: has 5 fields, expected 6 (cpr,name,address,postcode,city,status)",
      path + ":5: status: must be one of active, dead, emigrated, protected",
      path + ":6: postcode: must be 4 digits",
      path + ":7: cpr: month 13 does not exist",
      path + ":8: address: must not be empty",
  };
  EXPECT_EQ(r.errors, expected);
  EXPECT_EQ(*store_->CountPersons(), 0u) << "the good line 2 is not imported either";
}

TEST_P(RegistryImportTest, ReportsABadCvrCheckDigitAndImportsNothing) {
  const std::string path = Path("cvr.csv");
  ImportReport r = Import(ImportCvr, "cvr.csv",
                          std::string(kCvrHeader) +
                              "80000006,Test ApS,Industrivej 2,5000,Odense C,active\n"
                              "80000007,Forkert ApS,Industrivej 3,5000,Odense C,active\n"
                              "80000014,Prøve A/S,Vej 1,5000,Odense C,closed\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors, (std::vector<std::string>{
                          path + ":3: cvr: check digit does not match (modulus 11)",
                          path + ":4: status: must be one of active, ceased",
                      }));
  EXPECT_EQ(*store_->CountCompanies(), 0u);
}

TEST_P(RegistryImportTest, ReportsADuplicateKeyOnTheLaterLineWithTheFirstLine) {
  const std::string path = Path("cpr.csv");
  ImportReport r = Import(ImportCpr, "cpr.csv",
                          std::string(kCprHeader) +
                              "1503721118,Bo Test,Testvej 1,8000,Aarhus C,active\n"    // 2
                              "0102851237,Anna Test,Testvej 1,8000,Aarhus C,active\n"  // 3
                              "010285-1237,Anna Igen,Testvej 2,8000,Aarhus C,active\n" // 4
                              "0505051111,Erik Test,Testvej 1,8000,Aarhus C,active\n"  // 5
                              "0102851237,Anna Tre,Testvej 3,8000,Aarhus C,active\n"); // 6
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors, (std::vector<std::string>{
                          path + ":4: id: appears more than once in the file (first on line 3)",
                          path + ":6: id: appears more than once in the file (first on line 3)",
                      }));
  EXPECT_EQ(*store_->CountPersons(), 0u);
}

TEST_P(RegistryImportTest, RejectsAWrongHeader) {
  const std::string path = Path("cpr.csv");
  ImportReport r = Import(ImportCpr, "cpr.csv",
                          "cpr,navn,adresse,postnr,by,status\n"
                          "0102851237,Anna Test,Testvej 1,8000,Aarhus C,active\n");
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], path + ":1: header: expected 'cpr,name,address,postcode,city,status'");
  EXPECT_EQ(*store_->CountPersons(), 0u);

  // A CVR file given to the CPR import is refused the same way.
  ImportReport swapped = Import(ImportCpr, "cvr.csv", kGoodCvr);
  EXPECT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.errors.front(),
            Path("cvr.csv") + ":1: header: expected 'cpr,name,address,postcode,city,status'");
  EXPECT_EQ(*store_->CountPersons(), 0u);
}

TEST_P(RegistryImportTest, RejectsAnEmptyFile) {
  const std::string path = Path("cpr.csv");
  ImportReport r = Import(ImportCpr, "cpr.csv", "");
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], path +
                             ":1: header: the file is empty; expected the header line "
                             "'cpr,name,address,postcode,city,status'");
  EXPECT_EQ(r.records, 0u);
}

TEST_P(RegistryImportTest, AMissingFileIsAnIoErrorNotAReport) {
  auto r = ImportCpr(*store_, Path("no-such-file.csv"));
  EXPECT_FALSE(r.ok());
}

TEST_P(RegistryImportTest, QuotedFieldsSpanningLinesKeepLineNumbersRight) {
  const std::string path = Path("cpr.csv");
  ImportReport r = Import(ImportCpr, "cpr.csv",
                          std::string(kCprHeader) +
                              "0102851237,\"Test, Anna\",\"Testvej 1, st.\",8000,Aarhus C,active\n"  // 2
                              "1503721118,\"Bo\nTest\",Testvej 1,8000,Aarhus C,active\n"             // 3-4
                              "2007054321,Dorte,\"Vej 1\n\n3. sal\",8000,Aarhus C,active\n"          // 5-7
                              "3112991234,Carl Test,Testvej 1,800,Aarhus C,active\n"                 // 8
                              "0505051111,\"Erik\",Vej 1,8000,Aarhus C,\"dead,\"\n");                // 9
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.errors, (std::vector<std::string>{
                          path + ":3: name: contains a control character",
                          path + ":5: address: contains a control character",
                          path + ":8: postcode: must be 4 digits",
                          path + ":9: status: must be one of active, dead, emigrated, protected",
                      }));
  EXPECT_EQ(*store_->CountPersons(), 0u);
}

TEST_P(RegistryImportTest, ABrokenQuoteIsReportedAndTheRestStillChecked) {
  const std::string path = Path("cpr.csv");
  ImportReport r = Import(ImportCpr, "cpr.csv",
                          std::string(kCprHeader) +
                              "0102851237,Anna \"Test\",Testvej 1,8000,Aarhus C,active\n"  // 2
                              "1503721118,Bo Test,Testvej 1,8000,Aarhus C,active\n"        // 3
                              "3112991234,Carl Test,Testvej 1,8000,Aarhus C,gone\n");      // 4
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 2u) << ErrorsText(r);
  EXPECT_EQ(r.errors[0].rfind(path + ":2: record: ", 0), 0u) << r.errors[0];
  EXPECT_EQ(r.errors[1], path + ":4: status: must be one of active, dead, emigrated, protected");
  EXPECT_EQ(*store_->CountPersons(), 0u);
}

TEST_P(RegistryImportTest, RejectsUnitsOfCompaniesNotInTheStore) {
  ASSERT_TRUE(Import(ImportCvr, "cvr.csv",
                     std::string(kCvrHeader) +
                         "80000006,Test ApS,Industrivej 2,5000,Odense C,active\n")
                  .ok());
  const std::string path = Path("units.csv");
  ImportReport r = Import(ImportUnits, "units.csv",
                          std::string(kUnitsHeader) +
                              "se,90000004,80000006\n"    // 2 good
                              "p,9000000001,80000014\n"   // 3 company unknown
                              "x,9000000001,80000006\n"   // 4 bad type
                              "se,90000005,80000006\n");  // 5 bad SE check digit
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors, (std::vector<std::string>{
                          path + ":4: type: must be se or p",
                          path + ":5: se: check digit does not match (modulus 11)",
                      }))
      << "cross checks run only on a file that is good line by line";
  EXPECT_EQ(r.changed, 0u);

  // With the line-level errors fixed, the unknown company is reported.
  ImportReport cross = Import(ImportUnits, "units.csv",
                              std::string(kUnitsHeader) +
                                  "se,90000004,80000006\n"
                                  "p,9000000001,80000014\n");
  EXPECT_FALSE(cross.ok());
  EXPECT_EQ(cross.errors, (std::vector<std::string>{
                              path + ":3: cvr: not in the CVR register (import cvr.csv first)",
                          }));
  EXPECT_EQ(cross.changed, 0u);
  RecipientId se = RecipientId::Of(*Se::Parse("90000004"));
  EXPECT_FALSE(store_->GetUnit(se.key())->has_value()) << "nothing imported";
}

TEST_P(RegistryImportTest, ErrorsNeverShowAnUnmaskedCprNumber) {
  // A file named after a person (it happens) with bad lines about that person.
  const std::string name = "udtraek_0102851237.csv";
  ImportReport r = Import(ImportCpr, name,
                          std::string(kCprHeader) +
                              "0102851237,0102851237,Testvej 1,8000,Aarhus C,unknown\n"
                              "0102851237,Anna Test,010285-1237,80,Aarhus C,active\n"
                              "010285-1237,Anna Test,Testvej 1,8000\n"
                              "0102851237 ,Anna Test,Testvej 1,8000,Aarhus C,active\n");
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors_total, 4u) << ErrorsText(r);
  for (const std::string& e : r.errors) {
    EXPECT_EQ(e.find("0102851237"), std::string::npos) << e;
    EXPECT_EQ(e.find("010285-1237"), std::string::npos) << e;
  }
  EXPECT_NE(r.errors[0].find("udtraek_010285XXXX.csv:2: status:"), std::string::npos)
      << r.errors[0];
}

TEST_P(RegistryImportTest, ErrorsMaxCapsTheListButAllErrorsAreCounted) {
  std::string text = kCprHeader;
  for (int i = 0; i < 25; ++i) text += "0102851237,Anna Test,Testvej 1,8000,Aarhus C,nope\n";
  ImportOptions options;
  options.errors_max = 10;
  ImportReport r = Import(ImportCpr, "cpr.csv", text, options);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors.size(), 10u);
  EXPECT_EQ(r.errors_total, 25u);
  EXPECT_EQ(r.records, 25u);
  EXPECT_EQ(r.errors.back(),
            Path("cpr.csv") + ":11: status: must be one of active, dead, emigrated, protected");
}

TEST_P(RegistryImportTest, CallsTheProgressCallback) {
  std::vector<std::string> phases;
  uint64_t last_done = 0;
  uint64_t last_total = 0;
  ImportOptions options;
  options.progress = [&](std::string_view phase, uint64_t done, uint64_t total) {
    phases.emplace_back(phase);
    last_done = done;
    last_total = total;
  };
  ImportReport r = Import(ImportCpr, "cpr.csv", kGoodCpr, options);
  ASSERT_TRUE(r.ok()) << ErrorsText(r);
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.back(), Path("cpr.csv") + ": writing");
  EXPECT_EQ(last_done, 4u);
  EXPECT_EQ(last_total, 4u);
}

TEST_P(RegistryImportTest, ProgressReachesTheEndOnAFileOfSeveralBatches) {
  // More records than one hand-over batch of the writing pass, with a short last batch.
  constexpr int kRecords = 4100;
  std::string text = kCprHeader;
  for (int i = 0; i < kRecords; ++i) {
    text += fmt::format("010185{:04},Person {},Testvej 1,8000,Aarhus C,active\n", i, i);
  }
  std::vector<std::pair<uint64_t, uint64_t>> writing;
  ImportOptions options;
  options.progress = [&](std::string_view phase, uint64_t done, uint64_t total) {
    if (phase.ends_with(": writing")) writing.emplace_back(done, total);
  };
  ImportReport r = Import(ImportCpr, "cpr.csv", text, options);
  ASSERT_TRUE(r.ok()) << ErrorsText(r);
  EXPECT_EQ(r.changed, uint64_t{kRecords});
  EXPECT_EQ(*store_->CountPersons(), uint64_t{kRecords});
  ASSERT_FALSE(writing.empty());
  for (size_t i = 1; i < writing.size(); ++i) EXPECT_LE(writing[i - 1].first, writing[i].first);
  EXPECT_EQ(writing.back(), std::make_pair(uint64_t{kRecords}, uint64_t{kRecords}));
}

}  // namespace
}  // namespace nks::registry

namespace nks::registry {
namespace {

// ---- The recipient set and its snapshot ----

TEST_P(RegistryImportTest, RecipientSetHoldsExactlyTheRegistersKeys) {
  ASSERT_TRUE(Import(ImportCpr, "cpr.csv", kGoodCpr).ok());
  ASSERT_TRUE(Import(ImportCvr, "cvr.csv", kGoodCvr).ok());
  std::vector<uint64_t> keys;
  ASSERT_TRUE(LoadRecipientKeys(*store_, &keys).ok());
  RecipientSet set(keys);
  EXPECT_EQ(set.size(), 6u);
  for (uint64_t key : keys) EXPECT_TRUE(set.Contains(key));
  EXPECT_TRUE(set.Contains(RecipientId::Of(*Cpr::Parse("0102851237")).key()));
  EXPECT_FALSE(set.Contains(RecipientId::Of(*Cpr::Parse("0102851238")).key()));
  EXPECT_FALSE(set.Contains(RecipientId::Of(*Cvr::Parse("80000022")).key()));
  EXPECT_FALSE(set.Contains(0));
}

TEST_P(RegistryImportTest, RecipientSnapshotIsUsedUntilAnImportChangesTheRegisters) {
  ASSERT_TRUE(Import(ImportCpr, "cpr.csv", kGoodCpr).ok());
  const std::string snap = Path("recipients.snap");
  const uint64_t anna = RecipientId::Of(*Cpr::Parse("0102851237")).key();
  const uint64_t eva = RecipientId::Of(*Cpr::Parse("0404801234")).key();
  Result<RecipientSet> first = LoadRecipientSet(*store_, snap);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(fs::exists(snap));
  EXPECT_TRUE(first->Contains(anna));
  Result<RecipientSet> cached = LoadRecipientSet(*store_, snap);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->size(), 4u);
  // A new person: the snapshot no longer fits and is rebuilt.
  ASSERT_TRUE(Import(ImportCpr, "cpr2.csv", std::string(kCprHeader) + "0404801234,Eva Test,Testvej 3,8000,Aarhus C,active\n").ok());
  Result<RecipientSet> after = LoadRecipientSet(*store_, snap);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->Contains(eva));
  EXPECT_EQ(after->size(), 5u);
  // A damaged snapshot is rebuilt from the store, not trusted.
  fs::resize_file(snap, fs::file_size(snap) - 3);
  Result<RecipientSet> rebuilt = LoadRecipientSet(*store_, snap);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_TRUE(rebuilt->Contains(eva));
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryImportTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::registry
