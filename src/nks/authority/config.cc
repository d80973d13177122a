#include "nks/authority/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "nks/access/access.h"
#include "nks/core/account.h"
#include "nks/core/codes.h"
#include "nks/core/text.h"

namespace nks::authority {
namespace {

using store::Authority;
using store::BankAgreement;
using store::BenefitType;
using store::Connection;
using store::LosUnit;
using store::PaymentSystem;

constexpr size_t kLineBytesMax = 4096;
constexpr size_t kNameBytesMax = 200;
constexpr size_t kIdBytesMax = 35;  // ISO 20022 Max35Text: LOS, PIA, system ids

// One statement: a keyword and its key=value pairs, in order.
struct Tokens {
  std::string keyword;
  std::vector<std::pair<std::string, std::string>> pairs;
};

Result<std::string> ReadQuoted(std::string_view line, size_t* i) {
  std::string out;
  ++*i;  // opening quote
  while (*i < line.size()) {
    char c = line[(*i)++];
    if (c == '"') return out;
    if (c == '\\') {
      if (*i >= line.size()) break;
      c = line[(*i)++];
      if (c != '"' && c != '\\') return Status::Invalid("only \\\" and \\\\ may be escaped");
    }
    out.push_back(c);
  }
  return Status::Invalid("quoted value is not closed");
}

// Splits a line; an empty keyword means a blank or comment line.
Result<Tokens> Tokenize(std::string_view line) {
  Tokens t;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  skip_space();
  while (i < line.size() && line[i] != '#') {
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '=' && line[i] != '#') ++i;
    std::string word(line.substr(start, i - start));
    if (t.keyword.empty()) {
      if (i < line.size() && line[i] == '=') return Status::Invalid("a statement starts with its keyword");
      t.keyword = word;
    } else {
      if (i >= line.size() || line[i] != '=' || word.empty()) {
        return Status::Invalid(fmt::format("expected key=value, found '{}'", word));
      }
      ++i;
      std::string value;
      if (i < line.size() && line[i] == '"') {
        NKS_ASSIGN_OR_RETURN(value, ReadQuoted(line, &i));
      } else {
        size_t v = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
          if (line[i] == '"') return Status::Invalid(fmt::format("{}: quote inside an unquoted value", word));
          ++i;
        }
        value = std::string(line.substr(v, i - v));
      }
      t.pairs.emplace_back(std::move(word), std::move(value));
    }
    skip_space();
  }
  return t;
}

// The pairs of one statement as a map, checked against the keys it allows.
class Pairs {
 public:
  static Result<Pairs> Of(const Tokens& t, std::initializer_list<std::string_view> required,
                          std::initializer_list<std::string_view> optional) {
    Pairs p;
    for (const auto& [k, v] : t.pairs) {
      bool known = std::find(required.begin(), required.end(), k) != required.end() ||
                   std::find(optional.begin(), optional.end(), k) != optional.end();
      if (!known) return Status::Invalid(fmt::format("{}: unknown key", k));
      if (!p.values_.emplace(k, v).second) return Status::Invalid(fmt::format("{}: given twice", k));
    }
    for (std::string_view k : required) {
      if (!p.values_.count(std::string(k))) return Status::Invalid(fmt::format("{}: missing", k));
    }
    return p;
  }
  std::string Get(const std::string& k) const {
    auto it = values_.find(k);
    return it == values_.end() ? std::string() : it->second;
  }
  bool Has(const std::string& k) const { return values_.count(k) > 0; }

 private:
  std::map<std::string, std::string> values_;
};

Status CheckName(std::string_view key, std::string_view v) {
  if (v.empty() || v.size() > kNameBytesMax) {
    return Status::Invalid(fmt::format("{}: must be 1-{} characters", key, kNameBytesMax));
  }
  return Status::Ok();
}

Status CheckId(std::string_view key, std::string_view v) {
  if (v.empty() || v.size() > kIdBytesMax) {
    return Status::Invalid(fmt::format("{}: must be 1-{} characters", key, kIdBytesMax));
  }
  for (char c : v) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/')) {
      return Status::Invalid(fmt::format("{}: only letters, digits, '-', '_', '.' and '/' are allowed", key));
    }
  }
  return Status::Ok();
}

Result<uint32_t> GetAuthority(const Pairs& p, const std::string& key) {
  auto n = ParseAgreementNumber(p.Get(key));
  if (!n.ok()) return n.status().WithContext(key);
  return *n;
}

Result<bool> ParseYesNo(std::string_view key, std::string_view v) {
  if (v == "yes") return true;
  if (v == "no") return false;
  return Status::Invalid(fmt::format("{}: must be yes or no", key));
}

Result<std::string> CanonicalAccount(std::string_view key, std::string_view v) {
  auto account = Account::Parse(v);
  if (!account.ok()) return account.status().WithContext(key);
  return account->ToString();
}

Result<Authority> ParseAuthority(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"nks", "name", "type", "policy"}, {"error_account", "late"}));
  Authority a;
  NKS_ASSIGN_OR_RETURN(a.nks, GetAuthority(p, "nks"));
  a.name = p.Get("name");
  NKS_RETURN_IF_ERROR(CheckName("name", a.name));
  a.type = p.Get("type");
  if (a.type != "municipality" && a.type != "region" && a.type != "state" && a.type != "other") {
    return Status::Invalid("type: must be municipality, region, state or other");
  }
  auto policy = store::ParseFailedPaymentPolicy(p.Get("policy"));
  if (!policy.ok()) return policy.status().WithContext("policy");
  a.policy = *policy;
  if (p.Has("error_account")) {
    NKS_ASSIGN_OR_RETURN(a.error_account, CanonicalAccount("error_account", p.Get("error_account")));
  }
  if (a.policy == store::FailedPaymentPolicy::kErrorAccount && a.error_account.empty()) {
    return Status::Invalid("error_account: required with policy=ERROR_ACCOUNT");
  }
  if (p.Has("late")) {
    auto late = store::ParseLatePaymentRule(p.Get("late"));
    if (!late.ok()) return late.status().WithContext("late");
    a.late = *late;
  }
  return a;
}

Result<LosUnit> ParseLos(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"authority", "id", "name"}, {"parent"}));
  LosUnit u;
  NKS_ASSIGN_OR_RETURN(u.authority, GetAuthority(p, "authority"));
  u.id = p.Get("id");
  NKS_RETURN_IF_ERROR(CheckId("id", u.id));
  u.name = p.Get("name");
  NKS_RETURN_IF_ERROR(CheckName("name", u.name));
  u.parent = p.Get("parent");
  if (p.Has("parent")) NKS_RETURN_IF_ERROR(CheckId("parent", u.parent));
  if (u.parent == u.id) return Status::Invalid("parent: a unit cannot be its own parent");
  return u;
}

Result<BankAgreement> ParseBankAgreement(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"authority", "number", "bank", "account"}, {}));
  BankAgreement b;
  NKS_ASSIGN_OR_RETURN(b.authority, GetAuthority(p, "authority"));
  b.number = p.Get("number");
  NKS_RETURN_IF_ERROR(CheckId("number", b.number));
  b.bank = p.Get("bank");
  NKS_RETURN_IF_ERROR(CheckBankId(b.bank));
  NKS_ASSIGN_OR_RETURN(b.account, CanonicalAccount("account", p.Get("account")));
  return b;
}

Result<BenefitType> ParseBenefit(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"authority", "code", "name"}, {}));
  BenefitType b;
  NKS_ASSIGN_OR_RETURN(b.authority, GetAuthority(p, "authority"));
  b.code = p.Get("code");
  NKS_RETURN_IF_ERROR(CheckBenefitType(b.code).WithContext("code"));
  b.name = p.Get("name");
  NKS_RETURN_IF_ERROR(CheckName("name", b.name));
  return b;
}

Result<PaymentSystem> ParseSystem(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"id", "name", "connected"}, {"certificate"}));
  PaymentSystem s;
  s.id = p.Get("id");
  NKS_RETURN_IF_ERROR(CheckId("id", s.id));
  s.name = p.Get("name");
  NKS_RETURN_IF_ERROR(CheckName("name", s.name));
  s.certificate = p.Get("certificate");
  if (!s.certificate.empty()) {
    std::string_view hex = s.certificate;
    bool ok = hex.rfind("sha256:", 0) == 0 && hex.size() == 7 + 64 &&
              std::all_of(hex.begin() + 7, hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (!ok) return Status::Invalid("certificate: must be sha256: and 64 hex digits (the fingerprint)");
  }
  NKS_ASSIGN_OR_RETURN(s.connected, ParseYesNo("connected", p.Get("connected")));
  return s;
}

Result<Connection> ParseConnection(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"system", "authority", "state"}, {"reference", "fee_ore"}));
  Connection c;
  c.system = p.Get("system");
  NKS_RETURN_IF_ERROR(CheckId("system", c.system));
  NKS_ASSIGN_OR_RETURN(c.authority, GetAuthority(p, "authority"));
  auto state = store::ParseConnectionState(p.Get("state"));
  if (!state.ok()) return state.status().WithContext("state");
  c.state = *state;
  c.reference = p.Get("reference");
  if (p.Has("reference")) NKS_RETURN_IF_ERROR(CheckName("reference", c.reference));
  if (c.state >= store::ConnectionState::kSigned && c.reference.empty()) {
    return Status::Invalid("reference: the signed agreement's reference is required from state=signed");
  }
  if (p.Has("fee_ore")) {
    std::string fee = p.Get("fee_ore");
    if (!text::AllDigits(fee) || fee.size() > 12) return Status::Invalid("fee_ore: must be whole øre, 0 or more");
    c.fee_ore = static_cast<int64_t>(text::DigitsValue(fee));
  } else if (c.state == store::ConnectionState::kActive) {
    c.fee_ore = kConnectionFeeOre;
  }
  return c;
}

bool IsSha256Fingerprint(std::string_view v) {
  return v.rfind("sha256:", 0) == 0 && v.size() == 7 + 64 &&
         std::all_of(v.begin() + 7, v.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string Lower(std::string v) {
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

// principal certificate=sha256:HEX | subject="CN=..." kind=system|bank|employee
//   system=ID (system) | bank=REG/BIC (bank) | authority=NKS user=ID (employee)
Result<store::Principal> ParsePrincipal(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"kind"}, {"certificate", "subject", "system", "bank", "authority", "user"}));
  store::Principal out;
  if (p.Has("certificate") == p.Has("subject")) {
    return Status::Invalid("certificate: give either certificate=sha256:... or subject=\"...\"");
  }
  if (p.Has("certificate")) {
    if (!IsSha256Fingerprint(p.Get("certificate"))) {
      return Status::Invalid("certificate: must be sha256: and 64 hex digits (the fingerprint)");
    }
    out.match = Lower(p.Get("certificate"));
  } else {
    std::string subject = p.Get("subject");
    if (subject.empty() || subject.size() > kSubjectBytesMax) {
      return Status::Invalid(fmt::format("subject: must be 1-{} characters", kSubjectBytesMax));
    }
    out.match = "subject:" + subject;
  }
  auto kind = store::ParsePrincipalKind(p.Get("kind"));
  if (!kind.ok()) return kind.status().WithContext("kind");
  out.kind = *kind;
  auto only = [&](std::initializer_list<const char*> allowed) -> Status {
    for (const char* k : {"system", "bank", "authority", "user"}) {
      bool ok = std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return std::string_view(a) == k; }) != allowed.end();
      if (ok && !p.Has(k)) return Status::Invalid(fmt::format("{}: missing (kind={})", k, p.Get("kind")));
      if (!ok && p.Has(k)) return Status::Invalid(fmt::format("{}: not allowed with kind={}", k, p.Get("kind")));
    }
    return Status::Ok();
  };
  switch (out.kind) {
    case store::PrincipalKind::kSystem:
      NKS_RETURN_IF_ERROR(only({"system"}));
      out.system = p.Get("system");
      NKS_RETURN_IF_ERROR(CheckId("system", out.system));
      break;
    case store::PrincipalKind::kBank:
      NKS_RETURN_IF_ERROR(only({"bank"}));
      out.bank = p.Get("bank");
      NKS_RETURN_IF_ERROR(CheckBankId(out.bank).WithContext("bank"));
      break;
    case store::PrincipalKind::kCitizen:
    case store::PrincipalKind::kCompany:
      return Status::Invalid(fmt::format(
          "kind: must be system, bank or employee: a {} logs in (oidc statement, nks serve --demo), without a certificate",
          p.Get("kind")));
    case store::PrincipalKind::kEmployee:
      NKS_RETURN_IF_ERROR(only({"authority", "user"}));
      NKS_ASSIGN_OR_RETURN(out.authority, GetAuthority(p, "authority"));
      out.user = p.Get("user");
      NKS_RETURN_IF_ERROR(CheckId("user", out.user));
      break;
  }
  return out;
}

// Comma-separated, without empty items.
std::vector<std::string> SplitList(std::string_view v) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= v.size()) {
    size_t comma = std::min(v.find(',', at), v.size());
    out.emplace_back(v.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

constexpr size_t kGrantsPerUserMax = 50;

// role authority=NKS name=ID functions=f1,f2,...
Result<store::RoleProfile> ParseRole(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"authority", "name", "functions"}, {}));
  store::RoleProfile r;
  NKS_ASSIGN_OR_RETURN(r.authority, GetAuthority(p, "authority"));
  r.name = p.Get("name");
  NKS_RETURN_IF_ERROR(CheckId("name", r.name));
  auto names = SplitList(p.Get("functions"));
  auto functions = access::ParseFunctions(names);
  if (!functions.ok()) return functions.status().WithContext("functions");
  r.functions = access::FunctionNames(*functions);
  if (r.functions.size() != names.size()) return Status::Invalid("functions: a function is named twice");
  return r;
}

// user authority=NKS id=ID name="..." grants=role@LOS,... [payment_system_cases=yes|no]
Result<store::User> ParseUser(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"authority", "id", "name"}, {"grants", "payment_system_cases"}));
  store::User u;
  NKS_ASSIGN_OR_RETURN(u.authority, GetAuthority(p, "authority"));
  u.id = p.Get("id");
  NKS_RETURN_IF_ERROR(CheckId("id", u.id));
  u.name = p.Get("name");
  NKS_RETURN_IF_ERROR(CheckName("name", u.name));
  if (p.Has("payment_system_cases")) {
    NKS_ASSIGN_OR_RETURN(u.payment_system_cases, ParseYesNo("payment_system_cases", p.Get("payment_system_cases")));
  }
  if (p.Has("grants") && !p.Get("grants").empty()) {
    for (const std::string& g : SplitList(p.Get("grants"))) {
      size_t at = g.find('@');
      if (at == std::string::npos) return Status::Invalid("grants: write role@LOS-unit, comma-separated");
      store::RoleGrant grant{g.substr(0, at), g.substr(at + 1)};
      NKS_RETURN_IF_ERROR(CheckId("grants: role", grant.role));
      NKS_RETURN_IF_ERROR(CheckId("grants: LOS unit", grant.los));
      u.grants.push_back(std::move(grant));
    }
  }
  if (u.grants.size() > kGrantsPerUserMax) return Status::Invalid(fmt::format("grants: at most {}", kGrantsPerUserMax));
  std::sort(u.grants.begin(), u.grants.end(), [](const auto& a, const auto& b) {
    return std::tie(a.role, a.los) < std::tie(b.role, b.los);
  });
  if (std::adjacent_find(u.grants.begin(), u.grants.end()) != u.grants.end()) {
    return Status::Invalid("grants: a grant is given twice");
  }
  return u;
}

// four-eyes authority=NKS enabled=yes|no
Result<store::FourEyesSetting> ParseFourEyes(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"authority", "enabled"}, {}));
  store::FourEyesSetting f;
  NKS_ASSIGN_OR_RETURN(f.authority, GetAuthority(p, "authority"));
  NKS_ASSIGN_OR_RETURN(f.enabled, ParseYesNo("enabled", p.Get("enabled")));
  return f;
}

// An https:// URL with a host, without spaces, fragment or credentials.
Status CheckHttpsUrl(std::string_view key, std::string_view v) {
  if (v.size() > 400 || v.rfind("https://", 0) != 0 || v.size() <= 8 || v[8] == '/' ||
      v.find_first_of(" \t#\"<>\\") != std::string_view::npos || v.substr(8, v.find('/', 8) - 8).find('@') != std::string_view::npos) {
    return Status::Invalid(fmt::format("{}: must be an https:// URL (at most 400 characters, no credentials or fragment)", key));
  }
  return Status::Ok();
}

// A claim name: printable, no spaces.
Status CheckClaim(std::string_view key, std::string_view v) {
  if (v.empty() || v.size() > 100) return Status::Invalid(fmt::format("{}: must be 1-100 characters", key));
  for (char c : v) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"') {
      return Status::Invalid(fmt::format("{}: a claim name has no spaces or quotes", key));
    }
  }
  return Status::Ok();
}

// oidc id=ID issuer=URL client_id=ID (secret_file=PATH | secret_env=NAME)
//      redirect_uri=URL kind=citizen|employee [scopes="openid ..."]
//      citizen: cpr_claim=C [cvr_claim=C]; employee: authority=NKS user_claim=C
//      [name_claim=C] [ca_file=PATH]
Result<store::OidcProvider> ParseOidc(const Tokens& t) {
  NKS_ASSIGN_OR_RETURN(Pairs p, Pairs::Of(t, {"id", "issuer", "client_id", "redirect_uri", "kind"},
                                          {"secret_file", "secret_env", "scopes", "cpr_claim", "cvr_claim",
                                           "user_claim", "authority", "name_claim", "ca_file"}));
  store::OidcProvider o;
  o.id = p.Get("id");
  NKS_RETURN_IF_ERROR(CheckId("id", o.id));
  if (o.id == "demo") return Status::Invalid("id: 'demo' names the demo login; choose another");
  o.issuer = p.Get("issuer");
  NKS_RETURN_IF_ERROR(CheckHttpsUrl("issuer", o.issuer));
  o.client_id = p.Get("client_id");
  NKS_RETURN_IF_ERROR(CheckClaim("client_id", o.client_id));
  if (p.Has("secret_file") == p.Has("secret_env")) {
    return Status::Invalid("secret_file: give either secret_file=PATH or secret_env=NAME (the secret itself never goes in the file)");
  }
  o.secret_file = p.Get("secret_file");
  o.secret_env = p.Get("secret_env");
  if (p.Has("secret_file") && (o.secret_file.empty() || o.secret_file.size() > 400)) {
    return Status::Invalid("secret_file: must be a path of 1-400 characters");
  }
  if (p.Has("secret_env")) NKS_RETURN_IF_ERROR(CheckClaim("secret_env", o.secret_env));
  o.redirect_uri = p.Get("redirect_uri");
  NKS_RETURN_IF_ERROR(CheckHttpsUrl("redirect_uri", o.redirect_uri));
  const std::string kind = p.Get("kind");
  if (kind == "citizen") {
    o.kind = store::PrincipalKind::kCitizen;
    if (!p.Has("cpr_claim")) return Status::Invalid("cpr_claim: missing (kind=citizen)");
    o.cpr_claim = p.Get("cpr_claim");
    NKS_RETURN_IF_ERROR(CheckClaim("cpr_claim", o.cpr_claim));
    if (p.Has("cvr_claim")) {
      o.cvr_claim = p.Get("cvr_claim");
      NKS_RETURN_IF_ERROR(CheckClaim("cvr_claim", o.cvr_claim));
    }
    for (const char* k : {"user_claim", "authority"}) {
      if (p.Has(k)) return Status::Invalid(fmt::format("{}: not allowed with kind=citizen", k));
    }
  } else if (kind == "employee") {
    o.kind = store::PrincipalKind::kEmployee;
    for (const char* k : {"user_claim", "authority"}) {
      if (!p.Has(k)) return Status::Invalid(fmt::format("{}: missing (kind=employee)", k));
    }
    NKS_ASSIGN_OR_RETURN(o.authority, GetAuthority(p, "authority"));
    o.user_claim = p.Get("user_claim");
    NKS_RETURN_IF_ERROR(CheckClaim("user_claim", o.user_claim));
    for (const char* k : {"cpr_claim", "cvr_claim"}) {
      if (p.Has(k)) return Status::Invalid(fmt::format("{}: not allowed with kind=employee", k));
    }
  } else {
    return Status::Invalid("kind: must be citizen or employee");
  }
  if (p.Has("scopes")) o.scopes = p.Get("scopes");
  if (o.scopes.size() > 400 || (" " + o.scopes + " ").find(" openid ") == std::string::npos) {
    return Status::Invalid("scopes: must include openid (at most 400 characters)");
  }
  if (p.Has("name_claim")) {
    o.name_claim = p.Get("name_claim");
    NKS_RETURN_IF_ERROR(CheckClaim("name_claim", o.name_claim));
  }
  o.ca_file = p.Get("ca_file");
  if (o.ca_file.size() > 400) return Status::Invalid("ca_file: at most 400 characters");
  return o;
}

// Appends a parsed object or its error.
template <typename T>
void Take(Result<T> parsed, std::vector<T>* objects, std::vector<uint64_t>* lines, uint64_t line,
          const std::string& prefix, std::vector<std::string>* errors) {
  if (parsed.ok()) {
    objects->push_back(std::move(parsed).value());
    lines->push_back(line);
  } else {
    errors->push_back(prefix + parsed.status().message());
  }
}

std::string Quote(std::string_view v) {
  bool plain = !v.empty() && v.find_first_of(" \t\"#\\=") == std::string_view::npos;
  if (plain) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

ConfigParse ParseConfig(std::string_view text, std::string_view file_name) {
  ConfigParse out;
  out.file.name = std::string(file_name);
  store::ConfigSnapshot& o = out.file.objects;
  ConfigFile& f = out.file;
  uint64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string where = fmt::format("{}:{}: ", file_name, line_no);
    if (line.size() > kLineBytesMax) {
      out.errors.push_back(where + "line longer than 4096 bytes");
      continue;
    }
    auto tokens = Tokenize(line);
    if (!tokens.ok()) {
      out.errors.push_back(where + tokens.status().message());
      continue;
    }
    const Tokens& t = *tokens;
    if (t.keyword.empty()) continue;
    std::string prefix = where + t.keyword + ": ";
    if (t.keyword == "authority") Take(ParseAuthority(t), &o.authorities, &f.authority_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "los") Take(ParseLos(t), &o.los_units, &f.los_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "bank-agreement") Take(ParseBankAgreement(t), &o.bank_agreements, &f.bank_agreement_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "benefit") Take(ParseBenefit(t), &o.benefit_types, &f.benefit_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "system") Take(ParseSystem(t), &o.systems, &f.system_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "connection") Take(ParseConnection(t), &o.connections, &f.connection_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "principal") Take(ParsePrincipal(t), &f.principals, &f.principal_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "role") Take(ParseRole(t), &f.roles, &f.role_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "user") Take(ParseUser(t), &f.users, &f.user_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "four-eyes") Take(ParseFourEyes(t), &f.four_eyes, &f.four_eyes_lines, line_no, prefix, &out.errors);
    else if (t.keyword == "oidc") Take(ParseOidc(t), &f.oidc, &f.oidc_lines, line_no, prefix, &out.errors);
    else {
      out.errors.push_back(where + fmt::format(
          "unknown statement '{}' (authority, los, bank-agreement, benefit, system, connection, principal, role, user, four-eyes, oidc)", t.keyword));
    }
  }
  return out;
}

std::string Statement(const Authority& a) {
  std::string s = fmt::format("authority nks={} name={} type={} policy={}", a.nks, Quote(a.name),
                              Quote(a.type), store::FailedPaymentPolicyName(a.policy));
  if (!a.error_account.empty()) s += " error_account=" + Quote(a.error_account);
  return s + fmt::format(" late={}", store::LatePaymentRuleName(a.late));
}

std::string Statement(const LosUnit& u) {
  std::string s = fmt::format("los authority={} id={} name={}", u.authority, Quote(u.id), Quote(u.name));
  if (!u.parent.empty()) s += " parent=" + Quote(u.parent);
  return s;
}

std::string Statement(const BankAgreement& b) {
  return fmt::format("bank-agreement authority={} number={} bank={} account={}", b.authority,
                     Quote(b.number), Quote(b.bank), Quote(b.account));
}

std::string Statement(const BenefitType& b) {
  return fmt::format("benefit authority={} code={} name={}", b.authority, Quote(b.code), Quote(b.name));
}

std::string Statement(const PaymentSystem& p) {
  std::string s = fmt::format("system id={} name={}", Quote(p.id), Quote(p.name));
  if (!p.certificate.empty()) s += " certificate=" + p.certificate;
  return s + (p.connected ? " connected=yes" : " connected=no");
}

std::string Statement(const Connection& c) {
  std::string s = fmt::format("connection system={} authority={} state={}", Quote(c.system), c.authority,
                              store::ConnectionStateName(c.state));
  if (!c.reference.empty()) s += " reference=" + Quote(c.reference);
  return s + fmt::format(" fee_ore={}", c.fee_ore);
}

std::string Statement(const store::Principal& p) {
  std::string s = "principal ";
  if (p.match.rfind("subject:", 0) == 0) {
    s += "subject=" + Quote(p.match.substr(8));
  } else {
    s += "certificate=" + p.match;
  }
  s += fmt::format(" kind={}", store::PrincipalKindName(p.kind));
  switch (p.kind) {
    case store::PrincipalKind::kSystem: return s + " system=" + Quote(p.system);
    case store::PrincipalKind::kBank: return s + " bank=" + Quote(p.bank);
    case store::PrincipalKind::kEmployee: return s + fmt::format(" authority={} user={}", p.authority, Quote(p.user));
    case store::PrincipalKind::kCitizen:
    case store::PrincipalKind::kCompany: break;  // never a certificate's (ParsePrincipal)
  }
  return s;
}

std::string Statement(const store::RoleProfile& r) {
  std::string list;
  for (const auto& f : r.functions) list += (list.empty() ? "" : ",") + f;
  return fmt::format("role authority={} name={} functions={}", r.authority, Quote(r.name), Quote(list));
}

std::string Statement(const store::User& u) {
  std::string grants;
  for (const auto& g : u.grants) grants += (grants.empty() ? "" : ",") + g.role + "@" + g.los;
  std::string s = fmt::format("user authority={} id={} name={}", u.authority, Quote(u.id), Quote(u.name));
  if (!grants.empty()) s += " grants=" + Quote(grants);
  return s + (u.payment_system_cases ? " payment_system_cases=yes" : " payment_system_cases=no");
}

std::string Statement(const store::FourEyesSetting& f) {
  return fmt::format("four-eyes authority={} enabled={}", f.authority, f.enabled ? "yes" : "no");
}

std::string Statement(const store::OidcProvider& o) {
  std::string s = fmt::format("oidc id={} issuer={} client_id={}", Quote(o.id), Quote(o.issuer), Quote(o.client_id));
  s += o.secret_file.empty() ? " secret_env=" + Quote(o.secret_env) : " secret_file=" + Quote(o.secret_file);
  s += " redirect_uri=" + Quote(o.redirect_uri);
  if (o.kind == store::PrincipalKind::kEmployee) {
    s += fmt::format(" kind=employee authority={} user_claim={}", o.authority, Quote(o.user_claim));
  } else {
    s += " kind=citizen cpr_claim=" + Quote(o.cpr_claim);
    if (!o.cvr_claim.empty()) s += " cvr_claim=" + Quote(o.cvr_claim);
  }
  s += " scopes=" + Quote(o.scopes) + " name_claim=" + Quote(o.name_claim);
  if (!o.ca_file.empty()) s += " ca_file=" + Quote(o.ca_file);
  return s;
}

std::string Render(const store::ConfigSnapshot& c, const std::vector<store::Principal>& principals,
                   const std::vector<store::RoleProfile>& roles, const std::vector<store::User>& users,
                   const std::vector<store::FourEyesSetting>& four_eyes, const std::vector<store::OidcProvider>& oidc) {
  std::string out = Render(c, principals);
  for (const auto& r : roles) out += Statement(r) + "\n";
  for (const auto& u : users) out += Statement(u) + "\n";
  for (const auto& f : four_eyes) out += Statement(f) + "\n";
  for (const auto& o : oidc) out += Statement(o) + "\n";
  return out;
}

std::string Render(const store::ConfigSnapshot& c, const std::vector<store::Principal>& principals) {
  std::string out = Render(c);
  for (const auto& p : principals) out += Statement(p) + "\n";
  return out;
}

std::string Render(const store::ConfigSnapshot& c) {
  std::string out;
  auto add = [&](const auto& list) {
    for (const auto& o : list) out += Statement(o) + "\n";
  };
  add(c.authorities);
  add(c.los_units);
  add(c.bank_agreements);
  add(c.benefit_types);
  add(c.systems);
  add(c.connections);
  return out;
}

}  // namespace nks::authority
