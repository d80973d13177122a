// Exact decimal amounts as ISO 20022 writes them (xs:decimal), for control
// sums: CtrlSum must equal the sum of the amounts, to the last digit.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nks::iso20022 {

// An xs:decimal held exactly in units of 10^-5: amounts have at most 5
// fraction digits (ActiveOrHistoricCurrencyAndAmount), so every amount and
// every sum of amounts is exact, whatever their number.
class DecimalAmount {
 public:
  static constexpr int kFractionDigits = 5;

  // The xs:decimal lexical form ("+0100.50", ".5", "7."), surrounding XML
  // white space allowed. Nothing when it is not a decimal, has more than 28
  // integer digits, or has non-zero digits past the fifth decimal (such a
  // CtrlSum cannot equal any sum of amounts).
  static std::optional<DecimalAmount> Parse(std::string_view text);

  // The value in øre when it is a whole number of øre (trailing zeros do
  // not matter: "10.500" is 1050) that fits in int64; else nothing.
  std::optional<int64_t> WholeOre() const;
  bool is_negative() const { return units_ < 0; }
  // Two decimals at least, more only when needed: "1050.50", "0.125".
  std::string ToString() const;

  DecimalAmount& operator+=(const DecimalAmount& other) {
    units_ += other.units_;
    return *this;
  }
  auto operator<=>(const DecimalAmount&) const = default;

 private:
  // |units| < 10^33 (28 integer digits), and a file holds under 10^8
  // amounts: no sum comes near 2^127.
  __extension__ typedef __int128 Units;
  Units units_ = 0;
};

}  // namespace nks::iso20022
