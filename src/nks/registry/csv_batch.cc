#include "nks/registry/csv_batch.h"

#include <fmt/format.h>

#include <algorithm>

#include "nks/core/ids.h"

namespace nks::registry {

CsvBatch::CsvBatch(std::string path, std::string_view header, ProgressFn progress,
                   size_t errors_max)
    : path_(std::move(path)),
      header_(header),
      field_count_(static_cast<size_t>(std::count(header.begin(), header.end(), ',')) + 1),
      progress_(std::move(progress)),
      errors_max_(errors_max) {}

void CsvBatch::Error(uint64_t line, std::string_view what) {
  ++errors_total_;
  if (errors_.size() < errors_max_) {
    // Field values may hold CPR numbers: mask any that slipped into a reason.
    errors_.push_back(MaskCprsIn(fmt::format("{}:{}: {}", path_, line, what)));
  }
}

void CsvBatch::Reject(size_t index, std::string_view field_and_reason) {
  Error(entries_[index].line, field_and_reason);
}

Status CsvBatch::CheckHeader(CsvReader& reader, Fields& fields) {
  auto got = reader.Next(&fields);
  if (!got.ok()) {
    Error(1, fmt::format("header: {}", got.status().message()));
    return Status::Ok();
  }
  if (!*got) {
    Error(1, fmt::format("header: the file is empty; expected the header line '{}'", header_));
    return Status::Ok();
  }
  std::string joined;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) joined += ',';
    joined += fields[i];
  }
  // A UTF-8 byte order mark is tolerated before the header.
  if (joined.rfind("\xEF\xBB\xBF", 0) == 0) joined.erase(0, 3);
  if (joined != header_) {
    Error(1, fmt::format("header: expected '{}'", header_));
  }
  return Status::Ok();
}

Status CsvBatch::Check(const std::function<Result<uint64_t>(const Fields&)>& check) {
  NKS_ASSIGN_OR_RETURN(reader_, CsvReader::Open(path_));
  CsvReader& reader = reader_;
  Fields fields;
  NKS_RETURN_IF_ERROR(CheckHeader(reader, fields));
  uint64_t next_report = kProgressStepBytes;
  bool sorted = true;
  while (true) {
    auto got = reader.Next(&fields);
    if (!got.ok()) {
      ++bad_records_;
      Error(reader.line(), fmt::format("record: {}", got.status().message()));
      continue;
    }
    if (!*got) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != field_count_) {
      ++bad_records_;
      Error(reader.line(), fmt::format("record: has {} fields, expected {} ({})", fields.size(),
                                       field_count_, header_));
      continue;
    }
    auto key = check(fields);
    if (!key.ok()) {
      ++bad_records_;
      Error(reader.line(), key.status().message());
      continue;
    }
    if (!entries_.empty() && entries_.back().key >= *key) sorted = false;
    entries_.push_back({*key, reader.offset(), reader.line()});
    if (progress_ && reader.position() >= next_report) {
      progress_(fmt::format("{}: checking", path_), reader.position(), reader.size());
      next_report = reader.position() + kProgressStepBytes;
    }
  }
  if (!sorted) {
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.key < b.key || (a.key == b.key && a.line < b.line); });
  }
  FindDuplicates();
  return Status::Ok();
}

void CsvBatch::FindDuplicates() {
  for (size_t i = 1; i < entries_.size(); ++i) {
    if (entries_[i].key != entries_[i - 1].key) continue;
    size_t first = i - 1;
    while (first > 0 && entries_[first - 1].key == entries_[i].key) --first;
    Error(entries_[i].line,
          fmt::format("id: appears more than once in the file (first on line {})",
                      entries_[first].line));
  }
}

Status CsvBatch::ReRead(size_t index, Fields* fields) {
  const Entry& e = entries_[index];
  reader_.Seek(e.offset, e.line);
  auto got = reader_.Next(fields);
  if (!got.ok() || !*got) return Status::Corruption("the file changed during the import");
  return Status::Ok();
}

void CsvBatch::ReportWritten(uint64_t written) const {
  if (!progress_) return;
  // About every 1% of the records, and at the end.
  const uint64_t step = std::max<uint64_t>(entries_.size() / 100, internal::kRecordsPerBatch);
  if (written % step < internal::kRecordsPerBatch || written == entries_.size()) {
    progress_(fmt::format("{}: writing", path_), written, entries_.size());
  }
}

Status CsvBatch::Write(const std::function<Status(uint64_t key, const Fields&)>& write) {
  // The reading thread copies the fields into reused strings.
  using Owned = std::vector<std::string>;
  Fields views;
  return Pipeline<Owned>(
      [](uint64_t, const Fields& fields, Owned* out) {
        out->resize(fields.size());
        for (size_t i = 0; i < fields.size(); ++i) (*out)[i].assign(fields[i]);
        return Status::Ok();
      },
      [&](uint64_t key, Owned& owned) {
        views.assign(owned.begin(), owned.end());
        return write(key, views);
      });
}

}  // namespace nks::registry
