// Fuzzes CsvReader (RFC 4180 records, UTF-8 check, error recovery) on text
// in memory, reading every record to the end.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/csv.h"

namespace {

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "csv_fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nks::CsvReader reader = nks::CsvReader::FromText(text);
  std::vector<std::string_view> fields;
  std::string rewritten;
  uint64_t last_position = 0;
  while (true) {
    const nks::Result<bool> more = reader.Next(&fields);
    // Every call either ends the input or moves forward: no endless loop.
    Require(reader.position() <= size, "position past the end");
    if (more.ok() && !*more) break;
    Require(reader.position() > last_position, "Next() did not advance");
    last_position = reader.position();
    if (!more.ok()) continue;
    Require(!fields.empty() && fields.size() <= nks::CsvReader::kFieldsMax, "field count");
    rewritten.clear();
    for (size_t i = 0; i < fields.size(); ++i) {
      Require(nks::IsValidUtf8(fields[i]), "a field of a valid record is not UTF-8");
      if (i > 0) rewritten.push_back(',');
      nks::AppendCsvField(&rewritten, fields[i]);
    }
    // A record written back with AppendCsvField reads as the same fields;
    // but a blank line (one empty field) writes back as nothing at all.
    if (fields.size() == 1 && fields[0].empty()) continue;
    const std::vector<std::string_view> original = fields;
    std::vector<std::string> copies(original.begin(), original.end());
    nks::CsvReader again = nks::CsvReader::FromText(rewritten);
    std::vector<std::string_view> reread;
    const nks::Result<bool> got = again.Next(&reread);
    Require(got.ok() && *got, "a rewritten record does not read");
    Require(reread.size() == copies.size(), "a rewritten record has other fields");
    for (size_t i = 0; i < copies.size(); ++i) Require(reread[i] == copies[i], "field differs");
  }
  return 0;
}
