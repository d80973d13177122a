#include "nks/payments/cutoff.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "nks/core/calendar.h"
#include "nks/core/money.h"
#include "nks/iso20022/pain001_writer.h"
#include "nks/payments/cheque.h"

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

std::string SafeDirName(const std::string& agreement) {
  std::string out;
  for (char c : agreement) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_');
  return out;
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
  NKS_RETURN_IF_ERROR(store.ScanBankFilePayments(file.id, [&](const Payment& p) {
    auto account = Account::Parse(p.resolved_account);
    auto amount = AmountOre::Of(p.amount_ore);
    if (!account.ok() || !amount.ok()) {
      failed = Status::Corruption(fmt::format("payment {}: stored account or amount is invalid", p.id));
      return false;
    }
    iso20022::BankFileTransaction tx{fmt::format("NKS{}", p.id), p.end_to_end, *amount, p.currency,
                                     p.benefit_type, p.creditor_name, *account, p.remittance};
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
  NKS_ASSIGN_OR_RETURN(auto unwritten, store_->UnwrittenBankFiles());
  for (const auto& f : unwritten) {
    NKS_RETURN_IF_ERROR(WriteBankFile(*store_, f, options_.nks_id));
    NKS_RETURN_IF_ERROR(store_->MarkBankFileWritten(f.id));
    ++report.rewritten;
    report.bank_files.push_back(f.path);
  }
  std::vector<Payment> cheques;
  NKS_RETURN_IF_ERROR(Plan(now, &report, &cheques));
  NKS_ASSIGN_OR_RETURN(unwritten, store_->UnwrittenBankFiles());
  for (const auto& f : unwritten) {
    NKS_RETURN_IF_ERROR(WriteBankFile(*store_, f, options_.nks_id));
    NKS_RETURN_IF_ERROR(store_->MarkBankFileWritten(f.id));
    report.bank_files.push_back(f.path);
  }
  for (const Payment& p : cheques) NKS_RETURN_IF_ERROR(WriteCheque(p, now));
  return report;
}

Status Cutoff::Plan(Instant now, CutoffReport* report, std::vector<Payment>* cheques) {
  // Due: every payout date before the first one whose cut-off is ahead.
  Date first_open = EarliestPayoutDate(now);
  Date last_due = std::chrono::sys_days(first_open) - std::chrono::days(1);
  report->last_payout_date = FormatDate(last_due);
  return store_->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(reg_->CatchUp());  // the register as it is now
    NKS_ASSIGN_OR_RETURN(const reg::ResolutionIndex* index, reg_->Index());
    NKS_ASSIGN_OR_RETURN(store::ConfigSnapshot config, store_->LoadConfig());
    std::vector<Payment> due;
    NKS_RETURN_IF_ERROR(store_->ScanDuePayments(report->last_payout_date, [&](const Payment& p) {
      due.push_back(p);
      return true;
    }));
    // (bank agreement, payout date) -> the payments forwarded in its file
    std::map<std::pair<std::string, std::string>, std::vector<Payment*>> files;
    for (Payment& p : due) {
      auto authority = std::find_if(config.authorities.begin(), config.authorities.end(),
                                    [&](const auto& a) { return a.nks == p.authority; });
      if (authority == config.authorities.end()) {
        return Status::Corruption(fmt::format("payment {}: authority {} is not configured", p.id, p.authority));
      }
      if (!p.creditor_account.empty()) {
        p.resolved_account = p.creditor_account;
        p.resolution = "complete";
      } else {
        NKS_ASSIGN_OR_RETURN(RecipientId id, RecipientId::FromKey(p.recipient));
        reg::Resolution r = index->Resolve(id, p.authority, p.benefit_type, *ParseDate(p.payout_date));
        if (r.kind != reg::ResolutionKind::kUnresolved) {
          p.resolved_account = index->Decode(r.account).ToString();
          p.resolution = std::string(reg::ResolutionKindName(r.kind));
        }
      }
      if (p.resolved_account.empty()) {
        switch (authority->policy) {
          case store::FailedPaymentPolicy::kErrorAccount:
            p.resolved_account = authority->error_account;
            p.resolution = "error-account";
            p.outcome_reason = "NK07";
            ++report->to_error_account;
            break;
          case store::FailedPaymentPolicy::kCheque:
            p.status = PaymentStatus::kFailed;
            p.outcome_reason = "NK06";
            cheques->push_back(p);
            ++report->cheques;
            break;
          case store::FailedPaymentPolicy::kReturn:
            p.status = PaymentStatus::kFailed;
            p.outcome_reason = "NK03";
            ++report->returned;
            break;
        }
      }
      if (p.status == PaymentStatus::kFailed) {
        NKS_RETURN_IF_ERROR(store_->SetPaymentOutcome(p));
        continue;
      }
      files[{p.bank_agreement, p.payout_date}].push_back(&p);
    }
    for (auto& [key, list] : files) {
      const auto& [agreement_number, date] = key;
      const Payment& first = *list.front();
      auto agreement = std::find_if(config.bank_agreements.begin(), config.bank_agreements.end(), [&](const auto& b) {
        return b.authority == first.authority && b.number == agreement_number;
      });
      auto authority = std::find_if(config.authorities.begin(), config.authorities.end(),
                                    [&](const auto& a) { return a.nks == first.authority; });
      if (agreement == config.bank_agreements.end()) {
        return Status::Corruption(fmt::format("bank agreement {} is not configured", agreement_number));
      }
      NKS_ASSIGN_OR_RETURN(uint64_t earlier, store_->CountBankFiles(agreement_number, date));
      store::BankFile f;
      f.msg_id = BankMsgId(agreement_number, date, earlier + 1);
      f.authority = first.authority;
      f.bank_agreement = agreement_number;
      f.payout_date = date;
      f.created_us = now.time_since_epoch().count();
      f.path = (options_.bank_dir / SafeDirName(agreement_number) / (f.msg_id + ".xml")).string();
      f.authority_name = authority->name;
      f.debit_account = agreement->account;
      f.debit_bank = agreement->bank;
      for (const Payment* p : list) {
        ++f.tx_count;
        f.ctrl_sum_ore += p->amount_ore;
      }
      NKS_RETURN_IF_ERROR(store_->AddBankFile(&f));
      for (Payment* p : list) {
        p->status = PaymentStatus::kForwarded;
        p->bank_file_id = f.id;
        NKS_RETURN_IF_ERROR(store_->SetPaymentOutcome(*p));
      }
      report->forwarded += list.size();
    }
    // Every payment due has its outcome now: their groups stop waiting.
    return store_->CloseDueGroups(report->last_payout_date);
  });
}

// Policy CHEQUE: the cover letter is shared with bank reports (cheque.h).
Status Cutoff::WriteCheque(const Payment& p, Instant now) {
  return WriteChequeLetter(*store_, p, now, options_.cheque_dir, ChequeCause::kNoAccount);
}

}  // namespace nks::payments
