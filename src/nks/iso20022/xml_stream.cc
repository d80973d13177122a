#include "nks/iso20022/xml_stream.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/xmlversion.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "nks/core/ids.h"
#include "nks/iso20022/schema.h"

namespace nks::iso20022::xml {

int ParseOptions() {
  int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES;
#if LIBXML_VERSION >= 21300
  options |= XML_PARSE_NO_XXE;
#endif
  return options;
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimXmlSpace(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view AsView(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

// ---- Schemas ------------------------------------------------------------------

namespace {

void CollectSchemaError(void* ctx, xmlErrorPtr error) {
  auto* out = static_cast<std::string*>(ctx);
  if (out->empty() && error != nullptr && error->message != nullptr) {
    *out = TrimXmlSpace(error->message);
  }
}

}  // namespace

CompiledSchema CompileSchema(std::string_view file_name) {
  xmlInitParser();  // once, before any thread parses
  const std::string path = fmt::format("{}/{}", SchemaDir(), file_name);
  CompiledSchema out;
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(path.c_str());
  if (parser == nullptr) {
    out.error = fmt::format("{}: cannot create a schema parser", path);
    return out;
  }
  std::string message;
  xmlSchemaSetParserStructuredErrors(parser, CollectSchemaError, &message);
  out.schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (out.schema == nullptr)
    out.error = fmt::format("{}: schema does not compile: {}", path, message);
  return out;
}

// ---- Input ----------------------------------------------------------------------

int ReadInput(void* ctx, char* buffer, int len) {
  auto* in = static_cast<Input*>(ctx);
  size_t want = static_cast<size_t>(len);
  if (in->served_bytes < in->first_piece_bytes) {
    want = std::min<uint64_t>(want, in->first_piece_bytes - in->served_bytes);
  }
  ssize_t n;
  do {
    n = ::read(in->fd, buffer, want);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    in->error = Status::IoError(std::strerror(errno));
    return -1;
  }
  in->served_bytes += static_cast<uint64_t>(n);
  if (in->served_bytes > in->bytes_max) {
    in->error = Status::Invalid(fmt::format("the file grew past the {}-byte limit", in->bytes_max));
    return -1;
  }
  return static_cast<int>(n);
}

// ---- libxml2 state ---------------------------------------------------------------

SilenceGenericErrors::SilenceGenericErrors()
    : saved_(xmlGenericError), saved_context_(xmlGenericErrorContext) {
  xmlSetGenericErrorFunc(nullptr, Drop);
}

SilenceGenericErrors::~SilenceGenericErrors() { xmlSetGenericErrorFunc(saved_context_, saved_); }

void SilenceGenericErrors::Drop(void*, const char*, ...) {}

// ---- Errors ------------------------------------------------------------------------

std::string ElementNamed(std::string_view message) {
  constexpr std::string_view kMismatch = "Opening and ending tag mismatch: ";
  if (message.substr(0, kMismatch.size()) == kMismatch) {
    message.remove_prefix(kMismatch.size());
    return std::string(message.substr(0, message.find(' ')));
  }
  constexpr std::string_view kLead = "Element '";
  if (message.substr(0, kLead.size()) != kLead) return "";
  message.remove_prefix(kLead.size());
  if (!message.empty() && message.front() == '{') {
    const size_t close = message.find('}');
    if (close == std::string_view::npos) return "";
    message.remove_prefix(close + 1);
  }
  return std::string(message.substr(0, message.find('\'')));
}

std::string CleanReason(std::string_view message,
                        std::initializer_list<std::string_view> namespaces) {
  std::string out(TrimXmlSpace(message));
  for (std::string_view ns : namespaces) {
    const std::string braced = fmt::format("{{{}}}", ns);
    for (size_t at = out.find(braced); at != std::string::npos; at = out.find(braced, at)) {
      out.erase(at, braced.size());
    }
  }
  return MaskCprsIn(out);
}

bool IsElement(const xmlNode* n) { return n != nullptr && n->type == XML_ELEMENT_NODE; }

const xmlNode* ErrorElement(const xmlDoc* doc, std::string_view name) {
  const xmlNode* n = xmlDocGetRootElement(doc);
  if (n == nullptr) return nullptr;
  while (n->last != nullptr) n = n->last;
  const xmlNode* deepest = nullptr;
  for (; n != nullptr && n->type != XML_DOCUMENT_NODE; n = n->parent) {
    if (!IsElement(n)) continue;
    if (deepest == nullptr) deepest = n;
    if (!name.empty() && AsView(n->name) == name) return n;
  }
  return deepest;
}

}  // namespace nks::iso20022::xml
