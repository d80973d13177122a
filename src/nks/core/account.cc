#include "nks/core/account.h"
#include "nks/core/text.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace nks {
namespace {

constexpr uint32_t kRegistrationMax = 9'999;
constexpr uint64_t kAccountNumberMax = 9'999'999'999;  // 10 digits
constexpr size_t kAccountDigitsMax = 10;
constexpr size_t kIbanLengthMax = 34;  // ISO 13616
constexpr size_t kIbanInputMax = 64;   // printed form: 34 + spaces, with slack
constexpr size_t kBicLengthShort = 8;
constexpr size_t kBicLengthLong = 11;

using text::AllDigits;
using text::CheckOuterShape;
using text::DigitsValue;
using text::IsDigit;
using text::IsSpace;

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsUpperAlnum(char c) { return IsDigit(c) || IsUpper(c); }
char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

struct IbanCountry {
  std::string_view code;
  size_t length;  // characters in the electronic IBAN
};

// SWIFT IBAN registry: the countries and their IBAN lengths.
constexpr auto kIbanCountries = std::to_array<IbanCountry>({
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25},
    {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24},
    {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
});

// The IBAN length for a country; 0 when the country is not in the registry.
size_t IbanLengthFor(std::string_view country) {
  for (const IbanCountry& c : kIbanCountries) {
    if (c.code == country) return c.length;
  }
  return 0;
}

// ISO 7064 mod 97-10 over upper-case letters and digits, letters as 10..35.
// -1 on any other character.
int Mod97(std::string_view s) {
  int rem = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (IsUpper(c)) {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return -1;
    }
  }
  return rem;
}

// Check digits for a country and BBAN: 98 - mod97(BBAN + country + "00").
int IbanCheckDigits(std::string_view country, std::string_view bban) {
  std::string s(bban);
  s.append(country).append("00");
  return 98 - Mod97(s);
}

// Drops the spaces of the printed form and upper-cases.
std::string ElectronicIban(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text) {
    if (c != ' ') s.push_back(ToUpper(c));
  }
  return s;
}

Status CheckIbanLength(const std::string& s) {
  if (s.size() > kIbanLengthMax) return Status::Invalid("iban: longer than 34 characters");
  const std::string_view country = std::string_view(s).substr(0, 2);
  const size_t expected = IbanLengthFor(country);
  if (expected == 0) return Status::Invalid(fmt::format("iban: unknown IBAN country {}", country));
  if (s.size() != expected) {
    return Status::Invalid(
        fmt::format("iban: {} IBANs have {} characters, got {}", country, expected, s.size()));
  }
  return Status::Ok();
}

// Shape of an electronic IBAN: country, check digits, BBAN, registry length.
Status CheckIbanFormat(const std::string& s) {
  for (char c : s) {
    if (!IsUpperAlnum(c))
      return Status::Invalid("iban: only letters, digits and spaces are allowed");
  }
  if (s.size() < 5) return Status::Invalid("iban: too short");
  if (!IsUpper(s[0]) || !IsUpper(s[1])) {
    return Status::Invalid("iban: must start with a 2-letter country code");
  }
  if (!IsDigit(s[2]) || !IsDigit(s[3])) {
    return Status::Invalid("iban: characters 3-4 must be the 2 check digits");
  }
  return CheckIbanLength(s);
}

Status CheckBicPart(const std::string& s, size_t begin, size_t end, bool letters_only,
                    std::string_view what) {
  for (size_t k = begin; k < end; ++k) {
    if (letters_only ? !IsUpper(s[k]) : !IsUpperAlnum(s[k])) {
      return Status::Invalid(fmt::format("bic: characters {}-{} ({}) must be {}", begin + 1, end,
                                         what, letters_only ? "letters" : "letters or digits"));
    }
  }
  return Status::Ok();
}

constexpr std::string_view kDanishShapeError =
    "account: expected RRRR-AAAAAAAAAA (4-digit registration number, '-' or ' ', "
    "account number of up to 10 digits) or 14 digits";

// A DK IBAN is the Danish account it encodes: reg 4 digits + account 10 digits.
Result<Account> DanishFromIban(const Iban& iban, bool has_bic) {
  if (has_bic) {
    return Status::Invalid("account: a DK IBAN is a Danish account; give it without a BIC");
  }
  const std::string_view bban = std::string_view(iban.ToString()).substr(4);
  if (bban.size() != 14 || !AllDigits(bban)) {
    return Status::Invalid("account: a DK IBAN must have 14 digits after the check digits");
  }
  NKS_ASSIGN_OR_RETURN(const DanishAccount d,
                       DanishAccount::Of(static_cast<uint32_t>(DigitsValue(bban.substr(0, 4))),
                                         DigitsValue(bban.substr(4))));
  return Account(d);
}

}  // namespace

// ---- DanishAccount ----

Result<DanishAccount> DanishAccount::Parse(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape("account", text));
  std::string_view reg;
  std::string_view acct;
  if (text.size() > 4 && (text[4] == '-' || text[4] == ' ')) {
    reg = text.substr(0, 4);
    acct = text.substr(5);
  } else if (text.size() == 4 + kAccountDigitsMax) {
    reg = text.substr(0, 4);
    acct = text.substr(4);
  } else {
    return Status::Invalid(std::string(kDanishShapeError));
  }
  if (!AllDigits(reg)) return Status::Invalid("account: registration number must be 4 digits");
  if (acct.size() > kAccountDigitsMax || !AllDigits(acct)) {
    return Status::Invalid("account: account number must be 1 to 10 digits");
  }
  return Of(static_cast<uint32_t>(DigitsValue(reg)), DigitsValue(acct));
}

Result<DanishAccount> DanishAccount::Of(uint32_t registration, uint64_t account) {
  if (registration > kRegistrationMax) {
    return Status::Invalid("account: registration number must be 4 digits");
  }
  if (registration == 0) return Status::Invalid("account: registration number 0000 is not valid");
  if (account > kAccountNumberMax) {
    return Status::Invalid("account: account number must be at most 10 digits");
  }
  if (account == 0) return Status::Invalid("account: account number must not be all zeros");
  return DanishAccount(registration, account);
}

std::string DanishAccount::ToString() const {
  return fmt::format("{:04}-{:010}", registration_, account_);
}

std::string DanishAccount::Masked() const {
  return fmt::format("{:04}-XXXXXX{:04}", registration_, account_ % 10'000);
}

std::string DanishAccount::ToIban() const {
  const std::string bban = fmt::format("{:04}{:010}", registration_, account_);
  return fmt::format("DK{:02}{}", IbanCheckDigits("DK", bban), bban);
}

// ---- Iban ----

bool IbanChecksumOk(std::string_view electronic_iban) {
  const std::string_view s = electronic_iban;
  if (s.size() < 5 || s.size() > kIbanLengthMax) return false;
  // 98 - (0..96) gives 02..98: 00, 01 and 99 are never check digits.
  const std::string_view check = s.substr(2, 2);
  if (check == "00" || check == "01" || check == "99") return false;
  std::string rotated(s.substr(4));
  rotated.append(s.substr(0, 4));
  return Mod97(rotated) == 1;
}

Result<Iban> Iban::Parse(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape("iban", text));
  if (text.size() > kIbanInputMax) return Status::Invalid("iban: longer than 64 characters");
  std::string s = ElectronicIban(text);
  NKS_RETURN_IF_ERROR(CheckIbanFormat(s));
  if (!IbanChecksumOk(s)) return Status::Invalid("iban: check digits do not match (mod 97)");
  return Iban(std::move(s));
}

std::string Iban::Masked() const {
  return fmt::format("{}XXXX{}", text_.substr(0, 4), text_.substr(text_.size() - 4));
}

// ---- Bic ----

Result<Bic> Bic::Parse(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape("bic", text));
  if (text.size() != kBicLengthShort && text.size() != kBicLengthLong) {
    return Status::Invalid(fmt::format("bic: must be 8 or 11 characters, got {}", text.size()));
  }
  std::string s;
  for (char c : text) s.push_back(ToUpper(c));
  NKS_RETURN_IF_ERROR(CheckBicPart(s, 0, 4, true, "bank code"));
  NKS_RETURN_IF_ERROR(CheckBicPart(s, 4, 6, true, "country code"));
  NKS_RETURN_IF_ERROR(CheckBicPart(s, 6, 8, false, "location code"));
  NKS_RETURN_IF_ERROR(CheckBicPart(s, 8, s.size(), false, "branch code"));
  return Bic(std::move(s));
}

// ---- Account ----

Result<Account> Account::Parse(std::string_view text) {
  NKS_RETURN_IF_ERROR(CheckOuterShape("account", text));
  if (IsDigit(text.front())) {
    NKS_ASSIGN_OR_RETURN(const DanishAccount d, DanishAccount::Parse(text));
    return Account(d);
  }
  const size_t slash = text.find('/');
  const bool has_bic = slash != std::string_view::npos;
  // Read through references, not moved out: g++ 12 warns falsely
  // (-Wmaybe-uninitialized) on a moved-from variant here.
  const Result<Iban> iban = Iban::Parse(text.substr(0, slash));
  if (!iban.ok()) return iban.status();
  if (iban->country() == "DK") return DanishFromIban(*iban, has_bic);
  ForeignAccount foreign{*iban, std::nullopt};
  if (has_bic) {
    const Result<Bic> bic = Bic::Parse(text.substr(slash + 1));
    if (!bic.ok()) return bic.status();
    foreign.bic = *bic;
  }
  return Account(std::move(foreign));
}

std::string Account::ToString() const {
  if (is_danish()) return danish().ToString();
  const ForeignAccount& f = foreign();
  if (!f.bic) return f.iban.ToString();
  return fmt::format("{}/{}", f.iban.ToString(), f.bic->ToString());
}

std::string Account::Masked() const {
  if (is_danish()) return danish().Masked();
  const ForeignAccount& f = foreign();
  if (!f.bic) return f.iban.Masked();
  return fmt::format("{}/{}", f.iban.Masked(), f.bic->ToString());
}

}  // namespace nks
