#include "nks/iso20022/pain001_writer.h"

#include <fmt/format.h>

#include <utility>

#include "nks/core/codes.h"
#include "nks/core/text.h"
#include "nks/iso20022/xml_file_writer.h"

namespace nks::iso20022 {
namespace {

constexpr size_t kRegistrationDigits = 4;
constexpr int kYearMin = 1;  // xs:date years are written with four digits
constexpr int kYearMax = 9999;

Status CheckCount(std::string_view field, uint64_t count, uint64_t count_max) {
  if (count >= 1 && count <= count_max) return Status::Ok();
  return Status::Invalid(
      fmt::format("{}: {} transactions, must be 1..{}", field, count, count_max));
}

Status CheckSum(std::string_view field, int64_t sum_ore) {
  if (sum_ore >= 1 && sum_ore <= kControlSumOreMax) return Status::Ok();
  return Status::Invalid(
      fmt::format("{}: {} øre, must be 1..{}", field, sum_ore, kControlSumOreMax));
}

bool IsRegistrationNumber(std::string_view bank) {
  return bank.size() == kRegistrationDigits && text::AllDigits(bank);
}

Status CheckHeader(const BankFileHeader& h) {
  NKS_RETURN_IF_ERROR(CheckText("GrpHdr/MsgId", h.message_id, kMax35TextChars));
  NKS_RETURN_IF_ERROR(CheckText("GrpHdr/InitgPty/Id/OrgId/Othr/Id", h.nks_id, kMax35TextChars));
  NKS_RETURN_IF_ERROR(CheckCount("GrpHdr/NbOfTxs", h.transaction_count, kBankFileTransactionsMax));
  return CheckSum("GrpHdr/CtrlSum", h.control_sum_ore);
}

Status CheckGroup(const BankFilePaymentGroup& g) {
  NKS_RETURN_IF_ERROR(CheckText("PmtInfId", g.payment_info_id, kMax35TextChars));
  const int year = static_cast<int>(g.payout_date.year());
  if (!g.payout_date.ok() || year < kYearMin || year > kYearMax) {
    return Status::Invalid("ReqdExctnDt/Dt: not a valid date");
  }
  NKS_RETURN_IF_ERROR(CheckText("Dbtr/Nm", g.authority_name, kMax140TextChars));
  if (!IsAgreementNumber(g.authority_agreement)) {
    return Status::Invalid(fmt::format("Dbtr NKS agreement number {}: must be 1..{}",
                                       g.authority_agreement, kAgreementNumberMax));
  }
  NKS_RETURN_IF_ERROR(
      CheckText("Dbtr PIA bank agreement number", g.bank_agreement, kMax35TextChars));
  if (!IsRegistrationNumber(g.debit_bank) && !Bic::Parse(g.debit_bank).ok()) {
    return Status::Invalid("DbtrAgt: must be a BIC or a 4-digit registration number");
  }
  if (!g.los_unit.empty()) {
    NKS_RETURN_IF_ERROR(CheckText("UltmtDbtr LOS unit", g.los_unit, kMax35TextChars));
  }
  NKS_RETURN_IF_ERROR(CheckCount("PmtInf/NbOfTxs", g.transaction_count, kBankFileTransactionsMax));
  return CheckSum("PmtInf/CtrlSum", g.control_sum_ore);
}

bool IsCurrencyCode(std::string_view ccy) {
  if (ccy.size() != 3) return false;
  for (const char c : ccy) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

// DbtrAcct/CdtrAcct: a Danish account as 14 digits with SchmeNm/Prtry BBAN,
// a foreign one as its IBAN.
void WriteAccount(XmlFileWriter& xml, std::string_view tag, const Account& account) {
  xml.Open(tag);
  xml.Open("Id");
  if (account.is_danish()) {
    const DanishAccount& danish = account.danish();
    xml.Open("Othr");
    xml.Element("Id", fmt::format("{:04}{:010}", danish.registration(), danish.account()));
    xml.Open("SchmeNm");
    xml.Element("Prtry", "BBAN");
    xml.Close();  // SchmeNm
    xml.Close();  // Othr
  } else {
    xml.Element("IBAN", account.foreign().iban.ToString());
  }
  xml.Close();  // Id
  xml.Close();  // tag
}

// DbtrAgt: FinInstnId/BICFI, or FinInstnId/Othr/Id with the registration
// number for a bank known by that alone (the schema allows either).
void WriteDebitAgent(XmlFileWriter& xml, std::string_view bank) {
  xml.Open("DbtrAgt");
  xml.Open("FinInstnId");
  if (IsRegistrationNumber(bank)) {
    xml.Open("Othr");
    xml.Element("Id", bank);
    xml.Close();  // Othr
  } else {
    xml.Element("BICFI", bank);
  }
  xml.Close();  // FinInstnId
  xml.Close();  // DbtrAgt
}

void WriteDebtor(XmlFileWriter& xml, const BankFilePaymentGroup& g) {
  xml.Open("Dbtr");
  xml.Element("Nm", g.authority_name);
  xml.Open("Id");
  xml.Open("OrgId");
  WriteOrganisationOther(xml, std::to_string(g.authority_agreement), "NKS");
  WriteOrganisationOther(xml, g.bank_agreement, "PIA");
  xml.Close();  // OrgId
  xml.Close();  // Id
  xml.Close();  // Dbtr
}

void WriteUltimateDebtor(XmlFileWriter& xml, std::string_view los_unit) {
  xml.Open("UltmtDbtr");
  xml.Open("Id");
  xml.Open("OrgId");
  WriteOrganisationOther(xml, los_unit, "LOS");
  xml.Close();  // OrgId
  xml.Close();  // Id
  xml.Close();  // UltmtDbtr
}

}  // namespace

Status CheckBankFileTransaction(const BankFileTransaction& tx) {
  NKS_RETURN_IF_ERROR(CheckText("PmtId/InstrId", tx.payment_id, kMax35TextChars));
  NKS_RETURN_IF_ERROR(CheckText("PmtId/EndToEndId", tx.end_to_end_id, kMax35TextChars));
  if (!IsCurrencyCode(tx.currency)) {
    return Status::Invalid("Amt/InstdAmt/@Ccy: must be three capital letters");
  }
  NKS_RETURN_IF_ERROR(CheckText("Purp/Prtry", tx.benefit_type, kMax35TextChars));
  if (!tx.creditor_name.empty()) {
    NKS_RETURN_IF_ERROR(CheckText("Cdtr/Nm", tx.creditor_name, kMax140TextChars));
  }
  if (!tx.remittance_text.empty()) {
    NKS_RETURN_IF_ERROR(CheckText("RmtInf/Ustrd", tx.remittance_text, kMax140TextChars));
  }
  return Status::Ok();
}

Result<Pain001Writer> Pain001Writer::Begin(const std::filesystem::path& path,
                                           const BankFileHeader& header) {
  const std::string where = fmt::format("pain.001 {}", path.string());
  Status checked = CheckHeader(header);
  if (!checked.ok()) return checked.WithContext(where);
  NKS_ASSIGN_OR_RETURN(std::unique_ptr<XmlFileWriter> xml, XmlFileWriter::Create(path));
  Pain001Writer writer(std::move(xml));
  writer.file_.count_announced = header.transaction_count;
  writer.file_.sum_announced_ore = header.control_sum_ore;
  writer.WriteHeader(header);
  if (!writer.xml_->status().ok()) return writer.xml_->status();
  return writer;
}

Pain001Writer::Pain001Writer(std::unique_ptr<XmlFileWriter> xml) : xml_(std::move(xml)) {}
Pain001Writer::~Pain001Writer() = default;
Pain001Writer::Pain001Writer(Pain001Writer&&) noexcept = default;
Pain001Writer& Pain001Writer::operator=(Pain001Writer&&) noexcept = default;

Status Pain001Writer::BeginGroup(const BankFilePaymentGroup& group) {
  NKS_CHECK(xml_ != nullptr);
  if (!status_.ok()) return status_;
  groups_begun_ += 1;
  Status checked = CheckGroup(group);
  if (!checked.ok())
    return Fail(checked.WithContext(fmt::format("pain.001 PmtInf {}", groups_begun_)));
  if (group_open_) {
    NKS_CHECK(group_.Complete());
    xml_->Close();  // PmtInf
  }
  NKS_CHECK(group.transaction_count <= file_.count_announced - groups_announced_count_);
  NKS_CHECK(group.control_sum_ore <= file_.sum_announced_ore - groups_announced_sum_ore_);
  groups_announced_count_ += group.transaction_count;
  groups_announced_sum_ore_ += group.control_sum_ore;
  group_ =
      Tally{.count_announced = group.transaction_count, .sum_announced_ore = group.control_sum_ore};
  group_open_ = true;
  WriteGroupHeader(group);
  return Fail(xml_->status());
}

Status Pain001Writer::Add(const BankFileTransaction& tx) {
  NKS_CHECK(xml_ != nullptr);
  NKS_CHECK(group_open_);
  if (!status_.ok()) return status_;
  Status checked = CheckBankFileTransaction(tx);
  if (!checked.ok()) {
    return Fail(
        checked.WithContext(fmt::format("pain.001 transaction {}", file_.count_written + 1)));
  }
  // More than announced is a bug in the caller's totals: the header is
  // already on disk and would not match the file.
  NKS_CHECK(group_.count_written < group_.count_announced);
  NKS_CHECK(tx.amount.ore() <= group_.sum_announced_ore - group_.sum_written_ore);
  group_.count_written += 1;
  group_.sum_written_ore += tx.amount.ore();
  file_.count_written += 1;
  file_.sum_written_ore += tx.amount.ore();
  WriteTransaction(tx);
  return Fail(xml_->status());
}

Status Pain001Writer::Finish() {
  NKS_CHECK(xml_ != nullptr);
  if (!status_.ok()) {
    xml_.reset();  // removes the temporary file
    return status_;
  }
  NKS_CHECK(group_open_);
  NKS_CHECK(group_.Complete());
  NKS_CHECK(file_.Complete());
  xml_->Close();  // PmtInf
  xml_->Close();  // CstmrCdtTrfInitn
  xml_->Close();  // Document
  status_ = xml_->Commit();
  xml_.reset();
  return status_;
}

Status Pain001Writer::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
  return status_;
}

void Pain001Writer::WriteHeader(const BankFileHeader& h) {
  XmlFileWriter& xml = *xml_;
  xml.OpenWithAttribute("Document", "xmlns", kPain001Namespace);
  xml.Open("CstmrCdtTrfInitn");
  xml.Open("GrpHdr");
  xml.Element("MsgId", h.message_id);
  xml.Element("CreDtTm", FormatCopenhagen(h.created_at));
  xml.Element("NbOfTxs", std::to_string(h.transaction_count));
  xml.Element("CtrlSum", FormatOre(h.control_sum_ore));
  WriteNksParty(xml, "InitgPty", h.nks_id);
  xml.Close();  // GrpHdr
}

void Pain001Writer::WriteGroupHeader(const BankFilePaymentGroup& g) {
  XmlFileWriter& xml = *xml_;
  xml.Open("PmtInf");
  xml.Element("PmtInfId", g.payment_info_id);
  xml.Element("PmtMtd", "TRF");
  xml.Element("NbOfTxs", std::to_string(g.transaction_count));
  xml.Element("CtrlSum", FormatOre(g.control_sum_ore));
  xml.Open("ReqdExctnDt");
  xml.Element("Dt", FormatDate(g.payout_date));
  xml.Close();  // ReqdExctnDt
  WriteDebtor(xml, g);
  WriteAccount(xml, "DbtrAcct", g.debit_account);
  WriteDebitAgent(xml, g.debit_bank);
  if (!g.los_unit.empty()) WriteUltimateDebtor(xml, g.los_unit);
}

void Pain001Writer::WriteTransaction(const BankFileTransaction& tx) {
  XmlFileWriter& xml = *xml_;
  xml.Open("CdtTrfTxInf");
  xml.Open("PmtId");
  xml.Element("InstrId", tx.payment_id);
  xml.Element("EndToEndId", tx.end_to_end_id);
  xml.Close();  // PmtId
  xml.Open("Amt");
  xml.ElementWithAttribute("InstdAmt", "Ccy", tx.currency, FormatOre(tx.amount.ore()));
  xml.Close();  // Amt
  if (!tx.creditor_account.is_danish() && tx.creditor_account.foreign().bic.has_value()) {
    xml.Open("CdtrAgt");
    xml.Open("FinInstnId");
    xml.Element("BICFI", tx.creditor_account.foreign().bic->ToString());
    xml.Close();  // FinInstnId
    xml.Close();  // CdtrAgt
  }
  if (!tx.creditor_name.empty()) {
    xml.Open("Cdtr");
    xml.Element("Nm", tx.creditor_name);
    xml.Close();  // Cdtr
  }
  WriteAccount(xml, "CdtrAcct", tx.creditor_account);
  xml.Open("Purp");
  xml.Element("Prtry", tx.benefit_type);
  xml.Close();  // Purp
  if (!tx.remittance_text.empty()) {
    xml.Open("RmtInf");
    xml.Element("Ustrd", tx.remittance_text);
    xml.Close();  // RmtInf
  }
  xml.Close();  // CdtTrfTxInf
}

}  // namespace nks::iso20022
