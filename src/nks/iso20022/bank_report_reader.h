// A streaming reader of the reports banks send back about NKS's bank files
// (SPEC §5.4, PROFILE.md "Bank reports in"): a pain.002.001.11 payment
// status report or a camt.054.001.08 debit/credit notification, told apart
// by the root element's namespace. Like the pain.001 reader it pulls the
// file through libxml2's xmlTextReader with the bundled XSD validating as it
// goes (memory stays small whatever the size), refuses any DOCTYPE before
// libxml2 sees the prolog, and reports a bad file as
// "file:line: /Document/.../Element: reason".
//
// Each transaction is handed over as NKS's payment id (InstrId, which NKS
// writes as "NKS<id>"), the EndToEndId, what happened and the bank's reason:
//  - pain.002: TxInfAndSts; TxSts ACSC/ACCC -> settled, RJCT -> rejected
//    (first StsRsnInf/Rsn/Cd or Prtry), anything else -> other.
//  - camt.054: Ntry/NtryDtls/TxDtls; with RtrInf -> rejected (a return, its
//    RtrInf/Rsn/Cd or Prtry); else an entry with Sts/Cd BOOK -> settled;
//    else (PDNG, INFO, ...) -> other.
// The reader knows nothing of storage: matching ids to payments and the
// failed-payment policy are the caller's (payments/bank_report.h).
//
// It accepts exactly the files libxml2's whole-document XSD validation
// accepts (bank_report_reader_test.cc checks both), except that any DOCTYPE
// is refused and the limits below apply.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks::iso20022 {

enum class BankReportKind : uint8_t { kPain002, kCamt054 };
std::string_view BankReportKindName(BankReportKind kind);  // "pain.002.001.11", ...

enum class BankOutcome : uint8_t {
  kSettled,   // ACSC, or a booked entry
  kRejected,  // RJCT, or a return
  kOther,     // pending, informational, accepted but not settled: no change
};
std::string_view BankOutcomeName(BankOutcome outcome);  // "settled", ...

struct BankReportHeader {
  BankReportKind kind = BankReportKind::kPain002;
  std::string msg_id;           // GrpHdr/MsgId
  std::string original_msg_id;  // pain.002 OrgnlGrpInfAndSts/OrgnlMsgId; empty for camt.054
};

struct BankReportTransaction {
  uint64_t line = 0;         // of <TxInfAndSts> or <TxDtls>
  std::string instr_id;      // OrgnlInstrId / Refs/InstrId: "NKS<id>"; empty: absent
  std::string end_to_end;    // OrgnlEndToEndId / Refs/EndToEndId
  BankOutcome outcome = BankOutcome::kOther;
  std::string status;        // TxSts, or the entry's Sts/Cd, as written
  std::string reason_code;   // the bank's reason (AC01, AC04, ...); may be empty
  std::string amount_text;   // OrgnlTxRef/Amt/InstdAmt, TxDtls/Amt or Ntry/Amt; may be empty
  std::string currency;      // its Ccy
};

// Called in document order. A non-OK return stops Read(), which returns it.
// Calls made before a fatal error found later carry data the caller must
// then drop: the report is refused whole.
class BankReportVisitor {
 public:
  virtual ~BankReportVisitor() = default;
  // Once, before the first transaction (or at the end of an empty report).
  virtual Status OnHeader(const BankReportHeader& header);
  virtual Status OnTransaction(const BankReportTransaction& tx) = 0;
};

class BankReportReader {
 public:
  // Limits on untrusted input; breaking one refuses the file.
  static constexpr uint64_t kFileBytesMax = uint64_t{4} << 30;
  static constexpr uint64_t kTransactionsPerFileMax = 5'000'000;
  static constexpr uint32_t kElementDepthMax = 256;  // libxml2's own limit
  static constexpr size_t kFieldTextBytesMax = 1024;
  static constexpr size_t kPrologBytesMax = 64 * 1024;

  // Opens the file and compiles both schemas once per process. Fails only
  // for I/O (kIoError) or a broken bundled schema (kInternal).
  static Result<BankReportReader> Open(std::string path);

  BankReportReader(BankReportReader&&) noexcept;
  BankReportReader& operator=(BankReportReader&&) noexcept;
  BankReportReader(const BankReportReader&) = delete;
  BankReportReader& operator=(const BankReportReader&) = delete;
  ~BankReportReader();

  // Reads the whole file once. Returns the number of transactions, a fatal
  // error about the file (kInvalidArgument, "file:line: path: reason"), an
  // I/O error, or the visitor's error.
  Result<uint64_t> Read(BankReportVisitor& visitor);

 private:
  struct File;
  explicit BankReportReader(std::unique_ptr<File> file);
  std::unique_ptr<File> file_;
};

}  // namespace nks::iso20022
