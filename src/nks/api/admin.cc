// Administration of an authority through the API (SPEC §4.1-4.3; the
// administrator's and caseworker's pages of SPEC §6): its LOS units, benefit
// types, failed-payment policy, connections to payment systems, role
// profiles and users.
//
// Every change goes through the same path as `nks config apply`: the request
// becomes one configuration statement, checked against the stored
// configuration (references, LOS cycles, the segregation of duties,
// connections only forward) and written with its configuration-history
// entry and its audit entry in one transaction. A request that changes
// nothing answers 200 and writes nothing.
//
// Who may do what (the employee's grants, SPEC §4.3):
//  - users-admin within the parent unit: add or rename a LOS unit below it;
//  - users-admin within every unit a grant names: create or change a user
//    (also within the units of the grants it replaces);
//  - users-admin at a root of the authority's LOS tree: the policy, role
//    profiles, connection requests (authority-wide settings);
//  - benefit-types at a root: benefit types.
// Bank agreements (where payouts are debited) are shown, not changed here:
// they change through the operator's `nks config apply`, so no single
// authority user can redirect where money comes from.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "nks/api/api.h"
#include "nks/api/handler.h"
#include "nks/authority/config.h"
#include "nks/core/account.h"

namespace nks::api {

namespace {

constexpr size_t kNameBytesMax = 200;
constexpr size_t kGrantsPerUserMax = 64;

json AuthorityJson(const store::ConfigSnapshot& config, uint32_t nks, const std::vector<store::RoleProfile>& roles,
                   bool four_eyes) {
  json j;
  for (const auto& a : config.authorities) {
    if (a.nks != nks) continue;
    j["nks"] = a.nks;
    j["name"] = a.name;
    j["type"] = a.type;
    j["policy"] = std::string(store::FailedPaymentPolicyName(a.policy));
    j["error_account"] = a.error_account.empty() ? json(nullptr) : json(MaskedAccount(a.error_account));
    j["late_payments"] = std::string(store::LatePaymentRuleName(a.late));
  }
  json los = json::array(), banks = json::array(), benefits = json::array(), connections = json::array();
  for (const auto& u : config.los_units) {
    if (u.authority == nks) los.push_back({{"id", u.id}, {"name", u.name}, {"parent", u.parent}});
  }
  for (const auto& b : config.bank_agreements) {
    if (b.authority == nks) {
      banks.push_back({{"number", b.number}, {"bank", b.bank}, {"account", MaskedAccount(b.account)}});
    }
  }
  for (const auto& b : config.benefit_types) {
    if (b.authority == nks) benefits.push_back({{"code", b.code}, {"name", b.name}});
  }
  for (const auto& c : config.connections) {
    if (c.authority != nks) continue;
    connections.push_back({{"system", c.system},
                           {"state", std::string(store::ConnectionStateName(c.state))},
                           {"reference", c.reference},
                           {"fee_ore", c.fee_ore}});
  }
  json profiles = json::array();
  for (const auto& r : roles) {
    if (r.authority == nks) profiles.push_back({{"name", r.name}, {"functions", r.functions}});
  }
  j["los_units"] = los;
  j["bank_agreements"] = banks;
  j["benefit_types"] = benefits;
  j["connections"] = connections;
  j["role_profiles"] = profiles;
  j["four_eyes"] = four_eyes;
  return j;
}

// A bounded, non-empty, single-line text field.
bool NameField(Api::Context& c, const json& body, const char* key, bool required, std::string* out) {
  if (!StringField(c, body, key, out)) return false;
  if (out->empty() && !required) return true;
  if (out->empty() || out->size() > kNameBytesMax ||
      std::any_of(out->begin(), out->end(), [](char ch) { return ch == '\n' || ch == '\r' || ch == '\t'; })) {
    Fail(c, "invalid-field", fmt::format("{}: must be 1-{} bytes on one line", key, kNameBytesMax));
    return false;
  }
  return true;
}

// Identifiers in paths (LOS unit ids, benefit codes, role names, user ids):
// what the configuration file format allows without quoting.
bool IdentifierParam(Api::Context& c, const std::string& text, const char* what) {
  const bool ok = !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  });
  if (!ok) Fail(c, "invalid-field", fmt::format("{}: 1-64 letters, digits, '-', '_' or '.'", what));
  return ok;
}

const store::Authority* FindAuthority(const store::ConfigSnapshot& config, uint32_t nks) {
  for (const auto& a : config.authorities) {
    if (a.nks == nks) return &a;
  }
  return nullptr;
}

}  // namespace

bool Api::CheckAuthorityWide(Context& c, access::Functions needs) {
  std::vector<std::string> roots;
  {
    std::shared_lock lock(index_mu_);
    for (const auto& root : c.rights.Roots(needs)) {
      if (los_tree_.IsRoot(c.principal->authority, root)) return true;
      roots.push_back(root);
    }
  }
  std::string names;
  for (const auto& n : access::FunctionNames(needs)) names += (names.empty() ? "" : " or ") + n;
  std::string covered;
  for (const auto& r : roots) covered += (covered.empty() ? "" : ", ") + r;
  Fail(c, "outside-los-scope",
       fmt::format("this is a setting of the whole authority: it needs {} at a root LOS unit; yours cover {}", names,
                   covered.empty() ? "none" : covered));
  return false;
}

std::function<Status()> Api::AuditInTransaction(Context& c) {
  return [this, &c]() -> Status {
    NKS_RETURN_IF_ERROR(audit_->Append(c.principal_id, c.res->route, AuditTarget(c), "committed"));
    c.audit_committed = true;
    return Status::Ok();
  };
}

void Api::ApplyAdministration(Context& c, const authority::ConfigFile& file) {
  Result<authority::ApplyReport> report = Status::Internal("not applied");
  {
    std::lock_guard store_lock(store_mu_);
    report = authority::ApplyConfig(*store_, file, c.principal_id, clock_->Now(), AuditInTransaction(c));
    if (report.ok() && report->ok() && report->created + report->changed > 0) {
      Status st = LoadPrincipals();
      if (!st.ok()) return FailStatus(c, st);
    }
  }
  if (!report.ok()) return FailStatus(c, report.status());
  if (!report->ok()) {
    std::string detail;
    for (const auto& e : report->errors) {
      // "request:1: los: parent: ..." -> "los: parent: ..."
      std::string_view line = e;
      if (line.rfind(file.name + ":", 0) == 0) {
        line.remove_prefix(file.name.size() + 1);
        line.remove_prefix(std::min(line.size(), line.find(": ") == std::string_view::npos ? 0 : line.find(": ") + 2));
      }
      detail += (detail.empty() ? "" : "; ") + std::string(line);
    }
    return Fail(c, "invalid-configuration", MaskCprsIn(detail));
  }
  const bool created = report->created > 0;
  SendJson(c, created ? 201 : 200,
           json{{"created", report->created}, {"changed", report->changed}, {"unchanged", report->unchanged}});
}

void Api::GetAuthority(Context& c) {
  store::ConfigSnapshot config;
  std::vector<store::RoleProfile> roles;
  {
    std::lock_guard store_lock(store_mu_);
    auto loaded = store_->LoadConfig();
    if (!loaded.ok()) return FailStatus(c, loaded.status());
    config = std::move(*loaded);
    auto r = store_->LoadRoleProfiles();
    if (!r.ok()) return FailStatus(c, r.status());
    roles = std::move(*r);
  }
  if (FindAuthority(config, c.principal->authority) == nullptr) {
    return Fail(c, "not-found", fmt::format("authority {} is not configured", c.principal->authority));
  }
  bool four_eyes = false;
  {
    std::shared_lock lock(index_mu_);
    four_eyes = four_eyes_.count(c.principal->authority) != 0;
  }
  SendJson(c, 200, AuthorityJson(config, c.principal->authority, roles, four_eyes));
}

void Api::PutPolicy(Context& c) {
  json body;
  if (!ParseBody(c, {"policy"}, {"error_account", "late_payments"}, &body)) return;
  std::string policy_text, error_account_text, late_text;
  if (!StringField(c, body, "policy", &policy_text) || !StringField(c, body, "error_account", &error_account_text) ||
      !StringField(c, body, "late_payments", &late_text)) {
    return;
  }
  auto policy = store::ParseFailedPaymentPolicy(policy_text);
  if (!policy.ok()) return Fail(c, "invalid-field", "policy: must be RETURN, CHEQUE or ERROR_ACCOUNT");
  if (!CheckAuthorityWide(c, access::kUsersAdmin)) return;
  store::Authority a;
  {
    std::lock_guard store_lock(store_mu_);
    auto config = store_->LoadConfig();
    if (!config.ok()) return FailStatus(c, config.status());
    const store::Authority* found = FindAuthority(*config, c.principal->authority);
    if (found == nullptr) return Fail(c, "not-found", "your authority is not configured");
    a = *found;
  }
  a.policy = *policy;
  if (body.contains("error_account")) {
    if (error_account_text.empty()) {
      a.error_account.clear();
    } else {
      auto account = Account::Parse(error_account_text);
      if (!account.ok()) return Fail(c, "invalid-field", "error_account: " + account.status().message());
      a.error_account = account->ToString();
    }
  }
  if (a.policy == store::FailedPaymentPolicy::kErrorAccount && a.error_account.empty()) {
    return Fail(c, "invalid-field", "error_account: required when policy is ERROR_ACCOUNT");
  }
  if (body.contains("late_payments")) {
    auto late = store::ParseLatePaymentRule(late_text);
    if (!late.ok()) return Fail(c, "invalid-field", "late_payments: must be reject or next-banking-day");
    a.late = *late;
  }
  authority::ConfigFile file;
  file.name = "request";
  file.objects.authorities.push_back(a);
  file.authority_lines.push_back(1);
  ApplyAdministration(c, file);
}

void Api::PutLosUnit(Context& c) {
  if (!IdentifierParam(c, c.params[0], "id")) return;
  json body;
  if (!ParseBody(c, {"name"}, {"parent"}, &body)) return;
  store::LosUnit u{c.principal->authority, c.params[0], "", ""};
  if (!NameField(c, body, "name", true, &u.name) || !StringField(c, body, "parent", &u.parent)) return;
  if (!u.parent.empty() && !IdentifierParam(c, u.parent, "parent")) return;
  bool exists = false, parent_exists = true;
  std::string old_parent;
  {
    std::shared_lock lock(index_mu_);
    exists = los_tree_.Exists(u.authority, u.id);
    parent_exists = u.parent.empty() || los_tree_.Exists(u.authority, u.parent);
  }
  if (!parent_exists) {
    return Fail(c, "invalid-field", fmt::format("parent: authority {} has no LOS unit {}", u.authority, u.parent));
  }
  if (exists) {
    std::lock_guard store_lock(store_mu_);
    auto config = store_->LoadConfig();
    if (!config.ok()) return FailStatus(c, config.status());
    for (const auto& l : config->los_units) {
      if (l.authority == u.authority && l.id == u.id) old_parent = l.parent;
    }
  }
  // A unit is administered from above: within its parent (and, when it
  // moves, within its old place too); a root by an authority-wide admin.
  if (u.parent.empty() || (exists && old_parent.empty())) {
    if (!CheckAuthorityWide(c, access::kUsersAdmin)) return;
  } else {
    if (!CheckScope(c, access::kUsersAdmin, u.parent)) return;
    if (exists && old_parent != u.parent && !CheckScope(c, access::kUsersAdmin, old_parent)) return;
  }
  authority::ConfigFile file;
  file.name = "request";
  file.objects.los_units.push_back(u);
  file.los_lines.push_back(1);
  ApplyAdministration(c, file);
}

void Api::PutBenefitType(Context& c) {
  if (!IdentifierParam(c, c.params[0], "code")) return;
  json body;
  if (!ParseBody(c, {"name"}, {}, &body)) return;
  store::BenefitType b{c.principal->authority, c.params[0], ""};
  if (!NameField(c, body, "name", true, &b.name)) return;
  if (!CheckAuthorityWide(c, access::kBenefitTypes)) return;
  authority::ConfigFile file;
  file.name = "request";
  file.objects.benefit_types.push_back(b);
  file.benefit_lines.push_back(1);
  ApplyAdministration(c, file);
}

// An authority asks to be connected to a payment system (SPEC §4.2); the
// operator records the signed agreement, confirmation and activation.
void Api::PostConnection(Context& c) {
  json body;
  if (!ParseBody(c, {"system"}, {"reference"}, &body)) return;
  store::Connection conn;
  conn.authority = c.principal->authority;
  if (!StringField(c, body, "system", &conn.system) || !StringField(c, body, "reference", &conn.reference)) return;
  if (!IdentifierParam(c, conn.system, "system")) return;
  if (!conn.reference.empty() && !NameField(c, body, "reference", false, &conn.reference)) return;
  if (!CheckAuthorityWide(c, access::kUsersAdmin)) return;
  {
    std::lock_guard store_lock(store_mu_);
    auto config = store_->LoadConfig();
    if (!config.ok()) return FailStatus(c, config.status());
    for (const auto& existing : config->connections) {
      if (existing.authority == conn.authority && existing.system == conn.system) {
        return Fail(c, "already-exists",
                    fmt::format("authority {} already has a connection to {} ({})", conn.authority, conn.system,
                                store::ConnectionStateName(existing.state)));
      }
    }
  }
  conn.state = store::ConnectionState::kRequested;
  authority::ConfigFile file;
  file.name = "request";
  file.objects.connections.push_back(conn);
  file.connection_lines.push_back(1);
  ApplyAdministration(c, file);
}

void Api::PutRoleProfile(Context& c) {
  if (!IdentifierParam(c, c.params[0], "name")) return;
  json body;
  if (!ParseBody(c, {"functions"}, {}, &body)) return;
  if (!body["functions"].is_array() || body["functions"].empty() || body["functions"].size() > 16) {
    return Fail(c, "invalid-field", "functions: a non-empty array of function names");
  }
  std::vector<std::string> names;
  for (const auto& f : body["functions"]) {
    if (!f.is_string()) return Fail(c, "invalid-field", "functions: each must be a string");
    names.push_back(f.get<std::string>());
  }
  auto parsed = access::ParseFunctions(names);
  if (!parsed.ok()) return Fail(c, "invalid-field", "functions: " + parsed.status().message());
  if (!CheckAuthorityWide(c, access::kUsersAdmin)) return;
  store::RoleProfile r{c.principal->authority, c.params[0], access::FunctionNames(*parsed)};
  std::sort(r.functions.begin(), r.functions.end());
  authority::ConfigFile file;
  file.name = "request";
  file.roles.push_back(r);
  file.role_lines.push_back(1);
  ApplyAdministration(c, file);
}

void Api::PutUser(Context& c) {
  if (!IdentifierParam(c, c.params[0], "id")) return;
  json body;
  if (!ParseBody(c, {"name", "grants"}, {"payment_system_cases"}, &body)) return;
  store::User u;
  u.authority = c.principal->authority;
  u.id = c.params[0];
  if (!NameField(c, body, "name", true, &u.name)) return;
  if (body.contains("payment_system_cases")) {
    if (!body["payment_system_cases"].is_boolean()) {
      return Fail(c, "invalid-field", "payment_system_cases: must be true or false");
    }
    u.payment_system_cases = body["payment_system_cases"].get<bool>();
  }
  const json& grants = body["grants"];
  if (!grants.is_array() || grants.size() > kGrantsPerUserMax) {
    return Fail(c, "invalid-field", fmt::format("grants: an array of at most {} {{role, los}}", kGrantsPerUserMax));
  }
  for (size_t i = 0; i < grants.size(); ++i) {
    const json& g = grants[i];
    const std::string where = fmt::format("grants[{}]", i);
    if (!g.is_object() || g.size() != 2 || !g.contains("role") || !g.contains("los") || !g["role"].is_string() ||
        !g["los"].is_string()) {
      return Fail(c, "invalid-field", where + ": must be {\"role\": string, \"los\": string}");
    }
    store::RoleGrant grant{g["role"].get<std::string>(), g["los"].get<std::string>()};
    if (!IdentifierParam(c, grant.role, (where + ".role").c_str()) ||
        !IdentifierParam(c, grant.los, (where + ".los").c_str())) {
      return;
    }
    u.grants.push_back(std::move(grant));
  }
  std::sort(u.grants.begin(), u.grants.end(),
            [](const auto& a, const auto& b) { return std::tie(a.role, a.los) < std::tie(b.role, b.los); });
  u.grants.erase(std::unique(u.grants.begin(), u.grants.end()), u.grants.end());
  if (u.id == c.principal->user) {
    return Fail(c, "forbidden", "nobody changes their own user: ask another user administrator");
  }
  // The administrator must cover every unit the user is granted, before and after.
  std::set<std::string> units;
  for (const auto& g : u.grants) units.insert(g.los);
  {
    std::shared_lock lock(index_mu_);
    for (const auto& existing : users_) {
      if (existing.authority != u.authority || existing.id != u.id) continue;
      for (const auto& g : existing.grants) units.insert(g.los);
    }
  }
  for (size_t i = 0; i < u.grants.size(); ++i) {
    std::shared_lock lock(index_mu_);
    if (!los_tree_.Exists(u.authority, u.grants[i].los)) {
      return Fail(c, "invalid-field",
                  fmt::format("grants[{}].los: authority {} has no LOS unit {}", i, u.authority, u.grants[i].los));
    }
  }
  for (const auto& unit : units) {
    if (!CheckScope(c, access::kUsersAdmin, unit)) return;
  }
  authority::ConfigFile file;
  file.name = "request";
  file.users.push_back(u);
  file.user_lines.push_back(1);
  ApplyAdministration(c, file);
}

}  // namespace nks::api
