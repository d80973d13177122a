// The meaning of a pain.001.001.10 document, apart from how it is parsed:
// what each element is (from its parent's meaning and its name), and the
// records (Pain001Header/Group/Transaction) filled from the elements'
// starts, texts and ends, with the NKS checks, handed to a Pain001Visitor.
//
// Both readers drive one Pain001Builder: the exact one (libxml2 with the
// XSD) and the fast one (pain001_fast.h). Sharing it is what makes their
// visitor calls identical for a file both accept.
//
// Internal to iso20022/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nks/iso20022/pain001_reader.h"

namespace nks::iso20022::internal {

// clang-format off
enum class Tag : uint8_t {
  kNone,  // above the root
  kOther,  // nothing the reader keeps, nor anything below it
  kDocument, kInitn, kGrpHdr, kMsgId, kCreDtTm, kHdrNbOfTxs, kHdrCtrlSum,
  kPmtInf, kPmtInfId, kGrpNbOfTxs, kGrpCtrlSum, kReqdExctnDt, kReqdDt, kReqdDtTm,
  kTx, kPmtId, kInstrId, kEndToEndId, kAmt, kInstdAmt, kEqvtAmt,
  kPurp, kPurpPrtry, kPurpCd, kRmtInf, kUstrd,
  kParty, kPartyId, kOrgId, kPrvtId, kPartyOthr,              // PartyIdentification135
  kAccount, kAccountId, kIban, kAccountOthr,                  // CashAccount38
  kOthrId, kOthrSchemeName, kOthrProprietary,                 // both kinds of Othr
  kAgent, kFinInstnId, kBicfi,                                // BranchAndFinancial...
};
// clang-format on

// Whose party, account or agent a subtree describes.
enum class Role : uint8_t {
  kNone,
  kInitgPty,
  kDbtr,
  kUltmtDbtr,
  kCdtr,
  kDbtrAcct,
  kCdtrAcct,
  kDbtrAgt,
  kCdtrAgt
};

struct Meaning {
  Tag tag = Tag::kOther;
  Role role = Role::kNone;
};

// The meaning of an element called `name` under one meaning `parent`.
Meaning ChildMeaning(Meaning parent, std::string_view name);

// Whether Start() wants the element's line (the others get 0).
inline bool NeedsLine(Tag tag) {
  return tag == Tag::kGrpHdr || tag == Tag::kPmtInf || tag == Tag::kTx;
}

// One pass over one document. The records are reused from payment to
// payment and their strings keep their capacity: a clean payment costs next
// to no allocation.
//
// Start, End and the currency come in document order. A non-OK return is
// either the visitor's status, passed on, or a problem with the file
// (kInvalidArgument; file_error() is then true), whose message is the
// reason without file, line or path: the caller adds those.
class Pain001Builder {
 public:
  explicit Pain001Builder(Pain001Visitor& visitor) : visitor_(visitor) {}
  Pain001Builder(const Pain001Builder&) = delete;
  Pain001Builder& operator=(const Pain001Builder&) = delete;

  // An element starts. `parent` is its parent's tag, `index` its 1-based
  // position among same-named siblings, `line` its start tag's line (when
  // NeedsLine).
  Status Start(Meaning meaning, Tag parent, uint32_t index, uint64_t line);
  // The Ccy attribute of the InstdAmt just started.
  void SetCurrency(std::string_view currency);
  // Where the character data of an element with this meaning goes, emptied;
  // null where it is dropped. Valid until the element ends.
  std::string* TextTarget(Meaning meaning);
  Status End(Meaning meaning);

  bool file_error() const { return file_error_; }
  const Pain001Totals& totals() const { return totals_; }

 private:
  enum class AccountKind : uint8_t { kNone, kIban, kBban, kOtherScheme };

  std::string* TextOf(Meaning meaning);
  Status FileError(std::string reason);
  Status StartTransaction(uint32_t index, uint64_t line);
  Status AnnounceGroup();
  void CheckGroup();
  void ApplyPartyOthr(Role role);
  void ApplyAccountOthr(Role role);
  void AddRemittanceLine();
  Status EndTransaction();
  void CheckAmount();
  void CheckRecipient();
  void CheckCreditorAccount();

  Pain001Visitor& visitor_;
  bool file_error_ = false;

  Pain001Header header_;
  Pain001Group group_;
  bool group_announced_ = false;
  std::string authority_text_;  // Dbtr Othr NKS, checked with the group
  AccountKind debtor_account_kind_ = AccountKind::kNone;
  Pain001Totals group_totals_;
  Pain001Totals totals_;
  Pain001Transaction tx_;
  AccountKind creditor_account_kind_ = AccountKind::kNone;
  size_t remittance_lines_ = 0;
  std::optional<DecimalAmount> tx_amount_;
  std::string scratch_;  // text of an element parsed at its end
  std::string othr_id_;
  std::string othr_scheme_;
  bool othr_under_org_ = false;
};

}  // namespace nks::iso20022::internal
