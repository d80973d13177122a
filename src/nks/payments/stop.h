// Stopping a pending payment (SPEC §5.3): possible until it is forwarded.
#pragma once

#include <string>

#include "nks/core/status.h"
#include "nks/store/store.h"

namespace nks::payments {

// Stops the payment `end_to_end` of `system`. Refused with "already
// forwarded" once it is in a bank file; serialised against the cut-off by
// the store's write lock, so a payment is never both stopped and forwarded.
Status StopPayment(store::Store& store, const std::string& system, const std::string& end_to_end);

}  // namespace nks::payments
