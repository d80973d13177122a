// Amounts are integer øre (1/100 DKK) in int64; never floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks {

class AmountOre {
 public:
  // 999,999,999,999.99 DKK: far above any single public payout, and sums of
  // many stay well inside int64.
  static constexpr int64_t kMaxOre = 99'999'999'999'999;

  // Positive amounts only: 1 <= ore <= kMaxOre.
  static Result<AmountOre> Of(int64_t ore);
  // "1234.56", "1234.5", "1234" (ISO 20022 decimal; at most 2 decimals).
  static Result<AmountOre> ParseDecimal(std::string_view text);

  int64_t ore() const { return ore_; }
  std::string ToDecimal() const;  // "1234.56", always two decimals
  std::string ToDanish() const;   // "1.234,56 kr."
  auto operator<=>(const AmountOre&) const = default;

 private:
  explicit AmountOre(int64_t ore) : ore_(ore) {}
  int64_t ore_ = 0;
};

}  // namespace nks
