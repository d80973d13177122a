#include "nks/payments/bank_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "nks/core/calendar.h"
#include "nks/core/text.h"
#include "nks/iso20022/bank_report_reader.h"
#include "nks/iso20022/pain002_writer.h"
#include "nks/payments/cheque.h"
#include "nks/payments/status_report.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using iso20022::BankOutcome;
using iso20022::BankReportTransaction;
using store::FailedPaymentPolicy;
using store::Payment;
using store::PaymentStatus;

constexpr size_t kMax35Text = 35;            // EndToEndId, MsgId
constexpr size_t kPaymentIdDigitsMax = 18;   // fits int64_t
constexpr size_t kRemittanceCharsMax = 140;  // Max140Text
constexpr std::string_view kNarrativeCode = "NARR";  // ISO: reason in the text

// Reads the whole report into memory; a bad file fails here, before the
// store is touched.
class Collector final : public iso20022::BankReportVisitor {
 public:
  Status OnHeader(const iso20022::BankReportHeader& header) override {
    msg_id = header.msg_id;
    return Status::Ok();
  }
  Status OnTransaction(const BankReportTransaction& tx) override {
    if (txs.size() >= kBankReportTransactionsMax) {
      return Status::Invalid(fmt::format("line {}: more than {} transactions in one bank report",
                                         tx.line, kBankReportTransactionsMax));
    }
    txs.push_back(tx);
    return Status::Ok();
  }
  std::string msg_id;
  std::vector<BankReportTransaction> txs;
};

// "NKS<id>" -> id; nullopt for anything else.
std::optional<int64_t> ParsePaymentId(std::string_view instr_id) {
  if (instr_id.substr(0, 3) != "NKS") return std::nullopt;
  const std::string_view digits = instr_id.substr(3);
  if (digits.empty() || digits.size() > kPaymentIdDigitsMax || !text::AllDigits(digits) ||
      digits.front() == '0') {
    return std::nullopt;
  }
  return static_cast<int64_t>(text::DigitsValue(digits));
}

// A status this report gave a payment, for the sender's follow-up report
// (whose text status_report.cc derives from the recorded outcome).
struct Change {
  Payment payment;  // as it is now
  bool settled = false;
};

class Applier {
 public:
  Applier(store::Store& store, Instant now, BankReportResult* result, std::string reporting_bank)
      : store_(store), now_(now), result_(result), reporting_bank_(std::move(reporting_bank)) {}

  Status Apply(const BankReportTransaction& tx, const store::ConfigSnapshot& config);

  std::vector<Change> changes;
  std::vector<Payment> cheques;

 private:
  Status Reject(Payment p, const BankReportTransaction& tx, const store::Authority& authority);
  Status ToErrorAccount(Payment* p, const store::Authority& authority);
  void Error(const BankReportTransaction& tx, std::string_view what);

  // The payment went out through a bank agreement with reporting_bank_.
  bool SentToReportingBank(const Payment& p, const store::ConfigSnapshot& config) const;

  store::Store& store_;
  Instant now_;
  BankReportResult* result_;
  std::string reporting_bank_;  // "" when any bank's report is taken (the CLI)
};

bool Applier::SentToReportingBank(const Payment& p, const store::ConfigSnapshot& config) const {
  if (reporting_bank_.empty()) return true;
  return std::any_of(config.bank_agreements.begin(), config.bank_agreements.end(), [&](const auto& b) {
    return b.authority == p.authority && b.number == p.bank_agreement && b.bank == reporting_bank_;
  });
}

void Applier::Error(const BankReportTransaction& tx, std::string_view what) {
  if (result_->errors.size() < kBankReportErrorsListedMax) {
    result_->errors.push_back(fmt::format("line {}: {}: {}", tx.line,
                                          tx.instr_id.empty() ? "(no InstrId)" : tx.instr_id, what));
  }
}

Status Applier::Apply(const BankReportTransaction& tx, const store::ConfigSnapshot& config) {
  if (tx.outcome == BankOutcome::kOther) {
    ++result_->no_change;
    return Status::Ok();
  }
  const std::optional<int64_t> id = ParsePaymentId(tx.instr_id);
  if (!id) {
    Error(tx, "not an NKS payment id");
    return Status::Ok();
  }
  NKS_ASSIGN_OR_RETURN(std::optional<Payment> found, store_.GetPayment(*id));
  if (!found || !SentToReportingBank(*found, config)) {
    Error(tx, "no such payment");  // another bank's payment is none of this one's business
    return Status::Ok();
  }
  if (found->status == PaymentStatus::kSettled || found->status == PaymentStatus::kFailed) {
    ++result_->already_applied;
    return Status::Ok();
  }
  if (found->status != PaymentStatus::kForwarded) {
    Error(tx, "the payment was never forwarded to a bank");
    return Status::Ok();
  }
  if (tx.outcome == BankOutcome::kSettled) {
    found->status = PaymentStatus::kSettled;
    NKS_RETURN_IF_ERROR(store_.SetPaymentOutcome(*found));
    ++result_->settled;
    changes.push_back(Change{*found, true});
    return Status::Ok();
  }
  auto authority = std::find_if(config.authorities.begin(), config.authorities.end(),
                                [&](const auto& a) { return a.nks == found->authority; });
  if (authority == config.authorities.end()) {
    return Status::Corruption(
        fmt::format("payment {}: authority {} is not configured", found->id, found->authority));
  }
  return Reject(*found, tx, *authority);
}

// The policy as configured now applies (SPEC §4.1).
Status Applier::Reject(Payment p, const BankReportTransaction& tx, const store::Authority& authority) {
  const bool iso_code = !tx.reason_code.empty() && tx.reason_code.size() <= 4;
  const std::string code = iso_code ? tx.reason_code : std::string(kNarrativeCode);
  p.status = PaymentStatus::kFailed;
  if (p.system == kNksSystem) {
    p.outcome_reason = code + "/MANUAL";
    Error(tx, fmt::format("NKS's own payment was rejected ({}); it needs a caseworker", code));
  } else {
    switch (authority.policy) {
      case FailedPaymentPolicy::kReturn:
        p.outcome_reason = code + "/RETURN";
        ++result_->returned;
        break;
      case FailedPaymentPolicy::kCheque:
        p.outcome_reason = code + "/CHEQUE";
        cheques.push_back(p);
        ++result_->cheques;
        break;
      case FailedPaymentPolicy::kErrorAccount:
        if (authority.error_account.empty()) {
          Error(tx, fmt::format("authority {} has policy ERROR_ACCOUNT but no error account; "
                                "left forwarded", authority.nks));
          return Status::Ok();
        }
        p.outcome_reason = code;
        NKS_RETURN_IF_ERROR(ToErrorAccount(&p, authority));
        ++result_->to_error_account;
        break;
    }
  }
  NKS_RETURN_IF_ERROR(store_.SetPaymentOutcome(p));
  changes.push_back(Change{p, false});
  return Status::Ok();
}

// A new payment to the error account for the next possible payout date.
Status Applier::ToErrorAccount(Payment* p, const store::Authority& authority) {
  const std::string date = FormatDate(EarliestPayoutDate(now_));
  Payment e;
  e.system = std::string(kNksSystem);
  e.end_to_end = fmt::format("NKS{}/R", p->id).substr(0, kMax35Text);
  e.pmt_inf_id = fmt::format("NKS-ERR-{}", authority.nks);
  e.authority = p->authority;
  e.los = p->los;
  e.bank_agreement = p->bank_agreement;
  e.benefit_type = p->benefit_type;
  e.recipient = p->recipient;
  e.creditor_account = authority.error_account;
  e.creditor_name = authority.name;
  e.amount_ore = p->amount_ore;
  e.currency = p->currency;
  e.requested_date = date;
  e.payout_date = date;
  e.remittance = fmt::format("Fejlkonto: NKS{} ({}/{}) afvist af banken", p->id, p->system,
                             p->end_to_end).substr(0, kRemittanceCharsMax);
  e.status = PaymentStatus::kPending;
  NKS_RETURN_IF_ERROR(store_.AddPayment(&e));
  p->outcome_reason = fmt::format("{}/ERROR_ACCOUNT NKS{}", p->outcome_reason, e.id);
  return Status::Ok();
}

// One follow-up report per intake file of the changed payments, planned in
// the transaction that changed them (status_report.h): each changed
// payment's outcome names it, so it is written, and rewritten after a
// crash, from the store.
Status PlanFollowUps(store::Store& store, std::vector<Change>& changes, Instant now, const BankReportOptions& options) {
  std::map<int64_t, std::vector<Change*>> by_file;
  for (Change& c : changes) {
    if (c.payment.file_id != 0 && c.payment.system != kNksSystem) by_file[c.payment.file_id].push_back(&c);
  }
  for (auto& [file_id, list] : by_file) {
    NKS_ASSIGN_OR_RETURN(std::optional<store::IntakeFile> intake, store.GetIntakeFile(file_id));
    if (!intake) return Status::Corruption(fmt::format("intake file {} is missing", file_id));
    store::StatusReport r = PlanStatusReport(options.status_dir, *intake, list.size(), now.time_since_epoch().count());
    NKS_RETURN_IF_ERROR(store.AddStatusReport(&r));
    for (Change* c : list) {
      c->payment.report_id = r.id;
      NKS_RETURN_IF_ERROR(store.SetPaymentOutcome(c->payment));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<BankReportResult> ApplyBankReport(store::Store& store, const Clock& clock,
                                         const std::string& path, const BankReportOptions& options) {
  const Instant now = clock.Now();
  Collector collected;
  NKS_ASSIGN_OR_RETURN(auto reader, iso20022::BankReportReader::Open(path));
  NKS_RETURN_IF_ERROR(reader.Read(collected).status());
  BankReportResult result;
  result.msg_id = collected.msg_id;
  result.transactions = collected.txs.size();
  Applier applier(store, now, &result, options.reporting_bank);
  // An earlier command's reports and letters that a crash left unwritten go first.
  NKS_RETURN_IF_ERROR(WriteUnwrittenStatusReports(store, options.nks_id));
  NKS_RETURN_IF_ERROR(SendStagedChequeLetters(store, options.cheque_dir).status());
  NKS_RETURN_IF_ERROR(store.Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(store::ConfigSnapshot config, store.LoadConfig());
    for (const BankReportTransaction& tx : collected.txs) NKS_RETURN_IF_ERROR(applier.Apply(tx, config));
    NKS_RETURN_IF_ERROR(PlanFollowUps(store, applier.changes, now, options));
    // Staged in this transaction; sent once it commits (cheque.h).
    for (const Payment& p : applier.cheques) {
      NKS_RETURN_IF_ERROR(StageChequeLetter(store, p, now, options.cheque_dir, ChequeCause::kBankRejected));
    }
    return options.in_transaction ? options.in_transaction() : Status::Ok();
  }));
  if (result.errors.size() == kBankReportErrorsListedMax) {
    result.errors.push_back("(more errors not listed)");
  }
  NKS_ASSIGN_OR_RETURN(result.cheque_letters, SendStagedChequeLetters(store, options.cheque_dir));
  NKS_RETURN_IF_ERROR(WriteUnwrittenStatusReports(store, options.nks_id, &result.follow_up_reports));
  return result;
}

}  // namespace nks::payments
