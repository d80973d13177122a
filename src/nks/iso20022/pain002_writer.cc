#include "nks/iso20022/pain002_writer.h"

#include <fmt/format.h>

#include <utility>

#include "nks/iso20022/xml_file_writer.h"

namespace nks::iso20022 {
namespace {

// Max15NumericText: OrgnlNbOfTxs.
constexpr uint64_t kNumberOfTransactionsMax = 999'999'999'999'999;

bool IsIsoCode(std::string_view code) {
  if (code.empty() || code.size() > kIsoReasonCodeCharsMax) return false;
  for (const char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Status CheckReason(const StatusReason& reason) {
  if (reason.code.proprietary) {
    NKS_RETURN_IF_ERROR(CheckText("StsRsnInf/Rsn/Prtry", reason.code.code, kMax35TextChars));
  } else if (!IsIsoCode(reason.code.code)) {
    return Status::Invalid("StsRsnInf/Rsn/Cd: must be 1-4 capital letters or digits");
  }
  return CheckText("StsRsnInf/AddtlInf", reason.text, kStatusReasonTextCharsMax);
}

Status CheckHeader(const StatusReportHeader& h) {
  NKS_RETURN_IF_ERROR(CheckText("GrpHdr/MsgId", h.message_id, kMax35TextChars));
  NKS_RETURN_IF_ERROR(CheckText("GrpHdr/InitgPty/Id/OrgId/Othr/Id", h.nks_id, kMax35TextChars));
  NKS_RETURN_IF_ERROR(CheckText("OrgnlMsgId", h.original_message_id, kMax35TextChars));
  NKS_RETURN_IF_ERROR(CheckText("OrgnlMsgNmId", h.original_message_name, kMax35TextChars));
  if (h.original_transaction_count.has_value() &&
      *h.original_transaction_count > kNumberOfTransactionsMax) {
    return Status::Invalid(fmt::format("OrgnlNbOfTxs: at most {}", kNumberOfTransactionsMax));
  }
  if (h.original_control_sum_ore.has_value() &&
      (*h.original_control_sum_ore < 0 || *h.original_control_sum_ore > kControlSumOreMax)) {
    return Status::Invalid(fmt::format("OrgnlCtrlSum: must be 0..{} øre", kControlSumOreMax));
  }
  if (h.group_reason.has_value()) NKS_RETURN_IF_ERROR(CheckReason(*h.group_reason));
  if (h.transaction_count > kStatusReportTransactionsMax) {
    return Status::Invalid(fmt::format("{} transaction statuses, at most {}", h.transaction_count,
                                       kStatusReportTransactionsMax));
  }
  return Status::Ok();
}

// StsRsnInf; the text goes into as many AddtlInf as it needs, cut at
// character boundaries so that joining them gives the text back.
void WriteReason(XmlFileWriter& xml, const StatusReason& reason) {
  xml.Open("StsRsnInf");
  xml.Open("Rsn");
  xml.Element(reason.code.proprietary ? "Prtry" : "Cd", reason.code.code);
  xml.Close();  // Rsn
  std::string_view rest = reason.text;
  while (!rest.empty()) {
    const size_t bytes = PrefixBytes(rest, kMax105TextChars);
    xml.Element("AddtlInf", rest.substr(0, bytes));
    rest.remove_prefix(bytes);
  }
  xml.Close();  // StsRsnInf
}

}  // namespace

std::string_view GroupStatusCode(GroupStatus status) {
  switch (status) {
    case GroupStatus::kNone:
      return "";
    case GroupStatus::kAccepted:
      return "ACCP";
    case GroupStatus::kPartiallyAccepted:
      return "PART";
    case GroupStatus::kRejected:
      return "RJCT";
  }
  NKS_CHECK(false);
  return "";
}

std::string_view TransactionStatusCode(TransactionStatus status) {
  switch (status) {
    case TransactionStatus::kAccepted:
      return "ACCP";
    case TransactionStatus::kRejected:
      return "RJCT";
    case TransactionStatus::kCancelled:
      return "CANC";
    case TransactionStatus::kForwarded:
      return "ACSP";
    case TransactionStatus::kSettled:
      return "ACSC";
    case TransactionStatus::kPending:
      return "PDNG";
  }
  NKS_CHECK(false);
  return "";
}

ReasonCode ReasonCodeFor(NksReason reason) {
  switch (reason) {
    case NksReason::kFileInvalid:
      return {"FF01", false};
    case NksReason::kAfterCutoff:
      return {"TM01", false};
    case NksReason::kDuplicate:
      return {"AM05", false};
    case NksReason::kCountMismatch:
      return {"AM18", false};
    case NksReason::kControlSumMismatch:
      return {"AM10", false};
    case NksReason::kAmountNotAllowed:
      return {"AM02", false};
    case NksReason::kInvalidAmount:
      return {"AM12", false};
    case NksReason::kNoActiveConnection:
      return {"BE05", false};
    case NksReason::kBankAgreementNotAuthority:
      return {"RC01", false};
    case NksReason::kIncorrectAccount:
      return {"AC01", false};
    case NksReason::kClosedAccount:
      return {"AC04", false};
    case NksReason::kRecipientIdInvalid:
      return {"NK01", true};
    case NksReason::kRecipientUnknown:
      return {"NK02", true};
    case NksReason::kNoAccount:
      return {"NK03", true};
    case NksReason::kUnknownBenefitType:
      return {"NK05", true};
    case NksReason::kPaidByCheque:
      return {"NK06", true};
    case NksReason::kPaidToErrorAccount:
      return {"NK07", true};
  }
  NKS_CHECK(false);
  return {};
}

StatusReason MakeStatusReason(NksReason reason, std::string text) {
  return StatusReason{.code = ReasonCodeFor(reason), .text = std::move(text)};
}

Status CheckStatusReportTransaction(const StatusReportTransaction& tx) {
  if (!tx.original_instruction_id.empty()) {
    NKS_RETURN_IF_ERROR(CheckText("OrgnlInstrId", tx.original_instruction_id, kMax35TextChars));
  }
  NKS_RETURN_IF_ERROR(CheckText("OrgnlEndToEndId", tx.original_end_to_end_id, kMax35TextChars));
  if (tx.status == TransactionStatus::kRejected && !tx.reason.has_value()) {
    return Status::Invalid("TxSts RJCT: a rejection needs a reason");
  }
  if (tx.reason.has_value()) NKS_RETURN_IF_ERROR(CheckReason(*tx.reason));
  return Status::Ok();
}

Result<Pain002Writer> Pain002Writer::Begin(const std::filesystem::path& path,
                                           const StatusReportHeader& header) {
  Status checked = CheckHeader(header);
  if (!checked.ok()) return checked.WithContext(fmt::format("pain.002 {}", path.string()));
  NKS_ASSIGN_OR_RETURN(std::unique_ptr<XmlFileWriter> xml, XmlFileWriter::Create(path));
  Pain002Writer writer(std::move(xml));
  writer.count_announced_ = header.transaction_count;
  writer.WriteHeader(header);
  if (!writer.xml_->status().ok()) return writer.xml_->status();
  return writer;
}

Pain002Writer::Pain002Writer(std::unique_ptr<XmlFileWriter> xml) : xml_(std::move(xml)) {}
Pain002Writer::~Pain002Writer() = default;
Pain002Writer::Pain002Writer(Pain002Writer&&) noexcept = default;
Pain002Writer& Pain002Writer::operator=(Pain002Writer&&) noexcept = default;

Status Pain002Writer::BeginGroup(std::string_view original_payment_info_id) {
  NKS_CHECK(xml_ != nullptr);
  if (!status_.ok()) return status_;
  groups_begun_ += 1;
  Status checked = CheckText("OrgnlPmtInfId", original_payment_info_id, kMax35TextChars);
  if (!checked.ok()) {
    return Fail(checked.WithContext(fmt::format("pain.002 OrgnlPmtInfAndSts {}", groups_begun_)));
  }
  if (group_open_) xml_->Close();  // OrgnlPmtInfAndSts
  group_open_ = true;
  xml_->Open("OrgnlPmtInfAndSts");
  xml_->Element("OrgnlPmtInfId", original_payment_info_id);
  return Fail(xml_->status());
}

Status Pain002Writer::Add(const StatusReportTransaction& tx) {
  NKS_CHECK(xml_ != nullptr);
  NKS_CHECK(group_open_);
  if (!status_.ok()) return status_;
  Status checked = CheckStatusReportTransaction(tx);
  if (!checked.ok()) {
    return Fail(checked.WithContext(fmt::format("pain.002 transaction {}", count_written_ + 1)));
  }
  NKS_CHECK(count_written_ < count_announced_);
  count_written_ += 1;
  WriteTransaction(tx);
  return Fail(xml_->status());
}

Status Pain002Writer::Finish() {
  NKS_CHECK(xml_ != nullptr);
  if (!status_.ok()) {
    xml_.reset();  // removes the temporary file
    return status_;
  }
  NKS_CHECK(count_written_ == count_announced_);
  if (group_open_) xml_->Close();  // OrgnlPmtInfAndSts
  xml_->Close();                   // CstmrPmtStsRpt
  xml_->Close();                   // Document
  status_ = xml_->Commit();
  xml_.reset();
  return status_;
}

Status Pain002Writer::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
  return status_;
}

void Pain002Writer::WriteHeader(const StatusReportHeader& h) {
  XmlFileWriter& xml = *xml_;
  xml.OpenWithAttribute("Document", "xmlns", kPain002Namespace);
  xml.Open("CstmrPmtStsRpt");
  xml.Open("GrpHdr");
  xml.Element("MsgId", h.message_id);
  xml.Element("CreDtTm", FormatCopenhagen(h.created_at));
  WriteNksParty(xml, "InitgPty", h.nks_id);
  xml.Close();  // GrpHdr
  xml.Open("OrgnlGrpInfAndSts");
  xml.Element("OrgnlMsgId", h.original_message_id);
  xml.Element("OrgnlMsgNmId", h.original_message_name);
  if (h.original_transaction_count.has_value()) {
    xml.Element("OrgnlNbOfTxs", std::to_string(*h.original_transaction_count));
  }
  if (h.original_control_sum_ore.has_value()) {
    xml.Element("OrgnlCtrlSum", FormatOre(*h.original_control_sum_ore));
  }
  if (h.group_status != GroupStatus::kNone) xml.Element("GrpSts", GroupStatusCode(h.group_status));
  if (h.group_reason.has_value()) WriteReason(xml, *h.group_reason);
  xml.Close();  // OrgnlGrpInfAndSts
}

void Pain002Writer::WriteTransaction(const StatusReportTransaction& tx) {
  XmlFileWriter& xml = *xml_;
  xml.Open("TxInfAndSts");
  if (!tx.original_instruction_id.empty()) xml.Element("OrgnlInstrId", tx.original_instruction_id);
  xml.Element("OrgnlEndToEndId", tx.original_end_to_end_id);
  xml.Element("TxSts", TransactionStatusCode(tx.status));
  if (tx.reason.has_value()) WriteReason(xml, *tx.reason);
  xml.Close();  // TxInfAndSts
}

}  // namespace nks::iso20022
