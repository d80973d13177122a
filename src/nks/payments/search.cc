#include "nks/payments/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "nks/core/codes.h"
#include "nks/core/ids.h"
#include "nks/core/money.h"
#include "nks/core/time.h"

namespace nks::payments {
namespace {

using store::PaymentQuery;
using store::PaymentStatus;

// The message of `st` under the option it came from: "--to: ...".
Status ForOption(std::string_view option, const Status& st) {
  return Status(st.code(), fmt::format("{}: {}", option, st.message()));
}

Result<std::optional<std::string>> ParseText(std::string_view option, const std::string& text) {
  if (text.empty()) return std::optional<std::string>();
  if (text.size() > kSearchTextBytesMax) {
    return Status::Invalid(fmt::format("{}: longer than {} bytes", option, kSearchTextBytesMax));
  }
  return std::optional<std::string>(text);
}

// Digits only, within [1, max]; `what` says what the number is.
Result<uint64_t> ParseCount(std::string_view option, std::string_view text, uint64_t max,
                            std::string_view what) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return Status::Invalid(fmt::format("{}: write {} as a whole number from 1 to {}", option, what, max));
  }
  return value;
}

Result<std::optional<std::string>> ParseDay(std::string_view option, const std::string& text) {
  if (text.empty()) return std::optional<std::string>();
  auto date = ParseDate(text);
  if (!date.ok()) return Status::Invalid(fmt::format("{}: write the payout date as YYYY-MM-DD", option));
  return std::optional<std::string>(FormatDate(*date));
}

// Kroner as "1234.56", "1234,56" or "1.234,56" (a comma makes '.' a
// thousands separator, as Danes write it).
Result<std::optional<int64_t>> ParseKroner(std::string_view option, const std::string& text) {
  if (text.empty()) return std::optional<int64_t>();
  std::string decimal = text;
  if (decimal.find(',') != std::string::npos) {
    std::erase(decimal, '.');
    std::replace(decimal.begin(), decimal.end(), ',', '.');
  }
  auto amount = AmountOre::ParseDecimal(decimal);
  if (!amount.ok()) {
    return Status::Invalid(fmt::format(
        "{}: write kroner as 1234.56, 1234,56 or 1.234,56 (at most two decimals, above 0)", option));
  }
  return std::optional<int64_t>(amount->ore());
}

Result<std::optional<PaymentStatus>> ParseStatus(const std::string& text) {
  if (text.empty()) return std::optional<PaymentStatus>();
  for (PaymentStatus s : {PaymentStatus::kPending, PaymentStatus::kStopped, PaymentStatus::kForwarded,
                          PaymentStatus::kSettled, PaymentStatus::kFailed}) {
    if (text == store::PaymentStatusName(s)) return std::optional<PaymentStatus>(s);
  }
  return Status::Invalid("--status: one of pending, stopped, forwarded, settled, failed");
}

Result<std::optional<uint64_t>> ParseRecipient(const std::string& text) {
  if (text.empty()) return std::optional<uint64_t>();
  auto id = RecipientId::ParseTagged(text);  // its errors never echo CPR digits
  if (!id.ok()) {
    return Status::Invalid(fmt::format(
        "--recipient: {} (write cpr:DDMMYY-SSSS, cvr:NNNNNNNN, se:NNNNNNNN or p:NNNNNNNNNN)",
        MaskCprsIn(id.status().message())));
  }
  return std::optional<uint64_t>(id->key());
}

// The one authority that has a unit `id`, or an error saying why not.
Result<uint32_t> AuthorityOfUnit(const std::vector<store::LosUnit>& units, const std::string& id) {
  std::set<uint32_t> owners;
  for (const auto& u : units) {
    if (u.id == id) owners.insert(u.authority);
  }
  if (owners.empty()) return Status::NotFound(fmt::format("--los: no LOS unit {} is configured", id));
  if (owners.size() > 1) {
    return Status::Invalid(
        fmt::format("--los: {} authorities have a LOS unit {}; give --authority", owners.size(), id));
  }
  return *owners.begin();
}

// Sets query->authority (if not given) and query->los from the unit's subtree.
Status ResolveLos(store::Store& store, const std::string& los, PaymentQuery* query) {
  NKS_ASSIGN_OR_RETURN(auto text, ParseText("--los", los));
  if (!text) return Status::Ok();
  NKS_ASSIGN_OR_RETURN(store::ConfigSnapshot config, store.LoadConfig());
  if (!query->authority) {
    NKS_ASSIGN_OR_RETURN(query->authority, AuthorityOfUnit(config.los_units, *text));
  }
  auto subtree = LosSubtree(config.los_units, *query->authority, *text);
  if (!subtree.ok()) return ForOption("--los", subtree.status());
  if (subtree->size() > PaymentQuery::kLosUnitsMax) {
    return Status::Invalid(fmt::format("--los: {} holds {} units, more than {} in one search", *text,
                                       subtree->size(), PaymentQuery::kLosUnitsMax));
  }
  query->los = std::move(subtree).value();
  return Status::Ok();
}

Status ParseAmounts(const SearchRequest& r, PaymentQuery* q) {
  NKS_ASSIGN_OR_RETURN(q->amount_min_ore, ParseKroner("--amount-min", r.amount_min));
  NKS_ASSIGN_OR_RETURN(q->amount_max_ore, ParseKroner("--amount-max", r.amount_max));
  if (q->amount_min_ore && q->amount_max_ore && *q->amount_min_ore > *q->amount_max_ore) {
    return Status::Invalid("--amount-min: above --amount-max");
  }
  return Status::Ok();
}

Status ParseDates(const SearchRequest& r, PaymentQuery* q) {
  NKS_ASSIGN_OR_RETURN(q->from_payout_date, ParseDay("--from", r.from));
  NKS_ASSIGN_OR_RETURN(q->to_payout_date, ParseDay("--to", r.to));
  // Canonical YYYY-MM-DD text sorts as the dates do.
  if (q->from_payout_date && q->to_payout_date && *q->from_payout_date > *q->to_payout_date) {
    return Status::Invalid("--from: after --to");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> LosSubtree(const std::vector<store::LosUnit>& units,
                                            uint32_t authority, const std::string& root) {
  auto is_root = [&](const store::LosUnit& u) { return u.authority == authority && u.id == root; };
  if (std::none_of(units.begin(), units.end(), is_root)) {
    return Status::NotFound(fmt::format("authority {} has no LOS unit {}", authority, root));
  }
  std::multimap<std::string_view, std::string_view> children;  // parent -> unit
  for (const auto& u : units) {
    if (u.authority == authority && !u.parent.empty()) children.emplace(u.parent, u.id);
  }
  // Breadth first, without recursion; `seen` stops a cycle in bad data.
  std::vector<std::string> out = {root};
  std::set<std::string_view> seen = {root};
  for (size_t next = 0; next < out.size(); ++next) {
    const std::string parent = out[next];
    auto [first, last] = children.equal_range(parent);
    for (auto it = first; it != last; ++it) {
      if (seen.insert(it->second).second) out.emplace_back(it->second);
    }
  }
  return out;
}

Result<PaymentQuery> ParseSearch(store::Store& store, const SearchRequest& r) {
  PaymentQuery q;
  if (!r.authority.empty()) {
    auto nks = ParseAgreementNumber(r.authority);
    if (!nks.ok()) return ForOption("--authority", nks.status());
    q.authority = *nks;
  }
  NKS_ASSIGN_OR_RETURN(q.recipient, ParseRecipient(r.recipient));
  NKS_RETURN_IF_ERROR(ParseDates(r, &q));
  NKS_RETURN_IF_ERROR(ParseAmounts(r, &q));
  NKS_ASSIGN_OR_RETURN(q.benefit_type, ParseText("--benefit", r.benefit));
  NKS_ASSIGN_OR_RETURN(q.status, ParseStatus(r.status));
  NKS_ASSIGN_OR_RETURN(q.system, ParseText("--system", r.system));
  NKS_ASSIGN_OR_RETURN(q.end_to_end, ParseText("--end-to-end", r.end_to_end));
  if (!r.limit.empty()) {
    NKS_ASSIGN_OR_RETURN(uint64_t limit, ParseCount("--limit", r.limit, PaymentQuery::kLimitMax,
                                                    "the most payments to show"));
    q.limit = static_cast<uint32_t>(limit);
  }
  // Last: it reads the configuration only for input that is otherwise good.
  NKS_RETURN_IF_ERROR(ResolveLos(store, r.los, &q));
  return q;
}

Result<std::vector<store::Payment>> SearchPayments(store::Store& store, const SearchRequest& request) {
  NKS_ASSIGN_OR_RETURN(PaymentQuery query, ParseSearch(store, request));
  return SearchPayments(store, query);
}

Result<std::vector<store::Payment>> SearchPayments(store::Store& store, const PaymentQuery& query) {
  std::vector<store::Payment> out;
  NKS_RETURN_IF_ERROR(store.SearchPayments(query, [&](const store::Payment& p) {
    out.push_back(p);
    return true;
  }));
  NKS_CHECK(out.size() <= query.limit);
  return out;
}

}  // namespace nks::payments
