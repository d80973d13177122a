#include "nks/iso20022/xml_prolog.h"

#include <algorithm>

namespace nks::iso20022 {
namespace {

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Code units of the file's encoding, from its first bytes (XML 1.0
// appendix F). Only the ASCII-range characters of the prolog matter here.
struct Encoding {
  size_t unit_bytes = 1;
  bool big_endian = false;
  size_t bom_bytes = 0;
};

Encoding DetectEncoding(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  using namespace std::string_view_literals;
  if (starts("\xEF\xBB\xBF"sv)) return {1, false, 3};
  if (starts("\x00\x00\xFE\xFF"sv)) return {4, true, 4};
  if (starts("\xFF\xFE\x00\x00"sv)) return {4, false, 4};
  if (starts("\xFE\xFF"sv)) return {2, true, 2};
  if (starts("\xFF\xFE"sv)) return {2, false, 2};
  if (starts("\x00\x00\x00\x3C"sv)) return {4, true, 0};
  if (starts("\x3C\x00\x00\x00"sv)) return {4, false, 0};
  if (starts("\x00\x3C\x00\x3F"sv)) return {2, true, 0};
  if (starts("\x3C\x00\x3F\x00"sv)) return {2, false, 0};
  return {};
}

// Reads the prolog as characters: the XML declaration, comments, PIs and
// white space are passed over; the root's start tag ends the scan.
class PrologScanner {
 public:
  explicit PrologScanner(std::string_view head) : head_(head), enc_(DetectEncoding(head)) {
    units_ = (head.size() - std::min(head.size(), enc_.bom_bytes)) / enc_.unit_bytes;
  }

  PrologScan Scan() {
    while (true) {
      while (k_ < units_ && IsXmlSpace(Char(k_))) Advance();
      if (k_ >= units_) return {};
      if (Char(k_) != '<') return Refuse("text before the root element");
      if (k_ + 1 >= units_) return {};
      const char next = Char(k_ + 1);
      if (next == '?') {
        if (!SkipPast("?>")) return {};
      } else if (next == '!') {
        if (k_ + 3 >= units_) return {};
        if (Char(k_ + 2) != '-' || Char(k_ + 3) != '-') {
          return Refuse(
              "a DOCTYPE or other markup declaration: DTDs and entities are not "
              "allowed in a payment file");
        }
        if (!SkipPast("-->")) return {};
      } else {
        return SkipStartTag();
      }
    }
  }

 private:
  // The code unit at `k`, as a char when ASCII, else 0x7F.
  char Char(size_t k) const {
    const size_t at = enc_.bom_bytes + k * enc_.unit_bytes;
    uint32_t v = 0;
    for (size_t b = 0; b < enc_.unit_bytes; ++b) {
      const size_t byte = enc_.big_endian ? b : enc_.unit_bytes - 1 - b;
      v = (v << 8) | static_cast<unsigned char>(head_[at + byte]);
    }
    return v < 0x80 ? static_cast<char>(v) : '\x7F';
  }
  void Advance() {
    if (Char(k_) == '\n') ++line_;
    ++k_;
  }
  bool SkipPast(std::string_view end) {
    for (; k_ + end.size() <= units_; Advance()) {
      size_t i = 0;
      while (i < end.size() && Char(k_ + i) == end[i]) ++i;
      if (i == end.size()) {
        k_ += end.size();
        return true;
      }
    }
    return false;
  }
  PrologScan SkipStartTag() {
    char quote = 0;
    for (; k_ < units_; Advance()) {
      const char c = Char(k_);
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        PrologScan done;
        done.root_tag_end = enc_.bom_bytes + (k_ + 1) * enc_.unit_bytes;
        return done;
      }
    }
    return {};
  }
  PrologScan Refuse(std::string_view why) const {
    PrologScan refused;
    refused.refused_line = line_;
    refused.refused_reason = why;
    return refused;
  }

  std::string_view head_;
  Encoding enc_;
  size_t units_ = 0;
  size_t k_ = 0;       // current code unit
  uint64_t line_ = 1;  // of code unit k_
};

}  // namespace

PrologScan ScanProlog(std::string_view head) { return PrologScanner(head).Scan(); }

}  // namespace nks::iso20022
