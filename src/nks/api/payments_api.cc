// Payment intake over the API: payment files (pain.001 or the CSV layout),
// single payments, and banks' reports (SPEC §5.1, §5.4).
//
// All three go through the engine's own paths (payments::Intake,
// payments::ApplyBankReport), so an API upload gets exactly the checks and
// answers of `nks submit` and `nks bank-report`, and each commits together
// with its audit entry.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "nks/api/api.h"
#include "nks/api/handler.h"
#include "nks/core/file.h"
#include "nks/core/money.h"
#include "nks/core/sha256.h"
#include "nks/payments/bank_report.h"
#include "nks/payments/csv_source.h"
#include "nks/payments/pain001_source.h"

namespace nks::api {

namespace fs = std::filesystem;

Result<payments::IntakeResult> Api::RunIntake(Context& c, const std::string& content, std::string_view extension,
                                              const payments::IncomingReader& reader) {
  const std::string& system = c.principal->system;
  fs::path dir = options_.data_dir / "inbox" / system;
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path file = dir / fmt::format("api-{}-{}-{}.{}", clock_->Now().time_since_epoch().count(), getpid(),
                                    upload_counter_.fetch_add(1), extension);
  NKS_RETURN_IF_ERROR(WriteFileDurably(file.string(), content));
  Result<payments::IntakeResult> r = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    // Intake caches the registers' recipients and the configuration: a new
    // one when either changed since.
    auto identity = store_->Identity();
    auto changes = store_->ConfigHistory();
    if (!identity.ok() || !changes.ok()) {
      fs::remove(file, ec);
      return identity.ok() ? changes.status() : identity.status();
    }
    if (!intake_ || identity->registry_generation != intake_generation_ || changes->size() != intake_config_changes_) {
      payments::IntakeOptions io;
      io.status_dir = options_.data_dir / "outbox" / "status";
      io.cache_dir = options_.data_dir / "cache";
      intake_ = std::make_unique<payments::Intake>(store_, clock_, io);
      intake_generation_ = identity->registry_generation;
      intake_config_changes_ = changes->size();
    }
    r = intake_->Submit(system, file.string(), reader, AuditInTransaction(c));
  }
  fs::remove(file, ec);
  return r;
}

void Api::PostPaymentFile(Context& c) {
  std::string_view media = MediaType(c.req.content_type);
  const bool xml = IEquals(media, "application/xml") || IEquals(media, "text/xml");
  const bool csv = IEquals(media, "text/csv");
  if (!xml && !csv) {
    return Fail(c, "unsupported-media-type",
                fmt::format("Content-Type: a payment file is application/xml (pain.001) or text/csv (the CSV "
                            "layout), not '{}'",
                            c.req.content_type));
  }
  if (c.req.body.empty()) return Fail(c, "missing-field", "body: the payment file is empty");
  auto r = xml ? RunIntake(c, c.req.body, "xml", payments::ReadPain001)
               : RunIntake(c, c.req.body, "csv", payments::ReadPaymentCsv);
  if (!r.ok()) return FailStatus(c, r.status());
  json j{{"msg_id", MaskCprsIn(r->msg_id)}, {"status", r->group_status}, {"accepted", r->accepted},
         {"rejected", r->rejected}, {"replayed", r->replayed}};
  if (!r->msg_id.empty()) {
    j["status_report"] = "/api/v1/payment-files/" + r->msg_id + "/status-report";
  }
  SendJson(c, r->replayed ? 200 : 201, j);
}

namespace {

// One CSV field, quoted (the layout's reader takes RFC 4180 quoting).
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

struct SinglePayment {
  std::string msg_id, bank_agreement, los, payout_date, debtor_account, debtor_bank, end_to_end, currency = "DKK",
      benefit_type, recipient_type, recipient_id, creditor_account, creditor_bic, creditor_name, remittance;
  int64_t authority = 0;
  int64_t amount_ore = 0;
};

// The body of POST /api/v1/payments; false with a problem when it is not one.
bool ParseSinglePayment(Api::Context& c, SinglePayment* p) {
  json body;
  if (!ParseBody(c,
                 {"authority", "bank_agreement", "los", "payout_date", "debtor_account", "debtor_bank", "end_to_end",
                  "amount_ore", "benefit_type"},
                 {"msg_id", "currency", "recipient", "creditor_account", "creditor_bic", "creditor_name",
                  "remittance"},
                 &body)) {
    return false;
  }
  if (!body["authority"].is_number_integer() || body["authority"].get<int64_t>() <= 0 ||
      body["authority"].get<int64_t>() > 99'999'999) {
    Fail(c, "invalid-field", "authority: the NKS agreement number, an integer");
    return false;
  }
  p->authority = body["authority"].get<int64_t>();
  if (!body["amount_ore"].is_number_integer()) {
    Fail(c, "invalid-field", "amount_ore: an integer number of øre");
    return false;
  }
  p->amount_ore = body["amount_ore"].get<int64_t>();
  if (p->amount_ore <= 0 || p->amount_ore > 99'999'999'999'999) {
    Fail(c, "invalid-field", "amount_ore: must be positive (øre, at most 999,999,999,999.99 kr.)");
    return false;
  }
  for (auto [key, out] : std::initializer_list<std::pair<const char*, std::string*>>{
           {"bank_agreement", &p->bank_agreement}, {"los", &p->los}, {"payout_date", &p->payout_date},
           {"debtor_account", &p->debtor_account}, {"debtor_bank", &p->debtor_bank},
           {"end_to_end", &p->end_to_end}, {"benefit_type", &p->benefit_type}, {"msg_id", &p->msg_id},
           {"currency", &p->currency}, {"creditor_account", &p->creditor_account},
           {"creditor_bic", &p->creditor_bic}, {"creditor_name", &p->creditor_name},
           {"remittance", &p->remittance}}) {
    if (!StringField(c, body, key, out)) return false;
  }
  std::string recipient;
  if (!StringField(c, body, "recipient", &recipient)) return false;
  if (!recipient.empty()) {
    RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
    if (!ParseRecipient(c, recipient, &id)) return false;
    const std::string tagged = id.Tagged();
    p->recipient_type = tagged.substr(0, tagged.find(':'));
    p->recipient_id = tagged.substr(tagged.find(':') + 1);
  }
  if (recipient.empty() && p->creditor_account.empty()) {
    Fail(c, "missing-field", "recipient: a payment needs a recipient, a creditor_account, or both");
    return false;
  }
  if (p->msg_id.empty()) {
    // Deterministic, so that the same payment sent again is the same file.
    p->msg_id = "SP-" + Sha256Hex(p->end_to_end).substr(0, 32);
  }
  return true;
}

std::string SinglePaymentCsv(const SinglePayment& p, const std::string& system) {
  const std::string amount = AmountOre::Of(p.amount_ore)->ToDecimal();  // checked positive and bounded
  std::string out = std::string(payments::kCsvPaymentsMarker) + "\n";
  out += fmt::format("file,{},{},1,{}\n", Quoted(p.msg_id), Quoted(system), amount);
  out += std::string(payments::kCsvPaymentColumns) + "\n";
  out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", p.authority, Quoted(p.bank_agreement),
                     Quoted(p.los), Quoted(p.payout_date), Quoted(p.debtor_account), Quoted(p.debtor_bank),
                     Quoted(p.end_to_end), amount, Quoted(p.currency), Quoted(p.benefit_type),
                     Quoted(p.recipient_type), Quoted(p.recipient_id), Quoted(p.creditor_account),
                     Quoted(p.creditor_bic), Quoted(p.creditor_name), Quoted(p.remittance));
  return out;
}

}  // namespace

// A single payment, as a one-payment file through the same intake: the same
// checks, the same status report, the same duplicate rules (a re-sent
// payment is answered as before; its EndToEndId once taken stays taken).
void Api::PostPayment(Context& c) {
  SinglePayment p;
  if (!ParseSinglePayment(c, &p)) return;
  auto r = RunIntake(c, SinglePaymentCsv(p, c.principal->system), "csv", payments::ReadPaymentCsv);
  if (!r.ok()) return FailStatus(c, r.status());
  json j{{"msg_id", MaskCprsIn(r->msg_id)}, {"status", r->accepted == 1 ? "ACCP" : "RJCT"},
         {"replayed", r->replayed}};
  if (!r->msg_id.empty()) j["status_report"] = "/api/v1/payment-files/" + r->msg_id + "/status-report";
  if (r->accepted == 1) {
    Result<std::optional<store::Payment>> stored = Status::Internal("not run");
    {
      std::lock_guard store_lock(store_mu_);
      stored = store_->FindPayment(c.principal->system, p.end_to_end);
    }
    if (!stored.ok()) return FailStatus(c, stored.status());
    if (*stored) j["payment"] = PaymentJson(**stored);
    return SendJson(c, r->replayed ? 200 : 201, j);
  }
  // Rejected: the reason code is in the status report, as for a file.
  SendJson(c, 422, j);
}

// A bank's pain.002 or camt.054 about NKS's bank files. Only its own
// payments are touched; everything else is listed as an error.
void Api::PostBankReport(Context& c) {
  std::string_view media = MediaType(c.req.content_type);
  if (!IEquals(media, "application/xml") && !IEquals(media, "text/xml")) {
    return Fail(c, "unsupported-media-type",
                fmt::format("Content-Type: a bank report is application/xml (pain.002 or camt.054), not '{}'",
                            c.req.content_type));
  }
  if (c.req.body.empty()) return Fail(c, "missing-field", "body: the bank report is empty");
  fs::path dir = options_.data_dir / "inbox" / "bank" / c.principal->bank;
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path file = dir / fmt::format("api-{}-{}-{}.xml", clock_->Now().time_since_epoch().count(), getpid(),
                                    upload_counter_.fetch_add(1));
  Status written = WriteFileDurably(file.string(), c.req.body);
  if (!written.ok()) return FailStatus(c, written);
  payments::BankReportOptions options;
  options.cheque_dir = options_.data_dir / "outbox" / "cheques";
  options.status_dir = options_.data_dir / "outbox" / "status";
  options.reporting_bank = c.principal->bank;
  options.in_transaction = AuditInTransaction(c);
  Result<payments::BankReportResult> r = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    r = payments::ApplyBankReport(*store_, *clock_, file.string(), options);
  }
  fs::remove(file, ec);
  if (!r.ok()) return FailStatus(c, r.status());
  json errors = json::array();
  for (const auto& e : r->errors) errors.push_back(MaskCprsIn(e));
  SendJson(c, 200,
           json{{"msg_id", MaskCprsIn(r->msg_id)},
                {"transactions", r->transactions},
                {"settled", r->settled},
                {"returned", r->returned},
                {"cheques", r->cheques},
                {"to_error_account", r->to_error_account},
                {"already_applied", r->already_applied},
                {"no_change", r->no_change},
                {"errors", errors}});
}

}  // namespace nks::api
