// Lists on paper: a titled table rendered as a landscape A4 PDF, for the
// controller's monthly change list (SPEC §3.4, §6 "download as CSV and PDF").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nks/core/status.h"

namespace nks::letters {

struct TableColumn {
  std::string heading;
  float width_share = 1;  // of the text width, relative to the other columns
};

// All text is UTF-8; characters outside Windows-1252 print as '?'. A cell
// too wide for its column is cut and ends in '…'.
struct TableDocument {
  std::string title;                    // bold, on the first page
  std::vector<std::string> subtitle;    // lines under the title
  std::vector<TableColumn> columns;
  std::vector<std::vector<std::string>> rows;  // each as many cells as columns
  std::string footer;                   // small print on every page, beside "Side N af M"
};

// Limits: a month's change list of a large authority fits many times over.
inline constexpr size_t kTableColumnsMax = 16;
inline constexpr size_t kTableRowsMax = 100'000;
inline constexpr size_t kTableCellBytesMax = 1024;

// The document as PDF bytes: the title and subtitle on page 1, the column
// headings repeated at the top of every page, rows in order, "Side N af M".
// Errors: kInvalidArgument naming the limit or the row whose cell count is
// wrong; kIoError when libharu fails.
Result<std::string> TablePdf(const TableDocument& doc);

}  // namespace nks::letters
