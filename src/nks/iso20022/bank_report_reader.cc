// How the reader works: as pain001_reader.cc (see there for the details).
// libxml2's xmlTextReader validates against the schema of the report's kind
// at most a chunk ahead of the cursor; we keep the path from the root to
// the cursor, and when libxml2 reports an error we find the element it is
// about in the tree already built and walk the path forward to it, so the
// error names the element's path. The prolog is scanned (and any DOCTYPE
// refused) before libxml2 sees a byte, and the root's start tag is served
// alone first so errors about the root know their element.
//
// The libxml2 helpers both readers share are in xml_stream.h.
#include "nks/iso20022/bank_report_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "nks/core/ids.h"
#include "nks/iso20022/xml_prolog.h"
#include "nks/iso20022/xml_stream.h"

namespace nks::iso20022 {
namespace {

constexpr std::string_view kPain002Ns = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.11";
constexpr std::string_view kCamt054Ns = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";

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

// ---- The schemas, compiled once per process -----------------------------------

const CompiledSchema& SchemaFor(BankReportKind kind) {
  static const CompiledSchema pain002 = CompileSchema("pain.002.001.11.xsd");
  static const CompiledSchema camt054 = CompileSchema("camt.054.001.08.xsd");
  return kind == BankReportKind::kPain002 ? pain002 : camt054;
}

// libxml2's message without either namespace, CPR-like numbers masked.
std::string CleanReason(std::string_view message) {
  return xml::CleanReason(message, {kPain002Ns, kCamt054Ns});
}

// The line a node starts on, as libxml2 keeps it.
uint64_t LineOf(const xmlNode* node) {
  const long line = xmlGetLineNo(node);
  return line > 0 ? static_cast<uint64_t>(line) : 0;
}

// Leaves whose text the reader keeps; every other element's text is dropped.
bool KeepsText(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kKept = {
      "MsgId", "OrgnlMsgId", "OrgnlInstrId", "OrgnlEndToEndId", "TxSts", "Cd",
      "Prtry", "InstdAmt",   "Amt",          "InstrId",         "EndToEndId"};
  return std::find(kKept.begin(), kKept.end(), name) != kKept.end();
}

struct Frame {
  const xmlNode* node = nullptr;
  std::string_view name;  // libxml2 dictionary string
  uint32_t index = 0;     // 1-based among same-named siblings
  bool keeps_text = false;
  std::string text;
  std::vector<std::pair<std::string_view, uint32_t>> child_counts;
};

class Session {
 public:
  Session(const std::string& path, BankReportKind kind, BankReportVisitor& visitor)
      : path_(path), visitor_(visitor) {
    header_.kind = kind;
    frames_.resize(BankReportReader::kElementDepthMax + 1);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Result<uint64_t> Run(int fd, uint64_t first_piece_bytes);

 private:
  static void OnLibxmlError(void* ctx, xmlErrorPtr error);
  void NoteLibxmlError(const xmlError& error);
  Status Apply(xmlNode* node, int type);
  Status Push(const xmlNode* node);
  void Pop();
  std::string PathOf(size_t depth) const;
  std::string_view Ancestor(size_t up) const;  // 1: the parent of the top frame

  Status OnStart(const Frame& frame);
  Status OnEnd(const Frame& frame);
  void OnPain002End(std::string_view name, std::string_view text);
  void OnCamt054End(std::string_view name, std::string_view text);
  Status StartTransaction(const Frame& frame);
  Status EndTransaction();
  Status SendHeader();
  std::string CurrencyAttribute();

  Result<uint64_t> Finish(int rc);
  Status ReportPending();
  void WalkToTarget();
  void ResyncCursor();
  Status Fatal(const xmlNode* node, std::string_view reason) const;
  Status FileError(uint64_t line, std::string_view where, std::string_view reason) const;

  const std::string& path_;
  BankReportVisitor& visitor_;
  Input input_;
  ReaderPtr reader_;
  const xmlDoc* doc_ = nullptr;
  std::vector<Frame> frames_;
  size_t depth_ = 0;
  const xmlNode* cursor_ = nullptr;
  bool cursor_open_ = false;
  PendingError error_;
  bool document_ended_ = false;

  BankReportHeader header_;
  bool header_sent_ = false;
  BankReportTransaction tx_;
  bool in_tx_ = false;
  bool tx_returned_ = false;   // camt.054: RtrInf seen
  std::string entry_status_;   // camt.054: Ntry/Sts/Cd
  std::string entry_amount_;   // camt.054: Ntry/Amt
  std::string entry_currency_;
  uint64_t count_ = 0;
};

Result<uint64_t> Session::Run(int fd, uint64_t first_piece_bytes) {
  input_.fd = fd;
  input_.first_piece_bytes = first_piece_bytes;
  input_.bytes_max = BankReportReader::kFileBytesMax;
  const SilenceGenericErrors silence;
  xmlResetLastError();
  reader_.reset(xmlReaderForIO(ReadInput, nullptr, &input_, path_.c_str(), nullptr, ParseOptions()));
  if (reader_ == nullptr) return Status::Internal("cannot create an XML reader");
  // The handler first: libxml2 2.9 crashes on a parse error when it is set
  // after the schema.
  xmlTextReaderSetStructuredErrorHandler(reader_.get(), OnLibxmlError, this);
  if (xmlTextReaderSetSchema(reader_.get(), SchemaFor(header_.kind).schema) != 0) {
    return Status::Internal("cannot attach the bank report schema to the reader");
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
    if (error_.set) return ReportPending();
    if (!applied.ok()) return applied;
  }
}

void Session::OnLibxmlError(void* ctx, xmlErrorPtr error) {
  if (error != nullptr && error->level >= XML_ERR_ERROR) {
    static_cast<Session*>(ctx)->NoteLibxmlError(*error);
  }
}

void Session::NoteLibxmlError(const xmlError& error) {
  if (error_.set) return;
  error_.set = true;
  error_.line = error.line > 0 ? static_cast<uint64_t>(error.line) : 0;
  const std::string_view message = error.message != nullptr ? error.message : "invalid XML";
  error_.reason = CleanReason(message);
  error_.element = ElementNamed(message);
  if (doc_ == nullptr) {
    error_.about_root = true;
  } else {
    error_.target = ErrorElement(doc_, error_.element);
  }
}

Status Session::Apply(xmlNode* node, int type) {
  const bool live = !error_.set;
  switch (type) {
    case XML_READER_TYPE_ELEMENT: {
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
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
      if (!live || depth_ == 0 || !frames_[depth_ - 1].keeps_text) break;
      std::string& text = frames_[depth_ - 1].text;
      const std::string_view more = AsView(xmlTextReaderConstValue(reader_.get()));
      if (text.size() + more.size() > BankReportReader::kFieldTextBytesMax) {
        return Fatal(node, fmt::format("text longer than {} bytes", BankReportReader::kFieldTextBytesMax));
      }
      text.append(more);
      break;
    }
    case XML_READER_TYPE_DOCUMENT_TYPE:
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
    case XML_READER_TYPE_NOTATION:
      return Fatal(node, "a DTD or entity: not allowed in a bank report");
    default:
      break;
  }
  cursor_ = node;
  cursor_open_ = false;
  return Status::Ok();
}

Status Session::Push(const xmlNode* node) {
  if (depth_ >= BankReportReader::kElementDepthMax) {
    return Fatal(node, fmt::format("elements nested deeper than {}", BankReportReader::kElementDepthMax));
  }
  Frame& frame = frames_[depth_];
  frame.node = node;
  frame.name = AsView(node->name);
  frame.index = 1;
  if (depth_ > 0) {
    Frame& parent = frames_[depth_ - 1];
    auto it = std::find_if(parent.child_counts.begin(), parent.child_counts.end(),
                           [&](const auto& c) { return c.first == frame.name; });
    if (it == parent.child_counts.end()) {
      parent.child_counts.emplace_back(frame.name, 1);
    } else {
      frame.index = ++it->second;
    }
  }
  frame.child_counts.clear();
  frame.keeps_text = KeepsText(frame.name);
  frame.text.clear();
  ++depth_;
  if (error_.set && !error_.path_found &&
      (error_.target == node || (error_.about_root && depth_ == 1))) {
    error_.path_found = true;
    error_.path = PathOf(depth_);
  }
  return Status::Ok();
}

void Session::Pop() {
  if (error_.set && !error_.path_found && error_.target == frames_[depth_ - 1].node) {
    error_.path_found = true;
    error_.path = PathOf(depth_);
  }
  --depth_;
  if (depth_ == 0) document_ended_ = true;
}

// The index is shown where it is above 1, and always on the repeating
// records (TxInfAndSts, Ntry, TxDtls).
std::string Session::PathOf(size_t depth) const {
  std::string out;
  for (size_t i = 0; i < depth; ++i) {
    const Frame& f = frames_[i];
    const bool numbered =
        f.index > 1 || f.name == "TxInfAndSts" || f.name == "Ntry" || f.name == "TxDtls";
    out += numbered ? fmt::format("/{}[{}]", f.name, f.index) : fmt::format("/{}", f.name);
  }
  return out.empty() ? "/" : out;
}

std::string_view Session::Ancestor(size_t up) const {
  return depth_ > up ? frames_[depth_ - 1 - up].name : std::string_view();
}

std::string Session::CurrencyAttribute() {
  std::string out;
  if (xmlTextReaderMoveToAttribute(reader_.get(), reinterpret_cast<const xmlChar*>("Ccy")) == 1) {
    out = AsView(xmlTextReaderConstValue(reader_.get()));
    xmlTextReaderMoveToElement(reader_.get());
  }
  return out;
}

Status Session::OnStart(const Frame& frame) {
  const bool pain002 = header_.kind == BankReportKind::kPain002;
  if (frame.name == (pain002 ? "TxInfAndSts" : "TxDtls")) return StartTransaction(frame);
  if (!pain002 && frame.name == "Ntry") {
    entry_status_.clear();
    entry_amount_.clear();
    entry_currency_.clear();
  } else if (pain002 && in_tx_ && frame.name == "InstdAmt" && Ancestor(2) == "OrgnlTxRef") {
    tx_.currency = CurrencyAttribute();
  } else if (!pain002 && frame.name == "Amt" && Ancestor(1) == "Ntry") {
    entry_currency_ = CurrencyAttribute();
  } else if (!pain002 && in_tx_ && frame.name == "Amt" && Ancestor(1) == "TxDtls") {
    tx_.currency = CurrencyAttribute();
  }
  return Status::Ok();
}

Status Session::StartTransaction(const Frame& frame) {
  if (count_ >= BankReportReader::kTransactionsPerFileMax) {
    return Fatal(frame.node, fmt::format("more than {} transactions in one report",
                                         BankReportReader::kTransactionsPerFileMax));
  }
  NKS_RETURN_IF_ERROR(SendHeader());
  tx_ = BankReportTransaction{};
  tx_.line = LineOf(frame.node);
  tx_returned_ = false;
  in_tx_ = true;
  return Status::Ok();
}

Status Session::SendHeader() {
  if (header_sent_) return Status::Ok();
  header_sent_ = true;
  return visitor_.OnHeader(header_);
}

Status Session::OnEnd(const Frame& frame) {
  const std::string_view text = TrimXmlSpace(frame.text);
  const std::string_view name = frame.name;
  if (name == "MsgId" && Ancestor(1) == "GrpHdr") {
    header_.msg_id = text;
  } else if (depth_ == 1) {
    return SendHeader();  // the root ends: an empty report still has a header
  } else if (header_.kind == BankReportKind::kPain002) {
    if (name == "TxInfAndSts") return EndTransaction();
    OnPain002End(name, text);
  } else {
    if (name == "TxDtls") return EndTransaction();
    OnCamt054End(name, text);
  }
  return Status::Ok();
}

void Session::OnPain002End(std::string_view name, std::string_view text) {
  if (name == "OrgnlMsgId" && Ancestor(1) == "OrgnlGrpInfAndSts") header_.original_msg_id = text;
  if (!in_tx_) return;
  if (name == "OrgnlInstrId") {
    tx_.instr_id = text;
  } else if (name == "OrgnlEndToEndId") {
    tx_.end_to_end = text;
  } else if (name == "TxSts") {
    tx_.status = text;
  } else if ((name == "Cd" || name == "Prtry") && Ancestor(1) == "Rsn" &&
             Ancestor(2) == "StsRsnInf" && tx_.reason_code.empty()) {
    tx_.reason_code = text;
  } else if (name == "InstdAmt" && Ancestor(2) == "OrgnlTxRef") {
    tx_.amount_text = text;
  }
}

void Session::OnCamt054End(std::string_view name, std::string_view text) {
  if (name == "Cd" && Ancestor(1) == "Sts" && Ancestor(2) == "Ntry") {
    entry_status_ = text;
  } else if (name == "Amt" && Ancestor(1) == "Ntry") {
    entry_amount_ = text;
  }
  if (!in_tx_) return;
  if (name == "InstrId" && Ancestor(1) == "Refs") {
    tx_.instr_id = text;
  } else if (name == "EndToEndId" && Ancestor(1) == "Refs") {
    tx_.end_to_end = text;
  } else if (name == "Amt" && Ancestor(1) == "TxDtls") {
    tx_.amount_text = text;
  } else if (name == "RtrInf") {
    tx_returned_ = true;
  } else if ((name == "Cd" || name == "Prtry") && Ancestor(1) == "Rsn" && Ancestor(2) == "RtrInf") {
    tx_.reason_code = text;
  }
}

Status Session::EndTransaction() {
  in_tx_ = false;
  ++count_;
  if (header_.kind == BankReportKind::kPain002) {
    if (tx_.status == "ACSC" || tx_.status == "ACCC") {
      tx_.outcome = BankOutcome::kSettled;
    } else if (tx_.status == "RJCT") {
      tx_.outcome = BankOutcome::kRejected;
    }
  } else {
    tx_.status = entry_status_;
    if (tx_.amount_text.empty()) {
      tx_.amount_text = entry_amount_;
      tx_.currency = entry_currency_;
    }
    if (tx_returned_) {
      tx_.outcome = BankOutcome::kRejected;
    } else if (entry_status_ == "BOOK") {
      tx_.outcome = BankOutcome::kSettled;
    }
  }
  return visitor_.OnTransaction(tx_);
}

Result<uint64_t> Session::Finish(int rc) {
  if (!input_.error.ok()) {
    if (input_.error.code() == Code::kIoError) {
      return Status::IoError(fmt::format("{}: {}", path_, input_.error.message()));
    }
    const int line = xmlTextReaderGetParserLineNumber(reader_.get());
    return FileError(line > 0 ? static_cast<uint64_t>(line) : 1, "/", input_.error.message());
  }
  if (error_.set) return ReportPending();
  if (rc < 0) {
    // libxml2 2.9 gives parse errors to the last-error slot once a schema
    // is plugged in.
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
    return FileError(error_.line, "/",
                     fmt::format("not a complete, schema-valid {} document",
                                 BankReportKindName(header_.kind)));
  }
  return count_;
}

Status Session::ReportPending() {
  if (!error_.path_found) WalkToTarget();
  if (!error_.path_found) error_.path = error_.about_root ? "/" + error_.element : PathOf(depth_);
  return FileError(error_.line, error_.path, error_.reason);
}

// A Read() that fails may first have moved off the cursor, and libxml2
// frees a node as its reader leaves it: the cursor is then freed memory.
// Moves the cursor (and the path stack) to where the reader stopped.
void Session::ResyncCursor() {
  const xmlNode* current = xmlTextReaderCurrentNode(reader_.get());
  if (current == cursor_) return;
  if (current == nullptr) {  // past the document's end: nothing left to walk
    cursor_ = nullptr;
    return;
  }
  if (depth_ > 0 && current == frames_[depth_ - 1].node) {
    Pop();  // back up from the open element's last child to its end
    cursor_ = current;
    cursor_open_ = false;
    return;
  }
  cursor_ = current;  // on to the next sibling or first child: entered, not applied
  cursor_open_ = IsElement(current);
  if (cursor_open_ && !Push(current).ok()) cursor_ = nullptr;
}

// Moves the path forward through the tree built past the cursor until it
// enters the error's element (Push and Pop note its path).
void Session::WalkToTarget() {
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

Status Session::Fatal(const xmlNode* node, std::string_view reason) const {
  return FileError(LineOf(node), PathOf(depth_), reason);
}

Status Session::FileError(uint64_t line, std::string_view where, std::string_view reason) const {
  return Status::Invalid(fmt::format("{}:{}: {}: {}", path_, line, where, reason));
}

}  // namespace

std::string_view BankReportKindName(BankReportKind kind) {
  return kind == BankReportKind::kPain002 ? "pain.002.001.11" : "camt.054.001.08";
}

std::string_view BankOutcomeName(BankOutcome outcome) {
  switch (outcome) {
    case BankOutcome::kSettled:
      return "settled";
    case BankOutcome::kRejected:
      return "rejected";
    case BankOutcome::kOther:
      return "other";
  }
  return "unknown";
}

Status BankReportVisitor::OnHeader(const BankReportHeader&) { return Status::Ok(); }

struct BankReportReader::File {
  std::string path;
  int fd = -1;
  uint64_t bytes = 0;
  bool read = false;
  ~File() {
    if (fd >= 0) ::close(fd);
  }
};

BankReportReader::BankReportReader(std::unique_ptr<File> file) : file_(std::move(file)) {}
BankReportReader::BankReportReader(BankReportReader&&) noexcept = default;
BankReportReader& BankReportReader::operator=(BankReportReader&&) noexcept = default;
BankReportReader::~BankReportReader() = default;

Result<BankReportReader> BankReportReader::Open(std::string path) {
  for (BankReportKind kind : {BankReportKind::kPain002, BankReportKind::kCamt054}) {
    if (SchemaFor(kind).schema == nullptr) return Status::Internal(SchemaFor(kind).error);
  }
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
  return BankReportReader(std::move(file));
}

Result<uint64_t> BankReportReader::Read(BankReportVisitor& visitor) {
  if (file_->read) return Status::FailedPrecondition(file_->path + ": Read() runs once");
  file_->read = true;
  if (file_->bytes > kFileBytesMax) {
    return Status::Invalid(
        fmt::format("{}:1: /: {} bytes; the limit is {}", file_->path, file_->bytes, kFileBytesMax));
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
  if (prolog.root_tag_end == std::string_view::npos) {
    return Status::Invalid(fmt::format("{}:1: /: no root element in the first {} bytes",
                                       file_->path, kPrologBytesMax));
  }
  // The kind, by the root's namespace: the schema then checks the rest.
  const std::string_view root_tag = std::string_view(head).substr(0, prolog.root_tag_end);
  BankReportKind kind;
  if (root_tag.find(kPain002Ns) != std::string_view::npos) {
    kind = BankReportKind::kPain002;
  } else if (root_tag.find(kCamt054Ns) != std::string_view::npos) {
    kind = BankReportKind::kCamt054;
  } else {
    return Status::Invalid(fmt::format("{}:1: /Document: the root is neither a {} nor a {} document",
                                       file_->path, kPain002Ns, kCamt054Ns));
  }
  Session session(file_->path, kind, visitor);
  return session.Run(file_->fd, prolog.root_tag_end);
}

}  // namespace nks::iso20022
