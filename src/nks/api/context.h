// Human login's helpers for the route handlers (api.cc, auth.cc); the
// request context itself is in handler.h. Internal to the api module.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "nks/access/access.h"
#include "nks/api/api.h"
#include "nks/api/handler.h"
#include "nks/api/oidc.h"
#include "nks/http/server.h"
#include "nks/store/store.h"

namespace nks::api {

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
