// Bank files out (PROFILE.md "Bank files out"): pain.001.001.10 from NKS to
// an authority's bank, streamed to disk one transaction at a time.
//
// Usage: Begin() with the file's totals, then for each PmtInf BeginGroup()
// with its totals followed by Add() for each of its transactions, then
// Finish(). Memory stays at the 64 KiB write buffer whatever the number of
// transactions (~0.7 KB of XML each: 100,000 are ~70 MB). The same calls give
// a byte-identical file: nothing is read from the clock or the environment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "nks/core/account.h"
#include "nks/core/money.h"
#include "nks/core/status.h"
#include "nks/core/time.h"

namespace nks::iso20022 {

class XmlFileWriter;

inline constexpr std::string_view kPain001Namespace =
    "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10";
// One payout date of one bank agreement: a month's state pensions are ~1.1
// million payments, so ten times that is plenty (~7 GB of XML).
inline constexpr uint64_t kBankFileTransactionsMax = 10'000'000;

// GrpHdr. The totals are written first, so the caller computes them before
// streaming the transactions; Finish() checks them against what was added.
struct BankFileHeader {
  std::string message_id;          // GrpHdr/MsgId: from agreement, date, sequence
  Instant created_at;              // GrpHdr/CreDtTm, written in Copenhagen time
  std::string nks_id;              // InitgPty/Id/OrgId/Othr/Id: NKS as its bank knows it
  uint64_t transaction_count = 0;  // GrpHdr/NbOfTxs: 1..kBankFileTransactionsMax
  int64_t control_sum_ore = 0;     // GrpHdr/CtrlSum: all amounts, 1..kControlSumOreMax
};

// PmtInf: one authority's payments from one debit account on one date.
struct BankFilePaymentGroup {
  std::string payment_info_id;       // PmtInfId
  Date payout_date;                  // ReqdExctnDt/Dt: on the recipient's account at 09:00
  std::string authority_name;        // Dbtr/Nm
  uint32_t authority_agreement = 0;  // Dbtr/Id/OrgId/Othr/Id, SchmeNm/Prtry NKS
  std::string bank_agreement;        // Dbtr/Id/OrgId/Othr/Id, SchmeNm/Prtry PIA
  Account debit_account;             // DbtrAcct: Othr/Id (14 digits, BBAN) or IBAN
  std::string debit_bank;            // DbtrAgt: a BIC, or a 4-digit registration number
  std::string los_unit{};            // UltmtDbtr/Id/OrgId/Othr/Id, LOS; empty: omitted
  uint64_t transaction_count = 0;    // PmtInf/NbOfTxs, >= 1
  int64_t control_sum_ore = 0;       // PmtInf/CtrlSum
};

// CdtTrfTxInf: one payment.
struct BankFileTransaction {
  std::string payment_id;         // PmtId/InstrId: NKS's own ID, unique across senders
  std::string end_to_end_id;      // PmtId/EndToEndId: the sender's
  AmountOre amount;               // Amt/InstdAmt, two decimals
  std::string currency = "DKK";   // Amt/InstdAmt/@Ccy: three capital letters
  std::string benefit_type;       // Purp/Prtry (Max35Text)
  std::string creditor_name{};    // Cdtr/Nm; empty: no Cdtr
  Account creditor_account;       // CdtrAcct: BBAN, or IBAN with CdtrAgt/BICFI when known
  std::string remittance_text{};  // RmtInf/Ustrd, at most 140 characters; empty: omitted
};

// Checks that every field fits its element. Add() does the same; callers
// may check first so that a bad payment is kept out of the totals.
Status CheckBankFileTransaction(const BankFileTransaction& tx);

class Pain001Writer {
 public:
  // Creates a hidden temporary file beside `path` and writes GrpHdr.
  // Errors: kInvalidArgument for a header field that does not fit its
  // element or is out of range; kIoError.
  static Result<Pain001Writer> Begin(const std::filesystem::path& path,
                                     const BankFileHeader& header);

  // Destroying an unfinished writer removes the temporary file.
  ~Pain001Writer();
  Pain001Writer(Pain001Writer&&) noexcept;
  Pain001Writer& operator=(Pain001Writer&&) noexcept;
  Pain001Writer(const Pain001Writer&) = delete;
  Pain001Writer& operator=(const Pain001Writer&) = delete;

  // Starts a PmtInf, ending the previous one. The previous group must have
  // received exactly its announced transactions and amounts, and the groups'
  // totals may not exceed the file's (else the process stops: NKS_CHECK).
  Status BeginGroup(const BankFilePaymentGroup& group);

  // Appends a transaction to the current group. More transactions or a
  // larger sum than the group announced stops the process (NKS_CHECK).
  Status Add(const BankFileTransaction& tx);

  // Checks that exactly the announced transactions and sums were written
  // (NKS_CHECK), closes the document and renames the file into place.
  // After any error from this writer, every later call returns that error,
  // Finish() included, and no file appears.
  Status Finish();

 private:
  // Totals announced for, and written to, a file or a group.
  struct Tally {
    uint64_t count_announced = 0;
    int64_t sum_announced_ore = 0;
    uint64_t count_written = 0;
    int64_t sum_written_ore = 0;
    bool Complete() const {
      return count_written == count_announced && sum_written_ore == sum_announced_ore;
    }
  };

  explicit Pain001Writer(std::unique_ptr<XmlFileWriter> xml);
  Status Fail(Status status);
  void WriteHeader(const BankFileHeader& header);
  void WriteGroupHeader(const BankFilePaymentGroup& group);
  void WriteTransaction(const BankFileTransaction& tx);

  std::unique_ptr<XmlFileWriter> xml_;  // null once finished or moved from
  Status status_;                       // the first error
  Tally file_;
  Tally group_;
  uint64_t groups_announced_count_ = 0;  // transactions announced by the groups so far
  int64_t groups_announced_sum_ore_ = 0;
  uint64_t groups_begun_ = 0;  // BeginGroup() calls, for messages
  bool group_open_ = false;
};

}  // namespace nks::iso20022
