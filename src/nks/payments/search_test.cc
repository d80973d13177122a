// Payment search over a real SQLite store: payments are inserted directly
// and their outcomes set as the cut-off would. All identifiers are invented
// test values.
#include "nks/payments/search.h"

#include <gtest/gtest.h>

#include "nks/store/temp_store_test.h"
#include <unistd.h>

#include <filesystem>

#include "nks/authority/config.h"
#include "nks/core/ids.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using store::Payment;
using store::PaymentStatus;

constexpr uint32_t kAuthority = 12345678;
constexpr uint32_t kOtherAuthority = 29189927;
const char* kCprA = "cpr:010285-1237";
const char* kCprB = "cpr:150372-1118";

// Randers: R1000 > R1100 > R1110, R1000 > R1200; the other authority has a
// unit R1100 too, and one of its own.
const char* kConfig =
    "authority nks=12345678 name=Randers type=municipality policy=RETURN\n"
    "authority nks=29189927 name=Other type=municipality policy=RETURN\n"
    "los authority=12345678 id=R1000 name=Top\n"
    "los authority=12345678 id=R1100 name=Borgerservice parent=R1000\n"
    "los authority=12345678 id=R1110 name=Boligstøtte parent=R1100\n"
    "los authority=12345678 id=R1200 name=Pension parent=R1000\n"
    "los authority=29189927 id=R1100 name=Same\n"
    "los authority=29189927 id=X1 name=Own\n";

uint64_t Key(const char* tagged) { return RecipientId::ParseTagged(tagged)->key(); }

class PaymentSearchTest : public store::TempStoreTest {
 protected:
  PaymentSearchTest() : TempStoreTest("nks-search") {}
  void SetUp() override {
    TempStoreTest::SetUp();
    if (HasFatalFailure()) return;
    auto parsed = authority::ParseConfig(kConfig, "test.nks");
    ASSERT_TRUE(parsed.ok()) << parsed.errors[0];
    auto applied = authority::ApplyConfig(*store_, parsed.file, "t", Instant{});
    ASSERT_TRUE(applied.ok() && applied->ok());
  }

  Payment Add(std::string e2e, std::string los, const char* recipient, std::string payout_date,
              int64_t amount_ore, uint32_t authority = kAuthority, std::string benefit = "boligstoette") {
    Payment p;
    p.system = "SYS";
    p.end_to_end = std::move(e2e);
    p.authority = authority;
    p.los = std::move(los);
    p.bank_agreement = "PIA-1";
    p.benefit_type = std::move(benefit);
    p.recipient = Key(recipient);
    p.amount_ore = amount_ore;
    p.currency = "DKK";
    p.requested_date = payout_date;
    p.payout_date = std::move(payout_date);
    EXPECT_TRUE(store_->AddPayment(&p).ok());
    return p;
  }

  // As the cut-off records it.
  void Outcome(Payment p, PaymentStatus status, std::string account, std::string resolution,
               std::string reason = "") {
    p.status = status;
    p.bank_file_id = status == PaymentStatus::kForwarded ? 1 : 0;
    p.resolved_account = std::move(account);
    p.resolution = std::move(resolution);
    p.outcome_reason = std::move(reason);
    ASSERT_TRUE(store_->SetPaymentOutcome(p).ok());
  }

  // The EndToEndIds found, in result order; the error message if refused.
  std::vector<std::string> Find(const SearchRequest& r) {
    auto found = SearchPayments(*store_, r);
    if (!found.ok()) return {"error: " + found.status().message()};
    std::vector<std::string> out;
    for (const auto& p : *found) out.push_back(p.end_to_end);
    return out;
  }

  std::string Error(const SearchRequest& r) {
    auto found = SearchPayments(*store_, r);
    EXPECT_FALSE(found.ok());
    return found.ok() ? "" : found.status().message();
  }

  // Four payments of Randers over its LOS tree, one of the other authority.
  void AddSample() {
    Payment top = Add("E-TOP", "R1000", kCprA, "2026-10-30", 100000);
    Payment leaf = Add("E-LEAF", "R1110", kCprA, "2026-11-30", 123456);
    Add("E-MID", "R1100", kCprB, "2026-11-30", 500, kAuthority, "pension");
    Payment side = Add("E-SIDE", "R1200", kCprB, "2026-12-01", 250000);
    Add("E-OTHER", "R1100", kCprA, "2026-11-30", 100000, kOtherAuthority);
    Outcome(top, PaymentStatus::kForwarded, "3001-0001234567", "nemkonto");
    Outcome(leaf, PaymentStatus::kSettled, "3001-0007654321", "specific");
    Outcome(side, PaymentStatus::kFailed, "", "no-nemkonto", "returned to the payment system");
  }

};

using Ids = std::vector<std::string>;

TEST_P(PaymentSearchTest, NoFilterFindsAllNewestPayoutDateFirstThenNewestId) {
  AddSample();
  EXPECT_EQ(Find({}), (Ids{"E-SIDE", "E-OTHER", "E-MID", "E-LEAF", "E-TOP"}));
}

TEST_P(PaymentSearchTest, ALosUnitIncludesEveryUnitBelowIt) {
  AddSample();
  SearchRequest r;
  r.authority = "12345678";
  r.los = "R1000";
  EXPECT_EQ(Find(r), (Ids{"E-SIDE", "E-MID", "E-LEAF", "E-TOP"}));
  r.los = "R1100";
  EXPECT_EQ(Find(r), (Ids{"E-MID", "E-LEAF"}));
  r.los = "R1110";
  EXPECT_EQ(Find(r), (Ids{"E-LEAF"}));
  r.authority = "29189927";
  r.los = "R1100";  // the same id in another authority is another unit
  EXPECT_EQ(Find(r), (Ids{"E-OTHER"}));
}

TEST_P(PaymentSearchTest, ALosUnitWithoutAuthorityMustBeUnambiguous) {
  AddSample();
  SearchRequest r;
  r.los = "R1200";
  EXPECT_EQ(Find(r), (Ids{"E-SIDE"}));
  r.los = "R1100";
  EXPECT_EQ(Error(r), "--los: 2 authorities have a LOS unit R1100; give --authority");
  r.los = "NOPE";
  EXPECT_EQ(Error(r), "--los: no LOS unit NOPE is configured");
  r.authority = "12345678";
  r.los = "X1";
  EXPECT_EQ(Error(r), "--los: authority 12345678 has no LOS unit X1");
}

TEST_P(PaymentSearchTest, LosSubtreeIsBreadthFirstAndSurvivesACycle) {
  std::vector<store::LosUnit> units = {
      {1, "A", "a", ""}, {1, "B", "b", "A"}, {1, "C", "c", "B"}, {1, "D", "d", "A"},
      {2, "B", "other", "A"}, {1, "X", "x", "Y"}, {1, "Y", "y", "X"}};
  EXPECT_EQ(*LosSubtree(units, 1, "A"), (Ids{"A", "B", "D", "C"}));
  EXPECT_EQ(*LosSubtree(units, 1, "X"), (Ids{"X", "Y"}));
  EXPECT_FALSE(LosSubtree(units, 2, "A").ok());
}

TEST_P(PaymentSearchTest, FiltersByRecipientDatesAndAuthority) {
  AddSample();
  SearchRequest r;
  r.recipient = kCprA;
  EXPECT_EQ(Find(r), (Ids{"E-OTHER", "E-LEAF", "E-TOP"}));
  r.authority = "12345678";
  EXPECT_EQ(Find(r), (Ids{"E-LEAF", "E-TOP"}));
  r.from = "2026-11-01";
  EXPECT_EQ(Find(r), (Ids{"E-LEAF"}));
  SearchRequest d;
  d.from = "2026-11-30";
  d.to = "2026-11-30";
  EXPECT_EQ(Find(d), (Ids{"E-OTHER", "E-MID", "E-LEAF"}));
  d.from = "";
  d.to = "2026-10-30";
  EXPECT_EQ(Find(d), (Ids{"E-TOP"}));
}

TEST_P(PaymentSearchTest, FiltersByAmountInKronerWithEitherDecimalMark) {
  AddSample();
  SearchRequest r;
  r.amount_min = "1.000,00";
  r.amount_max = "1234.56";
  EXPECT_EQ(Find(r), (Ids{"E-OTHER", "E-LEAF", "E-TOP"}));
  r.amount_min = "1234,56";
  EXPECT_EQ(Find(r), (Ids{"E-LEAF"}));
  r.amount_min = "";
  r.amount_max = "5";
  EXPECT_EQ(Find(r), (Ids{"E-MID"}));
}

TEST_P(PaymentSearchTest, FiltersByBenefitStatusSystemAndEndToEndId) {
  AddSample();
  SearchRequest r;
  r.benefit = "pension";
  EXPECT_EQ(Find(r), (Ids{"E-MID"}));
  r = {};
  r.status = "forwarded";
  EXPECT_EQ(Find(r), (Ids{"E-TOP"}));
  r.status = "pending";
  EXPECT_EQ(Find(r), (Ids{"E-OTHER", "E-MID"}));
  r.status = "failed";
  auto failed = SearchPayments(*store_, r);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].outcome_reason, "returned to the payment system");
  r = {};
  r.system = "SYS";
  r.end_to_end = "E-LEAF";
  auto leaf = SearchPayments(*store_, r);
  ASSERT_TRUE(leaf.ok());
  ASSERT_EQ(leaf->size(), 1u);
  EXPECT_EQ((*leaf)[0].resolved_account, "3001-0007654321");
  EXPECT_EQ((*leaf)[0].resolution, "specific");
  r.system = "OTHER";
  EXPECT_EQ(Find(r), Ids{});
}

TEST_P(PaymentSearchTest, TheLimitKeepsTheNewest) {
  for (int i = 0; i < 12; ++i) Add("E" + std::to_string(i), "R1000", kCprA, "2026-11-30", 100);
  SearchRequest r;
  r.limit = "3";
  EXPECT_EQ(Find(r), (Ids{"E11", "E10", "E9"}));
  r.limit = "";
  EXPECT_EQ(Find(r).size(), 12u);
}

TEST_P(PaymentSearchTest, BadInputIsRefusedNamingTheOption) {
  auto error = [&](auto set) {
    SearchRequest r;
    set(r);
    return Error(r);
  };
  EXPECT_EQ(error([](SearchRequest& r) { r.amount_min = "12.345"; }),
            "--amount-min: write kroner as 1234.56, 1234,56 or 1.234,56 (at most two decimals, above 0)");
  EXPECT_EQ(error([](SearchRequest& r) { r.amount_max = "-1"; }).rfind("--amount-max: ", 0), 0u);
  EXPECT_EQ(error([](SearchRequest& r) { r.amount_min = "10"; r.amount_max = "9"; }),
            "--amount-min: above --amount-max");
  EXPECT_EQ(error([](SearchRequest& r) { r.from = "2026-13-01"; }), "--from: write the payout date as YYYY-MM-DD");
  EXPECT_EQ(error([](SearchRequest& r) { r.from = "2026-12-01"; r.to = "2026-11-01"; }), "--from: after --to");
  EXPECT_EQ(error([](SearchRequest& r) { r.status = "paid"; }),
            "--status: one of pending, stopped, forwarded, settled, failed");
  EXPECT_EQ(error([](SearchRequest& r) { r.limit = "0"; }),
            "--limit: write the most payments to show as a whole number from 1 to 10000");
  EXPECT_EQ(error([](SearchRequest& r) { r.limit = "10001"; }).rfind("--limit: ", 0), 0u);
  EXPECT_EQ(error([](SearchRequest& r) { r.authority = "12a"; }),
            "--authority: NKS agreement number: must be 1..99999999 without leading zeros");
  EXPECT_EQ(error([](SearchRequest& r) { r.system = std::string(kSearchTextBytesMax + 1, 'x'); }),
            "--system: longer than 256 bytes");
}

TEST_P(PaymentSearchTest, ABadRecipientIsRefusedWithoutEchoingTheCprDigits) {
  SearchRequest r;
  r.recipient = "cpr:320185-1234";  // day 32
  std::string message = Error(r);
  EXPECT_EQ(message.rfind("--recipient: ", 0), 0u) << message;
  EXPECT_EQ(message.find("1234"), std::string::npos) << message;
  r.recipient = "010285-1237";  // untagged
  message = Error(r);
  EXPECT_EQ(message.rfind("--recipient: ", 0), 0u) << message;
  EXPECT_EQ(message.find("1237"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Backends, PaymentSearchTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::payments
