// Checks of the small codes that name things in NKS: benefit types, NKS
// agreement numbers and the banks that report and pay.
#pragma once

#include <cstdint>
#include <string_view>

#include "nks/core/status.h"

namespace nks {

// NKS agreement number (SPEC §1): an integer 1..99999999 without leading zeros.
constexpr uint32_t kAgreementNumberMax = 99'999'999;
bool IsAgreementNumber(uint64_t n);
// Parses the text form, refusing leading zeros, signs and spaces.
Result<uint32_t> ParseAgreementNumber(std::string_view text);

// Benefit type codes: 1-35 bytes of letters (æøå too), digits, '-', '_', '.'.
Status CheckBenefitType(std::string_view code);

// A bank as NKS names it: its 4-digit registration number or its BIC.
Status CheckBankId(std::string_view bank);

}  // namespace nks
