// Human login end to end (issue 4, item 4): the real `nks serve` binary
// over TLS with `--demo`, a browser's requests made by hand (cookie, CSRF
// header, Origin): demo login -> session -> a citizen's own NemKonto
// changed with and without the CSRF token -> logout -> 401. And `--demo`
// refused anywhere but on loopback.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fcntl.h>

#include <chrono>
#include <optional>
#include <thread>

#include "nks_runner.h"

namespace {

using nks::testing::FreePort;
using nks::testing::RunResult;
using nks::testing::Slurp;

constexpr const char* kClock = "2026-11-25T12:00:00+01:00";

// The value of a JSON body's string field (enough for these answers).
std::string Field(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  size_t at = body.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  return body.substr(at, body.find('"', at) - at);
}

class Login : public nks::testing::NksTest {
 protected:
  void SetUp() override {
    NksTest::SetUp();
    ASSERT_EQ(Nks({"init"}).code, 0);
    ASSERT_EQ(Nks({"gen", "population", "--persons", "200", "--companies", "10", "--seed", "5", "--out",
                   Path("pop")}).code, 0);
    for (std::string f : {"cpr", "cvr", "units", "nemkonti"}) {
      ASSERT_EQ(Nks({"import", f, Path("pop/" + f + ".csv")}).code, 0) << f;
    }
    RunResult applied = Nks({"config", "apply", Path("pop/config.nks")});
    ASSERT_EQ(applied.code, 0) << applied.err;
    Sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
       "subjectAltName=IP:127.0.0.1,DNS:localhost -keyout server.key -out server.pem");
    std::string csv = Slurp(Path("pop/nemkonti.csv"));
    size_t l2 = csv.find('\n') + 1;
    std::string line = csv.substr(l2, csv.find('\n', l2) - l2);
    ASSERT_EQ(line.rfind("cpr,", 0), 0u) << line;
    cpr_ = line.substr(4, 10);
  }
  void TearDown() override {
    for (pid_t p : {pid_, provider_pid_}) {
      if (p > 0) {
        kill(p, SIGKILL);
        waitpid(p, nullptr, 0);
      }
    }
    NksTest::TearDown();
  }
  void Sh(const std::string& cmd) {
    ASSERT_EQ(std::system(("cd " + dir_.string() + " && " + cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
  }

  void StartServer(std::vector<std::string> extra, bool fixed_clock = true) {
    if (port_ == 0) port_ = FreePort();
    std::vector<std::string> args = {"--clock", fixed_clock ? kClock : "", "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--tls-cert", Path("server.pem"), "--tls-key", Path("server.key"),
                                     "--access-log", Path("access.log")};
    if (!fixed_clock) args.erase(args.begin(), args.begin() + 2);
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = Start(args);
    for (int i = 0; i < 200; ++i) {
      if (auto r = Client()->Get("/healthz"); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    FAIL() << "nks serve did not come up";
  }
  void StopServer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    port_ = 0;
  }
  std::unique_ptr<httplib::SSLClient> Client() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    c->enable_server_certificate_verification(false);
    c->set_read_timeout(10, 0);
    return c;
  }
  std::string Origin() { return "https://127.0.0.1:" + std::to_string(port_); }

  int port_ = 0;
  pid_t pid_ = -1;
  pid_t provider_pid_ = -1;
  std::string cpr_;
};

TEST_F(Login, DemoLoginSessionCsrfAndLogout) {
  StartServer({"--demo"});
  auto browser = Client();
  // Log in as the citizen.
  auto r = browser->Post("/auth/demo", {{"Origin", Origin()}}, "{\"role\":\"citizen\",\"cpr\":\"" + cpr_ + "\"}",
                         "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Field(r->body, "kind"), "citizen");
  EXPECT_EQ(r->body.find(cpr_), std::string::npos) << "CPR unmasked: " << r->body;
  EXPECT_NE(r->body.find("\"demo\":true"), std::string::npos) << r->body;
  const std::string set_cookie = r->get_header_value("Set-Cookie");
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; SameSite=Lax"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; Secure"), std::string::npos) << set_cookie;  // TLS
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos) << set_cookie;
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf = Field(r->body, "csrf_token");
  ASSERT_EQ(csrf.size(), 43u) << r->body;

  // The session.
  r = browser->Get("/auth/session", {{"Cookie", cookie}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Field(r->body, "csrf_token"), csrf);
  EXPECT_EQ(Field(r->body, "expires_at"), "2026-11-25T11:15:00Z");

  // A change without the CSRF token is refused and changes nothing.
  const std::string url = "/api/v1/nemkonto/cpr:" + cpr_;
  const std::string body = "{\"account\":\"1551-0000123456\"}";
  r = browser->Put(url, {{"Cookie", cookie}, {"Origin", Origin()}}, body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(Field(r->body, "code"), "csrf-token-missing");
  r = browser->Put(url, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", "https://evil.example"}}, body,
                   "application/json");
  EXPECT_EQ(Field(r->body, "code"), "origin-mismatch");
  r = browser->Get(url, {{"Cookie", cookie}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body.find("1551-0000123456"), std::string::npos) << r->body;
  // With it: active at once (the citizen channel).
  r = browser->Put(url, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", Origin()}}, body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(Field(r->body, "channel"), "citizen");
  r = browser->Get(url, {{"Cookie", cookie}});
  EXPECT_NE(r->body.find("1551-0000123456"), std::string::npos) << r->body;
  // Someone else's NemKonto is not the citizen's to see.
  const std::string other = cpr_ == "0101901234" ? "0202902345" : "0101901234";
  r = browser->Get("/api/v1/nemkonto/cpr:" + other, {{"Cookie", cookie}});
  EXPECT_EQ(r->status, 403) << r->body;

  // Logout: 204, the cookie cleared, the session gone.
  r = browser->Post("/auth/logout", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", Origin()}}, "",
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << r->body;
  EXPECT_NE(r->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  r = browser->Get("/auth/session", {{"Cookie", cookie}});
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Field(r->body, "code"), "session-unknown");
  r = browser->Put(url, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, body, "application/json");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Field(r->body, "code"), "session-unknown");
  StopServer();

  // The audit log has the login, the change and the logout, CPR masked.
  RunResult audit = Nks({"audit", "show"});
  ASSERT_EQ(audit.code, 0) << audit.err;
  const std::string masked = "citizen:" + cpr_.substr(0, 6) + "-XXXX";
  EXPECT_NE(audit.out.find(masked + "\tlogin\tdemo from 127.0.0.1:"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find(masked + "\tlogout"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("PUT /api/v1/nemkonto/{id}"), std::string::npos) << audit.out;
  EXPECT_EQ(audit.out.find(cpr_), std::string::npos) << audit.out;
  EXPECT_EQ(Nks({"audit", "verify"}).code, 0);
}

TEST_F(Login, SessionsAreDurableAcrossRestarts) {
  StartServer({"--demo"});
  auto r = Client()->Post("/auth/demo", "{\"role\":\"citizen\",\"cpr\":\"" + cpr_ + "\"}", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string cookie = r->get_header_value("Set-Cookie").substr(0, r->get_header_value("Set-Cookie").find(';'));
  StopServer();
  StartServer({"--demo"});  // the session is in the store, not in the process
  r = Client()->Get("/auth/session", {{"Cookie", cookie}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  StopServer();
  StartServer({});  // without --demo, no demo login and no demo session
  r = Client()->Post("/auth/demo", "{\"role\":\"citizen\",\"cpr\":\"" + cpr_ + "\"}", "application/json");
  EXPECT_EQ(r->status, 404);
  r = Client()->Get("/auth/session", {{"Cookie", cookie}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_EQ(Field(r->body, "code"), "session-unknown");
}

TEST_F(Login, DemoIsRefusedOffLoopback) {
  RunResult r = Nks({"serve", "--listen", "0.0.0.0:" + std::to_string(FreePort()), "--tls-cert", Path("server.pem"),
                     "--tls-key", Path("server.key"), "--demo"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--demo"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
}

// ---- OpenID Connect ----

std::string Encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out.push_back(static_cast<char>(c));
    else out += "%" + std::string(1, "0123456789ABCDEF"[c >> 4]) + "0123456789ABCDEF"[c & 15];
  }
  return out;
}

// A Set-Cookie header of the answer by cookie name ("" when none).
std::string SetCookie(const httplib::Response& r, const std::string& name) {
  for (size_t i = 0; i < r.get_header_value_count("Set-Cookie"); ++i) {
    std::string v = r.get_header_value("Set-Cookie", i);
    if (v.rfind(name + "=", 0) == 0) return v;
  }
  return "";
}

class Oidc : public Login {
 protected:
  void SetUp() override {
    Login::SetUp();
    provider_port_ = FreePort();
    port_ = FreePort();
    issuer_ = "https://127.0.0.1:" + std::to_string(provider_port_);
    const std::string redirect = "https://127.0.0.1:" + std::to_string(port_) + "/auth/callback";
    provider_pid_ = fork();
    if (provider_pid_ == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(NKS_OIDC_PROVIDER, NKS_OIDC_PROVIDER, "--port", std::to_string(provider_port_).c_str(), "--cert",
            Path("server.pem").c_str(), "--key", Path("server.key").c_str(), "--issuer", issuer_.c_str(),
            "--client-id", "nemkonto", "--client-secret", "s3cret-of-the-client", "--redirect-uri", redirect.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    Write("oidc.secret", "s3cret-of-the-client\n");
    const std::string common = " issuer=" + issuer_ + " client_id=nemkonto secret_file=" + Path("oidc.secret") +
                               " redirect_uri=" + redirect + " ca_file=" + Path("server.pem");
    Write("oidc.nks", "oidc id=broker" + common + " kind=citizen scopes=\"openid ssn\" cpr_claim=dk:cpr cvr_claim=dk:cvr\n" +
                          "oidc id=erhverv" + common + " kind=employee authority=12345678 user_claim=uid\n");
    RunResult applied = Nks({"config", "apply", Path("oidc.nks")});
    ASSERT_EQ(applied.code, 0) << applied.err;
    for (int i = 0; i < 200; ++i) {
      if (auto r = ProviderClient()->Get("/.well-known/openid-configuration"); r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    StartServer({}, false);  // the provider's tokens carry the real time
  }
  std::unique_ptr<httplib::SSLClient> ProviderClient() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", provider_port_);
    c->enable_server_certificate_verification(false);
    c->set_read_timeout(10, 0);
    return c;
  }

  // What the browser does: /auth/login, the provider (logging in the
  // subject of `hint`), the callback. Returns the callback's answer.
  struct Walk {
    std::optional<httplib::Response> callback;
    std::string login_cookie;
    std::string callback_path;
  };
  Walk Go(const std::string& provider, const std::string& hint, const std::string& return_to = "/portal/home") {
    Walk w;
    auto browser = Client();
    auto r = browser->Get("/auth/login?provider=" + provider + "&return_to=" + Encode(return_to));
    EXPECT_TRUE(r);
    if (!r) return w;
    EXPECT_EQ(r->status, 302) << r->body;
    const std::string location = r->get_header_value("Location");
    EXPECT_EQ(location.rfind(issuer_ + "/authorize?", 0), 0u) << location;
    for (const char* part : {"response_type=code", "client_id=nemkonto", "code_challenge_method=S256", "&nonce=",
                             "&state=", "scope=openid"}) {  // (httplib decodes a Location it reads)
      EXPECT_NE(location.find(part), std::string::npos) << part << " in " << location;
    }
    const std::string login = SetCookie(*r, "nks_login");
    EXPECT_NE(login.find("; HttpOnly"), std::string::npos) << login;
    w.login_cookie = login.substr(0, login.find(';'));
    auto at_provider = ProviderClient()->Get(location.substr(issuer_.size()) + "&login_hint=" + Encode(hint));
    EXPECT_TRUE(at_provider);
    if (!at_provider) return w;
    EXPECT_EQ(at_provider->status, 302) << at_provider->body;
    const std::string back = at_provider->get_header_value("Location");
    const std::string ours = "https://127.0.0.1:" + std::to_string(port_);
    EXPECT_EQ(back.rfind(ours + "/auth/callback?", 0), 0u) << back;
    w.callback_path = back.substr(ours.size());
    auto answer = browser->Get(w.callback_path, {{"Cookie", w.login_cookie}});
    if (answer) w.callback = *answer;
    return w;
  }

  int provider_port_ = 0;
  std::string issuer_;
};

TEST_F(Oidc, CitizenLogsInThroughTheProviderAndUsesTheSession) {
  Walk w = Go("broker", "dk:cpr=" + cpr_ + ";name=Anna Borger");
  ASSERT_TRUE(w.callback);
  ASSERT_EQ(w.callback->status, 302) << w.callback->body;
  EXPECT_EQ(w.callback->get_header_value("Location"), "/portal/home");
  const std::string session = SetCookie(*w.callback, "nks_session");
  EXPECT_NE(session.find("; Secure"), std::string::npos) << session;
  EXPECT_NE(SetCookie(*w.callback, "nks_login").find("Max-Age=0"), std::string::npos);
  const std::string cookie = session.substr(0, session.find(';'));
  auto browser = Client();
  auto r = browser->Get("/auth/session", {{"Cookie", cookie}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Field(r->body, "kind"), "citizen");
  EXPECT_EQ(Field(r->body, "provider"), "broker");
  EXPECT_EQ(Field(r->body, "name"), "Anna Borger");
  EXPECT_NE(r->body.find("\"demo\":false"), std::string::npos) << r->body;
  const std::string csrf = Field(r->body, "csrf_token");
  r = browser->Put("/api/v1/nemkonto/cpr:" + cpr_, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                   "{\"account\":\"1551-0000123456\"}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  // The portal asks for "me": the session knows her CPR number, the portal only its mask.
  r = browser->Get("/api/v1/nemkonto/me", {{"Cookie", cookie}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("1551-0000123456"), std::string::npos) << r->body;
  // The callback is good once.
  r = browser->Get(w.callback_path, {{"Cookie", w.login_cookie}});
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Field(r->body, "code"), "login-failed");
  // The demo login is off on this server.
  r = browser->Post("/auth/demo", "{\"role\":\"citizen\",\"cpr\":\"" + cpr_ + "\"}", "application/json");
  EXPECT_EQ(r->status, 404);
}

TEST_F(Oidc, CompanyUsersAndEmployeesByTheirClaims) {
  std::string cvr = Slurp(Path("pop/cvr.csv"));
  cvr = cvr.substr(cvr.find('\n') + 1, 8);
  Walk w = Go("broker", "dk:cvr=" + cvr + ";dk:cpr=" + cpr_);
  ASSERT_TRUE(w.callback);
  ASSERT_EQ(w.callback->status, 302) << w.callback->body;
  std::string cookie = SetCookie(*w.callback, "nks_session");
  auto r = Client()->Get("/auth/session", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  EXPECT_EQ(Field(r->body, "principal"), "company:" + cvr) << r->body;

  w = Go("erhverv", "uid=cw1");
  ASSERT_TRUE(w.callback);
  ASSERT_EQ(w.callback->status, 302) << w.callback->body;
  cookie = SetCookie(*w.callback, "nks_session");
  r = Client()->Get("/api/v1/whoami", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  ASSERT_TRUE(r);
  EXPECT_EQ(Field(r->body, "principal"), "employee:12345678/cw1") << r->body;

  w = Go("erhverv", "uid=nobody");
  ASSERT_TRUE(w.callback);
  EXPECT_EQ(w.callback->status, 403) << w.callback->body;
  EXPECT_TRUE(SetCookie(*w.callback, "nks_session").empty());
}

TEST_F(Oidc, EveryWrongTokenIsRefusedAndAudited) {
  const struct {
    const char* knob;
    const char* says;
  } cases[] = {
      {"wrong-aud", "aud"},          {"wrong-iss", "iss"},          {"expired", "expired"},
      {"future-iat", "future"},      {"bad-signature", "signature"}, {"wrong-nonce", "nonce"},
      {"no-nonce", "nonce"},         {"alg-none", "RS256 only"},    {"hs256", "RS256 only"},
      {"unknown-kid", "not in the JWKS"},
  };
  for (const auto& k : cases) {
    Walk w = Go("broker", "dk:cpr=" + cpr_ + ";misbehave=" + k.knob);
    ASSERT_TRUE(w.callback) << k.knob;
    EXPECT_EQ(w.callback->status, 401) << k.knob << ": " << w.callback->body;
    EXPECT_EQ(Field(w.callback->body, "code"), "login-failed") << k.knob;
    EXPECT_NE(Field(w.callback->body, "detail").find(k.says), std::string::npos) << k.knob << ": " << w.callback->body;
    EXPECT_TRUE(SetCookie(*w.callback, "nks_session").empty()) << k.knob;
  }
  // A rotated key is fetched anew (the JWKS is refetched on an unknown kid).
  Walk w = Go("broker", "dk:cpr=" + cpr_ + ";misbehave=rotate");
  ASSERT_TRUE(w.callback);
  EXPECT_EQ(w.callback->status, 302) << w.callback->body;
  // No open redirect; the callback belongs to the browser that began the login.
  auto r = Client()->Get("/auth/login?provider=broker&return_to=" + Encode("https://evil.example/"));
  EXPECT_EQ(r->status, 400);
  r = Client()->Get("/auth/login?provider=broker&return_to=" + Encode("//evil.example/"));
  EXPECT_EQ(r->status, 400);
  r = Client()->Get("/auth/login?provider=nosuch");
  EXPECT_EQ(r->status, 400);
  auto start = Client()->Get("/auth/login?provider=broker");
  ASSERT_TRUE(start);
  const std::string location = start->get_header_value("Location");
  auto at_provider = ProviderClient()->Get(location.substr(issuer_.size()) + "&login_hint=" + Encode("dk:cpr=" + cpr_));
  ASSERT_TRUE(at_provider);
  const std::string back = at_provider->get_header_value("Location");
  r = Client()->Get(back.substr(back.find("/auth/callback")));  // no nks_login cookie: another browser
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(Field(r->body, "detail").find("nks_login"), std::string::npos) << r->body;
  StopServer();
  RunResult audit = Nks({"audit", "show"});
  ASSERT_EQ(audit.code, 0);
  size_t failures = 0, successes = 0;
  for (size_t at = audit.out.find("\tlogin\toidc:broker"); at != std::string::npos;
       at = audit.out.find("\tlogin\toidc:broker", at + 1)) {
    const std::string line = audit.out.substr(at, audit.out.find('\n', at) - at);
    (line.find("\tok") != std::string::npos ? successes : failures)++;
  }
  EXPECT_EQ(successes, 1u) << audit.out;
  EXPECT_EQ(failures, 10u + 1u + 2u) << audit.out;  // the tokens, the other browser, the two return_to
  EXPECT_EQ(audit.out.find(cpr_), std::string::npos);
  EXPECT_EQ(audit.out.find("s3cret"), std::string::npos);
}

}  // namespace
