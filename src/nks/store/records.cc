#include "nks/store/records.h"

#include <fmt/format.h>

namespace nks::store {

std::string_view PersonStatusName(PersonStatus s) {
  switch (s) {
    case PersonStatus::kActive: return "active";
    case PersonStatus::kDead: return "dead";
    case PersonStatus::kEmigrated: return "emigrated";
    case PersonStatus::kProtected: return "protected";
  }
  return "?";
}

Result<PersonStatus> ParsePersonStatus(std::string_view t) {
  if (t == "active") return PersonStatus::kActive;
  if (t == "dead") return PersonStatus::kDead;
  if (t == "emigrated") return PersonStatus::kEmigrated;
  if (t == "protected") return PersonStatus::kProtected;
  return Status::Invalid("must be one of active, dead, emigrated, protected");
}

std::string_view CompanyStatusName(CompanyStatus s) {
  return s == CompanyStatus::kActive ? "active" : "ceased";
}

Result<CompanyStatus> ParseCompanyStatus(std::string_view t) {
  if (t == "active") return CompanyStatus::kActive;
  if (t == "ceased") return CompanyStatus::kCeased;
  return Status::Invalid("must be one of active, ceased");
}

std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kCitizen: return "citizen";
    case Channel::kBank: return "bank";
    case Channel::kAuthority: return "authority";
    case Channel::kSystem: return "system";
  }
  return "?";
}

Result<Channel> ParseChannel(std::string_view t) {
  if (t == "citizen") return Channel::kCitizen;
  if (t == "bank") return Channel::kBank;
  if (t == "authority") return Channel::kAuthority;
  return Status::Invalid(fmt::format("channel must be citizen, bank or authority"));
}

std::string_view NemKontoEventKindName(NemKontoEventKind k) {
  switch (k) {
    case NemKontoEventKind::kSet: return "set";
    case NemKontoEventKind::kPending: return "pending";
    case NemKontoEventKind::kActivated: return "activated";
    case NemKontoEventKind::kDeleted: return "deleted";
    case NemKontoEventKind::kActivationFailed: return "activation-failed";
    case NemKontoEventKind::kPendingCancelled: return "pending-cancelled";
  }
  return "?";
}

std::string_view SpecificEventKindName(SpecificEventKind k) {
  return k == SpecificEventKind::kSet ? "set" : "deleted";
}

std::string_view FailedPaymentPolicyName(FailedPaymentPolicy p) {
  switch (p) {
    case FailedPaymentPolicy::kReturn: return "RETURN";
    case FailedPaymentPolicy::kCheque: return "CHEQUE";
    case FailedPaymentPolicy::kErrorAccount: return "ERROR_ACCOUNT";
  }
  return "?";
}

Result<FailedPaymentPolicy> ParseFailedPaymentPolicy(std::string_view t) {
  if (t == "RETURN") return FailedPaymentPolicy::kReturn;
  if (t == "CHEQUE") return FailedPaymentPolicy::kCheque;
  if (t == "ERROR_ACCOUNT") return FailedPaymentPolicy::kErrorAccount;
  return Status::Invalid("must be RETURN, CHEQUE or ERROR_ACCOUNT");
}

std::string_view LatePaymentRuleName(LatePaymentRule r) {
  return r == LatePaymentRule::kReject ? "reject" : "next-banking-day";
}

Result<LatePaymentRule> ParseLatePaymentRule(std::string_view t) {
  if (t == "reject") return LatePaymentRule::kReject;
  if (t == "next-banking-day") return LatePaymentRule::kNextBankingDay;
  return Status::Invalid("must be reject or next-banking-day");
}

std::string_view ConnectionStateName(ConnectionState s) {
  switch (s) {
    case ConnectionState::kRequested: return "requested";
    case ConnectionState::kSigned: return "signed";
    case ConnectionState::kConfirmed: return "confirmed";
    case ConnectionState::kActive: return "active";
  }
  return "?";
}

Result<ConnectionState> ParseConnectionState(std::string_view t) {
  if (t == "requested") return ConnectionState::kRequested;
  if (t == "signed") return ConnectionState::kSigned;
  if (t == "confirmed") return ConnectionState::kConfirmed;
  if (t == "active") return ConnectionState::kActive;
  return Status::Invalid("must be requested, signed, confirmed or active");
}

std::string_view PaymentStatusName(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::kPending: return "pending";
    case PaymentStatus::kStopped: return "stopped";
    case PaymentStatus::kForwarded: return "forwarded";
    case PaymentStatus::kSettled: return "settled";
    case PaymentStatus::kFailed: return "failed";
  }
  return "?";
}

}  // namespace nks::store
