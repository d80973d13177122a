#include "nks/payments/intake.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "nks/core/account.h"
#include "nks/core/calendar.h"
#include "nks/core/codes.h"
#include "nks/core/ids.h"
#include "nks/core/money.h"
#include "nks/core/sha256.h"
#include "nks/iso20022/pain002_writer.h"
#include "nks/registry/recipients.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;
using iso20022::GroupStatus;
using iso20022::NksReason;
using iso20022::StatusReason;
using iso20022::TransactionStatus;

constexpr uint64_t kPaymentsPerFileMax = iso20022::kStatusReportTransactionsMax;
// Staged reports older than this are crash leftovers.
constexpr auto kStagedReportAgeMin = std::chrono::hours(1);
// "-" + 12 hex digits of the file's hash + ".xml" after the MsgId.
constexpr size_t kReportNameSuffixChars = 17;

// A file name for a report: the MsgId's safe characters and the file's hash,
// so two different files with one MsgId never share a report.
std::string ReportName(std::string_view msg_id, std::string_view sha256) {
  std::string name;
  for (char c : msg_id) {
    bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    name.push_back(safe ? c : '_');
  }
  return fmt::format("{}-{}.xml", name, sha256.substr(0, 12));
}

// One transaction's answer, kept until the report is written: 32 bytes a
// payment (the EndToEndId lives in the intake's arena; a reason, which most
// payments do not have, in a side table).
struct TxAnswer {
  static constexpr uint32_t kNoReason = UINT32_MAX;
  uint32_t group = 0;            // index into the groups
  uint32_t reason = kNoReason;   // index into the reasons
  uint64_t end_to_end_offset = 0;
  uint32_t end_to_end_size = 0;
  int64_t payment_id = 0;        // 0 when rejected
};
static_assert(sizeof(TxAnswer) == 32);

// A group as checked: what its payments inherit.
struct CheckedGroup {
  std::string pmt_inf_id;
  uint32_t authority = 0;
  std::string bank_agreement;
  std::string los;
  Date requested{};
  std::optional<StatusReason> failure;  // every payment of the group gets it
  // Worked out once per group, not per payment:
  bool late = false;                         // received after the cut-off for `requested`
  std::optional<StatusReason> late_refusal;  // TM01 where the authority does not move
  std::string requested_text, payout_text;   // the dates as stored
  uint64_t count = 0;
  int64_t sum_ore = 0;
  std::optional<uint64_t> count_sent;
  std::optional<int64_t> sum_sent;
  std::optional<std::pair<bool, bool>> verdict;  // the reader's (count, sum) checks
  int64_t first_id = 0, last_id = 0;  // the ids given to its accepted payments
  std::string payout_date;            // theirs
};

// Accepted payments on their way to the store, in id order.
struct PaymentBatch {
  std::vector<store::Payment> payments;
  std::vector<uint32_t> answers;  // each one's index among the answers
  // The reader starts the file over (its fast path gave up): everything
  // stored of it so far goes, and nothing else is in this batch.
  bool restart = false;
};

// The reader's thread hands batches to the store's thread through this;
// a few batches in flight bound the memory whatever the file's size.
class BatchQueue {
 public:
  static constexpr size_t kBatchesInFlightMax = 3;

  // False when the consumer gave up: the producer stops.
  bool Push(PaymentBatch&& batch) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return aborted_ || queue_.size() < kBatchesInFlightMax; });
    if (aborted_) return false;
    queue_.push_back(std::move(batch));
    ready_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    ready_.notify_one();
  }
  void Abort() {
    std::lock_guard lock(mu_);
    aborted_ = true;
    space_.notify_all();
  }
  // Empty once the producer closed the queue and everything was taken.
  std::optional<PaymentBatch> Pop() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    PaymentBatch b = std::move(queue_.front());
    queue_.pop_front();
    space_.notify_one();
    return b;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<PaymentBatch> queue_;
  bool closed_ = false, aborted_ = false;
};

// The EndToEndIds seen in this file: an open-addressing table of answer
// indexes, the ids themselves in the intake's arena (8 bytes a payment
// instead of a node-based set's ~80).
class EndToEndSet {
 public:
  // Adds answer `index` whose id is `id` unless an equal id is there.
  bool Insert(std::string_view id, uint32_t index, const std::string& arena,
              const std::vector<TxAnswer>& answers) {
    if ((used_ + 1) * 10 > slots_.size() * 7) Grow(arena, answers);
    const size_t mask = slots_.size() - 1;
    for (size_t i = Hash(id) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == kEmpty) {
        slots_[i] = index;
        ++used_;
        return true;
      }
      if (IdOf(slots_[i], arena, answers) == id) return false;
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static size_t Hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
  static std::string_view IdOf(uint32_t index, const std::string& arena, const std::vector<TxAnswer>& answers) {
    const TxAnswer& a = answers[index];
    return std::string_view(arena).substr(a.end_to_end_offset, a.end_to_end_size);
  }
  void Grow(const std::string& arena, const std::vector<TxAnswer>& answers) {
    std::vector<uint32_t> old(std::max<size_t>(1024, slots_.size() * 2), kEmpty);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (uint32_t index : old) {
      if (index == kEmpty) continue;
      size_t i = Hash(IdOf(index, arena, answers)) & mask;
      while (slots_[i] != kEmpty) i = (i + 1) & mask;
      slots_[i] = index;
    }
  }
  std::vector<uint32_t> slots_;
  size_t used_ = 0;
};

// Checks one file's payments and hands the accepted ones, numbered, to a
// BatchQueue. Pure: runs on the reader's thread while the store's thread
// stores, inside the transaction that also holds the file's record.
class FileIntake final : public IncomingVisitor {
 public:
  static constexpr size_t kBatchPayments = 16384;

  FileIntake(const store::ConfigSnapshot& config, const registry::RecipientSet& recipients,
             const std::string& system, Instant now)
      : config_(config), recipients_(recipients), system_(system), now_(now) {}
  // The file's record and the first payment id; `queue` takes the payments.
  void Start(int64_t file_id, int64_t first_payment_id, BatchQueue* queue) {
    file_id_ = file_id;
    first_id_ = next_id_ = first_payment_id;
    queue_ = queue;
  }

  // The reader reads the file again from the start (pain001_source: the
  // fast reader gave up where the exact one must decide). What was handed
  // to the store is taken back through the queue.
  Status OnRestart() override {
    if (pushed_) {
      PaymentBatch restart;
      restart.restart = true;
      if (!queue_->Push(std::move(restart))) return Status::IoError("the store stopped taking payments");
      pushed_ = false;
    }
    header_ = IncomingHeader();
    file_failure_.reset();
    file_verdict_.reset();
    groups_.clear();
    answers_.clear();
    reasons_.clear();
    end_to_end_arena_.clear();
    seen_ = EndToEndSet();
    total_ore_ = 0;
    next_id_ = first_id_;
    batch_ = PaymentBatch();
    return Status::Ok();
  }

  Status OnHeader(const IncomingHeader& h) override {
    header_ = h;
    if (h.initiating_system != system_) {
      file_failure_ = iso20022::MakeStatusReason(
          NksReason::kFileInvalid,
          fmt::format("InitgPty names sending system '{}' but the file came from '{}'",
                      h.initiating_system, system_));
    }
    return Status::Ok();
  }

  Status OnGroup(const IncomingGroup& g) override {
    CheckedGroup c;
    c.pmt_inf_id = g.pmt_inf_id;
    c.count_sent = g.transaction_count;
    c.sum_sent = g.control_sum_ore;
    c.failure = CheckGroup(g, &c);
    groups_.push_back(std::move(c));
    return Status::Ok();
  }

  Status OnPayment(const IncomingPayment& p) override {
    if (groups_.empty()) return Status::Invalid("a payment outside any payment group");
    if (answers_.size() >= kPaymentsPerFileMax) {
      return Status::Invalid(fmt::format("more than {} payments in one file", kPaymentsPerFileMax));
    }
    CheckedGroup& g = groups_.back();
    ++g.count;
    auto amount = AmountOre::ParseDecimal(p.amount);
    if (amount.ok()) {
      g.sum_ore += amount->ore();
      total_ore_ += amount->ore();
    }
    const auto index = static_cast<uint32_t>(answers_.size());
    TxAnswer& a = answers_.emplace_back();
    a.group = static_cast<uint32_t>(groups_.size() - 1);
    a.end_to_end_offset = end_to_end_arena_.size();
    a.end_to_end_size = static_cast<uint32_t>(p.end_to_end.size());
    end_to_end_arena_ += p.end_to_end;
    std::optional<StatusReason> reason = g.failure;
    if (!reason && !seen_.Insert(p.end_to_end, index, end_to_end_arena_, answers_)) {
      reason = iso20022::MakeStatusReason(NksReason::kDuplicate, "the EndToEndId appears twice in the file");
    }
    store::Payment payment;
    if (!reason) reason = CheckPayment(p, amount, g, &payment);
    if (!reason) {
      payment.id = next_id_++;
      a.payment_id = payment.id;
      if (g.first_id == 0) {
        g.first_id = payment.id;
        g.payout_date = payment.payout_date;
      }
      g.last_id = payment.id;
      if (g.late) {  // accepted only if moved
        reason = StatusReason{iso20022::ReasonCodeFor(NksReason::kAfterCutoff),
                              fmt::format("received after the cut-off for {}: moved to {}",
                                          payment.requested_date, payment.payout_date)};
      }
      batch_.payments.push_back(std::move(payment));
      batch_.answers.push_back(index);
      if (batch_.payments.size() >= kBatchPayments) NKS_RETURN_IF_ERROR(Flush());
    }
    if (reason) {
      answers_[index].reason = static_cast<uint32_t>(reasons_.size());
      reasons_.push_back(std::move(*reason));
    }
    return Status::Ok();
  }

  // Hands the last payments to the queue.
  Status Flush() {
    if (batch_.payments.empty()) return Status::Ok();
    if (!queue_->Push(std::move(batch_))) return Status::IoError("the store stopped taking payments");
    pushed_ = true;
    batch_ = PaymentBatch();
    batch_.payments.reserve(kBatchPayments);
    batch_.answers.reserve(kBatchPayments);
    return Status::Ok();
  }

  // The store refused answer `index`'s payment: the sender used its
  // EndToEndId in an earlier file.
  void RefuseAsUsedBefore(uint32_t index) {
    TxAnswer& a = answers_[index];
    a.payment_id = 0;
    StatusReason r = iso20022::MakeStatusReason(NksReason::kDuplicate, "the EndToEndId was used before by this system");
    if (a.reason == TxAnswer::kNoReason) {
      a.reason = static_cast<uint32_t>(reasons_.size());
      reasons_.push_back(std::move(r));
    } else {
      reasons_[a.reason] = std::move(r);
    }
  }

  Status OnGroupTotals(bool count_matches, bool sum_matches) override {
    if (!groups_.empty()) groups_.back().verdict = std::pair{count_matches, sum_matches};
    return Status::Ok();
  }
  Status OnFileTotals(bool count_matches, bool sum_matches) override {
    file_verdict_ = std::pair{count_matches, sum_matches};
    return Status::Ok();
  }

  // The file-level verdict once everything is read: a failure rejects the
  // whole file.
  std::optional<StatusReason> FileFailure() const {
    if (file_failure_) return file_failure_;
    if (file_verdict_ && !file_verdict_->first) {
      return iso20022::MakeStatusReason(NksReason::kCountMismatch,
                                        "GrpHdr/NbOfTxs does not match the transactions");
    }
    if (file_verdict_ && !file_verdict_->second) {
      return iso20022::MakeStatusReason(NksReason::kControlSumMismatch,
                                        "GrpHdr/CtrlSum does not match the sum of the amounts");
    }
    for (const CheckedGroup& g : groups_) {
      if (!g.verdict) continue;
      if (!g.verdict->first) {
        return iso20022::MakeStatusReason(
            NksReason::kCountMismatch, fmt::format("PmtInf {}: NbOfTxs does not match its transactions", g.pmt_inf_id));
      }
      if (!g.verdict->second) {
        return iso20022::MakeStatusReason(
            NksReason::kControlSumMismatch, fmt::format("PmtInf {}: CtrlSum does not match its amounts", g.pmt_inf_id));
      }
    }
    if (file_verdict_) return std::nullopt;  // the reader's exact verdicts stand
    if (answers_.size() != header_.transaction_count) {
      return iso20022::MakeStatusReason(
          NksReason::kCountMismatch, fmt::format("GrpHdr/NbOfTxs says {} but the file has {} transactions",
                                                 header_.transaction_count, answers_.size()));
    }
    if (header_.control_sum_ore && *header_.control_sum_ore != total_ore_) {
      return iso20022::MakeStatusReason(NksReason::kControlSumMismatch,
                                        "GrpHdr/CtrlSum does not match the sum of the amounts");
    }
    for (const CheckedGroup& g : groups_) {
      if (g.count_sent && *g.count_sent != g.count) {
        return iso20022::MakeStatusReason(
            NksReason::kCountMismatch, fmt::format("PmtInf {}: NbOfTxs does not match its transactions", g.pmt_inf_id));
      }
      if (g.sum_sent && *g.sum_sent != g.sum_ore) {
        return iso20022::MakeStatusReason(
            NksReason::kControlSumMismatch, fmt::format("PmtInf {}: CtrlSum does not match its amounts", g.pmt_inf_id));
      }
    }
    return std::nullopt;
  }

  const IncomingHeader& header() const { return header_; }
  const std::vector<CheckedGroup>& groups() const { return groups_; }
  const std::vector<TxAnswer>& answers() const { return answers_; }
  std::string_view EndToEnd(const TxAnswer& a) const {
    return std::string_view(end_to_end_arena_).substr(a.end_to_end_offset, a.end_to_end_size);
  }
  std::optional<StatusReason> Reason(const TxAnswer& a) const {
    if (a.reason == TxAnswer::kNoReason) return std::nullopt;
    return reasons_[a.reason];
  }
  int64_t file_id() const { return file_id_; }

 private:
  std::optional<StatusReason> CheckGroup(const IncomingGroup& g, CheckedGroup* c);
  // `amount`: p.amount parsed (once, for the sums too).
  std::optional<StatusReason> CheckPayment(const IncomingPayment& p, const Result<AmountOre>& amount,
                                           const CheckedGroup& g, store::Payment* out);
  std::optional<StatusReason> CheckRecipient(const IncomingPayment& p, store::Payment* out);

  const store::ConfigSnapshot& config_;
  const registry::RecipientSet& recipients_;
  const std::string& system_;
  Instant now_;
  int64_t file_id_ = 0;
  int64_t first_id_ = 0, next_id_ = 0;
  bool pushed_ = false;  // batches went to the queue since the (re)start
  BatchQueue* queue_ = nullptr;
  PaymentBatch batch_;
  IncomingHeader header_;
  std::optional<StatusReason> file_failure_;
  std::optional<std::pair<bool, bool>> file_verdict_;  // the reader's (count, sum) checks
  std::vector<CheckedGroup> groups_;
  std::vector<TxAnswer> answers_;
  std::vector<StatusReason> reasons_;
  std::string end_to_end_arena_;
  EndToEndSet seen_;
  int64_t total_ore_ = 0;
};

std::optional<StatusReason> FileIntake::CheckGroup(const IncomingGroup& g, CheckedGroup* c) {
  auto authority = ParseAgreementNumber(g.authority);
  if (!authority.ok()) {
    return iso20022::MakeStatusReason(NksReason::kNoActiveConnection,
                                      "Dbtr: no valid NKS agreement number (SchmeNm NKS)");
  }
  c->authority = *authority;
  bool connected = std::any_of(config_.connections.begin(), config_.connections.end(), [&](const auto& x) {
    return x.system == system_ && x.authority == *authority && x.state == store::ConnectionState::kActive;
  });
  if (!connected) {
    return iso20022::MakeStatusReason(
        NksReason::kNoActiveConnection,
        fmt::format("system {} has no active connection for authority {}", system_, *authority));
  }
  auto agreement = std::find_if(config_.bank_agreements.begin(), config_.bank_agreements.end(), [&](const auto& b) {
    return b.authority == *authority && b.number == g.bank_agreement;
  });
  if (agreement == config_.bank_agreements.end()) {
    return iso20022::MakeStatusReason(
        NksReason::kBankAgreementNotAuthority,
        fmt::format("bank agreement {} does not belong to authority {}", g.bank_agreement, *authority));
  }
  auto debtor = Account::Parse(g.debtor_account);
  if (!debtor.ok() || debtor->ToString() != agreement->account || g.debtor_bank != agreement->bank) {
    return iso20022::MakeStatusReason(
        NksReason::kBankAgreementNotAuthority,
        fmt::format("DbtrAcct/DbtrAgt are not bank agreement {}'s payout account and bank", g.bank_agreement));
  }
  c->bank_agreement = g.bank_agreement;
  bool los_known = std::any_of(config_.los_units.begin(), config_.los_units.end(), [&](const auto& u) {
    return u.authority == *authority && u.id == g.los;
  });
  if (!los_known) {
    return iso20022::MakeStatusReason(
        NksReason::kBankAgreementNotAuthority,
        fmt::format("UltmtDbtr: {} is not a LOS unit of authority {}", g.los, *authority));
  }
  c->los = g.los;
  auto date = ParseDate(g.payout_date);
  if (!date.ok()) {
    return iso20022::MakeStatusReason(NksReason::kFileInvalid, "ReqdExctnDt: " + date.status().message());
  }
  c->requested = *date;
  c->requested_text = FormatDate(*date);
  Date payout = *date;
  c->late = now_ >= CutoffFor(*date);
  if (c->late) {
    auto configured = std::find_if(config_.authorities.begin(), config_.authorities.end(),
                                    [&](const auto& a) { return a.nks == c->authority; });
    bool move = configured != config_.authorities.end() && configured->late == store::LatePaymentRule::kNextBankingDay;
    if (move) {
      payout = EarliestPayoutDate(now_);
    } else {
      c->late_refusal = iso20022::MakeStatusReason(
          NksReason::kAfterCutoff,
          fmt::format("received after the cut-off for {} ({})", c->requested_text, FormatCopenhagen(CutoffFor(*date))));
    }
  }
  c->payout_text = FormatDate(EffectivePayoutDate(payout));
  return std::nullopt;
}

std::optional<StatusReason> FileIntake::CheckRecipient(const IncomingPayment& p, store::Payment* out) {
  if (!p.creditor_account.empty()) {
    std::string text = p.creditor_account;
    if (!p.creditor_bic.empty()) text += "/" + p.creditor_bic;
    if (text.size() == 14 && std::all_of(text.begin(), text.end(), ::isdigit)) {
      text = text.substr(0, 4) + "-" + text.substr(4);  // BBAN: registration + account
    }
    auto account = Account::Parse(text);
    if (!account.ok()) {
      return iso20022::MakeStatusReason(NksReason::kIncorrectAccount, "CdtrAcct: " + account.status().message());
    }
    out->creditor_account = account->ToString();
  }
  if (p.recipient_scheme.empty()) {
    if (out->creditor_account.empty()) {
      return iso20022::MakeStatusReason(NksReason::kRecipientIdInvalid, "no recipient ID and no creditor account");
    }
    return std::nullopt;
  }
  IdType type = IdType::kCpr;
  if (p.recipient_scheme == "CVR") type = IdType::kCvr;
  else if (p.recipient_scheme == "SE") type = IdType::kSe;
  else if (p.recipient_scheme == "PNR") type = IdType::kPnr;
  else if (p.recipient_scheme != "CPR") {
    return iso20022::MakeStatusReason(NksReason::kRecipientIdInvalid, "recipient: SchmeNm must be CPR, CVR, SE or PNR");
  }
  auto id = RecipientId::Parse(type, p.recipient_id);
  if (!id.ok()) return iso20022::MakeStatusReason(NksReason::kRecipientIdInvalid, MaskCprsIn(id.status().message()));
  if (!recipients_.Contains(id->key())) {
    return iso20022::MakeStatusReason(
        NksReason::kRecipientUnknown, fmt::format("{} is not in the CPR or CVR register", id->TaggedMasked()));
  }
  out->recipient = id->key();
  return std::nullopt;
}

std::optional<StatusReason> FileIntake::CheckPayment(const IncomingPayment& p, const Result<AmountOre>& amount,
                                                     const CheckedGroup& g, store::Payment* out) {
  if (!amount.ok()) return iso20022::MakeStatusReason(NksReason::kInvalidAmount, amount.status().message());
  if (p.currency != "DKK") {
    return iso20022::MakeStatusReason(NksReason::kAmountNotAllowed, "only DKK is paid out for this authority");
  }
  bool benefit_known = std::any_of(config_.benefit_types.begin(), config_.benefit_types.end(), [&](const auto& b) {
    return b.authority == g.authority && b.code == p.benefit_type;
  });
  if (!benefit_known) {
    return iso20022::MakeStatusReason(
        NksReason::kUnknownBenefitType, fmt::format("benefit type '{}' is not one of authority {}'s", p.benefit_type, g.authority));
  }
  if (auto bad = CheckRecipient(p, out)) return bad;
  if (g.late_refusal) return g.late_refusal;
  out->file_id = file_id_;
  out->system = system_;
  out->end_to_end = p.end_to_end;
  out->pmt_inf_id = g.pmt_inf_id;
  out->line = p.line;
  out->authority = g.authority;
  out->los = g.los;
  out->bank_agreement = g.bank_agreement;
  out->benefit_type = p.benefit_type;
  out->creditor_name = p.creditor_name;
  out->amount_ore = amount->ore();
  out->currency = p.currency;
  out->requested_date = g.requested_text;
  out->payout_date = g.payout_text;
  out->remittance = p.remittance;
  out->status = store::PaymentStatus::kPending;
  return std::nullopt;
}

}  // namespace

Status Intake::PrepareOnce() {
  if (prepared_) return Status::Ok();
  const std::string snapshot =
      options_.cache_dir.empty() ? std::string() : (options_.cache_dir / "recipients.snap").string();
  if (!options_.cache_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options_.cache_dir, ec);
  }
  NKS_ASSIGN_OR_RETURN(recipients_, registry::LoadRecipientSet(*store_, snapshot));
  NKS_ASSIGN_OR_RETURN(config_, store_->LoadConfig());
  prepared_ = true;
  return Status::Ok();
}

// A report is written to staging/ before the intake commits and moved into
// place after; a crash in between leaves it in staging/, where the next
// intake moves it on if its file committed and deletes it otherwise.
Status Intake::RecoverStagedReports(const fs::path& dir, const std::string& system) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(dir / "staging", ec)) {
    // Younger files may belong to an intake committing right now; a re-sent
    // file moves its own report on (see Submit).
    auto written = entry.last_write_time(ec);
    if (ec || now - written < kStagedReportAgeMin) continue;
    std::string name = entry.path().filename().string();
    fs::path final_path = dir / name;
    bool committed = false;
    if (name.front() != '.' && name.size() > kReportNameSuffixChars) {
      auto file = store_->FindIntakeFile(system, name.substr(0, name.size() - kReportNameSuffixChars));
      committed = file.ok() && file->has_value() && (*file)->report == final_path.string();
    }
    if (committed) {
      fs::rename(entry.path(), final_path, ec);
    } else {
      fs::remove(entry.path(), ec);
    }
  }
  return Status::Ok();
}

namespace {

Status WriteReport(const fs::path& path, const IntakeOptions& options, Instant now,
                   const FileIntake& intake, const std::optional<StatusReason>& file_failure,
                   const std::string& group_status) {
  iso20022::StatusReportHeader h;
  h.message_id = fmt::format("NKS-{}", path.stem().string()).substr(0, 35);
  h.created_at = now;
  h.nks_id = options.nks_id;
  // A file refused before its MsgId could be read is answered all the same.
  h.original_message_id = intake.header().msg_id.empty() ? "NOTPROVIDED" : intake.header().msg_id;
  h.original_transaction_count = intake.header().transaction_count;
  h.original_control_sum_ore = intake.header().control_sum_ore;
  h.group_status = group_status == "ACCP" ? GroupStatus::kAccepted
                   : group_status == "PART" ? GroupStatus::kPartiallyAccepted
                                            : GroupStatus::kRejected;
  h.group_reason = file_failure;
  h.transaction_count = file_failure ? 0 : intake.answers().size();
  NKS_ASSIGN_OR_RETURN(auto writer, iso20022::Pain002Writer::Begin(path, h));
  if (!file_failure) {
    uint32_t group = UINT32_MAX;
    for (const TxAnswer& a : intake.answers()) {
      if (a.group != group) {
        group = a.group;
        NKS_RETURN_IF_ERROR(writer.BeginGroup(intake.groups()[group].pmt_inf_id));
      }
      const iso20022::StatusReportTransaction tx{
          a.payment_id != 0 ? fmt::format("NKS{}", a.payment_id) : std::string(),
          std::string(intake.EndToEnd(a)),
          a.payment_id != 0 ? TransactionStatus::kAccepted : TransactionStatus::kRejected,
          intake.Reason(a)};
      NKS_RETURN_IF_ERROR(writer.Add(tx));
    }
  }
  return writer.Finish();
}

// Writes the report to staging, records `file` (added or completed), and
// moves the report into place once that has committed.
// `store` null: the file cannot be recorded (its MsgId is taken); the
// report is written all the same.
Status Conclude(store::Store* store, const IntakeOptions& options, store::IntakeFile* file, bool add,
                const FileIntake& intake, const std::optional<StatusReason>& failure, Instant now,
                const fs::path& dir) {
  fs::path final_path = dir / ReportName(file->msg_id.empty() ? "unknown" : file->msg_id, file->sha256);
  fs::path staged = dir / "staging" / final_path.filename();
  file->report = final_path.string();
  NKS_RETURN_IF_ERROR(WriteReport(staged, options, now, intake, failure, file->group_status));
  if (store == nullptr) return Status::Ok();
  Status st = add ? store->AddIntakeFile(file) : store->UpdateIntakeFile(*file);
  if (!st.ok()) {
    std::error_code ec;
    fs::remove(staged, ec);
    return st;
  }
  return Status::Ok();
}

}  // namespace

Result<IntakeResult> Intake::Submit(const std::string& system, const std::string& path,
                                    const IncomingReader& reader,
                                    const std::function<Status()>& in_transaction) {
  NKS_RETURN_IF_ERROR(PrepareOnce());
  // The file's SHA-256 tells a re-sent file from another with its MsgId; it
  // is computed on a thread of its own while the file is read (hashing a
  // 685 MB file takes ~0.4 s, which the store's thread used to wait for).
  std::future<Result<std::string>> hashing =
      std::async(std::launch::async, [&path] { return FileSha256Hex(path); });
  const Instant now = clock_->Now();
  const fs::path dir = options_.status_dir / system;
  std::error_code ec;
  fs::create_directories(dir / "staging", ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", dir.string(), ec.message()));
  NKS_RETURN_IF_ERROR(RecoverStagedReports(dir, system));

  enum class Outcome { kTaken, kReplay, kRefused } outcome = Outcome::kTaken;
  IntakeResult result;
  std::optional<StatusReason> failure;
  FileIntake intake(config_, recipients_, system, now);
  store::IntakeFile file{0, system, "", "", now.time_since_epoch().count(), "", 0, 0, ""};
  Status st = store_->BulkTransact([&]() -> Status {
    // The MsgId is known once the header is read, the hash once the file is:
    // the record is added under a placeholder first (payments refer to it)
    // and completed below, in the same transaction.
    file.msg_id = fmt::format("receiving:{}-{}", ::getpid(), file.received_us);
    NKS_RETURN_IF_ERROR(store_->AddIntakeFile(&file));
    NKS_ASSIGN_OR_RETURN(int64_t first_id, store_->NextPaymentId());
    // Two threads: this one stores batches while the reader's thread reads
    // and checks the next ones.
    BatchQueue queue;
    intake.Start(file.id, first_id, &queue);
    Status read;
    std::thread reading([&] {
      read = reader(path, intake);
      if (read.ok()) read = intake.Flush();
      queue.Close();
    });
    Status stored;
    std::vector<size_t> duplicates;
    std::vector<uint32_t> used_before;  // told to the reader's side once it is done
    while (std::optional<PaymentBatch> batch = queue.Pop()) {
      if (!stored.ok()) continue;  // drain until the reader stops
      if (batch->restart) {
        stored = store_->RemovePaymentsFrom(first_id);
        used_before.clear();
        continue;
      }
      stored = store_->AddPayments(batch->payments, &duplicates);
      if (!stored.ok()) {
        queue.Abort();
        continue;
      }
      for (size_t d : duplicates) used_before.push_back(batch->answers[d]);
    }
    reading.join();
    NKS_ASSIGN_OR_RETURN(file.sha256, hashing.get());
    const std::string& sha256 = file.sha256;
    NKS_RETURN_IF_ERROR(stored);
    for (uint32_t index : used_before) intake.RefuseAsUsedBefore(index);
    for (const CheckedGroup& g : intake.groups()) {
      if (g.first_id == 0) continue;
      NKS_RETURN_IF_ERROR(store_->AddPaymentGroup(
          store::PaymentGroup{file.id, g.first_id, g.last_id, g.authority, g.los, g.payout_date}));
    }
    failure = read.ok() ? intake.FileFailure()
                        : iso20022::MakeStatusReason(NksReason::kFileInvalid, MaskCprsIn(read.message()));
    file.msg_id = intake.header().msg_id;
    if (!file.msg_id.empty()) {
      NKS_ASSIGN_OR_RETURN(auto seen, store_->FindIntakeFile(system, file.msg_id));
      if (seen && seen->sha256 == sha256) {  // the same file again: the same answer
        // A crash between the commit and the move left the report staged.
        fs::path report = seen->report;
        if (!fs::exists(report)) fs::rename(dir / "staging" / report.filename(), report, ec);
        result = IntakeResult{seen->msg_id, seen->group_status, seen->accepted, seen->rejected,
                              seen->report, true};
        outcome = Outcome::kReplay;
        return Status::Invalid("replayed");  // rolls this attempt back
      }
      if (seen) {
        if (!failure) {  // a broken file is told it is broken first
          failure = iso20022::MakeStatusReason(NksReason::kDuplicate,
                                               "a different file with this MsgId was received before");
        }
        file.msg_id.clear();  // it cannot be recorded under the taken MsgId
      }
    }
    if (failure) {
      outcome = Outcome::kRefused;
      return Status::Invalid("refused");  // none of its payments stay
    }
    for (const TxAnswer& a : intake.answers()) ++(a.payment_id ? file.accepted : file.rejected);
    file.group_status = file.rejected == 0 ? "ACCP" : file.accepted == 0 ? "RJCT" : "PART";
    NKS_RETURN_IF_ERROR(Conclude(store_, options_, &file, false, intake, std::nullopt, now, dir));
    return in_transaction ? in_transaction() : Status::Ok();
  });
  if (outcome == Outcome::kReplay) return result;
  if (outcome == Outcome::kRefused) {
    file.id = 0;
    file.accepted = 0;
    file.rejected = intake.answers().size();
    file.group_status = "RJCT";
    if (file.msg_id.empty()) {
      NKS_RETURN_IF_ERROR(Conclude(nullptr, options_, &file, true, intake, failure, now, dir));
    } else {  // recorded, so a re-sent copy gets this answer
      NKS_RETURN_IF_ERROR(store_->Transact(
          [&] { return Conclude(store_, options_, &file, true, intake, failure, now, dir); }));
    }
  } else {
    NKS_RETURN_IF_ERROR(st);
  }
  // Committed: the report goes out.
  fs::path final_path = file.report;
  fs::rename(dir / "staging" / final_path.filename(), final_path, ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", final_path.string(), ec.message()));
  return IntakeResult{intake.header().msg_id, file.group_status, file.accepted, file.rejected,
                      file.report, false};
}

}  // namespace nks::payments
