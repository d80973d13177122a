#include "nks/core/codes.h"

#include <algorithm>
#include <cctype>

#include "nks/core/account.h"
#include "nks/core/text.h"

namespace nks {

namespace {
constexpr size_t kBenefitTypeBytesMax = 35;  // Purp/Prtry is Max35Text
}  // namespace

bool IsAgreementNumber(uint64_t n) { return n >= 1 && n <= kAgreementNumberMax; }

Result<uint32_t> ParseAgreementNumber(std::string_view text) {
  if (!text::AllDigits(text) || text.size() > 8 || text.front() == '0') {
    return Status::Invalid("NKS agreement number: must be 1..99999999 without leading zeros");
  }
  return static_cast<uint32_t>(text::DigitsValue(text));
}

Status CheckBenefitType(std::string_view code) {
  if (code.empty() || code.size() > kBenefitTypeBytesMax) {
    return Status::Invalid("benefit type: must be 1-35 characters");
  }
  for (char ch : code) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80) continue;
    return Status::Invalid("benefit type: only letters, digits, '-', '_' and '.' are allowed");
  }
  return Status::Ok();
}

Status CheckBankId(std::string_view bank) {
  bool registration = bank.size() == 4 && text::AllDigits(bank);
  if (registration || Bic::Parse(bank).ok()) return Status::Ok();
  return Status::Invalid("bank: must be a 4-digit registration number or a BIC");
}

}  // namespace nks
