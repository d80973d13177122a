// Bank reports in (SPEC §5.4): a bank's pain.002 or camt.054 about NKS's
// bank files, applied to the payments.
//
// The report is read and validated whole first (a bad file changes
// nothing), then applied in ONE store transaction. Per transaction, by
// NKS's payment id (InstrId "NKS<id>"):
//  - unknown id, or a payment that was never forwarded: an error line for
//    that transaction; the rest goes on.
//  - already settled or failed: skipped and counted as already applied, so
//    applying a report twice changes nothing the second time.
//  - settled -> kSettled.
//  - rejected -> kFailed under the authority's failed-payment policy as
//    configured NOW (SPEC §4.1), outcome_reason "<bank code>/<POLICY>":
//      RETURN: reported back to the payment system only;
//      CHEQUE: a cheque order with a cover letter (cheque.h);
//      ERROR_ACCOUNT: a NEW pending payment to the authority's error account
//        for the next possible payout date: system "NKS", EndToEndId
//        "NKS<original id>/R" (unique, as payment ids are), file_id 0, the
//        same authority, bank agreement, amount and benefit type, and a
//        remittance text naming the original; the original's outcome_reason
//        names the new payment ("AC04/ERROR_ACCOUNT NKS<new id>").
//      A rejected payment NKS made itself (system "NKS") is only failed
//        ("<code>/MANUAL") and reported as an error: no loop of new ones.
// The cover letters are staged inside the transaction and sent after it
// commits (cheque.h: a crash in between sends them on the next run, a
// rolled-back report's letters are deleted). The follow-up pain.002 per
// affected intake file in status_dir/SYSTEM/ (GrpSts absent; TxSts ACSC,
// or RJCT with the bank's code and what the policy did) is planned in the
// transaction and written after it, also again after a crash.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/store/store.h"

namespace nks::payments {

// The payment system id of payments NKS makes itself (error account).
inline constexpr std::string_view kNksSystem = "NKS";

struct BankReportOptions {
  std::filesystem::path cheque_dir;  // cover letters (policy CHEQUE)
  std::filesystem::path status_dir;  // follow-up reports go to status_dir/SYSTEM/
  std::string nks_id = "NKS";        // InitgPty of NKS's own messages
  // When set (a bank reporting through the API): only payments sent to this
  // bank (its BIC or registration number, as in the bank agreement) are
  // applied; any other transaction is an error line and changes nothing.
  std::string reporting_bank;
  // When given, runs last inside the report's transaction (the API's audit
  // entry); its error rolls the report back.
  std::function<Status()> in_transaction;
};

struct BankReportResult {
  std::string msg_id;  // the report's GrpHdr/MsgId
  uint64_t transactions = 0;
  uint64_t settled = 0;
  uint64_t returned = 0;
  uint64_t cheques = 0;
  uint64_t to_error_account = 0;
  uint64_t already_applied = 0;
  uint64_t no_change = 0;  // pending/informational statuses
  std::vector<std::string> errors;  // "line 12: NKS99: no such payment"
  std::vector<std::string> follow_up_reports;
  std::vector<std::string> cheque_letters;
};

// Limits: a report's transactions are held in memory while applied
// (~200 bytes each: 1M is ~200 MB).
inline constexpr uint64_t kBankReportTransactionsMax = 1'000'000;
inline constexpr size_t kBankReportErrorsListedMax = 1000;  // more are counted in one line

// Reads, validates and applies the report at `path`. Errors: the file's
// (kInvalidArgument "file:line: path: reason"), I/O, the store's.
Result<BankReportResult> ApplyBankReport(store::Store& store, const Clock& clock,
                                         const std::string& path, const BankReportOptions& options);

}  // namespace nks::payments
