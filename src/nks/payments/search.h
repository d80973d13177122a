// Payment search and tracing (SPEC §5.5): a caseworker finds the pending
// and completed payments of their LOS units and sees which account each went
// to and why, to answer "I did not get my money".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nks/core/status.h"
#include "nks/store/store.h"

namespace nks::payments {

// A search as typed on the command line (or a form): each field is the text
// given, empty when not given. Every filter given must match.
struct SearchRequest {
  std::string authority;   // NKS agreement number
  std::string los;         // LOS unit id: the unit and every unit below it
  std::string recipient;   // cpr:DDMMYY-SSSS, cvr:NNNNNNNN, se:NNNNNNNN or p:NNNNNNNNNN
  std::string from;        // first payout date, YYYY-MM-DD
  std::string to;          // last payout date, YYYY-MM-DD
  std::string amount_min;  // kroner: 1234.56 or 1234,56
  std::string amount_max;
  std::string benefit;     // benefit type code
  std::string status;      // pending, stopped, forwarded, settled or failed
  std::string system;      // payment system id
  std::string end_to_end;  // EndToEndId
  std::string limit;       // 1..PaymentQuery::kLimitMax; default kLimitDefault
};

// A filter text longer than this is refused (no id or code is near it).
constexpr size_t kSearchTextBytesMax = 256;

// Parses `request` into a store query. A LOS unit is expanded to its
// subtree from the configuration; without --authority its id must name a
// unit of exactly one authority. Errors name the option: "--amount-min: ...".
Result<store::PaymentQuery> ParseSearch(store::Store& store, const SearchRequest& request);

// The payments matching `request` (or a parsed `query`), newest payout date
// first, at most its limit.
Result<std::vector<store::Payment>> SearchPayments(store::Store& store, const SearchRequest& request);
Result<std::vector<store::Payment>> SearchPayments(store::Store& store, const store::PaymentQuery& query);

// The unit `root` of `authority` and every unit below it, root first.
// NotFound when the authority has no such unit.
Result<std::vector<std::string>> LosSubtree(const std::vector<store::LosUnit>& units,
                                            uint32_t authority, const std::string& root);

}  // namespace nks::payments
