// The server's named limits, the access log's masking and the metrics text.
#include <gtest/gtest.h>

#include "nks/http/access_log.h"
#include "nks/http/metrics.h"
#include "nks/http/server.h"

namespace nks::http {
namespace {

TEST(Limits, AreNamedAndSane) {
  static_assert(kHeaderBytesMax >= 8 * 1024);
  static_assert(kHeaderCountMax >= 32);
  EXPECT_LT(kRequestTimeoutMs, kShutdownTimeoutMs + 1);
  EXPECT_GT(kIdleTimeoutMs, 0);
}

TEST(Limits, PlainHttpOnlyOnLoopback) {
  class Nothing : public Handler {
    size_t BodyLimit(std::string_view, std::string_view) const override { return 0; }
    void Handle(const Request&, Response*) override {}
    void Refuse(int, std::string_view, std::string_view, Response*) override {}
    void Answered(const Request&, const Response&, double) override {}
  } nothing;
  ServerOptions o;
  o.listen = "0.0.0.0:0";
  auto s = Server::Start(o, &nothing);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("loopback"), std::string::npos);
  o.listen = "127.0.0.1:0";
  o.threads = 0;
  EXPECT_FALSE(Server::Start(o, &nothing).ok());
  o.threads = 1;
  o.listen = "localhost:80";
  EXPECT_FALSE(Server::Start(o, &nothing).ok());  // an IP address, not a name
  o.listen = "127.0.0.1:0";
  auto ok = Server::Start(o, &nothing);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_GT((*ok)->port(), 0);
}

TEST(AccessLog, LineIsJsonWithCprMasked) {
  Request req;
  req.method = "GET";
  req.target = "/api/v1/nemkonto/cpr:%30102851237?x=0102851237";
  req.remote = "127.0.0.1:1";
  Response res;
  res.status = 200;
  res.route = "GET /api/v1/nemkonto/{id}";
  res.principal = "bank:1551";
  res.body_bytes = 42;
  std::string line = AccessLog::Line(req, res, 0.00125, Instant(std::chrono::seconds(0)));
  EXPECT_EQ(line.find("1237"), std::string::npos) << line;
  EXPECT_NE(line.find("\"status\":200"), std::string::npos);
  EXPECT_NE(line.find("\"bytes_out\":42"), std::string::npos);
  EXPECT_NE(line.find("\"duration_ms\":1.250"), std::string::npos);
  EXPECT_NE(line.find("\"time\":\"1970-01-01T00:00:00Z\""), std::string::npos);
}

TEST(AccessLog, EscapesControlCharacters) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\n");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\u000a\"");
  EXPECT_EQ(PercentDecode("%41%zz%4"), "A%zz%4");
}

TEST(Metrics, CountsByRouteAndStatusWithHistogram) {
  Metrics m({"GET /a"});
  m.Record("GET /a", 200, 0.0002);
  m.Record("GET /a", 200, 0.02);
  m.Record("GET /a", 418, 0.02);
  m.Record("", 404, 0.0001);
  std::string text = m.Render();
  EXPECT_NE(text.find("nks_http_requests_total{route=\"GET /a\",status=\"200\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("nks_http_requests_total{route=\"GET /a\",status=\"4xx\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nks_http_requests_total{route=\"none\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nks_http_request_duration_seconds_bucket{route=\"GET /a\",le=\"0.00025\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("nks_http_request_duration_seconds_bucket{route=\"GET /a\",le=\"+Inf\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("nks_http_request_duration_seconds_count{route=\"GET /a\"} 3"), std::string::npos);
}

}  // namespace
}  // namespace nks::http
