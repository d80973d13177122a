#include "nks/letters/letter.h"

#include "nks/letters/pdf_doc.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <hpdf.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace nks::letters {
namespace {

namespace fs = std::filesystem;

// ---- Page geometry, in PDF points (1/72 inch) from the bottom left ----------

constexpr float kPointsPerMm = 72.0f / 25.4f;
constexpr float Mm(float mm) { return mm * kPointsPerMm; }

constexpr float kPageWidthPt = 595.276f;  // A4: 210 x 297 mm
constexpr float kPageHeightPt = 841.89f;
constexpr float kMarginLeftPt = Mm(25);
constexpr float kMarginRightPt = Mm(20);
constexpr float kTextWidthPt = kPageWidthPt - kMarginLeftPt - kMarginRightPt;
constexpr float FromTop(float mm) { return kPageHeightPt - Mm(mm); }

// DIN 5008 form B, the window of C5/DL window envelopes: 20 mm from the left
// edge, 45-90 mm from the top, 85 mm wide. The address sits inside it.
constexpr float kWindowTextWidthPt = Mm(78);
constexpr float kSenderBaselinePt = FromTop(20);
constexpr float kRecipientFirstBaselinePt = FromTop(57);
constexpr float kDateBaselinePt = FromTop(100);
constexpr float kSubjectBaselinePt = FromTop(115);
constexpr float kBodyFirstBaselinePt = FromTop(128);     // on page 1
constexpr float kBodyContinuedBaselinePt = FromTop(25);  // on later pages
constexpr float kFooterLastBaselinePt = Mm(12);
constexpr float kFooterGapPt = Mm(8);         // between body and footer
constexpr float kPageNumberWidthPt = Mm(25);  // kept free beside the footer

struct TextStyle {
  bool bold;
  float size_pt;
  float leading_pt;  // baseline to baseline
};
constexpr TextStyle kSenderStyle{true, 16, 20};
constexpr TextStyle kAddressStyle{false, 11, 13.5f};
constexpr TextStyle kSubjectStyle{true, 12, 15};
constexpr TextStyle kBodyStyle{false, 11, 15};
constexpr TextStyle kFooterStyle{false, 8, 10};
constexpr float kParagraphGapPt = 7;
constexpr float kSubjectGapPt = 12;  // at least, between subject and body

// ---- Text -----------------------------------------------------------------

// Windows-1252 bytes 0x80-0x9F and the characters they stand for (0 = unused).
constexpr std::array<char16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

char Cp1252Of(char32_t cp) {
  if (cp == '\t') return ' ';
  if (cp == '\n') return '\n';
  if (cp < 0x20 || cp == 0x7F) return '?';
  if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) return static_cast<char>(cp);
  for (size_t k = 0; k < kCp1252High.size(); ++k) {
    if (kCp1252High[k] != 0 && kCp1252High[k] == cp) return static_cast<char>(0x80 + k);
  }
  return '?';
}

// Decodes one UTF-8 character at `text[i]`; returns its length, or 0 when
// the bytes there are not UTF-8 (overlong forms and surrogates included).
size_t DecodeUtf8(std::string_view text, size_t i, char32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    *cp = lead;
    return 1;
  }
  // Continuation bytes and the smallest code point for each length.
  const size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                        : lead >= 0xE0 && lead <= 0xEF ? 3
                        : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                       : 0;
  if (length == 0 || i + length > text.size()) return 0;
  constexpr std::array<char32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
  *cp = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(i + k) & 0x3F);
  }
  if (*cp < kMin[length] || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return length;
}

std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t begin = 0;
  for (size_t end; (end = text.find(separator, begin)) != std::string_view::npos; begin = end + 1) {
    parts.push_back(text.substr(begin, end - begin));
  }
  parts.push_back(text.substr(begin));
  return parts;
}

// ---- Layout ---------------------------------------------------------------

// A piece of text in Windows-1252 at a position on a page.
struct TextRun {
  float x_pt;
  float y_pt;
  TextStyle style;
  std::string text;
};
using PageRuns = std::vector<TextRun>;

// Places the letter's text on pages; measures with the PDF's fonts.
class Layout {
 public:
  Layout(HPDF_Font regular, HPDF_Font bold, float body_bottom_pt)
      : regular_(regular), bold_(bold), body_bottom_pt_(body_bottom_pt), pages_(1) {}

  float Width(const TextStyle& style, std::string_view text) const {
    const HPDF_TextWidth width = HPDF_Font_TextWidth(
        style.bold ? bold_ : regular_, reinterpret_cast<const HPDF_BYTE*>(text.data()),
        static_cast<HPDF_UINT>(text.size()));
    return static_cast<float>(width.width) * style.size_pt / 1000.0f;
  }

  // Greedy word wrap of Windows-1252 text; '\n' breaks a line, and a word
  // wider than the line is cut.
  std::vector<std::string> Wrap(std::string_view text, const TextStyle& style,
                                float width_pt) const {
    std::vector<std::string> lines;
    for (const std::string_view hard_line : SplitOn(text, '\n')) {
      std::string line;
      for (const std::string_view word : SplitOn(hard_line, ' ')) {
        if (word.empty()) continue;
        std::string candidate = line.empty() ? std::string(word) : line + ' ' + std::string(word);
        if (Width(style, candidate) <= width_pt) {
          line = std::move(candidate);
          continue;
        }
        if (!line.empty()) lines.push_back(std::move(line));
        line = CutLongWord(word, style, width_pt, lines);
      }
      lines.push_back(std::move(line));
    }
    return lines;
  }

  void Put(float x_pt, float y_pt, const TextStyle& style, std::string text) {
    if (!text.empty()) pages_.back().push_back({x_pt, y_pt, style, std::move(text)});
  }

  // The next line of the body, on a new page when this one is full.
  void BodyLine(const TextStyle& style, std::string text) {
    if (cursor_pt_ - style.leading_pt < body_bottom_pt_) {
      pages_.emplace_back();
      cursor_pt_ = kBodyContinuedBaselinePt + style.leading_pt;
    }
    cursor_pt_ -= style.leading_pt;
    Put(kMarginLeftPt, cursor_pt_, style, std::move(text));
  }
  void Gap(float gap_pt) { cursor_pt_ -= gap_pt; }
  void SetCursor(float baseline_pt) { cursor_pt_ = baseline_pt; }
  float cursor_pt() const { return cursor_pt_; }

  const std::vector<PageRuns>& pages() const { return pages_; }

 private:
  // Emits the full-width pieces of `word` into `lines`; returns the rest.
  std::string CutLongWord(std::string_view word, const TextStyle& style, float width_pt,
                          std::vector<std::string>& lines) const {
    std::string piece;
    float piece_width_pt = 0;
    for (const char c : word) {
      const float char_width_pt = Width(style, std::string_view(&c, 1));
      if (!piece.empty() && piece_width_pt + char_width_pt > width_pt) {
        lines.push_back(std::move(piece));
        piece.clear();
        piece_width_pt = 0;
      }
      piece.push_back(c);
      piece_width_pt += char_width_pt;
    }
    return piece;
  }

  HPDF_Font regular_;
  HPDF_Font bold_;
  float body_bottom_pt_;
  float cursor_pt_ = 0;  // baseline of the last body line
  std::vector<PageRuns> pages_;
};

Status LayoutHead(const Letter& letter, Layout& layout) {
  layout.Put(kMarginLeftPt, kSenderBaselinePt, kSenderStyle, Utf8ToCp1252(letter.sender_name));
  std::vector<std::string> address;
  for (const std::string& line : letter.recipient_lines) {
    for (std::string& part : layout.Wrap(Utf8ToCp1252(line), kAddressStyle, kWindowTextWidthPt)) {
      address.push_back(std::move(part));
    }
  }
  if (address.size() > kRecipientLinesMax) {
    return Status::Invalid(
        fmt::format("letter: recipient address has {} lines, at most {} fit "
                    "the envelope window",
                    address.size(), kRecipientLinesMax));
  }
  float baseline_pt = kRecipientFirstBaselinePt;
  for (std::string& line : address) {
    layout.Put(kMarginLeftPt, baseline_pt, kAddressStyle, std::move(line));
    baseline_pt -= kAddressStyle.leading_pt;
  }
  std::string date = Utf8ToCp1252(letter.date_line);
  const float date_x_pt = kPageWidthPt - kMarginRightPt - layout.Width(kBodyStyle, date);
  layout.Put(date_x_pt, kDateBaselinePt, kBodyStyle, std::move(date));
  return Status::Ok();
}

void LayoutBody(const Letter& letter, Layout& layout) {
  layout.SetCursor(kSubjectBaselinePt + kSubjectStyle.leading_pt);
  for (std::string& line : layout.Wrap(Utf8ToCp1252(letter.subject), kSubjectStyle, kTextWidthPt)) {
    layout.BodyLine(kSubjectStyle, std::move(line));
  }
  // A long subject pushes the body down.
  layout.SetCursor(std::min(kBodyFirstBaselinePt, layout.cursor_pt() - kSubjectGapPt) +
                   kBodyStyle.leading_pt);
  bool first = true;
  for (const std::string& paragraph : letter.paragraphs) {
    if (!first) layout.Gap(kParagraphGapPt);
    first = false;
    for (std::string& line : layout.Wrap(Utf8ToCp1252(paragraph), kBodyStyle, kTextWidthPt)) {
      layout.BodyLine(kBodyStyle, std::move(line));
    }
  }
}

size_t LetterTextBytes(const Letter& letter) {
  size_t bytes = letter.sender_name.size() + letter.date_line.size() + letter.subject.size() +
                 letter.footer.size();
  for (const std::string& line : letter.recipient_lines) bytes += line.size();
  for (const std::string& paragraph : letter.paragraphs) bytes += paragraph.size();
  return bytes;
}

// ---- PDF ------------------------------------------------------------------

void RenderPage(HPDF_Page page, HPDF_Font regular, HPDF_Font bold, const PageRuns& runs) {
  HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
  HPDF_Page_BeginText(page);
  for (const TextRun& run : runs) {
    HPDF_Page_SetFontAndSize(page, run.style.bold ? bold : regular, run.style.size_pt);
    HPDF_Page_TextOut(page, run.x_pt, run.y_pt, run.text.c_str());
  }
  HPDF_Page_EndText(page);
}

// Footer lines and "Side N af M" on every page.
void AddFooters(const Layout& layout, const std::vector<std::string>& footer,
                std::vector<PageRuns>& pages) {
  for (size_t n = 0; n < pages.size(); ++n) {
    float baseline_pt =
        kFooterLastBaselinePt + static_cast<float>(footer.size() - 1) * kFooterStyle.leading_pt;
    for (const std::string& line : footer) {
      if (!line.empty()) pages[n].push_back({kMarginLeftPt, baseline_pt, kFooterStyle, line});
      baseline_pt -= kFooterStyle.leading_pt;
    }
    std::string number = fmt::format("Side {} af {}", n + 1, pages.size());
    const float x_pt = kPageWidthPt - kMarginRightPt - layout.Width(kFooterStyle, number);
    pages[n].push_back({x_pt, kFooterLastBaselinePt, kFooterStyle, std::move(number)});
  }
}

// Lays out and renders the letter; the PDF's bytes, or why not.
Result<std::string> BuildPdf(const Letter& letter, const fs::path& path) {
  PdfErrors errors;
  const PdfDoc pdf(HPDF_New(&OnPdfError, &errors));
  if (!pdf) return Status::IoError(fmt::format("{}: cannot create a PDF document", path.string()));
  HPDF_SetCompressionMode(pdf.get(), HPDF_COMP_NONE);
  HPDF_SetInfoAttr(pdf.get(), HPDF_INFO_CREATOR, "NemKonto");
  const HPDF_Font regular = HPDF_GetFont(pdf.get(), "Helvetica", "WinAnsiEncoding");
  const HPDF_Font bold = HPDF_GetFont(pdf.get(), "Helvetica-Bold", "WinAnsiEncoding");
  if (regular == nullptr || bold == nullptr) return PdfError(path, errors, "font setup");

  const std::vector<std::string> footer =
      Layout(regular, bold, 0)
          .Wrap(Utf8ToCp1252(letter.footer), kFooterStyle, kTextWidthPt - kPageNumberWidthPt);
  if (footer.size() > kFooterLinesMax) {
    return Status::Invalid(
        fmt::format("letter: footer has {} lines, at most {}", footer.size(), kFooterLinesMax));
  }
  const float body_bottom_pt = kFooterLastBaselinePt +
                               static_cast<float>(footer.size()) * kFooterStyle.leading_pt +
                               kFooterGapPt;
  Layout layout(regular, bold, body_bottom_pt);
  NKS_RETURN_IF_ERROR(LayoutHead(letter, layout));
  LayoutBody(letter, layout);
  std::vector<PageRuns> pages = layout.pages();
  if (pages.size() > kLetterPagesMax) {
    return Status::Invalid(
        fmt::format("letter: {} pages, at most {}", pages.size(), kLetterPagesMax));
  }
  AddFooters(layout, footer, pages);
  for (const PageRuns& runs : pages) {
    const HPDF_Page page = HPDF_AddPage(pdf.get());
    if (page == nullptr) return PdfError(path, errors, "page");
    RenderPage(page, regular, bold, runs);
  }
  if (errors.error != HPDF_OK) return PdfError(path, errors, "rendering");
  return PdfBytes(pdf.get(), errors, path);
}

// ---- The file ---------------------------------------------------------------

Status ErrnoError(const fs::path& path, std::string_view step, int error) {
  return Status::IoError(fmt::format("{}: {}: {}", path.string(), step, std::strerror(error)));
}

Status WriteAll(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(path, "write", errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Makes the rename itself durable.
Status SyncDirectory(const fs::path& dir, const fs::path& path) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, "open directory", errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError(path, "fsync directory", error);
  return Status::Ok();
}

// Writes a hidden temporary file beside `path`, fsyncs it and renames it, so
// that readers of the directory see the whole file or nothing.
Status WriteFileAtomically(const fs::path& path, std::string_view bytes) {
  static std::atomic<uint64_t> temp_counter{0};
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const fs::path temp = dir / fmt::format(".{}.tmp{}-{}", path.filename().string(), ::getpid(),
                                          temp_counter.fetch_add(1));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(path, "create", errno);
  Status status = WriteAll(fd, bytes, path);
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoError(path, "fsync", errno);
  if (::close(fd) != 0 && status.ok()) status = ErrnoError(path, "close", errno);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoError(path, "rename", errno);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return SyncDirectory(dir, path);
}

constexpr std::array<std::string_view, 12> kMonthNames = {
    "januar", "februar", "marts",     "april",   "maj",      "juni",
    "juli",   "august",  "september", "oktober", "november", "december"};

}  // namespace

Status WriteLetterPdf(const Letter& letter, const fs::path& path) {
  const size_t text_bytes = LetterTextBytes(letter);
  if (text_bytes > kLetterTextBytesMax) {
    return Status::Invalid(
        fmt::format("letter: {} bytes of text, at most {}", text_bytes, kLetterTextBytesMax));
  }
  NKS_ASSIGN_OR_RETURN(const std::string bytes, BuildPdf(letter, path));
  return WriteFileAtomically(path, bytes);
}

std::string DanishLongDate(std::chrono::year_month_day date) {
  NKS_CHECK(date.ok());
  return fmt::format("{}. {} {}", static_cast<unsigned>(date.day()),
                     kMonthNames[static_cast<unsigned>(date.month()) - 1],
                     static_cast<int>(date.year()));
}

std::string Utf8ToCp1252(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    char32_t cp = 0;
    const size_t length = DecodeUtf8(utf8, i, &cp);
    out.push_back(length == 0 ? '?' : Cp1252Of(cp));
    i += length == 0 ? 1 : length;
  }
  return out;
}

}  // namespace nks::letters
