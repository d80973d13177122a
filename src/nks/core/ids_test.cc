// Identifiers of SPEC §2. All CPR numbers here are invented test values.
#include "nks/core/ids.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace nks {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// ---- CPR: valid ----

struct ValidCpr {
  std::string text;
  std::string canonical;
  year_month_day birth;
};

TEST(CprTest, AcceptsValidNumbersAndDerivesTheCentury) {
  const std::vector<ValidCpr> cases = {
      {"010185-1234", "010185-1234", year{1985} / 1 / 1},
      {"0101851234", "010185-1234", year{1985} / 1 / 1},
      {"311299-3999", "311299-3999", year{1999} / 12 / 31},
      {"010100-0000", "010100-0000", year{1900} / 1 / 1},
      // 7th digit 4 and 9: 20YY up to YY 36, else 19YY.
      {"010136-4000", "010136-4000", year{2036} / 1 / 1},
      {"010137-4000", "010137-4000", year{1937} / 1 / 1},
      {"010136-9000", "010136-9000", year{2036} / 1 / 1},
      {"010199-9000", "010199-9000", year{1999} / 1 / 1},
      // 7th digit 5-8: 20YY up to YY 57, else 18YY.
      {"010157-5000", "010157-5000", year{2057} / 1 / 1},
      {"010158-5000", "010158-5000", year{1858} / 1 / 1},
      {"150399-8765", "150399-8765", year{1899} / 3 / 15},
      {"150307-6543", "150307-6543", year{2007} / 3 / 15},
      // Leap days, by the full year.
      {"290296-1111", "290296-1111", year{1996} / 2 / 29},
      {"290200-4000", "290200-4000", year{2000} / 2 / 29},
      {"290256-5000", "290256-5000", year{2056} / 2 / 29},
      {"290260-5000", "290260-5000", year{1860} / 2 / 29},
      // No modulus-11 rule: any serial is fine.
      {"010185-0001", "010185-0001", year{1985} / 1 / 1},
      {"010185-0002", "010185-0002", year{1985} / 1 / 1},
  };
  for (const ValidCpr& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Cpr> cpr = Cpr::Parse(c.text);
    ASSERT_TRUE(cpr.ok()) << cpr.status().ToString();
    EXPECT_EQ(cpr->ToString(), c.canonical);
    EXPECT_EQ(cpr->birth_date(), c.birth);
    EXPECT_EQ(cpr->Masked(), c.canonical.substr(0, 7) + "XXXX");
  }
}

TEST(CprTest, FromNumberDropsLeadingZeros) {
  Result<Cpr> cpr = Cpr::FromNumber(101851234);
  ASSERT_TRUE(cpr.ok()) << cpr.status().ToString();
  EXPECT_EQ(cpr->ToString(), "010185-1234");
  EXPECT_EQ(cpr->number(), 101851234u);
  EXPECT_EQ(*Cpr::Parse("010185-1234"), *cpr);
}

// ---- CPR: invalid ----

struct InvalidCase {
  std::string text;
  std::string reason;  // a phrase the error message must contain
};

std::vector<InvalidCase> InvalidCprCases() {
  return {
      {"", "empty"},
      {" 010185-1234", "leading or trailing whitespace"},
      {"010185-1234 ", "leading or trailing whitespace"},
      {"010185-1234\n", "leading or trailing whitespace"},
      {"010185-123", "must be 10 digits, DDMMYY-SSSS"},
      {"010185-12345", "must be 10 digits, DDMMYY-SSSS"},
      {"01018512345", "must be 10 digits, DDMMYY-SSSS"},
      {"01018-51234", "must be 10 digits, DDMMYY-SSSS"},
      {"010185 1234", "must be 10 digits, DDMMYY-SSSS"},
      {"010185--1234", "must be 10 digits, DDMMYY-SSSS"},
      {"01O185-1234", "non-digit"},
      {"+101851234", "non-digit"},
      {"310485-1234", "day 31 does not exist in month 04 of 1985"},
      {"320185-1234", "day 32 does not exist in month 01 of 1985"},
      {"000185-1234", "day 00 does not exist in month 01 of 1985"},
      {"001385-1234", "month 13 does not exist"},
      {"010085-1234", "month 00 does not exist"},
      {"290297-1234", "day 29 does not exist in month 02 of 1997"},
      {"290200-1234", "day 29 does not exist in month 02 of 1900"},
      {"290258-5678", "day 29 does not exist in month 02 of 1858"},
      {"300200-4711", "day 30 does not exist in month 02 of 2000"},
  };
}

TEST(CprTest, RejectsInvalidTextsSayingWhy) {
  for (const InvalidCase& c : InvalidCprCases()) {
    SCOPED_TRACE(c.text);
    Result<Cpr> cpr = Cpr::Parse(c.text);
    ASSERT_FALSE(cpr.ok());
    EXPECT_EQ(cpr.status().code(), Code::kInvalidArgument);
    EXPECT_NE(cpr.status().message().find(c.reason), std::string::npos) << cpr.status().message();
    EXPECT_EQ(cpr.status().message().rfind("cpr: ", 0), 0u) << cpr.status().message();
  }
}

TEST(CprTest, ErrorsNeverEchoTheDigits) {
  for (const InvalidCase& c : InvalidCprCases()) {
    SCOPED_TRACE(c.text);
    const std::string message = Cpr::Parse(c.text).status().message();
    if (c.text.size() >= 10) {
      EXPECT_EQ(message.find(c.text.substr(0, 10)), std::string::npos) << message;
      EXPECT_EQ(message.find(c.text.substr(c.text.size() - 4)), std::string::npos) << message;
    }
  }
}

TEST(CprTest, FromNumberRejectsMoreThanTenDigitsAndBadDates) {
  EXPECT_NE(Cpr::FromNumber(10'000'000'000).status().message().find("more than 10 digits"),
            std::string::npos);
  EXPECT_NE(Cpr::FromNumber(0).status().message().find("month 00 does not exist"),
            std::string::npos);
  EXPECT_NE(Cpr::FromNumber(3'104'851'234).status().message().find("day 31"), std::string::npos);
}

// ---- MaskCprsIn ----

TEST(MaskCprsInTest, MasksCprNumbersInFreeText) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"no numbers here", "no numbers here"},
      {"cpr 010185-1234 here", "cpr 010185-XXXX here"},
      {"0101851234", "010185XXXX"},
      {"x0101851234y", "x010185XXXXy"},
      {"a 010185-1234, b 020285-5678.", "a 010185-XXXX, b 020285-XXXX."},
      {"12-010185-1234", "12-010185-XXXX"},
      {"cpr:010185-1234", "cpr:010185-XXXX"},
      // Part of a longer digit run: not a CPR number.
      {"00101851234", "00101851234"},
      {"01018512340", "01018512340"},
      {"010185-12345", "010185-12345"},
      {"1010185-1234", "1010185-1234"},
      // Not a valid date: left alone.
      {"9999999999", "9999999999"},
      {"320185-1234", "320185-1234"},
      {"290297-1234", "290297-1234"},
      // Incomplete.
      {"010185-", "010185-"},
      {"010185-12", "010185-12"},
      {"010185-123x", "010185-123x"},
  };
  for (const auto& [in, out] : cases) {
    SCOPED_TRACE(in);
    EXPECT_EQ(MaskCprsIn(in), out);
  }
}

// ---- CVR, SE, P-number ----

TEST(CvrTest, AcceptsValidNumbers) {
  for (const char* text :
       {"10000009", "10000017", "16480894", "83960310", "66978001", "26616417"}) {
    SCOPED_TRACE(text);
    Result<Cvr> cvr = Cvr::Parse(text);
    ASSERT_TRUE(cvr.ok()) << cvr.status().ToString();
    EXPECT_EQ(cvr->ToString(), text);
    EXPECT_EQ(*Cvr::FromNumber(cvr->number()), *cvr);
    Result<Se> se = Se::Parse(text);
    ASSERT_TRUE(se.ok()) << se.status().ToString();
    EXPECT_EQ(se->ToString(), text);
  }
}

TEST(CvrTest, RejectsInvalidTextsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "empty"},
      {" 16480894", "leading or trailing whitespace"},
      {"16480894 ", "leading or trailing whitespace"},
      {"1648089", "must be 8 digits"},
      {"164808940", "must be 8 digits"},
      {"1648O894", "must be 8 digits"},
      {"-1648089", "must be 8 digits"},
      {"01648089", "must not start with 0"},
      {"00000000", "must not start with 0"},
      {"16480895", "check digit does not match (modulus 11)"},
      {"83960311", "check digit does not match (modulus 11)"},
      {"10000000", "check digit does not match (modulus 11)"},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Cvr> cvr = Cvr::Parse(c.text);
    ASSERT_FALSE(cvr.ok());
    EXPECT_NE(cvr.status().message().find("cvr: " + c.reason), std::string::npos)
        << cvr.status().message();
    Result<Se> se = Se::Parse(c.text);
    ASSERT_FALSE(se.ok());
    EXPECT_NE(se.status().message().find("se: " + c.reason), std::string::npos)
        << se.status().message();
  }
}

TEST(CvrTest, FromNumberChecksRange) {
  EXPECT_NE(Cvr::FromNumber(100'000'009).status().message().find("must be 8 digits"),
            std::string::npos);
  EXPECT_NE(Cvr::FromNumber(1'648'089).status().message().find("must not start with 0"),
            std::string::npos);
  EXPECT_FALSE(Modulus11Ok(100'000'009));
  EXPECT_TRUE(Modulus11Ok(16'480'894));
  EXPECT_FALSE(Modulus11Ok(16'480'895));
}

TEST(PNumberTest, AcceptsTenDigitsFirstNotZero) {
  for (const char* text : {"1000000000", "1234567890", "9999999999"}) {
    SCOPED_TRACE(text);
    Result<PNumber> p = PNumber::Parse(text);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->ToString(), text);
  }
}

TEST(PNumberTest, RejectsInvalidTextsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "empty"},
      {"1234567890 ", "leading or trailing whitespace"},
      {"123456789", "must be 10 digits"},
      {"12345678901", "must be 10 digits"},
      {"12345-7890", "must be 10 digits"},
      {"0123456789", "must not start with 0"},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<PNumber> p = PNumber::Parse(c.text);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.status().message().find("p-number: " + c.reason), std::string::npos)
        << p.status().message();
  }
  EXPECT_FALSE(PNumber::FromNumber(10'000'000'000).ok());
  EXPECT_FALSE(PNumber::FromNumber(999'999'999).ok());
}

// ---- IdType and RecipientId ----

TEST(IdTypeTest, NamesAndParsesEveryType) {
  for (IdType t : {IdType::kCpr, IdType::kCvr, IdType::kSe, IdType::kPnr}) {
    Result<IdType> parsed = ParseIdType(IdTypeName(t));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(IdTypeName(IdType::kPnr), "p");
  EXPECT_EQ(*ParseIdType("pnr"), IdType::kPnr);
  EXPECT_EQ(*ParseIdType("CVR"), IdType::kCvr);
}

TEST(IdTypeTest, RejectsUnknownTypesWithoutEchoingDigits) {
  EXPECT_NE(ParseIdType("xyz").status().message().find("unknown 'xyz'"), std::string::npos);
  EXPECT_NE(ParseIdType("").status().message().find("expected cpr, cvr, se or p"),
            std::string::npos);
  const std::string message = ParseIdType("0101851234").status().message();
  EXPECT_EQ(message.find("0101851234"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown"), std::string::npos) << message;
}

TEST(RecipientIdTest, ParsesTaggedIdsOfEveryType) {
  const std::vector<std::tuple<std::string, IdType, std::string, std::string>> cases = {
      {"cpr:010185-1234", IdType::kCpr, "cpr:010185-1234", "cpr:010185-XXXX"},
      {"cpr:0101851234", IdType::kCpr, "cpr:010185-1234", "cpr:010185-XXXX"},
      {"cvr:16480894", IdType::kCvr, "cvr:16480894", "cvr:16480894"},
      {"se:83960310", IdType::kSe, "se:83960310", "se:83960310"},
      {"p:1234567890", IdType::kPnr, "p:1234567890", "p:1234567890"},
      {"pnr:1234567890", IdType::kPnr, "p:1234567890", "p:1234567890"},
  };
  for (const auto& [text, type, tagged, masked] : cases) {
    SCOPED_TRACE(text);
    Result<RecipientId> id = RecipientId::ParseTagged(text);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(id->type(), type);
    EXPECT_EQ(id->Tagged(), tagged);
    EXPECT_EQ(id->TaggedMasked(), masked);
    EXPECT_EQ(id->is_person(), type == IdType::kCpr);
    EXPECT_EQ(*RecipientId::FromKey(id->key()), *id);
  }
}

TEST(RecipientIdTest, RejectsBadTaggedIdsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "empty"},
      {" cvr:16480894", "leading or trailing whitespace"},
      {"16480894", "expected type:number"},
      {"abc:16480894", "unknown 'abc'"},
      {"cvr:16480895", "cvr: check digit does not match"},
      {"cvr: 16480894", "cvr: leading or trailing whitespace"},
      {"cpr:310485-1234", "cpr: day 31 does not exist in month 04 of 1985"},
      {"cpr:", "cpr: empty"},
      {"se:0", "se: must be 8 digits"},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<RecipientId> id = RecipientId::ParseTagged(c.text);
    ASSERT_FALSE(id.ok());
    EXPECT_NE(id.status().message().find(c.reason), std::string::npos) << id.status().message();
  }
}

TEST(RecipientIdTest, ParseByTypeAndKeyLayout) {
  Result<RecipientId> id = RecipientId::Parse(IdType::kCvr, "16480894");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->key(), (uint64_t{2} << 56) | 16480894u);
  EXPECT_EQ(id->ToString(), "16480894");
  EXPECT_EQ(id->Masked(), "16480894");
  Result<RecipientId> person = RecipientId::Parse(IdType::kCpr, "0101851234");
  ASSERT_TRUE(person.ok());
  EXPECT_EQ(person->ToString(), "010185-1234");
  EXPECT_EQ(person->Masked(), "010185-XXXX");
  EXPECT_FALSE(RecipientId::Parse(IdType::kCpr, "16480894").ok());
}

TEST(RecipientIdTest, FromKeyRejectsBadKeys) {
  EXPECT_NE(RecipientId::FromKey(uint64_t{7} << 56).status().message().find("unknown type byte 7"),
            std::string::npos);
  EXPECT_NE(RecipientId::FromKey(0).status().message().find("unknown type byte 0"),
            std::string::npos);
  EXPECT_FALSE(RecipientId::FromKey((uint64_t{2} << 56) | 16480895u).ok());
  EXPECT_FALSE(RecipientId::FromKey(uint64_t{1} << 56).ok());  // CPR 0000000000
}

// ---- Properties ----

// The century rule of SPEC §2, written out independently of ids.cc.
int FullYear(unsigned yy, unsigned digit7) {
  static constexpr int kBase[10][2] = {// [digit7][yy is low]: century base
                                       {1900, 1900}, {1900, 1900}, {1900, 1900}, {1900, 1900},
                                       {1900, 2000}, {1800, 2000}, {1800, 2000}, {1800, 2000},
                                       {1800, 2000}, {1900, 2000}};
  const unsigned low_limit = (digit7 == 4 || digit7 == 9) ? 36 : 57;
  return kBase[digit7][yy <= low_limit ? 1 : 0] + static_cast<int>(yy);
}

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

struct GeneratedCpr {
  uint64_t number;
  year_month_day birth;
};

GeneratedCpr GenValidCpr() {
  const unsigned digit7 = *rc::gen::inRange(0u, 10u);
  const unsigned yy = *rc::gen::inRange(0u, 100u);
  const unsigned m = *rc::gen::inRange(1u, 13u);
  const int y = FullYear(yy, digit7);
  const unsigned d = *rc::gen::inRange(1u, DaysInMonth(y, m) + 1);
  const unsigned rest = *rc::gen::inRange(0u, 1000u);
  const uint64_t date = (uint64_t{d} * 100 + m) * 100 + yy;
  return {date * 10'000 + digit7 * 1000 + rest, year{y} / month{m} / day{d}};
}

RC_GTEST_PROP(CprProperty, ParseOfToStringRoundTrips, ()) {
  const GeneratedCpr g = GenValidCpr();
  Result<Cpr> cpr = Cpr::FromNumber(g.number);
  RC_ASSERT(cpr.ok());
  RC_ASSERT(cpr->birth_date() == g.birth);
  const std::string text = cpr->ToString();
  RC_ASSERT(*Cpr::Parse(text) == *cpr);
  RC_ASSERT(*Cpr::Parse(fmt::format("{:010}", g.number)) == *cpr);
  const RecipientId id = RecipientId::Of(*cpr);
  RC_ASSERT(*RecipientId::ParseTagged(id.Tagged()) == id);
  RC_ASSERT(*RecipientId::FromKey(id.key()) == id);
}

RC_GTEST_PROP(CprProperty, MaskingNeverRevealsTheLastFourDigits, ()) {
  const GeneratedCpr g = GenValidCpr();
  const Cpr cpr = *Cpr::FromNumber(g.number);
  const std::string text = cpr.ToString();
  const std::string bare = fmt::format("{:010}", g.number);
  RC_ASSERT(cpr.Masked() == text.substr(0, 7) + "XXXX");
  RC_ASSERT(RecipientId::Of(cpr).TaggedMasked() == "cpr:" + text.substr(0, 7) + "XXXX");
  const std::string log = MaskCprsIn("paid " + text + " and " + bare + ".");
  RC_ASSERT(log == "paid " + text.substr(0, 7) + "XXXX and " + bare.substr(0, 6) + "XXXX.");
}

RC_GTEST_PROP(CprProperty, ErrorsNeverContainTheNumber, ()) {
  const uint64_t n = *rc::gen::inRange<uint64_t>(0, 10'000'000'000);
  const std::string bare = fmt::format("{:010}", n);
  const std::string dashed = bare.substr(0, 6) + "-" + bare.substr(6);
  for (const std::string& text : {bare, dashed}) {
    Result<Cpr> cpr = Cpr::Parse(text);
    if (cpr.ok()) continue;
    RC_ASSERT(cpr.status().message().find(bare) == std::string::npos);
    RC_ASSERT(cpr.status().message().find(dashed) == std::string::npos);
  }
}

RC_GTEST_PROP(CvrProperty, ValidIffWeightedSumDivisibleBy11, ()) {
  const uint64_t n = *rc::gen::inRange<uint64_t>(10'000'000, 100'000'000);
  const std::string text = std::to_string(n);
  static constexpr int kWeights[8] = {2, 7, 6, 5, 4, 3, 2, 1};
  int sum = 0;
  for (size_t k = 0; k < 8; ++k) sum += (text[k] - '0') * kWeights[k];
  const bool expected = sum % 11 == 0;
  RC_ASSERT(Cvr::Parse(text).ok() == expected);
  RC_ASSERT(Cvr::FromNumber(n).ok() == expected);
  RC_ASSERT(Se::Parse(text).ok() == expected);
  if (expected) {
    RC_ASSERT(Cvr::Parse(text)->ToString() == text);
    const RecipientId id = RecipientId::Of(*Cvr::Parse(text));
    RC_ASSERT(*RecipientId::ParseTagged(id.Tagged()) == id);
    RC_ASSERT(*RecipientId::FromKey(id.key()) == id);
  }
}

RC_GTEST_PROP(PNumberProperty, RoundTrips, ()) {
  const uint64_t n = *rc::gen::inRange<uint64_t>(1'000'000'000, 10'000'000'000);
  const PNumber p = *PNumber::FromNumber(n);
  RC_ASSERT(*PNumber::Parse(p.ToString()) == p);
  const RecipientId id = RecipientId::Of(p);
  RC_ASSERT(*RecipientId::ParseTagged(id.Tagged()) == id);
  RC_ASSERT(*RecipientId::FromKey(id.key()) == id);
}

}  // namespace
}  // namespace nks
