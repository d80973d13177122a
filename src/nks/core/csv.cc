#include "nks/core/csv.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace nks {

namespace {
// Bytes that end an unquoted field (or are an error in one).
constexpr auto kDelimiter = [] {
  std::array<bool, 256> t{};
  t[','] = t['\n'] = t['\r'] = t['"'] = true;
  return t;
}();
}  // namespace

CsvReader::~CsvReader() = default;

CsvReader::CsvReader(CsvReader&& o) noexcept { *this = std::move(o); }

CsvReader& CsvReader::operator=(CsvReader&& o) noexcept {
  if (this == &o) return *this;
  map_ = std::move(o.map_);
  data_ = o.data_;
  size_ = o.size_;
  pos_ = o.pos_;
  next_line_ = o.next_line_;
  record_line_ = o.record_line_;
  record_offset_ = o.record_offset_;
  released_bytes_ = o.released_bytes_;
  o.data_ = nullptr;
  o.size_ = 0;
  return *this;
}

Result<CsvReader> CsvReader::Open(const std::string& path) {
  NKS_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open(path));
  CsvReader r;
  r.map_ = std::move(map);
  r.data_ = r.map_.data();
  r.size_ = r.map_.size();
  return r;
}

CsvReader CsvReader::FromText(std::string_view text) {
  CsvReader r;
  r.data_ = text.data();
  r.size_ = text.size();
  return r;
}

void CsvReader::Seek(uint64_t offset, uint64_t line) {
  pos_ = offset;
  next_line_ = line;
}

void CsvReader::SkipLine() {
  while (pos_ < size_ && data_[pos_] != '\n') ++pos_;
  if (pos_ < size_) {
    ++pos_;
    ++next_line_;
  }
}

bool CsvReader::SkipLineStartingWith(char marker) {
  if (pos_ >= size_ || data_[pos_] != marker) return false;
  SkipLine();
  return true;
}

void CsvReader::ReleaseConsumedPages() {
  if (map_.size() == 0) return;
  const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t end = record_offset_ / page * page;
  if (end <= released_bytes_) return;
  madvise(const_cast<char*>(data_) + released_bytes_, end - released_bytes_, MADV_DONTNEED);
  released_bytes_ = end;
}

Result<bool> CsvReader::Next(std::vector<std::string_view>* fields) {
  Result<bool> r = NextRecord(fields);
  if (map_.truncated()) return map_.CheckUnchanged();
  return r;
}

Result<bool> CsvReader::NextRecord(std::vector<std::string_view>* fields) {
  fields->clear();
  if (pos_ >= size_) return false;
  record_offset_ = pos_;
  record_line_ = next_line_;
  Status st = ReadRecord(fields);
  if (!st.ok()) {
    pos_ = record_offset_;
    next_line_ = record_line_;
    SkipLine();
    fields->clear();
    return st;
  }
  return true;
}

// Parses one record starting at pos_. Unquoted fields are views into the
// file; quoted fields with "" are unescaped into scratch_.
Status CsvReader::ReadRecord(std::vector<std::string_view>* fields) {
  scratch_.clear();
  scratch_fields_.clear();
  const uint64_t start = pos_;
  // A runaway quote is caught here, not after scanning the rest of the file.
  const uint64_t limit = std::min<uint64_t>(size_, start + kRecordBytesMax + 1);
  while (true) {
    if (fields->size() >= kFieldsMax) return Status::Invalid("more than 64 fields");
    if (pos_ < size_ && data_[pos_] == '"') {
      ++pos_;
      const uint64_t content = pos_;
      bool escaped = false;  // the field holds "" and must be unescaped
      size_t begin = scratch_.size();
      while (true) {
        // pos_ passes limit when a "" straddles it: the record is too long.
        const void* found = pos_ < limit ? std::memchr(data_ + pos_, '"', limit - pos_) : nullptr;
        if (found == nullptr) {
          return limit < size_ ? Status::Invalid("record longer than 64 KiB")
                               : Status::Invalid("quoted field is not closed");
        }
        const uint64_t quote = static_cast<uint64_t>(static_cast<const char*>(found) - data_);
        next_line_ += static_cast<uint64_t>(std::count(data_ + pos_, data_ + quote, '\n'));
        if (quote + 1 < size_ && data_[quote + 1] == '"') {
          if (!escaped) scratch_.append(data_ + content, pos_ - content);
          escaped = true;
          scratch_.append(data_ + pos_, quote + 1 - pos_);  // keeps one quote
          pos_ = quote + 2;
          continue;
        }
        if (escaped) scratch_.append(data_ + pos_, quote - pos_);
        else fields->emplace_back(data_ + content, quote - content);
        pos_ = quote + 1;
        break;
      }
      if (escaped) {
        scratch_fields_.emplace_back(fields->size(), begin);
        fields->emplace_back(nullptr, scratch_.size() - begin);
      }
      if (pos_ < size_ && data_[pos_] != ',' && data_[pos_] != '\n' && data_[pos_] != '\r') {
        return Status::Invalid("text after a closing quote");
      }
    } else {
      uint64_t b = pos_;
      while (pos_ < size_ && !kDelimiter[static_cast<unsigned char>(data_[pos_])]) ++pos_;
      if (pos_ < size_ && data_[pos_] == '"') return Status::Invalid("quote inside an unquoted field");
      fields->emplace_back(data_ + b, pos_ - b);
    }
    if (pos_ - start > kRecordBytesMax) return Status::Invalid("record longer than 64 KiB");
    if (pos_ >= size_) break;
    char c = data_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == '\r') {
      ++pos_;
      if (pos_ >= size_ || data_[pos_] != '\n') return Status::Invalid("carriage return without line feed");
    }
    if (pos_ < size_ && data_[pos_] == '\n') {
      ++pos_;
      ++next_line_;
    }
    break;
  }
  // scratch_ may have moved while growing: point the unescaped fields now.
  for (const auto& [field, begin] : scratch_fields_) {
    (*fields)[field] = std::string_view(scratch_).substr(begin, (*fields)[field].size());
  }
  if (!IsValidUtf8(std::string_view(data_ + start, pos_ - start))) {
    return Status::Invalid("not valid UTF-8");
  }
  return Status::Ok();
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // Fast path over ASCII, 8 bytes at a time.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ULL) break;
      p += 8;
    }
    if (p >= end) break;
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

void AppendCsvField(std::string* out, std::string_view f) {
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(f);
    return;
  }
  out->push_back('"');
  for (char c : f) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace nks
