// The embedded store: one SQLite database file in WAL mode with
// synchronous=FULL, so a commit is on disk before it is acknowledged.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <tuple>

#include "nks/store/sqlite_db.h"
#include "nks/store/store.h"

namespace nks::store {
namespace {

using sqlite::Db;
using sqlite::Stmt;

struct Migration {
  int version;
  const char* sql;
};

// Versioned schema. Append new migrations; never edit an applied one.
constexpr std::array kMigrations = {
    Migration{1, R"sql(
CREATE TABLE persons(
  cpr INTEGER PRIMARY KEY,            -- Cpr::number()
  name TEXT NOT NULL, address TEXT NOT NULL, postcode TEXT NOT NULL, city TEXT NOT NULL,
  status INTEGER NOT NULL);
CREATE TABLE companies(
  cvr INTEGER PRIMARY KEY,
  name TEXT NOT NULL, address TEXT NOT NULL, postcode TEXT NOT NULL, city TEXT NOT NULL,
  status INTEGER NOT NULL);
CREATE TABLE units(
  unit INTEGER PRIMARY KEY,           -- RecipientId::key() of the SE or P number
  cvr INTEGER NOT NULL);
CREATE TABLE nemkonto_events(
  seq INTEGER PRIMARY KEY,
  recipient INTEGER NOT NULL,         -- RecipientId::key()
  kind INTEGER NOT NULL,
  account TEXT, old_account TEXT,
  channel INTEGER NOT NULL, actor TEXT NOT NULL,
  authority INTEGER, reference TEXT,
  at_us INTEGER NOT NULL,
  pending_seq INTEGER, code_hash TEXT, code_expires_us INTEGER, letter_id TEXT);
CREATE INDEX nemkonto_events_by_recipient ON nemkonto_events(recipient, seq);
CREATE INDEX nemkonto_events_by_authority ON nemkonto_events(authority, at_us)
  WHERE authority IS NOT NULL;
CREATE INDEX nemkonto_events_by_letter ON nemkonto_events(letter_id)
  WHERE letter_id IS NOT NULL;
CREATE TABLE specific_events(
  seq INTEGER PRIMARY KEY,
  recipient INTEGER NOT NULL, authority INTEGER NOT NULL, benefit_type TEXT NOT NULL,
  kind INTEGER NOT NULL,
  account TEXT, old_account TEXT, valid_until TEXT, locked INTEGER NOT NULL,
  channel INTEGER NOT NULL, actor TEXT NOT NULL, reference TEXT,
  at_us INTEGER NOT NULL);
CREATE INDEX specific_events_by_recipient ON specific_events(recipient, seq);
CREATE INDEX specific_events_by_authority ON specific_events(authority, at_us);
-- History is append-only: the database refuses to change or remove it.
CREATE TRIGGER nemkonto_events_no_update BEFORE UPDATE ON nemkonto_events
  BEGIN SELECT RAISE(ABORT, 'nemkonto history is append-only'); END;
CREATE TRIGGER nemkonto_events_no_delete BEFORE DELETE ON nemkonto_events
  BEGIN SELECT RAISE(ABORT, 'nemkonto history is append-only'); END;
CREATE TRIGGER specific_events_no_update BEFORE UPDATE ON specific_events
  BEGIN SELECT RAISE(ABORT, 'specific account history is append-only'); END;
CREATE TRIGGER specific_events_no_delete BEFORE DELETE ON specific_events
  BEGIN SELECT RAISE(ABORT, 'specific account history is append-only'); END;
)sql"},
    Migration{2, R"sql(
CREATE TABLE authorities(
  nks INTEGER PRIMARY KEY,            -- NKS agreement number
  name TEXT NOT NULL, type TEXT NOT NULL, policy INTEGER NOT NULL,
  error_account TEXT NOT NULL, late INTEGER NOT NULL);
CREATE TABLE los_units(
  authority INTEGER NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, parent TEXT NOT NULL,
  PRIMARY KEY(authority, id)) WITHOUT ROWID;
CREATE TABLE bank_agreements(
  authority INTEGER NOT NULL, number TEXT NOT NULL, bank TEXT NOT NULL, account TEXT NOT NULL,
  PRIMARY KEY(authority, number)) WITHOUT ROWID;
CREATE TABLE benefit_types(
  authority INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY(authority, code)) WITHOUT ROWID;
CREATE TABLE payment_systems(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, certificate TEXT NOT NULL,
  connected INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE connections(
  system TEXT NOT NULL, authority INTEGER NOT NULL, state INTEGER NOT NULL,
  reference TEXT NOT NULL, fee_ore INTEGER NOT NULL,
  PRIMARY KEY(system, authority)) WITHOUT ROWID;
CREATE TABLE config_changes(
  seq INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, actor TEXT NOT NULL,
  object TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL);
CREATE TRIGGER config_changes_no_update BEFORE UPDATE ON config_changes
  BEGIN SELECT RAISE(ABORT, 'configuration history is append-only'); END;
CREATE TRIGGER config_changes_no_delete BEFORE DELETE ON config_changes
  BEGIN SELECT RAISE(ABORT, 'configuration history is append-only'); END;
)sql"},
    Migration{3, R"sql(
CREATE TABLE intake_files(
  id INTEGER PRIMARY KEY, system TEXT NOT NULL, msg_id TEXT NOT NULL, sha256 TEXT NOT NULL,
  received_us INTEGER NOT NULL, group_status TEXT NOT NULL,
  accepted INTEGER NOT NULL, rejected INTEGER NOT NULL, report TEXT NOT NULL,
  UNIQUE(system, msg_id));
CREATE TABLE payments(
  id INTEGER PRIMARY KEY,             -- NKS payment id: InstrId in bank files
  file_id INTEGER NOT NULL, system TEXT NOT NULL, end_to_end TEXT NOT NULL,
  pmt_inf_id TEXT NOT NULL, line INTEGER NOT NULL,
  authority INTEGER NOT NULL, los TEXT NOT NULL, bank_agreement TEXT NOT NULL,
  benefit_type TEXT NOT NULL, recipient INTEGER NOT NULL, creditor_account TEXT NOT NULL,
  creditor_name TEXT NOT NULL, amount_ore INTEGER NOT NULL, currency TEXT NOT NULL,
  requested_date TEXT NOT NULL, payout_date TEXT NOT NULL, remittance TEXT NOT NULL,
  status INTEGER NOT NULL,
  UNIQUE(system, end_to_end));
CREATE INDEX payments_due ON payments(status, payout_date);
)sql"},
    Migration{4, R"sql(
CREATE TABLE bank_files(
  id INTEGER PRIMARY KEY, msg_id TEXT NOT NULL UNIQUE, authority INTEGER NOT NULL,
  bank_agreement TEXT NOT NULL, payout_date TEXT NOT NULL, created_us INTEGER NOT NULL,
  path TEXT NOT NULL, tx_count INTEGER NOT NULL, ctrl_sum_ore INTEGER NOT NULL,
  written INTEGER NOT NULL, authority_name TEXT NOT NULL, debit_account TEXT NOT NULL,
  debit_bank TEXT NOT NULL);
ALTER TABLE payments ADD COLUMN bank_file_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN resolved_account TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN outcome_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX payments_by_bank_file ON payments(bank_file_id) WHERE bank_file_id <> 0;
)sql"},
    // Payment search (SPEC §5.5). Each index ends in the implicit rowid, so
    // a search by recipient or by date walks it backwards already ordered.
    Migration{5, R"sql(
CREATE INDEX payments_by_recipient ON payments(recipient, payout_date);
CREATE INDEX payments_by_authority ON payments(authority, los, payout_date);
CREATE INDEX payments_by_payout_date ON payments(payout_date);
)sql"},
    // The store's identity and the registers' generation, which tell a
    // cached register snapshot (register/snapshot.h) whether it still holds.
    Migration{6, R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES('store_id', abs(random()));
INSERT INTO meta VALUES('registry_generation', 1);
)sql"},
    // Payments for bulk speed (payment engine, 200,000 payments/s): a row
    // per payment with no index of its own, and every access path in tables
    // the store fills in sorted batches. Ids are assigned by intake in file
    // order, so a PmtInf's payments are one id range: payment_groups indexes
    // them by authority, LOS unit and payout date (and which are waiting for
    // a cut-off) with one row per group instead of one index entry per
    // payment. What happened to a payment after intake is its
    // payment_outcomes row (none: pending).
    Migration{7, R"sql(
CREATE TABLE payment_groups(
  id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL,
  first_id INTEGER NOT NULL, last_id INTEGER NOT NULL,   -- its payments: ids in [first_id, last_id]
  authority INTEGER NOT NULL, los TEXT NOT NULL, payout_date TEXT NOT NULL,
  waiting INTEGER NOT NULL);                             -- 1 until the cut-off for payout_date
CREATE INDEX payment_groups_waiting ON payment_groups(payout_date) WHERE waiting=1;
CREATE INDEX payment_groups_by_authority ON payment_groups(authority, los, payout_date);
CREATE INDEX payment_groups_by_payout_date ON payment_groups(payout_date);
CREATE TABLE payment_keys(
  system TEXT NOT NULL, end_to_end TEXT NOT NULL, id INTEGER NOT NULL,
  PRIMARY KEY(system, end_to_end)) WITHOUT ROWID;
CREATE TABLE payment_recipients(
  recipient INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY(recipient, id)) WITHOUT ROWID;
CREATE TABLE payment_outcomes(
  id INTEGER PRIMARY KEY, status INTEGER NOT NULL, bank_file_id INTEGER NOT NULL,
  resolved_account TEXT NOT NULL, resolution TEXT NOT NULL, outcome_reason TEXT NOT NULL,
  report_id INTEGER NOT NULL DEFAULT 0);                -- the follow-up report telling it
CREATE INDEX payment_outcomes_by_bank_file ON payment_outcomes(bank_file_id) WHERE bank_file_id<>0;
CREATE INDEX payment_outcomes_by_report ON payment_outcomes(report_id) WHERE report_id<>0;
CREATE TABLE status_reports(
  id INTEGER PRIMARY KEY, system TEXT NOT NULL, file_id INTEGER NOT NULL,
  original_msg_id TEXT NOT NULL, dir TEXT NOT NULL, created_us INTEGER NOT NULL,
  tx_count INTEGER NOT NULL, written INTEGER NOT NULL);
CREATE INDEX status_reports_unwritten ON status_reports(id) WHERE written=0;
CREATE TABLE payments_v7(
  id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, system TEXT NOT NULL, end_to_end TEXT NOT NULL,
  pmt_inf_id TEXT NOT NULL, line INTEGER NOT NULL,
  authority INTEGER NOT NULL, los TEXT NOT NULL, bank_agreement TEXT NOT NULL,
  benefit_type TEXT NOT NULL, recipient INTEGER NOT NULL, creditor_account TEXT NOT NULL,
  creditor_name TEXT NOT NULL, amount_ore INTEGER NOT NULL, currency TEXT NOT NULL,
  requested_date TEXT NOT NULL, payout_date TEXT NOT NULL, remittance TEXT NOT NULL);
-- Earlier payments each become a group of one.
INSERT INTO payments_v7 SELECT id, file_id, system, end_to_end, pmt_inf_id, line, authority, los,
  bank_agreement, benefit_type, recipient, creditor_account, creditor_name, amount_ore, currency,
  requested_date, payout_date, remittance FROM payments;
INSERT INTO payment_groups SELECT id, file_id, id, id, authority, los, payout_date, status=1 FROM payments;
INSERT INTO payment_keys SELECT system, end_to_end, id FROM payments;
INSERT INTO payment_recipients SELECT recipient, id FROM payments WHERE recipient<>0;
INSERT INTO payment_outcomes SELECT id, status, bank_file_id, resolved_account, resolution,
  outcome_reason, 0 FROM payments WHERE status<>1;
DROP TABLE payments;
ALTER TABLE payments_v7 RENAME TO payments;
)sql"},
    // API access (issue 4): client certificates -> principals, and the
    // first answers to write requests with an Idempotency-Key.
    Migration{8, R"sql(
CREATE TABLE principals(
  match TEXT PRIMARY KEY,             -- sha256:<hex> or subject:<RFC 2253>
  kind INTEGER NOT NULL, system TEXT NOT NULL, bank TEXT NOT NULL,
  authority INTEGER NOT NULL, user TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE idempotency_keys(
  principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
  status INTEGER NOT NULL, content_type TEXT NOT NULL, body BLOB NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY(principal, key)) WITHOUT ROWID;
)sql"},
    // The audit log (issue 4): append-only and hash-chained; audit_head
    // remembers the last entry so a removed tail shows.
    Migration{9, R"sql(
CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, outcome TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_log_at ON audit_log(at_us);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE audit_head(
  id INTEGER PRIMARY KEY CHECK(id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
)sql"},
    // Users and role profiles (issue 4, SPEC §4.3).
    Migration{10, R"sql(
CREATE TABLE role_profiles(
  authority INTEGER NOT NULL, name TEXT NOT NULL, functions TEXT NOT NULL,  -- comma-separated
  PRIMARY KEY(authority, name)) WITHOUT ROWID;
CREATE TABLE users(
  authority INTEGER NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
  payment_system_cases INTEGER NOT NULL,
  PRIMARY KEY(authority, id)) WITHOUT ROWID;
CREATE TABLE user_grants(
  authority INTEGER NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL, los TEXT NOT NULL,
  PRIMARY KEY(authority, user, role, los)) WITHOUT ROWID;
)sql"},
    // Four-eyes approval of register changes (issue 4, SPEC §4.3).
    Migration{11, R"sql(
CREATE TABLE four_eyes(authority INTEGER PRIMARY KEY, enabled INTEGER NOT NULL);
CREATE TABLE pending_changes(
  id INTEGER PRIMARY KEY, authority INTEGER NOT NULL, requested_by TEXT NOT NULL,
  method TEXT NOT NULL, target TEXT NOT NULL, body BLOB NOT NULL, created_us INTEGER NOT NULL,
  state INTEGER NOT NULL, decided_by TEXT NOT NULL, decided_us INTEGER NOT NULL);
CREATE INDEX pending_changes_authority ON pending_changes(authority, state, id);
)sql"},
    // Humans' login sessions (issue 4, item 4): keyed by the SHA-256 of the
    // cookie's token, never the token itself.
    Migration{12, R"sql(
CREATE TABLE sessions(
  token_hash TEXT PRIMARY KEY,
  kind INTEGER NOT NULL, cpr INTEGER NOT NULL, cvr INTEGER NOT NULL,
  authority INTEGER NOT NULL, user TEXT NOT NULL, name TEXT NOT NULL,
  csrf_token TEXT NOT NULL, provider TEXT NOT NULL, demo INTEGER NOT NULL,
  created_us INTEGER NOT NULL, last_used_us INTEGER NOT NULL,
  idle_expires_us INTEGER NOT NULL, absolute_expires_us INTEGER NOT NULL) WITHOUT ROWID;
)sql"},
    // OpenID Connect providers (issue 4, item 4): the oidc statements.
    Migration{13, R"sql(
CREATE TABLE oidc_providers(
  id TEXT PRIMARY KEY, issuer TEXT NOT NULL, client_id TEXT NOT NULL,
  secret_file TEXT NOT NULL, secret_env TEXT NOT NULL, redirect_uri TEXT NOT NULL,
  kind INTEGER NOT NULL, scopes TEXT NOT NULL, cpr_claim TEXT NOT NULL, cvr_claim TEXT NOT NULL,
  user_claim TEXT NOT NULL, authority INTEGER NOT NULL, name_claim TEXT NOT NULL,
  ca_file TEXT NOT NULL) WITHOUT ROWID;
)sql"},
    // PostgreSQL's 14 partitions payments by payout month; SQLite has no
    // partitions: the number is kept in step and changes nothing.
    Migration{14, R"sql(
SELECT 1;
)sql"},
    // PostgreSQL's 15 lets its payment_recipients hold entries of payments
    // never stored (a second connection writes them); here they are written
    // in the payments' transaction: kept in step, no change.
    Migration{15, R"sql(
SELECT 1;
)sql"},
    // The recipient index in segments (AddPayments): each segment a range of
    // payment ids from its first_id to the next segment's, its entries keyed
    // (segment, recipient, id). A large file starts a segment of its own, so
    // its entries go into new pages; in one B-tree ordered by recipient they
    // went into every page of it, which each submit wrote to the journal and
    // back (1.0-1.2 s of a 1 M submit onto 1 M stored). A search looks the
    // recipient up in each segment.
    Migration{16, R"sql(
CREATE TABLE recipient_segments(first_id INTEGER PRIMARY KEY);
INSERT INTO recipient_segments VALUES(0);
CREATE TABLE payment_recipients_v16(
  segment INTEGER NOT NULL, recipient INTEGER NOT NULL, id INTEGER NOT NULL,
  PRIMARY KEY(segment, recipient, id)) WITHOUT ROWID;
INSERT INTO payment_recipients_v16 SELECT 0, recipient, id FROM payment_recipients;
DROP TABLE payment_recipients;
ALTER TABLE payment_recipients_v16 RENAME TO payment_recipients;
)sql"},
};

// A batch that starts an intake file starts a recipient segment when the
// last one spans at least this many payment ids: a search costs a lookup
// per segment (~4,000 at a billion payments), a small file's entries go
// into at most this many entries' pages.
constexpr int64_t kRecipientSegmentMinIds = 262'144;

constexpr const char* kNemKontoColumns =
    "seq, recipient, kind, account, old_account, channel, actor, authority, reference, at_us, "
    "pending_seq, code_hash, code_expires_us, letter_id";
// A payment as read: what was sent (payments p) and what became of it
// (payment_outcomes o, absent while pending).
constexpr const char* kPaymentColumns =
    "p.id, p.file_id, p.system, p.end_to_end, p.pmt_inf_id, p.line, p.authority, p.los, "
    "p.bank_agreement, p.benefit_type, p.recipient, p.creditor_account, p.creditor_name, "
    "p.amount_ore, p.currency, p.requested_date, p.payout_date, p.remittance, "
    "COALESCE(o.status, 1), COALESCE(o.bank_file_id, 0), COALESCE(o.resolved_account, ''), "
    "COALESCE(o.resolution, ''), COALESCE(o.outcome_reason, ''), COALESCE(o.report_id, 0)";
constexpr const char* kPaymentFrom = "payments p LEFT JOIN payment_outcomes o ON o.id=p.id";
// What a bank file and a follow-up report write of a payment (its outcome
// o joined with the payment p): a third of the whole row's columns.
constexpr const char* kBankFileEntryColumns =
    "o.id, p.end_to_end, p.amount_ore, p.currency, p.benefit_type, p.creditor_name, o.resolved_account, "
    "p.remittance";
constexpr const char* kReportedPaymentColumns =
    "o.id, p.pmt_inf_id, p.end_to_end, o.status, o.resolution, o.outcome_reason";
constexpr const char* kSpecificColumns =
    "seq, recipient, authority, benefit_type, kind, account, old_account, valid_until, locked, "
    "channel, actor, reference, at_us";

NemKontoEvent ReadNemKonto(const Stmt& s) {
  NemKontoEvent e;
  e.seq = s.Int(0);
  e.recipient = static_cast<uint64_t>(s.Int(1));
  e.kind = static_cast<NemKontoEventKind>(s.Int(2));
  e.account = s.Text(3);
  e.old_account = s.Text(4);
  e.channel = static_cast<Channel>(s.Int(5));
  e.actor = s.Text(6);
  e.authority = static_cast<uint32_t>(s.Int(7));
  e.reference = s.Text(8);
  e.at_us = s.Int(9);
  e.pending_seq = s.Int(10);
  e.code_hash = s.Text(11);
  e.code_expires_us = s.Int(12);
  e.letter_id = s.Text(13);
  return e;
}

Payment ReadPayment(const Stmt& s) {
  Payment p;
  p.id = s.Int(0);
  p.file_id = s.Int(1);
  p.system = s.Text(2);
  p.end_to_end = s.Text(3);
  p.pmt_inf_id = s.Text(4);
  p.line = static_cast<uint64_t>(s.Int(5));
  p.authority = static_cast<uint32_t>(s.Int(6));
  p.los = s.Text(7);
  p.bank_agreement = s.Text(8);
  p.benefit_type = s.Text(9);
  p.recipient = static_cast<uint64_t>(s.Int(10));
  p.creditor_account = s.Text(11);
  p.creditor_name = s.Text(12);
  p.amount_ore = s.Int(13);
  p.currency = s.Text(14);
  p.requested_date = s.Text(15);
  p.payout_date = s.Text(16);
  p.remittance = s.Text(17);
  p.status = static_cast<PaymentStatus>(s.Int(18));
  p.bank_file_id = s.Int(19);
  p.resolved_account = s.Text(20);
  p.resolution = s.Text(21);
  p.outcome_reason = s.Text(22);
  p.report_id = s.Int(23);
  return p;
}

BankFileEntry ReadBankFileEntry(const Stmt& s) {
  return BankFileEntry{s.Int(0),      s.TextView(1), s.Int(2),      s.TextView(3),
                       s.TextView(4), s.TextView(5), s.TextView(6), s.TextView(7)};
}

ReportedPayment ReadReportedPayment(const Stmt& s) {
  return ReportedPayment{s.Int(0), s.TextView(1), s.TextView(2), static_cast<PaymentStatus>(s.Int(3)),
                         s.TextView(4), s.TextView(5)};
}

SpecificEvent ReadSpecific(const Stmt& s) {
  SpecificEvent e;
  e.seq = s.Int(0);
  e.recipient = static_cast<uint64_t>(s.Int(1));
  e.authority = static_cast<uint32_t>(s.Int(2));
  e.benefit_type = s.Text(3);
  e.kind = static_cast<SpecificEventKind>(s.Int(4));
  e.account = s.Text(5);
  e.old_account = s.Text(6);
  e.valid_until = s.Text(7);
  e.locked = s.Int(8) != 0;
  e.channel = static_cast<Channel>(s.Int(9));
  e.actor = s.Text(10);
  e.reference = s.Text(11);
  e.at_us = s.Int(12);
  return e;
}

class SqliteStore;

class SqliteImportWriter final : public ImportWriter {
 public:
  explicit SqliteImportWriter(SqliteStore* store) : store_(store) {}
  ~SqliteImportWriter() override;
  Status PutPerson(const Person& p, bool* changed) override;
  Status PutCompany(const Company& c, bool* changed) override;
  Status PutUnit(const Unit& u, bool* changed) override;
  Status AppendNemKonto(NemKontoEvent* e) override;
  Status Commit() override;

 private:
  SqliteStore* store_;
  bool done_ = false;
  bool registry_changed_ = false;  // a person, company or unit was added or changed
};

class SqliteStore final : public Store {
 public:
  Status Open(const std::string& path, const OpenOptions& options);

  Result<int> SchemaVersion() override;
  Result<std::unique_ptr<ImportWriter>> BeginImport() override;
  Status Transact(const std::function<Status()>& body) override;

  Result<std::optional<Person>> GetPerson(uint64_t cpr) override;
  Result<std::optional<Company>> GetCompany(uint64_t cvr) override;
  Result<std::optional<Unit>> GetUnit(uint64_t key) override;
  Status ScanPersonNumbers(const RowFn<uint64_t>& fn) override;
  Status ScanCompanyNumbers(const RowFn<uint64_t>& fn) override;
  Status ScanUnits(const RowFn<Unit>& fn) override;
  Result<uint64_t> CountPersons() override;
  Result<uint64_t> CountCompanies() override;

  Status AppendNemKonto(NemKontoEvent* e) override;
  Result<std::vector<NemKontoEvent>> NemKontoHistory(uint64_t recipient) override;
  Status ScanNemKonto(int64_t after_seq, const RowFn<NemKontoEvent>& fn) override;
  Result<int64_t> LastNemKontoSeq() override;
  Result<bool> NemKontoLetterExists(const std::string& letter_id) override;

  Status AppendSpecific(SpecificEvent* e) override;
  Result<std::vector<SpecificEvent>> SpecificHistory(uint64_t recipient) override;
  Status ScanSpecific(int64_t after_seq, const RowFn<SpecificEvent>& fn) override;
  Status ScanAuthorityChanges(uint32_t authority, int64_t from_us, int64_t to_us,
                              const RowFn<NemKontoEvent>& nemkonto,
                              const RowFn<SpecificEvent>& specific) override;

  Result<std::optional<IntakeFile>> FindIntakeFile(const std::string& system,
                                                   const std::string& msg_id) override;
  Status AddIntakeFile(IntakeFile* f) override;
  Status UpdateIntakeFile(const IntakeFile& f) override;
  Status AddPayment(Payment* p) override;
  Result<int64_t> NextPaymentId() override;
  Status AddPayments(const std::vector<Payment>& batch, std::vector<size_t>* duplicates) override;
  Status RemovePaymentsFrom(int64_t first_id) override;
  Result<std::unique_ptr<Store>> OpenAnother() override;
  Status AddPaymentGroup(const PaymentGroup& g) override;
  Status CloseDueGroups(const std::string& last_payout_date) override;
  Result<bool> EndToEndIdUsed(const std::string& system, const std::string& end_to_end) override;
  Result<std::optional<Payment>> GetPayment(int64_t id) override;
  Result<std::optional<Payment>> FindPayment(const std::string& system,
                                             const std::string& end_to_end) override;
  Status ScanDuePayments(const std::string& last_payout_date, const RowFn<DuePayment>& fn) override;
  Status SetPaymentOutcome(const Payment& p) override;
  Status AddBankFile(BankFile* f) override;
  Status MarkBankFileWritten(int64_t id) override;
  Result<std::vector<BankFile>> UnwrittenBankFiles() override;
  Result<uint64_t> CountBankFiles(const std::string& bank_agreement,
                                  const std::string& payout_date) override;
  Status ScanBankFilePayments(int64_t bank_file_id, const RowFn<BankFileEntry>& fn) override;
  Status AddPaymentOutcomes(const std::vector<PaymentOutcome>& outcomes) override;
  Status AddStatusReport(StatusReport* r) override;
  Status MarkStatusReportWritten(int64_t id) override;
  Result<std::vector<StatusReport>> UnwrittenStatusReports() override;
  Status ScanStatusReportPayments(int64_t report_id, const RowFn<ReportedPayment>& fn) override;
  Result<std::vector<ArchivedMonth>> ArchivePaymentMonthsBefore(const std::string&) override {
    return Status::FailedPrecondition(
        "archiving payout months needs the PostgreSQL store (--db postgresql://...), whose payments are "
        "partitioned by payout month; the SQLite store keeps every payment");
  }
  Status SearchPayments(const PaymentQuery& query, const RowFn<Payment>& fn) override;
  Result<std::optional<IntakeFile>> GetIntakeFile(int64_t id) override;

  Result<StoreIdentity> Identity() override;
  Status BumpRegistryGeneration();

  Result<ConfigSnapshot> LoadConfig() override;
  Status PutAuthority(const Authority& a) override;
  Status PutLosUnit(const LosUnit& u) override;
  Status PutBankAgreement(const BankAgreement& b) override;
  Status PutBenefitType(const BenefitType& b) override;
  Status PutPaymentSystem(const PaymentSystem& p) override;
  Status PutConnection(const Connection& c) override;
  Status AppendConfigChange(ConfigChange* c) override;
  Result<std::vector<ConfigChange>> ConfigHistory() override;

  // Used by the import writer.
  Status Begin();
  Status Commit();
  void Rollback();
  Status PutPerson(const Person& p, bool* changed);
  Status PutCompany(const Company& c, bool* changed);
  Status PutUnit(const Unit& u, bool* changed);
  Status InsertNemKonto(NemKontoEvent* e);
  void EndImport();

  Status BulkTransact(const std::function<Status()>& body) override;

 private:
  // The journal mode after setting it to `mode` (nullptr: as it is).
  Result<std::string> JournalMode(const char* mode);
  bool EnterBulkJournal();
  void LeaveBulkJournal();
  Status Migrate();
  Status PrepareStatements();
  // Runs `body` in its own transaction unless one is open already.
  Status InTransaction(const std::function<Status()>& body);
  Status ScanKeys(Stmt& stmt, const RowFn<uint64_t>& fn);
  Status InsertPaymentRow(const Payment& p);
  Result<int64_t> RecipientSegmentFor(const Payment& first);

  Db db_;
  std::string path_;
  OpenOptions options_;
  bool in_transaction_ = false;
  bool bulk_journal_ = false;  // an import runs with a rollback journal
  bool in_import_ = false;     // between BeginImport and its end
  Stmt begin_, commit_, rollback_;
  Stmt put_person_, put_company_, put_unit_;
  // A load into an empty table needs no conflict handling: plain INSERTs
  // are cheaper, and a repeated key still fails on the primary key.
  Stmt insert_person_, insert_company_, insert_unit_;
  bool persons_empty_ = false, companies_empty_ = false, units_empty_ = false;
  Stmt get_person_, get_company_, get_unit_;
  Stmt insert_nemkonto_, insert_specific_;
  Stmt insert_payment_, insert_payment_key_, insert_payment_recipient_, delete_payment_;
  Stmt set_payment_outcome_;

 public:
  // ---- API access (issue 4) ----
  Result<std::vector<Principal>> LoadPrincipals() override;
  Status PutPrincipal(const Principal& p) override;
  Result<std::optional<IdempotencyRecord>> GetIdempotency(const std::string& principal,
                                                          const std::string& key) override;
  Status AddIdempotency(const IdempotencyRecord& r) override;

  // ---- Audit log (issue 4) ----
  Status AppendAudit(AuditEntry* e, const std::function<std::string(const AuditEntry&)>& hash) override;
  Status ScanAudit(int64_t from_seq, int64_t from_us, const RowFn<AuditEntry>& fn) override;
  Result<std::pair<int64_t, std::string>> AuditHead() override;

  // ---- Users and role profiles (issue 4) ----
  Result<std::vector<RoleProfile>> LoadRoleProfiles() override;
  Result<std::vector<User>> LoadUsers() override;
  Status PutRoleProfile(const RoleProfile& r) override;
  Status PutUser(const User& u) override;

  // ---- Four-eyes approval (issue 4) ----
  Result<std::vector<FourEyesSetting>> LoadFourEyes() override;
  Status PutFourEyes(const FourEyesSetting& s) override;
  Status AddPendingChange(PendingChange* c) override;
  Result<std::optional<PendingChange>> GetPendingChange(int64_t id) override;
  Result<std::vector<PendingChange>> ListPendingChanges(uint32_t authority, PendingState state) override;
  Status DecidePendingChange(int64_t id, PendingState state, const std::string& by, int64_t at_us) override;
  Status AddSession(const Session& session) override;
  Result<std::optional<Session>> GetSession(const std::string& token_hash) override;
  Status TouchSession(const std::string& token_hash, int64_t last_used_us, int64_t idle_expires_us) override;
  Status DeleteSession(const std::string& token_hash) override;
  Result<int64_t> DeleteSessionsExpiredBefore(int64_t before_us) override;
  Result<std::vector<OidcProvider>> LoadOidcProviders() override;
  Status PutOidcProvider(const OidcProvider& p) override;
};

Status SqliteStore::Open(const std::string& path, const OpenOptions& options) {
  path_ = path;
  options_ = options;
  NKS_RETURN_IF_ERROR(db_.Open(path));
  // WAL needs the database to itself to be entered: while another process
  // writes a bulk transaction under the rollback journal (BulkTransact,
  // imports), this connection works in that journal too, with EXTRA like
  // the writer (waiting for the switch would stall every command opened
  // during a submit). The file returns to WAL when a connection next finds
  // itself alone.
  auto mode = JournalMode("WAL");
  if (!mode.ok()) mode = JournalMode(nullptr);
  NKS_RETURN_IF_ERROR(mode.status());
  NKS_RETURN_IF_ERROR(db_.Exec(*mode == "wal" ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=EXTRA"));
  NKS_RETURN_IF_ERROR(db_.Exec("PRAGMA temp_store=MEMORY"));
  NKS_RETURN_IF_ERROR(db_.Exec(fmt::format("PRAGMA cache_size=-{}", options.cache_bytes / 1024)));
  NKS_RETURN_IF_ERROR(Migrate());
  return PrepareStatements();
}

Status SqliteStore::Migrate() {
  NKS_RETURN_IF_ERROR(db_.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations("
      "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"));
  NKS_ASSIGN_OR_RETURN(int current, SchemaVersion());
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    NKS_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    // Another process may have migrated while we waited for the lock.
    auto again = SchemaVersion();
    if (again.ok() && *again >= m.version) {
      NKS_RETURN_IF_ERROR(db_.Exec("COMMIT"));
      continue;
    }
    Status st = db_.Exec(m.sql);
    if (st.ok()) {
      Stmt rec(db_, "INSERT INTO schema_migrations(version) VALUES(?)");
      st = rec.Bind(1, int64_t{m.version}).Run();
    }
    if (!st.ok()) {
      (void)db_.Exec("ROLLBACK");
      return st.WithContext(fmt::format("schema migration {}", m.version));
    }
    NKS_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  }
  return Status::Ok();
}

Status SqliteStore::PrepareStatements() {
  begin_ = Stmt(db_, "BEGIN IMMEDIATE");
  commit_ = Stmt(db_, "COMMIT");
  rollback_ = Stmt(db_, "ROLLBACK");
  // The WHERE makes an unchanged row a no-op, so changes() tells new/changed.
  put_person_ = Stmt(db_,
      "INSERT INTO persons(cpr,name,address,postcode,city,status) VALUES(?,?,?,?,?,?) "
      "ON CONFLICT(cpr) DO UPDATE SET name=excluded.name, address=excluded.address, "
      "postcode=excluded.postcode, city=excluded.city, status=excluded.status "
      "WHERE name IS NOT excluded.name OR address IS NOT excluded.address OR "
      "postcode IS NOT excluded.postcode OR city IS NOT excluded.city OR "
      "status IS NOT excluded.status");
  put_company_ = Stmt(db_,
      "INSERT INTO companies(cvr,name,address,postcode,city,status) VALUES(?,?,?,?,?,?) "
      "ON CONFLICT(cvr) DO UPDATE SET name=excluded.name, address=excluded.address, "
      "postcode=excluded.postcode, city=excluded.city, status=excluded.status "
      "WHERE name IS NOT excluded.name OR address IS NOT excluded.address OR "
      "postcode IS NOT excluded.postcode OR city IS NOT excluded.city OR "
      "status IS NOT excluded.status");
  put_unit_ = Stmt(db_,
      "INSERT INTO units(unit,cvr) VALUES(?,?) ON CONFLICT(unit) DO UPDATE SET "
      "cvr=excluded.cvr WHERE cvr IS NOT excluded.cvr");
  insert_person_ = Stmt(db_,
      "INSERT INTO persons(cpr,name,address,postcode,city,status) VALUES(?,?,?,?,?,?)");
  insert_company_ = Stmt(db_,
      "INSERT INTO companies(cvr,name,address,postcode,city,status) VALUES(?,?,?,?,?,?)");
  insert_unit_ = Stmt(db_, "INSERT INTO units(unit,cvr) VALUES(?,?)");
  get_person_ = Stmt(db_, "SELECT cpr,name,address,postcode,city,status FROM persons WHERE cpr=?");
  get_company_ = Stmt(db_,
      "SELECT cvr,name,address,postcode,city,status FROM companies WHERE cvr=?");
  get_unit_ = Stmt(db_, "SELECT unit,cvr FROM units WHERE unit=?");
  insert_nemkonto_ = Stmt(db_,
      "INSERT INTO nemkonto_events(recipient,kind,account,old_account,channel,actor,authority,"
      "reference,at_us,pending_seq,code_hash,code_expires_us,letter_id) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  insert_payment_ = Stmt(db_,
      "INSERT INTO payments(id,file_id,system,end_to_end,pmt_inf_id,line,authority,los,"
      "bank_agreement,benefit_type,recipient,creditor_account,creditor_name,amount_ore,currency,"
      "requested_date,payout_date,remittance) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  insert_payment_key_ = Stmt(db_, "INSERT INTO payment_keys(system,end_to_end,id) VALUES(?,?,?)");
  insert_payment_recipient_ = Stmt(db_, "INSERT INTO payment_recipients(segment,recipient,id) VALUES(?,?,?)");
  delete_payment_ = Stmt(db_, "DELETE FROM payments WHERE id=?");
  insert_specific_ = Stmt(db_,
      "INSERT INTO specific_events(recipient,authority,benefit_type,kind,account,old_account,"
      "valid_until,locked,channel,actor,reference,at_us) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  return Status::Ok();
}

Result<int> SqliteStore::SchemaVersion() {
  Stmt s(db_, "SELECT COALESCE(MAX(version),0) FROM schema_migrations");
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  NKS_CHECK(row);
  return static_cast<int>(s.Int(0));
}

Status SqliteStore::Begin() {
  NKS_CHECK(!in_transaction_);
  NKS_RETURN_IF_ERROR(begin_.Run());
  in_transaction_ = true;
  return Status::Ok();
}

Status SqliteStore::Commit() {
  NKS_CHECK(in_transaction_);
  Status st = commit_.Run();
  if (!st.ok()) {
    Rollback();
    return st;
  }
  in_transaction_ = false;
  return Status::Ok();
}

void SqliteStore::Rollback() {
  if (!in_transaction_) return;
  // ROLLBACK fails only when SQLite already rolled back on its own.
  (void)rollback_.Run();
  in_transaction_ = false;
}

Status SqliteStore::InTransaction(const std::function<Status()>& body) {
  if (in_transaction_) return body();
  return Transact(body);
}

Status SqliteStore::Transact(const std::function<Status()>& body) {
  NKS_RETURN_IF_ERROR(Begin());
  Status st = body();
  if (!st.ok()) {
    Rollback();
    return st;
  }
  return Commit();
}

// A bulk load into a WAL database writes every page twice (WAL, then the
// checkpoint). When no other connection is open, the load runs with a
// rollback journal instead, which journals only pages that existed before:
// a fresh load is written once. Crash safety is the same (a hot journal is
// rolled back on the next open), and WAL is restored afterwards.
Result<std::string> SqliteStore::JournalMode(const char* mode) {
  Stmt s(db_, mode ? fmt::format("PRAGMA journal_mode={}", mode) : std::string("PRAGMA journal_mode"));
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return *row ? s.Text(0) : std::string();
}

// In DELETE mode a transaction commits when its journal is unlinked;
// synchronous=EXTRA also syncs the directory after that, or a power loss
// right after the answer could bring the journal back and roll the
// committed transaction back (FULL, right for WAL, does not). True when the
// rollback journal is in use.
bool SqliteStore::EnterBulkJournal() {
  auto mode = JournalMode("DELETE");
  if (!mode.ok() || *mode != "delete") return false;  // another connection: WAL stays
  if (!db_.Exec("PRAGMA synchronous=EXTRA").ok()) {
    (void)JournalMode("WAL");
    return false;
  }
  return true;
}

void SqliteStore::LeaveBulkJournal() {
  // Failing to return to WAL (another connection opened meanwhile) leaves
  // the rollback journal, slower but safe: EXTRA stays with it.
  auto mode = JournalMode("WAL");
  if (mode.ok() && *mode == "wal") (void)db_.Exec("PRAGMA synchronous=FULL");
}

// A payment file's rows are mostly new pages (payments in id order): with
// the rollback journal they are written once, not to the WAL and again by
// the checkpoint (1 M-payment submit: ~0.45 s of ~4.3 s).
Status SqliteStore::BulkTransact(const std::function<Status()>& body) {
  const bool bulk = EnterBulkJournal();
  Status st = Transact(body);
  if (bulk) LeaveBulkJournal();
  return st;
}

void SqliteStore::EndImport() {
  in_import_ = false;
  if (!bulk_journal_) return;
  bulk_journal_ = false;
  LeaveBulkJournal();
}

Result<std::unique_ptr<ImportWriter>> SqliteStore::BeginImport() {
  bulk_journal_ = EnterBulkJournal();
  Status begun = Begin();
  if (!begun.ok()) {
    EndImport();
    return begun;
  }
  // Under the write lock: nobody adds rows before we commit.
  for (auto [table, empty] : {std::pair{"persons", &persons_empty_},
                              std::pair{"companies", &companies_empty_},
                              std::pair{"units", &units_empty_}}) {
    Stmt any(db_, fmt::format("SELECT EXISTS(SELECT 1 FROM {})", table));
    auto row = any.Step();
    if (!row.ok()) {
      Rollback();
      EndImport();
      return row.status();
    }
    *empty = any.Int(0) == 0;
  }
  in_import_ = true;
  return std::unique_ptr<ImportWriter>(new SqliteImportWriter(this));
}

template <typename Row>
Status PutRow(Db& db, Stmt& s, const Row& r, uint64_t key, bool* changed) {
  s.Bind(1, static_cast<int64_t>(key))
      .BindText(2, r.name)
      .BindText(3, r.address)
      .BindText(4, r.postcode)
      .BindText(5, r.city)
      .Bind(6, static_cast<int64_t>(r.status));
  NKS_RETURN_IF_ERROR(s.Run());
  if (changed) *changed = db.Changes() > 0;
  return Status::Ok();
}

// Into a table that was empty when the import began, a plain INSERT is
// tried first; a key written earlier in the same import falls back to the
// upsert, so the writer still inserts or replaces.
Status SqliteStore::PutPerson(const Person& p, bool* changed) {
  if (in_import_ && persons_empty_) {
    Status st = PutRow(db_, insert_person_, p, p.cpr, changed);
    if (st.code() != Code::kAlreadyExists) return st;
  }
  return PutRow(db_, put_person_, p, p.cpr, changed);
}

Status SqliteStore::PutCompany(const Company& c, bool* changed) {
  if (in_import_ && companies_empty_) {
    Status st = PutRow(db_, insert_company_, c, c.cvr, changed);
    if (st.code() != Code::kAlreadyExists) return st;
  }
  return PutRow(db_, put_company_, c, c.cvr, changed);
}

Status PutUnitWith(Db& db, Stmt& s, const Unit& u, bool* changed) {
  s.Bind(1, static_cast<int64_t>(u.key)).Bind(2, static_cast<int64_t>(u.cvr));
  NKS_RETURN_IF_ERROR(s.Run());
  if (changed) *changed = db.Changes() > 0;
  return Status::Ok();
}

Status SqliteStore::PutUnit(const Unit& u, bool* changed) {
  if (in_import_ && units_empty_) {
    Status st = PutUnitWith(db_, insert_unit_, u, changed);
    if (st.code() != Code::kAlreadyExists) return st;
  }
  return PutUnitWith(db_, put_unit_, u, changed);
}

Status SqliteStore::InsertNemKonto(NemKontoEvent* e) {
  Stmt& s = insert_nemkonto_;
  s.Bind(1, static_cast<int64_t>(e->recipient))
      .Bind(2, static_cast<int64_t>(e->kind))
      .Bind(3, e->account)
      .Bind(4, e->old_account)
      .Bind(5, static_cast<int64_t>(e->channel))
      .Bind(6, e->actor);
  if (e->authority != 0) s.Bind(7, int64_t{e->authority});
  s.Bind(8, e->reference).Bind(9, e->at_us);
  if (e->pending_seq != 0) s.Bind(10, e->pending_seq);
  s.Bind(11, e->code_hash);
  if (e->code_expires_us != 0) s.Bind(12, e->code_expires_us);
  s.Bind(13, e->letter_id);
  NKS_RETURN_IF_ERROR(s.Run());
  e->seq = sqlite3_last_insert_rowid(db_.handle());
  return Status::Ok();
}

template <typename T, typename Read>
Result<std::optional<T>> GetOne(Stmt& s, uint64_t key, Read read) {
  s.Bind(1, static_cast<int64_t>(key));
  auto row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<T> out;
  if (*row) out = read(s);
  s.Reset();
  return out;
}

template <typename Row>
Row ReadRegisterRow(const Stmt& s) {
  Row r;
  r.name = s.Text(1);
  r.address = s.Text(2);
  r.postcode = s.Text(3);
  r.city = s.Text(4);
  r.status = static_cast<decltype(r.status)>(s.Int(5));
  return r;
}

Result<std::optional<Person>> SqliteStore::GetPerson(uint64_t cpr) {
  return GetOne<Person>(get_person_, cpr, [](const Stmt& s) {
    Person p = ReadRegisterRow<Person>(s);
    p.cpr = static_cast<uint64_t>(s.Int(0));
    return p;
  });
}

Result<std::optional<Company>> SqliteStore::GetCompany(uint64_t cvr) {
  return GetOne<Company>(get_company_, cvr, [](const Stmt& s) {
    Company c = ReadRegisterRow<Company>(s);
    c.cvr = static_cast<uint64_t>(s.Int(0));
    return c;
  });
}

Result<std::optional<Unit>> SqliteStore::GetUnit(uint64_t key) {
  return GetOne<Unit>(get_unit_, key, [](const Stmt& s) {
    return Unit{static_cast<uint64_t>(s.Int(0)), static_cast<uint64_t>(s.Int(1))};
  });
}

Status SqliteStore::ScanKeys(Stmt& s, const RowFn<uint64_t>& fn) {
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row || !fn(static_cast<uint64_t>(s.Int(0)))) break;
  }
  s.Reset();
  return Status::Ok();
}

Status SqliteStore::ScanPersonNumbers(const RowFn<uint64_t>& fn) {
  Stmt s(db_, "SELECT cpr FROM persons ORDER BY cpr");
  return ScanKeys(s, fn);
}

Status SqliteStore::ScanCompanyNumbers(const RowFn<uint64_t>& fn) {
  Stmt s(db_, "SELECT cvr FROM companies ORDER BY cvr");
  return ScanKeys(s, fn);
}

Status SqliteStore::ScanUnits(const RowFn<Unit>& fn) {
  Stmt s(db_, "SELECT unit, cvr FROM units ORDER BY unit");
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (!fn(Unit{static_cast<uint64_t>(s.Int(0)), static_cast<uint64_t>(s.Int(1))})) break;
  }
  return Status::Ok();
}

Result<uint64_t> CountRows(Db& db, const char* sql) {
  Stmt s(db, sql);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  NKS_CHECK(row);
  return static_cast<uint64_t>(s.Int(0));
}

Result<uint64_t> SqliteStore::CountPersons() { return CountRows(db_, "SELECT COUNT(*) FROM persons"); }
Result<uint64_t> SqliteStore::CountCompanies() {
  return CountRows(db_, "SELECT COUNT(*) FROM companies");
}

Status SqliteStore::AppendNemKonto(NemKontoEvent* e) {
  return InTransaction([&] { return InsertNemKonto(e); });
}

template <typename T, typename Read>
Status ScanRows(Stmt& s, const RowFn<T>& fn, Read read) {
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row || !fn(read(s))) break;
  }
  s.Reset();
  return Status::Ok();
}

Result<std::vector<NemKontoEvent>> SqliteStore::NemKontoHistory(uint64_t recipient) {
  Stmt s(db_, fmt::format("SELECT {} FROM nemkonto_events WHERE recipient=? ORDER BY seq",
                          kNemKontoColumns));
  s.Bind(1, static_cast<int64_t>(recipient));
  std::vector<NemKontoEvent> out;
  NKS_RETURN_IF_ERROR(ScanRows<NemKontoEvent>(
      s, [&](const NemKontoEvent& e) { out.push_back(e); return true; }, ReadNemKonto));
  return out;
}

Status SqliteStore::ScanNemKonto(int64_t after_seq, const RowFn<NemKontoEvent>& fn) {
  Stmt s(db_, fmt::format("SELECT {} FROM nemkonto_events WHERE seq>? ORDER BY seq",
                          kNemKontoColumns));
  s.Bind(1, after_seq);
  return ScanRows<NemKontoEvent>(s, fn, ReadNemKonto);
}

Result<int64_t> SqliteStore::LastNemKontoSeq() {
  NKS_ASSIGN_OR_RETURN(uint64_t seq, CountRows(db_, "SELECT COALESCE(MAX(seq), 0) FROM nemkonto_events"));
  return static_cast<int64_t>(seq);
}

Result<bool> SqliteStore::NemKontoLetterExists(const std::string& letter_id) {
  Stmt s(db_, "SELECT 1 FROM nemkonto_events WHERE letter_id=?");
  s.Bind(1, letter_id);
  return s.Step();
}

Status SqliteStore::AppendSpecific(SpecificEvent* e) {
  return InTransaction([&]() -> Status {
    Stmt& s = insert_specific_;
    s.Bind(1, static_cast<int64_t>(e->recipient))
        .Bind(2, int64_t{e->authority})
        .Bind(3, e->benefit_type)
        .Bind(4, static_cast<int64_t>(e->kind))
        .Bind(5, e->account)
        .Bind(6, e->old_account)
        .Bind(7, e->valid_until)
        .Bind(8, int64_t{e->locked ? 1 : 0})
        .Bind(9, static_cast<int64_t>(e->channel))
        .Bind(10, e->actor)
        .Bind(11, e->reference)
        .Bind(12, e->at_us);
    NKS_RETURN_IF_ERROR(s.Run());
    e->seq = sqlite3_last_insert_rowid(db_.handle());
    return Status::Ok();
  });
}

Result<std::vector<SpecificEvent>> SqliteStore::SpecificHistory(uint64_t recipient) {
  Stmt s(db_, fmt::format("SELECT {} FROM specific_events WHERE recipient=? ORDER BY seq",
                          kSpecificColumns));
  s.Bind(1, static_cast<int64_t>(recipient));
  std::vector<SpecificEvent> out;
  NKS_RETURN_IF_ERROR(ScanRows<SpecificEvent>(
      s, [&](const SpecificEvent& e) { out.push_back(e); return true; }, ReadSpecific));
  return out;
}

Status SqliteStore::ScanSpecific(int64_t after_seq, const RowFn<SpecificEvent>& fn) {
  Stmt s(db_, fmt::format("SELECT {} FROM specific_events WHERE seq>? ORDER BY seq",
                          kSpecificColumns));
  s.Bind(1, after_seq);
  return ScanRows<SpecificEvent>(s, fn, ReadSpecific);
}

Status SqliteStore::ScanAuthorityChanges(uint32_t authority, int64_t from_us, int64_t to_us,
                                         const RowFn<NemKontoEvent>& nemkonto,
                                         const RowFn<SpecificEvent>& specific) {
  Stmt n(db_, fmt::format("SELECT {} FROM nemkonto_events WHERE authority=? AND at_us>=? AND "
                          "at_us<? AND channel=? ORDER BY at_us, seq",
                          kNemKontoColumns));
  n.Bind(1, int64_t{authority}).Bind(2, from_us).Bind(3, to_us);
  n.Bind(4, static_cast<int64_t>(Channel::kAuthority));
  NKS_RETURN_IF_ERROR(ScanRows<NemKontoEvent>(n, nemkonto, ReadNemKonto));
  Stmt s(db_, fmt::format("SELECT {} FROM specific_events WHERE authority=? AND at_us>=? AND "
                          "at_us<? AND channel=? ORDER BY at_us, seq",
                          kSpecificColumns));
  s.Bind(1, int64_t{authority}).Bind(2, from_us).Bind(3, to_us);
  s.Bind(4, static_cast<int64_t>(Channel::kAuthority));
  return ScanRows<SpecificEvent>(s, specific, ReadSpecific);
}

template <typename Row, typename Read>
Status ReadAll(Db& db, const char* sql, std::vector<Row>* out, Read read) {
  Stmt s(db, sql);
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    out->push_back(read(s));
  }
}

// ---- Payments ----

Result<std::optional<IntakeFile>> SqliteStore::FindIntakeFile(const std::string& system,
                                                              const std::string& msg_id) {
  Stmt s(db_,
         "SELECT id,system,msg_id,sha256,received_us,group_status,accepted,rejected,report "
         "FROM intake_files WHERE system=? AND msg_id=?");
  s.BindText(1, system).BindText(2, msg_id);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<IntakeFile>();
  return std::optional<IntakeFile>(IntakeFile{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4),
                                              s.Text(5), static_cast<uint64_t>(s.Int(6)),
                                              static_cast<uint64_t>(s.Int(7)), s.Text(8)});
}

Status SqliteStore::AddIntakeFile(IntakeFile* f) {
  return InTransaction([&]() -> Status {
    Stmt s(db_,
           "INSERT INTO intake_files(system,msg_id,sha256,received_us,group_status,accepted,"
           "rejected,report) VALUES(?,?,?,?,?,?,?,?)");
    s.BindText(1, f->system).BindText(2, f->msg_id).BindText(3, f->sha256).Bind(4, f->received_us);
    s.BindText(5, f->group_status).Bind(6, static_cast<int64_t>(f->accepted));
    s.Bind(7, static_cast<int64_t>(f->rejected)).BindText(8, f->report);
    NKS_RETURN_IF_ERROR(s.Run());
    f->id = sqlite3_last_insert_rowid(db_.handle());
    return Status::Ok();
  });
}

Status SqliteStore::UpdateIntakeFile(const IntakeFile& f) {
  Stmt s(db_,
         "UPDATE intake_files SET msg_id=?, group_status=?, accepted=?, rejected=?, report=?, sha256=? "
         "WHERE id=?");
  s.BindText(1, f.msg_id).BindText(2, f.group_status).Bind(3, static_cast<int64_t>(f.accepted));
  s.Bind(4, static_cast<int64_t>(f.rejected)).BindText(5, f.report).BindText(6, f.sha256).Bind(7, f.id);
  return s.Run();
}

Result<int64_t> SqliteStore::NextPaymentId() {
  Stmt s(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM payments");
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  NKS_CHECK(row);
  return s.Int(0);
}

Status SqliteStore::InsertPaymentRow(const Payment& p) {
  Stmt& s = insert_payment_;
  s.Bind(1, p.id).Bind(2, p.file_id).BindText(3, p.system).BindText(4, p.end_to_end);
  s.BindText(5, p.pmt_inf_id).Bind(6, static_cast<int64_t>(p.line));
  s.Bind(7, int64_t{p.authority}).BindText(8, p.los).BindText(9, p.bank_agreement);
  s.BindText(10, p.benefit_type).Bind(11, static_cast<int64_t>(p.recipient));
  s.BindText(12, p.creditor_account).BindText(13, p.creditor_name).Bind(14, p.amount_ore);
  s.BindText(15, p.currency).BindText(16, p.requested_date).BindText(17, p.payout_date);
  s.BindText(18, p.remittance);
  return s.Run();
}

// Rows first, in id order (appends to the table's B-tree); then each access
// path in its own key order, so its B-tree is walked left to right instead
// of at random: at 1 M payments this is ~3x cheaper than letting SQLite
// maintain an index per row.
Status SqliteStore::AddPayments(const std::vector<Payment>& batch, std::vector<size_t>* duplicates) {
  duplicates->clear();
  if (batch.empty()) return Status::Ok();
  return InTransaction([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(int64_t segment, RecipientSegmentFor(batch.front()));
    for (size_t i = 0; i < batch.size(); ++i) {
      NKS_CHECK(batch[i].id > 0 && (i == 0 || batch[i].id > batch[i - 1].id));
      NKS_RETURN_IF_ERROR(InsertPaymentRow(batch[i]));
    }
    std::vector<const Payment*> order(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) order[i] = &batch[i];
    std::sort(order.begin(), order.end(), [](const Payment* a, const Payment* b) {
      return std::tie(a->system, a->end_to_end) < std::tie(b->system, b->end_to_end);
    });
    std::vector<bool> refused(batch.size(), false);
    for (const Payment* p : order) {
      Stmt& k = insert_payment_key_;
      k.BindText(1, p->system).BindText(2, p->end_to_end).Bind(3, p->id);
      Status st = k.Run();
      if (st.code() == Code::kAlreadyExists) {  // the sender used it in an earlier file
        const size_t i = static_cast<size_t>(p - batch.data());
        refused[i] = true;
        duplicates->push_back(i);
        delete_payment_.Bind(1, p->id);
        NKS_RETURN_IF_ERROR(delete_payment_.Run());
        continue;
      }
      NKS_RETURN_IF_ERROR(st);
    }
    std::sort(duplicates->begin(), duplicates->end());
    std::vector<std::pair<uint64_t, int64_t>> recipients;
    recipients.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!refused[i] && batch[i].recipient != 0) recipients.emplace_back(batch[i].recipient, batch[i].id);
    }
    std::sort(recipients.begin(), recipients.end());
    for (const auto& [recipient, id] : recipients) {
      Stmt& r = insert_payment_recipient_;
      r.Bind(1, segment).Bind(2, static_cast<int64_t>(recipient)).Bind(3, id);
      NKS_RETURN_IF_ERROR(r.Run());
    }
    return Status::Ok();
  });
}

// The recipient segment of a batch starting with `first`: the last one,
// unless `first` starts an intake file (the payment before it is of another
// file, or there is none) and the last segment spans kRecipientSegmentMinIds
// ids by then: a new one from `first` on.
Result<int64_t> SqliteStore::RecipientSegmentFor(const Payment& first) {
  // Segment 0 is always there (migration 16; RemovePaymentsFrom keeps it).
  Stmt last(db_, "SELECT MAX(first_id) FROM recipient_segments");
  NKS_ASSIGN_OR_RETURN(bool row, last.Step());
  NKS_CHECK(row && !last.IsNull(0));
  const int64_t segment = last.Int(0);
  NKS_CHECK(first.id > segment);
  if (first.file_id == 0 || first.id - segment < kRecipientSegmentMinIds) return segment;
  Stmt before(db_, "SELECT file_id FROM payments WHERE id<? ORDER BY id DESC LIMIT 1");
  before.Bind(1, first.id);
  NKS_ASSIGN_OR_RETURN(bool any, before.Step());
  if (any && before.Int(0) == first.file_id) return segment;
  Stmt add(db_, "INSERT INTO recipient_segments(first_id) VALUES(?)");
  add.Bind(1, first.id);
  NKS_RETURN_IF_ERROR(add.Run());
  return first.id;
}

Status SqliteStore::RemovePaymentsFrom(int64_t first_id) {
  NKS_CHECK(in_transaction_);
  NKS_CHECK(first_id > 0);  // segment 0 stays
  for (const char* sql : {
           "DELETE FROM payment_keys WHERE (system, end_to_end) IN "
           "(SELECT system, end_to_end FROM payments WHERE id>=?1)",
           // The segments from the one holding first_id on (the last ones).
           "DELETE FROM payment_recipients WHERE segment>="
           "(SELECT MAX(first_id) FROM recipient_segments WHERE first_id<=?1) AND id>=?1",
           "DELETE FROM recipient_segments WHERE first_id>=?1",
           "DELETE FROM payments WHERE id>=?1"}) {
    Stmt s(db_, sql);
    s.Bind(1, first_id);
    NKS_RETURN_IF_ERROR(s.Run());
  }
  return Status::Ok();
}

Status SqliteStore::AddPaymentGroup(const PaymentGroup& g) {
  NKS_CHECK(g.first_id <= g.last_id);
  Stmt s(db_,
         "INSERT INTO payment_groups(file_id,first_id,last_id,authority,los,payout_date,waiting) "
         "VALUES(?,?,?,?,?,?,1)");
  s.Bind(1, g.file_id).Bind(2, g.first_id).Bind(3, g.last_id).Bind(4, int64_t{g.authority});
  s.BindText(5, g.los).BindText(6, g.payout_date);
  return s.Run();
}

Status SqliteStore::AddPayment(Payment* p) {
  return InTransaction([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(p->id, NextPaymentId());
    std::vector<size_t> duplicates;
    NKS_RETURN_IF_ERROR(AddPayments({*p}, &duplicates));
    if (!duplicates.empty()) {
      p->id = 0;
      return Status::AlreadyExists("the EndToEndId was used before by this system");
    }
    NKS_RETURN_IF_ERROR(
        AddPaymentGroup(PaymentGroup{p->file_id, p->id, p->id, p->authority, p->los, p->payout_date}));
    // Pending is the absence of an outcome; anything else is recorded.
    if (p->status != PaymentStatus::kPending) return SetPaymentOutcome(*p);
    return Status::Ok();
  });
}

Result<bool> SqliteStore::EndToEndIdUsed(const std::string& system, const std::string& end_to_end) {
  Stmt s(db_, "SELECT 1 FROM payment_keys WHERE system=? AND end_to_end=?");
  s.BindText(1, system).BindText(2, end_to_end);
  return s.Step();
}

Result<std::optional<Payment>> SqliteStore::GetPayment(int64_t id) {
  Stmt s(db_, fmt::format("SELECT {} FROM {} WHERE p.id=?", kPaymentColumns, kPaymentFrom));
  s.Bind(1, id);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Payment>();
  return std::optional<Payment>(ReadPayment(s));
}

Result<std::optional<Payment>> SqliteStore::FindPayment(const std::string& system,
                                                        const std::string& end_to_end) {
  Stmt s(db_, fmt::format("SELECT {} FROM payment_keys k JOIN payments p ON p.id=k.id "
                          "LEFT JOIN payment_outcomes o ON o.id=p.id "
                          "WHERE k.system=? AND k.end_to_end=?",
                          kPaymentColumns));
  s.BindText(1, system).BindText(2, end_to_end);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Payment>();
  return std::optional<Payment>(ReadPayment(s));
}

// The groups waiting for a cut-off at or before the date, then each one's
// id range: every due payment in id order, with no per-payment index.
Status SqliteStore::ScanDuePayments(const std::string& last_payout_date, const RowFn<DuePayment>& fn) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  {
    Stmt g(db_, "SELECT first_id, last_id FROM payment_groups WHERE waiting=1 AND payout_date<=?");
    g.BindText(1, last_payout_date);
    while (true) {
      NKS_ASSIGN_OR_RETURN(bool row, g.Step());
      if (!row) break;
      ranges.emplace_back(g.Int(0), g.Int(1));
    }
  }
  std::sort(ranges.begin(), ranges.end());
  // The few payments of a range with an outcome already (stopped) are read
  // first and skipped, instead of a lookup per payment.
  Stmt decided(db_, "SELECT id FROM payment_outcomes WHERE id BETWEEN ? AND ? ORDER BY id");
  Stmt s(db_,
         "SELECT id, file_id, system, authority, bank_agreement, benefit_type, recipient, "
         "creditor_account, amount_ore, payout_date FROM payments WHERE id BETWEEN ? AND ? ORDER BY id");
  bool more = true;
  std::vector<int64_t> skip;
  for (const auto& [first, last] : ranges) {
    skip.clear();
    decided.Bind(1, first).Bind(2, last);
    while (true) {
      NKS_ASSIGN_OR_RETURN(bool row, decided.Step());
      if (!row) break;
      skip.push_back(decided.Int(0));
    }
    decided.Reset();
    size_t next_skip = 0;
    s.Bind(1, first).Bind(2, last);
    DuePayment p;
    while (more) {
      NKS_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      p.id = s.Int(0);
      while (next_skip < skip.size() && skip[next_skip] < p.id) ++next_skip;
      if (next_skip < skip.size() && skip[next_skip] == p.id) continue;
      p.file_id = s.Int(1);
      p.system = s.Text(2);
      p.authority = static_cast<uint32_t>(s.Int(3));
      p.bank_agreement = s.Text(4);
      p.benefit_type = s.Text(5);
      p.recipient = static_cast<uint64_t>(s.Int(6));
      p.creditor_account = s.Text(7);
      p.amount_ore = s.Int(8);
      p.payout_date = s.Text(9);
      more = fn(p);
    }
    s.Reset();
    if (!more) break;
  }
  return Status::Ok();
}

Status SqliteStore::CloseDueGroups(const std::string& last_payout_date) {
  Stmt s(db_, "UPDATE payment_groups SET waiting=0 WHERE waiting=1 AND payout_date<=?");
  s.BindText(1, last_payout_date);
  return s.Run();
}

Status SqliteStore::SetPaymentOutcome(const Payment& p) {
  // Prepared once: a cut-off records an outcome for every due payment.
  if (!set_payment_outcome_.valid()) {
    set_payment_outcome_ = Stmt(db_,
        "INSERT INTO payment_outcomes(id,status,bank_file_id,resolved_account,resolution,"
        "outcome_reason,report_id) SELECT id,?,?,?,?,?,? FROM payments WHERE id=? "
        "ON CONFLICT(id) DO UPDATE SET status=excluded.status, bank_file_id=excluded.bank_file_id, "
        "resolved_account=excluded.resolved_account, resolution=excluded.resolution, "
        "outcome_reason=excluded.outcome_reason, report_id=excluded.report_id");
  }
  Stmt& s = set_payment_outcome_;
  s.Bind(1, static_cast<int64_t>(p.status)).Bind(2, p.bank_file_id).BindText(3, p.resolved_account);
  s.BindText(4, p.resolution).BindText(5, p.outcome_reason).Bind(6, p.report_id).Bind(7, p.id);
  NKS_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() != 1) return Status::NotFound(fmt::format("payment {} does not exist", p.id));
  return Status::Ok();
}

Status SqliteStore::AddBankFile(BankFile* f) {
  Stmt s(db_,
         "INSERT INTO bank_files(msg_id,authority,bank_agreement,payout_date,created_us,path,"
         "tx_count,ctrl_sum_ore,written,authority_name,debit_account,debit_bank) "
         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  s.BindText(1, f->msg_id).Bind(2, int64_t{f->authority}).BindText(3, f->bank_agreement);
  s.BindText(4, f->payout_date).Bind(5, f->created_us).BindText(6, f->path);
  s.Bind(7, static_cast<int64_t>(f->tx_count)).Bind(8, f->ctrl_sum_ore).Bind(9, int64_t{f->written});
  s.BindText(10, f->authority_name).BindText(11, f->debit_account).BindText(12, f->debit_bank);
  NKS_RETURN_IF_ERROR(s.Run());
  f->id = sqlite3_last_insert_rowid(db_.handle());
  return Status::Ok();
}

Status SqliteStore::MarkBankFileWritten(int64_t id) {
  Stmt s(db_, "UPDATE bank_files SET written=1 WHERE id=?");
  s.Bind(1, id);
  return s.Run();
}

Result<std::vector<BankFile>> SqliteStore::UnwrittenBankFiles() {
  std::vector<BankFile> out;
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT id,msg_id,authority,bank_agreement,payout_date,created_us,path,tx_count,"
      "ctrl_sum_ore,written,authority_name,debit_account,debit_bank FROM bank_files "
      "WHERE written=0 ORDER BY id",
      &out, [](const Stmt& s) {
        return BankFile{s.Int(0), s.Text(1), static_cast<uint32_t>(s.Int(2)), s.Text(3), s.Text(4),
                        s.Int(5), s.Text(6), static_cast<uint64_t>(s.Int(7)), s.Int(8), s.Int(9) != 0,
                        s.Text(10), s.Text(11), s.Text(12)};
      }));
  return out;
}

Result<uint64_t> SqliteStore::CountBankFiles(const std::string& bank_agreement,
                                             const std::string& payout_date) {
  Stmt s(db_, "SELECT COUNT(*) FROM bank_files WHERE bank_agreement=? AND payout_date=?");
  s.BindText(1, bank_agreement).BindText(2, payout_date);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  NKS_CHECK(row);
  return static_cast<uint64_t>(s.Int(0));
}

Status SqliteStore::ScanBankFilePayments(int64_t bank_file_id, const RowFn<BankFileEntry>& fn) {
  Stmt s(db_, fmt::format("SELECT {} FROM payment_outcomes o JOIN payments p ON p.id=o.id "
                          "WHERE o.bank_file_id=? ORDER BY o.id",
                          kBankFileEntryColumns));
  s.Bind(1, bank_file_id);
  return ScanRows<BankFileEntry>(s, fn, ReadBankFileEntry);
}

// Plain INSERTs in id order: pending payments have no outcome row, and the
// table's B-tree is appended to.
Status SqliteStore::AddPaymentOutcomes(const std::vector<PaymentOutcome>& outcomes) {
  return InTransaction([&]() -> Status {
    Stmt s(db_,
           "INSERT INTO payment_outcomes(id,status,bank_file_id,resolved_account,resolution,"
           "outcome_reason,report_id) VALUES(?,?,?,?,?,?,?)");
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const PaymentOutcome& o = outcomes[i];
      NKS_CHECK(i == 0 || o.id > outcomes[i - 1].id);
      s.Bind(1, o.id).Bind(2, static_cast<int64_t>(o.status)).Bind(3, o.bank_file_id);
      s.BindText(4, o.resolved_account).BindText(5, o.resolution).BindText(6, o.outcome_reason);
      s.Bind(7, o.report_id);
      Status st = s.Run();
      if (st.code() == Code::kAlreadyExists) {
        return Status::Corruption(fmt::format("payment {} has an outcome already", o.id));
      }
      NKS_RETURN_IF_ERROR(st);
    }
    return Status::Ok();
  });
}

Status SqliteStore::AddStatusReport(StatusReport* r) {
  Stmt s(db_,
         "INSERT INTO status_reports(system,file_id,original_msg_id,dir,created_us,tx_count,written) "
         "VALUES(?,?,?,?,?,?,?)");
  s.BindText(1, r->system).Bind(2, r->file_id).BindText(3, r->original_msg_id).BindText(4, r->dir);
  s.Bind(5, r->created_us).Bind(6, static_cast<int64_t>(r->tx_count)).Bind(7, int64_t{r->written});
  NKS_RETURN_IF_ERROR(s.Run());
  r->id = sqlite3_last_insert_rowid(db_.handle());
  return Status::Ok();
}

Status SqliteStore::MarkStatusReportWritten(int64_t id) {
  Stmt s(db_, "UPDATE status_reports SET written=1 WHERE id=?");
  s.Bind(1, id);
  return s.Run();
}

Result<std::vector<StatusReport>> SqliteStore::UnwrittenStatusReports() {
  Stmt s(db_,
         "SELECT id,system,file_id,original_msg_id,dir,created_us,tx_count,written "
         "FROM status_reports WHERE written=0 ORDER BY id");
  std::vector<StatusReport> out;
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(StatusReport{s.Int(0), s.Text(1), s.Int(2), s.Text(3), s.Text(4), s.Int(5),
                               static_cast<uint64_t>(s.Int(6)), s.Int(7) != 0});
  }
  return out;
}

Status SqliteStore::ScanStatusReportPayments(int64_t report_id, const RowFn<ReportedPayment>& fn) {
  Stmt s(db_, fmt::format("SELECT {} FROM payment_outcomes o JOIN payments p ON p.id=o.id "
                          "WHERE o.report_id=? ORDER BY o.id",
                          kReportedPaymentColumns));
  s.Bind(1, report_id);
  return ScanRows<ReportedPayment>(s, fn, ReadReportedPayment);
}

// The search's SQL is made of constant fragments only, one per filter that
// is set; every value is a bound parameter. BindPaymentQuery binds them in
// the same order. The access path: the recipient's payments, the sender's
// EndToEndId, or the groups (authority, LOS unit, payout date) and their id
// ranges; each filter is applied once, on the group where the path walks
// groups.
bool ByKey(const PaymentQuery& q) { return !q.recipient && q.system && q.end_to_end; }
bool ByGroups(const PaymentQuery& q) { return !q.recipient && !ByKey(q); }

std::string PaymentSearchSql(const PaymentQuery& q) {
  std::string sql = fmt::format("SELECT {} FROM ", kPaymentColumns);
  if (q.recipient) {
    // A lookup in each segment (CROSS JOIN: the segments are the outer loop).
    sql += "recipient_segments s CROSS JOIN payment_recipients r ON r.segment=s.first_id AND r.recipient=? "
           "JOIN payments p ON p.id=r.id LEFT JOIN payment_outcomes o ON o.id=p.id WHERE 1=1";
  } else if (ByKey(q)) {
    sql += "payment_keys k JOIN payments p ON p.id=k.id "
           "LEFT JOIN payment_outcomes o ON o.id=p.id WHERE k.system=? AND k.end_to_end=?";
  } else {
    sql += "payment_groups g JOIN payments p ON p.id BETWEEN g.first_id AND g.last_id "
           "LEFT JOIN payment_outcomes o ON o.id=p.id WHERE 1=1";
  }
  const std::string t = ByGroups(q) ? "g" : "p";  // what holds authority, LOS unit and date
  if (q.authority) sql += " AND " + t + ".authority=?";
  if (!q.los.empty()) {
    sql += " AND " + t + ".los IN (?";
    for (size_t i = 1; i < q.los.size(); ++i) sql += ",?";
    sql += ")";
  }
  if (q.from_payout_date) sql += " AND " + t + ".payout_date>=?";
  if (q.to_payout_date) sql += " AND " + t + ".payout_date<=?";
  if (q.amount_min_ore) sql += " AND p.amount_ore>=?";
  if (q.amount_max_ore) sql += " AND p.amount_ore<=?";
  if (q.benefit_type) sql += " AND p.benefit_type=?";
  if (q.status) sql += " AND COALESCE(o.status, 1)=?";
  if (!ByKey(q)) {
    if (q.system) sql += " AND p.system=?";
    if (q.end_to_end) sql += " AND p.end_to_end=?";
  }
  return sql + " ORDER BY p.payout_date DESC, p.id DESC LIMIT ?";
}

void BindPaymentQuery(Stmt& s, const PaymentQuery& q) {
  int i = 0;
  if (q.recipient) s.Bind(++i, static_cast<int64_t>(*q.recipient));
  if (ByKey(q)) {
    s.BindText(++i, *q.system);
    s.BindText(++i, *q.end_to_end);
  }
  if (q.authority) s.Bind(++i, int64_t{*q.authority});
  for (const std::string& los : q.los) s.BindText(++i, los);
  if (q.from_payout_date) s.BindText(++i, *q.from_payout_date);
  if (q.to_payout_date) s.BindText(++i, *q.to_payout_date);
  if (q.amount_min_ore) s.Bind(++i, *q.amount_min_ore);
  if (q.amount_max_ore) s.Bind(++i, *q.amount_max_ore);
  if (q.benefit_type) s.BindText(++i, *q.benefit_type);
  if (q.status) s.Bind(++i, static_cast<int64_t>(*q.status));
  if (!ByKey(q)) {
    if (q.system) s.BindText(++i, *q.system);
    if (q.end_to_end) s.BindText(++i, *q.end_to_end);
  }
  s.Bind(++i, int64_t{q.limit});
}

Status SqliteStore::SearchPayments(const PaymentQuery& query, const RowFn<Payment>& fn) {
  if (query.limit < 1 || query.limit > PaymentQuery::kLimitMax) {
    return Status::Invalid(
        fmt::format("payment search: limit {} is not in 1..{}", query.limit, PaymentQuery::kLimitMax));
  }
  if (query.los.size() > PaymentQuery::kLosUnitsMax) {
    return Status::Invalid(fmt::format("payment search: {} LOS units, at most {}", query.los.size(),
                                       PaymentQuery::kLosUnitsMax));
  }
  Stmt s(db_, PaymentSearchSql(query));
  BindPaymentQuery(s, query);
  return ScanRows<Payment>(s, fn, ReadPayment);
}

Result<std::optional<IntakeFile>> SqliteStore::GetIntakeFile(int64_t id) {
  Stmt s(db_,
         "SELECT id,system,msg_id,sha256,received_us,group_status,accepted,rejected,report "
         "FROM intake_files WHERE id=?");
  s.Bind(1, id);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<IntakeFile>();
  return std::optional<IntakeFile>(IntakeFile{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4),
                                              s.Text(5), static_cast<uint64_t>(s.Int(6)),
                                              static_cast<uint64_t>(s.Int(7)), s.Text(8)});
}

// ---- Identity ----

Result<StoreIdentity> SqliteStore::Identity() {
  StoreIdentity id;
  Stmt s(db_, "SELECT key, value FROM meta WHERE key IN ('store_id', 'registry_generation')");
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    (s.Text(0) == "store_id" ? id.store_id : id.registry_generation) = s.Int(1);
  }
  if (id.store_id == 0) return Status::Corruption("the store has no identity (meta.store_id)");
  return id;
}

Status SqliteStore::BumpRegistryGeneration() {
  Stmt s(db_, "UPDATE meta SET value=value+1 WHERE key='registry_generation'");
  return s.Run();
}

// ---- Configuration ----

Result<ConfigSnapshot> SqliteStore::LoadConfig() {
  ConfigSnapshot c;
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT nks,name,type,policy,error_account,late FROM authorities ORDER BY nks",
      &c.authorities, [](const Stmt& s) {
        return Authority{static_cast<uint32_t>(s.Int(0)), s.Text(1), s.Text(2),
                         static_cast<FailedPaymentPolicy>(s.Int(3)), s.Text(4),
                         static_cast<LatePaymentRule>(s.Int(5))};
      }));
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT authority,id,name,parent FROM los_units ORDER BY authority,id", &c.los_units,
      [](const Stmt& s) {
        return LosUnit{static_cast<uint32_t>(s.Int(0)), s.Text(1), s.Text(2), s.Text(3)};
      }));
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT authority,number,bank,account FROM bank_agreements ORDER BY authority,number",
      &c.bank_agreements, [](const Stmt& s) {
        return BankAgreement{static_cast<uint32_t>(s.Int(0)), s.Text(1), s.Text(2), s.Text(3)};
      }));
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT authority,code,name FROM benefit_types ORDER BY authority,code", &c.benefit_types,
      [](const Stmt& s) {
        return BenefitType{static_cast<uint32_t>(s.Int(0)), s.Text(1), s.Text(2)};
      }));
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT id,name,certificate,connected FROM payment_systems ORDER BY id", &c.systems,
      [](const Stmt& s) { return PaymentSystem{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0}; }));
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT system,authority,state,reference,fee_ore FROM connections ORDER BY system,authority",
      &c.connections, [](const Stmt& s) {
        return Connection{s.Text(0), static_cast<uint32_t>(s.Int(1)),
                          static_cast<ConnectionState>(s.Int(2)), s.Text(3), s.Int(4)};
      }));
  return c;
}

Status SqliteStore::PutAuthority(const Authority& a) {
  Stmt s(db_, "INSERT OR REPLACE INTO authorities VALUES(?,?,?,?,?,?)");
  s.Bind(1, int64_t{a.nks}).BindText(2, a.name).BindText(3, a.type);
  s.Bind(4, static_cast<int64_t>(a.policy)).BindText(5, a.error_account);
  s.Bind(6, static_cast<int64_t>(a.late));
  return s.Run();
}

Status SqliteStore::PutLosUnit(const LosUnit& u) {
  Stmt s(db_, "INSERT OR REPLACE INTO los_units VALUES(?,?,?,?)");
  s.Bind(1, int64_t{u.authority}).BindText(2, u.id).BindText(3, u.name).BindText(4, u.parent);
  return s.Run();
}

Status SqliteStore::PutBankAgreement(const BankAgreement& b) {
  Stmt s(db_, "INSERT OR REPLACE INTO bank_agreements VALUES(?,?,?,?)");
  s.Bind(1, int64_t{b.authority}).BindText(2, b.number).BindText(3, b.bank).BindText(4, b.account);
  return s.Run();
}

Status SqliteStore::PutBenefitType(const BenefitType& b) {
  Stmt s(db_, "INSERT OR REPLACE INTO benefit_types VALUES(?,?,?)");
  s.Bind(1, int64_t{b.authority}).BindText(2, b.code).BindText(3, b.name);
  return s.Run();
}

Status SqliteStore::PutPaymentSystem(const PaymentSystem& p) {
  Stmt s(db_, "INSERT OR REPLACE INTO payment_systems VALUES(?,?,?,?)");
  s.BindText(1, p.id).BindText(2, p.name).BindText(3, p.certificate);
  s.Bind(4, int64_t{p.connected ? 1 : 0});
  return s.Run();
}

Status SqliteStore::PutConnection(const Connection& c) {
  Stmt s(db_, "INSERT OR REPLACE INTO connections VALUES(?,?,?,?,?)");
  s.BindText(1, c.system).Bind(2, int64_t{c.authority}).Bind(3, static_cast<int64_t>(c.state));
  s.BindText(4, c.reference).Bind(5, c.fee_ore);
  return s.Run();
}

Status SqliteStore::AppendConfigChange(ConfigChange* c) {
  return InTransaction([&]() -> Status {
    Stmt s(db_, "INSERT INTO config_changes(at_us,actor,object,old_value,new_value) VALUES(?,?,?,?,?)");
    s.Bind(1, c->at_us).BindText(2, c->actor).BindText(3, c->object);
    s.BindText(4, c->old_value).BindText(5, c->new_value);
    NKS_RETURN_IF_ERROR(s.Run());
    c->seq = sqlite3_last_insert_rowid(db_.handle());
    return Status::Ok();
  });
}

Result<std::vector<ConfigChange>> SqliteStore::ConfigHistory() {
  std::vector<ConfigChange> out;
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT seq,at_us,actor,object,old_value,new_value FROM config_changes ORDER BY seq", &out,
      [](const Stmt& s) {
        return ConfigChange{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)};
      }));
  return out;
}

SqliteImportWriter::~SqliteImportWriter() {
  if (!done_) store_->Rollback();
  store_->EndImport();
}

Status SqliteImportWriter::PutPerson(const Person& p, bool* changed) {
  bool was_changed = false;
  NKS_RETURN_IF_ERROR(store_->PutPerson(p, &was_changed));
  if (changed != nullptr) *changed = was_changed;
  registry_changed_ = registry_changed_ || was_changed;
  return Status::Ok();
}
Status SqliteImportWriter::PutCompany(const Company& c, bool* changed) {
  bool was_changed = false;
  NKS_RETURN_IF_ERROR(store_->PutCompany(c, &was_changed));
  if (changed != nullptr) *changed = was_changed;
  registry_changed_ = registry_changed_ || was_changed;
  return Status::Ok();
}
Status SqliteImportWriter::PutUnit(const Unit& u, bool* changed) {
  bool was_changed = false;
  NKS_RETURN_IF_ERROR(store_->PutUnit(u, &was_changed));
  if (changed != nullptr) *changed = was_changed;
  registry_changed_ = registry_changed_ || was_changed;
  return Status::Ok();
}
Status SqliteImportWriter::AppendNemKonto(NemKontoEvent* e) { return store_->InsertNemKonto(e); }

Status SqliteImportWriter::Commit() {
  NKS_CHECK(!done_);
  done_ = true;
  if (registry_changed_) {
    Status bumped = store_->BumpRegistryGeneration();
    if (!bumped.ok()) {
      store_->Rollback();
      return bumped;
    }
  }
  return store_->Commit();
}

// ---- API access (issue 4) ----

Result<std::vector<Principal>> SqliteStore::LoadPrincipals() {
  std::vector<Principal> out;
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT match,kind,system,bank,authority,user FROM principals ORDER BY match", &out,
      [](const Stmt& s) {
        return Principal{s.Text(0), static_cast<PrincipalKind>(s.Int(1)), s.Text(2), s.Text(3),
                         static_cast<uint32_t>(s.Int(4)), s.Text(5)};
      }));
  return out;
}

Status SqliteStore::PutPrincipal(const Principal& p) {
  Stmt s(db_, "INSERT OR REPLACE INTO principals VALUES(?,?,?,?,?,?)");
  s.BindText(1, p.match).Bind(2, static_cast<int64_t>(p.kind)).BindText(3, p.system);
  s.BindText(4, p.bank).Bind(5, int64_t{p.authority}).BindText(6, p.user);
  return s.Run();
}

Result<std::optional<IdempotencyRecord>> SqliteStore::GetIdempotency(const std::string& principal,
                                                                     const std::string& key) {
  Stmt s(db_,
         "SELECT request_hash,status,content_type,body,created_us FROM idempotency_keys "
         "WHERE principal=? AND key=?");
  s.BindText(1, principal).BindText(2, key);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(IdempotencyRecord{
      principal, key, s.Text(0), static_cast<int>(s.Int(1)), s.Text(2), s.Text(3), s.Int(4)});
}

Status SqliteStore::AddIdempotency(const IdempotencyRecord& r) {
  return InTransaction([&]() -> Status {
    Stmt s(db_, "INSERT OR IGNORE INTO idempotency_keys VALUES(?,?,?,?,?,?,?)");
    s.BindText(1, r.principal).BindText(2, r.key).BindText(3, r.request_hash);
    s.Bind(4, int64_t{r.status}).BindText(5, r.content_type).BindText(6, r.body).Bind(7, r.created_us);
    NKS_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return Status::AlreadyExists("idempotency key: already used");
    return Status::Ok();
  });
}

// ---- Audit log (issue 4) ----

Status SqliteStore::AppendAudit(AuditEntry* e, const std::function<std::string(const AuditEntry&)>& hash) {
  return InTransaction([&]() -> Status {
    // The last entry itself, not the head: the chain continues from what is
    // there (verify reports a head that disagrees).
    Stmt last(db_, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    NKS_ASSIGN_OR_RETURN(bool row, last.Step());
    e->seq = row ? last.Int(0) + 1 : 1;
    e->prev_hash = row ? last.Text(1) : std::string(64, '0');
    last.Reset();
    e->hash = hash(*e);
    NKS_CHECK(!e->hash.empty());
    Stmt s(db_, "INSERT INTO audit_log VALUES(?,?,?,?,?,?,?,?)");
    s.Bind(1, e->seq).Bind(2, e->at_us).BindText(3, e->actor).BindText(4, e->action);
    s.BindText(5, e->target).BindText(6, e->outcome).BindText(7, e->prev_hash).BindText(8, e->hash);
    NKS_RETURN_IF_ERROR(s.Run());
    Stmt head(db_, "INSERT OR REPLACE INTO audit_head(id, seq, hash) VALUES(1, ?, ?)");
    head.Bind(1, e->seq).BindText(2, e->hash);
    return head.Run();
  });
}

Status SqliteStore::ScanAudit(int64_t from_seq, int64_t from_us, const RowFn<AuditEntry>& fn) {
  Stmt s(db_,
         "SELECT seq, at_us, actor, action, target, outcome, prev_hash, hash FROM audit_log "
         "WHERE seq >= ? AND at_us >= ? ORDER BY seq");
  s.Bind(1, from_seq).Bind(2, from_us);
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    AuditEntry e{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Text(7)};
    if (!fn(e)) return Status::Ok();
  }
}

Result<std::pair<int64_t, std::string>> SqliteStore::AuditHead() {
  Stmt s(db_, "SELECT seq, hash FROM audit_head WHERE id = 1");
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::pair<int64_t, std::string>(0, "");
  return std::pair<int64_t, std::string>(s.Int(0), s.Text(1));
}

// ---- Users and role profiles (issue 4) ----

Result<std::vector<RoleProfile>> SqliteStore::LoadRoleProfiles() {
  std::vector<RoleProfile> out;
  NKS_RETURN_IF_ERROR(ReadAll(db_, "SELECT authority, name, functions FROM role_profiles ORDER BY authority, name",
                              &out, [](const Stmt& s) {
                                RoleProfile r{static_cast<uint32_t>(s.Int(0)), s.Text(1), {}};
                                std::string list = s.Text(2);
                                for (size_t at = 0; at < list.size();) {
                                  size_t comma = std::min(list.find(',', at), list.size());
                                  r.functions.push_back(list.substr(at, comma - at));
                                  at = comma + 1;
                                }
                                return r;
                              }));
  return out;
}

Result<std::vector<User>> SqliteStore::LoadUsers() {
  std::vector<User> out;
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT authority, id, name, payment_system_cases FROM users ORDER BY authority, id", &out,
      [](const Stmt& s) { return User{static_cast<uint32_t>(s.Int(0)), s.Text(1), s.Text(2), s.Int(3) != 0, {}}; }));
  Stmt g(db_, "SELECT role, los FROM user_grants WHERE authority=? AND user=? ORDER BY role, los");
  for (User& u : out) {
    g.Bind(1, int64_t{u.authority}).BindText(2, u.id);
    while (true) {
      NKS_ASSIGN_OR_RETURN(bool row, g.Step());
      if (!row) break;
      u.grants.push_back(RoleGrant{g.Text(0), g.Text(1)});
    }
    g.Reset();
  }
  return out;
}

Status SqliteStore::PutRoleProfile(const RoleProfile& r) {
  std::string list;
  for (const auto& f : r.functions) list += (list.empty() ? "" : ",") + f;
  Stmt s(db_, "INSERT OR REPLACE INTO role_profiles VALUES(?,?,?)");
  s.Bind(1, int64_t{r.authority}).BindText(2, r.name).BindText(3, list);
  return s.Run();
}

Status SqliteStore::PutUser(const User& u) {
  return InTransaction([&]() -> Status {
    Stmt s(db_, "INSERT OR REPLACE INTO users VALUES(?,?,?,?)");
    s.Bind(1, int64_t{u.authority}).BindText(2, u.id).BindText(3, u.name).Bind(4, int64_t{u.payment_system_cases});
    NKS_RETURN_IF_ERROR(s.Run());
    Stmt del(db_, "DELETE FROM user_grants WHERE authority=? AND user=?");
    del.Bind(1, int64_t{u.authority}).BindText(2, u.id);
    NKS_RETURN_IF_ERROR(del.Run());
    Stmt g(db_, "INSERT INTO user_grants VALUES(?,?,?,?)");
    for (const auto& grant : u.grants) {
      g.Bind(1, int64_t{u.authority}).BindText(2, u.id).BindText(3, grant.role).BindText(4, grant.los);
      NKS_RETURN_IF_ERROR(g.Run());
    }
    return Status::Ok();
  });
}

// ---- Four-eyes approval (issue 4) ----

constexpr const char* kPendingColumns =
    "id, authority, requested_by, method, target, body, created_us, state, decided_by, decided_us";

PendingChange ReadPendingChange(const Stmt& s) {
  return PendingChange{s.Int(0), static_cast<uint32_t>(s.Int(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5),
                       s.Int(6), static_cast<PendingState>(s.Int(7)), s.Text(8), s.Int(9)};
}

Result<std::vector<FourEyesSetting>> SqliteStore::LoadFourEyes() {
  std::vector<FourEyesSetting> out;
  NKS_RETURN_IF_ERROR(ReadAll(db_, "SELECT authority, enabled FROM four_eyes ORDER BY authority", &out,
                              [](const Stmt& s) { return FourEyesSetting{static_cast<uint32_t>(s.Int(0)), s.Int(1) != 0}; }));
  return out;
}

Status SqliteStore::PutFourEyes(const FourEyesSetting& f) {
  Stmt s(db_, "INSERT OR REPLACE INTO four_eyes VALUES(?,?)");
  s.Bind(1, int64_t{f.authority}).Bind(2, int64_t{f.enabled});
  return s.Run();
}

Status SqliteStore::AddPendingChange(PendingChange* c) {
  return InTransaction([&]() -> Status {
    Stmt s(db_,
           "INSERT INTO pending_changes(authority, requested_by, method, target, body, created_us, state, "
           "decided_by, decided_us) VALUES(?,?,?,?,?,?,?,?,?)");
    s.Bind(1, int64_t{c->authority}).BindText(2, c->requested_by).BindText(3, c->method).BindText(4, c->target);
    s.BindText(5, c->body).Bind(6, c->created_us).Bind(7, static_cast<int64_t>(c->state));
    s.BindText(8, c->decided_by).Bind(9, c->decided_us);
    NKS_RETURN_IF_ERROR(s.Run());
    c->id = sqlite3_last_insert_rowid(db_.handle());
    return Status::Ok();
  });
}

Result<std::optional<PendingChange>> SqliteStore::GetPendingChange(int64_t id) {
  Stmt s(db_, std::string("SELECT ") + kPendingColumns + " FROM pending_changes WHERE id=?");
  s.Bind(1, id);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<PendingChange>();
  return std::optional<PendingChange>(ReadPendingChange(s));
}

Result<std::vector<PendingChange>> SqliteStore::ListPendingChanges(uint32_t authority, PendingState state) {
  Stmt s(db_, std::string("SELECT ") + kPendingColumns +
                  " FROM pending_changes WHERE authority=? AND state=? ORDER BY id");
  s.Bind(1, int64_t{authority}).Bind(2, static_cast<int64_t>(state));
  std::vector<PendingChange> out;
  while (true) {
    NKS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadPendingChange(s));
  }
}

Status SqliteStore::DecidePendingChange(int64_t id, PendingState state, const std::string& by, int64_t at_us) {
  return InTransaction([&]() -> Status {
    Stmt s(db_, "UPDATE pending_changes SET state=?, decided_by=?, decided_us=? WHERE id=? AND state=?");
    s.Bind(1, static_cast<int64_t>(state)).BindText(2, by).Bind(3, at_us).Bind(4, id);
    s.Bind(5, static_cast<int64_t>(PendingState::kPending));
    NKS_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return Status::FailedPrecondition(fmt::format("pending change {} is decided already", id));
    return Status::Ok();
  });
}

// ---- Login sessions (issue 4, item 4) ----

Status SqliteStore::AddSession(const Session& x) {
  return InTransaction([&]() -> Status {
    Stmt s(db_, "INSERT INTO sessions VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    const Principal& p = x.principal;
    s.BindText(1, x.token_hash).Bind(2, static_cast<int64_t>(p.kind)).Bind(3, static_cast<int64_t>(p.cpr));
    s.Bind(4, static_cast<int64_t>(p.cvr)).Bind(5, int64_t{p.authority}).BindText(6, p.user).BindText(7, x.name);
    s.BindText(8, x.csrf_token).BindText(9, x.provider).Bind(10, int64_t{x.demo}).Bind(11, x.created_us);
    s.Bind(12, x.last_used_us).Bind(13, x.idle_expires_us).Bind(14, x.absolute_expires_us);
    return s.Run();  // a taken token_hash: AlreadyExists
  });
}

Result<std::optional<Session>> SqliteStore::GetSession(const std::string& token_hash) {
  Stmt s(db_,
         "SELECT kind, cpr, cvr, authority, user, name, csrf_token, provider, demo, created_us, last_used_us, "
         "idle_expires_us, absolute_expires_us FROM sessions WHERE token_hash=?");
  s.BindText(1, token_hash);
  NKS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Session>();
  Session x;
  x.token_hash = token_hash;
  x.principal.kind = static_cast<PrincipalKind>(s.Int(0));
  x.principal.cpr = static_cast<uint64_t>(s.Int(1));
  x.principal.cvr = static_cast<uint64_t>(s.Int(2));
  x.principal.authority = static_cast<uint32_t>(s.Int(3));
  x.principal.user = s.Text(4);
  x.name = s.Text(5);
  x.csrf_token = s.Text(6);
  x.provider = s.Text(7);
  x.demo = s.Int(8) != 0;
  x.created_us = s.Int(9);
  x.last_used_us = s.Int(10);
  x.idle_expires_us = s.Int(11);
  x.absolute_expires_us = s.Int(12);
  return std::optional<Session>(std::move(x));
}

Status SqliteStore::TouchSession(const std::string& token_hash, int64_t last_used_us, int64_t idle_expires_us) {
  return InTransaction([&]() -> Status {
    Stmt s(db_, "UPDATE sessions SET last_used_us=?, idle_expires_us=? WHERE token_hash=?");
    s.Bind(1, last_used_us).Bind(2, idle_expires_us).BindText(3, token_hash);
    NKS_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return Status::NotFound("no such session");
    return Status::Ok();
  });
}

Status SqliteStore::DeleteSession(const std::string& token_hash) {
  return InTransaction([&]() -> Status {
    Stmt s(db_, "DELETE FROM sessions WHERE token_hash=?");
    s.BindText(1, token_hash);
    return s.Run();
  });
}

Result<int64_t> SqliteStore::DeleteSessionsExpiredBefore(int64_t before_us) {
  int64_t n = 0;
  NKS_RETURN_IF_ERROR(InTransaction([&]() -> Status {
    Stmt s(db_, "DELETE FROM sessions WHERE idle_expires_us < ? OR absolute_expires_us < ?");
    s.Bind(1, before_us).Bind(2, before_us);
    NKS_RETURN_IF_ERROR(s.Run());
    n = db_.Changes();
    return Status::Ok();
  }));
  return n;
}

// ---- OpenID Connect providers ----

Result<std::vector<OidcProvider>> SqliteStore::LoadOidcProviders() {
  std::vector<OidcProvider> out;
  NKS_RETURN_IF_ERROR(ReadAll(db_,
      "SELECT id, issuer, client_id, secret_file, secret_env, redirect_uri, kind, scopes, cpr_claim, cvr_claim, "
      "user_claim, authority, name_claim, ca_file FROM oidc_providers ORDER BY id", &out,
      [](const Stmt& s) {
        OidcProvider p;
        p.id = s.Text(0);
        p.issuer = s.Text(1);
        p.client_id = s.Text(2);
        p.secret_file = s.Text(3);
        p.secret_env = s.Text(4);
        p.redirect_uri = s.Text(5);
        p.kind = static_cast<PrincipalKind>(s.Int(6));
        p.scopes = s.Text(7);
        p.cpr_claim = s.Text(8);
        p.cvr_claim = s.Text(9);
        p.user_claim = s.Text(10);
        p.authority = static_cast<uint32_t>(s.Int(11));
        p.name_claim = s.Text(12);
        p.ca_file = s.Text(13);
        return p;
      }));
  return out;
}

Status SqliteStore::PutOidcProvider(const OidcProvider& p) {
  Stmt s(db_, "INSERT OR REPLACE INTO oidc_providers VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.BindText(1, p.id).BindText(2, p.issuer).BindText(3, p.client_id).BindText(4, p.secret_file);
  s.BindText(5, p.secret_env).BindText(6, p.redirect_uri).Bind(7, static_cast<int64_t>(p.kind));
  s.BindText(8, p.scopes).BindText(9, p.cpr_claim).BindText(10, p.cvr_claim).BindText(11, p.user_claim);
  s.Bind(12, int64_t{p.authority}).BindText(13, p.name_claim).BindText(14, p.ca_file);
  return s.Run();
}

}  // namespace

Result<std::unique_ptr<Store>> SqliteStore::OpenAnother() { return OpenSqlite(path_, options_); }

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const OpenOptions& options) {
  auto store = std::make_unique<SqliteStore>();
  NKS_RETURN_IF_ERROR(store->Open(path, options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace nks::store
