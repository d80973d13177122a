#include "nks/registry/csv_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

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
  NKS_ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Open(path_));
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

namespace {

// Records re-read for pass two travel from the reading thread to the
// writing one in batches: parsing overlaps the database's work on the other
// core.
constexpr size_t kRecordsPerBatch = 4096;
constexpr size_t kBatchesInFlightMax = 4;

struct Batch {
  struct Record {
    uint64_t key;
    uint64_t line;
    uint32_t first_field;
    uint32_t field_count;
  };
  std::string arena;                               // field bytes
  std::vector<std::pair<size_t, size_t>> fields;   // (offset, size) into arena
  std::vector<Record> records;
  Status error;
  void Clear() {
    arena.clear();
    fields.clear();
    records.clear();
  }
};

class BatchQueue {
 public:
  // Blocks while the queue is full; false once the consumer has stopped.
  bool Push(std::unique_ptr<Batch> b) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_.size() < kBatchesInFlightMax || stopped_; });
    if (stopped_) return false;
    full_.push_back(std::move(b));
    cv_.notify_all();
    return true;
  }
  // nullptr at the end.
  std::unique_ptr<Batch> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !full_.empty() || done_; });
    if (full_.empty()) return nullptr;
    auto b = std::move(full_.front());
    full_.pop_front();
    cv_.notify_all();
    return b;
  }
  void Recycle(std::unique_ptr<Batch> b) {
    std::lock_guard lock(mu_);
    b->Clear();
    free_.push_back(std::move(b));
  }
  std::unique_ptr<Batch> Take() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return std::make_unique<Batch>();
    auto b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Done() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Batch>> full_;
  std::vector<std::unique_ptr<Batch>> free_;
  bool done_ = false;
  bool stopped_ = false;
};

}  // namespace

Status CsvBatch::Write(const std::function<Status(uint64_t key, const Fields&)>& write) {
  NKS_CHECK(ok());
  NKS_ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Open(path_));
  BatchQueue queue;
  std::thread producer([&] {
    Fields fields;
    auto batch = queue.Take();
    for (const Entry& e : entries_) {
      reader.Seek(e.offset, e.line);
      auto got = reader.Next(&fields);
      if (!got.ok() || !*got) {
        // Pass one read this record fine: the file changed under us.
        batch->error = Status::Corruption(
            fmt::format("{}:{}: the file changed during the import", path_, e.line));
        break;
      }
      batch->records.push_back({e.key, e.line, static_cast<uint32_t>(batch->fields.size()),
                                static_cast<uint32_t>(fields.size())});
      for (std::string_view f : fields) {
        batch->fields.emplace_back(batch->arena.size(), f.size());
        batch->arena.append(f);
      }
      if (batch->records.size() == kRecordsPerBatch) {
        if (!queue.Push(std::move(batch))) return;
        batch = queue.Take();
      }
    }
    if (!batch->records.empty() || !batch->error.ok()) queue.Push(std::move(batch));
    queue.Done();
  });

  Status result;
  Fields fields;
  uint64_t written = 0, next_report = 0;
  const uint64_t step = std::max<uint64_t>(entries_.size() / 100, 1);
  while (auto batch = queue.Pop()) {
    for (const Batch::Record& r : batch->records) {
      fields.clear();
      for (uint32_t i = 0; i < r.field_count; ++i) {
        const auto& [offset, size] = batch->fields[r.first_field + i];
        fields.emplace_back(batch->arena.data() + offset, size);
      }
      result = write(r.key, fields);
      if (!result.ok()) {
        result = result.WithContext(fmt::format("{}:{}", path_, r.line));
        break;
      }
    }
    if (result.ok()) result = batch->error;
    written += batch->records.size();
    queue.Recycle(std::move(batch));
    if (!result.ok()) break;
    if (progress_ && written >= next_report) {
      progress_(fmt::format("{}: writing", path_), written, entries_.size());
      next_report = written + step;
    }
  }
  queue.Stop();
  producer.join();
  // A short last batch falls below the next step: report the end anyway.
  if (result.ok() && progress_ && written < next_report) {
    progress_(fmt::format("{}: writing", path_), written, entries_.size());
  }
  return result;
}

}  // namespace nks::registry
