// The CSV payment layout's reader: what good files hand to intake, and the
// error (file:line: column: reason) for every kind of broken file. Intake's
// own checks of the values are intake_test.cc's; the two together run end
// to end in tests/integration/csv_payments_test.cc.
#include "nks/payments/csv_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "nks/gen/payments.h"
#include "nks/gen/population.h"
#include "nks/payments/pain001_source.h"
#include "nks/payments/payment_format.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;

// Everything a reader hands over, in order.
class Recorder final : public IncomingVisitor {
 public:
  Status OnHeader(const IncomingHeader& h) override {
    header = h;
    return Status::Ok();
  }
  Status OnGroup(const IncomingGroup& g) override {
    groups.push_back(g);
    return Status::Ok();
  }
  Status OnPayment(const IncomingPayment& p) override {
    if (fail_at_payment && payments.size() + 1 == *fail_at_payment)
      return Status::Internal("visitor says stop");
    payments.push_back(p);
    group_of_payment.push_back(groups.size() - 1);
    return Status::Ok();
  }
  Status OnFileTotals(bool count_matches, bool sum_matches) override {
    totals = std::pair{count_matches, sum_matches};
    return Status::Ok();
  }

  IncomingHeader header;
  std::vector<IncomingGroup> groups;
  std::vector<IncomingPayment> payments;
  std::vector<size_t> group_of_payment;
  std::optional<std::pair<bool, bool>> totals;
  std::optional<size_t> fail_at_payment;  // 1-based
};

const std::string kHeaderRow = std::string(kCsvPaymentColumns) + "\n";
const std::string kGroupA = "12345678,PIA-4711,RK-YDELSE,2026-11-30,3001-0001234567,DABADKKK,";
const std::string kGroupB = "12345678,PIA-4711,RK-BORGER,2026-11-30,30010001234567,DABADKKK,";

// A file of `rows` (each ending in '\n') with a matching or given file record.
std::string File(const std::vector<std::string>& rows, const std::string& count,
                 const std::string& sum) {
  std::string text =
      "#nks-payments v1\nfile,MSG-1,SMALLSYS," + count + "," + sum + "\n" + kHeaderRow;
  for (const auto& r : rows) text += r;
  return text;
}

std::string Row(
    const std::string& group, const std::string& e2e, const std::string& amount,
    const std::string& rest = "DKK,boligstoette,cpr,010285-1237,,,,Boligstøtte november") {
  return group + e2e + "," + amount + "," + rest + "\n";
}

Status Read(const std::string& text, Recorder* r) {
  return ReadPaymentCsvText(text, "pay.csv", *r);
}

std::string ErrorOf(const std::string& text) {
  Recorder r;
  Status st = Read(text, &r);
  EXPECT_FALSE(st.ok()) << "read without error";
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.message();
  return st.message();
}

TEST(CsvSourceTest, ReadsHeaderGroupsAndPaymentsAsSent) {
  const std::string text =
      "#nks-payments v1\n"
      "# Boligstøtte for november, batch 1\n"
      "file,MSG-2026-11-25-1,SMALLSYS,3,6250.50\n" +
      kHeaderRow + Row(kGroupA, "E2E-1", "1000.00") +
      Row(kGroupA, "E2E-2", "250.5", "DKK,boligstoette,cvr,10000009,,,Udlejer A/S,Husleje") +
      Row(kGroupB, "E2E-3", "5000",
          "DKK,kontanthjaelp,,,DE89370400440532013000,COBADEFFXXX,Hans Schmidt,");
  Recorder r;
  ASSERT_TRUE(Read(text, &r).ok());
  EXPECT_EQ(r.header.msg_id, "MSG-2026-11-25-1");
  EXPECT_EQ(r.header.initiating_system, "SMALLSYS");
  EXPECT_EQ(r.header.transaction_count, 3u);
  EXPECT_EQ(r.header.control_sum_ore, 625050);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].line, 5u);
  EXPECT_EQ(r.groups[0].pmt_inf_id, "line-5");
  EXPECT_EQ(r.groups[0].authority, "12345678");
  EXPECT_EQ(r.groups[0].bank_agreement, "PIA-4711");
  EXPECT_EQ(r.groups[0].los, "RK-YDELSE");
  EXPECT_EQ(r.groups[0].payout_date, "2026-11-30");
  EXPECT_EQ(r.groups[0].debtor_account, "3001-0001234567");
  EXPECT_EQ(r.groups[0].debtor_bank, "DABADKKK");
  EXPECT_FALSE(r.groups[0].transaction_count.has_value());
  EXPECT_EQ(r.groups[1].los, "RK-BORGER");
  EXPECT_EQ(r.groups[1].debtor_account, "3001-0001234567");  // 14 digits: registration + account
  ASSERT_EQ(r.payments.size(), 3u);
  EXPECT_EQ((std::vector<size_t>{0, 0, 1}), r.group_of_payment);
  const IncomingPayment& p = r.payments[0];
  EXPECT_EQ(p.line, 5u);
  EXPECT_EQ(p.end_to_end, "E2E-1");
  EXPECT_EQ(p.amount, "1000.00");
  EXPECT_EQ(p.currency, "DKK");
  EXPECT_EQ(p.benefit_type, "boligstoette");
  EXPECT_EQ(p.recipient_scheme, "CPR");
  EXPECT_EQ(p.recipient_id, "010285-1237");
  EXPECT_EQ(p.remittance, "Boligstøtte november");
  EXPECT_EQ(r.payments[1].recipient_scheme, "CVR");
  EXPECT_EQ(r.payments[1].creditor_name, "Udlejer A/S");
  EXPECT_EQ(r.payments[1].amount, "250.5");  // as written: intake parses it
  EXPECT_EQ(r.payments[2].recipient_scheme, "");
  EXPECT_EQ(r.payments[2].creditor_account, "DE89370400440532013000");
  EXPECT_EQ(r.payments[2].creditor_bic, "COBADEFFXXX");
  EXPECT_EQ(r.payments[2].line, 7u);
  EXPECT_EQ(r.totals, (std::pair{true, true}));
}

TEST(CsvSourceTest, RecipientTypesMapToIntakesSchemes) {
  std::vector<std::string> rows;
  for (const char* t : {"cpr,010285-1237", "cvr,10000009", "se,10000009", "p,1000000000"}) {
    rows.push_back(Row(kGroupA, "E2E-" + std::to_string(rows.size()), "1.00",
                       std::string("DKK,boligstoette,") + t + ",,,,"));
  }
  Recorder r;
  ASSERT_TRUE(Read(File(rows, "4", "4.00"), &r).ok());
  ASSERT_EQ(r.payments.size(), 4u);
  EXPECT_EQ(r.payments[0].recipient_scheme, "CPR");
  EXPECT_EQ(r.payments[1].recipient_scheme, "CVR");
  EXPECT_EQ(r.payments[2].recipient_scheme, "SE");
  EXPECT_EQ(r.payments[3].recipient_scheme, "PNR");
}

TEST(CsvSourceTest, QuotedFieldsCarryCommasQuotesAndDanishLetters) {
  const std::string row = kGroupA +
                          "\"E2E,1\",100.00,DKK,boligstoette,cpr,010285-1237,,,"
                          "\"Søren \"\"Lille\"\" Ærø, Åbyhøj\",\"Husleje, december\"\n";
  Recorder r;
  ASSERT_TRUE(Read(File({row}, "1", "100.00"), &r).ok());
  ASSERT_EQ(r.payments.size(), 1u);
  EXPECT_EQ(r.payments[0].end_to_end, "E2E,1");
  EXPECT_EQ(r.payments[0].creditor_name, "Søren \"Lille\" Ærø, Åbyhøj");
  EXPECT_EQ(r.payments[0].remittance, "Husleje, december");
}

TEST(CsvSourceTest, AcceptsAByteOrderMarkAndCrlfLineEnds) {
  std::string text =
      "\xEF\xBB\xBF" +
      File({Row(kGroupA, "E2E-1", "100.00"), Row(kGroupA, "E2E-2", "1.00")}, "2", "101.00");
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  Recorder r;
  Status st = Read(crlf, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(r.payments.size(), 2u);
  EXPECT_EQ(r.payments[1].remittance, "Boligstøtte november");  // no '\r' left
  EXPECT_EQ(r.payments[1].line, 5u);
  EXPECT_EQ(r.totals, (std::pair{true, true}));
}

TEST(CsvSourceTest, SkipsCommentsAndBlankLinesAndCountsThemAsLines) {
  const std::string text = "#nks-payments v1\n# who, what \"why\"\n\nfile,M,S,1,1.00\n#\n" +
                           kHeaderRow + "\n# a comment, with, commas\n" +
                           Row(kGroupA, "E2E-1", "1.00") + "\n";
  Recorder r;
  Status st = Read(text, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(r.payments.size(), 1u);
  EXPECT_EQ(r.payments[0].line, 9u);
}

TEST(CsvSourceTest, SpreadsheetPaddingOfTheFirstLinesIsAccepted) {
  const std::string pad(11, ',');
  const std::string text = "#nks-payments v1" + std::string(15, ',') + "\nfile,M,S,1,1.00" + pad +
                           "\n" + kHeaderRow + Row(kGroupA, "E2E-1", "1.00");
  Recorder r;
  Status st = Read(text, &r);
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST(CsvSourceTest, AnEmptyFileOrAWrongFirstLineIsRefused) {
  EXPECT_EQ(ErrorOf(""), "pay.csv:1: marker: the file is empty: expected '#nks-payments v1'");
  EXPECT_EQ(ErrorOf("<?xml version=\"1.0\"?>\n<Document/>\n"),
            "pay.csv:1: marker: expected the first line '#nks-payments v1'");
  EXPECT_EQ(ErrorOf("#nks-payments v2\n"),
            "pay.csv:1: marker: layout version 'v2' is not known: expected '#nks-payments v1'");
  EXPECT_EQ(ErrorOf("#nks-payments v1\n"),
            "pay.csv:2: file: no file record (file,msg_id,initiating_system,payments,control_sum)");
  EXPECT_EQ(ErrorOf("#nks-payments v1\nfile,M,S,0,0.00\n"),
            "pay.csv:3: header: no column header row: expected " + std::string(kCsvPaymentColumns));
}

TEST(CsvSourceTest, ABadFileRecordIsRefused) {
  auto error = [](const std::string& record) {
    return ErrorOf("#nks-payments v1\n" + record + "\n" + kHeaderRow);
  };
  EXPECT_EQ(error("files,M,S,1,1.00"),
            "pay.csv:2: file: expected the file record: "
            "file,msg_id,initiating_system,payments,control_sum");
  EXPECT_EQ(error("file,M,S,1"),
            "pay.csv:2: file: expected the file record: "
            "file,msg_id,initiating_system,payments,control_sum");
  EXPECT_EQ(error("file,M,S,1,1.00,extra"),
            "pay.csv:2: file: expected the file record: "
            "file,msg_id,initiating_system,payments,control_sum");
  EXPECT_EQ(error("file,,S,1,1.00"), "pay.csv:2: msg_id: required");
  EXPECT_EQ(error("file," + std::string(36, 'M') + ",S,1,1.00"),
            "pay.csv:2: msg_id: longer than 35 characters");
  EXPECT_EQ(error("file,M, S,1,1.00"), "pay.csv:2: initiating_system: space at the start or end");
  EXPECT_EQ(error("file,M,S,one,1.00"),
            "pay.csv:2: payments: must be a number of at most 15 digits");
  EXPECT_EQ(error("file,M,S,1234567890123456,1.00"),
            "pay.csv:2: payments: must be a number of at most 15 digits");
  EXPECT_EQ(error("file,M,S,1,\"1.234,50\""),
            "pay.csv:2: control_sum: must be kroner with a '.' before the øre: 1234.50");
  EXPECT_EQ(error("file,M,S,1,-1.00"),
            "pay.csv:2: control_sum: must be kroner with a '.' before the øre: 1234.50");
}

TEST(CsvSourceTest, AHeaderRowThatIsNotTheLayoutsIsRefused) {
  auto error = [](const std::string& header) {
    return ErrorOf("#nks-payments v1\nfile,M,S,0,0.00\n" + header + "\n");
  };
  std::string renamed = std::string(kCsvPaymentColumns);
  renamed.replace(renamed.find(",los,"), 5, ",lo,");
  EXPECT_NE(error(renamed).find("pay.csv:3: header: column 3 is 'lo', expected 'los'"),
            std::string::npos);
  std::string shorter = std::string(kCsvPaymentColumns);
  shorter.resize(shorter.rfind(','));
  EXPECT_NE(error(shorter).find("pay.csv:3: header: 15 columns, expected 16"), std::string::npos);
  EXPECT_NE(error(std::string(kCsvPaymentColumns) + ",extra")
                .find("pay.csv:3: header: 17 columns, expected 16"),
            std::string::npos);
  // A file without a header row: its first payment is taken for one.
  std::string first_payment = Row(kGroupA, "E2E-1", "1.00");
  first_payment.pop_back();
  EXPECT_NE(error(first_payment).find("column 1 is '12345678', expected 'authority'"),
            std::string::npos);
}

TEST(CsvSourceTest, EveryKindOfBadFieldNamesItsLineAndColumn) {
  struct Case {
    std::string row;
    std::string error;  // after "pay.csv:4: "
  };
  const std::string g = kGroupA;
  const std::string ok_rest = "DKK,boligstoette,cpr,010285-1237,,,,Tekst";
  const std::vector<Case> cases = {
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,", "row: 15 fields, expected 16"},
      {g + "E2E-1,1.00," + ok_rest + ",extra", "row: 17 fields, expected 16"},
      {",PIA-4711,RK,2026-11-30,3001-0001234567,DABADKKK,E2E-1,1.00," + ok_rest,
       "authority: required"},
      {"12345678,PIA-4711,RK," + std::string(36, 'x') + ",3001-0001234567,DABADKKK,E2E-1,1.00," +
           ok_rest,
       "payout_date: longer than 10 characters"},
      {"12345678,PIA-4711,RK,2026-02-30,3001-0001234567,DABADKKK,E2E-1,1.00," + ok_rest,
       "payout_date: not a date YYYY-MM-DD"},
      {"12345678,PIA-4711,RK,30.11.2026,3001-0001234567,DABADKKK,E2E-1,1.00," + ok_rest,
       "payout_date: not a date YYYY-MM-DD"},
      {"12345678,PIA-4711,RK,2026-11-30,,DABADKKK,E2E-1,1.00," + ok_rest,
       "debtor_account: required"},
      {"12345678,PIA-4711,RK,2026-11-30,3001-0001234567,,E2E-1,1.00," + ok_rest,
       "debtor_bank: required"},
      {"12345678,PIA-4711 ,RK,2026-11-30,3001-0001234567,DABADKKK,E2E-1,1.00," + ok_rest,
       "bank_agreement: space at the start or end"},
      {g + ",1.00," + ok_rest, "end_to_end: required"},
      {g + std::string(36, 'E') + ",1.00," + ok_rest, "end_to_end: longer than 35 characters"},
      {g + "E2E-1,," + ok_rest, "amount: required"},
      {g + "E2E-1,\"1,00\"," + ok_rest,
       "amount: must be kroner with a '.' before the øre: 1234.50"},
      {g + "E2E-1,-1.00," + ok_rest, "amount: must be kroner with a '.' before the øre: 1234.50"},
      {g + "E2E-1,+1.00," + ok_rest, "amount: must be kroner with a '.' before the øre: 1234.50"},
      {g + "E2E-1,1e3," + ok_rest, "amount: must be kroner with a '.' before the øre: 1234.50"},
      {g + "E2E-1,.50," + ok_rest, "amount: must be kroner with a '.' before the øre: 1234.50"},
      {g + "E2E-1,1.," + ok_rest, "amount: must be kroner with a '.' before the øre: 1234.50"},
      {g + "E2E-1,1.123456," + ok_rest,
       "amount: must be kroner with a '.' before the øre: 1234.50"},
      {g + "E2E-1,1.00,dkk,boligstoette,cpr,010285-1237,,,,",
       "currency: must be 3 capital letters: DKK"},
      {g + "E2E-1,1.00,DKKR,boligstoette,cpr,010285-1237,,,,",
       "currency: longer than 3 characters"},
      {g + "E2E-1,1.00,DKK,,cpr,010285-1237,,,,", "benefit_type: required"},
      {g + "E2E-1,1.00,DKK,boligstoette,CPR,010285-1237,,,,",
       "recipient_type: must be cpr, cvr, se, p or empty"},
      {g + "E2E-1,1.00,DKK,boligstoette,pnr,1000000000,,,,",
       "recipient_type: must be cpr, cvr, se, p or empty"},
      {g + "E2E-1,1.00,DKK,boligstoette,person,010285-1237,,,,",
       "recipient_type: longer than 3 characters"},
      {g + "E2E-1,1.00,DKK,boligstoette,,010285-1237,,,,",
       "recipient_type: required with recipient_id"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,,,,,", "recipient_id: required with recipient_type"},
      {g + "E2E-1,1.00,DKK,boligstoette,,,,COBADEFFXXX,,",
       "creditor_bic: given without creditor_account"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,," + std::string(141, 'x'),
       "remittance: longer than 140 characters"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,,\"two\nlines\"",
       "remittance: control character (no line breaks or tabs inside a field)"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,Navn\tEfternavn,",
       "creditor_name: control character (no line breaks or tabs inside a field)"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,\"Navn\" x,",
       "record: text after a closing quote"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,Na\"vn,",
       "record: quote inside an unquoted field"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,\"Navn,",
       "record: quoted field is not closed"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,N\xE6vn,", "record: not valid UTF-8"},
      {g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,,Navn,x\ry",
       "record: carriage return without line feed"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOf(File({c.row + "\n"}, "1", "1.00")), "pay.csv:4: " + c.error) << c.row;
  }
  // A name of 140 Danish letters is 280 bytes and fine.
  std::string long_name;
  for (int i = 0; i < 140; ++i) long_name += "ø";
  Recorder r;
  EXPECT_TRUE(Read(File({g + "E2E-1,1.00,DKK,boligstoette,cpr,010285-1237,,," + long_name + ",\n"},
                        "1", "1.00"),
                   &r)
                  .ok());
}

TEST(CsvSourceTest, ErrorsNameTheLineOfTheBadRowAfterGoodOnes) {
  const std::string text =
      File({Row(kGroupA, "E2E-1", "1.00"), "# comment\n", Row(kGroupA, "E2E-2", "x")}, "2", "2.00");
  EXPECT_EQ(ErrorOf(text), "pay.csv:6: amount: must be kroner with a '.' before the øre: 1234.50");
}

TEST(CsvSourceTest, CprNumbersInErrorsAreMasked) {
  // A header row of payment data (here with a CPR number first) is echoed.
  const std::string text = "#nks-payments v1\nfile,M,S,1,1.00\n0102851237,x\n";
  const std::string error = ErrorOf(text);
  EXPECT_EQ(error.find("0102851237"), std::string::npos) << error;
  EXPECT_EQ(error.find("1237"), std::string::npos) << error;
  EXPECT_NE(error.find("pay.csv:3: header: column 1 is"), std::string::npos) << error;
}

TEST(CsvSourceTest, GivesExactVerdictsOnCountAndControlSum) {
  const std::vector<std::string> rows = {Row(kGroupA, "E2E-1", "100.00"),
                                         Row(kGroupA, "E2E-2", "0.50")};
  auto totals = [&](const std::vector<std::string>& r, const std::string& count,
                    const std::string& sum) {
    Recorder rec;
    Status st = Read(File(r, count, sum), &rec);
    EXPECT_TRUE(st.ok()) << st.message();
    return rec.totals.value_or(std::pair{false, false});
  };
  EXPECT_EQ(totals(rows, "2", "100.50"), (std::pair{true, true}));
  EXPECT_EQ(totals(rows, "2", "100.5000"), (std::pair{true, true}));
  EXPECT_EQ(totals(rows, "3", "100.50"), (std::pair{false, true}));
  EXPECT_EQ(totals(rows, "1", "100.50"), (std::pair{false, true}));
  EXPECT_EQ(totals(rows, "2", "100.51"), (std::pair{true, false}));
  EXPECT_EQ(totals(rows, "2", "100"), (std::pair{true, false}));
  EXPECT_EQ(totals({}, "0", "0"), (std::pair{true, true}));
  // Amounts in fractions of an øre are summed exactly, as ISO 20022 sums
  // them (intake then rejects those payments alone, AM12).
  EXPECT_EQ(totals({Row(kGroupA, "E2E-1", "0.005"), Row(kGroupA, "E2E-2", "0.005")}, "2", "0.01"),
            (std::pair{true, true}));
  Recorder rec;
  ASSERT_TRUE(Read(File(rows, "2", "100.505"), &rec).ok());
  EXPECT_EQ(rec.header.control_sum_ore, -1);  // matches no sum of whole øre
}

TEST(CsvSourceTest, AVisitorErrorStopsTheReading) {
  Recorder r;
  r.fail_at_payment = 2;
  Status st = Read(File({Row(kGroupA, "E2E-1", "1.00"), Row(kGroupA, "E2E-2", "1.00"),
                         Row(kGroupA, "E2E-3", "1.00")},
                        "3", "3.00"),
                   &r);
  EXPECT_EQ(st.code(), Code::kInternal);
  EXPECT_EQ(r.payments.size(), 1u);
  EXPECT_FALSE(r.totals.has_value());
}

class CsvSourceFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nks-csv-source-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(CsvSourceFileTest, ReadsALargeFileFromDiskInGroups) {
  // ~15 MB: past the interval at which consumed pages are handed back.
  constexpr int kRows = 100'000;
  std::string text = "#nks-payments v1\nfile,BIG,S," + std::to_string(kRows) + "," +
                     std::to_string(kRows) + ".00\n" + kHeaderRow;
  for (int i = 0; i < kRows; ++i)
    text += Row(i < kRows / 2 ? kGroupA : kGroupB, "E2E-" + std::to_string(i), "1.00");
  const std::string path = Write("big.csv", text);
  Recorder r;
  Status st = ReadPaymentCsv(path, r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(r.payments.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.payments.back().end_to_end, "E2E-99999");
  EXPECT_EQ(r.totals, (std::pair{true, true}));
  EXPECT_EQ(ReadPaymentCsv((dir_ / "missing.csv").string(), r).code(), Code::kIoError);
}

TEST_F(CsvSourceFileTest, ErrorsNameTheFilesPath) {
  const std::string path = Write("bad.csv", "#nks-payments v1\nfile,M,S,1,x\n");
  Recorder r;
  EXPECT_EQ(ReadPaymentCsv(path, r).message(),
            path + ":2: control_sum: must be kroner with a '.' before the øre: 1234.50");
}

TEST_F(CsvSourceFileTest, TheExampleFileReads) {
  Recorder r;
  Status st = ReadPaymentCsv(std::string(NKS_SOURCE_DIR) + "/config/payments-example.csv", r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_GE(r.payments.size(), 4u);
  EXPECT_GE(r.groups.size(), 2u);
  EXPECT_EQ(r.totals, (std::pair{true, true}));
}

TEST_F(CsvSourceFileTest, FormatIsChosenByNameExtensionOrFirstBytes) {
  const std::string csv = Write("a.txt", "\xEF\xBB\xBF#nks-payments v1\n");
  const std::string xml = Write("b.txt", "<?xml version=\"1.0\"?>");
  const std::string junk = Write("c", "hello");
  EXPECT_EQ(*DetectPaymentFormat(csv), PaymentFormat::kCsv);
  EXPECT_EQ(*DetectPaymentFormat(xml), PaymentFormat::kPain001);
  EXPECT_EQ(*DetectPaymentFormat(junk), PaymentFormat::kPain001);  // its reader says why not (FF01)
  EXPECT_EQ(*DetectPaymentFormat((dir_ / "x.CSV").string()), PaymentFormat::kCsv);  // by name alone
  EXPECT_EQ(*DetectPaymentFormat(Write("d.xml", "#nks-payments v1\n")), PaymentFormat::kPain001);
  EXPECT_EQ(*ChoosePaymentFormat("csv", xml), PaymentFormat::kCsv);
  EXPECT_EQ(*ChoosePaymentFormat("pain001", csv), PaymentFormat::kPain001);
  EXPECT_EQ(*ChoosePaymentFormat("auto", csv), PaymentFormat::kCsv);
  auto bad = ChoosePaymentFormat("xml", csv);
  EXPECT_EQ(bad.status().message(), "--format: 'xml' is not pain001, csv or auto");
  EXPECT_EQ(DetectPaymentFormat((dir_ / "none").string()).status().code(), Code::kIoError);
  EXPECT_EQ(PaymentFormatName(PaymentFormat::kCsv), "csv");
}

// The generator's CSV layout carries exactly the payments of its pain.001
// for the same options: both read to the same header, groups and payments.
TEST_F(CsvSourceFileTest, GeneratedCsvCarriesWhatTheGeneratedPain001Carries) {
  gen::PopulationOptions po;
  po.persons = 600;
  po.companies = 60;
  po.seed = 3;
  ASSERT_TRUE(gen::GeneratePopulation(po, dir_ / "pop").ok());
  gen::PaymentsOptions o;
  o.count = 2500;
  o.seed = 4;
  o.population_dir = dir_ / "pop";
  ASSERT_TRUE(gen::GeneratePayments(o, dir_ / "pay.xml").ok());
  o.format = gen::PaymentFileFormat::kCsv;
  auto report = gen::GeneratePayments(o, dir_ / "pay.csv");
  ASSERT_TRUE(report.ok()) << report.status().message();
  Recorder xml, csv;
  ASSERT_TRUE(ReadPain001((dir_ / "pay.xml").string(), xml).ok());
  Status st = ReadPaymentCsv((dir_ / "pay.csv").string(), csv);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(csv.header.msg_id, xml.header.msg_id);
  EXPECT_EQ(csv.header.initiating_system, xml.header.initiating_system);
  EXPECT_EQ(csv.header.transaction_count, xml.header.transaction_count);
  EXPECT_EQ(csv.header.control_sum_ore, xml.header.control_sum_ore);
  EXPECT_EQ(csv.totals, (std::pair{true, true}));
  ASSERT_EQ(csv.groups.size(), xml.groups.size());
  EXPECT_EQ(csv.groups.size(), report->payment_infos);
  for (size_t g = 0; g < csv.groups.size(); ++g) {
    EXPECT_EQ(csv.groups[g].authority, xml.groups[g].authority);
    EXPECT_EQ(csv.groups[g].bank_agreement, xml.groups[g].bank_agreement);
    EXPECT_EQ(csv.groups[g].los, xml.groups[g].los);
    EXPECT_EQ(csv.groups[g].payout_date, xml.groups[g].payout_date);
    EXPECT_EQ(csv.groups[g].debtor_account, xml.groups[g].debtor_account);
    EXPECT_EQ(csv.groups[g].debtor_bank, xml.groups[g].debtor_bank);
  }
  ASSERT_EQ(csv.payments.size(), xml.payments.size());
  EXPECT_EQ(csv.group_of_payment, xml.group_of_payment);
  for (size_t i = 0; i < csv.payments.size(); ++i) {
    const IncomingPayment& a = csv.payments[i];
    const IncomingPayment& b = xml.payments[i];
    EXPECT_EQ(a.end_to_end, b.end_to_end);
    EXPECT_EQ(a.amount, b.amount);
    EXPECT_EQ(a.currency, b.currency);
    EXPECT_EQ(a.benefit_type, b.benefit_type);
    EXPECT_EQ(a.recipient_scheme, b.recipient_scheme);
    EXPECT_EQ(a.recipient_id, b.recipient_id);
    EXPECT_EQ(a.creditor_account, b.creditor_account);
    EXPECT_EQ(a.creditor_bic, b.creditor_bic);
    EXPECT_EQ(a.remittance, b.remittance);
  }
}

}  // namespace
}  // namespace nks::payments
