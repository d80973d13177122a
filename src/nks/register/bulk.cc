// Bulk work on the register: the bank channel's nemkonti.csv and the
// monthly control lists.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "nks/core/codes.h"
#include "nks/core/csv.h"
#include "nks/register/register.h"
#include "nks/registry/csv_batch.h"
#include "nks/registry/recipients.h"

namespace nks::reg {
namespace {

using registry::CsvBatch;
using registry::Fields;

Result<RecipientId> ParseRecipient(const Fields& f) {
  auto type = ParseIdType(f[0]);
  if (!type.ok()) return Status::Invalid("id_type: must be cpr, cvr, se or p");
  return RecipientId::Parse(*type, f[1]);
}

}  // namespace

Result<registry::ImportReport> Register::ImportNemKonti(const std::string& path,
                                                        const registry::ImportOptions& options) {
  CsvBatch batch(path, "id_type,id,account,bank", options.progress, options.errors_max);
  NKS_RETURN_IF_ERROR(batch.Check([](const Fields& f) -> Result<uint64_t> {
    NKS_ASSIGN_OR_RETURN(RecipientId id, ParseRecipient(f));
    auto account = Account::Parse(f[2]);
    if (!account.ok()) return account.status().WithContext("account");
    NKS_RETURN_IF_ERROR(CheckBankId(f[3]));
    return id.key();
  }));
  registry::ImportReport report;
  report.file = path;
  if (batch.ok()) {
    // Keys are sorted on both sides: one merge walk finds the unknown ones.
    std::vector<uint64_t> known;
    NKS_RETURN_IF_ERROR(registry::LoadRecipientKeys(*store_, &known));
    size_t k = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      while (k < known.size() && known[k] < batch.key(i)) ++k;
      if (k == known.size() || known[k] != batch.key(i)) {
        batch.Reject(i, "id: not in the CPR or CVR register");
      }
    }
  }
  report.records = batch.records();
  report.errors = batch.errors();
  report.errors_total = batch.errors_total();
  if (!batch.ok()) return report;

  NKS_RETURN_IF_ERROR(Index().status());
  ResolutionIndex& index = *index_;
  const int64_t now_us = NowUs();
  NKS_ASSIGN_OR_RETURN(auto writer, store_->BeginImport());
  NKS_RETURN_IF_ERROR(index.CatchUp(*store_));  // under the write lock now
  // On a first load there is nothing to compare with, and inserting millions
  // of random keys one by one costs a cache miss each: the index is rebuilt
  // from the store on next use instead.
  const bool first_load = index.nemkonto_count() == 0;
  if (!first_load) index.ReserveNemKonti(batch.size());
  // Parsing runs on a second thread; the index and the store are updated
  // on this one, in key order. If the import fails the index is dropped
  // and reloaded from the store on next use.
  struct Report {
    std::optional<Account> account;
    std::string canonical;
    AccountCode danish_code = 0;  // 0 for a foreign account
    std::string bank;
  };
  Status st = batch.Pipeline<Report>(
      [](uint64_t, const Fields& f, Report* r) -> Status {
        r->account = *Account::Parse(f[2]);
        r->canonical = r->account->ToString();
        r->danish_code = r->account->is_danish()
                             ? ResolutionIndex::EncodeDanish(r->account->danish())
                             : 0;
        r->bank.assign(f[3]);
        return Status::Ok();
      },
      [&](uint64_t key, Report& r) -> Status {
        AccountCode code = r.danish_code;
        if (code == 0) {
          NKS_ASSIGN_OR_RETURN(code, index.Encode(*r.account));
        }
        AccountCode current = 0;
        store::NemKontoEvent e;
        if (!first_load && index.ActiveNemKonto(key, &current)) {
          if (current == code) {
            ++report.unchanged;
            return Status::Ok();
          }
          e.old_account = index.Decode(current).ToString();
        }
        e.recipient = key;
        e.kind = store::NemKontoEventKind::kSet;
        e.account = std::move(r.canonical);
        e.channel = store::Channel::kBank;
        e.actor = std::move(r.bank);
        e.at_us = now_us;
        ++report.changed;
        NKS_RETURN_IF_ERROR(writer->AppendNemKonto(&e));
        if (!first_load) index.ApplyActive(key, code, e.seq);
        return Status::Ok();
      });
  if (st.ok()) st = writer->Commit();
  if (!st.ok() || first_load) index_.reset();
  NKS_RETURN_IF_ERROR(st);
  return report;
}

Status Register::WriteControlList(uint32_t authority, int year, unsigned month, std::string* csv,
                                  uint64_t* rows) {
  using namespace std::chrono;
  year_month_day first{std::chrono::year(year), std::chrono::month(month), day(1)};
  if (!first.ok()) return Status::Invalid("month: must be YYYY-MM");
  year_month_day next = sys_days(first + months(1));
  const int64_t from_us = FromCopenhagen(first, seconds(0)).time_since_epoch().count();
  const int64_t to_us = FromCopenhagen(next, seconds(0)).time_since_epoch().count();
  struct Row {
    int64_t at_us;
    int64_t seq;
    std::string line;
  };
  std::vector<Row> out;
  auto time_text = [](int64_t us) { return FormatCopenhagen(Instant(microseconds(us))); };
  auto masked = [](uint64_t key) {
    auto id = RecipientId::FromKey(key);
    return id.ok() ? id->TaggedMasked() : std::string("?");
  };
  auto add = [&](int64_t at_us, int64_t seq, std::initializer_list<std::string_view> fields) {
    std::string line;
    bool first_field = true;
    for (std::string_view f : fields) {
      if (!first_field) line += ',';
      first_field = false;
      AppendCsvField(&line, f);
    }
    line += "\r\n";
    out.push_back({at_us, seq, std::move(line)});
  };
  NKS_RETURN_IF_ERROR(store_->ScanAuthorityChanges(
      authority, from_us, to_us,
      [&](const store::NemKontoEvent& e) {
        add(e.at_us, e.seq,
            {time_text(e.at_us), e.actor, "nemkonto", store::NemKontoEventKindName(e.kind),
             masked(e.recipient), "", e.old_account, e.account, "", "", e.reference});
        return true;
      },
      [&](const store::SpecificEvent& e) {
        add(e.at_us, e.seq,
            {time_text(e.at_us), e.actor, "specific", store::SpecificEventKindName(e.kind),
             masked(e.recipient), e.benefit_type, e.old_account, e.account, e.valid_until,
             e.kind == store::SpecificEventKind::kSet ? (e.locked ? "yes" : "no") : "",
             e.reference});
        return true;
      }));
  std::stable_sort(out.begin(), out.end(),
                   [](const Row& a, const Row& b) { return a.at_us < b.at_us; });
  csv->assign(
      "time,user,register,change,recipient,benefit_type,old_account,new_account,valid_until,"
      "locked,reference\r\n");
  for (const Row& r : out) csv->append(r.line);
  *rows = out.size();
  return Status::Ok();
}

}  // namespace nks::reg
