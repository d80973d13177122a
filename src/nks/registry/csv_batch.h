// The two-pass reading every register import shares: pass one checks each
// record and collects (key, where) for the good ones; if the whole file is
// good, pass two revisits the records in key order (sorted input writes
// B-trees sequentially: ~3x faster than file order for random keys) for the
// caller to write. Memory is 24 bytes per record, not the records.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <string_view>
#include <vector>

#include <fmt/format.h>

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

  // Pass two split over two threads: `prepare` runs on a reading thread
  // (parse, convert) and fills an item; `write` runs on the calling thread
  // with the items in key order. Items are reused: `prepare` overwrites.
  template <typename Item>
  Status Pipeline(const std::function<Status(uint64_t key, const Fields&, Item*)>& prepare,
                  const std::function<Status(uint64_t key, Item&)>& write);

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
  void ReportWritten(uint64_t written) const;
  // Pass one read this record fine: the file changed under us otherwise.
  Status ReRead(size_t index, Fields* fields);

  std::string path_;
  CsvReader reader_;  // opened by Check(); Write() reuses its mapping
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

namespace internal {

// Items travel between the two threads of CsvBatch::Pipeline in batches,
// at most a few in flight, recycled so their buffers are reused.
constexpr size_t kRecordsPerBatch = 4096;
constexpr size_t kBatchesInFlightMax = 4;

template <typename Item>
struct Batch {
  std::vector<uint64_t> keys;
  std::vector<uint64_t> lines;
  std::vector<Item> items;  // items[i] for keys[i]; only size() are live
  size_t size = 0;
  Status error;
};

template <typename Item>
class BatchQueue {
 public:
  // Blocks while full; false once the consumer has stopped.
  bool Push(std::unique_ptr<Batch<Item>> b) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_.size() < kBatchesInFlightMax || stopped_; });
    if (stopped_) return false;
    full_.push_back(std::move(b));
    cv_.notify_all();
    return true;
  }
  // nullptr at the end.
  std::unique_ptr<Batch<Item>> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !full_.empty() || done_; });
    if (full_.empty()) return nullptr;
    auto b = std::move(full_.front());
    full_.pop_front();
    cv_.notify_all();
    return b;
  }
  void Recycle(std::unique_ptr<Batch<Item>> b) {
    std::lock_guard lock(mu_);
    b->size = 0;
    free_.push_back(std::move(b));
  }
  std::unique_ptr<Batch<Item>> Take() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return std::make_unique<Batch<Item>>();
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
  std::deque<std::unique_ptr<Batch<Item>>> full_;
  std::vector<std::unique_ptr<Batch<Item>>> free_;
  bool done_ = false;
  bool stopped_ = false;
};

}  // namespace internal

template <typename Item>
Status CsvBatch::Pipeline(const std::function<Status(uint64_t, const Fields&, Item*)>& prepare,
                          const std::function<Status(uint64_t, Item&)>& write) {
  NKS_CHECK(ok());
  internal::BatchQueue<Item> queue;
  std::thread producer([&] {
    Fields fields;
    auto batch = queue.Take();
    for (size_t i = 0; i < entries_.size(); ++i) {
      Status st = ReRead(i, &fields);
      if (batch->items.size() <= batch->size) {
        batch->items.resize(batch->size + 1);
        batch->keys.resize(batch->size + 1);
        batch->lines.resize(batch->size + 1);
      }
      if (st.ok()) st = prepare(entries_[i].key, fields, &batch->items[batch->size]);
      if (!st.ok()) {
        batch->error = st.WithContext(fmt::format("{}:{}", path_, entries_[i].line));
        break;
      }
      batch->keys[batch->size] = entries_[i].key;
      batch->lines[batch->size] = entries_[i].line;
      if (++batch->size == internal::kRecordsPerBatch) {
        if (!queue.Push(std::move(batch))) return;
        batch = queue.Take();
      }
    }
    queue.Push(std::move(batch));
    queue.Done();
  });

  Status result;
  uint64_t written = 0;
  while (auto batch = queue.Pop()) {
    for (size_t i = 0; i < batch->size && result.ok(); ++i) {
      result = write(batch->keys[i], batch->items[i]);
      if (!result.ok()) result = result.WithContext(fmt::format("{}:{}", path_, batch->lines[i]));
    }
    if (result.ok()) result = batch->error;
    written += batch->size;
    queue.Recycle(std::move(batch));
    if (!result.ok()) break;
    ReportWritten(written);
  }
  queue.Stop();
  producer.join();
  return result;
}

}  // namespace nks::registry
