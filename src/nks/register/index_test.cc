// The resolution index (SPEC §5.2): which account a payment goes to, built
// by folding the NemKonto and specific-account histories, alone and against
// a real SQLite store. All identifiers and accounts are invented.
#include "nks/register/index.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "nks/store/store.h"

namespace nks::reg {
namespace {

namespace fs = std::filesystem;
using store::NemKontoEvent;
using store::NemKontoEventKind;
using store::SpecificEvent;
using store::SpecificEventKind;

constexpr uint32_t kAuthority = 101;
constexpr uint32_t kOtherAuthority = 202;
constexpr char kBenefit[] = "boligstoette";

// Synthetic accounts: two Danish, two foreign (published example IBANs).
constexpr char kAccountA[] = "1234-0001234567";
constexpr char kAccountB[] = "5678-0000000042";
constexpr char kSpecificAccount[] = "4321-0000007777";
constexpr char kForeignDe[] = "DE89370400440532013000/DEUTDEFF";
constexpr char kForeignGb[] = "GB29NWBK60161331926819";

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}
const Date kPayday = D(2026, 11, 25);

RecipientId Person(const char* cpr) { return RecipientId::Of(*Cpr::Parse(cpr)); }
RecipientId Company(const char* cvr) { return RecipientId::Of(*Cvr::Parse(cvr)); }
RecipientId SeUnit(const char* se) { return RecipientId::Of(*Se::Parse(se)); }
RecipientId PUnit(const char* p) { return RecipientId::Of(*PNumber::Parse(p)); }

NemKontoEvent NemKonto(int64_t seq, const RecipientId& who, NemKontoEventKind kind,
                       std::string account = "") {
  NemKontoEvent e;
  e.seq = seq;
  e.recipient = who.key();
  e.kind = kind;
  e.account = std::move(account);
  e.channel = store::Channel::kBank;
  e.actor = "1234";
  e.at_us = 1'790'000'000'000'000 + seq;
  return e;
}

SpecificEvent Specific(int64_t seq, const RecipientId& who, uint32_t authority,
                       std::string benefit, SpecificEventKind kind, std::string account = "",
                       std::string valid_until = "") {
  SpecificEvent e;
  e.seq = seq;
  e.recipient = who.key();
  e.authority = authority;
  e.benefit_type = std::move(benefit);
  e.kind = kind;
  e.account = std::move(account);
  e.valid_until = std::move(valid_until);
  e.channel = store::Channel::kAuthority;
  e.actor = "sagsbehandler";
  e.at_us = 1'790'000'000'000'000 + seq;
  return e;
}

// The resolution as "kind account" text, for readable failures.
std::string Show(const ResolutionIndex& index, const Resolution& r) {
  std::string out(ResolutionKindName(r.kind));
  if (r.kind != ResolutionKind::kUnresolved) out += " " + index.Decode(r.account).ToString();
  return out;
}

std::string ResolveText(const ResolutionIndex& index, const RecipientId& who,
                        uint32_t authority = kAuthority, std::string_view benefit = kBenefit,
                        Date payout = kPayday) {
  return Show(index, index.Resolve(who, authority, benefit, payout));
}

void MustApply(ResolutionIndex& index, const NemKontoEvent& e) {
  Status st = index.Apply(e);
  ASSERT_TRUE(st.ok()) << st.ToString();
}
void MustApply(ResolutionIndex& index, const SpecificEvent& e) {
  Status st = index.Apply(e);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

const RecipientId kJens = Person("010185-1234");
const RecipientId kAne = Person("020290-4321");

// ---- NemKonto ----

TEST(ResolutionIndexTest, UnknownRecipientIsUnresolved) {
  ResolutionIndex index;
  const Resolution r = index.Resolve(kJens, kAuthority, kBenefit, kPayday);
  EXPECT_EQ(r.kind, ResolutionKind::kUnresolved);
  EXPECT_EQ(r.account, 0u);
}

TEST(ResolutionIndexTest, SetNemKontoResolvesToIt) {
  ResolutionIndex index;
  MustApply(index, NemKonto(1, kJens, NemKontoEventKind::kSet, kAccountA));
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index, kAne), "unresolved");
  AccountCode code = 0;
  ASSERT_TRUE(index.ActiveNemKonto(kJens.key(), &code));
  EXPECT_EQ(index.Decode(code).ToString(), kAccountA);
  EXPECT_EQ(index.nemkonto_count(), 1u);
  EXPECT_EQ(index.last_nemkonto_seq(), 1);
}

TEST(ResolutionIndexTest, LaterSetReplacesTheNemKonto) {
  ResolutionIndex index;
  MustApply(index, NemKonto(1, kJens, NemKontoEventKind::kSet, kAccountA));
  MustApply(index, NemKonto(2, kJens, NemKontoEventKind::kSet, kAccountB));
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 5678-0000000042");
  EXPECT_EQ(index.nemkonto_count(), 1u);
}

TEST(ResolutionIndexTest, PendingNemKontoDoesNotChangeResolutionUntilActivated) {
  ResolutionIndex index;
  MustApply(index, NemKonto(1, kAne, NemKontoEventKind::kPending, kAccountB));
  EXPECT_EQ(ResolveText(index, kAne), "unresolved");

  MustApply(index, NemKonto(2, kJens, NemKontoEventKind::kSet, kAccountA));
  MustApply(index, NemKonto(3, kJens, NemKontoEventKind::kPending, kAccountB));
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");
  NemKontoEvent failed = NemKonto(4, kJens, NemKontoEventKind::kActivationFailed);
  failed.pending_seq = 3;
  MustApply(index, failed);
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");

  NemKontoEvent activated = NemKonto(5, kJens, NemKontoEventKind::kActivated, kAccountB);
  activated.pending_seq = 3;
  MustApply(index, activated);
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 5678-0000000042");
  EXPECT_EQ(index.last_nemkonto_seq(), 5);
}

TEST(ResolutionIndexTest, CancelledPendingKeepsTheOldNemKonto) {
  ResolutionIndex index;
  MustApply(index, NemKonto(1, kJens, NemKontoEventKind::kSet, kAccountA));
  MustApply(index, NemKonto(2, kJens, NemKontoEventKind::kPending, kAccountB));
  NemKontoEvent cancelled = NemKonto(3, kJens, NemKontoEventKind::kPendingCancelled);
  cancelled.pending_seq = 2;
  MustApply(index, cancelled);
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");
}

TEST(ResolutionIndexTest, DeletedNemKontoIsGone) {
  ResolutionIndex index;
  MustApply(index, NemKonto(1, kJens, NemKontoEventKind::kSet, kAccountA));
  MustApply(index, NemKonto(2, kAne, NemKontoEventKind::kSet, kAccountB));
  MustApply(index, NemKonto(3, kJens, NemKontoEventKind::kDeleted));
  EXPECT_EQ(ResolveText(index, kJens), "unresolved");
  AccountCode code = 0;
  EXPECT_FALSE(index.ActiveNemKonto(kJens.key(), &code));
  EXPECT_EQ(ResolveText(index, kAne), "nemkonto 5678-0000000042");
  EXPECT_EQ(index.nemkonto_count(), 1u);
  // And a new one can be set afterwards.
  MustApply(index, NemKonto(4, kJens, NemKontoEventKind::kSet, kAccountB));
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 5678-0000000042");
}

TEST(ResolutionIndexTest, EventsAtOrBeforeTheLastAppliedSeqAreIgnored) {
  ResolutionIndex index;
  MustApply(index, NemKonto(5, kJens, NemKontoEventKind::kSet, kAccountA));
  MustApply(index, NemKonto(3, kJens, NemKontoEventKind::kSet, kAccountB));
  MustApply(index, NemKonto(5, kJens, NemKontoEventKind::kDeleted));
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");
  EXPECT_EQ(index.last_nemkonto_seq(), 5);

  MustApply(index, Specific(7, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                            kSpecificAccount));
  MustApply(index, Specific(7, kJens, kAuthority, kBenefit, SpecificEventKind::kDeleted));
  MustApply(index, Specific(2, kJens, kAuthority, kBenefit, SpecificEventKind::kSet, kAccountB));
  EXPECT_EQ(ResolveText(index, kJens), "specific-account 4321-0000007777");
  EXPECT_EQ(index.specific_count(), 1u);
  EXPECT_EQ(index.last_specific_seq(), 7);
  // The two histories count their seqs apart.
  MustApply(index, NemKonto(6, kJens, NemKontoEventKind::kSet, kAccountB));
  EXPECT_EQ(index.last_nemkonto_seq(), 6);
}

TEST(ResolutionIndexTest, CorruptStoredNemKontoAccountIsCorruption) {
  ResolutionIndex index;
  MustApply(index, NemKonto(1, kJens, NemKontoEventKind::kSet, kAccountA));
  Status st = index.Apply(NemKonto(2, kJens, NemKontoEventKind::kSet, "1234-12x"));
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("nemkonto entry 2"), std::string::npos) << st.message();
  // Nothing of the bad entry was applied.
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");
  EXPECT_EQ(index.last_nemkonto_seq(), 1);
  st = index.Apply(NemKonto(3, kAne, NemKontoEventKind::kActivated, ""));
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
}

// ---- Specific accounts ----

class ResolutionIndexSpecificTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MustApply(index_, NemKonto(1, kJens, NemKontoEventKind::kSet, kAccountA));
  }
  ResolutionIndex index_;
};

TEST_F(ResolutionIndexSpecificTest, SpecificAccountWinsForItsAuthorityAndBenefit) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount));
  EXPECT_EQ(ResolveText(index_, kJens), "specific-account 4321-0000007777");
  EXPECT_EQ(index_.specific_count(), 1u);
}

TEST_F(ResolutionIndexSpecificTest, OtherAuthorityOrBenefitGetsTheNemKonto) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount));
  EXPECT_EQ(ResolveText(index_, kJens, kOtherAuthority, kBenefit), "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, "boernecheck"), "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, "boligstoett"), "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, ""), "nemkonto 1234-0001234567");
  // Another recipient is not touched by Jens's specific account.
  EXPECT_EQ(ResolveText(index_, kAne), "unresolved");
}

TEST_F(ResolutionIndexSpecificTest, SpecificAccountAppliesUpToAndIncludingValidUntil) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount, "2026-06-30"));
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, kBenefit, D(2026, 1, 1)),
            "specific-account 4321-0000007777");
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, kBenefit, D(2026, 6, 30)),
            "specific-account 4321-0000007777");
}

TEST_F(ResolutionIndexSpecificTest, ExpiredSpecificAccountFallsBackToNemKonto) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount, "2026-06-30"));
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, kBenefit, D(2026, 7, 1)),
            "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, kBenefit, D(2030, 1, 1)),
            "nemkonto 1234-0001234567");
}

TEST_F(ResolutionIndexSpecificTest, ExpiredSpecificAccountWithoutNemKontoIsUnresolved) {
  MustApply(index_, Specific(1, kAne, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount, "2026-06-30"));
  EXPECT_EQ(ResolveText(index_, kAne, kAuthority, kBenefit, D(2026, 6, 30)),
            "specific-account 4321-0000007777");
  EXPECT_EQ(ResolveText(index_, kAne, kAuthority, kBenefit, D(2026, 7, 1)), "unresolved");
}

TEST_F(ResolutionIndexSpecificTest, SpecificAccountWithoutEndDateNeverExpires) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount));
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, kBenefit, D(2099, 12, 31)),
            "specific-account 4321-0000007777");
}

TEST_F(ResolutionIndexSpecificTest, DeletedSpecificAccountFallsBackToNemKonto) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount));
  MustApply(index_, Specific(2, kJens, kAuthority, kBenefit, SpecificEventKind::kDeleted));
  EXPECT_EQ(ResolveText(index_, kJens), "nemkonto 1234-0001234567");
  EXPECT_EQ(index_.specific_count(), 0u);
}

TEST_F(ResolutionIndexSpecificTest, NewSpecificForTheSameKeyReplacesTheOld) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount, "2026-06-30"));
  MustApply(index_, Specific(2, kJens, kAuthority, kBenefit, SpecificEventKind::kSet, kAccountB));
  EXPECT_EQ(index_.specific_count(), 1u);
  // The new one has no end date; the old end date is gone with it.
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, kBenefit, D(2027, 1, 1)),
            "specific-account 5678-0000000042");
}

TEST_F(ResolutionIndexSpecificTest, SpecificAccountsPerAuthorityAndBenefitAreKeptApart) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount));
  MustApply(index_, Specific(2, kJens, kOtherAuthority, kBenefit, SpecificEventKind::kSet,
                             kAccountB));
  MustApply(index_, Specific(3, kJens, kAuthority, "boernecheck", SpecificEventKind::kSet,
                             kForeignGb));
  EXPECT_EQ(index_.specific_count(), 3u);
  EXPECT_EQ(ResolveText(index_, kJens), "specific-account 4321-0000007777");
  EXPECT_EQ(ResolveText(index_, kJens, kOtherAuthority, kBenefit),
            "specific-account 5678-0000000042");
  EXPECT_EQ(ResolveText(index_, kJens, kAuthority, "boernecheck"),
            "specific-account GB29NWBK60161331926819");
  EXPECT_EQ(ResolveText(index_, kJens, kOtherAuthority, "boernecheck"),
            "nemkonto 1234-0001234567");
  // Deleting one leaves the others.
  MustApply(index_, Specific(4, kJens, kOtherAuthority, kBenefit, SpecificEventKind::kDeleted));
  EXPECT_EQ(index_.specific_count(), 2u);
  EXPECT_EQ(ResolveText(index_, kJens, kOtherAuthority, kBenefit), "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index_, kJens), "specific-account 4321-0000007777");
}

TEST_F(ResolutionIndexSpecificTest, CorruptStoredSpecificAccountIsCorruptionAndKeepsTheOldOne) {
  MustApply(index_, Specific(1, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount));
  Status st = index_.Apply(
      Specific(2, kJens, kAuthority, kBenefit, SpecificEventKind::kSet, "not an account"));
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("specific entry 2"), std::string::npos) << st.message();
  // A failed Apply changes nothing.
  EXPECT_EQ(index_.last_specific_seq(), 1);
  EXPECT_EQ(index_.specific_count(), 1u);
  EXPECT_EQ(ResolveText(index_, kJens), "specific-account 4321-0000007777");

  st = index_.Apply(Specific(3, kJens, kAuthority, kBenefit, SpecificEventKind::kSet, kAccountB,
                             "2026-02-30"));
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(index_.last_specific_seq(), 1);
  EXPECT_EQ(index_.specific_count(), 1u);
  EXPECT_EQ(ResolveText(index_, kJens), "specific-account 4321-0000007777");
}

// ---- SE and P units ----

class ResolutionIndexUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MustApply(index_, NemKonto(1, company_, NemKontoEventKind::kSet, kAccountA));
    index_.PutUnit(se_.key(), company_.number());
    index_.PutUnit(p_.key(), company_.number());
    index_.PutUnit(orphan_se_.key(), other_company_.number());
  }
  ResolutionIndex index_;
  const RecipientId company_ = Company("80000006");
  const RecipientId other_company_ = Company("80000014");
  const RecipientId se_ = SeUnit("90000004");
  const RecipientId p_ = PUnit("1000000001");
  const RecipientId orphan_se_ = SeUnit("80000014");  // its company has no NemKonto
};

TEST_F(ResolutionIndexUnitTest, UnitWithoutOwnNemKontoUsesItsCompanys) {
  EXPECT_EQ(ResolveText(index_, se_), "company-nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index_, p_), "company-nemkonto 1234-0001234567");
  EXPECT_EQ(index_.unit_count(), 3u);
}

TEST_F(ResolutionIndexUnitTest, UnitWithOwnNemKontoUsesItsOwn) {
  MustApply(index_, NemKonto(2, se_, NemKontoEventKind::kSet, kAccountB));
  EXPECT_EQ(ResolveText(index_, se_), "nemkonto 5678-0000000042");
  EXPECT_EQ(ResolveText(index_, p_), "company-nemkonto 1234-0001234567");
  // Once the unit's own is deleted, the company's applies again.
  MustApply(index_, NemKonto(3, se_, NemKontoEventKind::kDeleted));
  EXPECT_EQ(ResolveText(index_, se_), "company-nemkonto 1234-0001234567");
}

TEST_F(ResolutionIndexUnitTest, UnitOfACompanyWithoutNemKontoIsUnresolved) {
  EXPECT_EQ(ResolveText(index_, orphan_se_), "unresolved");
  MustApply(index_, NemKonto(2, company_, NemKontoEventKind::kDeleted));
  EXPECT_EQ(ResolveText(index_, se_), "unresolved");
  EXPECT_EQ(ResolveText(index_, p_), "unresolved");
}

TEST_F(ResolutionIndexUnitTest, UnknownUnitIsUnresolved) {
  EXPECT_EQ(ResolveText(index_, PUnit("1000000002")), "unresolved");
}

TEST_F(ResolutionIndexUnitTest, CompanyWithoutNemKontoDoesNotBorrowFromAnything) {
  EXPECT_EQ(ResolveText(index_, other_company_), "unresolved");
}

TEST_F(ResolutionIndexUnitTest, SpecificAccountOfAUnitComesBeforeTheCompanyNemKonto) {
  MustApply(index_, Specific(1, se_, kAuthority, kBenefit, SpecificEventKind::kSet,
                             kSpecificAccount));
  EXPECT_EQ(ResolveText(index_, se_), "specific-account 4321-0000007777");
  EXPECT_EQ(ResolveText(index_, se_, kOtherAuthority), "company-nemkonto 1234-0001234567");
}

// ---- Encode / Decode ----

TEST(ResolutionIndexCodeTest, DanishAccountPacksAsRegistrationAndNumber) {
  ResolutionIndex index;
  Result<AccountCode> code = index.Encode(*Account::Parse(kAccountA));
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 12340001234567u);
  EXPECT_EQ(index.Decode(*code).ToString(), kAccountA);
  Result<AccountCode> max = index.Encode(*Account::Parse("9999-9999999999"));
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, 99999999999999u);
  EXPECT_EQ(index.Decode(*max).ToString(), "9999-9999999999");
}

TEST(ResolutionIndexCodeTest, DanishIbanEncodesAsTheDanishAccount) {
  ResolutionIndex index;
  Result<Account> iban = Account::Parse("DK5000400440116243");
  ASSERT_TRUE(iban.ok()) << iban.status().ToString();
  Result<AccountCode> code = index.Encode(*iban);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, *index.Encode(*Account::Parse("0040-0440116243")));
  EXPECT_EQ(index.Decode(*code).ToString(), "0040-0440116243");
}

TEST(ResolutionIndexCodeTest, SameForeignAccountGetsTheSameCode) {
  ResolutionIndex index;
  const Account de = *Account::Parse(kForeignDe);
  const Account gb = *Account::Parse(kForeignGb);
  const Account de_no_bic = *Account::Parse("DE89370400440532013000");
  const AccountCode de1 = *index.Encode(de);
  const AccountCode gb1 = *index.Encode(gb);
  const AccountCode de2 = *index.Encode(*Account::Parse("de89 3704 0044 0532 0130 00/deutdeff"));
  const AccountCode gb2 = *index.Encode(gb);
  const AccountCode de_bare = *index.Encode(de_no_bic);
  EXPECT_EQ(de1, de2);
  EXPECT_EQ(gb1, gb2);
  EXPECT_NE(de1, gb1);
  EXPECT_NE(de1, de_bare);  // the BIC is part of the account
  for (AccountCode c : {de1, gb1, de_bare}) EXPECT_NE(c & (AccountCode{1} << 63), 0u);
  EXPECT_EQ(index.Decode(de1), de);
  EXPECT_EQ(index.Decode(gb1), gb);
  EXPECT_EQ(index.Decode(de_bare), de_no_bic);
  EXPECT_EQ(index.Decode(de1).ToString(), kForeignDe);
}

TEST(ResolutionIndexCodeTest, ForeignNemKontoResolvesToTheForeignAccount) {
  ResolutionIndex index;
  MustApply(index, NemKonto(1, kJens, NemKontoEventKind::kSet, kForeignDe));
  MustApply(index, NemKonto(2, kAne, NemKontoEventKind::kSet, kForeignDe));
  const Resolution jens = index.Resolve(kJens, kAuthority, kBenefit, kPayday);
  const Resolution ane = index.Resolve(kAne, kAuthority, kBenefit, kPayday);
  EXPECT_EQ(jens.account, ane.account);
  EXPECT_EQ(index.Decode(jens.account).ToString(), kForeignDe);
}

RC_GTEST_PROP(ResolutionIndexCodeProperty, DanishAccountsRoundTrip, ()) {
  const auto registration = *rc::gen::inRange<uint32_t>(1, 10000);
  const auto number = *rc::gen::inRange<uint64_t>(1, 10'000'000'000ULL);
  const Result<DanishAccount> d = DanishAccount::Of(registration, number);
  RC_ASSERT(d.ok());
  ResolutionIndex index;
  const Result<AccountCode> code = index.Encode(Account(*d));
  RC_ASSERT(code.ok());
  RC_ASSERT(*code == uint64_t{registration} * 10'000'000'000ULL + number);
  RC_ASSERT(index.Decode(*code) == Account(*d));
}

// ---- Load and CatchUp against SQLite ----

class ResolutionIndexStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nks_index_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto opened = store::OpenSqlite((dir_ / "nks.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void AddUnit(const RecipientId& unit, const RecipientId& company) {
    auto writer = store_->BeginImport();
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    bool changed = false;
    Status st = (*writer)->PutUnit(store::Unit{unit.key(), company.number()}, &changed);
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = (*writer)->Commit();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  int64_t Append(NemKontoEvent e) {
    e.seq = 0;
    Status st = store_->AppendNemKonto(&e);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return e.seq;
  }
  int64_t Append(SpecificEvent e) {
    e.seq = 0;
    Status st = store_->AppendSpecific(&e);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return e.seq;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  const RecipientId company_ = Company("80000006");
  const RecipientId se_ = SeUnit("90000004");
};

TEST_F(ResolutionIndexStoreTest, LoadFoldsTheStoredHistories) {
  AddUnit(se_, company_);
  Append(NemKonto(0, kJens, NemKontoEventKind::kSet, kAccountA));
  Append(NemKonto(0, kAne, NemKontoEventKind::kSet, kAccountA));
  Append(NemKonto(0, kAne, NemKontoEventKind::kSet, kForeignGb));
  Append(NemKonto(0, company_, NemKontoEventKind::kSet, kAccountB));
  Append(NemKonto(0, kJens, NemKontoEventKind::kPending, kAccountB));
  const int64_t last_nk = Append(NemKonto(0, kJens, NemKontoEventKind::kActivationFailed));
  const int64_t last_sp = Append(Specific(0, kJens, kAuthority, kBenefit, SpecificEventKind::kSet,
                                          kSpecificAccount, "2026-12-31"));

  ResolutionIndex index;
  Status st = index.Load(*store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(index.last_nemkonto_seq(), last_nk);
  EXPECT_EQ(index.last_specific_seq(), last_sp);
  EXPECT_EQ(index.nemkonto_count(), 3u);
  EXPECT_EQ(index.unit_count(), 1u);
  EXPECT_EQ(index.specific_count(), 1u);
  EXPECT_EQ(ResolveText(index, kJens), "specific-account 4321-0000007777");
  EXPECT_EQ(ResolveText(index, kJens, kOtherAuthority), "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index, kJens, kAuthority, kBenefit, D(2027, 1, 1)),
            "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index, kAne), "nemkonto GB29NWBK60161331926819");
  EXPECT_EQ(ResolveText(index, se_), "company-nemkonto 5678-0000000042");
}

TEST_F(ResolutionIndexStoreTest, CatchUpAppliesOnlyWhatWasAppendedSinceLoad) {
  Append(NemKonto(0, kJens, NemKontoEventKind::kSet, kAccountA));
  Append(Specific(0, kAne, kAuthority, kBenefit, SpecificEventKind::kSet, kSpecificAccount));
  ResolutionIndex index;
  Status st = index.Load(*store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");
  EXPECT_EQ(ResolveText(index, kAne), "specific-account 4321-0000007777");

  // Another process appends; the index does not see it before CatchUp.
  Append(NemKonto(0, kJens, NemKontoEventKind::kDeleted));
  Append(NemKonto(0, kAne, NemKontoEventKind::kSet, kAccountB));
  const int64_t last_nk = Append(NemKonto(0, kAne, NemKontoEventKind::kPending, kAccountA));
  const int64_t last_sp =
      Append(Specific(0, kAne, kAuthority, kBenefit, SpecificEventKind::kDeleted));
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");

  st = index.CatchUp(*store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ResolveText(index, kJens), "unresolved");
  EXPECT_EQ(ResolveText(index, kAne), "nemkonto 5678-0000000042");
  EXPECT_EQ(index.last_nemkonto_seq(), last_nk);
  EXPECT_EQ(index.last_specific_seq(), last_sp);
  EXPECT_EQ(index.nemkonto_count(), 1u);
  EXPECT_EQ(index.specific_count(), 0u);

  // Nothing new: CatchUp changes nothing.
  st = index.CatchUp(*store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(index.last_nemkonto_seq(), last_nk);
  EXPECT_EQ(index.nemkonto_count(), 1u);
  EXPECT_EQ(ResolveText(index, kAne), "nemkonto 5678-0000000042");
}

TEST_F(ResolutionIndexStoreTest, LoadOfAnEmptyStoreResolvesNothing) {
  ResolutionIndex index;
  Status st = index.Load(*store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(index.last_nemkonto_seq(), 0);
  EXPECT_EQ(index.last_specific_seq(), 0);
  EXPECT_EQ(ResolveText(index, kJens), "unresolved");
}

TEST_F(ResolutionIndexStoreTest, CorruptStoredAccountFailsLoadWithCorruption) {
  const int64_t good = Append(NemKonto(0, kJens, NemKontoEventKind::kSet, kAccountA));
  const int64_t bad = Append(NemKonto(0, kAne, NemKontoEventKind::kSet, "9999-ABCDEFGHIJ"));
  Append(NemKonto(0, kJens, NemKontoEventKind::kDeleted));
  ResolutionIndex index;
  Status st = index.Load(*store_);
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("nemkonto entry " + std::to_string(bad)), std::string::npos)
      << st.message();
  // It stopped at the bad entry: the one before is applied, the one after not.
  EXPECT_EQ(index.last_nemkonto_seq(), good);
  EXPECT_EQ(ResolveText(index, kJens), "nemkonto 1234-0001234567");
}

TEST_F(ResolutionIndexStoreTest, CorruptStoredSpecificAccountFailsCatchUpWithCorruption) {
  ResolutionIndex index;
  Status st = index.Load(*store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  Append(Specific(0, kJens, kAuthority, kBenefit, SpecificEventKind::kSet, "DE00123"));
  st = index.CatchUp(*store_);
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
  EXPECT_EQ(index.last_specific_seq(), 0);
  EXPECT_EQ(index.specific_count(), 0u);
}

}  // namespace
}  // namespace nks::reg

namespace nks::reg {
namespace {

// ---- Snapshots ----

class ResolutionIndexSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nks-index-snap-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "index.snap").string();
    MustApply(index_, NemKonto(1, person_, NemKontoEventKind::kSet, kAccountA));
    MustApply(index_, NemKonto(2, company_, NemKontoEventKind::kSet, kForeignDe));
    MustApply(index_, NemKonto(3, other_, NemKontoEventKind::kSet, kForeignGb));
    MustApply(index_, NemKonto(4, other_, NemKontoEventKind::kDeleted));
    MustApply(index_, Specific(1, person_, kAuthority, kBenefit, SpecificEventKind::kSet, kSpecificAccount,
                               "2026-12-31"));
    index_.PutUnit(se_.key(), company_.number());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
  ResolutionIndex index_;
  const store::StoreIdentity identity_{4711, 3};
  const RecipientId person_ = Person("010285-1237");
  const RecipientId other_ = Person("020385-1236");
  const RecipientId company_ = Company("80000006");
  const RecipientId se_ = SeUnit("90000004");
};

TEST_F(ResolutionIndexSnapshotTest, LoadedSnapshotResolvesAsTheIndexItWasTakenFrom) {
  ASSERT_TRUE(index_.SaveSnapshot(path_, identity_).ok());
  ResolutionIndex loaded;
  Result<bool> fits = loaded.LoadSnapshot(path_, identity_, 4);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  ASSERT_TRUE(*fits);
  for (const RecipientId& who : {person_, other_, company_, se_}) {
    EXPECT_EQ(ResolveText(loaded, who), ResolveText(index_, who));
    EXPECT_EQ(ResolveText(loaded, who, kOtherAuthority), ResolveText(index_, who, kOtherAuthority));
  }
  EXPECT_EQ(ResolveText(loaded, person_), "specific-account 4321-0000007777");
  EXPECT_EQ(ResolveText(loaded, se_), "company-nemkonto DE89370400440532013000/DEUTDEFF");
  EXPECT_EQ(loaded.last_nemkonto_seq(), 4);
  EXPECT_EQ(loaded.last_specific_seq(), 1);
  EXPECT_EQ(loaded.nemkonto_count(), index_.nemkonto_count());
  EXPECT_EQ(loaded.specific_count(), 1u);
  // A foreign account met again after loading keeps its code.
  EXPECT_EQ(*loaded.Encode(*Account::Parse(kForeignGb)), *index_.Encode(*Account::Parse(kForeignGb)));
  // Entries after the snapshot apply on top of it.
  MustApply(loaded, NemKonto(5, other_, NemKontoEventKind::kSet, kAccountB));
  EXPECT_EQ(ResolveText(loaded, other_), "nemkonto 5678-0000000042");
}

TEST_F(ResolutionIndexSnapshotTest, SnapshotOfAnotherStoreOrGenerationDoesNotFit) {
  ASSERT_TRUE(index_.SaveSnapshot(path_, identity_).ok());
  ResolutionIndex a, b, c;
  EXPECT_FALSE(*a.LoadSnapshot(path_, store::StoreIdentity{4712, 3}, 4));
  EXPECT_FALSE(*b.LoadSnapshot(path_, store::StoreIdentity{4711, 4}, 4));
  // The store lacks entries the snapshot has applied: not this store's past.
  EXPECT_FALSE(*c.LoadSnapshot(path_, identity_, 3));
  EXPECT_EQ(c.nemkonto_count(), 0u);
}

TEST_F(ResolutionIndexSnapshotTest, TornOrDamagedSnapshotDoesNotFit) {
  ASSERT_TRUE(index_.SaveSnapshot(path_, identity_).ok());
  const auto size = fs::file_size(path_);
  {
    // One flipped byte in the middle.
    std::FILE* f = std::fopen(path_.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, static_cast<long>(size / 2), SEEK_SET);
    const int c = std::fgetc(f);
    std::fseek(f, static_cast<long>(size / 2), SEEK_SET);
    std::fputc(c ^ 0x40, f);
    std::fclose(f);
  }
  ResolutionIndex damaged;
  EXPECT_FALSE(*damaged.LoadSnapshot(path_, identity_, 4));
  EXPECT_EQ(damaged.nemkonto_count(), 0u);
  ASSERT_TRUE(index_.SaveSnapshot(path_, identity_).ok());
  fs::resize_file(path_, size - 9);
  ResolutionIndex torn;
  EXPECT_FALSE(*torn.LoadSnapshot(path_, identity_, 4));
  EXPECT_FALSE(*torn.LoadSnapshot((dir_ / "missing.snap").string(), identity_, 4));
}

}  // namespace
}  // namespace nks::reg
