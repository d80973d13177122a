// Configuration of authorities, LOS units, bank agreements, benefit types,
// failed-payment policies, payment systems and administrative connections
// (SPEC §4.1-4.2), applied with `nks config apply FILE`.
//
// The file is line-oriented: one statement per line, a keyword followed by
// key=value pairs; values with spaces go in double quotes ("..." with \" and
// \\); '#' starts a comment. See config/example.nks for every statement.
//
//   authority nks=12345678 name="Randers Kommune" type=municipality policy=RETURN
//   los authority=12345678 id=R1100 name="Borgerservice" parent=R1000
//   bank-agreement authority=12345678 number=PIA-1 bank=DABADKKK account=3001-0001234567
//   benefit authority=12345678 code=boligstoette name="Boligstøtte"
//   system id=KY name="KY Ydelsessystem" certificate=sha256:... connected=yes
//   connection system=KY authority=12345678 state=active reference=SA09-17
//   principal certificate=sha256:... kind=employee authority=12345678 user=cw1
//   role authority=12345678 name=caseworker functions=register-read,nemkonto-update
//   user authority=12345678 id=cw1 name="Caseworker One" grants=caseworker@R1100 payment_system_cases=no
//   four-eyes authority=12345678 enabled=yes
//
// Applying names the desired state of each object it mentions (objects it
// does not mention are left alone), so re-applying a file changes nothing.
// A file with any bad line is refused whole, each bad line reported as
// "file:line: statement: key: reason"; nothing of it is applied.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/store/store.h"

namespace nks::authority {

// A connection becoming active records the fee (SPEC §4.2: 4,040.28 DKK in
// 2020), unless the file names another.
constexpr int64_t kConnectionFeeOre = 404'028;

// A parsed file: the objects and the line each came from.
struct ConfigFile {
  std::string name;
  store::ConfigSnapshot objects;
  std::vector<uint64_t> authority_lines, los_lines, bank_agreement_lines, benefit_lines,
      system_lines, connection_lines;
  // API principals (issue 4): kept beside the snapshot, in their own table.
  std::vector<store::Principal> principals;
  std::vector<uint64_t> principal_lines;
  // Users and role profiles (issue 4, SPEC §4.3).
  std::vector<store::RoleProfile> roles;
  std::vector<uint64_t> role_lines;
  std::vector<store::User> users;
  std::vector<uint64_t> user_lines;
  std::vector<store::FourEyesSetting> four_eyes;
  std::vector<uint64_t> four_eyes_lines;
};

struct ConfigParse {
  ConfigFile file;
  std::vector<std::string> errors;  // "file:line: statement: key: reason"
  bool ok() const { return errors.empty(); }
};

ConfigParse ParseConfig(std::string_view text, std::string_view file_name);

struct ApplyReport {
  std::vector<std::string> errors;  // cross-reference errors: nothing applied
  uint64_t created = 0;
  uint64_t changed = 0;
  uint64_t unchanged = 0;
  std::vector<store::ConfigChange> changes;
  bool ok() const { return errors.empty(); }
};

// Checks the file against itself and the stored configuration, then writes
// every created or changed object and its history entry in one transaction.
// `in_transaction`, when given, runs last inside that transaction when the
// file is accepted (the API's audit entry); its error rolls everything back.
Result<ApplyReport> ApplyConfig(store::Store& store, const ConfigFile& file,
                                std::string_view actor, Instant now,
                                const std::function<Status()>& in_transaction = {});

// The canonical statement of an object: what `nks config show` prints and
// what the configuration history records as old and new value.
std::string Statement(const store::Authority& a);
std::string Statement(const store::LosUnit& u);
std::string Statement(const store::BankAgreement& b);
std::string Statement(const store::BenefitType& b);
std::string Statement(const store::PaymentSystem& s);
std::string Statement(const store::Connection& c);
std::string Statement(const store::Principal& p);
std::string Statement(const store::RoleProfile& r);
std::string Statement(const store::User& u);
std::string Statement(const store::FourEyesSetting& f);
// The whole configuration as a file that ApplyConfig takes back unchanged.
std::string Render(const store::ConfigSnapshot& config);
std::string Render(const store::ConfigSnapshot& config, const std::vector<store::Principal>& principals);
std::string Render(const store::ConfigSnapshot& config, const std::vector<store::Principal>& principals,
                   const std::vector<store::RoleProfile>& roles, const std::vector<store::User>& users,
                   const std::vector<store::FourEyesSetting>& four_eyes = {});

// The principal of a client certificate: "sha256:<64 lower-case hex>" or
// "subject:<RFC 2253 subject>" (principal statements: certificate=, subject=).
constexpr size_t kSubjectBytesMax = 400;

}  // namespace nks::authority

namespace nks::authority {

// The demo configuration `nks gen population` writes beside the population:
// one municipality (12345678) with LOS units, a bank agreement, benefit
// types, and the shared municipal payment system with an active connection.
store::ConfigSnapshot DemoConfig();
// The demo's API principals: the shared payment system, a bank (1551) and a
// caseworker (cw1), each with a fixed demo certificate fingerprint.
std::vector<store::Principal> DemoPrincipals();
// The demo's role profiles (caseworker, controller, user-admin) and user cw1,
// a caseworker for the whole municipality.
std::vector<store::RoleProfile> DemoRoles();
std::vector<store::User> DemoUsers();

}  // namespace nks::authority
