#include "nks/payments/pain001_source.h"

#include <fmt/format.h>

#include "nks/iso20022/pain001_reader.h"

namespace nks::payments {
namespace {

using iso20022::DecimalAmount;

// A CtrlSum that is not a whole number of øre can match no sum of valid
// amounts: -1 makes the comparison fail.
std::optional<int64_t> SumOre(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = DecimalAmount::Parse(text);
  if (!d) return -1;
  return d->WholeOre().value_or(-1);
}

class Adapter final : public iso20022::Pain001Visitor {
 public:
  explicit Adapter(IncomingVisitor& to) : to_(to) {}

  Status OnHeader(const iso20022::Pain001Header& h) override {
    IncomingHeader out;
    out.msg_id = h.msg_id;
    out.initiating_system = h.initiating_system;
    out.transaction_count = h.declared.tx_count.value_or(0);
    out.control_sum_ore = SumOre(h.declared.ctrl_sum);
    declared_ = h.declared;
    return to_.OnHeader(out);
  }

  Status OnGroup(const iso20022::Pain001Group& g) override {
    IncomingGroup out;
    out.line = g.line;
    out.pmt_inf_id = g.pmt_inf_id;
    out.authority = g.authority == 0 ? std::string() : std::to_string(g.authority);
    out.bank_agreement = g.bank_agreement;
    out.los = g.los_unit;
    out.payout_date = g.payout_date ? FormatDate(*g.payout_date) : std::string();
    out.debtor_account = g.debtor_account ? g.debtor_account->ToString() : g.debtor_account_text;
    out.debtor_bank = g.debtor_agent_bic;
    out.transaction_count = g.declared.tx_count;
    out.control_sum_ore = SumOre(g.declared.ctrl_sum);
    return to_.OnGroup(out);
  }

  Status OnTransaction(const iso20022::Pain001Group&, const iso20022::Pain001Transaction& t) override {
    IncomingPayment out;
    out.line = t.line;
    out.end_to_end = t.end_to_end_id;
    // The reader normalises valid amounts ("+0100.5" is 100.50); others stay as
    // written for intake to refuse (AM12).
    out.amount = t.amount ? t.amount->ToDecimal() : t.amount_text;
    out.currency = t.currency;
    out.benefit_type = t.benefit_type;
    out.recipient_scheme = t.recipient_scheme;
    out.recipient_id = t.recipient_id_text;
    out.creditor_account = t.creditor_account_text;
    out.creditor_bic = t.creditor_bic;
    out.remittance = t.remittance_text;
    return to_.OnPayment(out);
  }

  Status OnGroupEnd(const iso20022::Pain001Group& g, const iso20022::Pain001Totals& read) override {
    return to_.OnGroupTotals(iso20022::CountMatches(g.declared, read), iso20022::SumMatches(g.declared, read));
  }

  Status OnRestart() override {
    declared_ = iso20022::Pain001Declared{};
    return to_.OnRestart();
  }

 private:
  IncomingVisitor& to_;

 public:
  iso20022::Pain001Declared declared_;
};

Result<iso20022::Pain001Totals> ReadInto(const std::string& path, iso20022::Pain001Visitor& visitor,
                                         iso20022::Pain001ReadMode mode) {
  NKS_ASSIGN_OR_RETURN(iso20022::Pain001Reader reader, iso20022::Pain001Reader::Open(path));
  return reader.Read(visitor, mode);
}

}  // namespace

Status ReadPain001(const std::string& path, IncomingVisitor& visitor) {
  return ReadPain001With(path, visitor, iso20022::Pain001ReadMode::kAuto);
}

Status ReadPain001With(const std::string& path, IncomingVisitor& visitor,
                       iso20022::Pain001ReadMode mode) {
  using iso20022::Pain001ReadMode;
  Adapter adapter(visitor);
  Pain001ReadMode feed_mode = mode;
  if (mode == Pain001ReadMode::kAuto && !visitor.OnRestart().ok()) {
    // Nothing may be taken back: check first, with a visitor that keeps
    // nothing; a valid file costs a second fast pass (still ~10x exact).
    iso20022::Pain001Visitor discard;
    Result<iso20022::Pain001Totals> check = ReadInto(path, discard, Pain001ReadMode::kFast);
    const bool fast_decides = check.ok() || check.status().code() != Code::kUnavailable;
    feed_mode = fast_decides ? Pain001ReadMode::kFast : Pain001ReadMode::kExact;
  }
  NKS_ASSIGN_OR_RETURN(iso20022::Pain001Totals totals, ReadInto(path, adapter, feed_mode));
  return visitor.OnFileTotals(iso20022::CountMatches(adapter.declared_, totals),
                              iso20022::SumMatches(adapter.declared_, totals));
}

}  // namespace nks::payments
