// The two-pass reading every register import shares: pass one checks each
// record and collects (key, where) for the good ones; if the whole file is
// good, pass two revisits the records in key order (sorted input writes
// B-trees sequentially: ~3x faster than file order for random keys) for the
// caller to write. Memory is 24 bytes per record, not the records.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/csv.h"
#include "nks/core/progress.h"
#include "nks/core/status.h"

namespace nks::registry {

using Fields = std::vector<std::string_view>;

class CsvBatch {
 public:
  // `header`: the exact header fields, comma-joined ("cpr,name,...").
  CsvBatch(std::string path, std::string_view header, ProgressFn progress, size_t errors_max);

  // Pass one. `check` returns the record's key or an error whose message
  // starts with the field name ("cpr: day 32 does not exist"). Keys must be
  // unique in the file; a repeated key is reported on both lines.
  Status Check(const std::function<Result<uint64_t>(const Fields&)>& check);

  // Reports an error about the record at `index` of keys() (cross checks).
  void Reject(size_t index, std::string_view field_and_reason);

  // Pass two, only when ok(): calls `write` for each record in key order.
  Status Write(const std::function<Status(uint64_t key, const Fields&)>& write);

  bool ok() const { return errors_total_ == 0; }
  uint64_t records() const { return entries_.size() + bad_records_; }
  size_t size() const { return entries_.size(); }
  uint64_t key(size_t i) const { return entries_[i].key; }
  const std::vector<std::string>& errors() const { return errors_; }
  uint64_t errors_total() const { return errors_total_; }
  const std::string& path() const { return path_; }

 private:
  struct Entry {
    uint64_t key;
    uint64_t offset;
    uint64_t line;
  };
  void Error(uint64_t line, std::string_view what);
  Status CheckHeader(CsvReader& reader, Fields& fields);
  void FindDuplicates();

  std::string path_;
  std::string header_;
  size_t field_count_;
  ProgressFn progress_;
  size_t errors_max_;
  std::vector<Entry> entries_;
  uint64_t bad_records_ = 0;
  std::vector<std::string> errors_;
  uint64_t errors_total_ = 0;
};

// Report every 4 MiB of input.
constexpr uint64_t kProgressStepBytes = 4 << 20;

}  // namespace nks::registry
