// How the reader works (see the header for the contract):
//
// libxml2's xmlTextReader pushes the file through a parser in 512-byte
// chunks; the schema validator is plugged into that parser's SAX events, so
// it runs ahead of the reading cursor by at most a chunk. Every node the
// cursor reaches has therefore been validated, and an error is known before
// the cursor reaches the element it is about.
//
// Locating an error: when libxml2 reports one, we note the element it is
// about in the part of the tree the parser has built (the tree is only
// freed behind the cursor), and afterwards walk our path stack forward
// through that built part until we reach it. Errors in the first Read()
// can only be about the root: the input callback hands libxml2 the prolog
// and the root's start tag alone first, so the tree exists from then on.
//
// DTDs: the prolog is scanned before libxml2 sees a byte of it, and a
// <!DOCTYPE is refused there, so no entity is ever declared, let alone
// expanded or fetched.
#include "nks/iso20022/pain001_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "nks/core/mapped_file.h"
#include "nks/core/text.h"
#include "nks/iso20022/pain001_builder.h"
#include "nks/iso20022/pain001_fast.h"
#include "nks/iso20022/xml_prolog.h"
#include "nks/iso20022/xml_stream.h"

namespace nks::iso20022 {
namespace {

constexpr std::string_view kNamespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10";

using xml::AsView;
using xml::CompiledSchema;
using xml::CompileSchema;
using xml::ElementNamed;
using xml::ErrorElement;
using xml::Input;
using xml::IsElement;
using xml::ParseOptions;
using xml::PendingError;
using xml::ReaderPtr;
using xml::ReadInput;
using xml::SilenceGenericErrors;
using xml::TrimXmlSpace;

// ---- The schema, compiled once per process --------------------------------

// A compiled xmlSchema is read-only while validating, so one serves every
// reader on every thread; the function-local static makes the compiling
// thread-safe.
const CompiledSchema& Pain001Schema() {
  static const CompiledSchema schema = CompileSchema("pain.001.001.10.xsd");
  return schema;
}

}  // namespace

std::string_view Pain001FieldName(Pain001Field field) {
  switch (field) {
    case Pain001Field::kAuthority:
      return "authority";
    case Pain001Field::kBankAgreement:
      return "bank agreement";
    case Pain001Field::kLosUnit:
      return "LOS unit";
    case Pain001Field::kPayoutDate:
      return "payout date";
    case Pain001Field::kDebtorAccount:
      return "debtor account";
    case Pain001Field::kAmount:
      return "amount";
    case Pain001Field::kBenefitType:
      return "benefit type";
    case Pain001Field::kRecipientId:
      return "recipient id";
    case Pain001Field::kCreditorAccount:
      return "creditor account";
    case Pain001Field::kRemittance:
      return "remittance text";
  }
  return "unknown field";
}

bool CountMatches(const Pain001Declared& declared, const Pain001Totals& read) {
  return !declared.tx_count.has_value() || *declared.tx_count == read.tx_count;
}

bool SumMatches(const Pain001Declared& declared, const Pain001Totals& read) {
  if (declared.ctrl_sum.empty()) return true;
  const std::optional<DecimalAmount> sum = DecimalAmount::Parse(declared.ctrl_sum);
  return sum.has_value() && *sum == read.amount_sum;
}

Status Pain001Visitor::OnHeader(const Pain001Header&) { return Status::Ok(); }
Status Pain001Visitor::OnGroup(const Pain001Group&) { return Status::Ok(); }
Status Pain001Visitor::OnTransaction(const Pain001Group&, const Pain001Transaction&) {
  return Status::Ok();
}
Status Pain001Visitor::OnGroupEnd(const Pain001Group&, const Pain001Totals&) {
  return Status::Ok();
}
Status Pain001Visitor::OnRestart() {
  return Status::FailedPrecondition("this visitor cannot start over");
}

namespace {

using internal::ChildMeaning;
using internal::Meaning;
using internal::NeedsLine;
using internal::Tag;

// One open element on the path from the root to the cursor.
struct Frame {
  const xmlNode* node = nullptr;
  std::string_view name;  // libxml2 dictionary string: lives as long as the reader
  Meaning meaning;
  uint32_t index = 0;           // 1-based among its same-named siblings
  std::string* text = nullptr;  // where its character data goes; null: dropped
  std::vector<std::pair<std::string_view, uint32_t>> child_counts;  // by name
};

// libxml2's message without the namespace noise, CPR-like numbers masked.
std::string CleanReason(std::string_view message) {
  return xml::CleanReason(message, {kNamespace});
}

// The line a node starts on. libxml2 2.9 stores element lines in 16 bits
// (65535: "later than that"); with XML_PARSE_BIG_LINES a text node keeps the
// full line it ends on, so an element past 65535 is placed by its first
// text, less that text's line breaks. (xmlGetLineNo would give the line
// the text ends on: one late after "<CdtTrfTxInf>\n".)
uint64_t LineOf(const xmlNode* node) {
  constexpr unsigned kLineUnknown = 65535;
  constexpr int kDescentMax = 8;  // <a><b><c>text: the first text is near
  const xmlNode* n = node;
  for (int i = 0; i < kDescentMax && IsElement(n) && n->line == kLineUnknown; ++i) {
    const xmlNode* child = n->children;
    if (child != nullptr && child->type == XML_TEXT_NODE && child->psvi != nullptr) {
      const std::string_view text = AsView(child->content);
      const auto end_line = static_cast<uint64_t>(reinterpret_cast<std::intptr_t>(child->psvi));
      return end_line - static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
    }
    n = child;
  }
  const long line = xmlGetLineNo(node);
  return line > 0 ? static_cast<uint64_t>(line) : 0;
}

// One pass over one file: the libxml2 reader, the path stack and the
// records being filled. The records are reused from payment to payment and
// their strings keep their capacity: a clean payment costs next to no
// allocation of ours.
class ReadSession {
 public:
  ReadSession(const std::string& path, Pain001Visitor& visitor) : path_(path), builder_(visitor) {
    frames_.resize(Pain001Reader::kElementDepthMax + 1);
  }
  ReadSession(const ReadSession&) = delete;
  ReadSession& operator=(const ReadSession&) = delete;

  Result<Pain001Totals> Run(int fd, uint64_t first_piece_bytes);

 private:
  static void OnLibxmlError(void* ctx, xmlErrorPtr error);
  void NoteLibxmlError(const xmlError& error);

  // Structure: the path stack and the cursor.
  Status Apply(xmlNode* node, int type);
  Status Push(const xmlNode* node);
  void Pop();
  uint32_t CountChild(Frame& parent, std::string_view name);
  std::string PathOf(size_t depth) const;

  // Meaning: the builder fills the records and calls the visitor.
  Status OnStart(const Frame& frame);
  Status OnEnd(const Frame& frame);
  Status OnText(const xmlNode* node);
  Status FromBuilder(Status status, const xmlNode* node) const;
  void NoteTextLine(const xmlNode* node);
  uint64_t ElementLine(const xmlNode* node) const;

  // Errors.
  Result<Pain001Totals> Finish(int rc);
  Status ReportPending();
  void ResyncCursor();
  void WalkToTarget();
  Status Fatal(const xmlNode* node, std::string_view reason) const;
  Status FileError(uint64_t line, std::string_view where, std::string_view reason) const;

  const std::string& path_;
  internal::Pain001Builder builder_;
  Input input_;
  ReaderPtr reader_;
  const xmlDoc* doc_ = nullptr;
  std::vector<Frame> frames_;  // [0, depth_) are open; kept for their capacity
  size_t depth_ = 0;
  const xmlNode* cursor_ = nullptr;  // the node last applied
  bool cursor_open_ = false;         // it is an element whose end is to come
  PendingError error_;
  bool document_ended_ = false;
  // The end line of the last text node past line 65535, and its depth: an
  // element right after it, its sibling, starts on that line.
  static constexpr size_t kNoText = SIZE_MAX;
  uint64_t text_end_line_ = 0;
  size_t text_depth_ = kNoText;
  uint64_t sibling_text_line_ = 0;  // for the element being applied; 0: none
};

void ReadSession::NoteTextLine(const xmlNode* node) {
  text_depth_ = kNoText;
  if (node->type != XML_TEXT_NODE || node->psvi == nullptr) return;
  text_end_line_ = static_cast<uint64_t>(reinterpret_cast<std::intptr_t>(node->psvi));
  text_depth_ = depth_;
}

// LineOf, and where it can only say 65535 (the element's children are not
// parsed yet), the end line of the text node just before it.
uint64_t ReadSession::ElementLine(const xmlNode* node) const {
  constexpr uint64_t kLineUnknown = 65535;
  const uint64_t line = LineOf(node);
  return line == kLineUnknown && sibling_text_line_ > kLineUnknown ? sibling_text_line_ : line;
}

Result<Pain001Totals> ReadSession::Run(int fd, uint64_t first_piece_bytes) {
  input_.fd = fd;
  input_.first_piece_bytes = first_piece_bytes;
  input_.bytes_max = Pain001Reader::kFileBytesMax;
  const SilenceGenericErrors silence;
  xmlResetLastError();
  reader_.reset(
      xmlReaderForIO(ReadInput, nullptr, &input_, path_.c_str(), nullptr, ParseOptions()));
  if (reader_ == nullptr) return Status::Internal("cannot create an XML reader");
  // The handler first: libxml2 2.9 crashes on a parse error when it is set
  // after the schema.
  xmlTextReaderSetStructuredErrorHandler(reader_.get(), OnLibxmlError, this);
  if (xmlTextReaderSetSchema(reader_.get(), Pain001Schema().schema) != 0) {
    return Status::Internal("cannot attach the pain.001.001.10 schema to the reader");
  }
  while (true) {
    const int rc = xmlTextReaderRead(reader_.get());
    if (rc != 1) {
      ResyncCursor();
      return Finish(rc);
    }
    xmlNode* node = xmlTextReaderCurrentNode(reader_.get());
    if (doc_ == nullptr) doc_ = node->doc;
    const Status applied = Apply(node, xmlTextReaderNodeType(reader_.get()));
    if (error_.set) return ReportPending();  // found first, by libxml2
    if (!applied.ok()) return applied;
  }
}

void ReadSession::OnLibxmlError(void* ctx, xmlErrorPtr error) {
  if (error != nullptr && error->level >= XML_ERR_ERROR) {
    static_cast<ReadSession*>(ctx)->NoteLibxmlError(*error);
  }
}

void ReadSession::NoteLibxmlError(const xmlError& error) {
  if (error_.set) return;  // the first error decides; the rest follow from it
  error_.set = true;
  error_.line = error.line > 0 ? static_cast<uint64_t>(error.line) : 0;
  const std::string_view message = error.message != nullptr ? error.message : "invalid XML";
  error_.reason = CleanReason(message);
  error_.element = ElementNamed(message);
  if (doc_ == nullptr) {
    error_.about_root = true;  // only the root's start tag has been parsed
  } else {
    error_.target = ErrorElement(doc_, error_.element);
  }
}

// ---- Structure ---------------------------------------------------------------

Status ReadSession::Apply(xmlNode* node, int type) {
  const bool live = !error_.set;
  switch (type) {
    case XML_READER_TYPE_ELEMENT: {
      sibling_text_line_ = text_depth_ == depth_ ? text_end_line_ : 0;
      text_depth_ = kNoText;
      NKS_RETURN_IF_ERROR(Push(node));
      if (live) NKS_RETURN_IF_ERROR(OnStart(frames_[depth_ - 1]));
      cursor_ = node;
      cursor_open_ = xmlTextReaderIsEmptyElement(reader_.get()) != 1;
      if (cursor_open_) return Status::Ok();
      [[fallthrough]];
    }
    case XML_READER_TYPE_END_ELEMENT:
      if (depth_ == 0) return Status::Internal("an end tag with no element open");
      if (live) NKS_RETURN_IF_ERROR(OnEnd(frames_[depth_ - 1]));
      Pop();
      break;
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
      NoteTextLine(node);
      if (live) NKS_RETURN_IF_ERROR(OnText(node));
      break;
    case XML_READER_TYPE_DOCUMENT_TYPE:
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
    case XML_READER_TYPE_NOTATION:
      // The prolog scan refuses DTDs first; this is the second lock.
      return Fatal(node, "a DTD or entity: not allowed in a payment file");
    default:
      break;
  }
  cursor_ = node;
  cursor_open_ = false;
  return Status::Ok();
}

Status ReadSession::Push(const xmlNode* node) {
  if (depth_ >= Pain001Reader::kElementDepthMax) {
    return Fatal(node,
                 fmt::format("elements nested deeper than {}", Pain001Reader::kElementDepthMax));
  }
  Frame& frame = frames_[depth_];
  frame.node = node;
  frame.name = AsView(node->name);
  if (depth_ == 0) {
    frame.meaning = ChildMeaning(Meaning{Tag::kNone}, frame.name);
    frame.index = 1;
  } else {
    Frame& parent = frames_[depth_ - 1];
    frame.meaning = ChildMeaning(parent.meaning, frame.name);
    frame.index = CountChild(parent, frame.name);
  }
  frame.child_counts.clear();
  frame.text = builder_.TextTarget(frame.meaning);
  ++depth_;
  if (error_.set && !error_.path_found &&
      (error_.target == node || (error_.about_root && depth_ == 1))) {
    error_.path_found = true;
    error_.path = PathOf(depth_);
  }
  return Status::Ok();
}

void ReadSession::Pop() {
  if (error_.set && !error_.path_found && error_.target == frames_[depth_ - 1].node) {
    error_.path_found = true;
    error_.path = PathOf(depth_);
  }
  --depth_;
  if (depth_ == 0) document_ended_ = true;
}

uint32_t ReadSession::CountChild(Frame& parent, std::string_view name) {
  for (auto& [child, count] : parent.child_counts) {
    if (child == name) return ++count;
  }
  parent.child_counts.emplace_back(name, 1);
  return 1;
}

// index is shown where it is above 1, and always on PmtInf and CdtTrfTxInf.
std::string ReadSession::PathOf(size_t depth) const {
  std::string out;
  for (size_t i = 0; i < depth; ++i) {
    const Frame& f = frames_[i];
    const bool numbered = f.index > 1 || f.meaning.tag == Tag::kPmtInf || f.meaning.tag == Tag::kTx;
    out += numbered ? fmt::format("/{}[{}]", f.name, f.index) : fmt::format("/{}", f.name);
  }
  return out.empty() ? "/" : out;
}

// ---- Meaning -------------------------------------------------------------------

Status ReadSession::OnStart(const Frame& frame) {
  const Tag parent = depth_ >= 2 ? frames_[depth_ - 2].meaning.tag : Tag::kNone;
  const uint64_t line = NeedsLine(frame.meaning.tag) ? ElementLine(frame.node) : 0;
  NKS_RETURN_IF_ERROR(
      FromBuilder(builder_.Start(frame.meaning, parent, frame.index, line), frame.node));
  if (frame.meaning.tag == Tag::kInstdAmt &&
      xmlTextReaderMoveToAttribute(reader_.get(), reinterpret_cast<const xmlChar*>("Ccy")) == 1) {
    builder_.SetCurrency(AsView(xmlTextReaderConstValue(reader_.get())));
    xmlTextReaderMoveToElement(reader_.get());
  }
  return Status::Ok();
}

Status ReadSession::OnText(const xmlNode* node) {
  std::string* target = depth_ > 0 ? frames_[depth_ - 1].text : nullptr;
  if (target == nullptr) return Status::Ok();
  const std::string_view text = AsView(xmlTextReaderConstValue(reader_.get()));
  if (target->size() + text.size() > Pain001Reader::kFieldTextBytesMax) {
    return Fatal(node, fmt::format("text longer than {} bytes", Pain001Reader::kFieldTextBytesMax));
  }
  target->append(text);
  return Status::Ok();
}

Status ReadSession::OnEnd(const Frame& frame) {
  return FromBuilder(builder_.End(frame.meaning), frame.node);
}

// A problem the builder found with the file gets its line and path here.
Status ReadSession::FromBuilder(Status status, const xmlNode* node) const {
  if (status.ok() || !builder_.file_error()) return status;
  return Fatal(node, status.message());
}

// ---- Errors --------------------------------------------------------------------

Result<Pain001Totals> ReadSession::Finish(int rc) {
  if (!input_.error.ok()) {
    if (input_.error.code() == Code::kIoError) {
      return Status::IoError(fmt::format("{}: {}", path_, input_.error.message()));
    }
    const int line = xmlTextReaderGetParserLineNumber(reader_.get());
    return FileError(line > 0 ? static_cast<uint64_t>(line) : 1, "/", input_.error.message());
  }
  if (error_.set) return ReportPending();
  if (rc < 0) {
    // libxml2 2.9 gives parse errors to the last-error slot, not to the
    // reader's handler, once a schema is plugged in.
    const xmlError* last = xmlGetLastError();
    const std::string_view message = last != nullptr && last->message != nullptr
                                         ? std::string_view(last->message)
                                         : "not well-formed XML";
    error_.set = true;
    error_.line = last != nullptr && last->line > 0 ? static_cast<uint64_t>(last->line) : 0;
    error_.reason = CleanReason(message);
    error_.element = ElementNamed(message);
    error_.target = doc_ != nullptr ? ErrorElement(doc_, error_.element) : nullptr;
    return ReportPending();
  }
  if (!document_ended_ || xmlTextReaderIsValid(reader_.get()) != 1) {
    return FileError(error_.line, "/", "not a complete, schema-valid pain.001.001.10 document");
  }
  return builder_.totals();
}

Status ReadSession::ReportPending() {
  if (!error_.path_found) WalkToTarget();
  if (!error_.path_found) error_.path = error_.about_root ? "/" + error_.element : PathOf(depth_);
  return FileError(error_.line, error_.path, error_.reason);
}

// A Read() that fails may first have moved off the cursor, and libxml2
// frees a node as its reader leaves it: the cursor is then freed memory.
// Moves the cursor (and the path stack) to where the reader stopped.
void ReadSession::ResyncCursor() {
  const xmlNode* current = xmlTextReaderCurrentNode(reader_.get());
  if (current == cursor_) return;
  if (current == nullptr) {  // past the document's end: nothing left to walk
    cursor_ = nullptr;
    return;
  }
  if (depth_ > 0 && current == frames_[depth_ - 1].node) {
    // Back up from the cursor, the open element's last child, to its end.
    Pop();
    cursor_ = current;
    cursor_open_ = false;
    return;
  }
  // On to the cursor's next sibling (or first child): entered, not applied.
  cursor_ = current;
  cursor_open_ = IsElement(current);
  if (cursor_open_ && !Push(current).ok()) cursor_ = nullptr;
}

// Moves the path stack forward through the tree the parser has built past
// the cursor, in document order, until it enters the error's element. Push
// and Pop note its path. The built part is at most a chunk: a short walk.
void ReadSession::WalkToTarget() {
  const xmlNode* n = cursor_;
  bool open = cursor_open_;
  while (n != nullptr && !error_.path_found) {
    if (open && n->children != nullptr) {
      n = n->children;
    } else if (open) {
      Pop();
      open = false;
      continue;
    } else if (n->next != nullptr) {
      n = n->next;
    } else if (IsElement(n->parent) && depth_ > 0) {
      n = n->parent;
      Pop();
      continue;
    } else {
      return;
    }
    open = IsElement(n);
    if (open && !Push(n).ok()) return;
  }
}

Status ReadSession::Fatal(const xmlNode* node, std::string_view reason) const {
  return FileError(LineOf(node), PathOf(depth_), reason);
}

Status ReadSession::FileError(uint64_t line, std::string_view where,
                              std::string_view reason) const {
  return Status::Invalid(fmt::format("{}:{}: {}: {}", path_, line, where, reason));
}

}  // namespace

// ---- Pain001Reader ---------------------------------------------------------------

struct Pain001Reader::File {
  std::string path;
  int fd = -1;
  uint64_t bytes = 0;
  bool read = false;
  ~File() {
    if (fd >= 0) ::close(fd);
  }
};

Pain001Reader::Pain001Reader(std::unique_ptr<File> file) : file_(std::move(file)) {}
Pain001Reader::Pain001Reader(Pain001Reader&&) noexcept = default;
Pain001Reader& Pain001Reader::operator=(Pain001Reader&&) noexcept = default;
Pain001Reader::~Pain001Reader() = default;

uint64_t Pain001Reader::file_bytes() const { return file_->bytes; }

Result<Pain001Reader> Pain001Reader::Open(std::string path) {
  const CompiledSchema& schema = Pain001Schema();
  if (schema.schema == nullptr) return Status::Internal(schema.error);
  auto file = std::make_unique<File>();
  file->path = std::move(path);
  file->fd = ::open(file->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd < 0) return Status::IoError(fmt::format("{}: {}", file->path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(file->fd, &st) != 0) {
    return Status::IoError(fmt::format("{}: {}", file->path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return Status::IoError(file->path + ": not a regular file");
  file->bytes = static_cast<uint64_t>(st.st_size);
  return Pain001Reader(std::move(file));
}

Result<Pain001Totals> Pain001Reader::Read(Pain001Visitor& visitor, Pain001ReadMode mode) {
  if (file_->read) return Status::FailedPrecondition(file_->path + ": Read() runs once");
  file_->read = true;
  if (mode == Pain001ReadMode::kExact) return ReadExact(visitor);
  Result<Pain001Totals> fast = ReadFast(visitor);
  if (fast.ok() || fast.status().code() != Code::kUnavailable) return fast;
  if (mode == Pain001ReadMode::kAuto) {
    const Status restarted = visitor.OnRestart();
    if (restarted.ok()) return ReadExact(visitor);
    fast = Status::Unavailable(fmt::format("{}; the visitor cannot start over: {}",
                                           fast.status().message(), restarted.message()));
  }
  file_->read = false;  // the caller may read again, exactly
  return fast;
}

// The whole file mapped into memory, read-only, for the fast reader: one
// pass, no copies. Anything unusual (an empty file, a failed mmap) is left
// to the exact reader.
Result<Pain001Totals> Pain001Reader::ReadFast(Pain001Visitor& visitor) {
  if (file_->bytes == 0 || file_->bytes > kFileBytesMax) {
    return Status::Unavailable(file_->path + ": empty or above the size limit");
  }
  const size_t bytes = static_cast<size_t>(file_->bytes);
  auto map = MappedFile::Map(file_->fd, bytes, file_->path);
  if (!map.ok()) return Status::Unavailable(map.status().message());
  Result<Pain001Totals> read = internal::ReadPain001Fast(map->bytes(), file_->path, visitor,
                                                         /*bytes_are_mapped_file=*/true);
  // A file cut short under the reader reads as zeros past its new end:
  // whatever the parse made of that, the file changed.
  NKS_RETURN_IF_ERROR(map->CheckUnchanged());
  return read;
}

Result<Pain001Totals> Pain001Reader::ReadExact(Pain001Visitor& visitor) {
  if (file_->bytes > kFileBytesMax) {
    return Status::Invalid(fmt::format("{}:1: /: {} bytes; the limit is {}", file_->path,
                                       file_->bytes, kFileBytesMax));
  }
  std::string head(std::min<uint64_t>(file_->bytes, kPrologBytesMax), '\0');
  const ssize_t got = ::pread(file_->fd, head.data(), head.size(), 0);
  if (got < 0) return Status::IoError(fmt::format("{}: {}", file_->path, std::strerror(errno)));
  head.resize(static_cast<size_t>(got));
  const PrologScan prolog = ScanProlog(head);
  if (prolog.refused_line != 0) {
    return Status::Invalid(
        fmt::format("{}:{}: /: {}", file_->path, prolog.refused_line, prolog.refused_reason));
  }
  const bool whole_file_in_head = file_->bytes <= head.size();
  if (prolog.root_tag_end == std::string_view::npos && !whole_file_in_head) {
    return Status::Invalid(fmt::format("{}:1: /: no root element in the first {} bytes",
                                       file_->path, kPrologBytesMax));
  }
  ReadSession session(file_->path, visitor);
  // A file that ends within its prolog goes to libxml2 whole, to be refused.
  const bool cut = prolog.root_tag_end != std::string_view::npos;
  return session.Run(file_->fd, cut ? prolog.root_tag_end : 0);
}

}  // namespace nks::iso20022
