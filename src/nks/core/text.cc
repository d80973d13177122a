#include "nks/core/text.h"

#include <fmt/format.h>

namespace nks::text {

Status CheckOuterShape(std::string_view name, std::string_view text) {
  if (text.empty()) return Status::Invalid(fmt::format("{}: empty", name));
  if (IsSpace(text.front()) || IsSpace(text.back())) {
    return Status::Invalid(fmt::format("{}: leading or trailing whitespace is not allowed", name));
  }
  return Status::Ok();
}

}  // namespace nks::text
