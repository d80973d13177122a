// Fuzzes the pain.001 reader (Pain001Reader, with ScanProlog in front of
// libxml2) on whole files, both ways: the fast reader must give up
// (kUnavailable) or accept exactly what the exact reader accepts, with the
// same visitor calls, field for field. The reader takes a path and reads it through a
// file descriptor, so the input goes into one memfd per process, opened as
// /proc/self/fd/N: no disk I/O per run.
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "nks/iso20022/pain001_reader.h"
#include "nks/iso20022/xml_prolog.h"

namespace {

using nks::Status;
using namespace nks::iso20022;

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "pain001_fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

// Touches everything handed over and checks the header's promises.
class CheckingVisitor : public Pain001Visitor {
 public:
  Status OnHeader(const Pain001Header& header) override {
    Require(!seen_header_, "OnHeader twice");
    seen_header_ = true;
    bytes_ += header.msg_id.size() + header.created.size() + header.initiating_system.size();
    transcript_ += fmt::format("H{}|{}|{}|{}|{}|{}\n", header.line, header.msg_id, header.created,
                               header.declared.tx_count.value_or(~0ull), header.declared.ctrl_sum,
                               header.initiating_system);
    return Status::Ok();
  }
  Status OnGroup(const Pain001Group& group) override {
    Require(seen_header_, "OnGroup before OnHeader");
    Require(!in_group_, "OnGroup inside a group");
    Require(group.index == groups_ + 1, "PmtInf index out of order");
    in_group_ = true;
    ++groups_;
    tx_in_group_ = 0;
    if (group.debtor_account) bytes_ += group.debtor_account->ToString().size();
    for (const auto& e : group.errors) bytes_ += Pain001FieldName(e.field).size() + e.message.size();
    transcript_ += fmt::format(
        "G{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", group.index, group.line, group.pmt_inf_id,
        group.declared.tx_count.value_or(~0ull), group.declared.ctrl_sum, group.authority,
        group.bank_agreement, group.los_unit,
        group.payout_date ? nks::FormatDate(*group.payout_date) : "-", group.debtor_account_text,
        group.debtor_account ? group.debtor_account->ToString() : "-", group.debtor_agent_bic);
    AddErrors(group.errors);
    return Status::Ok();
  }
  Status OnTransaction(const Pain001Group& group, const Pain001Transaction& tx) override {
    Require(in_group_ && group.index == groups_, "OnTransaction outside its group");
    Require(tx.index == tx_in_group_ + 1, "CdtTrfTxInf index out of order");
    ++tx_in_group_;
    if (tx.amount) {
      Require(tx.amount->ore() >= 1 && tx.amount->ore() <= nks::AmountOre::kMaxOre,
              "amount out of range");
      bytes_ += tx.amount->ToDecimal().size();
    }
    if (tx.recipient) bytes_ += tx.recipient->TaggedMasked().size();
    if (tx.creditor_account) bytes_ += tx.creditor_account->Masked().size();
    Require(tx.remittance_text.size() <=
                Pain001Reader::kRemittanceLinesMax * (Pain001Reader::kFieldTextBytesMax + 1),
            "remittance text past its limit");
    for (const auto& e : tx.errors) bytes_ += Pain001FieldName(e.field).size() + e.message.size();
    transcript_ += fmt::format(
        "T{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", tx.index, tx.line, tx.end_to_end_id,
        tx.instr_id, tx.amount_text, tx.currency, tx.amount ? tx.amount->ToDecimal() : "-",
        tx.benefit_type, tx.recipient_scheme, tx.recipient_id_text,
        tx.recipient ? tx.recipient->Tagged() : "-", tx.creditor_account_text, tx.creditor_bic,
        tx.creditor_account ? tx.creditor_account->ToString() : "-", tx.remittance_text);
    AddErrors(tx.errors);
    return Status::Ok();
  }
  Status OnGroupEnd(const Pain001Group& group, const Pain001Totals& read) override {
    Require(in_group_ && group.index == groups_, "OnGroupEnd outside its group");
    Require(read.tx_count == tx_in_group_, "group count differs from the transactions handed over");
    Require(tx_in_group_ >= 1, "a PmtInf with no transaction");
    in_group_ = false;
    total_tx_ += tx_in_group_;
    (void)CountMatches(group.declared, read);
    (void)SumMatches(group.declared, read);
    bytes_ += read.amount_sum.ToString().size();
    transcript_ += fmt::format("E{}|{}\n", read.tx_count, read.amount_sum.ToString());
    return Status::Ok();
  }

  // Every call with every field: the fast and the exact reader must agree.
  const std::string& transcript() const { return transcript_; }

  bool in_group() const { return in_group_; }
  uint64_t total_tx() const { return total_tx_; }

 private:
  bool seen_header_ = false;
  bool in_group_ = false;
  uint32_t groups_ = 0;
  uint32_t tx_in_group_ = 0;
  uint64_t total_tx_ = 0;
  size_t bytes_ = 0;  // keeps the calls above from being optimised away
  std::string transcript_;

  void AddErrors(const std::vector<Pain001FieldError>& errors) {
    for (const auto& e : errors) {
      transcript_ += fmt::format("  {}: {}\n", Pain001FieldName(e.field), e.message);
    }
  }
};

int InputFd() {
  static const int fd = [] {
    const int created = memfd_create("pain001_fuzz", MFD_CLOEXEC);
    Require(created >= 0, "memfd_create failed");
    return created;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const PrologScan scan = ScanProlog(text);
  Require(scan.root_tag_end == std::string_view::npos || scan.root_tag_end <= size,
          "root_tag_end past the input");

  const int fd = InputFd();
  Require(ftruncate(fd, 0) == 0, "ftruncate failed");
  Require(pwrite(fd, data, size, 0) == static_cast<ssize_t>(size), "pwrite failed");
  auto reader = Pain001Reader::Open("/proc/self/fd/" + std::to_string(fd));
  Require(reader.ok(), "Open failed");
  Require(reader->file_bytes() == size, "file_bytes differs from the input size");
  CheckingVisitor visitor;
  const auto totals = reader->Read(visitor);
  if (totals.ok()) {
    Require(!visitor.in_group(), "Read ended inside a group");
    Require(totals->tx_count == visitor.total_tx(), "file count differs from the transactions");
  } else {
    Require(totals.status().code() == nks::Code::kInvalidArgument, "unexpected error code");
  }

  auto fast_reader = Pain001Reader::Open("/proc/self/fd/" + std::to_string(fd));
  Require(fast_reader.ok(), "Open failed");
  CheckingVisitor fast_visitor;
  const auto fast = fast_reader->Read(fast_visitor, Pain001ReadMode::kFast);
  if (fast.ok()) {
    Require(totals.ok(), "the fast reader accepted a file the exact reader refuses");
    Require(fast->tx_count == totals->tx_count && fast->amount_sum == totals->amount_sum,
            "the fast reader's totals differ");
    Require(fast_visitor.transcript() == visitor.transcript(),
            "the fast reader's visitor calls differ");
  } else {
    Require(fast.status().code() == nks::Code::kUnavailable,
            "the fast reader failed otherwise than by giving up");
  }
  return 0;
}
