// Role profiles, segregation of duties and LOS scopes (SPEC §4.3, issue 4).
// A user's rights are the union of the role profiles granted to them, each
// within the LOS subtree the grant names. The segregation rules are checked
// when roles are granted (`nks config apply`) and again on every use (the
// API), so a rule broken by a later change to a role profile still bites.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/status.h"
#include "nks/store/store.h"

namespace nks::access {

// The functions a role profile can grant: a bit each.
enum Function : uint32_t {
  kRegisterRead = 1u << 0,     // read-only register lookup
  kNemKontoUpdate = 1u << 1,   // report NemKonti (register reporting)
  kSpecificUpdate = 1u << 2,   // report specific accounts (register reporting)
  kPaymentsSearch = 1u << 3,   // search pending and completed payments
  kPaymentsStop = 1u << 4,     // stop pending payments
  kBenefitTypes = 1u << 5,     // manage benefit types
  kUsersAdmin = 1u << 6,       // administer users
  kControl = 1u << 7,          // read the change lists (control lists)
};
using Functions = uint32_t;  // a set of Function bits
constexpr Functions kReporting = kNemKontoUpdate | kSpecificUpdate;
constexpr Function kAllFunctions[] = {kRegisterRead, kNemKontoUpdate, kSpecificUpdate, kPaymentsSearch,
                                      kPaymentsStop, kBenefitTypes, kUsersAdmin, kControl};

// "register-read", "nemkonto-update", "specific-update", "payments-search",
// "payments-stop", "benefit-types", "users-admin", "control".
std::string_view FunctionName(Function f);
Result<Function> ParseFunction(std::string_view name);
Result<Functions> ParseFunctions(const std::vector<std::string>& names);
std::vector<std::string> FunctionNames(Functions set);

// The segregation-of-duties rules; PermissionDenied naming the rule broken:
// - register reporting rights and creating cases in the authority's payment
//   systems are never one person's (seed 004);
// - a controller holds no reporting rights (seed 004);
// - a user administrator holds no reporting rights and may not stop
//   payments (so nobody can grant themselves a way to divert money unseen).
Status CheckSegregation(Functions functions, bool payment_system_cases);

// An authority's LOS tree: which unit lies in which subtree.
class LosTree {
 public:
  LosTree() = default;
  explicit LosTree(const std::vector<store::LosUnit>& units);
  // True when `unit` is `root` or below it in `authority`'s tree. Walks at
  // most kDepthMax parents (the configuration refuses cycles).
  bool Within(uint32_t authority, std::string_view unit, std::string_view root) const;
  bool Exists(uint32_t authority, std::string_view unit) const;
  bool IsRoot(uint32_t authority, std::string_view unit) const;
  static constexpr int kDepthMax = 64;

 private:
  std::map<std::string, std::string, std::less<>> parent_;  // "authority/id" -> parent id
};

// One grant resolved: the functions of its role profile within a subtree.
struct Scope {
  Functions functions = 0;
  std::string los;  // root of the subtree
};

// What one employee may do.
struct Rights {
  uint32_t authority = 0;
  std::string user;
  bool known = false;         // a user statement names them
  Functions all = 0;          // the union over every scope
  std::vector<Scope> scopes;
  Status segregation;         // CheckSegregation(all, ...) at load

  bool HasAny(Functions needs) const { return (all & needs) != 0; }
  // Some grant with one of `needs` covers LOS unit `los`.
  bool HasAnyIn(Functions needs, std::string_view los, const LosTree& tree) const;
  // The roots of the scopes that grant one of `needs`.
  std::vector<std::string> Roots(Functions needs) const;
};

// Rights of (authority, user) from the stored users and role profiles; a
// grant naming a role profile that does not exist grants nothing.
Rights RightsOf(const std::vector<store::User>& users, const std::vector<store::RoleProfile>& roles,
                uint32_t authority, std::string_view user);

}  // namespace nks::access
