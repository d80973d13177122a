// Both stores (SQLite and PostgreSQL, each case on each): migrations, register rows, import and write
// transactions, the append-only history and the durability settings.
// All identifiers are invented test values.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nks/store/store.h"
#include "nks/store/temp_store_test.h"

namespace nks::store {
namespace {

namespace fs = std::filesystem;

// Packed recipient keys as RecipientId::key() makes them: type in the top byte.
constexpr uint64_t kCprA = 102851237;    // 010285-1237
constexpr uint64_t kCprB = 1503721118;   // 150372-1118
constexpr uint64_t kKeyA = (uint64_t{1} << 56) | kCprA;
constexpr uint64_t kKeyB = (uint64_t{1} << 56) | kCprB;
constexpr uint64_t kCvrA = 80000006;
constexpr uint64_t kCvrB = 80000014;
constexpr uint64_t kSeKey = (uint64_t{3} << 56) | 90000004;
constexpr uint64_t kPKey = (uint64_t{4} << 56) | 9000000001;

// A fresh directory and store target per test (a SQLite file, or a
// PostgreSQL database of its own), removed afterwards.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("nks_store_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string error;
    target_ = target_maker_.Make(GetParam(), dir_, "store_" + CurrentTestName(), &error);
    ASSERT_FALSE(target_.empty()) << error;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (!HasFailure()) target_maker_.Remove();
  }

  bool postgres() const { return GetParam() == Backend::kPostgres; }

  std::unique_ptr<Store> Open() {
    auto store = OpenStore(target_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static Person MakePerson(uint64_t cpr, std::string name) {
    Person p;
    p.cpr = cpr;
    p.name = std::move(name);
    p.address = "Testvej 1";
    p.postcode = "8000";
    p.city = "Aarhus C";
    return p;
  }

  static Company MakeCompany(uint64_t cvr, std::string name) {
    Company c;
    c.cvr = cvr;
    c.name = std::move(name);
    c.address = "Industrivej 2";
    c.postcode = "5000";
    c.city = "Odense C";
    return c;
  }

  static NemKontoEvent MakeSet(uint64_t recipient, std::string account, int64_t at_us) {
    NemKontoEvent e;
    e.recipient = recipient;
    e.kind = NemKontoEventKind::kSet;
    e.account = std::move(account);
    e.channel = Channel::kBank;
    e.actor = "1551";
    e.at_us = at_us;
    return e;
  }

  static SpecificEvent MakeSpecific(uint64_t recipient, uint32_t authority, int64_t at_us) {
    SpecificEvent e;
    e.recipient = recipient;
    e.authority = authority;
    e.benefit_type = "boligstoette";
    e.account = "1551-0000123456";
    e.channel = Channel::kAuthority;
    e.actor = "sagsbehandler1";
    e.reference = "SAG-1";
    e.at_us = at_us;
    return e;
  }

  fs::path dir_;
  std::string target_;  // the SQLite file or the PostgreSQL URL

 private:
  TestStoreTarget target_maker_;
};

// A raw connection to the same store, for what the interface cannot say.
class RawDb {
 public:
  RawDb(Backend backend, const std::string& target) {
    if (backend == Backend::kPostgres) {
      pg_ = PQconnectdb(target.c_str());
      EXPECT_EQ(PQstatus(pg_), CONNECTION_OK) << PQerrorMessage(pg_);
    } else {
      EXPECT_EQ(sqlite3_open_v2(target.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
      sqlite3_busy_timeout(db_, 5000);
    }
  }
  ~RawDb() {
    sqlite3_close_v2(db_);
    PQfinish(pg_);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Runs `sql`; true when it succeeded, else sets *error.
  bool Exec(const std::string& sql, std::string* error = nullptr) {
    if (pg_ != nullptr) {
      PGresult* r = PQexec(pg_, sql.c_str());
      bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
      if (error) *error = PQresultErrorMessage(r);
      PQclear(r);
      return ok;
    }
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (error) *error = err ? err : "";
    sqlite3_free(err);
    return rc == SQLITE_OK;
  }
  // The first column of the first row, as text.
  std::string Query(const std::string& sql) {
    if (pg_ != nullptr) {
      PGresult* r = PQexec(pg_, sql.c_str());
      EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << sql << ": " << PQresultErrorMessage(r);
      std::string out = PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "";
      PQclear(r);
      return out;
    }
    return QueryOn(db_, sql);
  }

  static std::string QueryOn(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  PGconn* pg_ = nullptr;
};

// What only the SQLite store has (its journal and sync settings, its plans).
class SqliteOnlyTest : public StoreTest {};

// ---- Migrations ----

constexpr int kLatestVersion = 16;

TEST_P(StoreTest, MigrationsBringTheSchemaToTheLatestVersion) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto version = store->SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, kLatestVersion);

  RawDb raw(GetParam(), target_);
  const std::string tables = postgres() ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_name='"
                                        : "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='";
  for (const char* table :
       {"persons", "companies", "units", "nemkonto_events", "specific_events", "schema_migrations"}) {
    EXPECT_EQ(raw.Query(tables + table + "'"), "1") << table;
  }
  // SQLite: no-update and no-delete on the four histories (NemKonto,
  // specific accounts, configuration, audit log); PostgreSQL: no-change
  // (update or delete) and no-truncate on each.
  EXPECT_EQ(raw.Query(postgres() ? "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal"
                                 : "SELECT COUNT(*) FROM sqlite_master WHERE type='trigger'"),
            "8");
}

TEST_P(StoreTest, IdentityStaysAndOnlyRegistryChangesBumpTheGeneration) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const StoreIdentity first = *store->Identity();
  EXPECT_NE(first.store_id, 0);
  auto put = [&](const Person& p) {
    auto writer = store->BeginImport();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->PutPerson(p, nullptr).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  };
  put(MakePerson(kCprA, "Anna Test"));
  const StoreIdentity second = *store->Identity();
  EXPECT_EQ(second.store_id, first.store_id);
  EXPECT_EQ(second.registry_generation, first.registry_generation + 1);
  put(MakePerson(kCprA, "Anna Test"));  // unchanged: nothing derived goes stale
  EXPECT_EQ(store->Identity()->registry_generation, second.registry_generation);
  store.reset();
  auto reopened = Open();
  EXPECT_EQ(reopened->Identity()->store_id, first.store_id);
  EXPECT_EQ(reopened->Identity()->registry_generation, second.registry_generation);
}

TEST_P(StoreTest, ReopeningKeepsDataAndDoesNotMigrateAgain) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto writer = store->BeginImport();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->PutPerson(MakePerson(kCprA, "Anna Test"), nullptr).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  for (int i = 0; i < 2; ++i) {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->SchemaVersion(), kLatestVersion);
    auto person = store->GetPerson(kCprA);
    ASSERT_TRUE(person.ok());
    ASSERT_TRUE(person->has_value());
    EXPECT_EQ((*person)->name, "Anna Test");
  }
  RawDb raw(GetParam(), target_);
  EXPECT_EQ(raw.Query("SELECT COUNT(*) FROM schema_migrations"), std::to_string(kLatestVersion));
}

// ---- Register rows ----

TEST_P(StoreTest, PutPersonReportsChangedOnlyForNewOrDifferentRows) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto writer = store->BeginImport();
  ASSERT_TRUE(writer.ok());
  ImportWriter& w = **writer;
  bool changed = false;

  Person p = MakePerson(kCprA, "Anna Test");
  ASSERT_TRUE(w.PutPerson(p, &changed).ok());
  EXPECT_TRUE(changed) << "new row";
  ASSERT_TRUE(w.PutPerson(p, &changed).ok());
  EXPECT_FALSE(changed) << "identical row";

  p.city = "Aarhus N";
  ASSERT_TRUE(w.PutPerson(p, &changed).ok());
  EXPECT_TRUE(changed) << "different city";
  p.status = PersonStatus::kProtected;
  ASSERT_TRUE(w.PutPerson(p, &changed).ok());
  EXPECT_TRUE(changed) << "different status";
  ASSERT_TRUE(w.PutPerson(p, &changed).ok());
  EXPECT_FALSE(changed);
  ASSERT_TRUE(w.Commit().ok());

  auto got = store->GetPerson(kCprA);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->cpr, kCprA);
  EXPECT_EQ((*got)->name, "Anna Test");
  EXPECT_EQ((*got)->address, "Testvej 1");
  EXPECT_EQ((*got)->postcode, "8000");
  EXPECT_EQ((*got)->city, "Aarhus N");
  EXPECT_EQ((*got)->status, PersonStatus::kProtected);

  auto missing = store->GetPerson(kCprB);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreTest, PutPersonKeepsEmptyAddressFieldsAsEmptyText) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto writer = store->BeginImport();
  ASSERT_TRUE(writer.ok());
  Person p;
  p.cpr = kCprB;
  p.name = "Bo Udvandret";
  p.status = PersonStatus::kEmigrated;
  bool changed = false;
  ASSERT_TRUE((*writer)->PutPerson(p, &changed).ok());
  EXPECT_TRUE(changed);
  ASSERT_TRUE((*writer)->PutPerson(p, &changed).ok());
  EXPECT_FALSE(changed);
  ASSERT_TRUE((*writer)->Commit().ok());
  auto got = store->GetPerson(kCprB);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->address, "");
  EXPECT_EQ((*got)->status, PersonStatus::kEmigrated);
}

TEST_P(StoreTest, PutCompanyReportsChangedOnlyForNewOrDifferentRows) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto writer = store->BeginImport();
  ASSERT_TRUE(writer.ok());
  ImportWriter& w = **writer;
  bool changed = false;

  Company c = MakeCompany(kCvrA, "Test ApS");
  ASSERT_TRUE(w.PutCompany(c, &changed).ok());
  EXPECT_TRUE(changed);
  ASSERT_TRUE(w.PutCompany(c, &changed).ok());
  EXPECT_FALSE(changed);
  c.name = "Test A/S";
  ASSERT_TRUE(w.PutCompany(c, &changed).ok());
  EXPECT_TRUE(changed);
  c.status = CompanyStatus::kCeased;
  ASSERT_TRUE(w.PutCompany(c, &changed).ok());
  EXPECT_TRUE(changed);
  ASSERT_TRUE(w.PutCompany(MakeCompany(kCvrB, "Anden ApS"), &changed).ok());
  EXPECT_TRUE(changed);
  ASSERT_TRUE(w.Commit().ok());

  auto got = store->GetCompany(kCvrA);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->cvr, kCvrA);
  EXPECT_EQ((*got)->name, "Test A/S");
  EXPECT_EQ((*got)->city, "Odense C");
  EXPECT_EQ((*got)->status, CompanyStatus::kCeased);
  EXPECT_EQ(*store->CountCompanies(), 2u);

  std::vector<uint64_t> numbers;
  ASSERT_TRUE(store->ScanCompanyNumbers([&](uint64_t n) {
                     numbers.push_back(n);
                     return true;
                   }).ok());
  EXPECT_EQ(numbers, (std::vector<uint64_t>{kCvrA, kCvrB}));
}

TEST_P(StoreTest, PutUnitReportsChangedOnlyForNewOrMovedUnits) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto writer = store->BeginImport();
  ASSERT_TRUE(writer.ok());
  ImportWriter& w = **writer;
  bool changed = false;

  ASSERT_TRUE(w.PutUnit(Unit{kSeKey, kCvrA}, &changed).ok());
  EXPECT_TRUE(changed);
  ASSERT_TRUE(w.PutUnit(Unit{kSeKey, kCvrA}, &changed).ok());
  EXPECT_FALSE(changed);
  ASSERT_TRUE(w.PutUnit(Unit{kSeKey, kCvrB}, &changed).ok());
  EXPECT_TRUE(changed) << "the unit moved to another company";
  ASSERT_TRUE(w.PutUnit(Unit{kPKey, kCvrA}, &changed).ok());
  EXPECT_TRUE(changed);
  ASSERT_TRUE(w.Commit().ok());

  auto se = store->GetUnit(kSeKey);
  ASSERT_TRUE(se.ok() && se->has_value());
  EXPECT_EQ((*se)->key, kSeKey);
  EXPECT_EQ((*se)->cvr, kCvrB);
  EXPECT_FALSE(store->GetUnit(kSeKey + 1)->has_value());

  std::vector<uint64_t> keys;
  ASSERT_TRUE(store->ScanUnits([&](const Unit& u) {
                     keys.push_back(u.key);
                     return true;
                   }).ok());
  EXPECT_EQ(keys, (std::vector<uint64_t>{kSeKey, kPKey}));
}

TEST_P(StoreTest, ScanPersonNumbersIsInKeyOrderAndStopsWhenAsked) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto writer = store->BeginImport();
  ASSERT_TRUE(writer.ok());
  for (uint64_t cpr : {kCprB, uint64_t{3112991234}, kCprA}) {
    ASSERT_TRUE((*writer)->PutPerson(MakePerson(cpr, "P"), nullptr).ok());
  }
  ASSERT_TRUE((*writer)->Commit().ok());

  std::vector<uint64_t> all;
  ASSERT_TRUE(store->ScanPersonNumbers([&](uint64_t n) {
                     all.push_back(n);
                     return true;
                   }).ok());
  EXPECT_EQ(all, (std::vector<uint64_t>{kCprA, kCprB, 3112991234}));
  EXPECT_EQ(*store->CountPersons(), 3u);

  std::vector<uint64_t> first;
  ASSERT_TRUE(store->ScanPersonNumbers([&](uint64_t n) {
                     first.push_back(n);
                     return false;
                   }).ok());
  EXPECT_EQ(first, (std::vector<uint64_t>{kCprA}));
}

// ---- Import and write transactions ----

TEST_P(StoreTest, ImportIsInvisibleToOtherConnectionsUntilCommit) {
  auto writer_store = Open();
  auto reader_store = Open();
  ASSERT_NE(writer_store, nullptr);
  ASSERT_NE(reader_store, nullptr);

  auto writer = writer_store->BeginImport();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->PutPerson(MakePerson(kCprA, "Anna Test"), nullptr).ok());
  ASSERT_TRUE((*writer)->PutCompany(MakeCompany(kCvrA, "Test ApS"), nullptr).ok());
  ASSERT_TRUE((*writer)->PutUnit(Unit{kSeKey, kCvrA}, nullptr).ok());
  NemKontoEvent e = MakeSet(kKeyA, "1551-0000123456", 1000);
  ASSERT_TRUE((*writer)->AppendNemKonto(&e).ok());
  EXPECT_GT(e.seq, 0);

  // The writing connection sees its own rows; the other one does not.
  EXPECT_TRUE(writer_store->GetPerson(kCprA)->has_value());
  EXPECT_FALSE(reader_store->GetPerson(kCprA)->has_value());
  EXPECT_FALSE(reader_store->GetCompany(kCvrA)->has_value());
  EXPECT_FALSE(reader_store->GetUnit(kSeKey)->has_value());
  EXPECT_TRUE(reader_store->NemKontoHistory(kKeyA)->empty());
  EXPECT_EQ(*reader_store->CountPersons(), 0u);

  ASSERT_TRUE((*writer)->Commit().ok());

  EXPECT_TRUE(reader_store->GetPerson(kCprA)->has_value());
  EXPECT_TRUE(reader_store->GetCompany(kCvrA)->has_value());
  EXPECT_TRUE(reader_store->GetUnit(kSeKey)->has_value());
  EXPECT_EQ(reader_store->NemKontoHistory(kKeyA)->size(), 1u);
}

TEST_P(StoreTest, DestroyingAnUncommittedImportRollsEverythingBack) {
  auto store = Open();
  auto other = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_NE(other, nullptr);
  {
    auto writer = store->BeginImport();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->PutPerson(MakePerson(kCprA, "Anna Test"), nullptr).ok());
    ASSERT_TRUE((*writer)->PutCompany(MakeCompany(kCvrA, "Test ApS"), nullptr).ok());
    ASSERT_TRUE((*writer)->PutUnit(Unit{kSeKey, kCvrA}, nullptr).ok());
    NemKontoEvent e = MakeSet(kKeyA, "1551-0000123456", 1000);
    ASSERT_TRUE((*writer)->AppendNemKonto(&e).ok());
  }  // no Commit()

  for (Store* s : {store.get(), other.get()}) {
    EXPECT_FALSE(s->GetPerson(kCprA)->has_value());
    EXPECT_FALSE(s->GetCompany(kCvrA)->has_value());
    EXPECT_FALSE(s->GetUnit(kSeKey)->has_value());
    EXPECT_TRUE(s->NemKontoHistory(kKeyA)->empty());
  }

  // The store is usable for the next import.
  auto again = store->BeginImport();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE((*again)->PutPerson(MakePerson(kCprB, "Bo Test"), nullptr).ok());
  ASSERT_TRUE((*again)->Commit().ok());
  EXPECT_TRUE(other->GetPerson(kCprB)->has_value());
  EXPECT_EQ(*other->CountPersons(), 1u);
}

TEST_P(StoreTest, TransactCommitsWhenTheBodySucceeds) {
  auto store = Open();
  auto other = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_NE(other, nullptr);
  NemKontoEvent n = MakeSet(kKeyA, "1551-0000123456", 1000);
  SpecificEvent s = MakeSpecific(kKeyA, 101, 1000);
  Status st = store->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(store->AppendNemKonto(&n));
    return store->AppendSpecific(&s);
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(other->NemKontoHistory(kKeyA)->size(), 1u);
  EXPECT_EQ(other->SpecificHistory(kKeyA)->size(), 1u);
}

TEST_P(StoreTest, TransactRollsBackAndReturnsTheBodysError) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  NemKontoEvent n = MakeSet(kKeyA, "1551-0000123456", 1000);
  SpecificEvent s = MakeSpecific(kKeyA, 101, 1000);
  Status st = store->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(store->AppendNemKonto(&n));
    NKS_RETURN_IF_ERROR(store->AppendSpecific(&s));
    return Status::FailedPrecondition("changed my mind");
  });
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(), "changed my mind");
  EXPECT_TRUE(store->NemKontoHistory(kKeyA)->empty());
  EXPECT_TRUE(store->SpecificHistory(kKeyA)->empty());

  // The next transaction starts cleanly.
  NemKontoEvent again = MakeSet(kKeyA, "1551-0000123456", 2000);
  ASSERT_TRUE(store->Transact([&] { return store->AppendNemKonto(&again); }).ok());
  EXPECT_EQ(store->NemKontoHistory(kKeyA)->size(), 1u);
}

// ---- NemKonto history ----

TEST_P(StoreTest, AppendNemKontoAssignsIncreasingSeqAndRoundTripsEveryField) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  NemKontoEvent first = MakeSet(kKeyA, "1551-0000123456", 1000);
  ASSERT_TRUE(store->AppendNemKonto(&first).ok());

  NemKontoEvent pending;
  pending.recipient = kKeyA;
  pending.kind = NemKontoEventKind::kPending;
  pending.account = "1551-0000654321";
  pending.old_account = "1551-0000123456";
  pending.channel = Channel::kAuthority;
  pending.actor = "sagsbehandler1";
  pending.authority = 101;
  pending.reference = "SAG-2026-17";
  pending.at_us = 2000;
  pending.code_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  pending.code_expires_us = 2000 + 30 * 86'400'000'000LL;
  pending.letter_id = "00112233445566778899aabbccddeeff";
  ASSERT_TRUE(store->AppendNemKonto(&pending).ok());

  NemKontoEvent other = MakeSet(kKeyB, "1551-0000999999", 2500);
  ASSERT_TRUE(store->AppendNemKonto(&other).ok());

  NemKontoEvent failed;
  failed.recipient = kKeyA;
  failed.kind = NemKontoEventKind::kActivationFailed;
  failed.channel = Channel::kCitizen;
  failed.actor = "citizen";
  failed.at_us = 3000;
  failed.pending_seq = pending.seq;
  ASSERT_TRUE(store->AppendNemKonto(&failed).ok());

  EXPECT_GT(first.seq, 0);
  EXPECT_LT(first.seq, pending.seq);
  EXPECT_LT(pending.seq, other.seq);
  EXPECT_LT(other.seq, failed.seq);

  auto history = store->NemKontoHistory(kKeyA);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].seq, first.seq);
  EXPECT_EQ((*history)[1].seq, pending.seq);
  EXPECT_EQ((*history)[2].seq, failed.seq);

  const NemKontoEvent& a = (*history)[0];
  EXPECT_EQ(a.kind, NemKontoEventKind::kSet);
  EXPECT_EQ(a.account, "1551-0000123456");
  EXPECT_EQ(a.old_account, "");
  EXPECT_EQ(a.channel, Channel::kBank);
  EXPECT_EQ(a.actor, "1551");
  EXPECT_EQ(a.authority, 0u);
  EXPECT_EQ(a.reference, "");
  EXPECT_EQ(a.pending_seq, 0);
  EXPECT_EQ(a.code_hash, "");
  EXPECT_EQ(a.code_expires_us, 0);
  EXPECT_EQ(a.letter_id, "");

  const NemKontoEvent& p = (*history)[1];
  EXPECT_EQ(p.recipient, kKeyA);
  EXPECT_EQ(p.kind, NemKontoEventKind::kPending);
  EXPECT_EQ(p.account, pending.account);
  EXPECT_EQ(p.old_account, pending.old_account);
  EXPECT_EQ(p.channel, Channel::kAuthority);
  EXPECT_EQ(p.actor, pending.actor);
  EXPECT_EQ(p.authority, 101u);
  EXPECT_EQ(p.reference, pending.reference);
  EXPECT_EQ(p.at_us, 2000);
  EXPECT_EQ(p.code_hash, pending.code_hash);
  EXPECT_EQ(p.code_expires_us, pending.code_expires_us);
  EXPECT_EQ(p.letter_id, pending.letter_id);

  const NemKontoEvent& f = (*history)[2];
  EXPECT_EQ(f.kind, NemKontoEventKind::kActivationFailed);
  EXPECT_EQ(f.pending_seq, pending.seq);
  EXPECT_EQ(f.account, "");

  EXPECT_EQ(store->NemKontoHistory(kKeyB)->size(), 1u);
  EXPECT_TRUE(store->NemKontoHistory(kKeyA + 1)->empty());
}

TEST_P(StoreTest, ScanNemKontoReturnsEntriesAfterTheGivenSeqInOrder) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    NemKontoEvent e = MakeSet(i % 2 ? kKeyA : kKeyB, "1551-0000123456", 1000 + i);
    ASSERT_TRUE(store->AppendNemKonto(&e).ok());
    seqs.push_back(e.seq);
  }

  auto scan = [&](int64_t after, size_t stop_after) {
    std::vector<int64_t> got;
    Status st = store->ScanNemKonto(after, [&](const NemKontoEvent& e) {
      got.push_back(e.seq);
      return got.size() < stop_after;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return got;
  };
  EXPECT_EQ(scan(0, 100), seqs);
  EXPECT_EQ(scan(seqs[1], 100), (std::vector<int64_t>{seqs[2], seqs[3], seqs[4]}));
  EXPECT_TRUE(scan(seqs[4], 100).empty());
  EXPECT_EQ(scan(0, 2), (std::vector<int64_t>{seqs[0], seqs[1]})) << "returning false stops";
}

TEST_P(StoreTest, NemKontoLetterExistsOnlyForRecordedLetters) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  NemKontoEvent e = MakeSet(kKeyA, "1551-0000123456", 1000);
  e.kind = NemKontoEventKind::kPending;
  e.channel = Channel::kAuthority;
  e.authority = 101;
  e.reference = "SAG-1";
  e.letter_id = "aaaabbbbccccddddeeeeffff00001111";
  ASSERT_TRUE(store->AppendNemKonto(&e).ok());

  auto yes = store->NemKontoLetterExists("aaaabbbbccccddddeeeeffff00001111");
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(*yes);
  auto no = store->NemKontoLetterExists("aaaabbbbccccddddeeeeffff00002222");
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(*no);
}

// ---- Specific accounts ----

TEST_P(StoreTest, AppendSpecificRoundTripsAndScansAfterSeq) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SpecificEvent a = MakeSpecific(kKeyA, 101, 1000);
  a.valid_until = "2027-06-30";
  a.locked = true;
  ASSERT_TRUE(store->AppendSpecific(&a).ok());
  SpecificEvent b = MakeSpecific(kKeyB, 101, 1100);
  ASSERT_TRUE(store->AppendSpecific(&b).ok());
  SpecificEvent c = MakeSpecific(kKeyA, 101, 1200);
  c.kind = SpecificEventKind::kDeleted;
  c.account = "";
  c.old_account = "1551-0000123456";
  ASSERT_TRUE(store->AppendSpecific(&c).ok());
  EXPECT_LT(a.seq, b.seq);
  EXPECT_LT(b.seq, c.seq);

  auto history = store->SpecificHistory(kKeyA);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  const SpecificEvent& h = (*history)[0];
  EXPECT_EQ(h.seq, a.seq);
  EXPECT_EQ(h.recipient, kKeyA);
  EXPECT_EQ(h.authority, 101u);
  EXPECT_EQ(h.benefit_type, "boligstoette");
  EXPECT_EQ(h.kind, SpecificEventKind::kSet);
  EXPECT_EQ(h.account, "1551-0000123456");
  EXPECT_EQ(h.old_account, "");
  EXPECT_EQ(h.valid_until, "2027-06-30");
  EXPECT_TRUE(h.locked);
  EXPECT_EQ(h.channel, Channel::kAuthority);
  EXPECT_EQ(h.actor, "sagsbehandler1");
  EXPECT_EQ(h.reference, "SAG-1");
  EXPECT_EQ(h.at_us, 1000);
  EXPECT_EQ((*history)[1].kind, SpecificEventKind::kDeleted);
  EXPECT_EQ((*history)[1].old_account, "1551-0000123456");
  EXPECT_FALSE((*history)[1].locked);

  std::vector<int64_t> after_a;
  ASSERT_TRUE(store->ScanSpecific(a.seq, [&](const SpecificEvent& e) {
                     after_a.push_back(e.seq);
                     return true;
                   }).ok());
  EXPECT_EQ(after_a, (std::vector<int64_t>{b.seq, c.seq}));
}

// ---- Control-list scan ----

TEST_P(StoreTest, ScanAuthorityChangesReturnsOnlyThatAuthoritysChannelEntriesInRange) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int64_t kFrom = 10'000;
  constexpr int64_t kTo = 20'000;

  auto nemkonto = [&](uint32_t authority, Channel channel, int64_t at_us, const char* ref) {
    NemKontoEvent e = MakeSet(kKeyA, "1551-0000123456", at_us);
    e.kind = channel == Channel::kAuthority ? NemKontoEventKind::kPending
                                            : NemKontoEventKind::kActivated;
    e.channel = channel;
    e.actor = channel == Channel::kAuthority ? "sagsbehandler1" : "citizen";
    e.authority = authority;
    e.reference = ref;
    EXPECT_TRUE(store->AppendNemKonto(&e).ok());
  };
  auto specific = [&](uint32_t authority, Channel channel, int64_t at_us, const char* ref) {
    SpecificEvent e = MakeSpecific(kKeyB, authority, at_us);
    e.channel = channel;
    e.reference = ref;
    EXPECT_TRUE(store->AppendSpecific(&e).ok());
  };
  nemkonto(101, Channel::kAuthority, kFrom + 500, "n-in-late");
  nemkonto(101, Channel::kAuthority, kFrom, "n-in-at-from");
  nemkonto(101, Channel::kAuthority, kFrom - 1, "n-before");
  nemkonto(101, Channel::kAuthority, kTo, "n-at-to");
  nemkonto(202, Channel::kAuthority, kFrom + 100, "n-other-authority");
  nemkonto(101, Channel::kCitizen, kFrom + 200, "n-citizen-activation");
  nemkonto(0, Channel::kBank, kFrom + 300, "n-bank");
  specific(101, Channel::kAuthority, kTo - 1, "s-in");
  specific(101, Channel::kCitizen, kFrom + 10, "s-citizen");
  specific(202, Channel::kAuthority, kFrom + 10, "s-other-authority");
  specific(101, Channel::kAuthority, kTo + 1, "s-after");

  std::vector<std::string> n_refs;
  std::vector<std::string> s_refs;
  Status st = store->ScanAuthorityChanges(
      101, kFrom, kTo,
      [&](const NemKontoEvent& e) {
        n_refs.push_back(e.reference);
        return true;
      },
      [&](const SpecificEvent& e) {
        s_refs.push_back(e.reference);
        return true;
      });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(n_refs, (std::vector<std::string>{"n-in-at-from", "n-in-late"})) << "in time order";
  EXPECT_EQ(s_refs, (std::vector<std::string>{"s-in"}));
}

// ---- Append-only history ----

TEST_P(StoreTest, HistoryCannotBeUpdatedOrDeletedEvenWithRawSql) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  NemKontoEvent n = MakeSet(kKeyA, "1551-0000123456", 1000);
  ASSERT_TRUE(store->AppendNemKonto(&n).ok());
  SpecificEvent s = MakeSpecific(kKeyA, 101, 1000);
  ASSERT_TRUE(store->AppendSpecific(&s).ok());

  RawDb raw(GetParam(), target_);
  std::vector<std::string> attacks = {
      "UPDATE nemkonto_events SET account='9999-0000000001'",
      "DELETE FROM nemkonto_events",
      "UPDATE specific_events SET account='9999-0000000001'",
      "DELETE FROM specific_events",
  };
  if (postgres()) {
    attacks.push_back("TRUNCATE nemkonto_events");
    attacks.push_back("TRUNCATE specific_events");
  }
  for (const std::string& sql : attacks) {
    std::string error;
    EXPECT_FALSE(raw.Exec(sql, &error)) << sql;
    EXPECT_NE(error.find("append-only"), std::string::npos) << sql << ": " << error;
  }
  auto nh = store->NemKontoHistory(kKeyA);
  ASSERT_EQ(nh->size(), 1u);
  EXPECT_EQ((*nh)[0].account, "1551-0000123456");
  auto sh = store->SpecificHistory(kKeyA);
  ASSERT_EQ(sh->size(), 1u);
  EXPECT_EQ((*sh)[0].account, "1551-0000123456");
}

// ---- Durability settings ----

// Captures the connection OpenSqlite makes, so the test can ask it for its
// per-connection settings.
sqlite3* g_last_opened = nullptr;
int CaptureConnection(sqlite3* db, const char**, const sqlite3_api_routines*) {
  g_last_opened = db;
  return SQLITE_OK;
}

// open() (the fixture's Open), with the connection it made in *db.
template <typename OpenFn>
std::unique_ptr<Store> OpenCapturing(OpenFn open, sqlite3** db) {
  using EntryPoint = void (*)();
  g_last_opened = nullptr;
  EXPECT_EQ(sqlite3_auto_extension(reinterpret_cast<EntryPoint>(&CaptureConnection)), SQLITE_OK);
  std::unique_ptr<Store> store = open();
  sqlite3_cancel_auto_extension(reinterpret_cast<EntryPoint>(&CaptureConnection));
  *db = g_last_opened;
  g_last_opened = nullptr;
  return store;
}

TEST_P(SqliteOnlyTest, OpenedStoreUsesWalWithFullSync) {
  sqlite3* db = nullptr;
  auto store = OpenCapturing([&] { return Open(); }, &db);
  ASSERT_NE(store, nullptr);
  ASSERT_NE(db, nullptr);

  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA synchronous"), "2");  // FULL

  // WAL is a property of the file: a fresh connection sees it too.
  RawDb raw(GetParam(), target_);
  EXPECT_EQ(raw.Query("PRAGMA journal_mode"), "wal");
}

TEST_P(SqliteOnlyTest, ImportOnTheOnlyConnectionLeavesTheStoreInWalWithFullSync) {
  sqlite3* db = nullptr;
  auto store = OpenCapturing([&] { return Open(); }, &db);
  ASSERT_NE(store, nullptr);
  ASSERT_NE(db, nullptr);

  {
    auto writer = store->BeginImport();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->PutPerson(MakePerson(kCprA, "Anna Test"), nullptr).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA journal_mode"), "wal") << "after a committed import";
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA synchronous"), "2");
  {
    auto writer = store->BeginImport();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->PutPerson(MakePerson(kCprB, "Bo Test"), nullptr).ok());
  }  // rolled back
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA journal_mode"), "wal") << "after a rolled-back import";
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA synchronous"), "2");
  EXPECT_TRUE(store->GetPerson(kCprA)->has_value());
  EXPECT_FALSE(store->GetPerson(kCprB)->has_value());

  store.reset();
  RawDb raw(GetParam(), target_);
  EXPECT_EQ(raw.Query("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Query("SELECT COUNT(*) FROM persons"), "1");
}


TEST_P(SqliteOnlyTest, BulkTransactWritesUnderTheRollbackJournalWithExtraSyncThenReturnsToWal) {
  sqlite3* db = nullptr;
  auto store = OpenCapturing([&] { return Open(); }, &db);
  ASSERT_NE(store, nullptr);
  ASSERT_NE(db, nullptr);

  NemKontoEvent n = MakeSet(kKeyA, "1551-0000123456", 1000);
  Status st = store->BulkTransact([&]() -> Status {
    // DELETE commits by unlinking the journal: EXTRA syncs the directory.
    EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA journal_mode"), "delete");
    EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA synchronous"), "3");  // EXTRA
    return store->AppendNemKonto(&n);
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA journal_mode"), "wal") << "after a committed bulk transaction";
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA synchronous"), "2");

  NemKontoEvent m = MakeSet(kKeyB, "1551-0000654321", 2000);
  st = store->BulkTransact([&]() -> Status {
    NKS_RETURN_IF_ERROR(store->AppendNemKonto(&m));
    return Status::FailedPrecondition("changed my mind");
  });
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA journal_mode"), "wal") << "after a rolled-back bulk transaction";
  EXPECT_EQ(RawDb::QueryOn(db, "PRAGMA synchronous"), "2");
  EXPECT_EQ(store->NemKontoHistory(kKeyA)->size(), 1u);
  EXPECT_TRUE(store->NemKontoHistory(kKeyB)->empty());
}

TEST_P(SqliteOnlyTest, AStoreOpenedDuringAnotherConnectionsBulkTransactionOpensAndReads) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  NemKontoEvent committed = MakeSet(kKeyA, "1551-0000123456", 1000);
  ASSERT_TRUE(store->Transact([&] { return store->AppendNemKonto(&committed); }).ok());

  NemKontoEvent n = MakeSet(kKeyB, "1551-0000654321", 2000);
  std::unique_ptr<Store> other;
  Status st = store->BulkTransact([&]() -> Status {
    NKS_RETURN_IF_ERROR(store->AppendNemKonto(&n));
    // WAL cannot be entered now: the newcomer works in the rollback
    // journal instead of failing with "database is locked".
    auto opened = OpenStore(target_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return opened.status();
    other = std::move(opened).value();
    EXPECT_EQ(other->NemKontoHistory(kKeyA)->size(), 1u);
    EXPECT_TRUE(other->NemKontoHistory(kKeyB)->empty()) << "the bulk transaction is not committed yet";
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->NemKontoHistory(kKeyB)->size(), 1u);
  // Both connections write on in the rollback journal meanwhile.
  NemKontoEvent later = MakeSet(kKeyA, "1551-0000999999", 3000);
  ASSERT_TRUE(other->Transact([&] { return other->AppendNemKonto(&later); }).ok());
  EXPECT_EQ(store->NemKontoHistory(kKeyA)->size(), 2u);

  // Alone again, the next connection returns the file to WAL.
  other.reset();
  store.reset();
  ASSERT_NE(Open(), nullptr);
  RawDb raw(GetParam(), target_);
  EXPECT_EQ(raw.Query("PRAGMA journal_mode"), "wal");
}

// ---- Payment search (SPEC §5.5) ----

class StoreSearchTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    StoreTest::TearDown();
  }

  int64_t Add(std::string e2e, uint32_t authority, std::string los, uint64_t recipient,
              std::string payout_date, int64_t amount_ore, PaymentStatus status = PaymentStatus::kPending) {
    Payment p;
    p.system = "SYS";
    p.end_to_end = std::move(e2e);
    p.authority = authority;
    p.los = std::move(los);
    p.bank_agreement = "PIA-1";
    p.benefit_type = "boligstoette";
    p.recipient = recipient;
    p.amount_ore = amount_ore;
    p.currency = "DKK";
    p.requested_date = payout_date;
    p.payout_date = std::move(payout_date);
    p.status = status;
    EXPECT_TRUE(store_->AddPayment(&p).ok());
    return p.id;
  }

  // The EndToEndIds found, in result order.
  std::vector<std::string> Search(const PaymentQuery& q) {
    std::vector<std::string> out;
    Status st = store_->SearchPayments(q, [&](const Payment& p) {
      out.push_back(p.end_to_end);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  std::unique_ptr<Store> store_;
};

TEST_P(StoreSearchTest, EachFilterNarrowsAndResultsAreNewestFirst) {
  Add("E1", 1, "A", kKeyA, "2026-11-02", 10000);
  Add("E2", 1, "B", kKeyB, "2026-11-30", 25000, PaymentStatus::kForwarded);
  Add("E3", 2, "A", kKeyA, "2026-11-30", 50000);
  Add("E4", 1, "A", kKeyA, "2026-12-01", 99);

  EXPECT_EQ(Search({}), (std::vector<std::string>{"E4", "E3", "E2", "E1"}));
  PaymentQuery q;
  q.authority = 1;
  EXPECT_EQ(Search(q), (std::vector<std::string>{"E4", "E2", "E1"}));
  q.los = {"A", "C"};
  EXPECT_EQ(Search(q), (std::vector<std::string>{"E4", "E1"}));

  PaymentQuery r;
  r.recipient = kKeyA;
  r.from_payout_date = "2026-11-02";
  r.to_payout_date = "2026-11-30";
  EXPECT_EQ(Search(r), (std::vector<std::string>{"E3", "E1"}));

  PaymentQuery a;
  a.amount_min_ore = 10000;
  a.amount_max_ore = 25000;
  EXPECT_EQ(Search(a), (std::vector<std::string>{"E2", "E1"}));

  PaymentQuery st;
  st.status = PaymentStatus::kForwarded;
  st.benefit_type = "boligstoette";
  st.system = "SYS";
  EXPECT_EQ(Search(st), (std::vector<std::string>{"E2"}));
  st.benefit_type = "other";
  EXPECT_TRUE(Search(st).empty());

  PaymentQuery e;
  e.end_to_end = "E3";
  EXPECT_EQ(Search(e), (std::vector<std::string>{"E3"}));
}

TEST_P(StoreSearchTest, TiesOnPayoutDateComeByIdDescendingAndTheLimitHolds) {
  for (int i = 0; i < 5; ++i) Add("E" + std::to_string(i), 1, "A", kKeyA, "2026-11-30", 100);
  PaymentQuery q;
  q.limit = 3;
  EXPECT_EQ(Search(q), (std::vector<std::string>{"E4", "E3", "E2"}));
}

TEST_P(StoreSearchTest, ValuesAreBoundNeverSpliced) {
  Add("E1", 1, "A", kKeyA, "2026-11-30", 100);
  PaymentQuery q;
  q.end_to_end = "x' OR '1'='1";
  q.los = {"A') OR 1=1 --"};
  EXPECT_TRUE(Search(q).empty());
  EXPECT_EQ(RawDb(GetParam(), target_).Query("SELECT COUNT(*) FROM payments"), "1");
}

TEST_P(StoreSearchTest, RefusesALimitOrLosListOutsideItsBounds) {
  PaymentQuery q;
  auto none = [](const Payment&) { return true; };
  q.limit = 0;
  EXPECT_EQ(store_->SearchPayments(q, none).code(), Code::kInvalidArgument);
  q.limit = PaymentQuery::kLimitMax + 1;
  EXPECT_EQ(store_->SearchPayments(q, none).code(), Code::kInvalidArgument);
  q.limit = PaymentQuery::kLimitMax;
  q.los.assign(PaymentQuery::kLosUnitsMax + 1, "A");
  EXPECT_EQ(store_->SearchPayments(q, none).code(), Code::kInvalidArgument);
  q.los.resize(PaymentQuery::kLosUnitsMax);
  EXPECT_TRUE(store_->SearchPayments(q, none).ok());
}

class SqliteOnlySearchTest : public StoreSearchTest {};

TEST_P(SqliteOnlySearchTest, SearchByRecipientLooksUpOnlyThatRecipientsPayments) {
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(target_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "EXPLAIN QUERY PLAN SELECT p.id FROM recipient_segments s CROSS JOIN "
                               "payment_recipients r ON r.segment=s.first_id AND r.recipient=?1 "
                               "JOIN payments p ON p.id=r.id "
                               "ORDER BY p.payout_date DESC, p.id DESC LIMIT 10",
                               -1, &s, nullptr),
            SQLITE_OK);
  std::string plan;  // the 4th column of each row says what is scanned
  while (sqlite3_step(s) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
    plan += ";";
  }
  sqlite3_finalize(s);
  sqlite3_close_v2(db);
  // For each segment a range of the recipient's own keys, then each payment
  // by its id: a recipient has at most a few hundred payments, so sorting
  // them is cheap. Only the segments (a row per ~262,144 ids) are scanned.
  EXPECT_NE(plan.find("SEARCH r USING PRIMARY KEY (segment=? AND recipient=?)"), std::string::npos) << plan;
  EXPECT_NE(plan.find("SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN r"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN p"), std::string::npos) << plan;
}

// A batch that starts an intake file starts a recipient segment once the
// last one spans 262,144 ids; a search finds the recipient's payments in
// every segment; taking payments back takes their entries and segments.
TEST_P(SqliteOnlySearchTest, RecipientSegmentsStartWithLargeFilesAndAreAllSearched) {
  auto add = [&](int64_t first_id, int n, int64_t file_id) {
    std::vector<Payment> batch(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      Payment& p = batch[static_cast<size_t>(i)];
      p.id = first_id + i;
      p.file_id = file_id;
      p.system = "SYS";
      p.end_to_end = "F" + std::to_string(file_id) + "-" + std::to_string(p.id);
      p.authority = 12345678;
      p.los = "L";
      p.bank_agreement = "PIA-1";
      p.benefit_type = "b";
      p.recipient = i % 2 == 0 ? kKeyA : kKeyB;
      p.amount_ore = 100;
      p.currency = "DKK";
      p.requested_date = p.payout_date = "2026-11-30";
    }
    std::vector<size_t> duplicates;
    Status st = store_->BulkTransact([&] { return store_->AddPayments(batch, &duplicates); });
    EXPECT_TRUE(st.ok()) << st.ToString();
  };
  auto segments = [&] {
    RawDb raw(GetParam(), target_);
    return raw.Query("SELECT group_concat(first_id) FROM (SELECT first_id FROM recipient_segments ORDER BY 1)");
  };
  auto found = [&](uint64_t recipient) {
    PaymentQuery q;
    q.recipient = recipient;
    q.limit = 100;
    std::vector<int64_t> ids;
    EXPECT_TRUE(store_->SearchPayments(q, [&](const Payment& p) {
      ids.push_back(p.id);
      return true;
    }).ok());
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  add(1, 4, 1);              // the first segment (0, from the migration)
  add(200'000, 2, 2);        // another file, but the segment spans < 262,144 ids
  EXPECT_EQ(segments(), "0");
  add(300'000, 4, 3);        // a new file past 262,144 ids: a segment of its own
  add(300'004, 2, 3);        // the same file's next batch: the same segment
  add(600'000, 2, 0);        // no file (NKS's own payment): the same segment
  EXPECT_EQ(segments(), "0,300000");
  EXPECT_EQ(found(kKeyA), (std::vector<int64_t>{1, 3, 200'000, 300'000, 300'002, 300'004, 600'000}));
  EXPECT_EQ(found(kKeyB), (std::vector<int64_t>{2, 4, 200'001, 300'001, 300'003, 300'005, 600'001}));

  // Intake taking back what it stored from 300,002 on, then from 300,000.
  ASSERT_TRUE(store_->Transact([&] { return store_->RemovePaymentsFrom(300'002); }).ok());
  EXPECT_EQ(segments(), "0,300000");
  EXPECT_EQ(found(kKeyA), (std::vector<int64_t>{1, 3, 200'000, 300'000}));
  ASSERT_TRUE(store_->Transact([&] { return store_->RemovePaymentsFrom(300'000); }).ok());
  EXPECT_EQ(segments(), "0");
  EXPECT_EQ(found(kKeyB), (std::vector<int64_t>{2, 4, 200'001}));
  RawDb raw(GetParam(), target_);
  EXPECT_EQ(raw.Query("SELECT COUNT(*) FROM payment_recipients"), "6");
}

// ---- Login sessions (migration 12) ----

Session MakeSession(std::string hash, PrincipalKind kind) {
  Session s;
  s.token_hash = std::move(hash);
  s.principal.kind = kind;
  s.principal.cpr = kind == PrincipalKind::kCitizen ? kCprA : 0;
  s.principal.cvr = kind == PrincipalKind::kCompany ? kCvrA : 0;
  if (kind == PrincipalKind::kEmployee) {
    s.principal.authority = 12345678;
    s.principal.user = "cw1";
  }
  s.name = "Anna Test";
  s.csrf_token = "csrf-" + s.token_hash;
  s.provider = "demo";
  s.demo = true;
  s.created_us = s.last_used_us = 1'000'000;
  s.idle_expires_us = 1'000'000 + 900'000'000;
  s.absolute_expires_us = 1'000'000 + 28'800'000'000;
  return s;
}

TEST_P(StoreTest, SessionsRoundTripSurviveReopeningAndAreKeyedByTheirHash) {
  const std::string ha(64, 'a'), hb(64, 'b'), hc(64, 'c');
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    for (const auto& s : {MakeSession(ha, PrincipalKind::kCitizen), MakeSession(hb, PrincipalKind::kCompany),
                          MakeSession(hc, PrincipalKind::kEmployee)}) {
      ASSERT_TRUE(store->AddSession(s).ok());
    }
    // A token hash is one session's.
    EXPECT_EQ(store->AddSession(MakeSession(ha, PrincipalKind::kEmployee)).code(), Code::kAlreadyExists);
  }
  auto store = Open();  // durable: a new connection sees all three
  for (const auto& [hash, kind] : {std::pair{ha, PrincipalKind::kCitizen}, std::pair{hb, PrincipalKind::kCompany},
                                   std::pair{hc, PrincipalKind::kEmployee}}) {
    auto got = store->GetSession(hash);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << hash;
    EXPECT_EQ(**got, MakeSession(hash, kind));
  }
  auto none = store->GetSession(std::string(64, 'd'));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // Only the hash is stored: no column holds anything else of the key.
  store.reset();
  RawDb raw(GetParam(), target_);
  EXPECT_EQ(raw.Query("SELECT COUNT(*) FROM sessions WHERE token_hash='" + ha + "'"), "1");
}

TEST_P(StoreTest, TouchMovesTheIdleExpiryAndDeleteEndsASession) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string h(64, 'e');
  ASSERT_TRUE(store->AddSession(MakeSession(h, PrincipalKind::kCitizen)).ok());
  ASSERT_TRUE(store->TouchSession(h, 5'000'000, 905'000'000).ok());
  auto got = store->GetSession(h);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->last_used_us, 5'000'000);
  EXPECT_EQ((*got)->idle_expires_us, 905'000'000);
  EXPECT_EQ((*got)->created_us, 1'000'000);                      // unchanged
  EXPECT_EQ((*got)->absolute_expires_us, 1'000'000 + 28'800'000'000);  // unchanged
  ASSERT_TRUE(store->DeleteSession(h).ok());
  EXPECT_FALSE(store->GetSession(h)->has_value());
  EXPECT_TRUE(store->DeleteSession(h).ok());  // logging out twice is fine
  EXPECT_EQ(store->TouchSession(h, 6'000'000, 906'000'000).code(), Code::kNotFound);
}

TEST_P(StoreTest, PurgeRemovesOnlySessionsExpiredBeforeTheGivenTime) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Session idle = MakeSession(std::string(64, '1'), PrincipalKind::kCitizen);
  idle.idle_expires_us = 100;  // idle-expired long ago
  Session absolute = MakeSession(std::string(64, '2'), PrincipalKind::kCitizen);
  absolute.absolute_expires_us = 200;  // past its 8 hours
  Session live = MakeSession(std::string(64, '3'), PrincipalKind::kCitizen);
  for (const auto& s : {idle, absolute, live}) ASSERT_TRUE(store->AddSession(s).ok());
  auto n = store->DeleteSessionsExpiredBefore(150);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(store->GetSession(idle.token_hash)->has_value());
  EXPECT_TRUE(store->GetSession(absolute.token_hash)->has_value());
  n = store->DeleteSessionsExpiredBefore(1'000);
  EXPECT_EQ(*n, 1);
  EXPECT_TRUE(store->GetSession(live.token_hash)->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, NKS_STORE_BACKENDS);
INSTANTIATE_TEST_SUITE_P(Backends, StoreSearchTest, NKS_STORE_BACKENDS);
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteOnlyTest, ::testing::Values(Backend::kSqlite), BackendName);
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteOnlySearchTest, ::testing::Values(Backend::kSqlite), BackendName);

}  // namespace
}  // namespace nks::store
