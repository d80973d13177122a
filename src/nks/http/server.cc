// The only translation unit that sees Beast and Asio (compile time: see
// STACK.md). Sessions follow Beast's asynchronous server pattern, a parser
// per request, limits checked between header and body; each connection
// lives on one io_context that one thread runs (an implicit strand).
#include <utility>  // before Asio with g++ 12 and -std=c++20 (STACK.md)

#include "nks/http/server.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <array>
#include <chrono>
#include <limits>
#include <fmt/format.h>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "nks/core/sha256.h"

namespace nks::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kConnectionsMax = 10'000;
constexpr int kShutdownPollMs = 20;


// What the handshake told of the client's certificate.
Peer PeerOf(SSL* ssl) {
  Peer peer;
  peer.tls = true;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return peer;
  peer.presented_certificate = true;
  long verify = SSL_get_verify_result(ssl);
  peer.certificate_trusted = verify == X509_V_OK;
  if (!peer.certificate_trusted) peer.verify_error = X509_verify_cert_error_string(verify);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) == 1) peer.fingerprint = "sha256:" + HexEncode(md, n);
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio != nullptr) {
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (len > 0) peer.subject.assign(data, static_cast<size_t>(len));
    BIO_free(bio);
  }
  X509_free(cert);
  return peer;
}

class ServerImpl;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection if it waits for a next request; else lets the
  // request in hand finish. Posted onto the session's own io_context.
  virtual void PostStop() = 0;
};

class ServerImpl final : public Server {
 public:
  ServerImpl(const ServerOptions& o, Handler* h) : options_(o), handler_(h), ioc_(1), acceptor_(ioc_), signals_(ioc_) {}
  ~ServerImpl() override = default;

  Status Init();
  uint16_t port() const override { return port_; }
  void Run() override;
  void Stop() override;
  bool stopping() const override { return stopping_.load(); }

  Handler* handler() { return handler_; }
  const ServerOptions& options() const { return options_; }
  ssl::context* tls() { return tls_ ? &*tls_ : nullptr; }
  void Register(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(mu_);
    sessions_.insert(s);
  }
  void Unregister(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(mu_);
    sessions_.erase(s);
  }

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void PollDrained(std::shared_ptr<asio::steady_timer> timer, Clock::time_point deadline);

  ServerOptions options_;
  Handler* handler_;
  // One io_context per thread: ioc_ (the acceptor, signals, shutdown and
  // its share of connections) run by Run()'s caller, and one per further
  // thread. A connection stays on the context it was accepted onto, so
  // threads never contend for one scheduler (with two threads on one, a
  // 2-core machine served ~15% fewer requests than with one thread).
  asio::io_context ioc_;
  std::vector<std::unique_ptr<asio::io_context>> workers_;
  size_t next_context_ = 0;  // round robin; used on ioc_'s thread only
  std::optional<ssl::context> tls_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::set<std::shared_ptr<SessionBase>> sessions_;
};

template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(ServerImpl* server, tcp::socket&& socket) : server_(server), stream_(Make(server, std::move(socket))) {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", ep.address().to_string(), ep.port());
  }

  void Begin() {
    server_->Register(this->shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Handshake(); });
  }

  void PostStop() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  static Stream Make(ServerImpl* server, tcp::socket&& socket) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *server->tls());
    } else {
      return Stream(std::move(socket));
    }
  }

  auto Bind(void (Session::*fn)(beast::error_code, size_t)) {
    return beast::bind_front_handler(fn, this->shared_from_this());
  }

  void Handshake() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(kRequestTimeoutMs));
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->Finish();
        self->peer_ = PeerOf(self->stream_.native_handle());
        self->ReadHeader();
      });
    } else {
      ReadHeader();
    }
  }

  void ReadHeader() {
    if (server_->stopping()) return Close();
    parser_.emplace();
    parser_->header_limit(kHeaderBytesMax);
    // Beast checks Content-Length against the body limit as the header
    // completes: no limit until the route's is known (OnHeader). Not
    // boost::none: Beast 1.74 compares `len > optional`, true for none.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    req_.method.clear();
    req_.target.clear();
    idle_ = buffer_.size() == 0;
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::milliseconds(idle_ ? kIdleTimeoutMs : kRequestTimeoutMs));
    bhttp::async_read_header(stream_, buffer_, *parser_, Bind(&Session::OnHeader));
  }

  void OnHeader(beast::error_code ec, size_t) {
    idle_ = false;
    started_ = Clock::now();
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
        ec == bhttp::error::partial_message || ec == asio::error::connection_reset) {
      return Finish();  // the client went away (wrk closes mid-request when it stops)
    }
    if (ec == bhttp::error::header_limit) {
      return Refuse(431, "header-too-large", fmt::format("the request header is larger than {} bytes", kHeaderBytesMax));
    }
    if (ec) return Refuse(400, "malformed-http", ec.message());
    const auto& h = parser_->get();
    req_.method = std::string(h.method_string());
    req_.target = std::string(h.target());
    size_t fields = static_cast<size_t>(std::distance(h.begin(), h.end()));
    if (fields > kHeaderCountMax) {
      return Refuse(431, "too-many-headers", fmt::format("the request has {} header fields; at most {} are allowed", fields, kHeaderCountMax));
    }
    const size_t limit = server_->handler()->BodyLimit(req_.method, req_.target);
    auto length = parser_->content_length();
    if ((length && *length > limit) || (!length && parser_->chunked() && limit == 0)) {
      return Refuse(413, "body-too-large", fmt::format("the request body may be at most {} bytes here", limit));
    }
    parser_->body_limit(limit);
    if (parser_->is_done()) return Process();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(kRequestTimeoutMs));
    bhttp::async_read(stream_, buffer_, *parser_, Bind(&Session::OnBody));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec == bhttp::error::body_limit) {
      return Refuse(413, "body-too-large", "the request body is larger than this route allows");
    }
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return Finish();
    if (ec) return Refuse(400, "malformed-http", ec.message());
    Process();
  }

  // The fields the handlers read, in one pass over the header (a lookup
  // each was ~3% of the hot path).
  void Process() {
    auto& msg = parser_->get();
    req_.content_type.clear();
    req_.accept.clear();
    req_.accept_encoding.clear();
    req_.if_none_match.clear();
    req_.has_idempotency_key = false;
    req_.idempotency_key.clear();
    req_.cookie.clear();
    req_.origin.clear();
    req_.csrf_token.clear();
    req_.host.clear();
    req_.proxy_cert_fingerprint.clear();
    const bool proxy = server_->options().trust_proxy_cert_header;
    // Beast's operator[] gives the first of repeated fields: so does this.
    bool seen_proxy = false, seen_csrf = false, seen_type = false, seen_accept = false, seen_encoding = false,
         seen_etag = false, seen_cookie = false, seen_origin = false, seen_host = false;
    auto take = [](bool* seen, std::string* to, beast::string_view value) {
      if (*seen) return;
      *seen = true;
      to->assign(value.data(), value.size());
    };
    for (const auto& f : msg) {
      switch (f.name()) {
        case bhttp::field::content_type: take(&seen_type, &req_.content_type, f.value()); break;
        case bhttp::field::accept: take(&seen_accept, &req_.accept, f.value()); break;
        case bhttp::field::accept_encoding: take(&seen_encoding, &req_.accept_encoding, f.value()); break;
        case bhttp::field::if_none_match: take(&seen_etag, &req_.if_none_match, f.value()); break;
        case bhttp::field::cookie: take(&seen_cookie, &req_.cookie, f.value()); break;
        case bhttp::field::origin: take(&seen_origin, &req_.origin, f.value()); break;
        case bhttp::field::host: take(&seen_host, &req_.host, f.value()); break;
        case bhttp::field::unknown: {
          const auto name = f.name_string();
          if (beast::iequals(name, "Idempotency-Key")) {
            take(&req_.has_idempotency_key, &req_.idempotency_key, f.value());
          } else if (beast::iequals(name, "X-CSRF-Token")) {
            take(&seen_csrf, &req_.csrf_token, f.value());
          } else if (proxy && beast::iequals(name, "X-Client-Cert-SHA256")) {
            take(&seen_proxy, &req_.proxy_cert_fingerprint, f.value());
          }
          break;
        }
        default: break;
      }
    }
    req_.body = std::move(msg.body());
    req_.remote = remote_;
    req_.peer = &peer_;
    out_ = Response();
    server_->handler()->Handle(req_, &out_);
    Write(msg.keep_alive() && !server_->stopping());
  }

  void Refuse(int status, std::string_view code, const std::string& detail) {
    req_.remote = remote_;
    req_.peer = &peer_;
    out_ = Response();
    server_->handler()->Refuse(status, code, detail, &out_);
    linger_ = true;
    Write(false);  // the rest of the stream cannot be trusted
  }

  // The answer goes out as two buffers, head and body, in one write: no
  // serializer (Beast's walks its buffer sequences per byte range, ~6% of
  // the hot path's CPU). What Beast's prepare_payload would do: no
  // Content-Length on 1xx, 204 and 304; "Connection: close" when the
  // connection ends after this answer.
  void Write(bool keep_alive) {
    const int status = out_.status;
    head_.assign("HTTP/1.1 ");
    head_ += std::to_string(status);
    head_ += ' ';
    const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(status)));
    head_.append(reason.data(), reason.size());
    head_ += "\r\n";
    if (!out_.content_type.empty()) AppendField("Content-Type", out_.content_type);
    for (const auto& [k, v] : out_.headers) AppendField(k, v);  // Set-Cookie may come twice
    const bool bodiless = status / 100 == 1 || status == 204 || status == 304;
    if (bodiless) out_.body.clear();
    if (!bodiless) {
      head_ += "Content-Length: ";
      head_ += std::to_string(out_.body.size());
      head_ += "\r\n";
    }
    if (!keep_alive) head_ += "Connection: close\r\n";
    head_ += "\r\n";
    out_.body_bytes = out_.body.size();
    keep_alive_ = keep_alive;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(kRequestTimeoutMs));
    asio::async_write(stream_, beast::buffers_cat(asio::buffer(head_), asio::buffer(out_.body)),
                      Bind(&Session::OnWrite));
  }

  // A header field; a CR or LF in the value (none of ours should carry one)
  // becomes a space, so no answer can split its own header.
  void AppendField(std::string_view name, std::string_view value) {
    head_ += name;
    head_ += ": ";
    const size_t at = head_.size();
    head_ += value;
    for (size_t i = at; i < head_.size(); ++i) {
      if (head_[i] == '\r' || head_[i] == '\n') head_[i] = ' ';
    }
    head_ += "\r\n";
  }

  void OnWrite(beast::error_code ec, size_t) {
    double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    server_->handler()->Answered(req_, out_, seconds);
    req_.body.clear();
    if (!ec && linger_) return Drain();
    if (ec || !keep_alive_) return Close();
    ReadHeader();
  }

  // After a refusal the client may still be sending the body we refused:
  // closing with unread bytes makes the kernel reset the connection, and
  // the client loses the answer. So read and discard for a while first
  // (at most kLingerBytesMax bytes, kLingerMs), then close.
  void Drain() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(kLingerMs));
    stream_.async_read_some(asio::buffer(drain_), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      self->drained_bytes_ += n;
      if (ec || self->drained_bytes_ > kLingerBytesMax) return self->Close();
      self->Drain();
    });
  }

  void Close() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Finish(); });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      Finish();
    }
  }

  void Finish() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
    server_->Unregister(this->shared_from_this());
  }

  ServerImpl* server_;
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_;  // the answer's status line and header fields
  Request req_;
  Response out_;
  Peer peer_;
  bool idle_ = false;        // waiting for a next request that has not begun
  bool keep_alive_ = false;
  bool linger_ = false;  // a refusal: drain what the client still sends before closing
  size_t drained_bytes_ = 0;
  std::array<char, 16 * 1024> drain_{};
  static constexpr size_t kLingerBytesMax = 1 << 20;
  static constexpr int kLingerMs = 1000;
  Clock::time_point started_ = Clock::now();
};

Result<tcp::endpoint> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::Invalid("--listen: must be ADDR:PORT");
  std::string host = listen.substr(0, colon), port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::Invalid(fmt::format("--listen: '{}' is not an IP address", host));
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos || std::stoul(port_text) > 65535) {
    return Status::Invalid("--listen: the port must be 0-65535");
  }
  return tcp::endpoint(address, static_cast<uint16_t>(std::stoul(port_text)));
}

}  // namespace

bool IsLoopbackListen(const std::string& listen) {
  auto ep = ParseListen(listen);
  return ep.ok() && ep->address().is_loopback();
}

namespace {

Status ServerImpl::Init() {
  NKS_ASSIGN_OR_RETURN(tcp::endpoint ep, ParseListen(options_.listen));
  const bool tls = !options_.tls_cert.empty();
  if (!tls && !ep.address().is_loopback()) {
    return Status::Invalid("--listen: plain HTTP only on a loopback address; give --tls-cert and --tls-key");
  }
  if (tls != !options_.tls_key.empty()) return Status::Invalid("--tls-cert and --tls-key go together");
  if (!tls && !options_.client_ca.empty()) return Status::Invalid("--client-ca needs --tls-cert and --tls-key");
  if (tls && options_.trust_proxy_cert_header) {
    return Status::Invalid("--trust-proxy-cert-header is for plain HTTP behind a loopback TLS proxy only");
  }
  if (tls) {
    tls_.emplace(ssl::context::tls_server);
    beast::error_code ec;
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    tls_->use_certificate_chain_file(options_.tls_cert, ec);
    if (ec) return Status::IoError(fmt::format("--tls-cert {}: {}", options_.tls_cert, ec.message()));
    tls_->use_private_key_file(options_.tls_key, ssl::context::pem, ec);
    if (ec) return Status::IoError(fmt::format("--tls-key {}: {}", options_.tls_key, ec.message()));
    if (!options_.client_ca.empty()) {
      tls_->load_verify_file(options_.client_ca, ec);
      if (ec) return Status::IoError(fmt::format("--client-ca {}: {}", options_.client_ca, ec.message()));
      SSL_CTX* native = tls_->native_handle();
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options_.client_ca.c_str());
      if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
      static const unsigned char kSessionContext[] = "nks";
      SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
      // Ask for a certificate but finish the handshake whatever it is: the
      // API then answers a missing or untrusted one with a problem document
      // (and logs it) instead of a bare TLS alert.
      tls_->set_verify_mode(ssl::verify_peer);
      tls_->set_verify_callback([](bool, ssl::verify_context&) { return true; });
    }
  }
  beast::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError(fmt::format("--listen {}: {}", options_.listen, ec.message()));
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void ServerImpl::Accept() {
  const size_t i = next_context_++ % (workers_.size() + 1);
  asio::io_context& context = i == 0 ? ioc_ : *workers_[i - 1];
  acceptor_.async_accept(context.get_executor(), beast::bind_front_handler(&ServerImpl::OnAccept, this));
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_) return;
  if (!ec) {
    socket.set_option(tcp::no_delay(true), ec);
    size_t live = 0;
    {
      std::lock_guard lock(mu_);
      live = sessions_.size();
    }
    if (live >= kConnectionsMax) {
      socket.close(ec);
    } else if (tls_) {
      std::make_shared<Session<true>>(this, std::move(socket))->Begin();
    } else {
      std::make_shared<Session<false>>(this, std::move(socket))->Begin();
    }
  }
  Accept();
}

void ServerImpl::Run() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.async_wait([this](beast::error_code ec, int) {
    if (!ec) Stop();
  });
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<WorkGuard> guards;
  for (int i = 1; i < options_.threads; ++i) {
    workers_.push_back(std::make_unique<asio::io_context>(1));
    guards.push_back(asio::make_work_guard(*workers_.back()));
  }
  Accept();
  std::vector<std::thread> threads;
  for (auto& w : workers_) threads.emplace_back([&w] { w->run(); });
  ioc_.run();
  // Drained (or past the deadline): the other contexts end too.
  for (auto& g : guards) g.reset();
  for (auto& w : workers_) w->stop();
  for (auto& t : threads) t.join();
}

void ServerImpl::Stop() {
  asio::post(ioc_, [this] {
    if (stopping_.exchange(true)) return;
    beast::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard lock(mu_);
      live.assign(sessions_.begin(), sessions_.end());
    }
    for (auto& s : live) s->PostStop();
    auto timer = std::make_shared<asio::steady_timer>(ioc_);
    PollDrained(timer, Clock::now() + std::chrono::milliseconds(kShutdownTimeoutMs));
  });
}

// Ends the io_context when every session is gone or the deadline passed.
void ServerImpl::PollDrained(std::shared_ptr<asio::steady_timer> timer, Clock::time_point deadline) {
  size_t live = 0;
  {
    std::lock_guard lock(mu_);
    live = sessions_.size();
  }
  if (live == 0 || Clock::now() >= deadline) {
    ioc_.stop();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(kShutdownPollMs));
  timer->async_wait([this, timer, deadline](beast::error_code) { PollDrained(timer, deadline); });
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler* handler) {
  if (options.threads < 1 || options.threads > 256) return Status::Invalid("--threads: must be 1-256");
  auto server = std::make_unique<ServerImpl>(options, handler);
  NKS_RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace nks::http
