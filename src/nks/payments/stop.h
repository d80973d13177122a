// Stopping a pending payment (SPEC §5.3): possible until it is forwarded.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/store/store.h"

namespace nks::payments {

// Stops the payment `end_to_end` of `system`. Refused with "already
// forwarded" once it is in a bank file; serialised against the cut-off by
// the store's write lock, so a payment is never both stopped and forwarded.
// Stops a pending payment; the sender is told (CANC) in a follow-up status
// report in status_dir/SYSTEM/, whose path goes to `report` when given.
// `in_transaction`, when given, runs inside the stop's transaction (the
// API's audit entry); its error rolls the stop back.
Status StopPayment(store::Store& store, const std::string& system, const std::string& end_to_end,
                   const std::filesystem::path& status_dir, Instant now, const std::string& nks_id = "NKS",
                   std::string* report = nullptr, const std::function<Status()>& in_transaction = {});

}  // namespace nks::payments
