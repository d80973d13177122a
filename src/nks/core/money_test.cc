// Amounts in øre (SPEC §2): parsing, limits and printing.
#include "nks/core/money.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

namespace nks {
namespace {

TEST(AmountOreTest, ParsesDecimals) {
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {"1234.56", 123456},
      {"1234.5", 123450},
      {"1234", 123400},
      {"0.01", 1},
      {"0.1", 10},
      {"1", 100},
      {"007.00", 700},
      {"000000000000000000000001.00", 100},
      {"999999999999.99", AmountOre::kMaxOre},
      {"999999999999", AmountOre::kMaxOre - 99},
  };
  for (const auto& [text, ore] : cases) {
    SCOPED_TRACE(text);
    Result<AmountOre> a = AmountOre::ParseDecimal(text);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->ore(), ore);
  }
}

struct InvalidCase {
  std::string text;
  std::string reason;  // a phrase the error message must contain
};

TEST(AmountOreTest, RejectsInvalidDecimalsSayingWhy) {
  const std::vector<InvalidCase> cases = {
      {"", "empty"},
      {" 1.00", "whitespace"},
      {"1.00 ", "whitespace"},
      {"0", "must be positive"},
      {"0.00", "must be positive"},
      {"000", "must be positive"},
      {"-1.00", "no sign allowed"},
      {"+1.00", "no sign allowed"},
      {"1e3", "no exponent allowed"},
      {"1E3", "no exponent allowed"},
      {"1,234.56", "no thousands separators"},
      {"1234,56", "no thousands separators"},
      {"1 234.56", "no thousands separators"},
      {"1'234.56", "no thousands separators"},
      {"1_234.56", "no thousands separators"},
      {"1.234", "at most 2 decimals"},
      {"1.500", "at most 2 decimals"},
      {"1.2.3", "more than one '.'"},
      {"1..2", "more than one '.'"},
      {".5", "digits required before the '.'"},
      {"5.", "digits required after the '.'"},
      {".", "digits required before the '.'"},
      {"1000000000000.00", "above the maximum"},
      {"1000000000000", "above the maximum"},
      {"99999999999999999999999", "above the maximum"},
      {"9223372036854775807", "above the maximum"},
      {"abc", "only digits and one '.'"},
      {"NaN", "only digits and one '.'"},
      {"12\xEF\xBC\x91", "only digits and one '.'"},  // full-width digit one
      {"0x10", "only digits and one '.'"},
      {std::string(33, '1'), "longer than 32 characters"},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<AmountOre> a = AmountOre::ParseDecimal(c.text);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.status().code(), Code::kInvalidArgument);
    EXPECT_NE(a.status().message().find(c.reason), std::string::npos) << a.status().message();
  }
}

TEST(AmountOreTest, OfChecksTheRange) {
  EXPECT_TRUE(AmountOre::Of(1).ok());
  EXPECT_TRUE(AmountOre::Of(AmountOre::kMaxOre).ok());
  EXPECT_NE(AmountOre::Of(0).status().message().find("must be positive"), std::string::npos);
  EXPECT_NE(AmountOre::Of(-1).status().message().find("must be positive"), std::string::npos);
  EXPECT_NE(AmountOre::Of(std::numeric_limits<int64_t>::min())
                .status()
                .message()
                .find("must be positive"),
            std::string::npos);
  EXPECT_NE(AmountOre::Of(AmountOre::kMaxOre + 1).status().message().find("above the maximum"),
            std::string::npos);
  EXPECT_NE(AmountOre::Of(std::numeric_limits<int64_t>::max())
                .status()
                .message()
                .find("above the maximum"),
            std::string::npos);
}

TEST(AmountOreTest, PrintsDecimalAndDanish) {
  const std::vector<std::tuple<int64_t, std::string, std::string>> cases = {
      {1, "0.01", "0,01 kr."},
      {10, "0.10", "0,10 kr."},
      {100, "1.00", "1,00 kr."},
      {99999, "999.99", "999,99 kr."},
      {100000, "1000.00", "1.000,00 kr."},
      {123456, "1234.56", "1.234,56 kr."},
      {123456789, "1234567.89", "1.234.567,89 kr."},
      {12345678901, "123456789.01", "123.456.789,01 kr."},
      {AmountOre::kMaxOre, "999999999999.99", "999.999.999.999,99 kr."},
  };
  for (const auto& [ore, decimal, danish] : cases) {
    SCOPED_TRACE(ore);
    const AmountOre a = *AmountOre::Of(ore);
    EXPECT_EQ(a.ToDecimal(), decimal);
    EXPECT_EQ(a.ToDanish(), danish);
  }
}

// ---- Properties ----

RC_GTEST_PROP(AmountProperty, DecimalRoundTrips, ()) {
  const int64_t ore = *rc::gen::inRange<int64_t>(1, AmountOre::kMaxOre + 1);
  const AmountOre a = *AmountOre::Of(ore);
  const Result<AmountOre> back = AmountOre::ParseDecimal(a.ToDecimal());
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == a);
}

RC_GTEST_PROP(AmountProperty, DanishFormIsTheDecimalFormRegrouped, ()) {
  const int64_t ore = *rc::gen::inRange<int64_t>(1, AmountOre::kMaxOre + 1);
  const AmountOre a = *AmountOre::Of(ore);
  std::string danish = a.ToDanish();
  RC_ASSERT(danish.size() > 4 && danish.substr(danish.size() - 4) == " kr.");
  danish.resize(danish.size() - 4);
  std::string plain;
  for (char c : danish) {
    if (c != '.') plain.push_back(c == ',' ? '.' : c);
  }
  RC_ASSERT(plain == a.ToDecimal());
}

// Any digit string with up to 2 decimals parses to the exact value when in
// range and is refused otherwise: no overflow for long inputs.
RC_GTEST_PROP(AmountProperty, DigitStringsParseExactlyOrAreRefused, ()) {
  const auto digit = rc::gen::inRange('0', static_cast<char>('9' + 1));
  const auto whole_len = *rc::gen::inRange<size_t>(1, 28);
  const std::string whole = *rc::gen::container<std::string>(whole_len, digit);
  const auto frac_len = *rc::gen::inRange<size_t>(0, 3);
  const std::string frac = *rc::gen::container<std::string>(frac_len, digit);
  const std::string text = frac.empty() ? whole : whole + "." + frac;
  // Saturates at kMaxOre + 1 so the expectation itself cannot overflow.
  int64_t expected = 0;
  for (char c : whole) {
    expected = std::min<int64_t>(expected * 10 + (c - '0'), AmountOre::kMaxOre + 1);
  }
  const int64_t frac_ore = frac.empty() ? 0 : std::stoi(frac) * (frac.size() == 1 ? 10 : 1);
  expected = std::min<int64_t>(expected * 100 + frac_ore, AmountOre::kMaxOre + 1);
  const Result<AmountOre> a = AmountOre::ParseDecimal(text);
  if (expected >= 1 && expected <= AmountOre::kMaxOre) {
    RC_ASSERT(a.ok());
    RC_ASSERT(a->ore() == expected);
  } else {
    RC_ASSERT(!a.ok());
  }
}

}  // namespace
}  // namespace nks
