// The facts NKS keeps, as the store persists them. Identifiers are packed
// (RecipientId::key()); accounts are canonical text (Account::ToString()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/status.h"

namespace nks::store {

enum class PersonStatus : uint8_t { kActive = 1, kDead = 2, kEmigrated = 3, kProtected = 4 };
enum class CompanyStatus : uint8_t { kActive = 1, kCeased = 2 };

std::string_view PersonStatusName(PersonStatus s);
Result<PersonStatus> ParsePersonStatus(std::string_view text);
std::string_view CompanyStatusName(CompanyStatus s);
Result<CompanyStatus> ParseCompanyStatus(std::string_view text);

// A row of the CPR register (SPEC §3.1).
struct Person {
  uint64_t cpr = 0;  // Cpr::number()
  std::string name;
  std::string address;
  std::string postcode;
  std::string city;
  PersonStatus status = PersonStatus::kActive;
};

// A row of the CVR register.
struct Company {
  uint64_t cvr = 0;
  std::string name;
  std::string address;
  std::string postcode;
  std::string city;
  CompanyStatus status = CompanyStatus::kActive;
};

// An SE or P unit of a company.
struct Unit {
  uint64_t key = 0;  // RecipientId::key() of the SE or P number
  uint64_t cvr = 0;
};

// How a register change reached NKS (SPEC §3.2).
enum class Channel : uint8_t { kCitizen = 1, kBank = 2, kAuthority = 3, kSystem = 4 };
std::string_view ChannelName(Channel c);
Result<Channel> ParseChannel(std::string_view text);

enum class NemKontoEventKind : uint8_t {
  kSet = 1,               // active at once (citizen, bank)
  kPending = 2,           // reported by an authority; waits for the code
  kActivated = 3,         // the recipient entered the code of `pending_seq`
  kDeleted = 4,           // no NemKonto any more
  kActivationFailed = 5,  // a wrong code was entered for `pending_seq`
  kPendingCancelled = 6,  // `pending_seq` is void (too many wrong codes)
};
std::string_view NemKontoEventKindName(NemKontoEventKind k);

// One entry of a recipient's NemKonto history. Entries are only appended:
// the current state is the fold of a recipient's entries in `seq` order.
struct NemKontoEvent {
  int64_t seq = 0;  // assigned by the store, increasing
  uint64_t recipient = 0;
  NemKontoEventKind kind = NemKontoEventKind::kSet;
  std::string account;      // the new account; empty for kDeleted and failures
  std::string old_account;  // the active account before this entry, if any
  Channel channel = Channel::kBank;
  std::string actor;        // user id, bank registration number/BIC, "citizen"
  uint32_t authority = 0;   // NKS agreement number (authority channel), else 0
  std::string reference;    // the written request's document reference
  int64_t at_us = 0;        // Instant, microseconds since the Unix epoch (UTC)
  int64_t pending_seq = 0;  // kActivated/kActivationFailed/kPendingCancelled
  std::string code_hash;    // kPending: argon2id hash of the one-time code
  int64_t code_expires_us = 0;
  std::string letter_id;    // kPending: name of the activation letter
};

enum class SpecificEventKind : uint8_t { kSet = 1, kDeleted = 2 };
std::string_view SpecificEventKindName(SpecificEventKind k);

// One entry of the history of a specific account (SPEC §3.3), keyed by
// (recipient, authority, benefit type).
struct SpecificEvent {
  int64_t seq = 0;
  uint64_t recipient = 0;
  uint32_t authority = 0;
  std::string benefit_type;
  SpecificEventKind kind = SpecificEventKind::kSet;
  std::string account;
  std::string old_account;
  std::string valid_until;  // "YYYY-MM-DD" last day it applies; empty = no end
  bool locked = false;
  Channel channel = Channel::kAuthority;
  std::string actor;
  std::string reference;
  int64_t at_us = 0;
};

// ---- Configuration of authorities and payment systems (SPEC §4.1-4.2) ----

enum class FailedPaymentPolicy : uint8_t { kReturn = 1, kCheque = 2, kErrorAccount = 3 };
std::string_view FailedPaymentPolicyName(FailedPaymentPolicy p);  // "RETURN", ...
Result<FailedPaymentPolicy> ParseFailedPaymentPolicy(std::string_view text);

// What happens to a payment that arrives after the cut-off for its date.
enum class LatePaymentRule : uint8_t { kReject = 1, kNextBankingDay = 2 };
std::string_view LatePaymentRuleName(LatePaymentRule r);  // "reject", "next-banking-day"
Result<LatePaymentRule> ParseLatePaymentRule(std::string_view text);

struct Authority {
  uint32_t nks = 0;  // NKS agreement number
  std::string name;
  std::string type;  // municipality, region, state, other
  FailedPaymentPolicy policy = FailedPaymentPolicy::kReturn;
  std::string error_account;  // canonical account; required for kErrorAccount
  LatePaymentRule late = LatePaymentRule::kReject;
  bool operator==(const Authority&) const = default;
};

struct LosUnit {
  uint32_t authority = 0;
  std::string id;
  std::string name;
  std::string parent;  // empty for a root
  bool operator==(const LosUnit&) const = default;
};

struct BankAgreement {
  uint32_t authority = 0;
  std::string number;   // the bank agreement number (PIA)
  std::string bank;     // the authority's bank: BIC or registration number
  std::string account;  // canonical payout (debit) account
  bool operator==(const BankAgreement&) const = default;
};

struct BenefitType {
  uint32_t authority = 0;
  std::string code;
  std::string name;
  bool operator==(const BenefitType&) const = default;
};

struct PaymentSystem {
  std::string id;
  std::string name;
  std::string certificate;  // the client certificate's SHA-256 fingerprint
  bool connected = false;   // technically connected; else sandbox only
  bool operator==(const PaymentSystem&) const = default;
};

// requested -> signed -> confirmed -> active (SPEC §4.2); never backwards.
enum class ConnectionState : uint8_t { kRequested = 1, kSigned = 2, kConfirmed = 3, kActive = 4 };
std::string_view ConnectionStateName(ConnectionState s);
Result<ConnectionState> ParseConnectionState(std::string_view text);

struct Connection {
  std::string system;
  uint32_t authority = 0;
  ConnectionState state = ConnectionState::kRequested;
  std::string reference;  // the signed agreement's reference
  int64_t fee_ore = 0;    // recorded when active; invoiced after creation
  bool operator==(const Connection&) const = default;
};

struct ConfigSnapshot {
  std::vector<Authority> authorities;
  std::vector<LosUnit> los_units;
  std::vector<BankAgreement> bank_agreements;
  std::vector<BenefitType> benefit_types;
  std::vector<PaymentSystem> systems;
  std::vector<Connection> connections;
};

// One entry of the append-only history of configuration changes.
struct ConfigChange {
  int64_t seq = 0;
  int64_t at_us = 0;
  std::string actor;
  std::string object;  // "authority 12345678", "los 12345678/R1100", ...
  std::string old_value;  // the object's statement before; empty if new
  std::string new_value;  // the statement after
};

// ---- Payments (SPEC §5) ----

enum class PaymentStatus : uint8_t {
  kPending = 1,    // accepted, waiting for its cut-off (ACCP)
  kStopped = 2,    // stopped by a caseworker before forwarding (CANC)
  kForwarded = 3,  // in a bank file (ACSP)
  kSettled = 4,    // settled by the bank (ACSC)
  kFailed = 5,     // undeliverable: the failed-payment policy applied
};
std::string_view PaymentStatusName(PaymentStatus s);

// An accepted payment. Its (system, end_to_end) is unique forever.
struct Payment {
  int64_t id = 0;  // NKS's payment id (InstrId in bank files), set by the store
  int64_t file_id = 0;
  std::string system;
  std::string end_to_end;
  std::string pmt_inf_id;
  uint64_t line = 0;  // in the intake file
  uint32_t authority = 0;
  std::string los;
  std::string bank_agreement;
  std::string benefit_type;
  uint64_t recipient = 0;        // RecipientId::key(); 0 for a complete payment without one
  std::string creditor_account;  // complete payment: the account given
  std::string creditor_name;
  int64_t amount_ore = 0;
  std::string currency;
  std::string requested_date;  // ReqdExctnDt as sent
  std::string payout_date;     // when it is paid (moved past a cut-off, if so)
  std::string remittance;
  PaymentStatus status = PaymentStatus::kPending;
  // Set at the cut-off:
  int64_t bank_file_id = 0;      // the one bank file it is in
  std::string resolved_account;  // the account it went to
  std::string resolution;        // why (ResolutionKindName, or "complete", "error-account")
  std::string outcome_reason;    // for kFailed: what the policy did
  // The follow-up status report that tells the sender of its latest status
  // change (0: none, e.g. while pending or for NKS's own payments).
  int64_t report_id = 0;
};

// A follow-up pain.002 to a payment system (after a cut-off, a stop or a
// bank report): it tells the status of the payments naming it, and like a
// bank file it is written from them, so writing it again after a crash
// gives the same bytes.
struct StatusReport {
  int64_t id = 0;
  std::string system;
  int64_t file_id = 0;           // the intake file its payments came in
  std::string original_msg_id;   // that file's MsgId
  std::string dir;               // written in dir/ under a name made from its id
  int64_t created_us = 0;
  uint64_t tx_count = 0;
  bool written = false;
};

// What a bank file carries of one forwarded payment (WriteBankFile), read
// without the rest of the row. The views point into the store's current
// row and are valid during the scan's callback only.
struct BankFileEntry {
  int64_t id = 0;
  std::string_view end_to_end;
  int64_t amount_ore = 0;
  std::string_view currency;
  std::string_view benefit_type;
  std::string_view creditor_name;
  std::string_view resolved_account;
  std::string_view remittance;
};

// What a follow-up status report tells of one payment (WriteStatusReport);
// views as in BankFileEntry.
struct ReportedPayment {
  int64_t id = 0;
  std::string_view pmt_inf_id;
  std::string_view end_to_end;
  PaymentStatus status = PaymentStatus::kPending;
  std::string_view resolution;
  std::string_view outcome_reason;
};

// What became of a pending payment, recorded in bulk by the cut-off.
struct PaymentOutcome {
  int64_t id = 0;
  PaymentStatus status = PaymentStatus::kPending;
  int64_t bank_file_id = 0;
  std::string resolved_account;
  std::string resolution;
  std::string outcome_reason;
  int64_t report_id = 0;
};

// What the cut-off reads of a due payment: only what resolution, the bank
// files and the follow-ups need (a whole row costs twice as much to decode).
struct DuePayment {
  int64_t id = 0;
  int64_t file_id = 0;
  std::string system;
  uint32_t authority = 0;
  std::string bank_agreement;
  std::string benefit_type;
  uint64_t recipient = 0;
  std::string creditor_account;
  int64_t amount_ore = 0;
  std::string payout_date;
};

// Payments of one PmtInf, stored with consecutive ids: what payment search
// and the cut-off find them by.
struct PaymentGroup {
  int64_t file_id = 0;
  int64_t first_id = 0;
  int64_t last_id = 0;
  uint32_t authority = 0;
  std::string los;
  std::string payout_date;
};

// A payout month's payments moved out of the live tables (PostgreSQL: a
// detached partition), for archiving.
struct ArchivedMonth {
  std::string month;           // YYYY-MM
  std::string table;           // the payments, now a table of their own
  std::string outcomes_table;  // their outcomes
  uint64_t payments = 0;
};

// A bank file planned at a cut-off: its payments are the ones naming it.
// It is written from them, deterministically, so writing it again after a
// crash gives the same bytes.
struct BankFile {
  int64_t id = 0;
  std::string msg_id;
  uint32_t authority = 0;
  std::string bank_agreement;
  std::string payout_date;
  int64_t created_us = 0;
  std::string path;
  uint64_t tx_count = 0;
  int64_t ctrl_sum_ore = 0;
  bool written = false;
  // The debtor side as configured at planning (a re-write must not change).
  std::string authority_name;
  std::string debit_account;
  std::string debit_bank;
};

// A payment search (SPEC §5.5): every filter that is set must match. Dates
// are "YYYY-MM-DD", inclusive. Results come newest payout date first, then
// by id descending, at most `limit` of them.
struct PaymentQuery {
  static constexpr uint32_t kLimitDefault = 1000;
  static constexpr uint32_t kLimitMax = 10000;
  // LOS units in one query: a subtree larger than this is refused.
  static constexpr size_t kLosUnitsMax = 1000;

  std::optional<uint32_t> authority;
  std::vector<std::string> los;  // any of these units (the caller expands subtrees); empty: any
  std::optional<uint64_t> recipient;  // RecipientId::key()
  std::optional<std::string> from_payout_date;
  std::optional<std::string> to_payout_date;
  std::optional<int64_t> amount_min_ore;
  std::optional<int64_t> amount_max_ore;
  std::optional<std::string> benefit_type;
  std::optional<PaymentStatus> status;
  std::optional<std::string> system;
  std::optional<std::string> end_to_end;
  uint32_t limit = kLimitDefault;  // 1..kLimitMax
};

// A payment file as received: the answer to a re-sent file.
struct IntakeFile {
  int64_t id = 0;
  std::string system;
  std::string msg_id;
  std::string sha256;  // of the file's bytes
  int64_t received_us = 0;
  std::string group_status;  // ACCP, PART, RJCT
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::string report;  // path of the pain.002 status report
};

}  // namespace nks::store
