// The access matrix (issue 4): every route of the API x every role profile
// x inside and outside the user's LOS scope, on a real SQLite store, checked
// against a table of who may do what. The table is written independently of
// the route table, and the test fails when a route is missing from it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>

#include "nks/access/access.h"
#include "nks/api/api.h"
#include "nks/authority/config.h"
#include "nks/register/register.h"
#include "nks/store/store.h"

namespace nks::api {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kAuthority = 12'345'678;
// The users' grants cover K-BORGER and below (K-YDELSE); K-TEKNIK is a
// sibling under the root K.
constexpr const char* kConfig = R"(
authority nks=12345678 name="Matrix Kommune" type=municipality policy=RETURN late=reject
los authority=12345678 id=K name="Matrix Kommune"
los authority=12345678 id=K-BORGER name="Borgerservice" parent=K
los authority=12345678 id=K-YDELSE name="Ydelser" parent=K-BORGER
los authority=12345678 id=K-TEKNIK name="Teknik" parent=K
bank-agreement authority=12345678 number=PIA-1 bank=DABADKKK account=3001-0001234567
benefit authority=12345678 code=boligstoette name="Boligstøtte"
system id=SP name="Serviceplatformen" connected=yes
connection system=SP authority=12345678 state=active reference=SA09-1
principal certificate=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa kind=system system=SP
principal certificate=sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb kind=bank bank=1551
)";

// One row of the matrix's table: a route, a request inside the users' LOS
// scope and one outside it (the same where the route has no LOS), and the
// functions that let an employee through ("" = any employee; "-" = no
// employee at all).
struct RouteCase {
  const char* method;
  const char* route;  // the template, as in the route table
  std::string inside;
  std::string outside;
  std::string body;
  std::set<std::string> functions;
  // The body of the request outside the scope, where the body names the
  // LOS unit ("" = the same body).
  std::string outside_body = "";
  // A setting of the whole authority: it needs the function at a root LOS
  // unit, which no matrix user has (their grants are at K-BORGER).
  bool authority_wide = false;
};

const std::string kPerson = "/api/v1/nemkonto/cpr:0101901234";

std::vector<RouteCase> Table() {
  const std::set<std::string> kNoEmployee = {"-"};
  return {
      {"GET", "/api/v1/whoami", "/api/v1/whoami", "/api/v1/whoami", "", {}},
      {"GET", "/api/v1/nemkonto/{id}", kPerson, kPerson, "", {"register-read", "nemkonto-update", "specific-update"}},
      {"PUT", "/api/v1/nemkonto/{id}", kPerson, kPerson, R"({"account":"1551-0000123456","reference":"R-1"})",
       {"nemkonto-update"}},
      {"DELETE", "/api/v1/nemkonto/{id}", kPerson + "?reference=R-2", kPerson + "?reference=R-2", "", {"nemkonto-update"}},
      {"GET", "/api/v1/nemkonto/{id}/history", kPerson + "/history", kPerson + "/history", "",
       {"register-read", "nemkonto-update"}},
      {"POST", "/api/v1/nemkonto/{id}/activation", kPerson + "/activation", kPerson + "/activation",
       R"({"code":"12345678"})", {"nemkonto-update"}},
      {"GET", "/api/v1/nemkonto/{id}/specific-accounts", kPerson + "/specific-accounts", kPerson + "/specific-accounts",
       "", {"register-read", "specific-update"}},
      {"PUT", "/api/v1/nemkonto/{id}/specific-accounts/{benefit}", kPerson + "/specific-accounts/boligstoette",
       kPerson + "/specific-accounts/boligstoette", R"({"account":"1551-0000123456","reference":"R-3"})",
       {"specific-update"}},
      {"DELETE", "/api/v1/nemkonto/{id}/specific-accounts/{benefit}",
       kPerson + "/specific-accounts/boligstoette?reference=R-4", kPerson + "/specific-accounts/boligstoette?reference=R-4",
       "", {"specific-update"}},
      {"POST", "/api/v1/payment-files", "/api/v1/payment-files", "/api/v1/payment-files", "<x/>", kNoEmployee},
      {"GET", "/api/v1/payment-files/{msg_id}", "/api/v1/payment-files/M1", "/api/v1/payment-files/M1", "", kNoEmployee},
      {"GET", "/api/v1/payment-files/{msg_id}/status-report", "/api/v1/payment-files/M1/status-report",
       "/api/v1/payment-files/M1/status-report", "", kNoEmployee},
      {"GET", "/api/v1/payments", "/api/v1/payments?los=K-YDELSE", "/api/v1/payments?los=K-TEKNIK", "",
       {"payments-search"}},
      {"GET", "/api/v1/payments/{system}/{end_to_end}", "/api/v1/payments/SP/IN-1", "/api/v1/payments/SP/OUT-1", "",
       {"payments-search", "payments-stop"}},
      {"POST", "/api/v1/payments/{system}/{end_to_end}/stop", "/api/v1/payments/SP/IN-1/stop",
       "/api/v1/payments/SP/OUT-1/stop", "", {"payments-stop"}},
      {"GET", "/api/v1/users", "/api/v1/users", "/api/v1/users", "", {"users-admin"}},
      {"GET", "/api/v1/control-list", "/api/v1/control-list?month=2026-11", "/api/v1/control-list?month=2026-11", "",
       {"control"}},
      {"GET", "/api/v1/pending-changes", "/api/v1/pending-changes", "/api/v1/pending-changes", "",
       {"nemkonto-update", "specific-update"}},
      {"POST", "/api/v1/pending-changes/{id}/approve", "/api/v1/pending-changes/99/approve",
       "/api/v1/pending-changes/99/approve", "", {"nemkonto-update", "specific-update"}},
      {"POST", "/api/v1/pending-changes/{id}/reject", "/api/v1/pending-changes/99/reject",
       "/api/v1/pending-changes/99/reject", "", {"nemkonto-update", "specific-update"}},
      {"POST", "/api/v1/payments", "/api/v1/payments", "/api/v1/payments", R"({"x":1})", kNoEmployee},
      {"POST", "/api/v1/bank-reports", "/api/v1/bank-reports", "/api/v1/bank-reports", "<x/>", kNoEmployee},
      {"GET", "/api/v1/authority", "/api/v1/authority", "/api/v1/authority", "", {}},
      {"PUT", "/api/v1/authority/policy", "/api/v1/authority/policy", "/api/v1/authority/policy",
       R"({"policy":"CHEQUE"})", {"users-admin"}, "", true},
      {"PUT", "/api/v1/authority/los-units/{id}", "/api/v1/authority/los-units/K-NY",
       "/api/v1/authority/los-units/K-NY", R"({"name":"Ny","parent":"K-YDELSE"})", {"users-admin"},
       R"({"name":"Ny","parent":"K-TEKNIK"})"},
      {"PUT", "/api/v1/authority/benefit-types/{code}", "/api/v1/authority/benefit-types/tilskud",
       "/api/v1/authority/benefit-types/tilskud", R"({"name":"Tilskud"})", {"benefit-types"}, "", true},
      {"POST", "/api/v1/authority/connections", "/api/v1/authority/connections", "/api/v1/authority/connections",
       R"({"system":"SP2"})", {"users-admin"}, "", true},
      {"PUT", "/api/v1/authority/role-profiles/{name}", "/api/v1/authority/role-profiles/r-ny",
       "/api/v1/authority/role-profiles/r-ny", R"({"functions":["register-read"]})", {"users-admin"}, "", true},
      {"PUT", "/api/v1/users/{id}", "/api/v1/users/u-ny", "/api/v1/users/u-ny",
       R"({"name":"Ny","grants":[{"role":"r-register-read","los":"K-YDELSE"}]})", {"users-admin"},
       R"({"name":"Ny","grants":[{"role":"r-register-read","los":"K-TEKNIK"}]})"},
  };
}

// The roles of the matrix: one user per function (a role profile holding
// just it), a user with no grants, an employee with no user statement, and
// a user whose rights break the segregation of duties (stored behind the
// configuration's back, as a later role change could leave them).
struct Role {
  std::string name;
  std::string user;      // "" for the employee with no user statement
  std::string function;  // the one function granted ("" for none)
};

std::vector<Role> Roles() {
  std::vector<Role> roles;
  for (access::Function f : access::kAllFunctions) {
    std::string name(access::FunctionName(f));
    roles.push_back({name, "u-" + name, name});
  }
  roles.push_back({"no-grants", "u-none", ""});
  roles.push_back({"no-user", "", ""});
  roles.push_back({"segregation-broken", "u-sod", ""});
  return roles;
}

std::string Fingerprint(size_t i) {
  std::string hex = std::to_string(1000 + i);
  return "sha256:" + std::string(64 - hex.size(), 'c') + hex;
}

class AccessMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("nks_access_matrix_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::OpenSqlite((dir_ / "nks.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    clock_ = std::make_unique<FixedClock>(*ParseInstant("2026-11-25T12:00:00+01:00"));

    std::string config = kConfig;
    const auto roles = Roles();
    for (size_t i = 0; i < roles.size(); ++i) {
      const Role& r = roles[i];
      std::string user = r.user.empty() ? "u-unknown" : r.user;
      config += "principal certificate=" + Fingerprint(i) + " kind=employee authority=12345678 user=" + user + "\n";
      if (!r.function.empty()) {
        config += "role authority=12345678 name=r-" + r.function + " functions=" + r.function + "\n";
        config += "user authority=12345678 id=" + r.user + " name=\"" + r.name + "\" grants=r-" + r.function + "@K-BORGER\n";
      } else if (r.user == "u-none") {
        config += "user authority=12345678 id=u-none name=\"No grants\"\n";
      }
    }
    auto parsed = authority::ParseConfig(config, "matrix.nks");
    ASSERT_TRUE(parsed.ok()) << parsed.errors[0];
    auto applied = authority::ApplyConfig(*store_, parsed.file, "test", clock_->Now());
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    ASSERT_TRUE(applied->ok()) << applied->errors[0];
    // Control and reporting rights in one user: apply refuses it (see
    // authority/users_config_test.cc), so it is written directly.
    store::User sod{kAuthority, "u-sod", "Broken", false, {{"r-control", "K"}, {"r-nemkonto-update", "K"}}};
    ASSERT_TRUE(store_->Transact([&] { return store_->PutUser(sod); }).ok());

    for (const auto& [e2e, los] : {std::pair{"IN-1", "K-YDELSE"}, std::pair{"OUT-1", "K-TEKNIK"}}) {
      store::Payment p;
      p.system = "SP";
      p.end_to_end = e2e;
      p.authority = kAuthority;
      p.los = los;
      p.bank_agreement = "PIA-1";
      p.benefit_type = "boligstoette";
      p.recipient = (uint64_t{1} << 56) | 101901234;
      p.amount_ore = 10000;
      p.currency = "DKK";
      p.requested_date = p.payout_date = "2026-11-30";
      ASSERT_TRUE(store_->AddPayment(&p).ok());
    }

    reg::RegisterOptions ro;
    ro.outbox_dir = dir_ / "outbox";
    auto reg = reg::Register::Open(store_.get(), clock_.get(), ro);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(reg).value();
    ApiOptions options;
    options.data_dir = dir_;
    auto api = Api::Open(store_.get(), reg_.get(), clock_.get(), options, nullptr);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(api).value();
  }
  void TearDown() override {
    api_.reset();
    reg_.reset();
    store_.reset();
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }

  http::Response Call(const std::string& fingerprint, const RouteCase& rc, const std::string& target,
                      bool outside = false) {
    http::Request req;
    req.method = rc.method;
    req.target = target;
    req.body = outside && !rc.outside_body.empty() ? rc.outside_body : rc.body;
    req.content_type = req.body.empty() ? "" : req.body[0] == '<' ? "application/xml" : "application/json";
    req.proxy_cert_fingerprint = fingerprint;
    req.remote = "127.0.0.1:1";
    http::Response res;
    api_->Handle(req, &res);
    return res;
  }

  static std::string Problem(const http::Response& res) {
    return res.status >= 400 ? res.problem : "";
  }

  int64_t AuditSeq() {
    auto head = store_->AuditHead();
    EXPECT_TRUE(head.ok());
    return head.ok() ? head->first : 0;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<reg::Register> reg_;
  std::unique_ptr<Api> api_;
};

// What the table says a role gets for a route, inside or outside its scope:
// "" (let through) or the problem code of the refusal.
std::string Expected(const RouteCase& rc, const Role& role, bool inside) {
  if (rc.functions.count("-")) return "forbidden";
  if (rc.functions.empty()) return "";
  if (role.user.empty() || role.function.empty()) {
    return role.name == "segregation-broken" ? "segregation-of-duties" : "function-not-granted";
  }
  if (!rc.functions.count(role.function)) return "function-not-granted";
  if (rc.authority_wide) return "outside-los-scope";
  const bool scoped = rc.inside != rc.outside || !rc.outside_body.empty();
  return scoped && !inside ? "outside-los-scope" : "";
}

TEST_F(AccessMatrixTest, TableCoversEveryRoute) {
  std::set<std::pair<std::string, std::string>> table;
  for (const auto& rc : Table()) table.emplace(rc.method, rc.route);
  for (const auto& [method, path] : ApiRoutes()) {
    if (path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/api/v1/openapi.json") continue;
    EXPECT_TRUE(table.count({method, path})) << "the access matrix lacks " << method << " " << path;
  }
}

TEST_F(AccessMatrixTest, EveryRouteEveryRoleInsideAndOutsideScope) {
  const auto roles = Roles();
  int checked = 0;
  for (const RouteCase& rc : Table()) {
    for (size_t i = 0; i < roles.size(); ++i) {
      for (bool inside : {true, false}) {
        const Role& role = roles[i];
        const std::string want = Expected(rc, role, inside);
        const int64_t seq_before = AuditSeq();
        http::Response res = Call(Fingerprint(i), rc, inside ? rc.inside : rc.outside, !inside);
        const std::string where = std::string(rc.method) + " " + (inside ? rc.inside : rc.outside) + " as " +
                                  role.name + (inside ? " (inside)" : " (outside)") + ": " + res.body;
        if (want.empty()) {
          EXPECT_NE(res.status, 403) << where;
          EXPECT_NE(res.status, 401) << where;
        } else {
          EXPECT_EQ(res.status, 403) << where;
          EXPECT_EQ(Problem(res), want) << where;
          // Every refusal is in the audit log.
          EXPECT_GT(AuditSeq(), seq_before) << where;
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(Table().size() * roles.size() * 2));
}

// Payment systems and banks keep their route-level access; their rights do
// not come from role profiles.
TEST_F(AccessMatrixTest, SystemsAndBanksAreNotRoleScoped) {
  RouteCase search{"GET", "/api/v1/payments", "", "", "", {}};
  EXPECT_EQ(Call("sha256:" + std::string(64, 'a'), search, "/api/v1/payments?los=K-TEKNIK").status, 200);
  RouteCase lookup{"GET", "/api/v1/nemkonto/{id}", "", "", "", {}};
  EXPECT_EQ(Call("sha256:" + std::string(64, 'b'), lookup, kPerson).status, 200);
  RouteCase users{"GET", "/api/v1/users", "", "", "", {}};
  EXPECT_EQ(Problem(Call("sha256:" + std::string(64, 'b'), users, "/api/v1/users")), "forbidden");
}

// A search without los= keeps to the user's one subtree.
TEST_F(AccessMatrixTest, SearchWithoutLosStaysInScope) {
  const auto roles = Roles();
  size_t i = 0;
  while (roles[i].function != "payments-search") ++i;
  RouteCase search{"GET", "/api/v1/payments", "", "", "", {}};
  http::Response res = Call(Fingerprint(i), search, "/api/v1/payments");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.body.find("IN-1"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("OUT-1"), std::string::npos) << res.body;
}

// Four-eyes approval on: a caseworker's change waits until another user
// holding the same function approves it; nobody approves their own.
TEST_F(AccessMatrixTest, FourEyesChangeWaitsForAnotherUsersApproval) {
  const auto roles = Roles();
  size_t nk = 0;
  while (roles[nk].function != "nemkonto-update") ++nk;
  size_t reader = 0;
  while (roles[reader].function != "register-read") ++reader;
  const std::string second = "sha256:" + std::string(64, 'd');
  auto parsed = authority::ParseConfig(
      "four-eyes authority=12345678 enabled=yes\n"
      "user authority=12345678 id=u-nk2 name=\"Second\" grants=r-nemkonto-update@K\n"
      "principal certificate=" + second + " kind=employee authority=12345678 user=u-nk2\n",
      "four-eyes.nks");
  ASSERT_TRUE(parsed.ok()) << parsed.errors[0];
  auto applied = authority::ApplyConfig(*store_, parsed.file, "test", clock_->Now());
  ASSERT_TRUE(applied.ok() && applied->ok());
  {
    auto writer = store_->BeginImport();
    ASSERT_TRUE(writer.ok());
    store::Person person{101901234, "Anna Test", "Testvej 1", "8000", "Aarhus C", store::PersonStatus::kActive};
    ASSERT_TRUE((*writer)->PutPerson(person, nullptr).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  ASSERT_TRUE(api_->Refresh().ok());

  RouteCase put{"PUT", "", "", "", R"({"account":"1551-0000123456","reference":"R-9"})", {}};
  http::Response held = Call(Fingerprint(nk), put, kPerson);
  ASSERT_EQ(held.status, 202) << held.body;
  EXPECT_NE(held.body.find("\"pending_change\":1"), std::string::npos) << held.body;
  RouteCase get{"GET", "", "", "", "", {}};
  http::Response history = Call(Fingerprint(nk), get, kPerson + "/history");
  EXPECT_EQ(history.body.find("1551-0000123456"), std::string::npos) << "changed before approval: " << history.body;
  http::Response list = Call(second, get, "/api/v1/pending-changes");
  EXPECT_NE(list.body.find("\"target\":\"/api/v1/nemkonto/cpr:010190"), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find("0101901234"), std::string::npos) << list.body;

  RouteCase approve{"POST", "", "", "", "", {}};
  EXPECT_EQ(Problem(Call(Fingerprint(nk), approve, "/api/v1/pending-changes/1/approve")), "segregation-of-duties");
  EXPECT_EQ(Problem(Call(Fingerprint(reader), approve, "/api/v1/pending-changes/1/approve")), "function-not-granted");
  http::Response done = Call(second, approve, "/api/v1/pending-changes/1/approve");
  EXPECT_EQ(done.status, 201) << done.body;
  EXPECT_NE(done.body.find("pending-activation"), std::string::npos) << done.body;
  EXPECT_EQ(Call(second, approve, "/api/v1/pending-changes/1/approve").status, 409);
  history = Call(Fingerprint(nk), get, kPerson + "/history");
  EXPECT_NE(history.body.find("1551-0000123456"), std::string::npos) << history.body;
  // The register records the requester; the audit log the approver too.
  EXPECT_NE(history.body.find("\"actor\":\"u-nemkonto-update\""), std::string::npos) << history.body;
  bool approved_entry = false;
  ASSERT_TRUE(store_->ScanAudit(0, INT64_MIN, [&](const store::AuditEntry& e) {
    approved_entry = approved_entry || (e.actor == "employee:12345678/u-nemkonto-update" &&
                                        e.outcome == "committed (four-eyes change 1 approved by employee:12345678/u-nk2)");
    return true;
  }).ok());
  EXPECT_TRUE(approved_entry);
  // Rejected changes are not carried out.
  ASSERT_EQ(Call(Fingerprint(nk), put, kPerson).status, 202);
  EXPECT_EQ(Call(second, approve, "/api/v1/pending-changes/2/reject").status, 200);
  EXPECT_EQ(Call(second, approve, "/api/v1/pending-changes/2/approve").status, 409);
}


// The controller downloads the month's change list as CSV or PDF.
TEST_F(AccessMatrixTest, ControlListComesAsCsvOrPdf) {
  const auto roles = Roles();
  size_t i = 0;
  while (roles[i].function != "control") ++i;
  RouteCase get{"GET", "", "", "", "", {}};
  http::Response csv = Call(Fingerprint(i), get, "/api/v1/control-list?month=2026-11");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type, "text/csv");
  EXPECT_NE(csv.body.find("recipient"), std::string::npos) << csv.body;
  http::Response pdf = Call(Fingerprint(i), get, "/api/v1/control-list?month=2026-11&format=pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  bool attachment = false;
  for (const auto& [name, value] : pdf.headers) {
    attachment = attachment || (name == "Content-Disposition" && value.find("kontrolliste-12345678-2026-11.pdf") != std::string::npos);
  }
  EXPECT_TRUE(attachment);
  EXPECT_EQ(Problem(Call(Fingerprint(i), get, "/api/v1/control-list?month=2026-11&format=xls")), "invalid-query");
}

// An administrator granted users-admin and benefit-types at the root runs
// the authority: policy, LOS units, users (the segregation of duties
// refused at grant), benefit types, connection requests. Each change is in
// the configuration history under their name and in the audit log.
TEST_F(AccessMatrixTest, AdministratorAtTheRootRunsTheAuthority) {
  const std::string admin = "sha256:" + std::string(64, 'e');
  auto parsed = authority::ParseConfig(
      "role authority=12345678 name=r-admin functions=users-admin,benefit-types\n"
      "user authority=12345678 id=u-admin name=\"Admin\" grants=r-admin@K\n"
      "principal certificate=" + admin + " kind=employee authority=12345678 user=u-admin\n",
      "admin.nks");
  ASSERT_TRUE(parsed.ok()) << parsed.errors[0];
  auto applied = authority::ApplyConfig(*store_, parsed.file, "test", clock_->Now());
  ASSERT_TRUE(applied.ok() && applied->ok());
  ASSERT_TRUE(api_->Refresh().ok());
  auto call = [&](const char* method, const std::string& target, const std::string& body) {
    RouteCase rc{method, "", "", "", body, {}};
    return Call(admin, rc, target);
  };
  const int64_t audit_before = AuditSeq();

  http::Response r = call("PUT", "/api/v1/authority/policy", R"({"policy":"ERROR_ACCOUNT"})");
  EXPECT_EQ(Problem(r), "invalid-field") << r.body;
  EXPECT_NE(r.body.find("error_account: required"), std::string::npos) << r.body;
  r = call("PUT", "/api/v1/authority/policy", R"({"policy":"ERROR_ACCOUNT","error_account":"3001-0009999999"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"changed\":1"), std::string::npos) << r.body;
  r = call("PUT", "/api/v1/authority/policy", R"({"policy":"ERROR_ACCOUNT","error_account":"3001-0009999999"})");
  EXPECT_NE(r.body.find("\"unchanged\":1"), std::string::npos) << "re-applying changes nothing: " << r.body;
  r = call("GET", "/api/v1/authority", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"policy\":\"ERROR_ACCOUNT\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("0009999999"), std::string::npos) << "the error account is masked: " << r.body;

  EXPECT_EQ(Problem(call("PUT", "/api/v1/authority/los-units/K-NY", R"({"name":"Ny","parent":"K-NOPE"})")),
            "invalid-field");
  r = call("PUT", "/api/v1/authority/los-units/K-NY", R"({"name":"Ny enhed","parent":"K-YDELSE"})");
  EXPECT_EQ(r.status, 201) << r.body;
  r = call("PUT", "/api/v1/authority/los-units/K", R"({"name":"Matrix","parent":"K-NY"})");
  EXPECT_EQ(Problem(r), "invalid-configuration") << "a cycle: " << r.body;
  EXPECT_NE(call("GET", "/api/v1/authority", "").body.find("\"id\":\"K-NY\""), std::string::npos);

  r = call("PUT", "/api/v1/users/u-bad",
           R"({"name":"Bad","grants":[{"role":"r-control","los":"K"},{"role":"r-nemkonto-update","los":"K"}]})");
  EXPECT_EQ(Problem(r), "invalid-configuration") << r.body;
  EXPECT_NE(r.body.find("controller"), std::string::npos) << "names the rule: " << r.body;
  EXPECT_EQ(Problem(call("PUT", "/api/v1/users/u-admin", R"({"name":"Me","grants":[]})")), "forbidden");
  r = call("PUT", "/api/v1/users/u-new", R"({"name":"New","grants":[{"role":"r-register-read","los":"K-NY"}]})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_NE(call("GET", "/api/v1/users", "").body.find("\"id\":\"u-new\""), std::string::npos);
  EXPECT_EQ(Problem(call("PUT", "/api/v1/users/u-x", R"({"name":"X","grants":[{"role":"r-x","los":"K-NOPE"}]})")),
            "invalid-field");

  EXPECT_EQ(call("PUT", "/api/v1/authority/benefit-types/tilskud", R"({"name":"Tilskud"})").status, 201);
  EXPECT_EQ(Problem(call("POST", "/api/v1/authority/connections", R"({"system":"SP"})")), "already-exists");
  EXPECT_EQ(Problem(call("POST", "/api/v1/authority/connections", R"({"system":"NOPE"})")), "invalid-configuration");
  EXPECT_EQ(Problem(call("PUT", "/api/v1/authority/role-profiles/r-x", R"({"functions":["nope"]})")), "invalid-field");
  EXPECT_EQ(Problem(call("PUT", "/api/v1/authority/policy", R"({"policy":"RETURN","extra":1})")), "unknown-field");

  // Four changes committed, each with its audit entry in its transaction
  // and its history entry under the administrator's name.
  int committed = 0;
  ASSERT_TRUE(store_->ScanAudit(audit_before + 1, INT64_MIN, [&](const store::AuditEntry& e) {
    if (e.actor == "employee:12345678/u-admin" && e.outcome == "committed") ++committed;
    return true;
  }).ok());
  EXPECT_EQ(committed, 4);
  auto history = store_->ConfigHistory();
  ASSERT_TRUE(history.ok());
  int by_admin = 0;
  for (const auto& h : *history) by_admin += h.actor == "employee:12345678/u-admin";
  EXPECT_EQ(by_admin, 4);
}

}  // namespace
}  // namespace nks::api
