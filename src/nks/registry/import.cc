#include "nks/registry/import.h"

#include <fmt/format.h>

#include <algorithm>

#include "nks/core/csv.h"
#include "nks/core/ids.h"
#include "nks/registry/csv_batch.h"

namespace nks::registry {
namespace {

// Register text fields: names and addresses as the CPR/CVR registers hold them.
constexpr size_t kNameBytesMax = 200;
constexpr size_t kAddressBytesMax = 200;
constexpr size_t kCityBytesMax = 100;

Status CheckText(std::string_view field, std::string_view value, size_t max_bytes,
                 bool required) {
  if (value.empty()) {
    if (required) return Status::Invalid(fmt::format("{}: must not be empty", field));
    return Status::Ok();
  }
  if (value.size() > max_bytes) {
    return Status::Invalid(fmt::format("{}: longer than {} bytes", field, max_bytes));
  }
  // No early exit: the compiler vectorises this loop.
  bool control = false;
  for (char c : value) control |= static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  if (control) return Status::Invalid(fmt::format("{}: contains a control character", field));
  if (value.front() == ' ' || value.back() == ' ') {
    return Status::Invalid(fmt::format("{}: has leading or trailing spaces", field));
  }
  return Status::Ok();
}

// name,address,postcode,city at fields[1..4]. Persons who are dead or have
// emigrated may have no Danish address.
Status CheckNameAndAddress(const Fields& f, bool address_required) {
  NKS_RETURN_IF_ERROR(CheckText("name", f[1], kNameBytesMax, true));
  NKS_RETURN_IF_ERROR(CheckText("address", f[2], kAddressBytesMax, address_required));
  if (!f[3].empty() || address_required) {
    bool four_digits = f[3].size() == 4 && std::all_of(f[3].begin(), f[3].end(), [](char c) {
                         return c >= '0' && c <= '9';
                       });
    if (!four_digits) return Status::Invalid("postcode: must be 4 digits");
  }
  return CheckText("city", f[4], kCityBytesMax, address_required || !f[3].empty());
}

// Fills the text columns shared by persons and companies (fields 1..4),
// reusing the row's buffers.
template <typename Row>
void FillNameAndAddress(const Fields& f, Row* r) {
  r->name.assign(f[1]);
  r->address.assign(f[2]);
  r->postcode.assign(f[3]);
  r->city.assign(f[4]);
}

ImportReport MakeReport(const CsvBatch& batch) {
  ImportReport report;
  report.file = batch.path();
  report.records = batch.records();
  report.errors = batch.errors();
  report.errors_total = batch.errors_total();
  return report;
}

// Writes a checked batch in one transaction: rows are built on the reading
// thread (`fill`) and written on this one (`put`).
template <typename Row>
Result<ImportReport> WriteBatch(
    store::Store& store, CsvBatch& batch,
    const std::function<Status(uint64_t, const Fields&, Row*)>& fill,
    const std::function<Status(store::ImportWriter&, const Row&, bool*)>& put) {
  ImportReport report = MakeReport(batch);
  if (!batch.ok()) return report;
  NKS_ASSIGN_OR_RETURN(auto writer, store.BeginImport());
  NKS_RETURN_IF_ERROR(batch.Pipeline<Row>(fill, [&](uint64_t, Row& row) {
    bool changed = false;
    NKS_RETURN_IF_ERROR(put(*writer, row, &changed));
    ++(changed ? report.changed : report.unchanged);
    return Status::Ok();
  }));
  NKS_RETURN_IF_ERROR(writer->Commit());
  return report;
}

}  // namespace

Result<ImportReport> ImportCpr(store::Store& store, const std::string& path,
                               const ImportOptions& options) {
  CsvBatch batch(path, "cpr,name,address,postcode,city,status", options.progress,
                 options.errors_max);
  NKS_RETURN_IF_ERROR(batch.Check([](const Fields& f) -> Result<uint64_t> {
    NKS_ASSIGN_OR_RETURN(Cpr cpr, Cpr::Parse(f[0]));
    auto status = store::ParsePersonStatus(f[5]);
    if (!status.ok()) return status.status().WithContext("status");
    bool has_address = *status == store::PersonStatus::kActive ||
                       *status == store::PersonStatus::kProtected;
    NKS_RETURN_IF_ERROR(CheckNameAndAddress(f, has_address));
    return cpr.number();
  }));
  return WriteBatch<store::Person>(
      store, batch,
      [](uint64_t key, const Fields& f, store::Person* p) {
        FillNameAndAddress(f, p);
        p->cpr = key;
        p->status = *store::ParsePersonStatus(f[5]);
        return Status::Ok();
      },
      [](store::ImportWriter& w, const store::Person& p, bool* changed) {
        return w.PutPerson(p, changed);
      });
}

Result<ImportReport> ImportCvr(store::Store& store, const std::string& path,
                               const ImportOptions& options) {
  CsvBatch batch(path, "cvr,name,address,postcode,city,status", options.progress,
                 options.errors_max);
  NKS_RETURN_IF_ERROR(batch.Check([](const Fields& f) -> Result<uint64_t> {
    NKS_ASSIGN_OR_RETURN(Cvr cvr, Cvr::Parse(f[0]));
    auto status = store::ParseCompanyStatus(f[5]);
    if (!status.ok()) return status.status().WithContext("status");
    NKS_RETURN_IF_ERROR(CheckNameAndAddress(f, *status == store::CompanyStatus::kActive));
    return cvr.number();
  }));
  return WriteBatch<store::Company>(
      store, batch,
      [](uint64_t key, const Fields& f, store::Company* c) {
        FillNameAndAddress(f, c);
        c->cvr = key;
        c->status = *store::ParseCompanyStatus(f[5]);
        return Status::Ok();
      },
      [](store::ImportWriter& w, const store::Company& c, bool* changed) {
        return w.PutCompany(c, changed);
      });
}

Result<ImportReport> ImportUnits(store::Store& store, const std::string& path,
                                 const ImportOptions& options) {
  CsvBatch batch(path, "type,number,cvr", options.progress, options.errors_max);
  NKS_RETURN_IF_ERROR(batch.Check([](const Fields& f) -> Result<uint64_t> {
    auto type = ParseIdType(f[0]);
    if (!type.ok() || (*type != IdType::kSe && *type != IdType::kPnr)) {
      return Status::Invalid("type: must be se or p");
    }
    NKS_ASSIGN_OR_RETURN(RecipientId unit, RecipientId::Parse(*type, f[1]));
    auto cvr = Cvr::Parse(f[2]);
    if (!cvr.ok()) return cvr.status();
    return unit.key();
  }));
  if (batch.ok()) {
    // Every unit belongs to a company the CVR register knows.
    std::vector<uint64_t> companies;
    NKS_RETURN_IF_ERROR(store.ScanCompanyNumbers([&](uint64_t n) {
      companies.push_back(n);
      return true;
    }));
    size_t i = 0;
    NKS_RETURN_IF_ERROR(batch.Write([&](uint64_t, const Fields& f) {
      uint64_t cvr = Cvr::Parse(f[2])->number();
      if (!std::binary_search(companies.begin(), companies.end(), cvr)) {
        batch.Reject(i, "cvr: not in the CVR register (import cvr.csv first)");
      }
      ++i;
      return Status::Ok();
    }));
  }
  return WriteBatch<store::Unit>(
      store, batch,
      [](uint64_t key, const Fields& f, store::Unit* u) {
        *u = store::Unit{key, Cvr::Parse(f[2])->number()};
        return Status::Ok();
      },
      [](store::ImportWriter& w, const store::Unit& u, bool* changed) {
        return w.PutUnit(u, changed);
      });
}

}  // namespace nks::registry
