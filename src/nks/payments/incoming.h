// A payment file as intake sees it, whatever its format (pain.001 or the
// CSV layout for small systems): a header, groups of payments that share an
// authority, bank agreement, LOS unit and payout date, and the payments.
// Readers fill these with the text as sent; intake does the checking.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "nks/core/status.h"

namespace nks::payments {

struct IncomingHeader {
  std::string msg_id;
  std::string initiating_system;  // InitgPty Othr with SchmeNm NKSSYS
  uint64_t transaction_count = 0;             // NbOfTxs as sent
  std::optional<int64_t> control_sum_ore;     // CtrlSum as sent
};

struct IncomingGroup {
  uint64_t line = 0;
  std::string pmt_inf_id;
  std::string authority;       // Dbtr Othr with SchmeNm NKS
  std::string bank_agreement;  // Dbtr Othr with SchmeNm PIA
  std::string los;             // UltmtDbtr Othr with SchmeNm LOS
  std::string payout_date;     // ReqdExctnDt/Dt
  std::string debtor_account;  // DbtrAcct: IBAN, or BBAN (14 digits)
  std::string debtor_bank;     // DbtrAgt: BICFI or registration number
  std::optional<uint64_t> transaction_count;
  std::optional<int64_t> control_sum_ore;
};

struct IncomingPayment {
  uint64_t line = 0;
  std::string end_to_end;
  std::string amount;    // InstdAmt as sent ("1234.50")
  std::string currency;  // InstdAmt/@Ccy
  std::string benefit_type;
  std::string recipient_scheme;  // CPR, CVR, SE, PNR; empty if none
  std::string recipient_id;
  std::string creditor_account;  // complete payment: IBAN, or BBAN (14 digits)
  std::string creditor_bic;
  std::string creditor_name;
  std::string remittance;
};

class IncomingVisitor {
 public:
  virtual ~IncomingVisitor() = default;
  // A non-OK status stops the reading and is returned by the reader.
  virtual Status OnHeader(const IncomingHeader& header) = 0;
  virtual Status OnGroup(const IncomingGroup& group) = 0;
  virtual Status OnPayment(const IncomingPayment& payment) = 0;
  // Where the format sums exactly (xs:decimal CtrlSum), the reader gives its
  // verdicts on NbOfTxs and CtrlSum; intake then uses them instead of its
  // own count and øre sum.
  virtual Status OnGroupTotals(bool count_matches, bool sum_matches) {
    (void)count_matches;
    (void)sum_matches;
    return Status::Ok();
  }
  virtual Status OnFileTotals(bool count_matches, bool sum_matches) {
    (void)count_matches;
    (void)sum_matches;
    return Status::Ok();
  }
  // Forget every call so far: the reader starts the file over (its fast
  // path gave up part-way). Readers may also call it before the first call,
  // to learn whether the visitor can start over. A visitor that cannot
  // returns non-OK, the default; readers then read the file so that no
  // call has to be taken back.
  virtual Status OnRestart() {
    return Status::FailedPrecondition("this visitor cannot start over");
  }
};

// Reads a whole file, calling the visitor in document order. A file that
// cannot be read (not well-formed, not schema-valid) gives an error naming
// the line and element: the file is rejected whole (FF01).
using IncomingReader = std::function<Status(const std::string& path, IncomingVisitor& visitor)>;

}  // namespace nks::payments
