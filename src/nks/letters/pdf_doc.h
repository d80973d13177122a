// What the PDF writers of this module share (internal to letters/): a
// libharu document that reports errors as values, and its bytes.
#pragma once

#include <hpdf.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "nks/core/status.h"

namespace nks::letters {

// libharu reports errors through OnPdfError and then returns from the
// failing call; the first error is noted and checked after each step (no
// longjmp, no exception).
struct PdfErrors {
  HPDF_STATUS error = HPDF_OK;
  HPDF_STATUS detail = 0;
};
void OnPdfError(HPDF_STATUS error, HPDF_STATUS detail, void* user_data);

struct PdfFree {
  void operator()(HPDF_Doc pdf) const { HPDF_Free(pdf); }
};
using PdfDoc = std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, PdfFree>;

// kIoError naming `path` (what the PDF is for), the step and libharu's codes.
Status PdfError(const std::filesystem::path& path, const PdfErrors& errors, std::string_view step);
// The finished document's bytes.
Result<std::string> PdfBytes(HPDF_Doc pdf, const PdfErrors& errors, const std::filesystem::path& path);

}  // namespace nks::letters
