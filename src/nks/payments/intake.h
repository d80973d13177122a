// Intake (SPEC §5.1): a payment system's file is checked whole and payment
// by payment; the accepted payments are stored durably, with the file's
// record, before NKS answers with a pain.002 status report in
// DATA/outbox/status/SYSTEM/. A re-sent file (same MsgId, same bytes) gets
// the original answer and changes nothing.
#pragma once

#include <functional>

#include <filesystem>
#include <string>
#include <vector>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/payments/incoming.h"
#include "nks/registry/recipients.h"
#include "nks/store/store.h"

namespace nks::payments {

struct IntakeOptions {
  std::filesystem::path status_dir;  // reports go to status_dir/SYSTEM/
  std::string nks_id = "NKS";        // InitgPty of NKS's own messages
  // Where the registers' recipient set is cached (recipients.snap); empty:
  // read from the store every time.
  std::filesystem::path cache_dir;
};

struct IntakeResult {
  std::string msg_id;
  std::string group_status;  // ACCP, PART, RJCT
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::string report;  // the pain.002
  bool replayed = false;  // the answer given to this file before
};

class Intake {
 public:
  // `store` and `clock` must outlive the intake.
  Intake(store::Store* store, const Clock* clock, IntakeOptions options)
      : store_(store), clock_(clock), options_(std::move(options)) {}

  // Takes in `path` from `system` (the authenticated sender).
  // `in_transaction`, when given, runs inside the transaction that stores a
  // taken file (the API's audit entry); its error rolls the file back.
  Result<IntakeResult> Submit(const std::string& system, const std::string& path,
                              const IncomingReader& reader,
                              const std::function<Status()>& in_transaction = {});

 private:
  Status PrepareOnce();
  Status RecoverStagedReports(const std::filesystem::path& dir, const std::string& system);

  store::Store* store_;
  const Clock* clock_;
  IntakeOptions options_;
  bool prepared_ = false;
  registry::RecipientSet recipients_;  // who the registers know
  store::ConfigSnapshot config_;
};

}  // namespace nks::payments
