#include "nks/access/access.h"

#include <fmt/format.h>

#include <algorithm>

namespace nks::access {

namespace {

constexpr std::pair<Function, std::string_view> kNames[] = {
    {kRegisterRead, "register-read"},   {kNemKontoUpdate, "nemkonto-update"},
    {kSpecificUpdate, "specific-update"}, {kPaymentsSearch, "payments-search"},
    {kPaymentsStop, "payments-stop"},   {kBenefitTypes, "benefit-types"},
    {kUsersAdmin, "users-admin"},       {kControl, "control"},
};

std::string Key(uint32_t authority, std::string_view unit) { return fmt::format("{}/{}", authority, unit); }

}  // namespace

std::string_view FunctionName(Function f) {
  for (const auto& [fn, name] : kNames) {
    if (fn == f) return name;
  }
  return "?";
}

Result<Function> ParseFunction(std::string_view name) {
  for (const auto& [fn, n] : kNames) {
    if (n == name) return fn;
  }
  std::string all;
  for (const auto& [fn, n] : kNames) all += (all.empty() ? "" : ", ") + std::string(n);
  return Status::Invalid(fmt::format("unknown function '{}' (one of {})", name.substr(0, 40), all));
}

Result<Functions> ParseFunctions(const std::vector<std::string>& names) {
  Functions set = 0;
  for (const auto& n : names) {
    NKS_ASSIGN_OR_RETURN(Function f, ParseFunction(n));
    set |= f;
  }
  return set;
}

std::vector<std::string> FunctionNames(Functions set) {
  std::vector<std::string> out;
  for (const auto& [fn, name] : kNames) {
    if ((set & fn) != 0) out.emplace_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CheckSegregation(Functions functions, bool payment_system_cases) {
  if ((functions & kReporting) != 0 && payment_system_cases) {
    return Status::PermissionDenied(
        "segregation of duties: register reporting rights may not be held by a user who creates cases in the "
        "authority's payment systems");
  }
  if ((functions & kControl) != 0 && (functions & kReporting) != 0) {
    return Status::PermissionDenied("segregation of duties: a controller may not hold register reporting rights");
  }
  if ((functions & kUsersAdmin) != 0 && (functions & (kReporting | kPaymentsStop)) != 0) {
    return Status::PermissionDenied(
        "segregation of duties: a user administrator may not hold register reporting rights or stop payments");
  }
  return Status::Ok();
}

LosTree::LosTree(const std::vector<store::LosUnit>& units) {
  for (const auto& u : units) parent_[Key(u.authority, u.id)] = u.parent;
}

bool LosTree::Exists(uint32_t authority, std::string_view unit) const {
  return parent_.count(Key(authority, unit)) != 0;
}

bool LosTree::IsRoot(uint32_t authority, std::string_view unit) const {
  auto it = parent_.find(Key(authority, unit));
  return it != parent_.end() && it->second.empty();
}

bool LosTree::Within(uint32_t authority, std::string_view unit, std::string_view root) const {
  std::string at(unit);
  for (int depth = 0; depth < kDepthMax && !at.empty(); ++depth) {
    if (at == root) return Exists(authority, at);
    auto it = parent_.find(Key(authority, at));
    if (it == parent_.end()) return false;
    at = it->second;
  }
  return false;
}

bool Rights::HasAnyIn(Functions needs, std::string_view los, const LosTree& tree) const {
  return std::any_of(scopes.begin(), scopes.end(), [&](const Scope& s) {
    return (s.functions & needs) != 0 && tree.Within(authority, los, s.los);
  });
}

std::vector<std::string> Rights::Roots(Functions needs) const {
  std::vector<std::string> out;
  for (const auto& s : scopes) {
    if ((s.functions & needs) != 0) out.push_back(s.los);
  }
  return out;
}

Rights RightsOf(const std::vector<store::User>& users, const std::vector<store::RoleProfile>& roles,
                uint32_t authority, std::string_view user) {
  Rights r;
  r.authority = authority;
  r.user = std::string(user);
  auto u = std::find_if(users.begin(), users.end(),
                        [&](const store::User& x) { return x.authority == authority && x.id == user; });
  if (u == users.end()) return r;
  r.known = true;
  for (const auto& g : u->grants) {
    auto role = std::find_if(roles.begin(), roles.end(), [&](const store::RoleProfile& x) {
      return x.authority == authority && x.name == g.role;
    });
    if (role == roles.end()) continue;
    auto functions = ParseFunctions(role->functions);
    if (!functions.ok()) continue;  // an unknown name grants nothing
    r.scopes.push_back(Scope{*functions, g.los});
    r.all |= *functions;
  }
  r.segregation = CheckSegregation(r.all, u->payment_system_cases);
  return r;
}

}  // namespace nks::access
