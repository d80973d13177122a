// Status responses out (PROFILE.md "Status responses out"): pain.002.001.11
// from NKS to a payment system about one of its files, streamed to disk one
// transaction status at a time.
//
// Usage: Begin() with the group header and the number of transaction
// statuses to follow, then for each original PmtInf BeginGroup() and Add()
// for each of its transactions, then Finish(). Memory stays at the 64 KiB
// write buffer; the same calls give a byte-identical file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nks/core/status.h"
#include "nks/core/time.h"

namespace nks::iso20022 {

class XmlFileWriter;

inline constexpr std::string_view kPain002Namespace =
    "urn:iso:std:iso:20022:tech:xsd:pain.002.001.11";
inline constexpr std::string_view kPain001MessageName = "pain.001.001.10";
// As many as the largest file NKS takes in.
inline constexpr uint64_t kStatusReportTransactionsMax = 10'000'000;
// A reason's text is written as consecutive AddtlInf elements of at most 105
// characters each (Max105Text, repeatable); this caps them at ten.
inline constexpr size_t kStatusReasonTextCharsMax = 1050;
// Max4Text: ISO external status reason codes ("AM05").
inline constexpr size_t kIsoReasonCodeCharsMax = 4;

// OrgnlGrpInfAndSts/GrpSts. kNone for follow-up reports, which say only how
// single transactions moved on.
enum class GroupStatus : uint8_t {
  kNone,
  kAccepted,           // ACCP: all accepted
  kPartiallyAccepted,  // PART: some rejected
  kRejected,           // RJCT: the file rejected
};
std::string_view GroupStatusCode(GroupStatus status);  // "" for kNone

// TxInfAndSts/TxSts.
enum class TransactionStatus : uint8_t {
  kAccepted,   // ACCP: accepted, pending forwarding
  kRejected,   // RJCT: rejected (with a reason)
  kCancelled,  // CANC: stopped by a caseworker before forwarding
  kForwarded,  // ACSP: forwarded to the bank
  kSettled,    // ACSC: settled by the bank
  kPending,    // PDNG: held, e.g. awaiting a manual decision
};
std::string_view TransactionStatusCode(TransactionStatus status);

// Why NKS gave a status (the table in PROFILE.md).
enum class NksReason : uint8_t {
  kFileInvalid,                // FF01: not well-formed or not schema-valid
  kAfterCutoff,                // TM01: after the cut-off for its payout date
  kDuplicate,                  // AM05: file or EndToEndId received before
  kCountMismatch,              // AM18: NbOfTxs does not match
  kControlSumMismatch,         // AM10: CtrlSum does not match
  kAmountNotAllowed,           // AM02
  kInvalidAmount,              // AM12
  kNoActiveConnection,         // BE05: sender not connected for the authority
  kBankAgreementNotAuthority,  // RC01
  kIncorrectAccount,           // AC01 (from the bank)
  kClosedAccount,              // AC04 (from the bank)
  kRecipientIdInvalid,         // NK01: format or check digits
  kRecipientUnknown,           // NK02: not in the CPR or CVR register
  kNoAccount,                  // NK03: no NemKonto or specific account
  kUnknownBenefitType,         // NK05
  kPaidByCheque,               // NK06: policy CHEQUE
  kPaidToErrorAccount,         // NK07: policy ERROR_ACCOUNT
};

// A code in StsRsnInf/Rsn: an ISO external code in Rsn/Cd (at most 4
// characters) or an NKS code in Rsn/Prtry. A bank's code (AC06, AG01, ...)
// can be passed through as {"AG01", false}.
struct ReasonCode {
  std::string code;          // "AM05", "NK03"
  bool proprietary = false;  // true: Rsn/Prtry; false: Rsn/Cd
  bool operator==(const ReasonCode&) const = default;
};
ReasonCode ReasonCodeFor(NksReason reason);

// StsRsnInf: a code and the human-readable text PROFILE.md requires with it.
struct StatusReason {
  ReasonCode code;
  std::string text;  // AddtlInf: 1..kStatusReasonTextCharsMax characters
};
StatusReason MakeStatusReason(NksReason reason, std::string text);

// GrpHdr and OrgnlGrpInfAndSts.
struct StatusReportHeader {
  std::string message_id;           // GrpHdr/MsgId
  Instant created_at;               // GrpHdr/CreDtTm, written in Copenhagen time
  std::string nks_id;               // GrpHdr/InitgPty/Id/OrgId/Othr/Id
  std::string original_message_id;  // OrgnlMsgId: the sender's GrpHdr/MsgId
  std::string original_message_name = std::string(kPain001MessageName);  // OrgnlMsgNmId
  std::optional<uint64_t> original_transaction_count{};  // OrgnlNbOfTxs, as the file said
  std::optional<int64_t> original_control_sum_ore{};     // OrgnlCtrlSum, as the file said
  GroupStatus group_status = GroupStatus::kNone;         // GrpSts
  std::optional<StatusReason> group_reason{};            // StsRsnInf (e.g. FF01)
  // TxInfAndSts elements to follow, all groups together: checked by Finish().
  uint64_t transaction_count = 0;
};

// TxInfAndSts: one payment's status.
struct StatusReportTransaction {
  std::string original_instruction_id{};  // OrgnlInstrId; empty: omitted
  std::string original_end_to_end_id;     // OrgnlEndToEndId
  TransactionStatus status = TransactionStatus::kAccepted;
  std::optional<StatusReason> reason{};  // required with kRejected
};

// Checks that every field fits its element.
Status CheckStatusReportTransaction(const StatusReportTransaction& tx);

class Pain002Writer {
 public:
  // Creates a hidden temporary file beside `path` and writes GrpHdr and
  // OrgnlGrpInfAndSts. Errors: kInvalidArgument, kIoError.
  static Result<Pain002Writer> Begin(const std::filesystem::path& path,
                                     const StatusReportHeader& header);

  // Destroying an unfinished writer removes the temporary file.
  ~Pain002Writer();
  Pain002Writer(Pain002Writer&&) noexcept;
  Pain002Writer& operator=(Pain002Writer&&) noexcept;
  Pain002Writer(const Pain002Writer&) = delete;
  Pain002Writer& operator=(const Pain002Writer&) = delete;

  // Starts an OrgnlPmtInfAndSts, ending the previous one.
  Status BeginGroup(std::string_view original_payment_info_id);

  // Appends a transaction status to the current group. More than announced
  // stops the process (NKS_CHECK).
  Status Add(const StatusReportTransaction& tx);

  // Checks that exactly the announced number of statuses was written
  // (NKS_CHECK) and renames the file into place. After any error from this
  // writer, every later call returns that error and no file appears.
  Status Finish();

 private:
  explicit Pain002Writer(std::unique_ptr<XmlFileWriter> xml);
  Status Fail(Status status);
  void WriteHeader(const StatusReportHeader& header);
  void WriteTransaction(const StatusReportTransaction& tx);

  std::unique_ptr<XmlFileWriter> xml_;  // null once finished or moved from
  Status status_;                       // the first error
  uint64_t count_announced_ = 0;
  uint64_t count_written_ = 0;
  uint64_t groups_begun_ = 0;  // BeginGroup() calls, for messages
  bool group_open_ = false;
};

}  // namespace nks::iso20022
