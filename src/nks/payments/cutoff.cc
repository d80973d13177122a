#include "nks/payments/cutoff.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <thread>

#include "nks/core/calendar.h"
#include "nks/core/money.h"
#include "nks/core/text.h"
#include "nks/iso20022/pain001_writer.h"
#include "nks/payments/bank_report.h"
#include "nks/payments/cheque.h"
#include "nks/payments/status_report.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using store::Payment;
using store::PaymentStatus;

constexpr size_t kMsgIdCharsMax = 35;  // Max35Text

// "NKS-PIA4711-20261126-1": the agreement's safe characters, the date and
// the run's sequence for that agreement and date.
std::string BankMsgId(const std::string& agreement, const std::string& date, uint64_t seq) {
  std::string safe;
  for (char c : agreement) {
    if (std::isalnum(static_cast<unsigned char>(c))) safe.push_back(c);
  }
  std::string compact_date = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
  std::string tail = fmt::format("-{}-{}", compact_date, seq);
  size_t room = kMsgIdCharsMax - 4 - tail.size();
  return "NKS-" + safe.substr(0, room) + tail;
}

}  // namespace

Status WriteBankFile(store::Store& store, const store::BankFile& file, const std::string& nks_id) {
  std::error_code ec;
  fs::create_directories(fs::path(file.path).parent_path(), ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", file.path, ec.message()));
  iso20022::BankFileHeader header{file.msg_id, Instant(std::chrono::microseconds(file.created_us)),
                                  nks_id, file.tx_count, file.ctrl_sum_ore};
  NKS_ASSIGN_OR_RETURN(auto writer, iso20022::Pain001Writer::Begin(file.path, header));
  NKS_ASSIGN_OR_RETURN(Account debit, Account::Parse(file.debit_account));
  NKS_ASSIGN_OR_RETURN(Date date, ParseDate(file.payout_date));
  iso20022::BankFilePaymentGroup group{file.msg_id, date, file.authority_name, file.authority,
                                       file.bank_agreement, debit, file.debit_bank, "",
                                       file.tx_count, file.ctrl_sum_ore};
  NKS_RETURN_IF_ERROR(writer.BeginGroup(group));
  Status failed;
  uint64_t count = 0;
  NKS_RETURN_IF_ERROR(store.ScanBankFilePayments(file.id, [&](const store::BankFileEntry& p) {
    auto account = Account::Parse(p.resolved_account);
    auto amount = AmountOre::Of(p.amount_ore);
    if (!account.ok() || !amount.ok()) {
      failed = Status::Corruption(fmt::format("payment {}: stored account or amount is invalid", p.id));
      return false;
    }
    iso20022::BankFileTransaction tx{fmt::format("NKS{}", p.id), std::string(p.end_to_end), *amount,
                                     std::string(p.currency),      std::string(p.benefit_type),
                                     std::string(p.creditor_name), *account,
                                     std::string(p.remittance)};
    failed = writer.Add(tx);
    ++count;
    return failed.ok();
  }));
  NKS_RETURN_IF_ERROR(failed);
  // The recorded totals were computed from these very rows.
  NKS_CHECK(count == file.tx_count);
  return writer.Finish();
}

Result<CutoffReport> Cutoff::Run() {
  const Instant now = clock_->Now();
  CutoffReport report;
  // A crash after an earlier plan committed: finish its files first.
  NKS_RETURN_IF_ERROR(WriteUnwritten(&report, &report.rewritten));
  NKS_RETURN_IF_ERROR(SendStagedChequeLetters(*store_, options_.cheque_dir).status());
  NKS_RETURN_IF_ERROR(Plan(now, &report));
  NKS_RETURN_IF_ERROR(WriteUnwritten(&report, nullptr));
  NKS_RETURN_IF_ERROR(SendStagedChequeLetters(*store_, options_.cheque_dir).status());
  return report;
}

// The bank files on a second connection and thread while this one writes
// the follow-up reports: both only read what a plan committed.
Status Cutoff::WriteUnwritten(CutoffReport* report, uint64_t* bank_files_counted) {
  NKS_ASSIGN_OR_RETURN(std::vector<store::BankFile> files, store_->UnwrittenBankFiles());
  NKS_ASSIGN_OR_RETURN(std::vector<store::StatusReport> reports, store_->UnwrittenStatusReports());
  if (files.empty() && reports.empty()) return Status::Ok();
  NKS_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> second, store_->OpenAnother());
  Status banks;
  std::thread writing([&] {
    for (const auto& f : files) {
      banks = WriteBankFile(*second, f, options_.nks_id);
      if (!banks.ok()) return;
    }
  });
  Status statuses;
  for (const auto& r : reports) {
    statuses = WriteStatusReport(*store_, r, options_.nks_id);
    if (!statuses.ok()) break;
  }
  writing.join();
  NKS_RETURN_IF_ERROR(banks);
  NKS_RETURN_IF_ERROR(statuses);
  for (const auto& f : files) {
    NKS_RETURN_IF_ERROR(store_->MarkBankFileWritten(f.id));
    report->bank_files.push_back(f.path);
  }
  if (bank_files_counted) *bank_files_counted += files.size();
  for (const auto& r : reports) {
    NKS_RETURN_IF_ERROR(store_->MarkStatusReportWritten(r.id));
    report->status_reports.push_back(StatusReportPath(r).string());
  }
  return Status::Ok();
}

namespace {

// What the cut-off decided for one due payment: 72 bytes, so a million
// due payments cost ~70 MB, not a million full rows.
struct Decision {
  static constexpr uint32_t kNone = UINT32_MAX;
  int64_t id = 0;
  int64_t file_id = 0;
  reg::AccountCode account = 0;    // from the register, when resolved there
  uint32_t text_account = kNone;   // else an index into the decided accounts' text
  uint32_t bank_file = kNone;      // index into the planned files; kNone: failed
  PaymentStatus status = PaymentStatus::kForwarded;
  std::string_view resolution;     // static text
  std::string_view reason;         // static text
};
static_assert(sizeof(Decision) <= 72);

struct PlannedFile {
  std::string agreement, date;
  uint32_t authority = 0;
  uint64_t count = 0;
  int64_t sum_ore = 0;
  int64_t id = 0;  // once added
};

constexpr size_t kOutcomesPerBatch = 65536;

}  // namespace

// Two passes inside one transaction: the first resolves every due payment
// into a compact decision and counts the bank files and follow-up reports;
// those are then added (their ids are needed), and the second pass records
// each payment's outcome in id order.
Status Cutoff::Plan(Instant now, CutoffReport* report) {
  // Due: every payout date before the first one whose cut-off is ahead.
  Date first_open = EarliestPayoutDate(now);
  Date last_due = std::chrono::sys_days(first_open) - std::chrono::days(1);
  report->last_payout_date = FormatDate(last_due);
  return store_->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(reg_->CatchUp());  // the register as it is now
    NKS_ASSIGN_OR_RETURN(const reg::ResolutionIndex* index, reg_->Index());
    NKS_ASSIGN_OR_RETURN(store::ConfigSnapshot config, store_->LoadConfig());
    std::vector<Decision> decisions;
    std::vector<std::string> text_accounts;
    std::vector<PlannedFile> files;
    std::map<std::pair<std::string, std::string>, uint32_t> file_index;  // (agreement, date)
    std::map<int64_t, uint64_t> reports;  // intake file -> its payments decided now
    Status failed;
    std::vector<int64_t> cheque_ids;
    NKS_RETURN_IF_ERROR(store_->ScanDuePayments(report->last_payout_date, [&](const store::DuePayment& p) {
      auto authority = std::find_if(config.authorities.begin(), config.authorities.end(),
                                    [&](const auto& a) { return a.nks == p.authority; });
      if (authority == config.authorities.end()) {
        failed = Status::Corruption(fmt::format("payment {}: authority {} is not configured", p.id, p.authority));
        return false;
      }
      Decision d;
      d.id = p.id;
      d.file_id = p.file_id;
      if (!p.creditor_account.empty()) {
        d.text_account = static_cast<uint32_t>(text_accounts.size());
        text_accounts.push_back(p.creditor_account);
        d.resolution = "complete";
      } else {
        auto id = RecipientId::FromKey(p.recipient);
        if (!id.ok()) {
          failed = id.status();
          return false;
        }
        auto date = ParseDate(p.payout_date);
        if (!date.ok()) {
          failed = Status::Corruption(fmt::format("payment {}: payout date: {}", p.id, date.status().message()));
          return false;
        }
        reg::Resolution r = index->Resolve(*id, p.authority, p.benefit_type, *date);
        if (r.kind != reg::ResolutionKind::kUnresolved) {
          d.account = r.account;
          d.resolution = reg::ResolutionKindName(r.kind);
        }
      }
      if (d.resolution.empty()) {  // unresolved: the authority's policy
        switch (authority->policy) {
          case store::FailedPaymentPolicy::kErrorAccount:
            d.text_account = static_cast<uint32_t>(text_accounts.size());
            text_accounts.push_back(authority->error_account);
            d.resolution = "error-account";
            d.reason = "NK07";
            ++report->to_error_account;
            break;
          case store::FailedPaymentPolicy::kCheque:
            d.status = PaymentStatus::kFailed;
            d.reason = "NK06";
            cheque_ids.push_back(p.id);
            ++report->cheques;
            break;
          case store::FailedPaymentPolicy::kReturn:
            d.status = PaymentStatus::kFailed;
            d.reason = "NK03";
            ++report->returned;
            break;
        }
      }
      if (d.status == PaymentStatus::kForwarded) {
        auto [it, added] = file_index.try_emplace({p.bank_agreement, p.payout_date},
                                                  static_cast<uint32_t>(files.size()));
        if (added) files.push_back(PlannedFile{p.bank_agreement, p.payout_date, p.authority, 0, 0, 0});
        PlannedFile& f = files[it->second];
        ++f.count;
        f.sum_ore += p.amount_ore;
        d.bank_file = it->second;
      }
      if (p.file_id != 0 && p.system != kNksSystem) ++reports[p.file_id];
      decisions.push_back(d);
      return true;
    }));
    NKS_RETURN_IF_ERROR(failed);
    for (int64_t id : cheque_ids) {  // the letter needs the whole payment
      NKS_ASSIGN_OR_RETURN(std::optional<Payment> p, store_->GetPayment(id));
      if (!p) return Status::Corruption(fmt::format("payment {} is missing", id));
      p->status = PaymentStatus::kFailed;
      p->outcome_reason = "NK06";
      // Staged in this transaction; sent once it commits (cheque.h).
      NKS_RETURN_IF_ERROR(StageChequeLetter(*store_, *p, now, options_.cheque_dir, ChequeCause::kNoAccount));
    }

    for (PlannedFile& planned : files) {
      auto agreement = std::find_if(config.bank_agreements.begin(), config.bank_agreements.end(), [&](const auto& b) {
        return b.authority == planned.authority && b.number == planned.agreement;
      });
      auto authority = std::find_if(config.authorities.begin(), config.authorities.end(),
                                    [&](const auto& a) { return a.nks == planned.authority; });
      if (agreement == config.bank_agreements.end()) {
        return Status::Corruption(fmt::format("bank agreement {} is not configured", planned.agreement));
      }
      NKS_ASSIGN_OR_RETURN(uint64_t earlier, store_->CountBankFiles(planned.agreement, planned.date));
      store::BankFile f;
      f.msg_id = BankMsgId(planned.agreement, planned.date, earlier + 1);
      f.authority = planned.authority;
      f.bank_agreement = planned.agreement;
      f.payout_date = planned.date;
      f.created_us = now.time_since_epoch().count();
      f.path = (options_.bank_dir / text::FileNamePart(planned.agreement) / (f.msg_id + ".xml")).string();
      f.authority_name = authority->name;
      f.debit_account = agreement->account;
      f.debit_bank = agreement->bank;
      f.tx_count = planned.count;
      f.ctrl_sum_ore = planned.sum_ore;
      NKS_RETURN_IF_ERROR(store_->AddBankFile(&f));
      planned.id = f.id;
      report->forwarded += planned.count;
    }

    std::map<int64_t, int64_t> report_ids;  // intake file -> its follow-up report
    for (const auto& [file_id, count] : reports) {
      NKS_ASSIGN_OR_RETURN(std::optional<store::IntakeFile> intake, store_->GetIntakeFile(file_id));
      if (!intake) return Status::Corruption(fmt::format("intake file {} is missing", file_id));
      store::StatusReport r = PlanStatusReport(options_.status_dir, *intake, count, now.time_since_epoch().count());
      NKS_RETURN_IF_ERROR(store_->AddStatusReport(&r));
      report_ids[file_id] = r.id;
    }

    std::vector<store::PaymentOutcome> outcomes;
    outcomes.reserve(std::min(decisions.size(), kOutcomesPerBatch));
    for (size_t i = 0; i < decisions.size(); ++i) {
      const Decision& d = decisions[i];
      store::PaymentOutcome& o = outcomes.emplace_back();
      o.id = d.id;
      o.status = d.status;
      if (d.bank_file != Decision::kNone) o.bank_file_id = files[d.bank_file].id;
      if (d.text_account != Decision::kNone) {
        o.resolved_account = text_accounts[d.text_account];
      } else if (d.account != 0) {
        o.resolved_account = index->Decode(d.account).ToString();
      }
      o.resolution = d.resolution;
      o.outcome_reason = d.reason;
      auto r = report_ids.find(d.file_id);
      if (r != report_ids.end()) o.report_id = r->second;
      if (outcomes.size() == kOutcomesPerBatch || i + 1 == decisions.size()) {
        NKS_RETURN_IF_ERROR(store_->AddPaymentOutcomes(outcomes));
        outcomes.clear();
      }
    }
    // Every payment due has its outcome now: their groups stop waiting.
    return store_->CloseDueGroups(report->last_payout_date);
  });
}

}  // namespace nks::payments
