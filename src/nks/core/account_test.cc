// Bank accounts of SPEC §2: Danish accounts, IBAN, BIC. The IBANs are the
// registry's published examples or generated with valid check digits.
#include "nks/core/account.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace nks {
namespace {

struct InvalidCase {
  std::string text;
  std::string reason;  // a phrase the error message must contain
};

template <typename T>
void ExpectInvalid(const Result<T>& r, const InvalidCase& c) {
  ASSERT_FALSE(r.ok()) << c.text;
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
      << "input: '" << c.text << "' message: " << r.status().message();
}

// ---- DanishAccount ----

TEST(DanishAccountTest, AcceptsEveryInputForm) {
  const std::vector<std::tuple<std::string, uint32_t, uint64_t, std::string>> cases = {
      {"1234-0001234567", 1234, 1234567, "1234-0001234567"},
      {"1234 0001234567", 1234, 1234567, "1234-0001234567"},
      {"1234-1234567", 1234, 1234567, "1234-0001234567"},
      {"1234 1234567", 1234, 1234567, "1234-0001234567"},
      {"12340001234567", 1234, 1234567, "1234-0001234567"},
      {"0040-0440116243", 40, 440116243, "0040-0440116243"},
      {"9999-9999999999", 9999, 9999999999, "9999-9999999999"},
      {"0001-1", 1, 1, "0001-0000000001"},
  };
  for (const auto& [text, reg, acct, canonical] : cases) {
    SCOPED_TRACE(text);
    Result<DanishAccount> a = DanishAccount::Parse(text);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->registration(), reg);
    EXPECT_EQ(a->account(), acct);
    EXPECT_EQ(a->ToString(), canonical);
  }
}

TEST(DanishAccountTest, RejectsInvalidTextsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "empty"},
      {" 1234-1234567", "whitespace"},
      {"1234-1234567 ", "whitespace"},
      {"0000-1234567", "registration number 0000 is not valid"},
      {"00000001234567", "registration number 0000 is not valid"},
      {"1234-0000000000", "must not be all zeros"},
      {"1234-0", "must not be all zeros"},
      {"1234-", "account number must be 1 to 10 digits"},
      {"1234-12345678901", "account number must be 1 to 10 digits"},
      {"1234-12 34", "account number must be 1 to 10 digits"},
      {"1234--123", "account number must be 1 to 10 digits"},
      {"1234-12a4", "account number must be 1 to 10 digits"},
      {"12a4-1234567", "registration number must be 4 digits"},
      {"12a40001234567", "registration number must be 4 digits"},
      {"123-4567", "expected RRRR-AAAAAAAAAA"},
      {"1234567", "expected RRRR-AAAAAAAAAA"},
      {"123456789012345", "expected RRRR-AAAAAAAAAA"},
      {"1234/1234567", "expected RRRR-AAAAAAAAAA"},
  };
  for (const InvalidCase& c : cases) ExpectInvalid(DanishAccount::Parse(c.text), c);
}

TEST(DanishAccountTest, OfChecksRanges) {
  ExpectInvalid(DanishAccount::Of(10000, 1), {"10000/1", "registration number must be 4 digits"});
  ExpectInvalid(DanishAccount::Of(0, 1), {"0/1", "registration number 0000"});
  ExpectInvalid(DanishAccount::Of(1, 10'000'000'000), {"1/1e10", "at most 10 digits"});
  ExpectInvalid(DanishAccount::Of(1, 0), {"1/0", "all zeros"});
  EXPECT_TRUE(DanishAccount::Of(1, 1).ok());
}

TEST(DanishAccountTest, MasksAllButTheLastFourDigits) {
  EXPECT_EQ(DanishAccount::Parse("1234-0001234567")->Masked(), "1234-XXXXXX4567");
  EXPECT_EQ(DanishAccount::Parse("1234-7")->Masked(), "1234-XXXXXX0007");
}

TEST(DanishAccountTest, ToIbanGivesTheDkIban) {
  EXPECT_EQ(DanishAccount::Parse("0040-0440116243")->ToIban(), "DK5000400440116243");
  EXPECT_EQ(DanishAccount::Parse("1234-0000000000").ok(), false);
  EXPECT_TRUE(IbanChecksumOk(DanishAccount::Parse("9999-9999999999")->ToIban()));
}

// ---- Iban ----

TEST(IbanTest, AcceptsRegistryExamples) {
  for (const char* text :
       {"DE89370400440532013000", "GB29NWBK60161331926819", "FR1420041010050500013M02606",
        "NL91ABNA0417164300", "NO9386011117947", "CH9300762011623852957", "DK5000400440116243",
        "BE68539007547034", "MT84MALT011000012345MTLCAST001S", "SE4550000000058398257466",
        "FI2112345600000785", "AT611904300234573201", "ES9121000418450200051332",
        "IT60X0542811101000000123456", "PL61109010140000071219812874", "IS140159260076545510730339",
        "LU280019400644750000", "IE29AIBK93115212345678"}) {
    SCOPED_TRACE(text);
    Result<Iban> iban = Iban::Parse(text);
    ASSERT_TRUE(iban.ok()) << iban.status().ToString();
    EXPECT_EQ(iban->ToString(), text);
    EXPECT_TRUE(IbanChecksumOk(text));
  }
}

TEST(IbanTest, DropsSpacesAndUpperCases) {
  Result<Iban> iban = Iban::Parse("de89 3704 0044 0532 0130 00");
  ASSERT_TRUE(iban.ok()) << iban.status().ToString();
  EXPECT_EQ(iban->ToString(), "DE89370400440532013000");
  EXPECT_EQ(iban->country(), "DE");
  EXPECT_EQ(iban->Masked(), "DE89XXXX3000");
}

TEST(IbanTest, RejectsInvalidTextsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "empty"},
      {" DE89370400440532013000", "whitespace"},
      {"DE89370400440532013000 ", "whitespace"},
      {"DE89370400440532013001", "check digits do not match (mod 97)"},
      {"DE98370400440532013000", "check digits do not match (mod 97)"},
      {"DK5000400440116244", "check digits do not match (mod 97)"},
      // 00 and 01 pass the bare mod-97 test (they equal 97 and 98) but are
      // never issued.
      {"DE00000000000000000066", "check digits do not match"},
      {"DE01000000000000000048", "check digits do not match"},
      {"XX5000400440116243", "unknown IBAN country XX"},
      {"US64SVBKUS6S3300958879", "unknown IBAN country US"},
      {"DK50004004401162", "DK IBANs have 18 characters, got 16"},
      {"DE8937040044053201300000", "DE IBANs have 22 characters, got 24"},
      {"DE89-3704-0044-0532-0130-00", "only letters, digits and spaces"},
      {"DE89\t370400440532013000", "only letters, digits and spaces"},
      {"1289370400440532013000", "2-letter country code"},
      {"DEXX370400440532013000", "characters 3-4 must be the 2 check digits"},
      {"DE", "too short"},
      {"DE89", "too short"},
      {"DE89370400440532013000123456789012345", "longer than 34 characters"},
      {std::string(65, 'A'), "longer than 64 characters"},
  };
  for (const InvalidCase& c : cases) ExpectInvalid(Iban::Parse(c.text), c);
}

TEST(IbanTest, ChecksumFunctionExpectsTheElectronicForm) {
  EXPECT_TRUE(IbanChecksumOk("DE89370400440532013000"));
  EXPECT_FALSE(IbanChecksumOk("de89370400440532013000"));
  EXPECT_FALSE(IbanChecksumOk("DE89 3704 0044 0532 0130 00"));
  EXPECT_FALSE(IbanChecksumOk(""));
  EXPECT_FALSE(IbanChecksumOk("DE89"));
  EXPECT_FALSE(IbanChecksumOk("DE00000000000000000066"));
}

// ---- Bic ----

TEST(BicTest, AcceptsEightAndElevenCharacters) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"DABADKKK", "DABADKKK"},       {"NDEADKKK", "NDEADKKK"},
      {"DEUTDEFF500", "DEUTDEFF500"}, {"dabadkkk", "DABADKKK"},
      {"Deutdeff500", "DEUTDEFF500"}, {"ABCDGB2L", "ABCDGB2L"},
      {"ABCDGB2LXXX", "ABCDGB2LXXX"},
  };
  for (const auto& [text, canonical] : cases) {
    SCOPED_TRACE(text);
    Result<Bic> bic = Bic::Parse(text);
    ASSERT_TRUE(bic.ok()) << bic.status().ToString();
    EXPECT_EQ(bic->ToString(), canonical);
  }
}

TEST(BicTest, RejectsInvalidTextsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "empty"},
      {" DABADKKK", "whitespace"},
      {"DABADKK", "must be 8 or 11 characters, got 7"},
      {"DABADKKKX", "must be 8 or 11 characters, got 9"},
      {"DAB1DKKK", "characters 1-4 (bank code) must be letters"},
      {"DABAD1KK", "characters 5-6 (country code) must be letters"},
      {"DABADKK_", "characters 7-8 (location code) must be letters or digits"},
      {"DEUTDEFF50_", "characters 9-11 (branch code) must be letters or digits"},
      {"DEUT DEFF", "must be 8 or 11 characters"},
  };
  for (const InvalidCase& c : cases) ExpectInvalid(Bic::Parse(c.text), c);
}

// ---- Account ----

TEST(AccountTest, ParsesDanishAndForeignAccounts) {
  // text, is_danish, canonical, masked
  const std::vector<std::tuple<std::string, bool, std::string, std::string>> cases = {
      {"1234-0001234567", true, "1234-0001234567", "1234-XXXXXX4567"},
      {"1234 1234567", true, "1234-0001234567", "1234-XXXXXX4567"},
      {"12340001234567", true, "1234-0001234567", "1234-XXXXXX4567"},
      {"DK5000400440116243", true, "0040-0440116243", "0040-XXXXXX6243"},
      {"dk50 0040 0440 1162 43", true, "0040-0440116243", "0040-XXXXXX6243"},
      {"DE89370400440532013000", false, "DE89370400440532013000", "DE89XXXX3000"},
      {"DE89370400440532013000/DEUTDEFF", false, "DE89370400440532013000/DEUTDEFF",
       "DE89XXXX3000/DEUTDEFF"},
      {"de89 3704 0044 0532 0130 00/deutdeff500", false, "DE89370400440532013000/DEUTDEFF500",
       "DE89XXXX3000/DEUTDEFF500"},
      {"NO9386011117947", false, "NO9386011117947", "NO93XXXX7947"},
  };
  for (const auto& [text, danish, canonical, masked] : cases) {
    SCOPED_TRACE(text);
    Result<Account> a = Account::Parse(text);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->is_danish(), danish);
    EXPECT_EQ(a->ToString(), canonical);
    EXPECT_EQ(a->Masked(), masked);
    EXPECT_EQ(*Account::Parse(a->ToString()), *a);
  }
}

TEST(AccountTest, ADkIbanIsTheSameAccountAsItsDanishForm) {
  EXPECT_EQ(*Account::Parse("DK5000400440116243"), *Account::Parse("0040-0440116243"));
  EXPECT_EQ(Account::Parse("DK5000400440116243")->danish(),
            *DanishAccount::Parse("0040-0440116243"));
}

TEST(AccountTest, RejectsInvalidTextsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "account: empty"},
      {" DK5000400440116243", "whitespace"},
      {"0000-1234567", "registration number 0000"},
      {"1234-", "account number must be 1 to 10 digits"},
      {"DK5000400440116243/DABADKKK", "a DK IBAN is a Danish account; give it without a BIC"},
      {"DK310040ABCD116243", "a DK IBAN must have 14 digits after the check digits"},
      {"DK0800000440116243", "registration number 0000"},
      {"DK4312340000000000", "must not be all zeros"},
      {"DK5000400440116244", "iban: check digits do not match"},
      {"DE89370400440532013001", "iban: check digits do not match"},
      {"DE89370400440532013000/", "bic: empty"},
      {"DE89370400440532013000/DEUT", "bic: must be 8 or 11 characters"},
      {"DE89370400440532013000 /DEUTDEFF", "iban: leading or trailing whitespace"},
      {"/DEUTDEFF", "iban: empty"},
      {"XX89370400440532013000", "unknown IBAN country XX"},
  };
  for (const InvalidCase& c : cases) ExpectInvalid(Account::Parse(c.text), c);
}

// ---- Properties ----

// ISO 7064 mod 97-10 written out for the tests: letters count as 10..35.
int TestMod97(std::string_view s) {
  int rem = 0;
  for (char c : s) {
    const int v = (c >= '0' && c <= '9') ? c - '0' : c - 'A' + 10;
    rem = (rem * (v >= 10 ? 100 : 10) + v) % 97;
  }
  return rem;
}

std::string MakeIban(std::string_view country, std::string_view bban) {
  const std::string moved = fmt::format("{}{}00", bban, country);
  return fmt::format("{}{:02}{}", country, 98 - TestMod97(moved), bban);
}

struct CountryLength {
  const char* code;
  size_t length;
};

std::string GenValidIban() {
  static const std::vector<CountryLength> kCountries = {
      {"DE", 22}, {"GB", 22}, {"FR", 27}, {"NL", 18}, {"NO", 15}, {"SE", 24}, {"FI", 18},
      {"CH", 21}, {"MT", 31}, {"LC", 32}, {"RU", 33}, {"BE", 16}, {"DK", 18}, {"IS", 26}};
  const CountryLength c = *rc::gen::elementOf(kCountries);
  const auto alphabet =
      rc::gen::weightedOneOf<char>({{4, rc::gen::inRange('0', static_cast<char>('9' + 1))},
                                    {1, rc::gen::inRange('A', static_cast<char>('Z' + 1))}});
  const std::string bban = *rc::gen::container<std::string>(c.length - 4, alphabet);
  return MakeIban(c.code, bban);
}

RC_GTEST_PROP(AccountProperty, DanishAccountRoundTrips, ()) {
  const auto reg = *rc::gen::inRange<uint32_t>(1, 10'000);
  const auto acct = *rc::gen::inRange<uint64_t>(1, 10'000'000'000);
  const DanishAccount d = *DanishAccount::Of(reg, acct);
  RC_ASSERT(*DanishAccount::Parse(d.ToString()) == d);
  RC_ASSERT(*DanishAccount::Parse(fmt::format("{:04}{:010}", reg, acct)) == d);
  RC_ASSERT(*DanishAccount::Parse(fmt::format("{:04} {}", reg, acct)) == d);
  RC_ASSERT(d.ToIban() == MakeIban("DK", fmt::format("{:04}{:010}", reg, acct)));
  const Account from_iban = *Account::Parse(d.ToIban());
  RC_ASSERT(from_iban.is_danish());
  RC_ASSERT(from_iban.danish() == d);
  RC_ASSERT(*Account::Parse(from_iban.ToString()) == from_iban);
}

RC_GTEST_PROP(AccountProperty, MaskingShowsOnlyTheLastFourAccountDigits, ()) {
  const auto reg = *rc::gen::inRange<uint32_t>(1, 10'000);
  const auto acct = *rc::gen::inRange<uint64_t>(1, 10'000'000'000);
  const DanishAccount d = *DanishAccount::Of(reg, acct);
  const std::string text = d.ToString();
  RC_ASSERT(d.Masked() == text.substr(0, 5) + "XXXXXX" + text.substr(11));
}

RC_GTEST_PROP(IbanProperty, ValidIbansRoundTrip, ()) {
  const std::string text = GenValidIban();
  RC_ASSERT(IbanChecksumOk(text));
  const Iban iban = *Iban::Parse(text);
  RC_ASSERT(iban.ToString() == text);
  if (iban.country() != "DK") {  // a DK IBAN is a Danish account: digits only
    const Account account = *Account::Parse(text);
    RC_ASSERT(*Account::Parse(account.ToString()) == account);
  }
  const std::string masked = iban.Masked();
  RC_ASSERT(masked == text.substr(0, 4) + "XXXX" + text.substr(text.size() - 4));
}

RC_GTEST_PROP(IbanProperty, AnySingleDigitChangeBreaksTheChecksum, ()) {
  const std::string text = GenValidIban();
  std::vector<size_t> digit_positions;
  for (size_t k = 2; k < text.size(); ++k) {
    if (text[k] >= '0' && text[k] <= '9') digit_positions.push_back(k);
  }
  const size_t pos = *rc::gen::elementOf(digit_positions);
  const char replacement =
      *rc::gen::distinctFrom(rc::gen::inRange('0', static_cast<char>('9' + 1)), text[pos]);
  std::string changed = text;
  changed[pos] = replacement;
  RC_ASSERT(!IbanChecksumOk(changed));
  Result<Iban> parsed = Iban::Parse(changed);
  RC_ASSERT(!parsed.ok());
  RC_ASSERT(parsed.status().message().find("check digits do not match") != std::string::npos);
}

RC_GTEST_PROP(AccountProperty, ForeignAccountWithBicRoundTrips, ()) {
  std::string text = GenValidIban();
  RC_PRE(text.substr(0, 2) != "DK");
  const auto letter = rc::gen::inRange('A', static_cast<char>('Z' + 1));
  text += "/" + *rc::gen::container<std::string>(6, letter) + "2X";
  const Account account = *Account::Parse(text);
  RC_ASSERT(!account.is_danish());
  RC_ASSERT(account.ToString() == text);
  RC_ASSERT(*Account::Parse(account.ToString()) == account);
}

}  // namespace
}  // namespace nks
