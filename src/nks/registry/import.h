// Import and delta update of the external registers (SPEC §3.1) from the CSV
// layouts of the register issue:
//   cpr.csv   cpr,name,address,postcode,city,status   (active|dead|emigrated|protected)
//   cvr.csv   cvr,name,address,postcode,city,status   (active|ceased)
//   units.csv type,number,cvr                         (type se|p)
// A file is checked whole first; if any line is bad, every bad line is
// reported as "file:line: field: reason" and nothing is imported. A good
// file lands in one transaction, so an import killed half-way leaves the
// store as before. Rows already present are replaced (delta update).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nks/core/progress.h"
#include "nks/core/status.h"
#include "nks/store/store.h"

namespace nks::registry {

struct ImportOptions {
  ProgressFn progress;
  // Error lines kept in the report; the total is always counted.
  size_t errors_max = 1000;
};

struct ImportReport {
  std::string file;
  uint64_t records = 0;    // data lines read
  uint64_t changed = 0;    // rows new or different
  uint64_t unchanged = 0;  // rows already as in the file
  std::vector<std::string> errors;  // "file:line: field: reason"
  uint64_t errors_total = 0;
  bool ok() const { return errors_total == 0; }
};

// I/O failures are a Status; bad content is a report with errors.
Result<ImportReport> ImportCpr(store::Store& store, const std::string& path,
                               const ImportOptions& options = {});
Result<ImportReport> ImportCvr(store::Store& store, const std::string& path,
                               const ImportOptions& options = {});
// Every unit's CVR must be in the store already (import cvr.csv first).
Result<ImportReport> ImportUnits(store::Store& store, const std::string& path,
                                 const ImportOptions& options = {});

}  // namespace nks::registry
