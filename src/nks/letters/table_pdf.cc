#include "nks/letters/table_pdf.h"

#include <fmt/format.h>

#include <numeric>

#include "nks/letters/letter.h"
#include "nks/letters/pdf_doc.h"

namespace nks::letters {
namespace {

constexpr float kPointsPerMm = 72.0f / 25.4f;
constexpr float Mm(float mm) { return mm * kPointsPerMm; }

constexpr float kPageWidthPt = 841.89f;  // A4 landscape: 297 x 210 mm
constexpr float kPageHeightPt = 595.276f;
constexpr float kMarginPt = Mm(15);
constexpr float kTextWidthPt = kPageWidthPt - 2 * kMarginPt;
constexpr float kTitleSizePt = 14;
constexpr float kTextSizePt = 8.5f;
constexpr float kRowLeadingPt = 12;
constexpr float kCellPaddingPt = 4;
constexpr float kFooterBaselinePt = Mm(10);
constexpr float kBodyBottomPt = Mm(18);
constexpr const char* kEllipsis = "\x85";  // '…' in Windows-1252

Status Check(const TableDocument& doc) {
  if (doc.columns.empty() || doc.columns.size() > kTableColumnsMax) {
    return Status::Invalid(fmt::format("table: 1-{} columns, not {}", kTableColumnsMax, doc.columns.size()));
  }
  if (doc.rows.size() > kTableRowsMax) {
    return Status::Invalid(fmt::format("table: at most {} rows, not {}", kTableRowsMax, doc.rows.size()));
  }
  for (size_t i = 0; i < doc.rows.size(); ++i) {
    if (doc.rows[i].size() != doc.columns.size()) {
      return Status::Invalid(fmt::format("table: row {} has {} cells, expected {}", i + 1, doc.rows[i].size(),
                                         doc.columns.size()));
    }
    for (const auto& cell : doc.rows[i]) {
      if (cell.size() > kTableCellBytesMax) {
        return Status::Invalid(fmt::format("table: row {}: a cell longer than {} bytes", i + 1, kTableCellBytesMax));
      }
    }
  }
  return Status::Ok();
}

class TableWriter {
 public:
  TableWriter(HPDF_Doc pdf, const TableDocument& doc) : pdf_(pdf), doc_(doc) {
    regular_ = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
    bold_ = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
    const float shares = std::accumulate(doc.columns.begin(), doc.columns.end(), 0.0f,
                                         [](float sum, const TableColumn& c) { return sum + c.width_share; });
    float x_pt = kMarginPt;
    for (const auto& c : doc.columns) {
      x_pt_.push_back(x_pt);
      const float width_pt = kTextWidthPt * (shares > 0 ? c.width_share / shares : 1.0f / doc.columns.size());
      width_pt_.push_back(width_pt);
      x_pt += width_pt;
    }
  }

  // Lays the rows out; the number of pages.
  size_t Render() {
    NewPage(true);
    for (const auto& row : doc_.rows) {
      if (y_pt_ < kBodyBottomPt) {
        EndPage();
        NewPage(false);
      }
      Row(row, false);
    }
    EndPage();
    return pages_.size();
  }

  // "Side N af M" and the footer, once the number of pages is known.
  void Number() {
    for (size_t n = 0; n < pages_.size(); ++n) {
      HPDF_Page page = pages_[n];
      HPDF_Page_BeginText(page);
      HPDF_Page_SetFontAndSize(page, regular_, 7);
      if (!doc_.footer.empty()) {
        HPDF_Page_TextOut(page, kMarginPt, kFooterBaselinePt, Fit(Utf8ToCp1252(doc_.footer), kTextWidthPt - Mm(30), 7).c_str());
      }
      const std::string number = fmt::format("Side {} af {}", n + 1, pages_.size());
      HPDF_Page_TextOut(page, kPageWidthPt - kMarginPt - Width(number, false, 7), kFooterBaselinePt, number.c_str());
      HPDF_Page_EndText(page);
    }
  }

 private:
  float Width(std::string_view text, bool bold, float size_pt) const {
    const HPDF_TextWidth w = HPDF_Font_TextWidth(bold ? bold_ : regular_, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                                                 static_cast<HPDF_UINT>(text.size()));
    return static_cast<float>(w.width) * size_pt / 1000.0f;
  }

  // Cuts Windows-1252 `text` to `width_pt`, ending in '…' when cut.
  std::string Fit(std::string text, float width_pt, float size_pt, bool bold = false) const {
    if (Width(text, bold, size_pt) <= width_pt) return text;
    while (!text.empty() && Width(text + kEllipsis, bold, size_pt) > width_pt) text.pop_back();
    return text + kEllipsis;
  }

  void NewPage(bool first) {
    page_ = HPDF_AddPage(pdf_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
    pages_.push_back(page_);
    HPDF_Page_BeginText(page_);
    y_pt_ = kPageHeightPt - kMarginPt - kTitleSizePt;
    if (first) {
      HPDF_Page_SetFontAndSize(page_, bold_, kTitleSizePt);
      HPDF_Page_TextOut(page_, kMarginPt, y_pt_, Fit(Utf8ToCp1252(doc_.title), kTextWidthPt, kTitleSizePt, true).c_str());
      y_pt_ -= kTitleSizePt + 4;
      HPDF_Page_SetFontAndSize(page_, regular_, 10);
      for (const auto& line : doc_.subtitle) {
        HPDF_Page_TextOut(page_, kMarginPt, y_pt_, Fit(Utf8ToCp1252(line), kTextWidthPt, 10).c_str());
        y_pt_ -= 13;
      }
      y_pt_ -= 6;
    }
    std::vector<std::string> headings;
    for (const auto& c : doc_.columns) headings.push_back(c.heading);
    Row(headings, true);
    y_pt_ -= 2;
  }

  void Row(const std::vector<std::string>& cells, bool heading) {
    HPDF_Page_SetFontAndSize(page_, heading ? bold_ : regular_, kTextSizePt);
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string text = Fit(Utf8ToCp1252(cells[i]), width_pt_[i] - kCellPaddingPt, kTextSizePt, heading);
      HPDF_Page_TextOut(page_, x_pt_[i], y_pt_, text.c_str());
    }
    y_pt_ -= kRowLeadingPt;
  }

  void EndPage() { HPDF_Page_EndText(page_); }

  HPDF_Doc pdf_;
  const TableDocument& doc_;
  HPDF_Font regular_ = nullptr;
  HPDF_Font bold_ = nullptr;
  std::vector<float> x_pt_, width_pt_;
  std::vector<HPDF_Page> pages_;
  HPDF_Page page_ = nullptr;
  float y_pt_ = 0;
};

}  // namespace

Result<std::string> TablePdf(const TableDocument& doc) {
  NKS_RETURN_IF_ERROR(Check(doc));
  const std::filesystem::path what = "table.pdf";
  PdfErrors errors;
  const PdfDoc pdf(HPDF_New(&OnPdfError, &errors));
  if (!pdf) return Status::IoError("table: cannot create a PDF document");
  HPDF_SetCompressionMode(pdf.get(), HPDF_COMP_ALL);  // a long list compresses ~5x
  HPDF_SetInfoAttr(pdf.get(), HPDF_INFO_CREATOR, "NemKonto");
  TableWriter writer(pdf.get(), doc);
  writer.Render();
  writer.Number();
  if (errors.error != HPDF_OK) return PdfError(what, errors, "rendering");
  return PdfBytes(pdf.get(), errors, what);
}

}  // namespace nks::letters
