#include "nks/api/oidc.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include <algorithm>

#include "nks/core/sha256.h"

namespace nks::api::oidc {

using json = nlohmann::json;

std::string Base64UrlEncode(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t n = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &n, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return Status::Invalid("not base64url");
  }
  out.resize(n);
  return out;
}

std::string PkceChallenge(std::string_view verifier) {
  std::string hex = Sha256Hex(verifier);
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return Base64UrlEncode(bytes);
}

namespace {

Result<json> ParseObject(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Invalid(fmt::format("{}: not a JSON object", what));
  return j;
}

std::string StringOf(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<Url> ParseHttpsUrl(std::string_view url) {
  if (url.rfind("https://", 0) != 0) return Status::Invalid(fmt::format("{}: not an https:// URL", url.substr(0, 200)));
  std::string_view rest = url.substr(8);
  const size_t slash = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, slash);
  Url u;
  u.path_and_query = slash < rest.size() ? std::string(rest.substr(slash)) : "/";
  if (u.path_and_query[0] == '?') u.path_and_query = "/" + u.path_and_query;
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return Status::Invalid(fmt::format("{}: no host", url.substr(0, 200)));
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    std::string port(authority.substr(colon + 1));
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535 || std::stoi(port) == 0) {
      return Status::Invalid(fmt::format("{}: bad port", url.substr(0, 200)));
    }
    u.port = std::stoi(port);
    authority = authority.substr(0, colon);
  }
  u.host = std::string(authority);
  if (u.host.size() >= 2 && u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  return u;
}

Result<Discovery> ParseDiscovery(std::string_view document, std::string_view expected_issuer) {
  NKS_ASSIGN_OR_RETURN(json j, ParseObject(document, "discovery document"));
  Discovery d{StringOf(j, "issuer"), StringOf(j, "authorization_endpoint"), StringOf(j, "token_endpoint"),
              StringOf(j, "jwks_uri")};
  if (d.issuer != expected_issuer) {
    return Status::Invalid(fmt::format("discovery document: issuer '{}' is not the configured '{}'",
                                       d.issuer.substr(0, 200), expected_issuer));
  }
  for (const auto& [name, value] : {std::pair{"authorization_endpoint", &d.authorization_endpoint},
                                    std::pair{"token_endpoint", &d.token_endpoint}, std::pair{"jwks_uri", &d.jwks_uri}}) {
    if (!ParseHttpsUrl(*value).ok()) {
      return Status::Invalid(fmt::format("discovery document: {} must be an https URL", name));
    }
  }
  return d;
}

namespace {

struct PkeyFree {
  void operator()(void* p) const { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }
};

Result<std::shared_ptr<void>> RsaPublicKey(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* key = nullptr;
  if (bn_n != nullptr && bn_e != nullptr && bld != nullptr && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 && (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  if (key == nullptr) return Status::Invalid("not a usable RSA key");
  std::shared_ptr<void> owned(key, PkeyFree());
  if (EVP_PKEY_get_bits(key) < 2048) return Status::Invalid("RSA key under 2048 bits");
  return owned;
}

}  // namespace

Result<Jwks> Jwks::Parse(std::string_view document) {
  NKS_ASSIGN_OR_RETURN(json j, ParseObject(document, "JWKS"));
  if (!j.contains("keys") || !j["keys"].is_array()) return Status::Invalid("JWKS: no keys array");
  Jwks out;
  for (const auto& k : j["keys"]) {
    if (!k.is_object() || StringOf(k, "kty") != "RSA") continue;
    if (k.contains("use") && StringOf(k, "use") != "sig") continue;
    if (k.contains("alg") && StringOf(k, "alg") != "RS256") continue;
    auto n = Base64UrlDecode(StringOf(k, "n"));
    auto e = Base64UrlDecode(StringOf(k, "e"));
    if (!n.ok() || !e.ok() || n->empty() || e->empty()) return Status::Invalid("JWKS: an RSA key without n or e");
    auto key = RsaPublicKey(*n, *e);
    if (!key.ok()) return Status::Invalid("JWKS: key '" + StringOf(k, "kid").substr(0, 100) + "': " + key.status().message());
    out.keys_[StringOf(k, "kid")] = *key;
  }
  if (out.keys_.empty()) return Status::Invalid("JWKS: no RSA signing key");
  return out;
}

Status Jwks::Verify(const std::string& kid, std::string_view signed_part, std::string_view signature) const {
  auto it = keys_.find(kid);
  if (kid.empty() && keys_.size() == 1) it = keys_.begin();
  if (it == keys_.end()) return Status::NotFound(fmt::format("id token: key '{}' is not in the JWKS", kid.substr(0, 100)));
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = md != nullptr &&
            EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY*>(it->second.get())) == 1 &&
            EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(md);
  if (!ok) return Status::PermissionDenied("id token: the signature does not verify");
  return Status::Ok();
}

namespace {

struct Parts {
  std::string_view header, payload, signature;
};

Result<Parts> Split(std::string_view token) {
  const size_t a = token.find('.');
  const size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return Status::Invalid("id token: not a JWS in compact form (three parts)");
  }
  return Parts{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

}  // namespace

Result<std::pair<std::string, std::string>> PeekHeader(std::string_view token) {
  NKS_ASSIGN_OR_RETURN(Parts parts, Split(token));
  auto header = Base64UrlDecode(parts.header);
  if (!header.ok()) return Status::Invalid("id token: header is not base64url");
  NKS_ASSIGN_OR_RETURN(json h, ParseObject(*header, "id token header"));
  return std::pair{StringOf(h, "kid"), StringOf(h, "alg")};
}

Result<json> VerifyIdToken(std::string_view token, const Jwks& keys, const Expected& expected) {
  NKS_ASSIGN_OR_RETURN(Parts parts, Split(token));
  auto header_text = Base64UrlDecode(parts.header);
  auto payload_text = Base64UrlDecode(parts.payload);
  auto signature = Base64UrlDecode(parts.signature);
  if (!header_text.ok() || !payload_text.ok() || !signature.ok()) return Status::Invalid("id token: a part is not base64url");
  NKS_ASSIGN_OR_RETURN(json header, ParseObject(*header_text, "id token header"));
  const std::string alg = StringOf(header, "alg");
  if (alg != "RS256") {
    return Status::PermissionDenied(fmt::format("id token: alg '{}' refused (RS256 only)", alg.substr(0, 20)));
  }
  if (header.contains("crit")) return Status::PermissionDenied("id token: critical header extensions are not supported");
  const size_t signed_len = parts.header.size() + 1 + parts.payload.size();
  NKS_RETURN_IF_ERROR(keys.Verify(StringOf(header, "kid"), token.substr(0, signed_len), *signature));
  NKS_ASSIGN_OR_RETURN(json claims, ParseObject(*payload_text, "id token claims"));
  if (StringOf(claims, "iss") != expected.issuer) {
    return Status::PermissionDenied(fmt::format("id token: iss '{}' is not the provider's issuer",
                                                StringOf(claims, "iss").substr(0, 200)));
  }
  bool for_us = false;
  size_t audiences = 0;
  if (claims.contains("aud") && claims["aud"].is_string()) {
    for_us = claims["aud"] == expected.client_id;
    audiences = 1;
  } else if (claims.contains("aud") && claims["aud"].is_array()) {
    for (const auto& a : claims["aud"]) for_us = for_us || (a.is_string() && a == expected.client_id);
    audiences = claims["aud"].size();
  }
  if (!for_us) return Status::PermissionDenied("id token: aud does not name this client_id");
  if ((audiences > 1 || claims.contains("azp")) && StringOf(claims, "azp") != expected.client_id) {
    return Status::PermissionDenied("id token: azp is not this client_id");
  }
  if (!claims.contains("exp") || !claims["exp"].is_number() || !claims.contains("iat") || !claims["iat"].is_number()) {
    return Status::PermissionDenied("id token: exp and iat are required");
  }
  const int64_t exp = claims["exp"].get<int64_t>(), iat = claims["iat"].get<int64_t>();
  if (exp + kClockSkewSeconds <= expected.now_s) {
    return Status::PermissionDenied(fmt::format("id token: expired {} s ago", expected.now_s - exp));
  }
  if (iat - kClockSkewSeconds > expected.now_s) {
    return Status::PermissionDenied(fmt::format("id token: issued {} s in the future", iat - expected.now_s));
  }
  if (StringOf(claims, "nonce").empty() || StringOf(claims, "nonce") != expected.nonce) {
    return Status::PermissionDenied("id token: nonce is not the one this login sent");
  }
  return claims;
}

std::string ClaimText(const json& claims, const std::string& name) {
  auto it = claims.find(name);
  if (it == claims.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

std::string FormEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

namespace {

std::unique_ptr<httplib::SSLClient> Client(const Url& u, const std::string& ca_file) {
  auto c = std::make_unique<httplib::SSLClient>(u.host, u.port);
  c->enable_server_certificate_verification(true);
  if (!ca_file.empty()) c->set_ca_cert_path(ca_file.c_str());
  c->set_connection_timeout(kHttpTimeoutSeconds, 0);
  c->set_read_timeout(kHttpTimeoutSeconds, 0);
  c->set_write_timeout(kHttpTimeoutSeconds, 0);
  c->set_follow_location(false);
  return c;
}

Status Failed(const std::string& url, const httplib::Result& r, const httplib::SSLClient& c) {
  std::string why = httplib::to_string(r.error());
  if (r.error() == httplib::Error::SSLServerVerification) {
    why += fmt::format(" (certificate verify result {})", c.get_openssl_verify_result());
  }
  return Status::Unavailable(fmt::format("{}: {}", url.substr(0, 200), why));
}

}  // namespace

Result<std::string> HttpsGet(const std::string& url, const std::string& ca_file) {
  NKS_ASSIGN_OR_RETURN(Url u, ParseHttpsUrl(url));
  auto c = Client(u, ca_file);
  auto r = c->Get(u.path_and_query.c_str(), httplib::Headers{{"Accept", "application/json"}});
  if (!r) return Failed(url, r, *c);
  if (r->status != 200) return Status::Unavailable(fmt::format("{}: HTTP {}", url.substr(0, 200), r->status));
  if (r->body.size() > kDocumentBytesMax) return Status::Unavailable(fmt::format("{}: answer too large", url.substr(0, 200)));
  return r->body;
}

Result<std::string> HttpsPostForm(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                                  const std::string& client_id, const std::string& client_secret,
                                  const std::string& ca_file, int* status) {
  NKS_ASSIGN_OR_RETURN(Url u, ParseHttpsUrl(url));
  auto c = Client(u, ca_file);
  std::string body;
  for (const auto& [k, v] : form) body += (body.empty() ? "" : "&") + FormEncode(k) + "=" + FormEncode(v);
  // RFC 6749 2.3.1: the client id and secret form-encoded, then Basic.
  c->set_basic_auth(FormEncode(client_id).c_str(), FormEncode(client_secret).c_str());
  auto r = c->Post(u.path_and_query.c_str(), httplib::Headers{{"Accept", "application/json"}}, body,
                   "application/x-www-form-urlencoded");
  if (!r) return Failed(url, r, *c);
  *status = r->status;
  if (r->body.size() > kDocumentBytesMax) return Status::Unavailable(fmt::format("{}: answer too large", url.substr(0, 200)));
  return r->body;
}

}  // namespace nks::api::oidc
