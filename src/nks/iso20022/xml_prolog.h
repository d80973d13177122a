// The gate in front of libxml2 for untrusted XML files: the prolog (what
// comes before the root element) is read here, before the parser sees a
// byte of it, and a DOCTYPE is refused. A payment file has no business with
// a DTD, and without one no entity can be declared, expanded ("billion
// laughs") or fetched from outside (XXE).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nks::iso20022 {

struct PrologScan {
  // Bytes up to and including the '>' of the root's start tag; npos when
  // `head` ends before it.
  size_t root_tag_end = std::string_view::npos;
  uint64_t refused_line = 0;  // non-zero: the prolog is refused, at this line
  std::string refused_reason;
};

// Scans `head`, the first bytes of a file: the XML declaration, comments,
// processing instructions and white space are passed over; `<!DOCTYPE`
// (or any other `<!` markup) and stray text are refused. UTF-8 (with or
// without a BOM), UTF-16 and UTF-32 are told apart by XML 1.0 appendix F;
// only the ASCII characters of the prolog matter.
PrologScan ScanProlog(std::string_view head);

}  // namespace nks::iso20022
