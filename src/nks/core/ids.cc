#include "nks/core/ids.h"
#include "nks/core/text.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace nks {
namespace {

constexpr uint64_t kTenDigitMax = 9'999'999'999;
constexpr uint64_t kTenDigitMin = 1'000'000'000;  // 10 digits, first not 0
constexpr uint64_t kEightDigitMax = 99'999'999;
constexpr uint64_t kEightDigitMin = 10'000'000;  // 8 digits, first not 0
constexpr uint64_t kKeyNumberMask = (uint64_t{1} << 56) - 1;
constexpr size_t kIdTypeEchoMax = 8;  // longer type texts are not echoed


using text::AllDigits;
using text::CheckOuterShape;
using text::DigitsValue;
using text::IsDigit;
using text::IsSpace;

// The parts of a 10-digit CPR number DDMMYYSSSS.
struct CprParts {
  unsigned day;
  unsigned month;
  unsigned yy;
  unsigned digit7;  // first serial digit: selects the century
};

CprParts SplitCpr(uint64_t n) {
  return CprParts{static_cast<unsigned>(n / 100'000'000),
                  static_cast<unsigned>(n / 1'000'000 % 100),
                  static_cast<unsigned>(n / 10'000 % 100), static_cast<unsigned>(n / 1'000 % 10)};
}

// SPEC §2: 0-3 -> 19YY; 4, 9 -> 20YY if YY <= 36 else 19YY;
// 5-8 -> 20YY if YY <= 57 else 18YY.
int CprFullYear(unsigned yy, unsigned digit7) {
  const int y = static_cast<int>(yy);
  if (digit7 <= 3) return 1900 + y;
  if (digit7 == 4 || digit7 == 9) return (y <= 36 ? 2000 : 1900) + y;
  return (y <= 57 ? 2000 : 1800) + y;
}

std::chrono::year_month_day CprYmd(const CprParts& p) {
  return std::chrono::year_month_day{std::chrono::year{CprFullYear(p.yy, p.digit7)},
                                     std::chrono::month{p.month}, std::chrono::day{p.day}};
}

bool CprDateOk(uint64_t n) {
  const CprParts p = SplitCpr(n);
  return n <= kTenDigitMax && p.month >= 1 && p.month <= 12 && CprYmd(p).ok();
}

// Why the date part is not a date. Names the date only, never the serial.
Status CprDateError(uint64_t n) {
  const CprParts p = SplitCpr(n);
  if (p.month < 1 || p.month > 12) {
    return Status::Invalid(fmt::format("cpr: month {:02} does not exist", p.month));
  }
  return Status::Invalid(fmt::format("cpr: day {:02} does not exist in month {:02} of {}", p.day,
                                     p.month, CprFullYear(p.yy, p.digit7)));
}

std::string FormatCpr(uint64_t n) { return fmt::format("{:06}-{:04}", n / 10'000, n % 10'000); }
std::string FormatCprMasked(uint64_t n) { return fmt::format("{:06}-XXXX", n / 10'000); }

size_t DigitRunLength(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && IsDigit(s[j])) ++j;
  return j - i;
}

// Masks the serial when the digit run of `run` digits at `i` is a CPR
// number, either 10 digits alone or DDMMYY-SSSS.
void MaskCprAt(std::string_view text, size_t i, size_t run, std::string& out) {
  if (run == 10) {
    if (CprDateOk(DigitsValue(text.substr(i, 10)))) out.replace(i + 6, 4, "XXXX");
    return;
  }
  if (run != 6 || i + 7 >= text.size() || text[i + 6] != '-') return;
  if (DigitRunLength(text, i + 7) != 4) return;
  const uint64_t n = DigitsValue(text.substr(i, 6)) * 10'000 + DigitsValue(text.substr(i + 7, 4));
  if (CprDateOk(n)) out.replace(i + 7, 4, "XXXX");
}

// CVR and SE share the shape and the modulus-11 rule.
Result<uint64_t> CheckMod11Number(std::string_view name, uint64_t n) {
  if (n > kEightDigitMax) return Status::Invalid(fmt::format("{}: must be 8 digits", name));
  if (n < kEightDigitMin) return Status::Invalid(fmt::format("{}: must not start with 0", name));
  if (!Modulus11Ok(n)) {
    return Status::Invalid(fmt::format("{}: check digit does not match (modulus 11)", name));
  }
  return n;
}

Result<uint64_t> ParseMod11Number(std::string_view name, std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape(name, text));
  if (text.size() != 8 || !AllDigits(text)) {
    return Status::Invalid(fmt::format("{}: must be 8 digits", name));
  }
  return CheckMod11Number(name, DigitsValue(text));
}

Result<uint64_t> CheckPNumber(uint64_t n) {
  if (n > kTenDigitMax) return Status::Invalid("p-number: must be 10 digits");
  if (n < kTenDigitMin) return Status::Invalid("p-number: must not start with 0");
  return n;
}

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t k = 0; k < text.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(text[k])) != lower[k]) return false;
  }
  return true;
}

// Echoes an unknown type name only when it cannot carry a CPR number.
std::string UnknownIdTypeMessage(std::string_view text) {
  constexpr std::string_view kExpected = "expected cpr, cvr, se or p";
  bool safe = !text.empty() && text.size() <= kIdTypeEchoMax;
  for (char c : text) safe = safe && std::isalpha(static_cast<unsigned char>(c)) != 0;
  if (!safe) return fmt::format("id type: unknown; {}", kExpected);
  return fmt::format("id type: unknown '{}'; {}", text, kExpected);
}

}  // namespace

// ---- Cpr ----

Result<Cpr> Cpr::Parse(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape("cpr", text));
  std::string digits;
  if (text.size() == 11 && text[6] == '-') {
    digits.append(text.substr(0, 6)).append(text.substr(7));
  } else if (text.size() == 10) {
    digits.assign(text);
  } else {
    return Status::Invalid("cpr: must be 10 digits, DDMMYY-SSSS");
  }
  if (!AllDigits(digits)) {
    return Status::Invalid("cpr: must be 10 digits, DDMMYY-SSSS (found a non-digit)");
  }
  return FromNumber(DigitsValue(digits));
}

Result<Cpr> Cpr::FromNumber(uint64_t number) {
  if (number > kTenDigitMax) return Status::Invalid("cpr: more than 10 digits");
  if (!CprDateOk(number)) return CprDateError(number);
  return Cpr(number);
}

std::string Cpr::ToString() const { return FormatCpr(number_); }
std::string Cpr::Masked() const { return FormatCprMasked(number_); }
std::chrono::year_month_day Cpr::birth_date() const { return CprYmd(SplitCpr(number_)); }

std::string MaskCprsIn(std::string_view text) {
  std::string out(text);
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      ++i;
      continue;
    }
    const size_t run = DigitRunLength(text, i);
    MaskCprAt(text, i, run, out);
    i += run;
  }
  return out;
}

// ---- Cvr, Se, PNumber ----

bool Modulus11Ok(uint64_t eight_digits) {
  if (eight_digits > kEightDigitMax) return false;
  constexpr std::array<uint64_t, 8> kWeights{2, 7, 6, 5, 4, 3, 2, 1};
  uint64_t sum = 0;
  for (size_t k = kWeights.size(); k-- > 0;) {
    sum += eight_digits % 10 * kWeights[k];
    eight_digits /= 10;
  }
  return sum % 11 == 0;
}

Result<Cvr> Cvr::Parse(std::string_view text) {
  NKS_ASSIGN_OR_RETURN(const uint64_t n, ParseMod11Number("cvr", text));
  return Cvr(n);
}

Result<Cvr> Cvr::FromNumber(uint64_t number) {
  NKS_ASSIGN_OR_RETURN(const uint64_t n, CheckMod11Number("cvr", number));
  return Cvr(n);
}

std::string Cvr::ToString() const { return fmt::format("{:08}", number_); }

Result<Se> Se::Parse(std::string_view text) {
  NKS_ASSIGN_OR_RETURN(const uint64_t n, ParseMod11Number("se", text));
  return Se(n);
}

Result<Se> Se::FromNumber(uint64_t number) {
  NKS_ASSIGN_OR_RETURN(const uint64_t n, CheckMod11Number("se", number));
  return Se(n);
}

std::string Se::ToString() const { return fmt::format("{:08}", number_); }

Result<PNumber> PNumber::Parse(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape("p-number", text));
  if (text.size() != 10 || !AllDigits(text)) {
    return Status::Invalid("p-number: must be 10 digits");
  }
  return FromNumber(DigitsValue(text));
}

Result<PNumber> PNumber::FromNumber(uint64_t number) {
  NKS_ASSIGN_OR_RETURN(const uint64_t n, CheckPNumber(number));
  return PNumber(n);
}

std::string PNumber::ToString() const { return fmt::format("{:010}", number_); }

// ---- IdType ----

std::string_view IdTypeName(IdType type) {
  switch (type) {
    case IdType::kCpr:
      return "cpr";
    case IdType::kCvr:
      return "cvr";
    case IdType::kSe:
      return "se";
    case IdType::kPnr:
      return "p";
  }
  return "unknown";
}

Result<IdType> ParseIdType(std::string_view text) {
  if (EqualsLower(text, "cpr")) return IdType::kCpr;
  if (EqualsLower(text, "cvr")) return IdType::kCvr;
  if (EqualsLower(text, "se")) return IdType::kSe;
  if (EqualsLower(text, "p") || EqualsLower(text, "pnr")) return IdType::kPnr;
  return Status::Invalid(UnknownIdTypeMessage(text));
}

// ---- RecipientId ----

Result<RecipientId> RecipientId::Parse(IdType type, std::string_view text) {
  switch (type) {
    case IdType::kCpr: {
      NKS_ASSIGN_OR_RETURN(const Cpr c, Cpr::Parse(text));
      return Of(c);
    }
    case IdType::kCvr: {
      NKS_ASSIGN_OR_RETURN(const Cvr c, Cvr::Parse(text));
      return Of(c);
    }
    case IdType::kSe: {
      NKS_ASSIGN_OR_RETURN(const Se s, Se::Parse(text));
      return Of(s);
    }
    case IdType::kPnr: {
      NKS_ASSIGN_OR_RETURN(const PNumber p, PNumber::Parse(text));
      return Of(p);
    }
  }
  return Status::Invalid("recipient id: unknown id type");
}

Result<RecipientId> RecipientId::ParseTagged(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape("recipient id", text));
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Status::Invalid("recipient id: expected type:number, e.g. cvr:12345678");
  }
  NKS_ASSIGN_OR_RETURN(const IdType type, ParseIdType(text.substr(0, colon)));
  return Parse(type, text.substr(colon + 1));
}

Result<RecipientId> RecipientId::FromKey(uint64_t key) {
  const uint64_t type_byte = key >> 56;
  const uint64_t number = key & kKeyNumberMask;
  switch (type_byte) {
    case static_cast<uint64_t>(IdType::kCpr): {
      NKS_ASSIGN_OR_RETURN(const Cpr c, Cpr::FromNumber(number));
      return Of(c);
    }
    case static_cast<uint64_t>(IdType::kCvr): {
      NKS_ASSIGN_OR_RETURN(const Cvr c, Cvr::FromNumber(number));
      return Of(c);
    }
    case static_cast<uint64_t>(IdType::kSe): {
      NKS_ASSIGN_OR_RETURN(const Se s, Se::FromNumber(number));
      return Of(s);
    }
    case static_cast<uint64_t>(IdType::kPnr): {
      NKS_ASSIGN_OR_RETURN(const PNumber p, PNumber::FromNumber(number));
      return Of(p);
    }
    default:
      break;
  }
  return Status::Invalid(fmt::format("recipient key: unknown type byte {}", type_byte));
}

std::string RecipientId::ToString() const {
  switch (type_) {
    case IdType::kCpr:
      return FormatCpr(number_);
    case IdType::kCvr:
    case IdType::kSe:
      return fmt::format("{:08}", number_);
    case IdType::kPnr:
      return fmt::format("{:010}", number_);
  }
  return fmt::format("{}", number_);
}

std::string RecipientId::Tagged() const {
  return fmt::format("{}:{}", IdTypeName(type_), ToString());
}

std::string RecipientId::Masked() const {
  return is_person() ? FormatCprMasked(number_) : ToString();
}

std::string RecipientId::TaggedMasked() const {
  return fmt::format("{}:{}", IdTypeName(type_), Masked());
}

}  // namespace nks
