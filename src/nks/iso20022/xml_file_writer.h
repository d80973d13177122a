// Writing ISO 20022 XML files: a buffered element writer that streams to a
// hidden temporary file and renames it into place, the text checks every
// element value passes first, and the small pieces the NKS writers share.
// Deterministic: the bytes written depend only on the calls made.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks::iso20022 {

// Lengths of the schema's text types, in characters (Unicode code points).
inline constexpr size_t kMax34TextChars = 34;
inline constexpr size_t kMax35TextChars = 35;
inline constexpr size_t kMax105TextChars = 105;
inline constexpr size_t kMax140TextChars = 140;

// DecimalNumber (CtrlSum) has at most 18 digits; with 2 decimals that is
// 9,999,999,999,999,999.99: far above any file's total.
inline constexpr int64_t kControlSumOreMax = 999'999'999'999'999'999;

// NKS as the initiating party of the messages it sends.
inline constexpr std::string_view kNksPartyName = "NemKonto-systemet";

// Checks text for an element of at most `chars_max` characters: not empty,
// valid UTF-8, and free of control characters (U+0000-U+001F, U+007F-U+009F;
// tab and line breaks too) and of U+FFFE/U+FFFF, which XML cannot carry or
// which have no place in a name or payment text. `field` names the element
// ("CdtTrfTxInf/RmtInf/Ustrd") and starts the message; the text itself is
// not echoed, as it may be personal data.
Status CheckText(std::string_view field, std::string_view text, size_t chars_max);

// The number of code points in `utf8`, which CheckText has accepted.
size_t CountChars(std::string_view utf8);

// The length in bytes of the longest prefix of `utf8` (accepted by
// CheckText) that holds at most `chars_max` characters.
size_t PrefixBytes(std::string_view utf8, size_t chars_max);

// "1234.56" for 123456 øre: ISO 20022 amounts with exactly two decimals.
// `ore` must be >= 0.
std::string FormatOre(int64_t ore);

// An XML file written element by element through a 64 KiB buffer into a
// hidden temporary file beside the target. Commit() fsyncs the file,
// renames it onto the target and fsyncs the directory, so readers of the
// directory see the whole file or nothing; destroying the writer without a
// successful Commit() removes the temporary file. The first I/O error is
// kept and reported by Commit(); writes after it are dropped.
// Each element starts a line of its own, without indentation: machines read
// these files, line numbers still point into them, and the indentation was
// ~40% of a bank file's bytes (a 1 M-payment file: 231 MB of its 590 MB).
// Text passed in must have passed CheckText (a control character stops the
// process); it is escaped here. Tags and attribute names are trusted literals.
class XmlFileWriter {
 public:
  static constexpr size_t kBufferBytes = 64 * 1024;
  static constexpr size_t kDepthMax = 16;  // ISO 20022 messages nest ~10 deep

  // Creates the temporary file and writes the XML declaration.
  static Result<std::unique_ptr<XmlFileWriter>> Create(const std::filesystem::path& path);
  ~XmlFileWriter();
  XmlFileWriter(const XmlFileWriter&) = delete;
  XmlFileWriter& operator=(const XmlFileWriter&) = delete;

  // <tag>, on a line of its own.
  void Open(std::string_view tag);
  // <tag name="value">: the document element's namespace.
  void OpenWithAttribute(std::string_view tag, std::string_view name, std::string_view value);
  // Closes the innermost open element.
  void Close();
  // <tag>text</tag>
  void Element(std::string_view tag, std::string_view text);
  // <tag name="value">text</tag>: amounts with their currency.
  void ElementWithAttribute(std::string_view tag, std::string_view name, std::string_view value,
                            std::string_view text);

  // The first error so far.
  const Status& status() const { return status_; }
  // All elements must be closed. Makes the file appear at its path.
  Status Commit();

 private:
  XmlFileWriter(std::filesystem::path path, std::filesystem::path temp_path, int fd);
  void AppendEscaped(std::string_view text);
  void FlushIfFull();
  void Flush();
  Status Error(std::string_view step, int error) const;

  const std::filesystem::path path_;       // the target
  const std::filesystem::path temp_path_;  // ".<name>.tmp<pid>-<n>" beside it
  int fd_ = -1;                            // the temporary file, open until Commit()
  bool committed_ = false;
  Status status_;
  std::string buffer_;                            // bytes not yet written
  std::array<std::string_view, kDepthMax> open_;  // tags of the open elements
  size_t depth_ = 0;                              // number of open elements
};

// <tag><Nm>NemKonto-systemet</Nm><Id><OrgId><Othr><Id>nks_id</Id>...: NKS
// as InitgPty. `nks_id` must have passed CheckText (Max35Text).
void WriteNksParty(XmlFileWriter& xml, std::string_view tag, std::string_view nks_id);

// <Othr><Id>id</Id><SchmeNm><Prtry>scheme</Prtry></SchmeNm></Othr> inside
// an OrgId.
void WriteOrganisationOther(XmlFileWriter& xml, std::string_view id, std::string_view scheme);

}  // namespace nks::iso20022
