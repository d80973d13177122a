// ApplyConfig: cross-checks a parsed configuration file against itself and
// the stored configuration, then writes what it changes in one transaction.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "nks/access/access.h"
#include "nks/authority/config.h"

namespace nks::authority {
namespace {

using store::ConfigSnapshot;

std::string AuthorityKey(const store::Authority& a) { return fmt::format("authority {}", a.nks); }
std::string LosKey(const store::LosUnit& u) { return fmt::format("los {}/{}", u.authority, u.id); }
std::string AgreementKey(const store::BankAgreement& b) {
  return fmt::format("bank-agreement {}/{}", b.authority, b.number);
}
std::string BenefitKey(const store::BenefitType& b) {
  return fmt::format("benefit {}/{}", b.authority, b.code);
}
std::string SystemKey(const store::PaymentSystem& s) { return "system " + s.id; }
std::string ConnectionKey(const store::Connection& c) {
  return fmt::format("connection {}/{}", c.system, c.authority);
}
std::string PrincipalKey(const store::Principal& p) { return "principal " + p.match; }
std::string RoleKey(const store::RoleProfile& r) { return fmt::format("role {}/{}", r.authority, r.name); }
std::string UserKey(const store::User& u) { return fmt::format("user {}/{}", u.authority, u.id); }
std::string FourEyesKey(const store::FourEyesSetting& f) { return fmt::format("four-eyes {}", f.authority); }

// The stored objects by key, as canonical statements.
struct Stored {
  std::map<std::string, std::string> statement;
  std::map<std::string, store::Connection> connection;
  std::set<uint32_t> authorities;
  std::set<std::string> systems;
  std::map<std::string, std::string> los_parent;  // "authority/id" -> parent
  std::vector<store::RoleProfile> roles;
  std::vector<store::User> users;
};

Stored Index(const ConfigSnapshot& c) {
  Stored s;
  for (const auto& o : c.authorities) {
    s.statement[AuthorityKey(o)] = Statement(o);
    s.authorities.insert(o.nks);
  }
  for (const auto& o : c.los_units) {
    s.statement[LosKey(o)] = Statement(o);
    s.los_parent[fmt::format("{}/{}", o.authority, o.id)] = o.parent;
  }
  for (const auto& o : c.bank_agreements) s.statement[AgreementKey(o)] = Statement(o);
  for (const auto& o : c.benefit_types) s.statement[BenefitKey(o)] = Statement(o);
  for (const auto& o : c.systems) {
    s.statement[SystemKey(o)] = Statement(o);
    s.systems.insert(o.id);
  }
  for (const auto& o : c.connections) {
    s.statement[ConnectionKey(o)] = Statement(o);
    s.connection[ConnectionKey(o)] = o;
  }
  return s;
}

class Checker {
 public:
  Checker(const ConfigFile& f, const Stored& stored) : f_(f), stored_(stored) {
    for (const auto& a : f.objects.authorities) authorities_.insert(a.nks);
    authorities_.insert(stored.authorities.begin(), stored.authorities.end());
    for (const auto& s : f.objects.systems) systems_.insert(s.id);
    systems_.insert(stored.systems.begin(), stored.systems.end());
    los_parent_ = stored.los_parent;
    for (const auto& u : f.objects.los_units) los_parent_[fmt::format("{}/{}", u.authority, u.id)] = u.parent;
  }

  std::vector<std::string> Run() {
    Unique(f_.objects.authorities, f_.authority_lines, AuthorityKey);
    Unique(f_.objects.los_units, f_.los_lines, LosKey);
    Unique(f_.objects.bank_agreements, f_.bank_agreement_lines, AgreementKey);
    Unique(f_.objects.benefit_types, f_.benefit_lines, BenefitKey);
    Unique(f_.objects.systems, f_.system_lines, SystemKey);
    Unique(f_.objects.connections, f_.connection_lines, ConnectionKey);
    Unique(f_.principals, f_.principal_lines, PrincipalKey);
    CheckAuthorities(f_.objects.los_units, f_.los_lines, "los");
    CheckAuthorities(f_.objects.bank_agreements, f_.bank_agreement_lines, "bank-agreement");
    CheckAuthorities(f_.objects.benefit_types, f_.benefit_lines, "benefit");
    CheckAuthorities(f_.objects.connections, f_.connection_lines, "connection");
    CheckLosTree();
    CheckConnections();
    CheckPrincipals();
    Unique(f_.roles, f_.role_lines, RoleKey);
    Unique(f_.users, f_.user_lines, UserKey);
    CheckAuthorities(f_.roles, f_.role_lines, "role");
    CheckAuthorities(f_.users, f_.user_lines, "user");
    Unique(f_.four_eyes, f_.four_eyes_lines, FourEyesKey);
    CheckAuthorities(f_.four_eyes, f_.four_eyes_lines, "four-eyes");
    CheckUsers();
    return std::move(errors_);
  }

 private:
  void Error(uint64_t line, std::string_view what) {
    errors_.push_back(fmt::format("{}:{}: {}", f_.name, line, what));
  }

  template <typename T, typename KeyFn>
  void Unique(const std::vector<T>& objects, const std::vector<uint64_t>& lines, KeyFn key) {
    std::map<std::string, uint64_t> first;
    for (size_t i = 0; i < objects.size(); ++i) {
      auto [it, inserted] = first.emplace(key(objects[i]), lines[i]);
      if (!inserted) Error(lines[i], fmt::format("{}: already given on line {}", it->first, it->second));
    }
  }

  template <typename T>
  void CheckAuthorities(const std::vector<T>& objects, const std::vector<uint64_t>& lines,
                        std::string_view statement) {
    for (size_t i = 0; i < objects.size(); ++i) {
      if (!authorities_.count(objects[i].authority)) {
        Error(lines[i], fmt::format("{}: authority: {} is not configured (add an authority statement)",
                                    statement, objects[i].authority));
      }
    }
  }

  // Every parent exists in the same authority, and no unit is its own
  // ancestor (the walk is bounded by the number of units).
  void CheckLosTree() {
    const auto& units = f_.objects.los_units;
    for (size_t i = 0; i < units.size(); ++i) {
      const auto& u = units[i];
      if (u.parent.empty()) continue;
      std::string at = fmt::format("{}/{}", u.authority, u.parent);
      if (!los_parent_.count(at)) {
        Error(f_.los_lines[i], fmt::format("los: parent: {} is not a LOS unit of authority {}", u.parent, u.authority));
        continue;
      }
      for (size_t steps = 0; steps <= los_parent_.size(); ++steps) {
        const std::string& parent = los_parent_[at];
        if (parent.empty()) break;
        if (parent == u.id) {
          Error(f_.los_lines[i], fmt::format("los: parent: {} would make a cycle", u.parent));
          break;
        }
        at = fmt::format("{}/{}", u.authority, parent);
        if (!los_parent_.count(at)) break;
      }
    }
  }

  void CheckConnections() {
    const auto& list = f_.objects.connections;
    for (size_t i = 0; i < list.size(); ++i) {
      const auto& c = list[i];
      if (!systems_.count(c.system)) {
        Error(f_.connection_lines[i], fmt::format("connection: system: {} is not configured", c.system));
      }
      auto it = stored_.connection.find(ConnectionKey(c));
      if (it != stored_.connection.end() && c.state < it->second.state) {
        Error(f_.connection_lines[i],
              fmt::format("connection: state: cannot go back from {} to {}",
                          store::ConnectionStateName(it->second.state), store::ConnectionStateName(c.state)));
      }
    }
  }

  // A principal names a configured system or authority.
  void CheckPrincipals() {
    for (size_t i = 0; i < f_.principals.size(); ++i) {
      const auto& p = f_.principals[i];
      if (p.kind == store::PrincipalKind::kSystem && !systems_.count(p.system)) {
        Error(f_.principal_lines[i], fmt::format("principal: system: {} is not configured", p.system));
      }
      if (p.kind == store::PrincipalKind::kEmployee && !authorities_.count(p.authority)) {
        Error(f_.principal_lines[i],
              fmt::format("principal: authority: {} is not configured (add an authority statement)", p.authority));
      }
    }
  }

  // Grants name existing role profiles and LOS units, and every user's
  // rights as the file leaves them keep the segregation of duties: those the
  // file names, and stored users holding a role profile the file changes.
  void CheckUsers() {
    std::vector<store::RoleProfile> roles = f_.roles;
    for (const auto& r : stored_.roles) {
      if (std::none_of(roles.begin(), roles.end(), [&](const auto& x) { return RoleKey(x) == RoleKey(r); })) {
        roles.push_back(r);
      }
    }
    std::vector<store::User> users = f_.users;
    std::vector<uint64_t> lines = f_.user_lines;
    for (const auto& u : stored_.users) {
      if (std::none_of(users.begin(), users.end(), [&](const auto& x) { return UserKey(x) == UserKey(u); })) {
        users.push_back(u);
        lines.push_back(0);
      }
    }
    for (size_t i = 0; i < users.size(); ++i) {
      const auto& u = users[i];
      const uint64_t line = lines[i] != 0 ? lines[i] : RoleLineFor(u);
      if (lines[i] != 0) {
        for (const auto& g : u.grants) {
          auto role = std::find_if(roles.begin(), roles.end(), [&](const auto& r) {
            return r.authority == u.authority && r.name == g.role;
          });
          if (role == roles.end()) {
            Error(line, fmt::format("user: grants: role {} is not configured for authority {}", g.role, u.authority));
          }
          if (!los_parent_.count(fmt::format("{}/{}", u.authority, g.los))) {
            Error(line, fmt::format("user: grants: LOS unit {} is not configured for authority {}", g.los, u.authority));
          }
        }
      }
      if (line == 0) continue;  // a stored user the file does not touch
      access::Rights rights = access::RightsOf(users, roles, u.authority, u.id);
      if (!rights.segregation.ok()) {
        Error(line, fmt::format("user {}: {}", u.id, rights.segregation.message()));
      }
    }
  }

  // The line of the file's role statement that a stored user holds, 0 if none.
  uint64_t RoleLineFor(const store::User& u) const {
    for (size_t i = 0; i < f_.roles.size(); ++i) {
      for (const auto& g : u.grants) {
        if (f_.roles[i].authority == u.authority && f_.roles[i].name == g.role) return f_.role_lines[i];
      }
    }
    return 0;
  }

  const ConfigFile& f_;
  const Stored& stored_;
  std::set<uint32_t> authorities_;
  std::set<std::string> systems_;
  std::map<std::string, std::string> los_parent_;
  std::vector<std::string> errors_;
};

}  // namespace

Result<ApplyReport> ApplyConfig(store::Store& store, const ConfigFile& file, std::string_view actor,
                                Instant now, const std::function<Status()>& in_transaction) {
  ApplyReport report;
  NKS_RETURN_IF_ERROR(store.Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(ConfigSnapshot current, store.LoadConfig());
    Stored stored = Index(current);
    NKS_ASSIGN_OR_RETURN(std::vector<store::Principal> principals, store.LoadPrincipals());
    for (const auto& p : principals) stored.statement[PrincipalKey(p)] = Statement(p);
    NKS_ASSIGN_OR_RETURN(stored.roles, store.LoadRoleProfiles());
    NKS_ASSIGN_OR_RETURN(stored.users, store.LoadUsers());
    for (const auto& r : stored.roles) stored.statement[RoleKey(r)] = Statement(r);
    for (const auto& u : stored.users) stored.statement[UserKey(u)] = Statement(u);
    NKS_ASSIGN_OR_RETURN(std::vector<store::FourEyesSetting> four_eyes, store.LoadFourEyes());
    for (const auto& f : four_eyes) stored.statement[FourEyesKey(f)] = Statement(f);
    report.errors = Checker(file, stored).Run();
    if (!report.ok()) return Status::Ok();  // nothing written
    auto apply = [&](const auto& list, auto key, auto put) -> Status {
      for (const auto& o : list) {
        std::string k = key(o), now_statement = Statement(o);
        auto it = stored.statement.find(k);
        if (it != stored.statement.end() && it->second == now_statement) {
          ++report.unchanged;
          continue;
        }
        store::ConfigChange change{0, now.time_since_epoch().count(), std::string(actor), k,
                                   it == stored.statement.end() ? "" : it->second, now_statement};
        ++(it == stored.statement.end() ? report.created : report.changed);
        NKS_RETURN_IF_ERROR(put(o));
        NKS_RETURN_IF_ERROR(store.AppendConfigChange(&change));
        report.changes.push_back(std::move(change));
      }
      return Status::Ok();
    };
    const ConfigSnapshot& o = file.objects;
    NKS_RETURN_IF_ERROR(apply(o.authorities, AuthorityKey, [&](const auto& x) { return store.PutAuthority(x); }));
    NKS_RETURN_IF_ERROR(apply(o.los_units, LosKey, [&](const auto& x) { return store.PutLosUnit(x); }));
    NKS_RETURN_IF_ERROR(apply(o.bank_agreements, AgreementKey, [&](const auto& x) { return store.PutBankAgreement(x); }));
    NKS_RETURN_IF_ERROR(apply(o.benefit_types, BenefitKey, [&](const auto& x) { return store.PutBenefitType(x); }));
    NKS_RETURN_IF_ERROR(apply(o.systems, SystemKey, [&](const auto& x) { return store.PutPaymentSystem(x); }));
    NKS_RETURN_IF_ERROR(apply(o.connections, ConnectionKey, [&](const auto& x) { return store.PutConnection(x); }));
    NKS_RETURN_IF_ERROR(apply(file.principals, PrincipalKey, [&](const auto& x) { return store.PutPrincipal(x); }));
    NKS_RETURN_IF_ERROR(apply(file.roles, RoleKey, [&](const auto& x) { return store.PutRoleProfile(x); }));
    NKS_RETURN_IF_ERROR(apply(file.users, UserKey, [&](const auto& x) { return store.PutUser(x); }));
    NKS_RETURN_IF_ERROR(apply(file.four_eyes, FourEyesKey, [&](const auto& x) { return store.PutFourEyes(x); }));
    if (in_transaction && report.created + report.changed > 0) return in_transaction();
    return Status::Ok();
  }));
  return report;
}

}  // namespace nks::authority
