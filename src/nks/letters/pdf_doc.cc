#include "nks/letters/pdf_doc.h"

#include <fmt/format.h>

namespace nks::letters {

void OnPdfError(HPDF_STATUS error, HPDF_STATUS detail, void* user_data) {
  auto* errors = static_cast<PdfErrors*>(user_data);
  if (errors->error == HPDF_OK) {
    errors->error = error;
    errors->detail = detail;
  }
}

Status PdfError(const std::filesystem::path& path, const PdfErrors& errors, std::string_view step) {
  return Status::IoError(fmt::format("{}: PDF {} failed: libharu error 0x{:04X} (detail {})", path.string(), step,
                                     errors.error, errors.detail));
}

Result<std::string> PdfBytes(HPDF_Doc pdf, const PdfErrors& errors, const std::filesystem::path& path) {
  if (HPDF_SaveToStream(pdf) != HPDF_OK) return PdfError(path, errors, "save");
  const HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
  if (size == 0) return PdfError(path, errors, "save");
  std::string bytes(size, '\0');
  HPDF_ResetStream(pdf);
  HPDF_UINT32 read = size;
  HPDF_ReadFromStream(pdf, reinterpret_cast<HPDF_BYTE*>(bytes.data()), &read);
  if (read != size) return PdfError(path, errors, "read-back");
  return bytes;
}

}  // namespace nks::letters
