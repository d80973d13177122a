#include "nks/payments/stop.h"

#include <fmt/format.h>

namespace nks::payments {

Status StopPayment(store::Store& store, const std::string& system, const std::string& end_to_end) {
  return store.Transact([&]() -> Status {
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
    return store.SetPaymentOutcome(*payment);
  });
}

}  // namespace nks::payments
