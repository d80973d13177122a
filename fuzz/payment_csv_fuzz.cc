// Fuzzes the CSV payment layout's reader (payments/csv_source) on text in
// memory: whatever the bytes, it ends, calls the visitor in a valid order,
// hands over only fields of the documented form, and fails only with an
// invalid-argument error naming the file and a line, CPR numbers masked.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nks/core/ids.h"
#include "nks/payments/csv_source.h"

namespace {

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "payment_csv_fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

bool Printable(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return true;
}

class Checker final : public nks::payments::IncomingVisitor {
 public:
  nks::Status OnHeader(const nks::payments::IncomingHeader& h) override {
    Require(!header_ && groups_ == 0, "OnHeader not first or twice");
    header_ = true;
    Require(!h.msg_id.empty() && h.msg_id.size() <= 4 * nks::payments::kCsvId35CharsMax,
            "msg_id form");
    Require(Printable(h.msg_id) && Printable(h.initiating_system), "header control character");
    return nks::Status::Ok();
  }
  nks::Status OnGroup(const nks::payments::IncomingGroup& g) override {
    Require(header_ && !totals_, "OnGroup out of order");
    Require(g.line > 0 && g.line >= last_line_, "group line");
    Require(!g.authority.empty() && !g.payout_date.empty() && g.payout_date.size() == 10,
            "group fields");
    ++groups_;
    return nks::Status::Ok();
  }
  nks::Status OnPayment(const nks::payments::IncomingPayment& p) override {
    Require(groups_ > 0 && !totals_, "OnPayment out of order");
    Require(p.line > last_line_, "payment lines do not increase");
    last_line_ = p.line;
    Require(!p.end_to_end.empty() && !p.amount.empty() && p.currency.size() == 3, "payment fields");
    Require(Printable(p.remittance) && Printable(p.creditor_name) && Printable(p.recipient_id),
            "control character");
    Require(p.recipient_scheme.empty() == p.recipient_id.empty(), "recipient scheme without id");
    ++payments_;
    return nks::Status::Ok();
  }
  nks::Status OnFileTotals(bool count_matches, bool sum_matches) override {
    (void)count_matches;
    (void)sum_matches;
    Require(header_ && !totals_, "OnFileTotals out of order");
    totals_ = true;
    return nks::Status::Ok();
  }
  bool totals() const { return totals_; }

 private:
  bool header_ = false;
  bool totals_ = false;
  uint64_t groups_ = 0;
  uint64_t payments_ = 0;
  uint64_t last_line_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Checker checker;
  const nks::Status st = nks::payments::ReadPaymentCsvText(text, "fuzz.csv", checker);
  if (st.ok()) {
    Require(checker.totals(), "a good file without its totals");
    return 0;
  }
  Require(st.code() == nks::Code::kInvalidArgument, "an error other than invalid argument");
  Require(!checker.totals(), "an error after the totals");
  Require(st.message().rfind("fuzz.csv:", 0) == 0, "the error does not name the file");
  Require(nks::MaskCprsIn(st.message()) == st.message(), "an unmasked CPR number in an error");
  return 0;
}
