// The HTTP/1.1 server of `nks serve` (Boost.Beast + Asio, TLS through
// OpenSSL). This header keeps Beast out of everyone else's compile: the
// server hands each complete request to a Handler as plain values and
// writes back the Response it fills in.
//
// One io_context runs on `threads` threads; each connection is served in
// order on its own strand (keep-alive, no pipelining across requests).
// Limits: header bytes and count, body bytes (per route, asked of the
// handler before the body is read), time to receive a request, idle time
// between requests. Stop() stops accepting, closes idle connections and
// lets every request already received finish and be answered.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nks/core/status.h"

namespace nks::http {

constexpr size_t kHeaderBytesMax = 16 * 1024;
constexpr size_t kHeaderCountMax = 64;
constexpr int kRequestTimeoutMs = 10'000;    // from the first byte to the whole request
constexpr int kIdleTimeoutMs = 30'000;       // keep-alive wait for the next request
constexpr int kShutdownTimeoutMs = 30'000;   // Stop(): in-flight requests get this long

// What the TLS layer learned of the client. Empty without TLS.
struct Peer {
  bool tls = false;
  bool presented_certificate = false;
  bool certificate_trusted = false;  // the chain verifies against --client-ca
  std::string verify_error;          // why not, when presented but not trusted
  std::string fingerprint;           // "sha256:<64 lower-case hex>" of the leaf's DER
  std::string subject;               // RFC 2253
};

struct Request {
  std::string method;  // "GET", ...
  std::string target;  // path and query as sent
  std::string content_type;
  std::string idempotency_key;
  std::string accept;
  std::string accept_encoding;  // for the portal's gzip copies
  std::string if_none_match;    // for the portal's ETags
  // Only honoured when the server trusts a TLS-terminating proxy on
  // loopback (ServerOptions::trust_proxy_cert_header).
  std::string proxy_cert_fingerprint;
  bool has_idempotency_key = false;
  // For human login (api/auth.cc): the Cookie header, Origin, X-CSRF-Token
  // and Host, as sent (empty when absent).
  std::string cookie;
  std::string origin;
  std::string csrf_token;
  std::string host;
  std::string body;
  std::string remote;  // "127.0.0.1:54321"
  const Peer* peer = nullptr;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // For metrics and the access log: the route template matched, "" if none.
  std::string_view route;
  std::string principal;  // who asked, for the access log ("" if nobody)
  std::string problem;    // problem code when status >= 400
  size_t body_bytes = 0;  // set by the server as it sends the body
};

class Handler {
 public:
  virtual ~Handler() = default;
  // The most body bytes a request to `method target` may carry; asked after
  // the header is read. 0 refuses any body.
  virtual size_t BodyLimit(std::string_view method, std::string_view target) const = 0;
  // Fills `response` (called on a server thread; may run concurrently).
  virtual void Handle(const Request& request, Response* response) = 0;
  // An answer the server gives itself (limits, malformed HTTP): a problem
  // document with `status` and `code`.
  virtual void Refuse(int status, std::string_view code, std::string_view detail, Response* response) = 0;
  // Called after each answer is written, for metrics and the access log.
  virtual void Answered(const Request& request, const Response& response, double seconds) = 0;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8443";  // ADDR:PORT; port 0 picks a free one
  std::string tls_cert;   // PEM; empty: plain HTTP (loopback only)
  std::string tls_key;
  std::string client_ca;  // PEM CA bundle that client certificates must chain to
  int threads = 2;
  bool trust_proxy_cert_header = false;  // plain loopback only: X-Client-Cert-SHA256
};

// True when `listen` (ADDR:PORT as in ServerOptions) is a loopback address.
bool IsLoopbackListen(const std::string& listen);

class Server {
 public:
  // Binds and listens; refuses plain HTTP on a non-loopback address.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler* handler);
  virtual ~Server() = default;
  virtual uint16_t port() const = 0;
  // Serves until Stop() (from any thread, e.g. a signal watcher) has drained.
  virtual void Run() = 0;
  virtual void Stop() = 0;
  virtual bool stopping() const = 0;
};

}  // namespace nks::http
