// Human login (api/auth.cc): the demo login, the session cookie's
// attributes and lifetime (idle 15 minutes, absolute 8 hours, from the
// injected clock), CSRF and Origin checks of session requests, logout, and
// what citizens and companies may reach. On the API with a real SQLite store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "nks/api/api.h"
#include "nks/authority/config.h"
#include "nks/core/sha256.h"
#include "nks/register/register.h"
#include "nks/store/store.h"

namespace nks::api {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kConfig = R"(
authority nks=12345678 name="Login Kommune" type=municipality policy=RETURN late=reject
los authority=12345678 id=K name="Login Kommune"
role authority=12345678 name=reader functions=register-read
role authority=12345678 name=reporter functions=nemkonto-update,specific-update
user authority=12345678 id=cw-read name="Rita Reader" grants=reader@K
user authority=12345678 id=cw-report name="Per Reporter" grants=reporter@K
principal certificate=sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb kind=bank bank=1551
)";

constexpr const char* kCpr = "0101901234";    // Anna, in the register
constexpr const char* kOther = "0202902345";  // someone else
constexpr const char* kCvr = "80000006";
constexpr const char* kBankCert = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

struct Login {
  std::string token;  // the cookie's value
  std::string csrf;
  json session;
};

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("nks_auth_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::OpenSqlite((dir_ / "nks.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    clock_ = std::make_unique<FixedClock>(*ParseInstant("2026-11-25T12:00:00+01:00"));
    auto parsed = authority::ParseConfig(kConfig, "login.nks");
    ASSERT_TRUE(parsed.ok()) << parsed.errors[0];
    auto applied = authority::ApplyConfig(*store_, parsed.file, "test", clock_->Now());
    ASSERT_TRUE(applied.ok() && applied->ok());
    auto writer = store_->BeginImport();
    ASSERT_TRUE(writer.ok());
    for (auto [cpr, name] : {std::pair{uint64_t{101901234}, "Anna Test"}, std::pair{uint64_t{202902345}, "Bo Test"}}) {
      store::Person person{cpr, name, "Testvej 1", "8000", "Aarhus C", store::PersonStatus::kActive};
      ASSERT_TRUE((*writer)->PutPerson(person, nullptr).ok());
    }
    store::Company company{80000006, "Test ApS", "Testvej 2", "8000", "Aarhus C", store::CompanyStatus::kActive};
    ASSERT_TRUE((*writer)->PutCompany(company, nullptr).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
    reg::RegisterOptions ro;
    ro.outbox_dir = dir_ / "outbox";
    auto reg = reg::Register::Open(store_.get(), clock_.get(), ro);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(reg).value();
    OpenApi(true, false);
  }
  void TearDown() override {
    api_.reset();
    reg_.reset();
    store_.reset();
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }

  void OpenApi(bool demo, bool tls) {
    api_.reset();
    ApiOptions options;
    options.data_dir = dir_;
    options.demo = demo;
    options.tls = tls;
    auto api = Api::Open(store_.get(), reg_.get(), clock_.get(), options, nullptr);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(api).value();
  }

  struct Call {
    std::string method = "GET";
    std::string target = {};
    std::string body = {};
    std::string token = {};  // the nks_session cookie, if any
    std::string csrf = {};
    std::string origin = {};
    std::string certificate = {};  // a proxy's client-certificate header
  };
  http::Response Do(const Call& call) {
    http::Request req;
    req.method = call.method;
    req.target = call.target;
    req.body = call.body;
    req.content_type = call.body.empty() ? "" : "application/json";
    if (!call.token.empty()) req.cookie = "theme=dark; nks_session=" + call.token + "; lang=da";
    req.csrf_token = call.csrf;
    req.origin = call.origin;
    req.host = "nks.test:8443";
    req.proxy_cert_fingerprint = call.certificate;
    req.remote = "127.0.0.1:1";
    http::Response res;
    api_->Handle(req, &res);
    return res;
  }

  static std::string Header(const http::Response& res, const std::string& name) {
    for (const auto& [k, v] : res.headers) {
      if (k == name) return v;
    }
    return "";
  }

  Login DemoLogin(const std::string& body) {
    http::Response res = Do({"POST", "/auth/demo", body});
    EXPECT_EQ(res.status, 200) << res.body;
    Login l;
    const std::string cookie = Header(res, "Set-Cookie");
    const std::string prefix = "nks_session=";
    EXPECT_EQ(cookie.rfind(prefix, 0), 0u) << cookie;
    l.token = cookie.substr(prefix.size(), cookie.find(';') - prefix.size());
    l.session = json::parse(res.body, nullptr, false);
    if (l.session.contains("csrf_token")) l.csrf = l.session["csrf_token"];
    return l;
  }
  Login Citizen(const std::string& cpr = kCpr) { return DemoLogin(R"({"role":"citizen","cpr":")" + cpr + "\"}"); }

  std::vector<store::AuditEntry> Audit() {
    std::vector<store::AuditEntry> out;
    EXPECT_TRUE(store_->ScanAudit(0, INT64_MIN, [&](const store::AuditEntry& e) {
      out.push_back(e);
      return true;
    }).ok());
    return out;
  }

  void Advance(int64_t seconds) { clock_->Set(clock_->Now() + std::chrono::seconds(seconds)); }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<reg::Register> reg_;
  std::unique_ptr<Api> api_;
};

const std::string kAnna = std::string("/api/v1/nemkonto/cpr:") + kCpr;
const std::string kPut = R"({"account":"1551-0000123456"})";

TEST_F(AuthTest, DemoLoginIsOffUnlessAskedFor) {
  Login l = Citizen();
  OpenApi(false, false);
  http::Response res = Do({"POST", "/auth/demo", R"({"role":"citizen","cpr":"0101901234"})"});
  EXPECT_EQ(res.status, 404) << res.body;
  EXPECT_TRUE(Header(res, "Set-Cookie").empty());
  // A demo session from before is no good once the demo login is off.
  EXPECT_EQ(Do({"GET", "/auth/session", "", l.token}).problem, "session-unknown");
}

TEST_F(AuthTest, DemoLoginSetsAnHttpOnlyLaxCookieAndOnlyTheTokensHashIsStored) {
  Login l = Citizen();
  EXPECT_EQ(l.session["kind"], "citizen");
  EXPECT_EQ(l.session["principal"], "citizen:010190-XXXX");
  EXPECT_EQ(l.session["name"], "Anna Test");
  EXPECT_EQ(l.session["demo"], true);
  EXPECT_EQ(l.session["expires_at"], "2026-11-25T11:15:00Z");
  EXPECT_EQ(l.session["absolute_expires_at"], "2026-11-25T19:00:00Z");
  EXPECT_EQ(l.token.size(), 43u);  // 256 bits, base64url
  EXPECT_EQ(l.csrf.size(), 43u);
  EXPECT_NE(l.token, l.csrf);
  EXPECT_NE(Citizen().token, l.token);  // every login a new token
  // Plain HTTP (loopback): no Secure; with TLS: Secure.
  http::Response res = Do({"POST", "/auth/demo", R"({"role":"citizen","cpr":"0101901234"})"});
  EXPECT_EQ(Header(res, "Set-Cookie").substr(Header(res, "Set-Cookie").find(';')), "; Path=/; HttpOnly; SameSite=Lax");
  OpenApi(true, true);
  res = Do({"POST", "/auth/demo", R"({"role":"citizen","cpr":"0101901234"})"});
  EXPECT_EQ(Header(res, "Set-Cookie").substr(Header(res, "Set-Cookie").find(';')),
            "; Path=/; HttpOnly; SameSite=Lax; Secure");
  // The store has the SHA-256 of the token, never the token.
  auto by_token = store_->GetSession(l.token);
  ASSERT_TRUE(by_token.ok());
  EXPECT_FALSE(by_token->has_value());
  auto by_hash = store_->GetSession(Sha256Hex(l.token));
  ASSERT_TRUE(by_hash.ok() && by_hash->has_value());
  EXPECT_EQ((*by_hash)->principal.cpr, 101901234u);
  EXPECT_EQ((*by_hash)->csrf_token, l.csrf);
  // GET /auth/session gives the same session back.
  res = Do({"GET", "/auth/session", "", l.token});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body)["csrf_token"], l.csrf);
}

TEST_F(AuthTest, DemoLoginRefusesBadInputAndUnconfiguredUsersAndAuditsEveryAttempt) {
  struct Case {
    std::string body;
    int status;
    std::string code;
  };
  for (const Case& k : std::vector<Case>{
           {R"({"role":"citizen","cpr":"3213901234"})", 400, "invalid-field"},  // no such date
           {R"({"role":"citizen"})", 400, "missing-field"},
           {R"({"role":"citizen","cpr":"0101901234","extra":1})", 400, "unknown-field"},
           {R"({"role":"king"})", 400, "invalid-field"},
           {R"({"role":"company","cvr":"80000007"})", 400, "invalid-field"},  // modulus 11
           {R"({"role":"employee","authority":12345678,"user":"nobody"})", 403, "forbidden"},
           {R"({"role":"employee","authority":"12345678","user":"cw-read"})", 400, "invalid-field"},
           {"not json", 400, "malformed-json"},
       }) {
    http::Response res = Do({"POST", "/auth/demo", k.body});
    EXPECT_EQ(res.status, k.status) << k.body << ": " << res.body;
    EXPECT_EQ(res.problem, k.code) << k.body;
    EXPECT_TRUE(Header(res, "Set-Cookie").empty()) << k.body;
  }
  // Another site's page may not log the browser in.
  Call cross{"POST", "/auth/demo", R"({"role":"citizen","cpr":"0101901234"})"};
  cross.origin = "https://evil.example";
  EXPECT_EQ(Do(cross).problem, "origin-mismatch");
  Citizen();
  int failures = 0, successes = 0;
  for (const auto& e : Audit()) {
    if (e.action != "login") continue;
    EXPECT_EQ(e.target, "demo from 127.0.0.1:1") << e.outcome;
    EXPECT_EQ(e.actor.find("0101901234"), std::string::npos);
    EXPECT_EQ(e.actor.find("901234"), std::string::npos) << e.actor;
    (e.outcome == "ok" ? successes : failures)++;
  }
  EXPECT_EQ(failures, 9);
  EXPECT_EQ(successes, 1);
}

TEST_F(AuthTest, UnsafeSessionRequestsNeedTheCsrfTokenAndOurOrigin) {
  Login l = Citizen();
  Call put{"PUT", kAnna, kPut, l.token};
  http::Response res = Do(put);
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(res.problem, "csrf-token-missing");
  // Another first character (the token is random: it may begin with 'x').
  put.csrf = (l.csrf[0] == 'x' ? "y" : "x") + l.csrf.substr(1);
  EXPECT_EQ(Do(put).problem, "csrf-token-mismatch");
  put.csrf = l.csrf;
  put.origin = "https://evil.example";
  EXPECT_EQ(Do(put).problem, "origin-mismatch");
  put.origin = "http://nks.test:8443";  // plain HTTP: the Host's http origin
  res = Do(put);
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_NE(res.body.find("\"channel\":\"citizen\""), std::string::npos) << res.body;
  put.origin.clear();  // no Origin (older browsers, same-origin GET-less forms): the token suffices
  res = Do(put);
  EXPECT_EQ(res.status, 200) << res.body;  // unchanged
  // Safe methods need no token.
  res = Do({"GET", kAnna, "", l.token});
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.body.find("1551-0000123456"), std::string::npos);
  // The register recorded the citizen channel, the audit log the session's principal.
  bool committed = false;
  for (const auto& e : Audit()) {
    committed = committed || (e.actor == "citizen:010190-XXXX" && e.action == "PUT /api/v1/nemkonto/{id}" &&
                              e.outcome == "committed");
  }
  EXPECT_TRUE(committed);
}

TEST_F(AuthTest, ConfiguredOriginsReplaceTheHostRule) {
  api_.reset();
  ApiOptions options;
  options.data_dir = dir_;
  options.demo = true;
  options.origins = {"https://portal.nks.test"};
  api_ = std::move(Api::Open(store_.get(), reg_.get(), clock_.get(), options, nullptr)).value();
  Login l = Citizen();
  Call put{"PUT", kAnna, kPut, l.token, l.csrf, "http://nks.test:8443"};
  EXPECT_EQ(Do(put).problem, "origin-mismatch");
  put.origin = "https://PORTAL.nks.test";
  EXPECT_EQ(Do(put).status, 201);
}

TEST_F(AuthTest, CertificateRequestsIgnoreCookiesAndCsrf) {
  Login l = Citizen();
  Call put{"PUT", kAnna, kPut, l.token};
  put.certificate = kBankCert;  // the bank, whatever cookie the client sends
  http::Response res = Do(put);
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_NE(res.body.find("\"channel\":\"bank\""), std::string::npos) << res.body;
}

TEST_F(AuthTest, SessionsExpireAfterFifteenIdleMinutesAndEightHoursInAll) {
  Login l = Citizen();
  // Used every 14 minutes, it lives until 8 hours after the login.
  int64_t used = 0;
  while (used + 14 * 60 < 8 * 3600) {
    Advance(14 * 60);
    used += 14 * 60;
    http::Response res = Do({"GET", "/auth/session", "", l.token});
    ASSERT_EQ(res.status, 200) << used << ": " << res.body;
  }
  Advance(8 * 3600 - used);
  http::Response res = Do({"GET", "/auth/session", "", l.token});
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.problem, "session-expired");
  EXPECT_NE(res.body.find("8 hours"), std::string::npos) << res.body;
  EXPECT_EQ(Header(res, "Set-Cookie"), "nks_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  // Idle: 15 minutes without use.
  Login idle = Citizen();
  Advance(15 * 60 - 1);
  EXPECT_EQ(Do({"GET", kAnna, "", idle.token}).status, 200);
  Advance(15 * 60 - 1);
  EXPECT_EQ(Do({"GET", kAnna, "", idle.token}).status, 200);
  Advance(15 * 60);
  res = Do({"GET", kAnna, "", idle.token});
  EXPECT_EQ(res.problem, "session-expired");
  EXPECT_NE(res.body.find("15 minutes"), std::string::npos) << res.body;
}

TEST_F(AuthTest, LogoutDeletesTheSessionAndClearsTheCookie) {
  Login l = Citizen();
  EXPECT_EQ(Do({"POST", "/auth/logout", "", l.token}).problem, "csrf-token-missing");
  http::Response res = Do({"POST", "/auth/logout", "", l.token, l.csrf});
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_EQ(Header(res, "Set-Cookie"), "nks_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  EXPECT_FALSE(store_->GetSession(Sha256Hex(l.token))->has_value());
  res = Do({"GET", "/auth/session", "", l.token});
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.problem, "session-unknown");
  EXPECT_EQ(Do({"GET", kAnna, "", l.token}).problem, "session-unknown");
  // Never logged in at all.
  EXPECT_EQ(Do({"GET", "/auth/session"}).problem, "session-required");
  EXPECT_EQ(Do({"GET", "/auth/session", "", "made-up"}).problem, "session-unknown");
  bool logout = false;
  for (const auto& e : Audit()) logout = logout || (e.actor == "citizen:010190-XXXX" && e.action == "logout");
  EXPECT_TRUE(logout);
}

TEST_F(AuthTest, CitizensReachOnlyTheirOwnAndCompaniesOnlyLook) {
  Login anna = Citizen();
  const std::string other = std::string("/api/v1/nemkonto/cpr:") + kOther;
  EXPECT_EQ(Do({"GET", other, "", anna.token}).problem, "forbidden");
  EXPECT_EQ(Do({"PUT", other, kPut, anna.token, anna.csrf}).problem, "forbidden");
  EXPECT_EQ(Do({"GET", "/api/v1/nemkonto/0202902345", "", anna.token}).problem, "forbidden");  // bare CPR too
  EXPECT_EQ(Do({"GET", "/api/v1/nemkonto/cvr:80000006", "", anna.token}).problem, "forbidden");
  EXPECT_EQ(Do({"GET", kAnna + "/history", "", anna.token}).problem, "forbidden");
  EXPECT_EQ(Do({"GET", "/api/v1/payments", "", anna.token}).problem, "forbidden");
  EXPECT_EQ(Do({"GET", "/api/v1/nemkonto/cpr:nonsense", "", anna.token}).problem, "invalid-recipient-id");
  http::Response who = Do({"GET", "/api/v1/whoami", "", anna.token});
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(json::parse(who.body)["principal"], "citizen:010190-XXXX");
  EXPECT_EQ(who.body.find(kCpr), std::string::npos) << who.body;

  Login company = DemoLogin(R"({"role":"company","cvr":"80000006"})");
  EXPECT_EQ(company.session["principal"], "company:80000006");
  EXPECT_EQ(company.session["name"], "Test ApS");
  EXPECT_EQ(Do({"GET", std::string("/api/v1/nemkonto/cvr:") + kCvr, "", company.token}).status, 200);
  EXPECT_EQ(Do({"GET", "/api/v1/nemkonto/cvr:80000014", "", company.token}).problem, "forbidden");
  EXPECT_EQ(Do({"PUT", std::string("/api/v1/nemkonto/cvr:") + kCvr, kPut, company.token, company.csrf}).problem,
            "forbidden");
}

// The portal knows a session's own id only masked: "me" stands for it.
TEST_F(AuthTest, MeIsTheLoggedInCitizensOrCompanysOwnId) {
  Login anna = Citizen();
  http::Response mine = Do({"GET", kAnna, "", anna.token});
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Do({"GET", "/api/v1/nemkonto/me", "", anna.token}).body, mine.body);
  ASSERT_EQ(Do({"PUT", "/api/v1/nemkonto/me", kPut, anna.token, anna.csrf}).status, 201);  // she had none
  EXPECT_NE(Do({"GET", kAnna, "", anna.token}).body.find("1551-0000123456"), std::string::npos);
  EXPECT_EQ(Do({"GET", "/api/v1/nemkonto/me/history", "", anna.token}).problem, "forbidden");  // as for her own id

  Login company = DemoLogin(R"({"role":"company","cvr":"80000006"})");
  EXPECT_EQ(Do({"GET", "/api/v1/nemkonto/me", "", company.token}).body,
            Do({"GET", std::string("/api/v1/nemkonto/cvr:") + kCvr, "", company.token}).body);

  // An employee has no NemKonto of their own.
  Login cw = DemoLogin(R"({"role":"employee","authority":12345678,"user":"cw-read"})");
  http::Response r = Do({"GET", "/api/v1/nemkonto/me", "", cw.token});
  EXPECT_EQ(r.problem, "invalid-recipient-id") << r.body;
  EXPECT_NE(r.body.find("me names only a logged-in citizen or company"), std::string::npos) << r.body;
}

TEST_F(AuthTest, CitizensChangeAndDeleteOnlyUnlockedSpecificAccounts) {
  // The authority's caseworker creates two, one locked (by session too).
  Login cw = DemoLogin(R"({"role":"employee","authority":12345678,"user":"cw-report"})");
  EXPECT_EQ(cw.session["principal"], "employee:12345678/cw-report");
  EXPECT_EQ(cw.session["name"], "Per Reporter");
  for (auto [benefit, locked] : {std::pair{"boligstoette", false}, std::pair{"kapitalpension", true}}) {
    std::string body = std::string(R"({"account":"9570-0000777888","reference":"DOC-1","locked":)") +
                       (locked ? "true" : "false") + "}";
    http::Response res = Do({"PUT", kAnna + "/specific-accounts/" + benefit, body, cw.token, cw.csrf});
    ASSERT_EQ(res.status, 200) << res.body;
  }
  Login anna = Citizen();
  http::Response list = Do({"GET", kAnna + "/specific-accounts", "", anna.token});
  ASSERT_EQ(list.status, 200) << list.body;
  json j = json::parse(list.body);
  ASSERT_EQ(j["specific_accounts"].size(), 2u);
  EXPECT_EQ(j["specific_accounts"][0]["authority"], 12345678);
  const std::string body = R"({"account":"1551-0000999888","authority":12345678})";
  http::Response res = Do({"PUT", kAnna + "/specific-accounts/boligstoette", body, anna.token, anna.csrf});
  EXPECT_EQ(res.status, 200) << res.body;
  res = Do({"PUT", kAnna + "/specific-accounts/kapitalpension", body, anna.token, anna.csrf});
  EXPECT_EQ(res.problem, "forbidden") << res.body;
  res = Do({"PUT", kAnna + "/specific-accounts/boligstoette", R"({"account":"1551-0000999888","authority":12345678,"locked":false})",
            anna.token, anna.csrf});
  EXPECT_EQ(res.problem, "unknown-field") << res.body;
  res = Do({"DELETE", kAnna + "/specific-accounts/kapitalpension?authority=12345678", "", anna.token, anna.csrf});
  EXPECT_EQ(res.problem, "forbidden") << res.body;
  res = Do({"DELETE", kAnna + "/specific-accounts/boligstoette", "", anna.token, anna.csrf});
  EXPECT_EQ(res.problem, "invalid-query") << res.body;
  res = Do({"DELETE", kAnna + "/specific-accounts/boligstoette?authority=12345678", "", anna.token, anna.csrf});
  EXPECT_EQ(res.status, 200) << res.body;
}

TEST_F(AuthTest, EmployeeSessionsHaveTheirRoleProfilesRights) {
  Login reader = DemoLogin(R"({"role":"employee","authority":12345678,"user":"cw-read"})");
  EXPECT_EQ(Do({"GET", kAnna + "/history", "", reader.token}).status, 200);
  EXPECT_EQ(Do({"PUT", kAnna, R"({"account":"1551-0000123456","reference":"R"})", reader.token, reader.csrf}).problem,
            "function-not-granted");
  // Reads of a person's data by a caseworker are audited, as by certificate.
  bool read = false;
  for (const auto& e : Audit()) read = read || (e.actor == "employee:12345678/cw-read" && e.action == "GET /api/v1/nemkonto/{id}/history");
  EXPECT_TRUE(read);
}

}  // namespace
}  // namespace nks::api
