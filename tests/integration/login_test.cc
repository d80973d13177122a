// Human login end to end (issue 4, item 4): the real `nks serve` binary
// over TLS with `--demo`, a browser's requests made by hand (cookie, CSRF
// header, Origin): demo login -> session -> a citizen's own NemKonto
// changed with and without the CSRF token -> logout -> 401. And `--demo`
// refused anywhere but on loopback.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "nks_runner.h"

namespace {

using nks::testing::RunResult;
using nks::testing::Slurp;

constexpr const char* kClock = "2026-11-25T12:00:00+01:00";

int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  close(s);
  return ntohs(a.sin_port);
}

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
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    NksTest::TearDown();
  }
  void Sh(const std::string& cmd) {
    ASSERT_EQ(std::system(("cd " + dir_.string() + " && " + cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
  }

  void StartServer(std::vector<std::string> extra) {
    port_ = FreePort();
    std::vector<std::string> args = {"--clock", kClock, "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--tls-cert", Path("server.pem"), "--tls-key", Path("server.key"),
                                     "--access-log", Path("access.log")};
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

}  // namespace
