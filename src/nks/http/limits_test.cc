// The server's named limits and its answers on the wire, the access log's
// masking and the metrics text.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

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

// What a client reads from `port` after sending `request`, to the close.
std::string Exchange(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buf[65536];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

// The server writes the answer itself (no serializer): the status line,
// the fields, Content-Length but not on 204, "Connection: close" when it
// closes, a body larger than the socket takes at once, and no header field
// split by a CR or LF in a value.
TEST(Server, WritesEachAnswerAsHttp11) {
  class Answers : public Handler {
    size_t BodyLimit(std::string_view, std::string_view) const override { return 0; }
    void Handle(const Request& req, Response* res) override {
      if (req.target == "/empty") {
        res->status = 204;
        res->content_type.clear();
      } else if (req.target == "/big") {
        res->content_type = "application/octet-stream";
        for (size_t i = 0; i < 8u << 20; ++i) res->body.push_back(static_cast<char>('a' + i % 26));
      } else {
        res->status = 404;
        res->headers.emplace_back("X-Note", "one\r\nSet-Cookie: evil=1");
        res->body = "{}";
      }
    }
    void Refuse(int, std::string_view, std::string_view, Response*) override {}
    void Answered(const Request&, const Response&, double) override {}
  } answers;
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.threads = 2;
  auto server = Server::Start(o, &answers);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  std::thread run([&] { (*server)->Run(); });
  const uint16_t port = (*server)->port();

  // Two requests on one connection: both answered, the second closes.
  std::string got = Exchange(port,
                             "GET /empty HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(got,
            "HTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
            "X-Note: one  Set-Cookie: evil=1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");

  got = Exchange(port, "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 8388608\r\n"
      "Connection: close\r\n\r\n";
  ASSERT_EQ(got.size(), head.size() + (8u << 20));
  EXPECT_EQ(got.substr(0, head.size()), head);
  EXPECT_EQ(got.substr(head.size(), 3), "abc");
  EXPECT_EQ(got.back(), static_cast<char>('a' + ((8u << 20) - 1) % 26));

  (*server)->Stop();
  run.join();
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
