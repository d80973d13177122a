#include "nks/payments/stop.h"

#include <fmt/format.h>

#include "nks/payments/status_report.h"

namespace nks::payments {

Status StopPayment(store::Store& store, const std::string& system, const std::string& end_to_end,
                   const std::filesystem::path& status_dir, Instant now, const std::string& nks_id,
                   std::string* report, const std::function<Status()>& in_transaction) {
  // An earlier command's report that a crash left unwritten goes first.
  NKS_RETURN_IF_ERROR(WriteUnwrittenStatusReports(store, nks_id));
  std::vector<std::string> written;
  NKS_RETURN_IF_ERROR(store.Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(auto payment, store.FindPayment(system, end_to_end));
    if (!payment) {
      return Status::NotFound(fmt::format("system {} has no accepted payment {}", system, end_to_end));
    }
    switch (payment->status) {
      case store::PaymentStatus::kPending:
        break;
      case store::PaymentStatus::kForwarded:
      case store::PaymentStatus::kSettled:
        return Status::FailedPrecondition(
            fmt::format("payment {} is already forwarded to the bank and cannot be stopped", end_to_end));
      case store::PaymentStatus::kStopped:
        return Status::FailedPrecondition(fmt::format("payment {} is already stopped", end_to_end));
      case store::PaymentStatus::kFailed:
        return Status::FailedPrecondition(
            fmt::format("payment {} could not be delivered and was handled by the failed-payment policy", end_to_end));
    }
    payment->status = store::PaymentStatus::kStopped;
    NKS_ASSIGN_OR_RETURN(std::optional<store::IntakeFile> intake, store.GetIntakeFile(payment->file_id));
    if (intake) {
      store::StatusReport r = PlanStatusReport(status_dir, *intake, 1, now.time_since_epoch().count());
      NKS_RETURN_IF_ERROR(store.AddStatusReport(&r));
      payment->report_id = r.id;
    }
    NKS_RETURN_IF_ERROR(store.SetPaymentOutcome(*payment));
    return in_transaction ? in_transaction() : Status::Ok();
  }));
  NKS_RETURN_IF_ERROR(WriteUnwrittenStatusReports(store, nks_id, &written));
  if (report && !written.empty()) *report = written.back();
  return Status::Ok();
}

}  // namespace nks::payments
