// The fast path of the pain.001.001.10 reader: a hand-written scanner over
// the whole file in memory that checks, itself, the schema's rules for the
// elements it knows (sequences, cardinalities, simple types: lengths in
// characters, patterns, xs:decimal digits, ISO dates and date-times) and the
// well-formedness rules for the XML it allows (UTF-8, XML characters, tags,
// attributes), and drives the same Pain001Builder as the exact reader.
//
// It decides only what it fully understands. It returns kUnavailable ("use
// the exact reader") for anything else, valid or not: any error in the
// file, an element of the schema outside the subset it knows (e.g.
// SplmtryData, PstlAdr, EqvtAmt), namespace prefixes, comments, processing
// instructions, CDATA, entity references other than the five predefined
// ones (which it decodes, as character references), a CR or "]]>" in text,
// a DOCTYPE, a BOM, an encoding other than UTF-8, an attribute other than
// InstdAmt/@Ccy and the root's namespace declarations, a start tag broken
// over lines. So a file it accepts is one the XSD accepts, with the visitor
// calls the exact reader makes (pain001_fast_test.cc checks both).
//
// The visitor may have had calls when it gives up: the caller must start
// over (Pain001Visitor::OnRestart) before the exact reader runs.
//
// Internal to iso20022/; callers use Pain001Reader::Read(visitor, mode).
#pragma once

#include <string>
#include <string_view>

#include "nks/iso20022/pain001_reader.h"

namespace nks::iso20022::internal {

// Reads `bytes`, the whole file named `path` (for messages). Returns the
// counted figures, the visitor's own error, or kUnavailable. With
// `bytes_are_mapped_file`, `bytes` is a private read-only mmap of the file
// (page-aligned): the pages behind the scan are dropped as it goes
// (MADV_DONTNEED), so resident memory stays flat whatever the file's size.
Result<Pain001Totals> ReadPain001Fast(std::string_view bytes, const std::string& path,
                                      Pain001Visitor& visitor, bool bytes_are_mapped_file);

}  // namespace nks::iso20022::internal
