// The storage interface. Domain code speaks only to this; the embedded
// SQLite store (sqlite_store.cc) and the PostgreSQL store (pg_store.cc)
// implement it. Every method that changes state returns only
// after the change is durable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nks/core/status.h"
#include "nks/store/records.h"
#include "nks/store/access_records.h"

namespace nks::store {

// A bulk load of register rows that lands whole or not at all. Rows are
// written as they come (in key order for speed); nothing is visible to
// others before Commit(), and destroying an uncommitted writer rolls back.
class ImportWriter {
 public:
  virtual ~ImportWriter() = default;
  // Insert or replace; `changed` tells whether the row is new or different.
  virtual Status PutPerson(const Person& p, bool* changed) = 0;
  virtual Status PutCompany(const Company& c, bool* changed) = 0;
  virtual Status PutUnit(const Unit& u, bool* changed) = 0;
  virtual Status AppendNemKonto(NemKontoEvent* e) = 0;  // sets e->seq
  virtual Status Commit() = 0;
};

// A row callback; returning false stops the scan.
template <typename T>
using RowFn = std::function<bool(const T&)>;

// Who a store is and how far its registers have come: a snapshot of
// derived data (register/snapshot.h) is valid only for the store it was
// taken from, at the registry generation it names.
struct StoreIdentity {
  int64_t store_id = 0;             // random, set when the store is created
  int64_t registry_generation = 0;  // +1 at every import that changed persons, companies or units
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The schema version after migrations (see ARCHITECTURE.md).
  virtual Result<int> SchemaVersion() = 0;

  virtual Result<std::unique_ptr<ImportWriter>> BeginImport() = 0;

  // Runs `body` in one write transaction, serialised against every other
  // writer (also in other processes); commits durably when it returns OK,
  // rolls back otherwise. Appends made inside join the transaction.
  virtual Status Transact(const std::function<Status()>& body) = 0;
  // Transact for a bulk write (a payment file's intake): as durable and as
  // isolated, but the store may write its many new rows a cheaper way
  // (SQLite: a rollback journal while no other connection is open).
  virtual Status BulkTransact(const std::function<Status()>& body) { return Transact(body); }

  // External registers.
  virtual Result<std::optional<Person>> GetPerson(uint64_t cpr) = 0;
  virtual Result<std::optional<Company>> GetCompany(uint64_t cvr) = 0;
  virtual Result<std::optional<Unit>> GetUnit(uint64_t key) = 0;
  // Keys in increasing order.
  virtual Status ScanPersonNumbers(const RowFn<uint64_t>& fn) = 0;
  virtual Status ScanCompanyNumbers(const RowFn<uint64_t>& fn) = 0;
  virtual Status ScanUnits(const RowFn<Unit>& fn) = 0;
  virtual Result<uint64_t> CountPersons() = 0;
  virtual Result<uint64_t> CountCompanies() = 0;

  // NemKonto history.
  virtual Status AppendNemKonto(NemKontoEvent* e) = 0;  // sets e->seq
  virtual Result<std::vector<NemKontoEvent>> NemKontoHistory(uint64_t recipient) = 0;
  // Every entry with seq > after_seq, in seq order (index building).
  virtual Status ScanNemKonto(int64_t after_seq, const RowFn<NemKontoEvent>& fn) = 0;
  // The highest seq of the NemKonto history (0 when empty).
  virtual Result<int64_t> LastNemKontoSeq() = 0;
  // True when some entry names `letter_id` (outbox recovery).
  virtual Result<bool> NemKontoLetterExists(const std::string& letter_id) = 0;

  // Specific accounts.
  virtual Status AppendSpecific(SpecificEvent* e) = 0;
  virtual Result<std::vector<SpecificEvent>> SpecificHistory(uint64_t recipient) = 0;
  virtual Status ScanSpecific(int64_t after_seq, const RowFn<SpecificEvent>& fn) = 0;

  virtual Result<StoreIdentity> Identity() = 0;

  // Configuration: the whole of it (small: authorities, units, systems).
  virtual Result<ConfigSnapshot> LoadConfig() = 0;
  // Insert or replace one object (call inside Transact with its change).
  virtual Status PutAuthority(const Authority& a) = 0;
  virtual Status PutLosUnit(const LosUnit& u) = 0;
  virtual Status PutBankAgreement(const BankAgreement& b) = 0;
  virtual Status PutBenefitType(const BenefitType& b) = 0;
  virtual Status PutPaymentSystem(const PaymentSystem& s) = 0;
  virtual Status PutConnection(const Connection& c) = 0;
  virtual Status AppendConfigChange(ConfigChange* c) = 0;  // sets c->seq
  virtual Result<std::vector<ConfigChange>> ConfigHistory() = 0;

  // Payments. Intake runs inside Transact: the file record and its accepted
  // payments commit together.
  virtual Result<std::optional<IntakeFile>> FindIntakeFile(const std::string& system,
                                                           const std::string& msg_id) = 0;
  virtual Status AddIntakeFile(IntakeFile* f) = 0;  // sets f->id
  // Records the MsgId, hash and outcome (status, counts, report) of the file `f.id`.
  virtual Status UpdateIntakeFile(const IntakeFile& f) = 0;
  // One payment in a group of its own (e.g. NKS's own payments to an error
  // account); sets p->id. AlreadyExists when the system used the EndToEndId
  // before.
  virtual Status AddPayment(Payment* p) = 0;
  // Bulk intake, inside Transact. The caller numbers the payments: from
  // NextPaymentId(), increasing in file order, so each group's payments are
  // one id range. AddPayments stores `batch` except the payments whose
  // (system, EndToEndId) is stored already; their indexes into `batch` go
  // to `duplicates`, in increasing order.
  virtual Result<int64_t> NextPaymentId() = 0;
  virtual Status AddPayments(const std::vector<Payment>& batch, std::vector<size_t>* duplicates) = 0;
  // Takes back, inside the same Transact, the payments AddPayments stored
  // with ids from `first_id` on (intake reading its file again).
  virtual Status RemovePaymentsFrom(int64_t first_id) = 0;
  // Another connection to the same store, for work on another thread
  // (e.g. writing bank files while this one writes status reports).
  virtual Result<std::unique_ptr<Store>> OpenAnother() = 0;
  // The group of stored payments with ids in [first_id, last_id]: waiting
  // for the cut-off of its payout date.
  virtual Status AddPaymentGroup(const PaymentGroup& g) = 0;
  // After a cut-off has decided every payment due up to the date.
  virtual Status CloseDueGroups(const std::string& last_payout_date) = 0;
  virtual Result<bool> EndToEndIdUsed(const std::string& system, const std::string& end_to_end) = 0;
  virtual Result<std::optional<Payment>> GetPayment(int64_t id) = 0;
  virtual Result<std::optional<Payment>> FindPayment(const std::string& system,
                                                     const std::string& end_to_end) = 0;
  // Pending payments with payout_date <= `last_payout_date`, by id.
  virtual Status ScanDuePayments(const std::string& last_payout_date, const RowFn<DuePayment>& fn) = 0;
  // Records what the cut-off (or a stop) did with a payment.
  virtual Status SetPaymentOutcome(const Payment& p) = 0;
  virtual Status AddBankFile(BankFile* f) = 0;  // sets f->id
  virtual Status MarkBankFileWritten(int64_t id) = 0;
  virtual Result<std::vector<BankFile>> UnwrittenBankFiles() = 0;
  virtual Result<uint64_t> CountBankFiles(const std::string& bank_agreement,
                                          const std::string& payout_date) = 0;
  // The payments of a bank file, by id: the fields the file carries only.
  virtual Status ScanBankFilePayments(int64_t bank_file_id, const RowFn<BankFileEntry>& fn) = 0;
  // Outcomes of pending payments, in increasing id order (a cut-off's).
  // Corruption if one of them has an outcome already.
  virtual Status AddPaymentOutcomes(const std::vector<PaymentOutcome>& outcomes) = 0;

  // Archiving (PostgreSQL, where `payments` is partitioned by payout
  // month): every month before `month` (YYYY-MM) whose payments all have
  // an outcome leaves the live tables in one transaction: its partition is
  // detached as the table payments_YYYYMM, its outcomes are moved to
  // payments_YYYYMM_outcomes, its search rows and groups are deleted. The
  // EndToEndIds stay used (a re-used one is still AM05) and ids are never
  // given out again. FailedPrecondition (nothing changed) when such a month
  // still has a pending payment or an unwritten file, or on SQLite.
  virtual Result<std::vector<ArchivedMonth>> ArchivePaymentMonthsBefore(const std::string& month) = 0;

  // Follow-up status reports, planned inside the transaction that changes
  // the statuses they tell, written after it commits.
  virtual Status AddStatusReport(StatusReport* r) = 0;  // sets r->id
  virtual Status MarkStatusReportWritten(int64_t id) = 0;
  virtual Result<std::vector<StatusReport>> UnwrittenStatusReports() = 0;
  // The payments a follow-up report tells of, by id.
  virtual Status ScanStatusReportPayments(int64_t report_id, const RowFn<ReportedPayment>& fn) = 0;
  // The payments matching `query`, newest payout date first (then id
  // descending), at most query.limit. InvalidArgument for a limit outside
  // 1..kLimitMax or more than kLosUnitsMax LOS units.
  virtual Status SearchPayments(const PaymentQuery& query, const RowFn<Payment>& fn) = 0;
  // The intake file `id` (Payment::file_id); nullopt when there is none
  // (0: a payment NKS made itself, e.g. to an error account).
  virtual Result<std::optional<IntakeFile>> GetIntakeFile(int64_t id) = 0;

  // Register changes made through the authority channel by `authority`'s
  // users with from_us <= at_us < to_us, in time order (control lists).
  virtual Status ScanAuthorityChanges(uint32_t authority, int64_t from_us, int64_t to_us,
                                      const RowFn<NemKontoEvent>& nemkonto,
                                      const RowFn<SpecificEvent>& specific) = 0;

  // ---- API access (issue 4; migration 8) ----
  // Principals by match, in match order.
  virtual Result<std::vector<Principal>> LoadPrincipals() = 0;
  // Insert or replace (call inside Transact with its config change).
  virtual Status PutPrincipal(const Principal& p) = 0;
  virtual Result<std::optional<IdempotencyRecord>> GetIdempotency(const std::string& principal,
                                                                  const std::string& key) = 0;
  // AlreadyExists when (principal, key) is taken.
  virtual Status AddIdempotency(const IdempotencyRecord& r) = 0;

  // ---- Audit log (issue 4; migration 9) ----
  // Appends `e` after the last entry: sets e->seq and e->prev_hash, then
  // e->hash = hash(*e), and moves the head to it. Joins an open transaction
  // (so a change and its entry commit together), else commits on its own.
  virtual Status AppendAudit(AuditEntry* e, const std::function<std::string(const AuditEntry&)>& hash) = 0;
  // Entries with seq >= from_seq and at_us >= from_us, in seq order.
  virtual Status ScanAudit(int64_t from_seq, int64_t from_us, const RowFn<AuditEntry>& fn) = 0;
  // The head (last seq and its hash) as recorded at the last append; seq 0
  // and an empty hash while the log is empty.
  virtual Result<std::pair<int64_t, std::string>> AuditHead() = 0;

  // ---- Users and role profiles (issue 4; migration 10) ----
  // All of them, by (authority, name) and (authority, id).
  virtual Result<std::vector<RoleProfile>> LoadRoleProfiles() = 0;
  virtual Result<std::vector<User>> LoadUsers() = 0;
  // Insert or replace (call inside Transact with its config change); a
  // user's grants are replaced with u.grants.
  virtual Status PutRoleProfile(const RoleProfile& r) = 0;
  virtual Status PutUser(const User& u) = 0;

  // ---- Four-eyes approval (issue 4; migration 11) ----
  virtual Result<std::vector<FourEyesSetting>> LoadFourEyes() = 0;
  virtual Status PutFourEyes(const FourEyesSetting& s) = 0;  // inside Transact with its config change
  virtual Status AddPendingChange(PendingChange* c) = 0;     // sets c->id
  virtual Result<std::optional<PendingChange>> GetPendingChange(int64_t id) = 0;
  // The authority's changes in `state`, by id.
  virtual Result<std::vector<PendingChange>> ListPendingChanges(uint32_t authority, PendingState state) = 0;
  // Records the decision on a pending change; FailedPrecondition when it
  // is decided already. Joins an open transaction (the approved change's).
  virtual Status DecidePendingChange(int64_t id, PendingState state, const std::string& by, int64_t at_us) = 0;

  // ---- Login sessions (issue 4, item 4; migration 12) ----
  // One row per session, keyed by the SHA-256 of its token (see Session);
  // the cookie's token itself is never stored. Each is durable on return.
  // AlreadyExists when s.token_hash is taken.
  virtual Status AddSession(const Session& s) = 0;
  virtual Result<std::optional<Session>> GetSession(const std::string& token_hash) = 0;
  // Records a use: sets last_used_us and idle_expires_us. NotFound when gone.
  virtual Status TouchSession(const std::string& token_hash, int64_t last_used_us, int64_t idle_expires_us) = 0;
  // Logout. OK also when there is no such session.
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  // Removes the sessions whose idle or absolute expiry is before `before_us`;
  // returns how many.
  virtual Result<int64_t> DeleteSessionsExpiredBefore(int64_t before_us) = 0;

  // ---- OpenID Connect providers (issue 4, item 4; migration 13) ----
  virtual Result<std::vector<OidcProvider>> LoadOidcProviders() = 0;  // by id
  // Insert or replace (call inside Transact with its config change).
  virtual Status PutOidcProvider(const OidcProvider& p) = 0;
};

struct OpenOptions {
  // Page cache for bulk work; the default suits interactive use.
  int64_t cache_bytes = 64 << 20;
};

// Opens (creating if needed) the embedded store at `path` and brings its
// schema up to date.
Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const OpenOptions& options = {});

// Connects to the PostgreSQL database at `url` (a libpq URI,
// postgresql://user@host:port/db or postgresql:///db?host=/socket/dir) and
// brings its schema up to date. Several processes may share it.
Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url, const OpenOptions& options = {});

// True for postgresql:// and postgres:// URIs.
bool IsPostgresUrl(std::string_view target);

// PostgreSQL for a postgresql:// or postgres:// URI, else SQLite at the path.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url_or_path, const OpenOptions& options = {});

}  // namespace nks::store
