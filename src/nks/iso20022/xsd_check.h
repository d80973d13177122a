// Whole-document validation of a file against one of the bundled schemas
// with libxml2's xmlSchemaValidateFile: the reference the streaming readers
// are tested against, and the check that files NKS writes are schema-valid.
#pragma once

#include <string>
#include <string_view>

namespace nks::iso20022 {

// The schema's complaints about the file at `path` ("line N: message",
// separated by "; "), or empty when it is valid. `xsd_file_name` names a
// schema in SchemaDir() ("pain.001.001.10.xsd"). Each schema is parsed once
// per process; safe to call from several threads.
std::string SchemaErrors(const std::string& path, std::string_view xsd_file_name);

}  // namespace nks::iso20022
