#include "nks/payments/status_report.h"

#include <fmt/format.h>

#include <optional>

#include "nks/core/text.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using iso20022::NksReason;
using iso20022::StatusReason;
using iso20022::TransactionStatus;
using store::PaymentStatus;

constexpr size_t kMax35Text = 35;

// A bank's rejection as recorded by bank reports: "AC04/RETURN",
// "AC04/CHEQUE", "AC04/ERROR_ACCOUNT NKS17" (the code first).
StatusReason BankRejection(std::string_view outcome) {
  const size_t slash = outcome.find('/');
  const std::string code(outcome.substr(0, slash));
  const std::string_view policy = slash == std::string_view::npos ? std::string_view() : outcome.substr(slash + 1);
  std::string text = fmt::format("The bank rejected the payment ({})", code);
  if (policy.starts_with("RETURN")) {
    text += "; policy RETURN: it is returned to the payment system.";
  } else if (policy.starts_with("CHEQUE")) {
    text += "; policy CHEQUE: it is paid by cheque to the recipient's register address.";
  } else if (policy.starts_with("ERROR_ACCOUNT")) {
    text += fmt::format("; policy ERROR_ACCOUNT: it is paid to the authority's error account as payment {}.",
                        policy.size() > 14 ? policy.substr(14) : std::string_view("(unknown)"));
  }
  return StatusReason{iso20022::ReasonCode{code, false}, text};
}

}  // namespace

iso20022::StatusReportTransaction FollowUpTransaction(const store::ReportedPayment& p) {
  iso20022::StatusReportTransaction tx{fmt::format("NKS{}", p.id), std::string(p.end_to_end),
                                       TransactionStatus::kAccepted, std::nullopt};
  switch (p.status) {
    case PaymentStatus::kPending:
      break;
    case PaymentStatus::kForwarded:
      tx.status = TransactionStatus::kForwarded;
      if (p.resolution == "error-account") {
        tx.reason = iso20022::MakeStatusReason(
            NksReason::kPaidToErrorAccount,
            "no NemKonto or specific account; policy ERROR_ACCOUNT: paid to the authority's error account");
      }
      break;
    case PaymentStatus::kSettled:
      tx.status = TransactionStatus::kSettled;
      break;
    case PaymentStatus::kStopped:
      tx.status = TransactionStatus::kCancelled;  // needs no reason (PROFILE.md)
      break;
    case PaymentStatus::kFailed:
      tx.status = TransactionStatus::kRejected;
      if (p.outcome_reason == "NK03") {
        tx.reason = iso20022::MakeStatusReason(
            NksReason::kNoAccount,
            "no NemKonto or specific account; policy RETURN: returned to the payment system");
      } else if (p.outcome_reason == "NK06") {
        tx.reason = iso20022::MakeStatusReason(
            NksReason::kPaidByCheque,
            "no NemKonto or specific account; policy CHEQUE: paid by cheque to the register address");
      } else {
        tx.reason = BankRejection(p.outcome_reason);
      }
      break;
  }
  return tx;
}

store::StatusReport PlanStatusReport(const fs::path& status_dir, const store::IntakeFile& file,
                                     uint64_t tx_count, int64_t created_us) {
  store::StatusReport r;
  r.system = file.system;
  r.file_id = file.id;
  r.original_msg_id = file.msg_id;
  r.dir = (status_dir / text::FileNamePart(file.system)).string();
  r.created_us = created_us;
  r.tx_count = tx_count;
  return r;
}

fs::path StatusReportPath(const store::StatusReport& report) {
  return fs::path(report.dir) / fmt::format("{}-FU{}.xml", text::FileNamePart(report.original_msg_id), report.id);
}

Status WriteStatusReport(store::Store& store, const store::StatusReport& report, const std::string& nks_id) {
  std::error_code ec;
  fs::create_directories(report.dir, ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", report.dir, ec.message()));
  iso20022::StatusReportHeader h;
  h.message_id = fmt::format("NKS-FU-{}", report.id).substr(0, kMax35Text);
  h.created_at = Instant(std::chrono::microseconds(report.created_us));
  h.nks_id = nks_id;
  h.original_message_id = report.original_msg_id;
  h.group_status = iso20022::GroupStatus::kNone;
  h.transaction_count = report.tx_count;
  NKS_ASSIGN_OR_RETURN(auto writer, iso20022::Pain002Writer::Begin(StatusReportPath(report), h));
  // Payments come in id order, so a PmtInf's are together (intake numbers
  // them in file order).
  std::optional<std::string> group;
  Status failed;
  uint64_t count = 0;
  NKS_RETURN_IF_ERROR(store.ScanStatusReportPayments(report.id, [&](const store::ReportedPayment& p) {
    if (group != p.pmt_inf_id) {
      group = p.pmt_inf_id;
      failed = writer.BeginGroup(*group);
      if (!failed.ok()) return false;
    }
    failed = writer.Add(FollowUpTransaction(p));
    ++count;
    return failed.ok();
  }));
  NKS_RETURN_IF_ERROR(failed);
  if (count != report.tx_count) {
    return Status::Corruption(fmt::format("status report {}: {} payments recorded, {} name it", report.id,
                                          report.tx_count, count));
  }
  return writer.Finish();
}

Status WriteUnwrittenStatusReports(store::Store& store, const std::string& nks_id,
                                   std::vector<std::string>* written) {
  NKS_ASSIGN_OR_RETURN(std::vector<store::StatusReport> unwritten, store.UnwrittenStatusReports());
  for (const store::StatusReport& r : unwritten) {
    NKS_RETURN_IF_ERROR(WriteStatusReport(store, r, nks_id));
    NKS_RETURN_IF_ERROR(store.MarkStatusReportWritten(r.id));
    if (written) written->push_back(StatusReportPath(r).string());
  }
  return Status::Ok();
}

}  // namespace nks::payments
