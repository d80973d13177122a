#include "nks/iso20022/schema.h"

#include <cstdlib>

namespace nks::iso20022 {

std::string SchemaDir() {
  const char* env = std::getenv("NKS_SCHEMA_DIR");
  return env != nullptr && *env != '\0' ? env : NKS_SCHEMA_DIR;
}

}  // namespace nks::iso20022
