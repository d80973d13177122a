// Cut-off and forwarding (SPEC §5.3), exactly once.
//
// A run first finishes any bank file an earlier run planned but did not
// write (a crash), then plans: in ONE transaction it resolves every pending
// payment whose cut-off has passed against the register as it is now,
// assigns each forwarded payment to one bank file per (bank agreement,
// payout date) with a deterministic MsgId, applies the failed-payment policy
// to the unresolved ones, and records all of it. Only then are the bank
// files written, from the recorded rows, in id order: writing one again
// gives the same bytes. So a payment is in exactly one bank file whatever
// instant the process dies at.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/register/register.h"
#include "nks/store/store.h"

namespace nks::payments {

struct CutoffOptions {
  std::filesystem::path bank_dir;    // bank files: bank_dir/AGREEMENT/MSGID.xml
  std::filesystem::path cheque_dir;  // cheque orders and cover letters (policy CHEQUE)
  std::filesystem::path status_dir;  // follow-up status reports: status_dir/SYSTEM/
  std::string nks_id = "NKS";
};

struct CutoffReport {
  std::string last_payout_date;  // payments up to this date were due
  uint64_t forwarded = 0;
  uint64_t to_error_account = 0;
  uint64_t returned = 0;
  uint64_t cheques = 0;
  uint64_t rewritten = 0;  // bank files planned before and written now
  std::vector<std::string> bank_files;
  std::vector<std::string> status_reports;  // follow-ups to the senders
};

// Writes (again) a planned bank file from its recorded payments.
Status WriteBankFile(store::Store& store, const store::BankFile& file, const std::string& nks_id);

class Cutoff {
 public:
  Cutoff(store::Store* store, reg::Register* reg, const Clock* clock, CutoffOptions options)
      : store_(store), reg_(reg), clock_(clock), options_(std::move(options)) {}

  Result<CutoffReport> Run();

 private:
  // Decides every due payment in one transaction (and stages the cheque
  // letters of those failed under policy CHEQUE in it).
  Status Plan(Instant now, CutoffReport* report);
  // Writes every planned, unwritten bank file and follow-up report and marks
  // them written; adds the number of bank files to `*bank_files_counted`.
  Status WriteUnwritten(CutoffReport* report, uint64_t* bank_files_counted);

  store::Store* store_;
  reg::Register* reg_;
  const Clock* clock_;
  CutoffOptions options_;
};

}  // namespace nks::payments
