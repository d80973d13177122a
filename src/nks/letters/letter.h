// Letters on paper (SPEC §3.2 activation letters, §6 wording): a generic
// one-sender, one-recipient A4 letter rendered as PDF for a window envelope.
// The register module decides the content; this module only lays it out.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/status.h"

namespace nks::letters {

// All text is UTF-8. Characters outside Windows-1252 (the PDF's
// WinAnsiEncoding, which covers æøåÆØÅé€ and the like) print as '?'.
struct Letter {
  std::string sender_name;                   // "NemKonto", or the authority
  std::vector<std::string> recipient_lines;  // name, address, "postcode city"
  std::string date_line;                     // "København, 25. november 2026"
  std::string subject;                       // printed in bold
  std::vector<std::string> paragraphs;       // word-wrapped; '\n' breaks a line
  std::string footer;                        // small print at the foot of every page
};

// Limits: a letter is a few pages, never a report.
inline constexpr size_t kLetterTextBytesMax = 64 * 1024;  // all fields together
inline constexpr size_t kLetterPagesMax = 20;
inline constexpr size_t kRecipientLinesMax = 6;  // what the envelope window holds
inline constexpr size_t kFooterLinesMax = 4;     // after wrapping

// Writes `letter` to `path` as an uncompressed A4 PDF (Helvetica, sender at
// the top, the recipient's address in the window of a C5/DL window envelope
// (DIN 5008 form B position), date, bold subject, wrapped paragraphs
// continuing on new pages, footer and "Side N af M" on every page).
// The file appears complete or not at all: it is written to a hidden
// temporary file in the same directory, fsync'ed and renamed.
// Errors: kInvalidArgument when a limit above is exceeded; kIoError when
// the PDF cannot be built or the file cannot be written.
Status WriteLetterPdf(const Letter& letter, const std::filesystem::path& path);

// "25. november 2026". `date` must be a valid date.
std::string DanishLongDate(std::chrono::year_month_day date);

// UTF-8 to Windows-1252. Invalid UTF-8 bytes and characters Windows-1252
// lacks become '?'; tab becomes a space; other control characters except
// '\n' become '?'.
std::string Utf8ToCp1252(std::string_view utf8);

}  // namespace nks::letters
