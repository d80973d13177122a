// Where the bundled ISO 20022 schemas live (schemas/iso20022/ in the repo).
#pragma once

#include <string>

namespace nks::iso20022 {

// The directory holding pain.001.001.10.xsd and friends. NKS_SCHEMA_DIR in
// the environment overrides the build-time location (installed binaries).
std::string SchemaDir();

}  // namespace nks::iso20022
