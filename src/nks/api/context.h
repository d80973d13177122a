// What a route handler sees of one request (api.cc, auth.cc). Internal to
// the api module.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "nks/access/access.h"
#include "nks/api/api.h"
#include "nks/api/oidc.h"
#include "nks/http/server.h"
#include "nks/store/store.h"

namespace nks::api {

struct Api::Context {
  const http::Request& req;
  http::Response* res;
  std::string_view path;
  std::string_view query;
  std::vector<std::string> params;
  const store::Principal* principal = nullptr;  // -> principal_value once authenticated
  std::string principal_id;  // "system:KY", "bank:1551", "employee:12345678/cw1", "citizen:DDMMYY-XXXX"
  store::Principal principal_value;
  bool audit_committed = false;  // a register change committed with its audit entry
  access::Rights rights;         // employees: what their role profiles grant
  // Four-eyes: the pending change this request carries out, and who approved it.
  int64_t approving_id = 0;
  std::string approver;
  // Human login: authenticated by the nks_session cookie, and its session.
  bool by_session = false;
  store::Session session{};
  bool audit_done = false;  // the handler wrote the request's audit entry itself
};

// OpenID Connect logins in progress and what is known of each provider.
struct Api::OidcState {
  struct Pending {
    std::string provider;
    std::string nonce;
    std::string verifier;  // PKCE code_verifier
    std::string return_to;
    int64_t expires_us = 0;
  };
  struct Provider {
    std::string issuer;  // the configuration's when fetched (a change refetches)
    oidc::Discovery discovery;
    std::shared_ptr<const oidc::Jwks> jwks;
    int64_t fetched_us = 0;
  };
  std::mutex mu;
  std::unordered_map<std::string, Pending> pending;     // by state
  std::unordered_map<std::string, Provider> providers;  // by provider id
};

// Whom an Idempotency-Key belongs to: the principal id, except for
// citizens, whose masked id is shared by everyone born on the same day.
std::string IdempotencyOwner(const Api::Context& c);

// The nks_session cookie's value in a Cookie header ("" when absent).
std::string SessionToken(std::string_view cookie_header);
// True when the request is to be authenticated by its session cookie: it
// carries one and no client certificate (nor a proxy's certificate header).
bool SessionCookieOnly(const http::Request& req);

}  // namespace nks::api
