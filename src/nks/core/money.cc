#include "nks/core/money.h"

#include <fmt/format.h>

#include <cctype>

namespace nks {
namespace {

constexpr size_t kDecimalTextMax = 32;  // characters; far above any valid amount
constexpr size_t kWholeDigitsMax = 12;  // kMaxOre / 100 = 999'999'999'999
constexpr size_t kFractionDigitsMax = 2;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// The characters alone: no sign, exponent or separators, only digits and '.'.
Status CheckDecimalCharacters(std::string_view text) {
  if (text.empty()) return Status::Invalid("amount: empty");
  if (IsSpace(text.front()) || IsSpace(text.back())) {
    return Status::Invalid("amount: leading or trailing whitespace is not allowed");
  }
  if (text.size() > kDecimalTextMax) return Status::Invalid("amount: longer than 32 characters");
  for (char c : text) {
    if (c == '+' || c == '-')
      return Status::Invalid("amount: no sign allowed; amounts are positive");
    if (c == 'e' || c == 'E') return Status::Invalid("amount: no exponent allowed");
    if (c == ',' || c == ' ' || c == '\'' || c == '_') {
      return Status::Invalid("amount: use '.' as the decimal point, with no thousands separators");
    }
    if (!IsDigit(c) && c != '.')
      return Status::Invalid("amount: only digits and one '.' are allowed");
  }
  return Status::Ok();
}

Status CheckDecimalParts(std::string_view whole, std::string_view fraction, bool has_point) {
  if (fraction.find('.') != std::string_view::npos) {
    return Status::Invalid("amount: more than one '.'");
  }
  if (whole.empty()) return Status::Invalid("amount: digits required before the '.'");
  if (has_point && fraction.empty())
    return Status::Invalid("amount: digits required after the '.'");
  if (fraction.size() > kFractionDigitsMax) return Status::Invalid("amount: at most 2 decimals");
  return Status::Ok();
}

int64_t DigitsValue(std::string_view s) {
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "1.234.567": dots between groups of three, as Danish prints thousands.
std::string GroupThousands(int64_t whole) {
  const std::string digits = fmt::format("{}", whole);
  std::string out;
  for (size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out.push_back('.');
    out.push_back(digits[k]);
  }
  return out;
}

}  // namespace

Result<AmountOre> AmountOre::Of(int64_t ore) {
  if (ore <= 0) return Status::Invalid("amount: must be positive (at least 0.01)");
  if (ore > kMaxOre) return Status::Invalid("amount: above the maximum 999999999999.99");
  return AmountOre(ore);
}

Result<AmountOre> AmountOre::ParseDecimal(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckDecimalCharacters(text));
  const size_t point = text.find('.');
  const bool has_point = point != std::string_view::npos;
  std::string_view whole = text.substr(0, point);
  const std::string_view fraction = has_point ? text.substr(point + 1) : std::string_view();
  NKS_RETURN_IF_ERROR(CheckDecimalParts(whole, fraction, has_point));
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  // Checked before multiplying, so no text can overflow int64.
  if (whole.size() > kWholeDigitsMax) {
    return Status::Invalid("amount: above the maximum 999999999999.99");
  }
  int64_t fraction_ore = DigitsValue(fraction);
  if (fraction.size() == 1) fraction_ore *= 10;
  return Of(DigitsValue(whole) * 100 + fraction_ore);
}

std::string AmountOre::ToDecimal() const { return fmt::format("{}.{:02}", ore_ / 100, ore_ % 100); }

std::string AmountOre::ToDanish() const {
  return fmt::format("{},{:02} kr.", GroupThousands(ore_ / 100), ore_ % 100);
}

}  // namespace nks
