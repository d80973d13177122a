// A streaming RFC 4180 reader over a memory-mapped file: comma separated,
// fields optionally in double quotes with "" for a quote, CRLF or LF line
// ends, quoted fields may span lines. Fields are views into the file (or
// into a scratch buffer for fields with "" escapes) valid until the next
// call of Next().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/mapped_file.h"
#include "nks/core/status.h"

namespace nks {

class CsvReader {
 public:
  // A longer record is an error (a sign of a runaway quote).
  static constexpr size_t kRecordBytesMax = 64 * 1024;
  // Fields per record; register files have at most 6.
  static constexpr size_t kFieldsMax = 64;

  CsvReader() = default;
  ~CsvReader();
  CsvReader(CsvReader&& other) noexcept;
  CsvReader& operator=(CsvReader&& other) noexcept;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  static Result<CsvReader> Open(const std::string& path);
  // For tests and small inputs: reads from memory (the text must outlive it).
  static CsvReader FromText(std::string_view text);

  // Reads the next record. Returns false at the end of the file. A record
  // that breaks RFC 4180 or is not UTF-8 gives an error naming the line; the
  // reader then skips to the next line so all errors can be reported. A
  // file that shrinks while it is read gives kIoError (core/mapped_file.h).
  Result<bool> Next(std::vector<std::string_view>* fields);

  // 1-based line number where the last record read starts.
  uint64_t line() const { return record_line_; }
  // 1-based line number where the next record would start (past the end:
  // one more than the file's lines).
  uint64_t next_line() const { return next_line_; }
  // Byte offset where the last record read starts.
  uint64_t offset() const { return record_offset_; }
  uint64_t size() const { return size_; }
  uint64_t position() const { return pos_; }
  // Continues reading at a record start previously seen via offset()/line().
  void Seek(uint64_t offset, uint64_t line);

  // When the next record starts with `marker` (a comment line), skips the
  // whole line, quotes and all, and returns true.
  bool SkipLineStartingWith(char marker);
  // Hands the mapped file's pages before the last record read back to the
  // kernel, so a long sequential read keeps resident memory flat. Views of
  // earlier records stay valid (the pages are read again if touched).
  void ReleaseConsumedPages();

 private:
  Status ReadRecord(std::vector<std::string_view>* fields);
  Result<bool> NextRecord(std::vector<std::string_view>* fields);
  void SkipLine();

  MappedFile map_;  // empty for FromText
  const char* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
  uint64_t next_line_ = 1;
  uint64_t record_line_ = 0;
  uint64_t record_offset_ = 0;
  uint64_t released_bytes_ = 0;  // mapped bytes handed back by ReleaseConsumedPages()
  std::string scratch_;  // unescaped quoted fields
  std::vector<std::pair<size_t, size_t>> scratch_fields_;  // (field index, offset)
};

// True when `s` is valid UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// Writes one CSV field, quoting when needed (RFC 4180).
void AppendCsvField(std::string* out, std::string_view field);

}  // namespace nks
