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
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "nks/core/text.h"
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

namespace {

// ---- What an element means, from its parent's meaning and its name ---------

// clang-format off
enum class Tag : uint8_t {
  kNone,  // above the root
  kOther,  // nothing the reader keeps, nor anything below it
  kDocument, kInitn, kGrpHdr, kMsgId, kCreDtTm, kHdrNbOfTxs, kHdrCtrlSum,
  kPmtInf, kPmtInfId, kGrpNbOfTxs, kGrpCtrlSum, kReqdExctnDt, kReqdDt, kReqdDtTm,
  kTx, kPmtId, kInstrId, kEndToEndId, kAmt, kInstdAmt, kEqvtAmt,
  kPurp, kPurpPrtry, kPurpCd, kRmtInf, kUstrd,
  kParty, kPartyId, kOrgId, kPrvtId, kPartyOthr,              // PartyIdentification135
  kAccount, kAccountId, kIban, kAccountOthr,                  // CashAccount38
  kOthrId, kOthrSchemeName, kOthrProprietary,                 // both kinds of Othr
  kAgent, kFinInstnId, kBicfi,                                // BranchAndFinancial...
};
// clang-format on

// Whose party, account or agent a subtree describes.
enum class Role : uint8_t {
  kNone,
  kInitgPty,
  kDbtr,
  kUltmtDbtr,
  kCdtr,
  kDbtrAcct,
  kCdtrAcct,
  kDbtrAgt,
  kCdtrAgt
};

struct Meaning {
  Tag tag = Tag::kOther;
  Role role = Role::kNone;
};

Meaning ChildOfHeaderOrGroup(Tag parent, std::string_view name) {
  if (parent == Tag::kGrpHdr) {
    if (name == "MsgId") return {Tag::kMsgId};
    if (name == "CreDtTm") return {Tag::kCreDtTm};
    if (name == "NbOfTxs") return {Tag::kHdrNbOfTxs};
    if (name == "CtrlSum") return {Tag::kHdrCtrlSum};
    if (name == "InitgPty") return {Tag::kParty, Role::kInitgPty};
    return {};
  }
  if (name == "PmtInfId") return {Tag::kPmtInfId};
  if (name == "NbOfTxs") return {Tag::kGrpNbOfTxs};
  if (name == "CtrlSum") return {Tag::kGrpCtrlSum};
  if (name == "ReqdExctnDt") return {Tag::kReqdExctnDt};
  if (name == "Dbtr") return {Tag::kParty, Role::kDbtr};
  if (name == "UltmtDbtr") return {Tag::kParty, Role::kUltmtDbtr};
  if (name == "DbtrAcct") return {Tag::kAccount, Role::kDbtrAcct};
  if (name == "DbtrAgt") return {Tag::kAgent, Role::kDbtrAgt};
  if (name == "CdtTrfTxInf") return {Tag::kTx};
  return {};
}

Meaning ChildOfTransaction(Tag parent, std::string_view name) {
  switch (parent) {
    case Tag::kTx:
      if (name == "PmtId") return {Tag::kPmtId};
      if (name == "Amt") return {Tag::kAmt};
      if (name == "CdtrAgt") return {Tag::kAgent, Role::kCdtrAgt};
      if (name == "Cdtr") return {Tag::kParty, Role::kCdtr};
      if (name == "CdtrAcct") return {Tag::kAccount, Role::kCdtrAcct};
      if (name == "Purp") return {Tag::kPurp};
      if (name == "RmtInf") return {Tag::kRmtInf};
      return {};
    case Tag::kPmtId:
      if (name == "InstrId") return {Tag::kInstrId};
      if (name == "EndToEndId") return {Tag::kEndToEndId};
      return {};
    case Tag::kAmt:
      if (name == "InstdAmt") return {Tag::kInstdAmt};
      if (name == "EqvtAmt") return {Tag::kEqvtAmt};
      return {};
    case Tag::kPurp:
      if (name == "Prtry") return {Tag::kPurpPrtry};
      if (name == "Cd") return {Tag::kPurpCd};
      return {};
    case Tag::kRmtInf:
      return name == "Ustrd" ? Meaning{Tag::kUstrd} : Meaning{};
    default:
      return {};
  }
}

// Parties, accounts and agents: the same shapes under several roles.
Meaning ChildOfSharedShape(Meaning parent, std::string_view name) {
  auto is = [&](std::string_view want, Tag tag) {
    return name == want ? Meaning{tag, parent.role} : Meaning{};
  };
  switch (parent.tag) {
    case Tag::kParty:
      return is("Id", Tag::kPartyId);
    case Tag::kPartyId:
      if (name == "OrgId") return {Tag::kOrgId, parent.role};
      return is("PrvtId", Tag::kPrvtId);
    case Tag::kOrgId:
    case Tag::kPrvtId:
      return is("Othr", Tag::kPartyOthr);
    case Tag::kAccount:
      return is("Id", Tag::kAccountId);
    case Tag::kAccountId:
      if (name == "IBAN") return {Tag::kIban, parent.role};
      return is("Othr", Tag::kAccountOthr);
    case Tag::kPartyOthr:
    case Tag::kAccountOthr:
      if (name == "Id") return {Tag::kOthrId, parent.role};
      return is("SchmeNm", Tag::kOthrSchemeName);
    case Tag::kOthrSchemeName:
      return is("Prtry", Tag::kOthrProprietary);
    case Tag::kAgent:
      return is("FinInstnId", Tag::kFinInstnId);
    case Tag::kFinInstnId:
      return is("BICFI", Tag::kBicfi);
    default:
      return {};
  }
}

Meaning ChildMeaning(Meaning parent, std::string_view name) {
  switch (parent.tag) {
    case Tag::kNone:
      return name == "Document" ? Meaning{Tag::kDocument} : Meaning{};
    case Tag::kDocument:
      return name == "CstmrCdtTrfInitn" ? Meaning{Tag::kInitn} : Meaning{};
    case Tag::kInitn:
      if (name == "GrpHdr") return {Tag::kGrpHdr};
      return name == "PmtInf" ? Meaning{Tag::kPmtInf} : Meaning{};
    case Tag::kGrpHdr:
    case Tag::kPmtInf:
      return ChildOfHeaderOrGroup(parent.tag, name);
    case Tag::kReqdExctnDt:
      if (name == "Dt") return {Tag::kReqdDt};
      return name == "DtTm" ? Meaning{Tag::kReqdDtTm} : Meaning{};
    case Tag::kTx:
    case Tag::kPmtId:
    case Tag::kAmt:
    case Tag::kPurp:
    case Tag::kRmtInf:
      return ChildOfTransaction(parent.tag, name);
    default:
      return ChildOfSharedShape(parent, name);
  }
}

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

bool ParseCount(std::string_view text, uint64_t* out) {
  constexpr size_t kCountDigitsMax = 15;  // Max15NumericText
  const std::string_view digits = TrimXmlSpace(text);
  if (!text::AllDigits(digits) || digits.size() > kCountDigitsMax) return false;
  *out = text::DigitsValue(digits);
  return true;
}

// NKS agreement number: 1..99999999 without leading zeros (SPEC §2).
std::optional<uint32_t> ParseAuthority(std::string_view text) {
  constexpr size_t kAuthorityDigitsMax = 8;
  if (!text::AllDigits(text) || text.size() > kAuthorityDigitsMax || text.front() == '0') {
    return std::nullopt;
  }
  return static_cast<uint32_t>(text::DigitsValue(text));
}

bool HasError(const Pain001Transaction& tx, Pain001Field field) {
  return std::any_of(tx.errors.begin(), tx.errors.end(),
                     [&](const Pain001FieldError& e) { return e.field == field; });
}

void Clear(Pain001Transaction& tx) {
  tx.index = 0;
  tx.line = 0;
  tx.end_to_end_id.clear();
  tx.instr_id.clear();
  tx.amount_text.clear();
  tx.currency.clear();
  tx.amount.reset();
  tx.benefit_type.clear();
  tx.recipient_scheme.clear();
  tx.recipient_id_text.clear();
  tx.recipient.reset();
  tx.creditor_account_text.clear();
  tx.creditor_bic.clear();
  tx.creditor_account.reset();
  tx.remittance_text.clear();
  tx.errors.clear();
}

enum class AccountKind : uint8_t { kNone, kIban, kBban, kOtherScheme };

// One pass over one file: the libxml2 reader, the path stack and the
// records being filled. The records are reused from payment to payment and
// their strings keep their capacity: a clean payment costs next to no
// allocation of ours.
class ReadSession {
 public:
  ReadSession(const std::string& path, Pain001Visitor& visitor) : path_(path), visitor_(visitor) {
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
  std::string* TextTarget(Meaning meaning);
  std::string PathOf(size_t depth) const;

  // Meaning: filling the records and calling the visitor.
  Status OnStart(const Frame& frame);
  Status OnEnd(const Frame& frame);
  Status OnText(const xmlNode* node);
  Status StartTransaction(const Frame& frame);
  Status AnnounceGroup();
  void CheckGroup();
  void ApplyPartyOthr(Role role);
  void ApplyAccountOthr(Role role);
  void AddRemittanceLine();
  Status EndTransaction();
  void CheckAmount();
  void CheckRecipient();
  void CheckCreditorAccount();

  // Errors.
  Result<Pain001Totals> Finish(int rc);
  Status ReportPending();
  void ResyncCursor();
  void WalkToTarget();
  Status Fatal(const xmlNode* node, std::string_view reason) const;
  Status FileError(uint64_t line, std::string_view where, std::string_view reason) const;

  const std::string& path_;
  Pain001Visitor& visitor_;
  Input input_;
  ReaderPtr reader_;
  const xmlDoc* doc_ = nullptr;
  std::vector<Frame> frames_;  // [0, depth_) are open; kept for their capacity
  size_t depth_ = 0;
  const xmlNode* cursor_ = nullptr;  // the node last applied
  bool cursor_open_ = false;         // it is an element whose end is to come
  PendingError error_;
  bool document_ended_ = false;

  Pain001Header header_;
  Pain001Group group_;
  bool group_announced_ = false;
  std::string authority_text_;  // Dbtr Othr NKS, checked with the group
  AccountKind debtor_account_kind_ = AccountKind::kNone;
  Pain001Totals group_totals_;
  Pain001Totals totals_;
  Pain001Transaction tx_;
  AccountKind creditor_account_kind_ = AccountKind::kNone;
  size_t remittance_lines_ = 0;
  std::optional<DecimalAmount> tx_amount_;
  std::string scratch_;  // text of an element parsed at its end
  std::string othr_id_;
  std::string othr_scheme_;
  bool othr_under_org_ = false;
};

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
  frame.text = TextTarget(frame.meaning);
  if (frame.text != nullptr) frame.text->clear();
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

std::string* ReadSession::TextTarget(Meaning meaning) {
  switch (meaning.tag) {
    case Tag::kMsgId:
      return &header_.msg_id;
    case Tag::kCreDtTm:
      return &header_.created;
    case Tag::kHdrCtrlSum:
      return &header_.declared.ctrl_sum;
    case Tag::kPmtInfId:
      return &group_.pmt_inf_id;
    case Tag::kGrpCtrlSum:
      return &group_.declared.ctrl_sum;
    case Tag::kHdrNbOfTxs:
    case Tag::kGrpNbOfTxs:
    case Tag::kReqdDt:
    case Tag::kUstrd:
      return &scratch_;
    case Tag::kInstrId:
      return &tx_.instr_id;
    case Tag::kEndToEndId:
      return &tx_.end_to_end_id;
    case Tag::kInstdAmt:
      return &tx_.amount_text;
    case Tag::kPurpPrtry:
      return &tx_.benefit_type;
    case Tag::kOthrId:
      return &othr_id_;
    case Tag::kOthrProprietary:
      return &othr_scheme_;
    case Tag::kIban:
      if (meaning.role == Role::kDbtrAcct) return &group_.debtor_account_text;
      return meaning.role == Role::kCdtrAcct ? &tx_.creditor_account_text : nullptr;
    case Tag::kBicfi:
      if (meaning.role == Role::kDbtrAgt) return &group_.debtor_agent_bic;
      return meaning.role == Role::kCdtrAgt ? &tx_.creditor_bic : nullptr;
    default:
      return nullptr;
  }
}

// "/Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[5]/Amt/InstdAmt": the
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
  const uint64_t line = LineOf(frame.node);
  switch (frame.meaning.tag) {
    case Tag::kGrpHdr:
      header_ = Pain001Header{};
      header_.line = line;
      break;
    case Tag::kPmtInf:
      group_ = Pain001Group{};
      group_.index = frame.index;
      group_.line = line;
      group_totals_ = Pain001Totals{};
      group_announced_ = false;
      authority_text_.clear();
      debtor_account_kind_ = AccountKind::kNone;
      break;
    case Tag::kTx:
      return StartTransaction(frame);
    case Tag::kPartyOthr:
    case Tag::kAccountOthr:
      othr_id_.clear();
      othr_scheme_.clear();
      othr_under_org_ = depth_ >= 2 && frames_[depth_ - 2].meaning.tag == Tag::kOrgId;
      break;
    case Tag::kIban:
      (frame.meaning.role == Role::kDbtrAcct ? debtor_account_kind_ : creditor_account_kind_) =
          AccountKind::kIban;
      break;
    case Tag::kInstdAmt:
      if (xmlTextReaderMoveToAttribute(reader_.get(), reinterpret_cast<const xmlChar*>("Ccy")) ==
          1) {
        tx_.currency = AsView(xmlTextReaderConstValue(reader_.get()));
        xmlTextReaderMoveToElement(reader_.get());
      }
      break;
    case Tag::kEqvtAmt:
      tx_.errors.push_back(
          {Pain001Field::kAmount, "Amt/EqvtAmt: not supported; give the amount in Amt/InstdAmt"});
      break;
    case Tag::kPurpCd:
      tx_.errors.push_back(
          {Pain001Field::kBenefitType, "Purp/Cd: the benefit type goes in Purp/Prtry"});
      break;
    case Tag::kReqdDtTm:
      group_.errors.push_back(
          {Pain001Field::kPayoutDate, "ReqdExctnDt/DtTm: give the payout date as ReqdExctnDt/Dt"});
      break;
    default:
      break;
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
  switch (frame.meaning.tag) {
    case Tag::kGrpHdr:
      return visitor_.OnHeader(header_);
    case Tag::kHdrNbOfTxs:
    case Tag::kGrpNbOfTxs: {
      uint64_t count = 0;
      if (!ParseCount(scratch_, &count)) return Fatal(frame.node, "NbOfTxs: not a count");
      (frame.meaning.tag == Tag::kHdrNbOfTxs ? header_.declared : group_.declared).tx_count = count;
      break;
    }
    case Tag::kReqdDt: {
      Result<Date> date = ParseDate(TrimXmlSpace(scratch_));
      if (date.ok()) {
        group_.payout_date = *date;
      } else {
        group_.errors.push_back(
            {Pain001Field::kPayoutDate, "ReqdExctnDt/Dt: " + date.status().message()});
      }
      break;
    }
    case Tag::kUstrd:
      AddRemittanceLine();
      break;
    case Tag::kPartyOthr:
      ApplyPartyOthr(frame.meaning.role);
      break;
    case Tag::kAccountOthr:
      ApplyAccountOthr(frame.meaning.role);
      break;
    case Tag::kTx:
      return EndTransaction();
    case Tag::kPmtInf:
      NKS_RETURN_IF_ERROR(AnnounceGroup());  // the schema requires a transaction; in case
      return visitor_.OnGroupEnd(group_, group_totals_);
    default:
      break;
  }
  return Status::Ok();
}

Status ReadSession::StartTransaction(const Frame& frame) {
  NKS_RETURN_IF_ERROR(AnnounceGroup());
  if (totals_.tx_count >= Pain001Reader::kTransactionsPerFileMax) {
    return Fatal(frame.node, fmt::format("more than {} transactions in one file",
                                         Pain001Reader::kTransactionsPerFileMax));
  }
  Clear(tx_);
  tx_.index = frame.index;
  tx_.line = LineOf(frame.node);
  creditor_account_kind_ = AccountKind::kNone;
  remittance_lines_ = 0;
  tx_amount_.reset();
  return Status::Ok();
}

// Every PmtInf field precedes its first CdtTrfTxInf in the schema's order,
// so the group is complete when its first transaction starts.
Status ReadSession::AnnounceGroup() {
  if (group_announced_) return Status::Ok();
  group_announced_ = true;
  CheckGroup();
  return visitor_.OnGroup(group_);
}

void ReadSession::CheckGroup() {
  auto error = [&](Pain001Field field, std::string message) {
    group_.errors.push_back({field, std::move(message)});
  };
  if (authority_text_.empty()) {
    error(Pain001Field::kAuthority, "Dbtr/Id/OrgId/Othr: no Id with SchmeNm/Prtry NKS");
  } else if (std::optional<uint32_t> n = ParseAuthority(authority_text_)) {
    group_.authority = *n;
  } else {
    error(Pain001Field::kAuthority,
          "Dbtr/Id/OrgId/Othr/Id (NKS): not an NKS agreement number "
          "(1 to 99999999, no leading zeros)");
  }
  if (group_.bank_agreement.empty()) {
    error(Pain001Field::kBankAgreement, "Dbtr/Id/OrgId/Othr: no Id with SchmeNm/Prtry PIA");
  }
  if (group_.los_unit.empty()) {
    error(Pain001Field::kLosUnit, "UltmtDbtr/Id/OrgId/Othr: no Id with SchmeNm/Prtry LOS");
  }
  if (debtor_account_kind_ == AccountKind::kOtherScheme) {
    error(Pain001Field::kDebtorAccount, "DbtrAcct/Id/Othr: SchmeNm/Prtry must be BBAN");
  } else if (debtor_account_kind_ == AccountKind::kBban &&
             group_.debtor_account_text.size() != 14) {
    error(Pain001Field::kDebtorAccount, "DbtrAcct/Id/Othr/Id: a BBAN is 4 + 10 digits");
  } else if (debtor_account_kind_ != AccountKind::kNone) {
    Result<Account> account = Account::Parse(group_.debtor_account_text);
    if (account.ok()) {
      group_.debtor_account = *account;
    } else {
      error(Pain001Field::kDebtorAccount, "DbtrAcct/Id: " + account.status().message());
    }
  }
}

// An OrgId/PrvtId Othr has ended: keep it when the profile names its scheme.
void ReadSession::ApplyPartyOthr(Role role) {
  auto keep_once = [&](std::string* field, Pain001Field kind, std::string_view what) {
    if (!field->empty()) {
      (role == Role::kCdtr ? tx_.errors : group_.errors)
          .push_back({kind, fmt::format("{}: given twice", what)});
      return;
    }
    *field = othr_id_;
  };
  const std::string_view scheme = othr_scheme_;
  if (role == Role::kInitgPty && othr_under_org_ && scheme == "NKSSYS") {
    if (header_.initiating_system.empty()) header_.initiating_system = othr_id_;
  } else if (role == Role::kDbtr && othr_under_org_ && scheme == "NKS") {
    keep_once(&authority_text_, Pain001Field::kAuthority, "Dbtr Othr NKS");
  } else if (role == Role::kDbtr && othr_under_org_ && scheme == "PIA") {
    keep_once(&group_.bank_agreement, Pain001Field::kBankAgreement, "Dbtr Othr PIA");
  } else if (role == Role::kUltmtDbtr && othr_under_org_ && scheme == "LOS") {
    keep_once(&group_.los_unit, Pain001Field::kLosUnit, "UltmtDbtr Othr LOS");
  } else if (role == Role::kCdtr &&
             (scheme == "CPR" || scheme == "CVR" || scheme == "SE" || scheme == "PNR")) {
    if (!tx_.recipient_scheme.empty()) {
      tx_.errors.push_back(
          {Pain001Field::kRecipientId, "Cdtr/Id: more than one recipient ID (CPR, CVR, SE, PNR)"});
      return;
    }
    if ((scheme == "CPR") == othr_under_org_) {
      tx_.errors.push_back(
          {Pain001Field::kRecipientId, fmt::format("Cdtr/Id: a {} number belongs under {}", scheme,
                                                   scheme == "CPR" ? "PrvtId" : "OrgId")});
    }
    tx_.recipient_scheme = scheme;
    tx_.recipient_id_text = othr_id_;
  }
}

void ReadSession::ApplyAccountOthr(Role role) {
  const AccountKind kind = othr_scheme_ == "BBAN" ? AccountKind::kBban : AccountKind::kOtherScheme;
  if (role == Role::kDbtrAcct) {
    debtor_account_kind_ = kind;
    group_.debtor_account_text = othr_id_;
  } else if (role == Role::kCdtrAcct) {
    creditor_account_kind_ = kind;
    tx_.creditor_account_text = othr_id_;
  }
}

void ReadSession::AddRemittanceLine() {
  if (++remittance_lines_ > Pain001Reader::kRemittanceLinesMax) {
    if (remittance_lines_ == Pain001Reader::kRemittanceLinesMax + 1) {
      tx_.errors.push_back(
          {Pain001Field::kRemittance,
           fmt::format("RmtInf/Ustrd: more than {} lines", Pain001Reader::kRemittanceLinesMax)});
    }
    return;
  }
  if (!tx_.remittance_text.empty()) tx_.remittance_text.push_back('\n');
  tx_.remittance_text.append(scratch_);
}

Status ReadSession::EndTransaction() {
  tx_amount_ = DecimalAmount::Parse(tx_.amount_text);
  if (!tx_.amount_text.empty() && !tx_amount_.has_value()) {
    // The schema allows only decimals with 18 digits and 5 decimals at most.
    return Fatal(frames_[depth_ - 1].node, "Amt/InstdAmt: not a decimal, against the schema");
  }
  CheckAmount();
  CheckRecipient();
  CheckCreditorAccount();
  if (tx_.recipient_scheme.empty() && tx_.creditor_account_text.empty()) {
    tx_.errors.push_back({Pain001Field::kRecipientId,
                          "Cdtr/Id: no recipient ID (CPR, CVR, SE or PNR) and no CdtrAcct"});
  }
  if (tx_.benefit_type.empty() && !HasError(tx_, Pain001Field::kBenefitType)) {
    tx_.errors.push_back({Pain001Field::kBenefitType, "Purp/Prtry: no benefit type"});
  }
  for (Pain001Totals* t : {&totals_, &group_totals_}) {
    ++t->tx_count;
    if (tx_amount_.has_value()) t->amount_sum += *tx_amount_;
  }
  return visitor_.OnTransaction(group_, tx_);
}

void ReadSession::CheckAmount() {
  if (!tx_amount_.has_value()) return;  // EqvtAmt: already an error
  const std::optional<int64_t> ore = tx_amount_->WholeOre();
  if (!ore.has_value()) {
    tx_.errors.push_back(
        {Pain001Field::kAmount, fmt::format("Amt/InstdAmt: {} is not a whole number of øre "
                                            "(at most 2 decimals)",
                                            TrimXmlSpace(tx_.amount_text))});
    return;
  }
  Result<AmountOre> amount = AmountOre::Of(*ore);
  if (amount.ok()) {
    tx_.amount = *amount;
  } else {
    tx_.errors.push_back({Pain001Field::kAmount, "Amt/InstdAmt: " + amount.status().message()});
  }
}

void ReadSession::CheckRecipient() {
  if (tx_.recipient_scheme.empty()) return;
  const std::string_view scheme = tx_.recipient_scheme;
  const IdType type = scheme == "CPR"   ? IdType::kCpr
                      : scheme == "CVR" ? IdType::kCvr
                      : scheme == "SE"  ? IdType::kSe
                                        : IdType::kPnr;
  Result<RecipientId> id = RecipientId::Parse(type, tx_.recipient_id_text);
  if (id.ok()) {
    tx_.recipient = *id;
  } else {
    tx_.errors.push_back(
        {Pain001Field::kRecipientId,
         fmt::format("Cdtr/Id/{}/Othr/Id ({}): {}", type == IdType::kCpr ? "PrvtId" : "OrgId",
                     scheme, MaskCprsIn(id.status().message()))});
  }
}

// A DK IBAN is a Danish account whatever the BIC; a foreign IBAN takes the
// BIC along; an Othr account must be a 14-digit BBAN.
void ReadSession::CheckCreditorAccount() {
  auto error = [&](std::string message) {
    tx_.errors.push_back({Pain001Field::kCreditorAccount, std::move(message)});
  };
  const std::string& text = tx_.creditor_account_text;
  switch (creditor_account_kind_) {
    case AccountKind::kNone:
      return;
    case AccountKind::kOtherScheme:
      return error("CdtrAcct/Id/Othr: SchmeNm/Prtry must be BBAN");
    case AccountKind::kBban:
      if (text.size() != 14 || !text::AllDigits(text)) {
        return error(
            "CdtrAcct/Id/Othr/Id: a BBAN is a 4-digit registration number and a "
            "10-digit account number");
      }
      break;
    case AccountKind::kIban:
      break;
  }
  const bool foreign_with_bic = creditor_account_kind_ == AccountKind::kIban &&
                                text.substr(0, 2) != "DK" && !tx_.creditor_bic.empty();
  Result<Account> account =
      Account::Parse(foreign_with_bic ? fmt::format("{}/{}", text, tx_.creditor_bic) : text);
  if (account.ok()) {
    tx_.creditor_account = *account;
  } else {
    error(fmt::format("CdtrAcct/Id: {}", account.status().message()));
  }
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
  return totals_;
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

Result<Pain001Totals> Pain001Reader::Read(Pain001Visitor& visitor) {
  if (file_->read) return Status::FailedPrecondition(file_->path + ": Read() runs once");
  file_->read = true;
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
