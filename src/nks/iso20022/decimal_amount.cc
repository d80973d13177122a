#include "nks/iso20022/decimal_amount.h"

#include <limits>

#include "nks/core/text.h"

namespace nks::iso20022 {
namespace {

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<DecimalAmount> DecimalAmount::Parse(std::string_view lexical) {
  constexpr size_t kIntegerDigitsMax = 28;
  std::string_view s = lexical;
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  if ((!whole.empty() && !text::AllDigits(whole)) ||
      (!fraction.empty() && !text::AllDigits(fraction))) {
    return std::nullopt;
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() > kIntegerDigitsMax) return std::nullopt;
  DecimalAmount out;
  for (char c : whole) out.units_ = out.units_ * 10 + (c - '0');
  for (size_t i = 0; i < fraction.size(); ++i) {
    if (i >= static_cast<size_t>(kFractionDigits)) {
      if (fraction[i] != '0') return std::nullopt;
      continue;
    }
    out.units_ = out.units_ * 10 + (fraction[i] - '0');
  }
  for (size_t i = fraction.size(); i < static_cast<size_t>(kFractionDigits); ++i) out.units_ *= 10;
  if (negative) out.units_ = -out.units_;
  return out;
}

std::optional<int64_t> DecimalAmount::WholeOre() const {
  constexpr Units kUnitsPerOre = 1000;  // 10^(5 - 2)
  if (units_ % kUnitsPerOre != 0) return std::nullopt;
  const Units ore = units_ / kUnitsPerOre;
  if (ore > std::numeric_limits<int64_t>::max() || ore < std::numeric_limits<int64_t>::min()) {
    return std::nullopt;
  }
  return static_cast<int64_t>(ore);
}

std::string DecimalAmount::ToString() const {
  Units v = units_ < 0 ? -units_ : units_;
  std::string digits;  // least significant first
  for (int i = 0; i < kFractionDigits || v != 0; ++i) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  if (digits.size() == static_cast<size_t>(kFractionDigits)) digits.push_back('0');
  std::string out = units_ < 0 ? "-" : "";
  out.append(digits.rbegin(), digits.rend() - kFractionDigits);
  std::string fraction(digits.rend() - kFractionDigits, digits.rend());
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return out + "." + fraction;
}

}  // namespace nks::iso20022
