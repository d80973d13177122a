// Small character and digit helpers shared by the identifier and account
// parsers. ASCII only: identifiers are digits and Latin letters.
#pragma once

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks::text {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// True for a non-empty run of ASCII digits.
inline bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// The value of a run of at most 19 digits (the caller checks both).
inline uint64_t DigitsValue(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

// Refuses empty text and text with leading or trailing whitespace: trimming
// silently would hide a broken producer. `name` starts the message.
Status CheckOuterShape(std::string_view name, std::string_view text);

// `s` as part of a file or directory name: ASCII letters, digits and '-'
// kept, anything else '_' (a MsgId, a system or an agreement as sent).
inline std::string FileNamePart(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_');
  return out;
}

}  // namespace nks::text
