// `nks serve` end to end: the real binary on a free loopback port over a
// real data directory, spoken to over HTTPS with client certificates made
// at test time by the openssl command line.
#include <httplib.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "nks_runner.h"

namespace {

namespace fs = std::filesystem;
using nks::testing::FreePort;
using nks::testing::RunResult;
using nks::testing::Slurp;

constexpr const char* kClock = "2026-11-25T12:00:00+01:00";

class Serve : public nks::testing::NksTest {
 protected:
  void SetUp() override {
    NksTest::SetUp();
    ASSERT_EQ(Nks({"init"}).code, 0);
    ASSERT_EQ(Nks({"gen", "population", "--persons", "500", "--companies", "20", "--seed", "3", "--out",
                   Path("pop")}).code, 0);
    for (std::string f : {"cpr", "cvr", "units", "nemkonti"}) {
      ASSERT_EQ(Nks({"import", f, Path("pop/" + f + ".csv")}).code, 0) << f;
    }
    MakeCertificates();
    std::string config = Slurp(Path("pop/config.nks"));
    config += "principal certificate=" + Fingerprint("system") + " kind=system system=SERVICEPLATFORM\n";
    config += "principal certificate=" + Fingerprint("bank") + " kind=bank bank=1551\n";
    // The demo authority's own bank (its bank agreement's BIC), which reports back.
    config += "principal certificate=" + Fingerprint("agentbank") + " kind=bank bank=DABADKKK\n";
    config += "principal subject=\"CN=cw1,O=Demo Kommune\" kind=employee authority=12345678 user=cw1\n";
    Write("config.nks", config);
    RunResult applied = Nks({"config", "apply", Path("config.nks")});
    ASSERT_EQ(applied.code, 0) << applied.err;
    // A recipient with a NemKonto (nemkonti.csv line 2).
    std::string csv = Slurp(Path("pop/nemkonti.csv"));
    size_t l2 = csv.find('\n') + 1;
    std::string line = csv.substr(l2, csv.find('\n', l2) - l2);
    cpr_ = line.substr(4, 10);
    account_ = line.substr(15, 15);
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    NksTest::TearDown();
  }

  void Sh(const std::string& cmd) { ASSERT_EQ(std::system(("cd " + dir_.string() + " && " + cmd + " >/dev/null 2>&1").c_str()), 0) << cmd; }

  // A CA, the server's certificate, and client certificates: system, bank,
  // employee (by subject), stranger (trusted CA, not configured) and rogue
  // (another CA).
  void MakeCertificates() {
    auto ca = [&](const std::string& name) {
      Sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name + " -keyout " + name +
         ".key -out " + name + ".pem");
    };
    auto leaf = [&](const std::string& name, const std::string& subject, const std::string& by) {
      Sh("openssl req -newkey rsa:2048 -nodes -subj '" + subject + "' -keyout " + name + ".key -out " + name +
         ".csr");
      Sh("printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > " + name + ".ext");
      Sh("openssl x509 -req -in " + name + ".csr -CA " + by + ".pem -CAkey " + by + ".key -CAcreateserial -days 2 -extfile " +
         name + ".ext -out " + name + ".pem");
    };
    ca("ca");
    ca("rogue-ca");
    leaf("server", "/CN=localhost", "ca");
    leaf("system", "/CN=serviceplatform/O=KOMBIT", "ca");
    leaf("bank", "/CN=bank 1551", "ca");
    leaf("agentbank", "/CN=Danske Bank payouts", "ca");
    leaf("employee", "/O=Demo Kommune/CN=cw1", "ca");
    leaf("stranger", "/CN=stranger", "ca");
    leaf("rogue", "/CN=rogue", "rogue-ca");
  }
  std::string Fingerprint(const std::string& name) {
    Sh("(openssl x509 -noout -fingerprint -sha256 -in " + name + ".pem > " + name + ".fp)");
    std::string text = Slurp(Path(name + ".fp"));
    std::string hex;
    for (char c : text.substr(text.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex.push_back(static_cast<char>(std::tolower(c)));
    }
    return "sha256:" + hex;
  }

  void StartServer(std::vector<std::string> extra = {}) {
    port_ = FreePort();
    std::vector<std::string> args = {"--clock", kClock, "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--tls-cert", Path("server.pem"), "--tls-key", Path("server.key"),
                                     "--client-ca", Path("ca.pem"), "--access-log", Path("access.log")};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = Start(args);
    for (int i = 0; i < 200; ++i) {
      auto c = Client("");
      if (auto r = c->Get("/healthz"); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    FAIL() << "nks serve did not come up";
  }
  std::unique_ptr<httplib::SSLClient> Client(const std::string& who) {
    auto c = who.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port_)
                         : std::make_unique<httplib::SSLClient>("127.0.0.1", port_, Path(who + ".pem"), Path(who + ".key"));
    c->enable_server_certificate_verification(false);
    c->set_read_timeout(10, 0);
    return c;
  }
  static std::string Code(const httplib::Result& r) {
    if (!r) return "no answer";
    size_t at = r->body.find("\"code\":\"");
    if (at == std::string::npos) return "";
    at += 8;
    return r->body.substr(at, r->body.find('"', at) - at);
  }
  std::string Url() { return "/api/v1/nemkonto/cpr:" + cpr_; }

  int port_ = 0;
  pid_t pid_ = -1;
  std::string cpr_, account_;
};

TEST_F(Serve, LooksUpAndChangesNemKontoWithTheRightPrincipals) {
  StartServer();
  auto bank = Client("bank");
  auto r = bank->Get(Url());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find(account_), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find(cpr_), std::string::npos);  // masked
  auto who = Client("employee")->Get("/api/v1/whoami");
  ASSERT_TRUE(who);
  EXPECT_NE(who->body.find("employee:12345678/cw1"), std::string::npos) << who->body;
  // A bank reports a new NemKonto: active at once, seen by the next lookup.
  r = bank->Put(Url(), "{\"account\":\"1551-0000123456\"}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  r = bank->Get(Url());
  EXPECT_NE(r->body.find("1551-0000123456"), std::string::npos) << r->body;
  // An employee reports one: pending activation, the lookup keeps the old.
  auto employee = Client("employee");
  r = employee->Put(Url(), "{\"account\":\"9570-0000555666\",\"reference\":\"DOC-1\"}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  EXPECT_NE(r->body.find("pending-activation"), std::string::npos);
  EXPECT_NE(bank->Get(Url())->body.find("1551-0000123456"), std::string::npos);
  r = employee->Get(Url() + "/history");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"pending\""), std::string::npos) << r->body;
  // A payment system may not change the register.
  r = Client("system")->Put(Url(), "{\"account\":\"1551-0000123456\"}", "application/json");
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(Code(r), "forbidden");
  r = Client("bank")->Get("/metrics");
  EXPECT_NE(r->body.find("nks_http_requests_total{route=\"GET /api/v1/nemkonto/{id}\",status=\"200\"}"),
            std::string::npos);
  EXPECT_EQ(Client("bank")->Get("/api/v1/openapi.json")->status, 200);
}

TEST_F(Serve, WrongOrMissingCertificatesGetProblemsAndAreLogged) {
  StartServer();
  auto r = Client("")->Get(Url());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Code(r), "client-certificate-required");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  r = Client("rogue")->Get(Url());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Code(r), "client-certificate-untrusted");
  r = Client("stranger")->Get(Url());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(Code(r), "unknown-client");
  r = Client("bank")->Post("/api/v1/payment-files", "<x/>", "application/xml");
  EXPECT_EQ(r->status, 403);
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  std::string log = Slurp(Path("access.log"));
  EXPECT_NE(log.find("\"problem\":\"client-certificate-untrusted\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"problem\":\"unknown-client\""), std::string::npos);
  EXPECT_EQ(log.find(cpr_), std::string::npos) << "a CPR number in the access log";
}

TEST_F(Serve, BadInputGetsPreciseProblemsAndChangesNothing) {
  StartServer();
  auto bank = Client("bank");
  auto check = [&](const httplib::Result& r, int status, const std::string& code) {
    ASSERT_TRUE(r) << code;
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(Code(r), code) << r->body;
  };
  check(bank->Put(Url(), "{\"account\":", "application/json"), 400, "malformed-json");
  check(bank->Put(Url(), "{\"account\":\"1551-0000123456\",\"colour\":1}", "application/json"), 400, "unknown-field");
  check(bank->Put(Url(), "{}", "application/json"), 400, "missing-field");
  check(bank->Put(Url(), "{\"account\":7}", "application/json"), 400, "invalid-field");
  check(bank->Put(Url(), "{\"account\":\"1551-0000123456\"}", "text/plain"), 415, "unsupported-media-type");
  check(bank->Put(Url(), std::string(100 * 1024, ' '), "application/json"), 413, "body-too-large");
  check(bank->Get("/api/v1/nemkonto/cpr:320185-1234"), 400, "invalid-recipient-id");
  check(bank->Get("/api/v1/nemkonto/cvr:12345679"), 400, "invalid-recipient-id");
  check(bank->Get("/api/v1/nope"), 404, "not-found");
  check(bank->Post("/healthz", "", "application/json"), 405, "method-not-allowed");
  httplib::Headers many;
  for (int i = 0; i < 100; ++i) many.emplace("X-H" + std::to_string(i), "1");
  check(Client("bank")->Get(Url(), many), 431, "too-many-headers");
  auto r = Client("bank")->Get(Url());
  EXPECT_NE(r->body.find(account_), std::string::npos) << "the NemKonto changed: " << r->body;
}

TEST_F(Serve, IdempotencyKeyReplaysAndRefusesAnotherBody) {
  StartServer();
  auto bank = Client("bank");
  httplib::Headers key = {{"Idempotency-Key", "k-1"}};
  auto first = bank->Put(Url(), key, "{\"account\":\"1551-0000123456\"}", "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201);
  // Someone else changes it meanwhile; the replay must not change it back.
  ASSERT_EQ(bank->Put(Url(), "{\"account\":\"1551-0000999999\"}", "application/json")->status, 201);
  auto replay = bank->Put(Url(), key, "{\"account\":\"1551-0000123456\"}", "application/json");
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 201);
  EXPECT_EQ(replay->body, first->body);
  EXPECT_EQ(replay->get_header_value("Idempotency-Replayed"), "true");
  EXPECT_NE(bank->Get(Url())->body.find("1551-0000999999"), std::string::npos);
  auto other = bank->Put(Url(), key, "{\"account\":\"1551-0000777777\"}", "application/json");
  EXPECT_EQ(other->status, 422);
  EXPECT_EQ(Code(other), "idempotency-key-reused");
  EXPECT_EQ(Code(bank->Put(Url(), {{"Idempotency-Key", ""}}, "{\"account\":\"1551-0000777777\"}",
                           "application/json")), "idempotency-key-invalid");
  // Keys are per client: the employee's k-1 is its own.
  auto employee = Client("employee")->Put(Url(), key, "{\"account\":\"9570-0000555666\",\"reference\":\"D\"}",
                                          "application/json");
  EXPECT_EQ(employee->status, 201) << employee->body;
}

TEST_F(Serve, PaymentFilesStatusReportsSearchAndStop) {
  RunResult g = Nks({"gen", "payments", "--count", "50", "--seed", "4", "--out", Path("pop/pay.xml"), "--date",
                     "2026-11-30"});
  ASSERT_EQ(g.code, 0) << g.err;
  StartServer();
  auto system = Client("system");
  std::string file = Slurp(Path("pop/pay.xml"));
  auto r = system->Post("/api/v1/payment-files", file, "application/xml");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_NE(r->body.find("\"status_report\":\"/api/v1/payment-files/"), std::string::npos);
  r = system->Post("/api/v1/payment-files", file, "application/xml");  // re-sent: the first answer
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"replayed\":true"), std::string::npos) << r->body;
  size_t at = r->body.find("\"msg_id\":\"") + 10;
  std::string msg_id = r->body.substr(at, r->body.find('"', at) - at);
  r = system->Get("/api/v1/payment-files/" + msg_id + "/status-report");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("pain.002"), std::string::npos);
  r = system->Get("/api/v1/payments?status=pending&limit=5");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  at = r->body.find("\"end_to_end\":\"") + 14;
  std::string e2e = r->body.substr(at, r->body.find('"', at) - at);
  EXPECT_EQ(Code(system->Get("/api/v1/payments?colour=red")), "invalid-query");
  auto employee = Client("employee");
  r = employee->Get("/api/v1/payments/SERVICEPLATFORM/" + e2e);
  EXPECT_EQ(r->status, 200) << r->body;
  r = employee->Post("/api/v1/payments/SERVICEPLATFORM/" + e2e + "/stop", "", "application/json");
  EXPECT_EQ(r->status, 200) << r->body;
  r = employee->Get("/api/v1/payments/SERVICEPLATFORM/" + e2e);
  EXPECT_NE(r->body.find("\"status\":\"stopped\""), std::string::npos) << r->body;
  r = employee->Post("/api/v1/payments/SERVICEPLATFORM/" + e2e + "/stop", "", "application/json");
  EXPECT_GE(r->status, 400);
  EXPECT_EQ(Code(Client("system")->Post("/api/v1/payment-files", file, "application/json")), "unsupported-media-type");
}

// A single payment over the API goes through the same intake as a file,
// is forwarded by the cut-off, and the authority's bank reports it rejected
// over the API; another bank's report about it changes nothing.
TEST_F(Serve, SinglePaymentIsForwardedAndItsBankReportsBack) {
  StartServer();
  auto system = Client("system");
  const std::string payment =
      R"({"authority":12345678,"bank_agreement":"PIA-4711","los":"DK-YDELSE","payout_date":"2026-11-30",)"
      R"("debtor_account":"3001-0001234567","debtor_bank":"DABADKKK","end_to_end":"ONE-1","amount_ore":123456,)"
      R"("benefit_type":"boligstoette","recipient":"cpr:)" + cpr_ + R"(","remittance":"Boligstøtte december"})";
  auto r = system->Post("/api/v1/payments", payment, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_NE(r->body.find("\"status\":\"pending\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"amount_ore\":123456"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find(cpr_), std::string::npos) << "CPR masked: " << r->body;
  EXPECT_EQ(r->body.find(account_.substr(5)), std::string::npos) << "account masked: " << r->body;
  r = system->Post("/api/v1/payments", payment, "application/json");
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"replayed\":true"), std::string::npos) << r->body;
  std::string bad = payment;
  bad.replace(bad.find("amount_ore\":123456"), 18, "amount_ore\":\"12\"");
  r = system->Post("/api/v1/payments", bad, "application/json");
  EXPECT_EQ(Code(r), "invalid-field") << bad << " -> " << r->body;
  EXPECT_EQ(Code(system->Post("/api/v1/payments", R"({"colour":"red"})", "application/json")), "unknown-field");
  EXPECT_EQ(Code(Client("employee")->Post("/api/v1/payments", payment, "application/json")), "forbidden");
  std::string other = payment;
  other.replace(other.find("ONE-1"), 5, "ONE-2");
  other.replace(other.find("boligstoette"), 12, "no-such-type");
  r = system->Post("/api/v1/payments", other, "application/json");
  EXPECT_EQ(r->status, 422) << "rejected alone, with its report: " << r->body;
  EXPECT_NE(r->body.find("\"status\":\"RJCT\""), std::string::npos) << r->body;

  RunResult c = Nks({"cutoff"}, "2026-11-27T06:00:00+01:00");
  ASSERT_EQ(c.code, 0) << c.err;
  std::string instr_id;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(data_) / "outbox" / "bank")) {
    if (!entry.is_regular_file()) continue;
    std::string xml = Slurp(entry.path().string());
    size_t at = xml.find("<EndToEndId>ONE-1</EndToEndId>");
    if (at == std::string::npos) continue;
    size_t open = xml.rfind("<InstrId>", at);
    instr_id = xml.substr(open + 9, xml.find("</InstrId>", open) - open - 9);
  }
  ASSERT_FALSE(instr_id.empty()) << "the payment is in a bank file";
  const std::string report =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.11\"><CstmrPmtStsRpt>\n"
      "<GrpHdr><MsgId>BANK-API-1</MsgId><CreDtTm>2026-11-30T08:00:00</CreDtTm></GrpHdr>\n"
      "<OrgnlGrpInfAndSts><OrgnlMsgId>NKS-BANKFILE</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.10"
      "</OrgnlMsgNmId></OrgnlGrpInfAndSts>\n<OrgnlPmtInfAndSts><OrgnlPmtInfId>P</OrgnlPmtInfId>\n"
      "<TxInfAndSts><OrgnlInstrId>" + instr_id + "</OrgnlInstrId><OrgnlEndToEndId>ONE-1</OrgnlEndToEndId>"
      "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf></TxInfAndSts>\n"
      "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n";
  // Bank 1551 did not get this payment: its report about it changes nothing.
  r = Client("bank")->Post("/api/v1/bank-reports", report, "application/xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"returned\":0"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("no such payment"), std::string::npos) << r->body;
  EXPECT_EQ(Code(system->Post("/api/v1/bank-reports", report, "application/xml")), "forbidden");
  r = Client("agentbank")->Post("/api/v1/bank-reports", report, "application/xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"returned\":1"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"errors\":[]"), std::string::npos) << r->body;
  r = system->Get("/api/v1/payments/SERVICEPLATFORM/ONE-1");
  EXPECT_NE(r->body.find("\"status\":\"failed\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("AC04/RETURN"), std::string::npos) << r->body;
  EXPECT_EQ(Code(Client("agentbank")->Post("/api/v1/bank-reports", "<Document/>", "application/xml")),
            "invalid-request");
}

TEST_F(Serve, GracefulShutdownFinishesTheRequestInHand) {
  RunResult g = Nks({"gen", "payments", "--count", "3000", "--seed", "6", "--out", Path("pop/big.xml"), "--date",
                     "2026-11-30"});
  ASSERT_EQ(g.code, 0) << g.err;
  StartServer();
  std::string file = Slurp(Path("pop/big.xml"));
  int answer_status = -1;
  std::string answer_body;
  std::thread sender([&] {
    auto r = Client("system")->Post("/api/v1/payment-files", file, "application/xml");
    if (r) {
      answer_status = r->status;
      answer_body = r->body;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the upload is in
  kill(pid_, SIGTERM);
  sender.join();
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  EXPECT_EQ(answer_status, 201) << "the request in hand was dropped or refused: " << answer_body;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  RunResult search = Nks({"payments", "search", "--system", "SERVICEPLATFORM", "--limit", "10000", "--json"});
  EXPECT_GT(std::count(search.out.begin(), search.out.end(), '\n'), 2000);
}

TEST_F(Serve, PlainHttpIsRefusedOffLoopback) {
  RunResult r = Nks({"serve", "--listen", "0.0.0.0:" + std::to_string(FreePort())});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
}

}  // namespace

namespace {

// Runs SQL on a data directory's database as an intruder would: the
// append-only triggers dropped (SQLite) or disabled (PostgreSQL) first.
void TamperWithPostgres(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  std::string all = "ALTER TABLE audit_log DISABLE TRIGGER USER; " + sql;
  PGresult* r = PQexec(c, all.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
}

void TamperWith(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  std::string all = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql;
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close_v2(db);
}

}  // namespace

// Every caseworker read, change, login and refusal is in the audit log,
// CPR masked; `nks audit verify` finds an edited, removed or swapped entry.
TEST_F(Serve, AuditLogRecordsRequestsAndVerifyFindsTampering) {
  StartServer();
  auto employee = Client("employee");
  EXPECT_EQ(employee->Get(Url() + "/history")->status, 200);
  EXPECT_EQ(employee->Get(Url())->status, 200);
  EXPECT_EQ(Client("bank")->Put(Url(), "{\"account\":\"1551-0000123456\"}", "application/json")->status, 201);
  EXPECT_EQ(Client("bank")->Get(Url())->status, 200);  // a bank's lookup is not a caseworker's read
  EXPECT_EQ(Client("stranger")->Get(Url())->status, 403);
  EXPECT_EQ(Client("system")->Put(Url(), "{\"account\":\"1551-0000123456\"}", "application/json")->status, 403);
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;

  RunResult shown = Nks({"audit", "show"});
  ASSERT_EQ(shown.code, 0) << shown.err;
  EXPECT_EQ(shown.out.find(cpr_), std::string::npos) << "an unmasked CPR number in the audit log";
  const std::string masked = cpr_.substr(0, 6) + "-XXXX";
  for (const std::string& want :
       {std::string("employee:12345678/cw1\tlogin"), "employee:12345678/cw1\tGET /api/v1/nemkonto/{id}/history\tcpr:" + masked + "\t200",
        "employee:12345678/cw1\tGET /api/v1/nemkonto/{id}\tcpr:" + masked + "\t200",
        "bank:1551\tPUT /api/v1/nemkonto/{id}\tcpr:" + masked + "\tcommitted",
        std::string("\t403 unknown-client"), "system:SERVICEPLATFORM\tPUT /api/v1/nemkonto/{id}\tcpr:" + masked + "\t403 forbidden"}) {
    EXPECT_NE(shown.out.find(want), std::string::npos) << want << "\n" << shown.out;
  }
  EXPECT_EQ(shown.out.find("bank:1551\tGET"), std::string::npos) << shown.out;
  RunResult ok = Nks({"audit", "verify"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  size_t entries = static_cast<size_t>(std::count(shown.out.begin(), shown.out.end(), '\n'));
  ASSERT_GE(entries, 6u);

  // Each tampering on a copy of the data directory.
  const std::string original = data_;
  struct Case {
    const char* name;
    std::string sql;
    std::string bad_seq;
  };
  const std::vector<Case> cases = {
      {"edited", "UPDATE audit_log SET outcome='edited' WHERE seq=3", "3"},
      {"removed", "DELETE FROM audit_log WHERE seq=2", "2"},
      {"swapped", "UPDATE audit_log SET seq=-1 WHERE seq=2; UPDATE audit_log SET seq=2 WHERE seq=4; "
                  "UPDATE audit_log SET seq=4 WHERE seq=-1", "2"},
      {"tail cut", "DELETE FROM audit_log WHERE seq=" + std::to_string(entries), std::to_string(entries)},
  };
  for (const Case& c : cases) {
    data_ = Path(std::string("tampered-") + c.name);
    CopyData(original, data_);
    if (nks::testing::OnPostgres()) {
      TamperWithPostgres(DbFor(data_), c.sql);
    } else {
      TamperWith(data_ + "/nks.db", c.sql);
    }
    RunResult r = Nks({"audit", "verify"});
    EXPECT_EQ(r.code, 1) << c.name << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("broken at seq " + c.bad_seq + ":"), std::string::npos) << c.name << ": " << r.err;
  }
  data_ = original;
}
