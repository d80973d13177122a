// Synthetic payment files (SPEC §5.1): a pain.001.001.10 file (or the same
// payments in the CSV layout of payments/csv_source.h), as a payment system
// sends it, of payments from the demo configuration's authority
// (authority/demo.cc) to recipients drawn from a population written by
// GeneratePopulation, with a chosen mix of good and bad payments for
// testing and benchmarking the intake. Layout per
// schemas/iso20022/PROFILE.md "Payment files in".
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/gen/population.h"

namespace nks::gen {

// What a generated payment is meant to test; the intake's expected outcome
// follows from it (PROFILE.md reason codes in brackets).
enum class PaymentKind : uint8_t {
  kValid,            // living person in cpr.csv with a NemKonto: accepted
  kUnknownCpr,       // CPR of a real date, not in cpr.csv [NK02]
  kInvalidCpr,       // CPR with an impossible date (day 32-39 or month 13-19) [NK01]
  kNoNemKonto,       // living person in cpr.csv without a NemKonto [NK03]
  kSpecificAccount,  // like kValid, benefit type kapitalpension (for specific accounts)
  kComplete,         // CdtrAcct given: Danish BBAN or DK IBAN, no lookup needed
  kDuplicate,        // reuses an earlier EndToEndId of the file [AM05]
  kForeignAccount,   // complete, foreign IBAN with CdtrAgt/BICFI
  kCompany,          // CVR, SE or P-number from cvr.csv/units.csv that has a NemKonto
};
inline constexpr size_t kPaymentKindCount = 9;

// "valid", "unknown-cpr", "invalid-cpr", "no-nemkonto", "specific-account",
// "complete", "duplicate", "foreign-account", "company": the --mix names.
std::string_view PaymentKindName(PaymentKind kind);

// Relative weights of the kinds, in hundredths (a weight of 2.5 is 250);
// they need not add up to 100.
struct PaymentMix {
  std::array<uint32_t, kPaymentKindCount> weights{};
};
inline constexpr uint32_t kMixWeightMax = 100'000'000;  // hundredths, per kind

// valid 85, unknown-cpr 2, invalid-cpr 1, no-nemkonto 2, specific-account 1,
// complete 3, duplicate 1, foreign-account 1, company 4.
PaymentMix DefaultPaymentMix();

// "valid=90,unknown-cpr=2.5,...": the kinds named replace the whole mix
// (kinds not named get 0). Weights have at most two decimals.
Result<PaymentMix> ParsePaymentMix(std::string_view text);

inline constexpr uint64_t kPaymentsMax = 10'000'000;  // payments per file (~6 GB of XML)
inline constexpr uint64_t kTransactionsPerPaymentInfoMax = 10'000;  // CdtTrfTxInf per PmtInf

// A Monday and a banking day.
inline constexpr Date kDefaultPayoutDate{std::chrono::year{2026}, std::chrono::November,
                                         std::chrono::day{30}};

enum class PaymentFileFormat : uint8_t { kPain001, kCsv };

struct PaymentsOptions {
  uint64_t count = 1000;                // payments in the file, 1..kPaymentsMax
  uint64_t seed = 1;                    // same options and population -> byte-identical file
  std::filesystem::path population_dir;  // cpr.csv, cvr.csv, units.csv, nemkonti.csv
  Date payout_date = kDefaultPayoutDate;  // PmtInf/ReqdExctnDt/Dt
  std::string message_id;               // GrpHdr/MsgId; empty: "GEN-<seed>-<count>"
  // GrpHdr/CreDtTm; none: 20:00 Copenhagen time three days before the payout date.
  std::optional<Instant> created_at;
  PaymentMix mix = DefaultPaymentMix();
  // The same payments, groups and totals either way; CSV has no CreDtTm.
  PaymentFileFormat format = PaymentFileFormat::kPain001;
};

struct PaymentsReport {
  std::string message_id;
  uint64_t payments = 0;
  uint64_t payment_infos = 0;  // PmtInf elements
  int64_t control_sum_ore = 0;
  std::array<uint64_t, kPaymentKindCount> kind_counts{};
};

// One payment as written, for tests that check the intake's outcome per
// payment. The views are valid during the call only.
struct GeneratedPayment {
  uint64_t index = 0;  // 0-based position in the file
  PaymentKind kind = PaymentKind::kValid;
  std::string_view end_to_end_id;
  std::string_view recipient_id;  // Cdtr/Id/.../Othr/Id as written; empty: none
  std::string_view creditor_account;  // CdtrAcct's IBAN or BBAN; empty: none
  int64_t amount_ore = 0;
};
using PaymentObserverFn = std::function<void(const GeneratedPayment&)>;

// Writes the file to `out_file` under a temporary name in the same
// directory and renames it when complete. Memory: the population's
// persons as CPR numbers and file offsets (~16 bytes per person, ~40 while
// reading them), whatever the count. Errors: kInvalidArgument for bad options, kFailedPrecondition
// when the population lacks recipients a kind of the mix needs, kIoError,
// kCorruption for unreadable population files (naming file and line).
Result<PaymentsReport> GeneratePayments(const PaymentsOptions& options,
                                        const std::filesystem::path& out_file,
                                        const ProgressFn& progress = {},
                                        const PaymentObserverFn& observe = {});

// The population for a file at `out_file` when none is named: its directory,
// if that holds cpr.csv.
Result<std::filesystem::path> DefaultPopulationDir(const std::filesystem::path& out_file);

}  // namespace nks::gen
