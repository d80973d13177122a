// See pain001_builder.h. Moved out of pain001_reader.cc unchanged in what it
// does, so that the exact and the fast reader share it.
#include "nks/iso20022/pain001_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "nks/core/text.h"
#include "nks/iso20022/xml_stream.h"

namespace nks::iso20022::internal {
namespace {

using xml::TrimXmlSpace;

Meaning ChildOfHeaderOrGroup(Tag parent, std::string_view name) {
  if (parent == Tag::kGrpHdr) {
    if (name == "MsgId") return {Tag::kMsgId};
    if (name == "CreDtTm") return {Tag::kCreDtTm};
    if (name == "NbOfTxs") return {Tag::kHdrNbOfTxs};
    if (name == "CtrlSum") return {Tag::kHdrCtrlSum};
    if (name == "InitgPty") return {Tag::kParty, Role::kInitgPty};
    return {};
  }
  if (name == "PmtInfId") return {Tag::kPmtInfId};
  if (name == "NbOfTxs") return {Tag::kGrpNbOfTxs};
  if (name == "CtrlSum") return {Tag::kGrpCtrlSum};
  if (name == "ReqdExctnDt") return {Tag::kReqdExctnDt};
  if (name == "Dbtr") return {Tag::kParty, Role::kDbtr};
  if (name == "UltmtDbtr") return {Tag::kParty, Role::kUltmtDbtr};
  if (name == "DbtrAcct") return {Tag::kAccount, Role::kDbtrAcct};
  if (name == "DbtrAgt") return {Tag::kAgent, Role::kDbtrAgt};
  if (name == "CdtTrfTxInf") return {Tag::kTx};
  return {};
}

Meaning ChildOfTransaction(Tag parent, std::string_view name) {
  switch (parent) {
    case Tag::kTx:
      if (name == "PmtId") return {Tag::kPmtId};
      if (name == "Amt") return {Tag::kAmt};
      if (name == "CdtrAgt") return {Tag::kAgent, Role::kCdtrAgt};
      if (name == "Cdtr") return {Tag::kParty, Role::kCdtr};
      if (name == "CdtrAcct") return {Tag::kAccount, Role::kCdtrAcct};
      if (name == "Purp") return {Tag::kPurp};
      if (name == "RmtInf") return {Tag::kRmtInf};
      return {};
    case Tag::kPmtId:
      if (name == "InstrId") return {Tag::kInstrId};
      if (name == "EndToEndId") return {Tag::kEndToEndId};
      return {};
    case Tag::kAmt:
      if (name == "InstdAmt") return {Tag::kInstdAmt};
      if (name == "EqvtAmt") return {Tag::kEqvtAmt};
      return {};
    case Tag::kPurp:
      if (name == "Prtry") return {Tag::kPurpPrtry};
      if (name == "Cd") return {Tag::kPurpCd};
      return {};
    case Tag::kRmtInf:
      return name == "Ustrd" ? Meaning{Tag::kUstrd} : Meaning{};
    default:
      return {};
  }
}

// Parties, accounts and agents: the same shapes under several roles.
Meaning ChildOfSharedShape(Meaning parent, std::string_view name) {
  auto is = [&](std::string_view want, Tag tag) {
    return name == want ? Meaning{tag, parent.role} : Meaning{};
  };
  switch (parent.tag) {
    case Tag::kParty:
      return is("Id", Tag::kPartyId);
    case Tag::kPartyId:
      if (name == "OrgId") return {Tag::kOrgId, parent.role};
      return is("PrvtId", Tag::kPrvtId);
    case Tag::kOrgId:
    case Tag::kPrvtId:
      return is("Othr", Tag::kPartyOthr);
    case Tag::kAccount:
      return is("Id", Tag::kAccountId);
    case Tag::kAccountId:
      if (name == "IBAN") return {Tag::kIban, parent.role};
      return is("Othr", Tag::kAccountOthr);
    case Tag::kPartyOthr:
    case Tag::kAccountOthr:
      if (name == "Id") return {Tag::kOthrId, parent.role};
      return is("SchmeNm", Tag::kOthrSchemeName);
    case Tag::kOthrSchemeName:
      return is("Prtry", Tag::kOthrProprietary);
    case Tag::kAgent:
      return is("FinInstnId", Tag::kFinInstnId);
    case Tag::kFinInstnId:
      return is("BICFI", Tag::kBicfi);
    default:
      return {};
  }
}

}  // namespace

Meaning ChildMeaning(Meaning parent, std::string_view name) {
  switch (parent.tag) {
    case Tag::kNone:
      return name == "Document" ? Meaning{Tag::kDocument} : Meaning{};
    case Tag::kDocument:
      return name == "CstmrCdtTrfInitn" ? Meaning{Tag::kInitn} : Meaning{};
    case Tag::kInitn:
      if (name == "GrpHdr") return {Tag::kGrpHdr};
      return name == "PmtInf" ? Meaning{Tag::kPmtInf} : Meaning{};
    case Tag::kGrpHdr:
    case Tag::kPmtInf:
      return ChildOfHeaderOrGroup(parent.tag, name);
    case Tag::kReqdExctnDt:
      if (name == "Dt") return {Tag::kReqdDt};
      return name == "DtTm" ? Meaning{Tag::kReqdDtTm} : Meaning{};
    case Tag::kTx:
    case Tag::kPmtId:
    case Tag::kAmt:
    case Tag::kPurp:
    case Tag::kRmtInf:
      return ChildOfTransaction(parent.tag, name);
    default:
      return ChildOfSharedShape(parent, name);
  }
}

namespace {

bool ParseCount(std::string_view text, uint64_t* out) {
  constexpr size_t kCountDigitsMax = 15;  // Max15NumericText
  const std::string_view digits = TrimXmlSpace(text);
  if (!text::AllDigits(digits) || digits.size() > kCountDigitsMax) return false;
  *out = text::DigitsValue(digits);
  return true;
}

// NKS agreement number: 1..99999999 without leading zeros (SPEC §2).
std::optional<uint32_t> ParseAuthority(std::string_view text) {
  constexpr size_t kAuthorityDigitsMax = 8;
  if (!text::AllDigits(text) || text.size() > kAuthorityDigitsMax || text.front() == '0') {
    return std::nullopt;
  }
  return static_cast<uint32_t>(text::DigitsValue(text));
}

bool HasError(const Pain001Transaction& tx, Pain001Field field) {
  return std::any_of(tx.errors.begin(), tx.errors.end(),
                     [&](const Pain001FieldError& e) { return e.field == field; });
}

void Clear(Pain001Transaction& tx) {
  tx.index = 0;
  tx.line = 0;
  tx.end_to_end_id.clear();
  tx.instr_id.clear();
  tx.amount_text.clear();
  tx.currency.clear();
  tx.amount.reset();
  tx.benefit_type.clear();
  tx.recipient_scheme.clear();
  tx.recipient_id_text.clear();
  tx.recipient.reset();
  tx.creditor_account_text.clear();
  tx.creditor_bic.clear();
  tx.creditor_account.reset();
  tx.remittance_text.clear();
  tx.errors.clear();
}

}  // namespace

std::string* Pain001Builder::TextTarget(Meaning meaning) {
  std::string* target = TextOf(meaning);
  if (target != nullptr) target->clear();
  return target;
}

std::string* Pain001Builder::TextOf(Meaning meaning) {
  switch (meaning.tag) {
    case Tag::kMsgId:
      return &header_.msg_id;
    case Tag::kCreDtTm:
      return &header_.created;
    case Tag::kHdrCtrlSum:
      return &header_.declared.ctrl_sum;
    case Tag::kPmtInfId:
      return &group_.pmt_inf_id;
    case Tag::kGrpCtrlSum:
      return &group_.declared.ctrl_sum;
    case Tag::kHdrNbOfTxs:
    case Tag::kGrpNbOfTxs:
    case Tag::kReqdDt:
    case Tag::kUstrd:
      return &scratch_;
    case Tag::kInstrId:
      return &tx_.instr_id;
    case Tag::kEndToEndId:
      return &tx_.end_to_end_id;
    case Tag::kInstdAmt:
      return &tx_.amount_text;
    case Tag::kPurpPrtry:
      return &tx_.benefit_type;
    case Tag::kOthrId:
      return &othr_id_;
    case Tag::kOthrProprietary:
      return &othr_scheme_;
    case Tag::kIban:
      if (meaning.role == Role::kDbtrAcct) return &group_.debtor_account_text;
      return meaning.role == Role::kCdtrAcct ? &tx_.creditor_account_text : nullptr;
    case Tag::kBicfi:
      if (meaning.role == Role::kDbtrAgt) return &group_.debtor_agent_bic;
      return meaning.role == Role::kCdtrAgt ? &tx_.creditor_bic : nullptr;
    default:
      return nullptr;
  }
}

Status Pain001Builder::FileError(std::string reason) {
  file_error_ = true;
  return Status::Invalid(std::move(reason));
}

Status Pain001Builder::Start(Meaning meaning, Tag parent, uint32_t index, uint64_t line) {
  switch (meaning.tag) {
    case Tag::kGrpHdr:
      header_ = Pain001Header{};
      header_.line = line;
      break;
    case Tag::kPmtInf:
      group_ = Pain001Group{};
      group_.index = index;
      group_.line = line;
      group_totals_ = Pain001Totals{};
      group_announced_ = false;
      authority_text_.clear();
      debtor_account_kind_ = AccountKind::kNone;
      break;
    case Tag::kTx:
      return StartTransaction(index, line);
    case Tag::kPartyOthr:
    case Tag::kAccountOthr:
      othr_id_.clear();
      othr_scheme_.clear();
      othr_under_org_ = parent == Tag::kOrgId;
      break;
    case Tag::kIban:
      (meaning.role == Role::kDbtrAcct ? debtor_account_kind_ : creditor_account_kind_) =
          AccountKind::kIban;
      break;
    case Tag::kEqvtAmt:
      tx_.errors.push_back(
          {Pain001Field::kAmount, "Amt/EqvtAmt: not supported; give the amount in Amt/InstdAmt"});
      break;
    case Tag::kPurpCd:
      tx_.errors.push_back(
          {Pain001Field::kBenefitType, "Purp/Cd: the benefit type goes in Purp/Prtry"});
      break;
    case Tag::kReqdDtTm:
      group_.errors.push_back(
          {Pain001Field::kPayoutDate, "ReqdExctnDt/DtTm: give the payout date as ReqdExctnDt/Dt"});
      break;
    default:
      break;
  }
  return Status::Ok();
}

void Pain001Builder::SetCurrency(std::string_view currency) { tx_.currency = currency; }

Status Pain001Builder::End(Meaning meaning) {
  switch (meaning.tag) {
    case Tag::kGrpHdr:
      return visitor_.OnHeader(header_);
    case Tag::kHdrNbOfTxs:
    case Tag::kGrpNbOfTxs: {
      uint64_t count = 0;
      if (!ParseCount(scratch_, &count)) return FileError("NbOfTxs: not a count");
      (meaning.tag == Tag::kHdrNbOfTxs ? header_.declared : group_.declared).tx_count = count;
      break;
    }
    case Tag::kReqdDt: {
      Result<Date> date = ParseDate(TrimXmlSpace(scratch_));
      if (date.ok()) {
        group_.payout_date = *date;
      } else {
        group_.errors.push_back(
            {Pain001Field::kPayoutDate, "ReqdExctnDt/Dt: " + date.status().message()});
      }
      break;
    }
    case Tag::kUstrd:
      AddRemittanceLine();
      break;
    case Tag::kPartyOthr:
      ApplyPartyOthr(meaning.role);
      break;
    case Tag::kAccountOthr:
      ApplyAccountOthr(meaning.role);
      break;
    case Tag::kTx:
      return EndTransaction();
    case Tag::kPmtInf:
      NKS_RETURN_IF_ERROR(AnnounceGroup());  // the schema requires a transaction; in case
      return visitor_.OnGroupEnd(group_, group_totals_);
    default:
      break;
  }
  return Status::Ok();
}

Status Pain001Builder::StartTransaction(uint32_t index, uint64_t line) {
  NKS_RETURN_IF_ERROR(AnnounceGroup());
  if (totals_.tx_count >= Pain001Reader::kTransactionsPerFileMax) {
    return FileError(fmt::format("more than {} transactions in one file",
                                 Pain001Reader::kTransactionsPerFileMax));
  }
  Clear(tx_);
  tx_.index = index;
  tx_.line = line;
  creditor_account_kind_ = AccountKind::kNone;
  remittance_lines_ = 0;
  tx_amount_.reset();
  return Status::Ok();
}

// Every PmtInf field precedes its first CdtTrfTxInf in the schema's order,
// so the group is complete when its first transaction starts.
Status Pain001Builder::AnnounceGroup() {
  if (group_announced_) return Status::Ok();
  group_announced_ = true;
  CheckGroup();
  return visitor_.OnGroup(group_);
}

void Pain001Builder::CheckGroup() {
  auto error = [&](Pain001Field field, std::string message) {
    group_.errors.push_back({field, std::move(message)});
  };
  if (authority_text_.empty()) {
    error(Pain001Field::kAuthority, "Dbtr/Id/OrgId/Othr: no Id with SchmeNm/Prtry NKS");
  } else if (std::optional<uint32_t> n = ParseAuthority(authority_text_)) {
    group_.authority = *n;
  } else {
    error(Pain001Field::kAuthority,
          "Dbtr/Id/OrgId/Othr/Id (NKS): not an NKS agreement number "
          "(1 to 99999999, no leading zeros)");
  }
  if (group_.bank_agreement.empty()) {
    error(Pain001Field::kBankAgreement, "Dbtr/Id/OrgId/Othr: no Id with SchmeNm/Prtry PIA");
  }
  if (group_.los_unit.empty()) {
    error(Pain001Field::kLosUnit, "UltmtDbtr/Id/OrgId/Othr: no Id with SchmeNm/Prtry LOS");
  }
  if (debtor_account_kind_ == AccountKind::kOtherScheme) {
    error(Pain001Field::kDebtorAccount, "DbtrAcct/Id/Othr: SchmeNm/Prtry must be BBAN");
  } else if (debtor_account_kind_ == AccountKind::kBban &&
             group_.debtor_account_text.size() != 14) {
    error(Pain001Field::kDebtorAccount, "DbtrAcct/Id/Othr/Id: a BBAN is 4 + 10 digits");
  } else if (debtor_account_kind_ != AccountKind::kNone) {
    Result<Account> account = Account::Parse(group_.debtor_account_text);
    if (account.ok()) {
      group_.debtor_account = *account;
    } else {
      error(Pain001Field::kDebtorAccount, "DbtrAcct/Id: " + account.status().message());
    }
  }
}

// An OrgId/PrvtId Othr has ended: keep it when the profile names its scheme.
void Pain001Builder::ApplyPartyOthr(Role role) {
  auto keep_once = [&](std::string* field, Pain001Field kind, std::string_view what) {
    if (!field->empty()) {
      (role == Role::kCdtr ? tx_.errors : group_.errors)
          .push_back({kind, fmt::format("{}: given twice", what)});
      return;
    }
    *field = othr_id_;
  };
  const std::string_view scheme = othr_scheme_;
  if (role == Role::kInitgPty && othr_under_org_ && scheme == "NKSSYS") {
    if (header_.initiating_system.empty()) header_.initiating_system = othr_id_;
  } else if (role == Role::kDbtr && othr_under_org_ && scheme == "NKS") {
    keep_once(&authority_text_, Pain001Field::kAuthority, "Dbtr Othr NKS");
  } else if (role == Role::kDbtr && othr_under_org_ && scheme == "PIA") {
    keep_once(&group_.bank_agreement, Pain001Field::kBankAgreement, "Dbtr Othr PIA");
  } else if (role == Role::kUltmtDbtr && othr_under_org_ && scheme == "LOS") {
    keep_once(&group_.los_unit, Pain001Field::kLosUnit, "UltmtDbtr Othr LOS");
  } else if (role == Role::kCdtr &&
             (scheme == "CPR" || scheme == "CVR" || scheme == "SE" || scheme == "PNR")) {
    if (!tx_.recipient_scheme.empty()) {
      tx_.errors.push_back(
          {Pain001Field::kRecipientId, "Cdtr/Id: more than one recipient ID (CPR, CVR, SE, PNR)"});
      return;
    }
    if ((scheme == "CPR") == othr_under_org_) {
      tx_.errors.push_back(
          {Pain001Field::kRecipientId, fmt::format("Cdtr/Id: a {} number belongs under {}", scheme,
                                                   scheme == "CPR" ? "PrvtId" : "OrgId")});
    }
    tx_.recipient_scheme = scheme;
    tx_.recipient_id_text = othr_id_;
  }
}

void Pain001Builder::ApplyAccountOthr(Role role) {
  const AccountKind kind = othr_scheme_ == "BBAN" ? AccountKind::kBban : AccountKind::kOtherScheme;
  if (role == Role::kDbtrAcct) {
    debtor_account_kind_ = kind;
    group_.debtor_account_text = othr_id_;
  } else if (role == Role::kCdtrAcct) {
    creditor_account_kind_ = kind;
    tx_.creditor_account_text = othr_id_;
  }
}

void Pain001Builder::AddRemittanceLine() {
  if (++remittance_lines_ > Pain001Reader::kRemittanceLinesMax) {
    if (remittance_lines_ == Pain001Reader::kRemittanceLinesMax + 1) {
      tx_.errors.push_back(
          {Pain001Field::kRemittance,
           fmt::format("RmtInf/Ustrd: more than {} lines", Pain001Reader::kRemittanceLinesMax)});
    }
    return;
  }
  if (!tx_.remittance_text.empty()) tx_.remittance_text.push_back('\n');
  tx_.remittance_text.append(scratch_);
}

Status Pain001Builder::EndTransaction() {
  tx_amount_ = DecimalAmount::Parse(tx_.amount_text);
  if (!tx_.amount_text.empty() && !tx_amount_.has_value()) {
    // The schema allows only decimals with 18 digits and 5 decimals at most.
    return FileError("Amt/InstdAmt: not a decimal, against the schema");
  }
  CheckAmount();
  CheckRecipient();
  CheckCreditorAccount();
  if (tx_.recipient_scheme.empty() && tx_.creditor_account_text.empty()) {
    tx_.errors.push_back({Pain001Field::kRecipientId,
                          "Cdtr/Id: no recipient ID (CPR, CVR, SE or PNR) and no CdtrAcct"});
  }
  if (tx_.benefit_type.empty() && !HasError(tx_, Pain001Field::kBenefitType)) {
    tx_.errors.push_back({Pain001Field::kBenefitType, "Purp/Prtry: no benefit type"});
  }
  for (Pain001Totals* t : {&totals_, &group_totals_}) {
    ++t->tx_count;
    if (tx_amount_.has_value()) t->amount_sum += *tx_amount_;
  }
  return visitor_.OnTransaction(group_, tx_);
}

void Pain001Builder::CheckAmount() {
  if (!tx_amount_.has_value()) return;  // EqvtAmt: already an error
  const std::optional<int64_t> ore = tx_amount_->WholeOre();
  if (!ore.has_value()) {
    tx_.errors.push_back(
        {Pain001Field::kAmount, fmt::format("Amt/InstdAmt: {} is not a whole number of øre "
                                            "(at most 2 decimals)",
                                            TrimXmlSpace(tx_.amount_text))});
    return;
  }
  Result<AmountOre> amount = AmountOre::Of(*ore);
  if (amount.ok()) {
    tx_.amount = *amount;
  } else {
    tx_.errors.push_back({Pain001Field::kAmount, "Amt/InstdAmt: " + amount.status().message()});
  }
}

void Pain001Builder::CheckRecipient() {
  if (tx_.recipient_scheme.empty()) return;
  const std::string_view scheme = tx_.recipient_scheme;
  const IdType type = scheme == "CPR"   ? IdType::kCpr
                      : scheme == "CVR" ? IdType::kCvr
                      : scheme == "SE"  ? IdType::kSe
                                        : IdType::kPnr;
  Result<RecipientId> id = RecipientId::Parse(type, tx_.recipient_id_text);
  if (id.ok()) {
    tx_.recipient = *id;
  } else {
    tx_.errors.push_back(
        {Pain001Field::kRecipientId,
         fmt::format("Cdtr/Id/{}/Othr/Id ({}): {}", type == IdType::kCpr ? "PrvtId" : "OrgId",
                     scheme, MaskCprsIn(id.status().message()))});
  }
}

// A DK IBAN is a Danish account whatever the BIC; a foreign IBAN takes the
// BIC along; an Othr account must be a 14-digit BBAN.
void Pain001Builder::CheckCreditorAccount() {
  auto error = [&](std::string message) {
    tx_.errors.push_back({Pain001Field::kCreditorAccount, std::move(message)});
  };
  const std::string& text = tx_.creditor_account_text;
  switch (creditor_account_kind_) {
    case AccountKind::kNone:
      return;
    case AccountKind::kOtherScheme:
      return error("CdtrAcct/Id/Othr: SchmeNm/Prtry must be BBAN");
    case AccountKind::kBban:
      if (text.size() != 14 || !text::AllDigits(text)) {
        return error(
            "CdtrAcct/Id/Othr/Id: a BBAN is a 4-digit registration number and a "
            "10-digit account number");
      }
      break;
    case AccountKind::kIban:
      break;
  }
  const bool foreign_with_bic = creditor_account_kind_ == AccountKind::kIban &&
                                text.substr(0, 2) != "DK" && !tx_.creditor_bic.empty();
  Result<Account> account =
      Account::Parse(foreign_with_bic ? fmt::format("{}/{}", text, tx_.creditor_bic) : text);
  if (account.ok()) {
    tx_.creditor_account = *account;
  } else {
    error(fmt::format("CdtrAcct/Id: {}", account.status().message()));
  }
}

}  // namespace nks::iso20022::internal
