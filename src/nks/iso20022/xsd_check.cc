#include "nks/iso20022/xsd_check.h"

#include <fmt/format.h>
#include <libxml/xmlschemas.h>

#include <map>
#include <mutex>

#include "nks/iso20022/schema.h"

namespace nks::iso20022 {
namespace {

void CollectError(void* user, xmlErrorPtr error) {
  if (error == nullptr) return;
  auto* errors = static_cast<std::string*>(user);
  if (!errors->empty()) *errors += "; ";
  *errors += fmt::format("line {}: {}", error->line, error->message != nullptr ? error->message : "?");
}

// Parsed schemas, kept for the process (libxml2 schemas are read-only once
// parsed, so validators on several threads may share one).
xmlSchemaPtr Schema(std::string_view xsd_file_name, std::string* error) {
  static std::mutex mu;
  static std::map<std::string, xmlSchemaPtr, std::less<>> schemas;
  std::lock_guard lock(mu);
  auto it = schemas.find(xsd_file_name);
  if (it != schemas.end()) return it->second;
  const std::string path = SchemaDir() + "/" + std::string(xsd_file_name);
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(path.c_str());
  xmlSchemaPtr schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (schema == nullptr) {
    *error = "cannot parse " + path;
    return nullptr;
  }
  schemas.emplace(std::string(xsd_file_name), schema);
  return schema;
}

}  // namespace

std::string SchemaErrors(const std::string& path, std::string_view xsd_file_name) {
  std::string errors;
  xmlSchemaPtr schema = Schema(xsd_file_name, &errors);
  if (schema == nullptr) return errors;
  xmlSchemaValidCtxtPtr validator = xmlSchemaNewValidCtxt(schema);
  xmlSchemaSetValidStructuredErrors(validator, CollectError, &errors);
  const int rc = xmlSchemaValidateFile(validator, path.c_str(), 0);
  xmlSchemaFreeValidCtxt(validator);
  if (rc != 0 && errors.empty()) errors = fmt::format("validation failed with {}", rc);
  return errors;
}

}  // namespace nks::iso20022
