#include "nks/store/access_records.h"

namespace nks::store {

std::string_view PrincipalKindName(PrincipalKind k) {
  switch (k) {
    case PrincipalKind::kSystem: return "system";
    case PrincipalKind::kBank: return "bank";
    case PrincipalKind::kEmployee: return "employee";
    case PrincipalKind::kCitizen: return "citizen";
    case PrincipalKind::kCompany: return "company";
  }
  return "?";
}

Result<PrincipalKind> ParsePrincipalKind(std::string_view text) {
  if (text == "system") return PrincipalKind::kSystem;
  if (text == "bank") return PrincipalKind::kBank;
  if (text == "employee") return PrincipalKind::kEmployee;
  if (text == "citizen") return PrincipalKind::kCitizen;
  if (text == "company") return PrincipalKind::kCompany;
  return Status::Invalid("must be system, bank or employee");
}

std::string_view PendingStateName(PendingState s) {
  switch (s) {
    case PendingState::kPending: return "pending";
    case PendingState::kApproved: return "approved";
    case PendingState::kRejected: return "rejected";
  }
  return "?";
}

}  // namespace nks::store
