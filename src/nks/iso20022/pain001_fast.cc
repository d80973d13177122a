// How the fast reader works (see the header for the contract):
//
// The schema subset is a table: each complex type is a sequence (or a
// choice) of particles {name, minOccurs, maxOccurs, type}; each simple type
// a checker. Optional elements the table leaves out are elements the reader
// does not know: meeting one gives up, which is always safe. A sequence is
// matched greedily (the schema is deterministic, UPA), so an element is
// checked against its parent's particles from the current one on.
//
// The scan is one pass over the bytes: memchr to the next '<' for text,
// short loops over names and white space, no allocation per element (the
// builder's strings keep their capacity). Lines are counted lazily, only
// for the elements whose line the records carry.
//
// Back of the envelope: a payment is ~600 bytes and ~35 tags; at ~5 cycles
// a byte that is ~1 µs, ~500 MB/s on one core, the builder's checks
// (CPR date, account, amount) included.
#include "nks/iso20022/pain001_fast.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "nks/iso20022/pain001_builder.h"

namespace nks::iso20022::internal {
namespace {

constexpr std::string_view kNamespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10";
constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
constexpr uint32_t kUnbounded = UINT32_MAX;

// ---- The schema subset ---------------------------------------------------------

// clang-format off
enum Type : uint8_t {
  // Simple types.
  kMax35Text, kMax34Text, kMax70Text, kMax140Text, kCode4,  // 1..n characters
  kIsoDateTime, kIsoDate, kMax15NumericText, kDecimalNumber, kAmount,
  kBic, kIban, kCurrencyCode, kCountryCode, kLei, kUuidV4,
  kPaymentMethod, kBoolean, kChargeBearer,
  kSimpleTypeCount,
  // Complex types.
  kTop = kSimpleTypeCount,  // above the root
  kDocument, kInitiation, kGroupHeader, kParty, kParty38Choice, kOrgId, kPrvtId,
  kGenericId, kSchemeNameChoice, kPaymentInstruction, kDateChoice, kCashAccount,
  kAccountIdChoice, kGenericAccountId, kAgent, kFinInstnId, kTransaction, kPaymentId,
  kAmountChoice, kPurposeChoice, kRemittance,
  kTypeCount,
};
// clang-format on

struct Particle {
  std::string_view name;
  uint32_t min;
  uint32_t max;
  Type type;
};

struct ComplexType {
  bool choice;  // exactly one of the particles (each 1..1)
  const Particle* particles;
  uint8_t size;
};

// clang-format off
constexpr Particle kTopParticles[] = {{"Document", 1, 1, kDocument}};
constexpr Particle kDocumentParticles[] = {{"CstmrCdtTrfInitn", 1, 1, kInitiation}};
constexpr Particle kInitiationParticles[] = {  // SplmtryData left out
    {"GrpHdr", 1, 1, kGroupHeader}, {"PmtInf", 1, kUnbounded, kPaymentInstruction}};
constexpr Particle kGroupHeaderParticles[] = {  // Authstn, InitnSrc left out
    {"MsgId", 1, 1, kMax35Text}, {"CreDtTm", 1, 1, kIsoDateTime},
    {"NbOfTxs", 1, 1, kMax15NumericText}, {"CtrlSum", 0, 1, kDecimalNumber},
    {"InitgPty", 1, 1, kParty}, {"FwdgAgt", 0, 1, kAgent}};
constexpr Particle kPartyParticles[] = {  // PartyIdentification135; PstlAdr, CtctDtls left out
    {"Nm", 0, 1, kMax140Text}, {"Id", 0, 1, kParty38Choice}, {"CtryOfRes", 0, 1, kCountryCode}};
constexpr Particle kParty38Particles[] = {{"OrgId", 1, 1, kOrgId}, {"PrvtId", 1, 1, kPrvtId}};
constexpr Particle kOrgIdParticles[] = {
    {"AnyBIC", 0, 1, kBic}, {"LEI", 0, 1, kLei}, {"Othr", 0, kUnbounded, kGenericId}};
constexpr Particle kPrvtIdParticles[] = {  // DtAndPlcOfBirth left out
    {"Othr", 0, kUnbounded, kGenericId}};
// GenericOrganisationIdentification1 and GenericPersonIdentification1 have
// one shape, as have their scheme-name choices and AccountSchemeName1Choice.
constexpr Particle kGenericIdParticles[] = {
    {"Id", 1, 1, kMax35Text}, {"SchmeNm", 0, 1, kSchemeNameChoice}, {"Issr", 0, 1, kMax35Text}};
constexpr Particle kSchemeNameParticles[] = {{"Cd", 1, 1, kCode4}, {"Prtry", 1, 1, kMax35Text}};
constexpr Particle kPaymentInstructionParticles[] = {  // ReqdAdvcTp, PmtTpInf left out
    {"PmtInfId", 1, 1, kMax35Text}, {"PmtMtd", 1, 1, kPaymentMethod},
    {"BtchBookg", 0, 1, kBoolean}, {"NbOfTxs", 0, 1, kMax15NumericText},
    {"CtrlSum", 0, 1, kDecimalNumber}, {"ReqdExctnDt", 1, 1, kDateChoice},
    {"PoolgAdjstmntDt", 0, 1, kIsoDate}, {"Dbtr", 1, 1, kParty}, {"DbtrAcct", 1, 1, kCashAccount},
    {"DbtrAgt", 1, 1, kAgent}, {"DbtrAgtAcct", 0, 1, kCashAccount},
    {"InstrForDbtrAgt", 0, 1, kMax140Text}, {"UltmtDbtr", 0, 1, kParty},
    {"ChrgBr", 0, 1, kChargeBearer}, {"ChrgsAcct", 0, 1, kCashAccount},
    {"ChrgsAcctAgt", 0, 1, kAgent}, {"CdtTrfTxInf", 1, kUnbounded, kTransaction}};
constexpr Particle kDateChoiceParticles[] = {{"Dt", 1, 1, kIsoDate}, {"DtTm", 1, 1, kIsoDateTime}};
constexpr Particle kCashAccountParticles[] = {  // CashAccount38; Tp, Prxy left out
    {"Id", 1, 1, kAccountIdChoice}, {"Ccy", 0, 1, kCurrencyCode}, {"Nm", 0, 1, kMax70Text}};
constexpr Particle kAccountIdParticles[] = {
    {"IBAN", 1, 1, kIban}, {"Othr", 1, 1, kGenericAccountId}};
constexpr Particle kGenericAccountIdParticles[] = {
    {"Id", 1, 1, kMax34Text}, {"SchmeNm", 0, 1, kSchemeNameChoice}, {"Issr", 0, 1, kMax35Text}};
constexpr Particle kAgentParticles[] = {  // BrnchId left out
    {"FinInstnId", 1, 1, kFinInstnId}};
constexpr Particle kFinInstnIdParticles[] = {  // ClrSysMmbId, PstlAdr, Othr left out
    {"BICFI", 0, 1, kBic}, {"LEI", 0, 1, kLei}, {"Nm", 0, 1, kMax140Text}};
constexpr Particle kTransactionParticles[] = {
    // PmtTpInf, XchgRateInf, MndtRltdInf, ChqInstr, InstrForCdtrAgt,
    // InstrForDbtrAgt, RgltryRptg, Tax, RltdRmtInf, SplmtryData left out
    {"PmtId", 1, 1, kPaymentId}, {"Amt", 1, 1, kAmountChoice},
    {"ChrgBr", 0, 1, kChargeBearer}, {"UltmtDbtr", 0, 1, kParty},
    {"IntrmyAgt1", 0, 1, kAgent}, {"IntrmyAgt1Acct", 0, 1, kCashAccount},
    {"IntrmyAgt2", 0, 1, kAgent}, {"IntrmyAgt2Acct", 0, 1, kCashAccount},
    {"IntrmyAgt3", 0, 1, kAgent}, {"IntrmyAgt3Acct", 0, 1, kCashAccount},
    {"CdtrAgt", 0, 1, kAgent}, {"CdtrAgtAcct", 0, 1, kCashAccount},
    {"Cdtr", 0, 1, kParty}, {"CdtrAcct", 0, 1, kCashAccount}, {"UltmtCdtr", 0, 1, kParty},
    {"Purp", 0, 1, kPurposeChoice}, {"RmtInf", 0, 1, kRemittance}};
constexpr Particle kPaymentIdParticles[] = {
    {"InstrId", 0, 1, kMax35Text}, {"EndToEndId", 1, 1, kMax35Text}, {"UETR", 0, 1, kUuidV4}};
constexpr Particle kAmountParticles[] = {  // EqvtAmt left out
    {"InstdAmt", 1, 1, kAmount}};
constexpr Particle kPurposeParticles[] = {{"Cd", 1, 1, kCode4}, {"Prtry", 1, 1, kMax35Text}};
constexpr Particle kRemittanceParticles[] = {  // Strd left out
    {"Ustrd", 0, kUnbounded, kMax140Text}};
// clang-format on

template <size_t N>
constexpr ComplexType Sequence(const Particle (&p)[N]) {
  return {false, p, static_cast<uint8_t>(N)};
}
template <size_t N>
constexpr ComplexType Choice(const Particle (&p)[N]) {
  return {true, p, static_cast<uint8_t>(N)};
}

// Indexed by Type - kTop.
constexpr ComplexType kComplexTypes[] = {
    Sequence(kTopParticles),
    Sequence(kDocumentParticles),
    Sequence(kInitiationParticles),
    Sequence(kGroupHeaderParticles),
    Sequence(kPartyParticles),
    Choice(kParty38Particles),
    Sequence(kOrgIdParticles),
    Sequence(kPrvtIdParticles),
    Sequence(kGenericIdParticles),
    Choice(kSchemeNameParticles),
    Sequence(kPaymentInstructionParticles),
    Choice(kDateChoiceParticles),
    Sequence(kCashAccountParticles),
    Choice(kAccountIdParticles),
    Sequence(kGenericAccountIdParticles),
    Sequence(kAgentParticles),
    Sequence(kFinInstnIdParticles),
    Sequence(kTransactionParticles),
    Sequence(kPaymentIdParticles),
    Choice(kAmountParticles),
    Choice(kPurposeParticles),
    Sequence(kRemittanceParticles),
};
static_assert(std::size(kComplexTypes) == kTypeCount - kTop);

const ComplexType& ComplexOf(Type type) { return kComplexTypes[type - kTop]; }

// ---- Characters ------------------------------------------------------------------

// Bytes of character data the fast reader takes as they are: printable
// ASCII but '&' (a reference) and '>' (which could end "]]>"): DecodeText
// takes those. And tab and line feed. CR is left to the exact reader (line-end normalisation).
constexpr std::array<bool, 128> kPlainText = [] {
  std::array<bool, 128> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = true;
  t['&'] = false;
  t['>'] = false;
  t['<'] = false;
  t['\t'] = true;
  t['\n'] = true;
  return t;
}();

// The number of characters in `text` if it is all XML 1.0 characters in
// valid UTF-8 of the kind above; -1 if not.
int64_t CountTextChars(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const end = p + text.size();
  int64_t chars = 0;
  while (p < end) {
    const unsigned b = *p;
    if (b < 0x80) {
      if (!kPlainText[b]) return -1;
      ++p;
    } else if (b < 0xC2) {
      return -1;  // a continuation byte, or an overlong 2-byte lead
    } else if (b < 0xE0) {
      if (end - p < 2 || (p[1] & 0xC0) != 0x80) return -1;
      p += 2;
    } else if (b < 0xF0) {
      if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return -1;
      const unsigned c = ((b & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
      if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF) return -1;
      p += 3;
    } else if (b < 0xF5) {
      if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) {
        return -1;
      }
      const unsigned c =
          ((b & 0x07) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
      if (c < 0x10000 || c > 0x10FFFF) return -1;
      p += 4;
    } else {
      return -1;
    }
    ++chars;
  }
  return chars;
}

bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The code point of a reference's name, between '&' and ';': one of the
// five predefined entities or a character reference; 0 for anything else.
uint32_t ReferencedChar(std::string_view name) {
  if (name == "amp") return '&';
  if (name == "lt") return '<';
  if (name == "gt") return '>';
  if (name == "quot") return '"';
  if (name == "apos") return '\'';
  if (name.size() < 2 || name[0] != '#') return 0;
  const bool hex = name[1] == 'x';
  const size_t from = hex ? 2 : 1;
  constexpr size_t kDigitsMax = 7;  // 0x10FFFF, 1114111
  if (name.size() == from || name.size() - from > kDigitsMax) return 0;
  uint32_t c = 0;
  for (size_t i = from; i < name.size(); ++i) {
    const char d = name[i];
    uint32_t v;
    if (d >= '0' && d <= '9') {
      v = static_cast<uint32_t>(d - '0');
    } else if (hex && d >= 'a' && d <= 'f') {
      v = static_cast<uint32_t>(d - 'a' + 10);
    } else if (hex && d >= 'A' && d <= 'F') {
      v = static_cast<uint32_t>(d - 'A' + 10);
    } else {
      return 0;
    }
    c = c * (hex ? 16 : 10) + v;
  }
  return IsXmlChar(c) ? c : 0;
}

// Character data with references and '>' in it, as the parser hands it on:
// the references replaced, into `out`. Returns the number of characters, or
// -1 where the text is not taken (see CountTextChars; a literal "]]>").
int64_t DecodeText(std::string_view raw, std::string* out) {
  out->clear();
  int64_t chars = 0;
  size_t i = 0;
  while (i < raw.size()) {
    size_t j = i;
    while (j < raw.size() && raw[j] != '&' && raw[j] != '>') ++j;
    const int64_t plain = CountTextChars(raw.substr(i, j - i));
    if (plain < 0) return -1;
    chars += plain;
    out->append(raw.substr(i, j - i));
    if (j == raw.size()) break;
    if (raw[j] == '>') {
      if (j >= 2 && raw[j - 1] == ']' && raw[j - 2] == ']') return -1;
      out->push_back('>');
      ++chars;
      i = j + 1;
      continue;
    }
    const size_t semicolon = raw.find(';', j);
    if (semicolon == std::string_view::npos) return -1;
    const uint32_t c = ReferencedChar(raw.substr(j + 1, semicolon - j - 1));
    if (c == 0) return -1;
    AppendUtf8(c, out);
    ++chars;
    i = semicolon + 1;
  }
  return chars;
}

// Line feeds in [from, to), eight bytes at a time: a byte of `x` is zero
// exactly where its high bit survives the expression (no carries across
// bytes, as each byte's low seven bits add to at most 0xFE).
uint64_t CountNewlines(const char* from, const char* to) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
  constexpr uint64_t kNewlines = 0x0A0A0A0A0A0A0A0Aull;
  uint64_t n = 0;
  while (to - from >= 8) {
    uint64_t word;
    std::memcpy(&word, from, 8);
    const uint64_t x = word ^ kNewlines;
    const uint64_t zero_bytes = ~(((x & kLow7) + kLow7) | x | kLow7) >> 7;  // 0 or 1 a byte
    n += (zero_bytes * 0x0101010101010101ull) >> 56;  // their sum, in the top byte
    from += 8;
  }
  for (; from < to; ++from) n += *from == '\n' ? 1 : 0;
  return n;
}

// Names are short: an inline compare beats a call to memcmp.
bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n'; }  // CR: exact reader

// Past white space; indentation eight spaces at a time.
const char* SkipXmlSpace(const char* p, const char* end) {
  constexpr uint64_t kSpaces = 0x2020202020202020ull;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if (word == kSpaces) {
        p += 8;
        continue;
      }
    }
    if (!IsXmlSpace(*p)) break;
    ++p;
  }
  return p;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpperOrDigit(char c) { return IsUpper(c) || IsDigit(c); }
bool IsNameByte(char c) {
  return IsUpper(c) || IsLower(c) || IsDigit(c) || c == '_' || c == '-' || c == '.';
}

template <typename Pred>
bool All(std::string_view s, size_t from, size_t to, Pred pred) {
  for (size_t i = from; i < to; ++i) {
    if (!pred(s[i])) return false;
  }
  return true;
}

// ---- Simple types --------------------------------------------------------------------

unsigned Two(std::string_view s, size_t at) {
  return static_cast<unsigned>(s[at] - '0') * 10 + static_cast<unsigned>(s[at + 1] - '0');
}

// YYYY-MM-DD at the start of `s`: a 4-digit year from 0001, a real day.
bool IsPlainDate(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!All(s, 0, 4, IsDigit) || !All(s, 5, 7, IsDigit) || !All(s, 8, 10, IsDigit)) return false;
  const unsigned year = Two(s, 0) * 100 + Two(s, 2);
  const unsigned month = Two(s, 5);
  const unsigned day = Two(s, 8);
  if (year == 0 || month < 1 || month > 12 || day < 1) return false;
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// xs:dateTime, the forms without doubt: YYYY-MM-DDThh:mm:ss, 1..9
// fraction digits, and Z or an offset below 14 hours (libxml2 refuses
// ±14:00 where XSD allows it: left to the exact reader).
bool IsDateTime(std::string_view s) {
  if (s.size() < 19 || !IsPlainDate(s) || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
    return false;
  }
  if (!All(s, 11, 13, IsDigit) || !All(s, 14, 16, IsDigit) || !All(s, 17, 19, IsDigit)) {
    return false;
  }
  if (Two(s, 11) > 23 || Two(s, 14) > 59 || Two(s, 17) > 59) return false;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    const size_t digits_from = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == digits_from || i - digits_from > 9) return false;
  }
  if (i == s.size()) return true;
  if (s[i] == 'Z') return i + 1 == s.size();
  if ((s[i] != '+' && s[i] != '-') || s.size() - i != 6 || s[i + 3] != ':') return false;
  if (!All(s, i + 1, i + 3, IsDigit) || !All(s, i + 4, i + 6, IsDigit)) return false;
  return Two(s, i + 1) <= 13 && Two(s, i + 4) <= 59;
}

// xs:decimal without sign, exponent or white space: digits, then '.' and
// digits. Every digit written counts, leading and trailing zeros too, which
// can only be stricter than the schema's totalDigits/fractionDigits.
bool IsDecimal(std::string_view s, size_t total_digits_max, size_t fraction_digits_max) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  const size_t integer_digits = i;
  if (integer_digits == 0) return false;
  size_t fraction_digits = 0;
  if (i < s.size()) {
    if (s[i] != '.') return false;
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    fraction_digits = i - integer_digits - 1;
    if (fraction_digits == 0 || i != s.size()) return false;
  }
  return integer_digits + fraction_digits <= total_digits_max &&
         fraction_digits <= fraction_digits_max;
}

bool IsBic(std::string_view s) {  // [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?
  return (s.size() == 8 || s.size() == 11) && All(s, 0, 4, IsUpperOrDigit) &&
         All(s, 4, 6, IsUpper) && All(s, 6, s.size(), IsUpperOrDigit);
}

bool IsIban(std::string_view s) {  // [A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}
  return s.size() >= 5 && s.size() <= 34 && All(s, 0, 2, IsUpper) && All(s, 2, 4, IsDigit) &&
         All(s, 4, s.size(), [](char c) { return IsUpperOrDigit(c) || IsLower(c); });
}

bool IsUuidV4(std::string_view s) {
  // [a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}
  auto hex = [](char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); };
  return s.size() == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' &&
         All(s, 0, 8, hex) && All(s, 9, 13, hex) && s[14] == '4' && All(s, 15, 18, hex) &&
         (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b') && All(s, 20, 23, hex) &&
         All(s, 24, 36, hex);
}

// Whether `text` (already checked as character data, `chars` long) is a
// value of the simple type.
bool IsValue(Type type, std::string_view s, int64_t chars) {
  switch (type) {
    case kMax35Text:
      return chars >= 1 && chars <= 35;
    case kMax34Text:
      return chars >= 1 && chars <= 34;
    case kMax70Text:
      return chars >= 1 && chars <= 70;
    case kMax140Text:
      return chars >= 1 && chars <= 140;
    case kCode4:
      return chars >= 1 && chars <= 4;
    case kIsoDateTime:
      return IsDateTime(s);
    case kIsoDate:
      return s.size() == 10 && IsPlainDate(s);
    case kMax15NumericText:
      return !s.empty() && s.size() <= 15 && All(s, 0, s.size(), IsDigit);
    case kDecimalNumber:
      return IsDecimal(s, 18, 17);
    case kAmount:
      return IsDecimal(s, 18, 5);  // and minInclusive 0: no sign is accepted
    case kBic:
      return IsBic(s);
    case kIban:
      return IsIban(s);
    case kCurrencyCode:
      return s.size() == 3 && All(s, 0, 3, IsUpper);
    case kCountryCode:
      return s.size() == 2 && All(s, 0, 2, IsUpper);
    case kLei:
      return s.size() == 20 && All(s, 0, 18, IsUpperOrDigit) && All(s, 18, 20, IsDigit);
    case kUuidV4:
      return IsUuidV4(s);
    case kPaymentMethod:
      return s == "CHK" || s == "TRF" || s == "TRA";
    case kBoolean:
      return s == "true" || s == "false" || s == "1" || s == "0";
    case kChargeBearer:
      return s == "DEBT" || s == "CRED" || s == "SHAR" || s == "SLEV";
    default:
      return false;
  }
}

// ---- The scanner ---------------------------------------------------------------------

// One open element.
struct Frame {
  Type type = kTop;
  Meaning meaning{Tag::kNone};
  std::string_view name;        // from the particle table
  std::string* text = nullptr;  // the builder's target for its character data
  uint8_t particle = 0;         // the particle of the last child matched
  uint32_t count = 0;           // how many children matched it so far
};

// Mapped pages are dropped behind the scan this many bytes at a time.
constexpr ptrdiff_t kReleaseWindowBytes = ptrdiff_t{4} << 20;

// The deepest path of the subset is Document/CstmrCdtTrfInitn/PmtInf/
// CdtTrfTxInf/Cdtr/Id/OrgId/Othr/SchmeNm/Prtry: 10, with the top.
constexpr size_t kDepthMax = 12;

class Scanner {
 public:
  Scanner(std::string_view bytes, const std::string& path, Pain001Visitor& visitor,
          bool release_behind)
      : begin_(bytes.data()),
        end_(bytes.data() + bytes.size()),
        path_(path),
        builder_(visitor),
        release_behind_(release_behind),
        released_to_(bytes.data()) {}

  Result<Pain001Totals> Run();

 private:
  Status GiveUp(const char* at, std::string_view why) const;
  Status SkipProlog();
  Status StartTag();
  Status Attributes(const char** p, const Frame& frame, bool* empty, std::string_view* currency);
  Status EndTag(const Frame& frame);
  Status SimpleContent(Frame& frame);
  Status EndElement();
  Result<uint8_t> MatchChild(Frame& parent, std::string_view name) const;
  bool ContentComplete(const Frame& frame) const;
  Status FromBuilder(Status status) const;
  uint64_t LineAt(const char* at);
  void ReleaseBehind();

  const char* const begin_;
  const char* const end_;
  const char* p_ = nullptr;  // the scan position
  const std::string& path_;
  Pain001Builder builder_;
  std::array<Frame, kDepthMax> frames_;
  size_t depth_ = 0;                // frames_[0] is the top; [1, depth_] are open elements
  uint64_t line_ = 1;               // the line of `lines_to_`
  const char* lines_to_ = nullptr;  // newlines are counted up to here
  std::string decoded_;             // a text with its references replaced; reused
  const bool release_behind_;       // begin_ is a page-aligned file mapping
  const char* released_to_;         // pages before this are dropped
};

// Drops the mapped pages the scan (and the line count) is done with, a
// window at a time. Nothing kept refers to them: the builder copies.
void Scanner::ReleaseBehind() {
  const char* const done = std::min(p_, lines_to_);
  if (!release_behind_ || done - released_to_ < kReleaseWindowBytes) return;
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t to = reinterpret_cast<uintptr_t>(done) & ~(page - 1);
  const uintptr_t from = reinterpret_cast<uintptr_t>(released_to_);
  if (to <= from) return;
  ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
  released_to_ = reinterpret_cast<const char*>(to);
}

Status Scanner::GiveUp(const char* at, std::string_view why) const {
  return Status::Unavailable(fmt::format(
      "{}: the fast reader leaves byte {} to the exact reader: {}", path_, at - begin_, why));
}

uint64_t Scanner::LineAt(const char* at) {
  line_ += CountNewlines(lines_to_, at);
  lines_to_ = at;
  return line_;
}

Status Scanner::FromBuilder(Status status) const {
  if (status.ok() || !builder_.file_error()) return status;
  return GiveUp(p_, status.message());
}

Result<Pain001Totals> Scanner::Run() {
  lines_to_ = begin_;
  frames_[0] = Frame{};
  NKS_RETURN_IF_ERROR(SkipProlog());
  if (p_ - begin_ > static_cast<ptrdiff_t>(Pain001Reader::kPrologBytesMax)) {
    return GiveUp(p_, "a prolog longer than the reader's limit");
  }
  NKS_RETURN_IF_ERROR(StartTag());  // the root
  if (p_ - begin_ > static_cast<ptrdiff_t>(Pain001Reader::kPrologBytesMax)) {
    return GiveUp(p_, "a prolog longer than the reader's limit");
  }
  while (depth_ > 0) {
    if (p_ - released_to_ >= kReleaseWindowBytes) ReleaseBehind();
    Frame& frame = frames_[depth_];
    if (frame.type < kSimpleTypeCount) {
      NKS_RETURN_IF_ERROR(SimpleContent(frame));
      continue;
    }
    p_ = SkipXmlSpace(p_, end_);
    if (end_ - p_ < 2 || *p_ != '<') return GiveUp(p_, "text or the end in element content");
    if (p_[1] == '/') {
      if (!ContentComplete(frame)) return GiveUp(p_, "an element's content ends too early");
      NKS_RETURN_IF_ERROR(EndTag(frame));
      NKS_RETURN_IF_ERROR(EndElement());
    } else {
      NKS_RETURN_IF_ERROR(StartTag());
    }
  }
  while (p_ < end_ && IsXmlSpace(*p_)) ++p_;
  if (p_ != end_) return GiveUp(p_, "something after the root element");
  return builder_.totals();
}

// Only an XML declaration (version 1.0, UTF-8, standalone) and white space.
Status Scanner::SkipProlog() {
  p_ = begin_;
  constexpr std::string_view kOpen = "<?xml";
  if (static_cast<size_t>(end_ - p_) > kOpen.size() &&
      std::string_view(p_, kOpen.size()) == kOpen && IsXmlSpace(p_[kOpen.size()])) {
    const char* close =
        static_cast<const char*>(std::memchr(p_, '>', static_cast<size_t>(end_ - p_)));
    if (close == nullptr || close[-1] != '?') return GiveUp(p_, "an XML declaration");
    std::string_view decl(p_ + kOpen.size(), static_cast<size_t>(close - 1 - p_ - kOpen.size()));
    auto pseudo = [&](std::string_view name, std::initializer_list<std::string_view> values,
                      bool required) {
      size_t i = 0;
      while (i < decl.size() && IsXmlSpace(decl[i])) ++i;
      if (decl.substr(i, name.size()) != name) return !required;
      i += name.size();
      while (i < decl.size() && IsXmlSpace(decl[i])) ++i;
      if (i >= decl.size() || decl[i] != '=') return false;
      ++i;
      while (i < decl.size() && IsXmlSpace(decl[i])) ++i;
      if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) return false;
      const char quote = decl[i++];
      const size_t value_end = decl.find(quote, i);
      if (value_end == std::string_view::npos) return false;
      const std::string_view value = decl.substr(i, value_end - i);
      if (std::find(values.begin(), values.end(), value) == values.end()) return false;
      if (value_end + 1 < decl.size() && !IsXmlSpace(decl[value_end + 1])) return false;
      decl.remove_prefix(value_end + 1);
      return true;
    };
    if (!pseudo("version", {"1.0"}, true) || !pseudo("encoding", {"UTF-8", "utf-8"}, false) ||
        !pseudo("standalone", {"yes", "no"}, false) || !All(decl, 0, decl.size(), IsXmlSpace)) {
      return GiveUp(p_, "an XML declaration other than version 1.0 in UTF-8");
    }
    p_ = close + 1;
  }
  while (p_ < end_ && IsXmlSpace(*p_)) ++p_;
  if (end_ - p_ < 2 || *p_ != '<' || !IsNameByte(p_[1])) {
    return GiveUp(p_, "something before the root element");
  }
  return Status::Ok();
}

// Which of the parent's particles `name` matches, from the current one on,
// counting it; gives up where the schema would not have it here.
Result<uint8_t> Scanner::MatchChild(Frame& parent, std::string_view name) const {
  const ComplexType& type = ComplexOf(parent.type);
  if (type.choice) {
    if (parent.count != 0) return GiveUp(p_, "a second element in a choice");
    for (uint8_t i = 0; i < type.size; ++i) {
      if (SameName(type.particles[i].name, name)) {
        parent.particle = i;
        parent.count = 1;
        return i;
      }
    }
    return GiveUp(p_, "an element the fast reader does not know here");
  }
  uint8_t i = parent.particle;
  if (parent.count > 0 && SameName(type.particles[i].name, name)) {
    if (parent.count >= type.particles[i].max) return GiveUp(p_, "an element repeated too often");
    ++parent.count;
    return i;
  }
  if (parent.count > 0 && parent.count < type.particles[i].min) {
    return GiveUp(p_, "an element given too few times");
  }
  for (uint8_t j = parent.count > 0 ? i + 1 : i; j < type.size; ++j) {
    if (SameName(type.particles[j].name, name)) {
      parent.particle = j;
      parent.count = 1;
      return j;
    }
    if (type.particles[j].min > 0) return GiveUp(p_, "a required element missing");
  }
  return GiveUp(p_, "an element the fast reader does not know here");
}

bool Scanner::ContentComplete(const Frame& frame) const {
  const ComplexType& type = ComplexOf(frame.type);
  if (type.choice) return frame.count == 1;
  uint8_t from = 0;
  if (frame.count > 0) {
    if (frame.count < type.particles[frame.particle].min) return false;
    from = frame.particle + 1;
  }
  for (uint8_t j = from; j < type.size; ++j) {
    if (type.particles[j].min > 0) return false;
  }
  return true;
}

// At '<' of a start tag: matches it against the parent, opens the element
// and tells the builder. An empty-element tag is closed at once.
Status Scanner::StartTag() {
  const char* const tag = p_;
  const char* p = p_ + 1;
  while (p < end_ && IsNameByte(*p)) ++p;
  if (p == end_ || p == tag + 1 || !IsNameByte(tag[1]) || IsDigit(tag[1]) || tag[1] == '-' ||
      tag[1] == '.') {
    return GiveUp(tag, "a start tag");
  }
  const std::string_view name(tag + 1, static_cast<size_t>(p - tag - 1));
  if (depth_ + 1 >= kDepthMax) return GiveUp(tag, "elements nested too deep");
  Frame& parent = frames_[depth_];
  if (parent.type < kSimpleTypeCount) return GiveUp(tag, "an element inside a simple type");
  NKS_ASSIGN_OR_RETURN(const uint8_t particle_index, MatchChild(parent, name));
  const Particle& particle = ComplexOf(parent.type).particles[particle_index];
  Frame& frame = frames_[++depth_];
  frame.type = particle.type;
  frame.meaning = ChildMeaning(parent.meaning, name);
  frame.name = particle.name;
  frame.particle = 0;
  frame.count = 0;

  bool empty = false;
  std::string_view currency;
  NKS_RETURN_IF_ERROR(Attributes(&p, frame, &empty, &currency));
  p_ = p;
  if (frame.type == kAmount && currency.empty()) return GiveUp(tag, "InstdAmt without Ccy");

  // As the exact reader: the text target first, then the start, then Ccy.
  frame.text = builder_.TextTarget(frame.meaning);
  const uint64_t line = NeedsLine(frame.meaning.tag) ? LineAt(tag) : 0;
  NKS_RETURN_IF_ERROR(
      FromBuilder(builder_.Start(frame.meaning, parent.meaning.tag, parent.count, line)));
  if (frame.meaning.tag == Tag::kInstdAmt) builder_.SetCurrency(currency);
  if (!empty) return Status::Ok();
  if (frame.type < kSimpleTypeCount) {
    if (!IsValue(frame.type, {}, 0)) return GiveUp(tag, "an empty element of a simple type");
  } else if (!ContentComplete(frame)) {
    return GiveUp(tag, "an empty element that needs content");
  }
  return EndElement();
}

// After a start tag's name: its attributes, up to and past '>' or "/>".
// Only the root's namespace declarations and InstdAmt/@Ccy are known.
Status Scanner::Attributes(const char** at, const Frame& frame, bool* empty,
                           std::string_view* currency) {
  const char* p = *at;
  const bool root = depth_ == 1;
  bool default_ns = false;
  bool xsi_ns = false;
  while (true) {
    const char* const space = p;
    while (p < end_ && (*p == ' ' || *p == '\t' || (root && *p == '\n'))) ++p;
    if (p == end_) return GiveUp(p, "a start tag cut short");
    if (*p == '>') break;
    if (*p == '/') {
      if (end_ - p < 2 || p[1] != '>') return GiveUp(p, "a start tag");
      *empty = true;
      ++p;
      break;
    }
    if (p == space) return GiveUp(p, "attributes without white space between");
    const char* const name_begin = p;
    while (p < end_ && (IsNameByte(*p) || *p == ':')) ++p;
    const std::string_view name(name_begin, static_cast<size_t>(p - name_begin));
    while (p < end_ && (*p == ' ' || *p == '\t')) ++p;
    if (p == end_ || *p != '=') return GiveUp(p, "an attribute");
    ++p;
    while (p < end_ && (*p == ' ' || *p == '\t')) ++p;
    if (p == end_ || (*p != '"' && *p != '\'')) return GiveUp(p, "an attribute");
    const char quote = *p++;
    const char* const value_begin = p;
    while (p < end_ && *p != quote && *p != '<' && *p != '&' && *p != '\n' && *p != '\t' &&
           *p != '\r') {
      ++p;
    }
    if (p == end_ || *p != quote) return GiveUp(p, "an attribute value");
    const std::string_view value(value_begin, static_cast<size_t>(p - value_begin));
    ++p;
    if (root && name == "xmlns" && !default_ns && value == kNamespace) {
      default_ns = true;
    } else if (root && name == "xmlns:xsi" && !xsi_ns && value == kXsiNamespace) {
      xsi_ns = true;
    } else if (frame.type == kAmount && name == "Ccy" && currency->empty() &&
               IsValue(kCurrencyCode, value, 3)) {
      *currency = value;
    } else {
      return GiveUp(name_begin, "an attribute the fast reader does not know");
    }
  }
  if (root && !default_ns) return GiveUp(p, "the root is not in the pain.001.001.10 namespace");
  if (root) LineAt(p);  // the root's tag may span lines; later tags may not
  *at = p + 1;
  return Status::Ok();
}

// At "</": the end tag of `frame`'s element.
Status Scanner::EndTag(const Frame& frame) {
  const char* p = p_ + 2;
  const size_t n = frame.name.size();
  if (static_cast<size_t>(end_ - p) <= n || !SameName(std::string_view(p, n), frame.name)) {
    return GiveUp(p_, "an end tag that does not match");
  }
  p += n;
  while (p < end_ && (*p == ' ' || *p == '\t')) ++p;
  if (p == end_ || *p != '>') return GiveUp(p_, "an end tag");
  p_ = p + 1;
  return Status::Ok();
}

// The character data of a simple-typed element and its end tag.
Status Scanner::SimpleContent(Frame& frame) {
  const char* lt = static_cast<const char*>(std::memchr(p_, '<', static_cast<size_t>(end_ - p_)));
  if (lt == nullptr) return GiveUp(p_, "the file ends in text");
  std::string_view text(p_, static_cast<size_t>(lt - p_));
  int64_t chars = CountTextChars(text);
  if (chars < 0) {  // references, '>', or text not taken at all
    chars = DecodeText(text, &decoded_);
    if (chars < 0) return GiveUp(p_, "text the fast reader does not take as it is");
    text = decoded_;
  }
  if (!IsValue(frame.type, text, chars)) return GiveUp(p_, "a value against the schema");
  if (end_ - lt < 2 || lt[1] != '/') return GiveUp(lt, "markup inside a simple value");
  if (frame.text != nullptr) frame.text->assign(text);
  p_ = lt;
  NKS_RETURN_IF_ERROR(EndTag(frame));
  return EndElement();
}

Status Scanner::EndElement() {
  const Status ended = FromBuilder(builder_.End(frames_[depth_].meaning));
  --depth_;
  return ended;
}

}  // namespace

Result<Pain001Totals> ReadPain001Fast(std::string_view bytes, const std::string& path,
                                      Pain001Visitor& visitor, bool bytes_are_mapped_file) {
  Scanner scanner(bytes, path, visitor, bytes_are_mapped_file);
  return scanner.Run();
}

}  // namespace nks::iso20022::internal
