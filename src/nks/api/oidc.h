// OpenID Connect for human login (issue 4, item 4): the relying party's
// pieces that need no server state. Discovery documents, JWKS (RSA keys),
// ID tokens (RS256 only: "none", HS* and everything else are refused;
// signature, iss, aud/azp, exp and iat with a small skew, nonce), PKCE
// S256, and an HTTPS client (cpp-httplib with OpenSSL, certificates
// verified) for discovery, JWKS and the token endpoint.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nks/core/status.h"

namespace nks::api::oidc {

constexpr int64_t kClockSkewSeconds = 60;
constexpr size_t kDocumentBytesMax = 256 * 1024;  // discovery, JWKS, token answers
constexpr int kHttpTimeoutSeconds = 10;

std::string Base64UrlEncode(std::string_view bytes);  // no padding
Result<std::string> Base64UrlDecode(std::string_view text);
// base64url(SHA-256(verifier)): the code_challenge of PKCE S256.
std::string PkceChallenge(std::string_view verifier);

// The endpoints of a provider's discovery document, whose issuer must be
// the configured one exactly and whose endpoints must be https.
struct Discovery {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
};
Result<Discovery> ParseDiscovery(std::string_view document, std::string_view expected_issuer);

// A provider's signing keys: the RSA keys of its JWKS (other key types and
// keys for encryption are skipped; RSA keys under 2048 bits refused).
class Jwks {
 public:
  static Result<Jwks> Parse(std::string_view document);
  bool Has(const std::string& kid) const { return keys_.count(kid) > 0; }
  size_t size() const { return keys_.size(); }
  // Verifies an RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature by key
  // `kid` ("" when the token names none: then the JWKS must hold one key).
  Status Verify(const std::string& kid, std::string_view signed_part, std::string_view signature) const;

 private:
  std::map<std::string, std::shared_ptr<void>> keys_;  // kid -> EVP_PKEY
};

// What an ID token must say.
struct Expected {
  std::string issuer;
  std::string client_id;
  std::string nonce;
  int64_t now_s = 0;  // from the injected Clock
};

// The token's "kid" (empty when none) and its header's "alg", unverified:
// what to verify with. Invalid for a token that is not three base64url JSON parts.
Result<std::pair<std::string, std::string>> PeekHeader(std::string_view token);
// Checks the signature with `keys` and then the claims; returns the claims.
// Errors name what is wrong ("id token: aud ...", "id token: expired at ...").
Result<nlohmann::json> VerifyIdToken(std::string_view token, const Jwks& keys, const Expected& expected);

// A claim as text: a string, or a number written in decimal; "" when absent.
std::string ClaimText(const nlohmann::json& claims, const std::string& name);

// https://HOST[:PORT]/PATH?QUERY, split.
struct Url {
  std::string host;
  int port = 443;
  std::string path_and_query = "/";
};
Result<Url> ParseHttpsUrl(std::string_view url);

// The body of a 200 answer, or an error naming the URL and what went wrong.
// `ca_file`: PEM bundle to trust (empty: the system's).
Result<std::string> HttpsGet(const std::string& url, const std::string& ca_file);
// POSTs application/x-www-form-urlencoded with HTTP Basic client
// authentication (client_secret_basic); the body of the answer, with its
// status in *status (200 expected; 400 carries the provider's error).
Result<std::string> HttpsPostForm(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                                  const std::string& client_id, const std::string& client_secret,
                                  const std::string& ca_file, int* status);

// Percent-encodes for a query or form value (RFC 3986 unreserved kept).
std::string FormEncode(std::string_view text);

}  // namespace nks::api::oidc
