// A small OpenID Connect provider for the login integration tests: over
// HTTPS (cpp-httplib + OpenSSL) it serves discovery, a JWKS, /authorize
// (no UI: it logs in whoever the login_hint names) and /token (client
// secret by HTTP Basic, redirect_uri and the PKCE S256 code_verifier
// checked, codes used once), and signs RS256 ID tokens with a key made at
// start. The login_hint "k=v;k=v" gives the token's claims; its
// "misbehave=" makes the token wrong in one way, so a test can prove nks
// refuses it: wrong-aud, wrong-iss, expired, future-iat, bad-signature,
// wrong-nonce, no-nonce, alg-none, hs256, unknown-kid; "rotate" signs with
// a new key that the JWKS lists from then on (nks must fetch it anew).
//
//   nks_test_oidc_provider --port P --cert C --key K --issuer URL
//       --client-id ID --client-secret S --redirect-uri URI
#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;

std::string B64Url(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += {t[(v >> 18) & 63], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (in.size() - i == 1) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {t[(v >> 18) & 63], t[(v >> 12) & 63]};
  } else if (in.size() - i == 2) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {t[(v >> 18) & 63], t[(v >> 12) & 63], t[(v >> 6) & 63]};
  }
  return out;
}

std::string B64Decode(const std::string& in) {  // standard alphabet, for the Basic header
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : in) {
    int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
          : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (d < 0) continue;
    v = (v << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((v >> bits) & 0xff));
    }
  }
  return out;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::string Random(size_t n) {
  static std::mt19937_64 rng(std::random_device{}());
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() & 0xff));
  return B64Url(s);
}

struct Key {
  EVP_PKEY* pkey = nullptr;
  std::string kid;
};

Key MakeKey(const std::string& kid) {
  Key k;
  k.pkey = EVP_RSA_gen(2048);
  k.kid = kid;
  return k;
}

std::string BnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

json Jwk(const Key& k) {
  return json{{"kty", "RSA"}, {"use", "sig"}, {"alg", "RS256"}, {"kid", k.kid},
              {"n", B64Url(BnParam(k.pkey, OSSL_PKEY_PARAM_RSA_N))}, {"e", B64Url(BnParam(k.pkey, OSSL_PKEY_PARAM_RSA_E))}};
}

std::string SignRs256(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t n = 0;
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(md, nullptr, &n, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(n, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &n,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(md);
  sig.resize(n);
  return sig;
}

std::string Sha256(const std::string& in) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), d);
  return std::string(reinterpret_cast<char*>(d), sizeof d);
}

struct Code {
  std::string redirect_uri, challenge, nonce, hint;
  bool used = false;
};

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> opt;
  for (int i = 1; i + 1 < argc; i += 2) opt[argv[i]] = argv[i + 1];
  for (const char* k : {"--port", "--cert", "--key", "--issuer", "--client-id", "--client-secret", "--redirect-uri"}) {
    if (!opt.count(k)) {
      std::fprintf(stderr, "nks_test_oidc_provider: %s missing\n", k);
      return 2;
    }
  }
  const std::string issuer = opt["--issuer"], client_id = opt["--client-id"], secret = opt["--client-secret"],
                    redirect_uri = opt["--redirect-uri"];
  std::mutex mu;
  std::vector<Key> keys = {MakeKey("k1")};
  Key stranger = MakeKey("k-unknown");  // never in the JWKS
  std::map<std::string, Code> codes;

  httplib::SSLServer server(opt["--cert"].c_str(), opt["--key"].c_str());
  server.Get("/.well-known/openid-configuration", [&](const httplib::Request&, httplib::Response& res) {
    json d{{"issuer", issuer},
           {"authorization_endpoint", issuer + "/authorize"},
           {"token_endpoint", issuer + "/token"},
           {"jwks_uri", issuer + "/jwks"},
           {"response_types_supported", {"code"}},
           {"id_token_signing_alg_values_supported", {"RS256"}},
           {"code_challenge_methods_supported", {"S256"}}};
    res.set_content(d.dump(), "application/json");
  });
  server.Get("/jwks", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu);
    json list = json::array();
    for (const auto& k : keys) list.push_back(Jwk(k));
    res.set_content(json{{"keys", list}}.dump(), "application/json");
  });
  server.Get("/authorize", [&](const httplib::Request& req, httplib::Response& res) {
    auto bad = [&](const std::string& why) {
      res.status = 400;
      res.set_content(why, "text/plain");
    };
    if (req.get_param_value("response_type") != "code") return bad("response_type");
    if (req.get_param_value("client_id") != client_id) return bad("client_id");
    if (req.get_param_value("redirect_uri") != redirect_uri) return bad("redirect_uri");
    if (req.get_param_value("code_challenge_method") != "S256" || req.get_param_value("code_challenge").empty()) {
      return bad("PKCE S256 required");
    }
    if ((" " + req.get_param_value("scope") + " ").find(" openid ") == std::string::npos) return bad("scope");
    if (req.get_param_value("state").empty() || req.get_param_value("nonce").empty()) return bad("state and nonce");
    const std::string code = Random(24);
    {
      std::lock_guard lock(mu);
      codes[code] = Code{redirect_uri, req.get_param_value("code_challenge"), req.get_param_value("nonce"),
                         req.get_param_value("login_hint")};
    }
    res.status = 302;
    res.set_header("Location", redirect_uri + "?code=" + code + "&state=" + req.get_param_value("state"));
  });
  server.Post("/token", [&](const httplib::Request& req, httplib::Response& res) {
    auto error = [&](int status, const std::string& e) {
      res.status = status;
      res.set_content(json{{"error", e}}.dump(), "application/json");
    };
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Basic ", 0) != 0) return error(401, "invalid_client");
    const std::string pair = B64Decode(auth.substr(6));
    const size_t colon = pair.find(':');
    if (colon == std::string::npos || PercentDecode(pair.substr(0, colon)) != client_id ||
        PercentDecode(pair.substr(colon + 1)) != secret) {
      return error(401, "invalid_client");
    }
    if (req.get_param_value("grant_type") != "authorization_code") return error(400, "unsupported_grant_type");
    Code c;
    {
      std::lock_guard lock(mu);
      auto it = codes.find(req.get_param_value("code"));
      if (it == codes.end() || it->second.used) return error(400, "invalid_grant");
      it->second.used = true;
      c = it->second;
    }
    if (req.get_param_value("redirect_uri") != c.redirect_uri) return error(400, "invalid_grant");
    if (B64Url(Sha256(req.get_param_value("code_verifier"))) != c.challenge) return error(400, "invalid_grant");
    // The claims of the hint, and the misbehaviour asked for.
    json claims{{"iss", issuer}, {"aud", client_id}, {"nonce", c.nonce}};
    std::string misbehave;
    size_t at = 0;
    while (at < c.hint.size()) {
      size_t end = std::min(c.hint.find(';', at), c.hint.size());
      std::string kv = c.hint.substr(at, end - at);
      at = end + 1;
      size_t eq = kv.find('=');
      if (eq == std::string::npos) continue;
      if (kv.substr(0, eq) == "misbehave") misbehave = kv.substr(eq + 1);
      else claims[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (!claims.contains("sub")) claims["sub"] = "subject-1";
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    claims["iat"] = now;
    claims["exp"] = now + 300;
    if (misbehave == "wrong-aud") claims["aud"] = "someone-else";
    if (misbehave == "wrong-iss") claims["iss"] = "https://evil.example";
    if (misbehave == "expired") {
      claims["iat"] = now - 3600;
      claims["exp"] = now - 1800;
    }
    if (misbehave == "future-iat") claims["iat"] = now + 3600;
    if (misbehave == "wrong-nonce") claims["nonce"] = "not-the-nonce";
    if (misbehave == "no-nonce") claims.erase("nonce");
    Key key;
    {
      std::lock_guard lock(mu);
      if (misbehave == "rotate") keys.push_back(MakeKey("k" + std::to_string(keys.size() + 1)));
      key = keys.back();
    }
    if (misbehave == "unknown-kid") key = stranger;
    json header{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.kid}};
    if (misbehave == "alg-none") header = json{{"alg", "none"}, {"typ", "JWT"}};
    if (misbehave == "hs256") header = json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key.kid}};
    const std::string input = B64Url(header.dump()) + "." + B64Url(claims.dump());
    std::string signature;
    if (misbehave == "alg-none") {
      signature = "";
    } else if (misbehave == "hs256") {  // keyed with the client secret: the classic confusion
      unsigned char mac[EVP_MAX_MD_SIZE];
      unsigned n = 0;
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &n);
      signature = std::string(reinterpret_cast<char*>(mac), n);
    } else {
      signature = SignRs256(key.pkey, input);
      if (misbehave == "bad-signature") signature[signature.size() / 2] ^= 0x01;
    }
    json answer{{"access_token", Random(24)}, {"token_type", "Bearer"}, {"expires_in", 300},
                {"id_token", input + "." + B64Url(signature)}};
    res.set_content(answer.dump(), "application/json");
  });
  const int port = std::stoi(opt["--port"]);
  std::fprintf(stderr, "nks_test_oidc_provider: %s on port %d\n", issuer.c_str(), port);
  if (!server.listen("127.0.0.1", port)) {
    std::fprintf(stderr, "nks_test_oidc_provider: cannot listen on port %d\n", port);
    return 1;
  }
  return 0;
}
