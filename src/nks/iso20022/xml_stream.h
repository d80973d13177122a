// Internal: the libxml2 streaming helpers shared by the ISO 20022 readers
// (pain001_reader.cc, bank_report_reader.cc). Not part of any public API;
// include it from those .cc files only. See pain001_reader.cc for how the
// readers use libxml2's xmlTextReader.
#pragma once

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks::iso20022::xml {

// The options every reader parses with: XML_PARSE_NONET | XML_PARSE_BIG_LINES,
// plus XML_PARSE_NO_XXE where libxml2 has it (2.13+). Never XML_PARSE_NOENT
// (expand entities), XML_PARSE_DTDLOAD (fetch the external subset) or
// XML_PARSE_HUGE (lift the parser's size limits). BIG_LINES keeps line
// numbers right past line 65535.
int ParseOptions();

// Whether c is XML white space (space, tab, line feed, carriage return).
bool IsXmlSpace(char c);

// s without leading and trailing XML white space; a view into s.
std::string_view TrimXmlSpace(std::string_view s);

// A libxml2 string as a view (empty for null); valid as long as s is.
std::string_view AsView(const xmlChar* s);

// ---- Schemas ------------------------------------------------------------------

// A compiled schema, or why it did not compile (schema null, error set).
// The schema is never freed: callers keep one in a function-local static,
// so it lives as long as the process. A compiled xmlSchema is read-only
// while validating, so one serves every reader on every thread.
struct CompiledSchema {
  xmlSchemaPtr schema = nullptr;
  std::string error;
};

// Compiles SchemaDir()/file_name. Calls xmlInitParser() first (call this
// before any thread parses, e.g. from a function-local static). On failure
// error is "<path>: cannot create a schema parser" or "<path>: schema does
// not compile: <libxml2's first message, trimmed>".
CompiledSchema CompileSchema(std::string_view file_name);

// ---- Input: a file, handed to libxml2 in pieces ---------------------------------

// The state of ReadInput. The caller sets fd, first_piece_bytes and
// bytes_max; ReadInput counts served_bytes and sets error when it fails.
struct Input {
  int fd = -1;
  uint64_t served_bytes = 0;
  uint64_t first_piece_bytes = 0;  // the prolog and root start tag, served alone
  uint64_t bytes_max = 0;          // more than this in all fails the read
  Status error;                    // why the last read failed
};

// An xmlInputReadCallback; ctx is an Input*. Reads at most len bytes from
// fd (retrying on EINTR), never crossing first_piece_bytes in one call, so
// libxml2 sees the first piece alone. Returns the bytes read (0 at the end)
// or -1, with error set to IoError(strerror(errno)) on a failed read or to
// Invalid("the file grew past the <bytes_max>-byte limit").
int ReadInput(void* ctx, char* buffer, int len);

// ---- libxml2 state ---------------------------------------------------------------

// For its lifetime, silences libxml2's generic error function on this thread
// and puts the previous one back afterwards. libxml2 2.9 prints some
// internal notes ("Unimplemented block at xmlschemas.c:...", on some
// malformed input) through it to stderr; every error that counts reaches
// the readers through the structured handler or the last-error slot.
class SilenceGenericErrors {
 public:
  SilenceGenericErrors();
  ~SilenceGenericErrors();
  SilenceGenericErrors(const SilenceGenericErrors&) = delete;
  SilenceGenericErrors& operator=(const SilenceGenericErrors&) = delete;

 private:
  static void Drop(void*, const char*, ...);
  xmlGenericErrorFunc saved_;
  void* saved_context_;
};

// Frees an xmlTextReader.
struct ReaderDeleter {
  void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};
using ReaderPtr = std::unique_ptr<xmlTextReader, ReaderDeleter>;

// ---- Errors ------------------------------------------------------------------------

// The first fatal error libxml2 reported, until its path is known.
struct PendingError {
  bool set = false;
  uint64_t line = 0;
  std::string reason;
  std::string element;              // the local name the message names, if any
  const xmlNode* target = nullptr;  // the element it is about, when known
  bool about_root = false;          // reported before the tree existed
  bool path_found = false;
  std::string path;
};

// The element a libxml2 message names: "Element '{ns}Name': ...", "Element
// 'Name', attribute ..." (validity) or "Opening and ending tag mismatch:
// Name line 3 and Other" (well-formedness); empty for other messages.
std::string ElementNamed(std::string_view message);

// libxml2's message trimmed of XML white space, every "{ns}" of the given
// namespaces removed (in the order given), CPR-like numbers masked
// (MaskCprsIn).
std::string CleanReason(std::string_view message,
                        std::initializer_list<std::string_view> namespaces);

// Whether n is an element node (false for null).
bool IsElement(const xmlNode* n);

// The element an error is about: the parser has just built or closed it, so
// it lies on the last branch of doc's tree; the nearest one there (deepest
// first) whose local name is name, else the deepest element there; null
// when doc has no root element.
const xmlNode* ErrorElement(const xmlDoc* doc, std::string_view name);

}  // namespace nks::iso20022::xml
