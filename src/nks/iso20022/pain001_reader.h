// A streaming reader of pain.001.001.10 payment files (SPEC §5.1, the NKS
// profile in schemas/iso20022/PROFILE.md). It pulls the file through
// libxml2's xmlTextReader with the bundled XSD validating as it goes, so
// memory stays at a few MB whatever the file's size, and hands the caller
// the group header, each PmtInf and each CdtTrfTxInf in document order.
//
// Two kinds of problem, kept apart as SPEC §5.1 keeps them apart:
//  - The file is bad (not well-formed, not schema-valid, a DTD, a limit
//    broken): Read() stops at the first such error and returns it as
//    "file:line: /Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[5]/Amt/
//    InstdAmt: reason" (an index where it is above 1, and always on PmtInf
//    and CdtTrfTxInf). The whole file is rejected (FF01).
//  - A payment or PmtInf breaks an NKS rule the schema cannot express (an
//    amount in fractions of an øre, a CPR with no such date, no benefit
//    type): recorded in its `errors`, and reading goes on.
// The reader knows nothing of storage, authorities or registers: existence
// checks, NbOfTxs/CtrlSum verdicts (AM18/AM10) and reason codes are the
// caller's, from the declared and counted figures handed over here.
//
// It accepts exactly the files libxml2's whole-document XSD validation
// accepts (pain001_reader_test.cc checks both on a corpus and on mutants),
// with two deliberate exceptions: any DOCTYPE is refused, even one the XSD
// would let through, and the limits below apply.
//
// Two ways to read (Pain001ReadMode): the exact one, libxml2 with the XSD,
// around 40 MB/s (~100k payments/s) on one core, most of it libxml2's
// parsing and validation; and a fast one (pain001_fast.h), a hand-written
// scanner that checks the schema's rules itself for the elements it knows
// and gives up ("use the exact one") on anything else, errors included.
// Where both decide, they make the same visitor calls. Figures:
// bench/pain001_read_bench.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/account.h"
#include "nks/core/ids.h"
#include "nks/core/money.h"
#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/iso20022/decimal_amount.h"

namespace nks::iso20022 {

// What a per-payment or per-PmtInf problem is about, for the caller's
// reason code (e.g. kAmount -> AM12, kRecipientId -> NK01).
enum class Pain001Field : uint8_t {
  kAuthority,        // PmtInf/Dbtr Othr NKS
  kBankAgreement,    // PmtInf/Dbtr Othr PIA
  kLosUnit,          // PmtInf/UltmtDbtr Othr LOS
  kPayoutDate,       // PmtInf/ReqdExctnDt
  kDebtorAccount,    // PmtInf/DbtrAcct
  kAmount,           // CdtTrfTxInf/Amt
  kBenefitType,      // CdtTrfTxInf/Purp
  kRecipientId,      // CdtTrfTxInf/Cdtr/Id
  kCreditorAccount,  // CdtTrfTxInf/CdtrAcct, CdtrAgt
  kRemittance,       // CdtTrfTxInf/RmtInf
};
std::string_view Pain001FieldName(Pain001Field field);  // "amount", ...

struct Pain001FieldError {
  Pain001Field field;
  std::string message;  // names the element: "Amt/InstdAmt: 3 decimals; ..."
};

// Counts and sums as the file declares them (NbOfTxs, CtrlSum), for GrpHdr
// and for each PmtInf (where both are optional).
struct Pain001Declared {
  std::optional<uint64_t> tx_count;  // NbOfTxs
  std::string ctrl_sum;              // CtrlSum as written; empty: absent
};

// Counts and sums as read: CdtTrfTxInf elements, and the sum of every
// Amt/InstdAmt among them (valid for NKS or not, as ISO 20022 sums them).
struct Pain001Totals {
  uint64_t tx_count = 0;
  DecimalAmount amount_sum;
};

// The AM18 and AM10 checks: an absent NbOfTxs or CtrlSum matches.
bool CountMatches(const Pain001Declared& declared, const Pain001Totals& read);
bool SumMatches(const Pain001Declared& declared, const Pain001Totals& read);

struct Pain001Header {
  std::string msg_id;             // GrpHdr/MsgId: the file's identity
  std::string created;            // GrpHdr/CreDtTm as written
  Pain001Declared declared;       // GrpHdr/NbOfTxs (always there), CtrlSum
  std::string initiating_system;  // InitgPty OrgId Othr with Prtry NKSSYS
  uint64_t line = 0;              // of <GrpHdr>
};

struct Pain001Group {
  uint32_t index = 0;                     // 1-based position among the PmtInf
  uint64_t line = 0;                      // of <PmtInf>
  std::string pmt_inf_id;                 // PmtInfId
  Pain001Declared declared;               // PmtInf/NbOfTxs, CtrlSum
  uint32_t authority = 0;                 // Dbtr OrgId Othr NKS, 1..99999999; 0: bad
  std::string bank_agreement;             // Dbtr OrgId Othr PIA
  std::string los_unit;                   // UltmtDbtr OrgId Othr LOS
  std::optional<Date> payout_date;        // ReqdExctnDt/Dt
  std::string debtor_account_text;        // DbtrAcct IBAN or Othr Id
  std::optional<Account> debtor_account;  // parsed from it
  std::string debtor_agent_bic;           // DbtrAgt/FinInstnId/BICFI
  std::vector<Pain001FieldError> errors;  // the PmtInf's payments all fail
};

struct Pain001Transaction {
  uint32_t index = 0;                       // 1-based position in its PmtInf
  uint64_t line = 0;                        // of <CdtTrfTxInf>
  std::string end_to_end_id;                // PmtId/EndToEndId
  std::string instr_id;                     // PmtId/InstrId; empty: absent
  std::string amount_text;                  // Amt/InstdAmt as written
  std::string currency;                     // its Ccy
  std::optional<AmountOre> amount;          // when a positive whole-øre amount
  std::string benefit_type;                 // Purp/Prtry
  std::string recipient_scheme;             // "CPR", "CVR", "SE" or "PNR"; empty: none
  std::string recipient_id_text;            // its Othr/Id
  std::optional<RecipientId> recipient;     // when valid
  std::string creditor_account_text;        // CdtrAcct IBAN or BBAN Othr Id
  std::string creditor_bic;                 // CdtrAgt/FinInstnId/BICFI
  std::optional<Account> creditor_account;  // a complete payment, when valid
  std::string remittance_text;              // RmtInf/Ustrd lines, joined with '\n'
  std::vector<Pain001FieldError> errors;    // empty: passes the reader's checks
};

// Called in document order. A non-OK return stops Read(), which returns it.
// Calls before a fatal error found later in the file carry data the caller
// must then drop: the file is rejected whole. Every transaction handed over
// is itself schema-valid (libxml2 validates ahead of the reading cursor).
class Pain001Visitor {
 public:
  virtual ~Pain001Visitor() = default;
  virtual Status OnHeader(const Pain001Header& header);
  // Before the PmtInf's first transaction; every PmtInf has one or more.
  virtual Status OnGroup(const Pain001Group& group);
  virtual Status OnTransaction(const Pain001Group& group, const Pain001Transaction& tx);
  // After the PmtInf's last transaction, with its counted figures.
  virtual Status OnGroupEnd(const Pain001Group& group, const Pain001Totals& read);
  // Forget every call so far: the file is read again from its start
  // (Pain001ReadMode::kAuto, where the fast reader gave up). A visitor
  // that cannot returns non-OK, the default (kFailedPrecondition).
  virtual Status OnRestart();
};

enum class Pain001ReadMode : uint8_t {
  kExact,  // libxml2 with the XSD: every verdict, every error's text
  kFast,   // the fast reader alone: kUnavailable where it cannot decide
  // Fast; where it gives up, visitor.OnRestart() and then exact. If the
  // visitor cannot start over, the kUnavailable status is returned.
  kAuto,
};

class Pain001Reader {
 public:
  // Limits on untrusted input; breaking one rejects the file.
  // 1M payments make ~600 MB (STACK.md): 4 GiB leaves room for ~6M.
  static constexpr uint64_t kFileBytesMax = uint64_t{4} << 30;
  static constexpr uint64_t kTransactionsPerFileMax = 5'000'000;
  // libxml2's own nesting limit without XML_PARSE_HUGE, so the whole-document
  // validator and this reader agree; the schema's deepest path is 13 deep.
  static constexpr uint32_t kElementDepthMax = 256;
  // Bytes kept per captured element: the longest is a Max140Text (140
  // characters, at most 560 bytes of UTF-8).
  static constexpr size_t kFieldTextBytesMax = 1024;
  static constexpr size_t kRemittanceLinesMax = 10;  // RmtInf/Ustrd per payment
  // XML declaration, comments and the root's start tag must fit in this.
  static constexpr size_t kPrologBytesMax = 64 * 1024;

  // Opens the file and makes sure the schema is compiled (once per process,
  // shared by all readers and threads). Fails only for I/O (kIoError) or a
  // missing or broken bundled schema (kInternal); what is in the file is
  // judged by Read().
  static Result<Pain001Reader> Open(std::string path);

  Pain001Reader(Pain001Reader&&) noexcept;
  Pain001Reader& operator=(Pain001Reader&&) noexcept;
  Pain001Reader(const Pain001Reader&) = delete;
  Pain001Reader& operator=(const Pain001Reader&) = delete;
  ~Pain001Reader();

  // Reads the whole file once, calling `visitor` as it goes. Returns the
  // file's counted figures, a fatal error about the file (kInvalidArgument,
  // "file:line: path: reason"), an I/O error, the visitor's error, or (kFast,
  // or kAuto with a visitor that cannot start over) kUnavailable: the file
  // is left to the exact reader, and Read(visitor, kExact) may then be
  // called once more on this reader. Readers of different files may run on
  // different threads at once.
  Result<Pain001Totals> Read(Pain001Visitor& visitor,
                             Pain001ReadMode mode = Pain001ReadMode::kExact);

  uint64_t file_bytes() const;  // the size Open() saw

 private:
  struct File;
  explicit Pain001Reader(std::unique_ptr<File> file);
  Result<Pain001Totals> ReadExact(Pain001Visitor& visitor);
  Result<Pain001Totals> ReadFast(Pain001Visitor& visitor);
  std::unique_ptr<File> file_;
};

}  // namespace nks::iso20022
