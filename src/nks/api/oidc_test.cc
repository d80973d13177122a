// The relying party's token checks (api/oidc.cc) against tokens signed here
// with a fresh RSA key: only a correctly signed RS256 token for this client,
// from this issuer, unexpired and with this login's nonce is accepted.
#include "nks/api/oidc.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

namespace nks::api::oidc {
namespace {

using json = nlohmann::json;

constexpr int64_t kNow = 1'795'000'000;

std::string Param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

class OidcTokens : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = EVP_RSA_gen(2048);
    other_ = EVP_RSA_gen(2048);
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(key_);
    EVP_PKEY_free(other_);
  }
  static std::string Jwk(EVP_PKEY* k, const std::string& kid) {
    return json{{"kty", "RSA"}, {"kid", kid}, {"use", "sig"}, {"n", Base64UrlEncode(Param(k, OSSL_PKEY_PARAM_RSA_N))},
                {"e", Base64UrlEncode(Param(k, OSSL_PKEY_PARAM_RSA_E))}}.dump();
  }
  static Jwks Keys() {
    auto j = Jwks::Parse(R"({"keys":[{"kty":"EC","kid":"ec"},)" + Jwk(key_, "k1") + "]}");
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return std::move(j).value();
  }
  static json Claims() {
    return json{{"iss", "https://idp.test"}, {"aud", "nemkonto"}, {"sub", "s"}, {"nonce", "n-1"},
                {"iat", kNow - 10}, {"exp", kNow + 300}, {"dk:cpr", "0101901234"}};
  }
  static std::string Sign(const json& header, const json& claims, EVP_PKEY* key = key_) {
    const std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    size_t n = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(md, nullptr, &n, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(n, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &n,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(md);
    return input + "." + Base64UrlEncode(sig);
  }
  static json Rs256() { return json{{"alg", "RS256"}, {"kid", "k1"}}; }
  static Status Check(const std::string& token) {
    return VerifyIdToken(token, Keys(), Expected{"https://idp.test", "nemkonto", "n-1", kNow}).status();
  }
  static inline EVP_PKEY* key_ = nullptr;
  static inline EVP_PKEY* other_ = nullptr;
};

TEST(Oidc, Base64UrlAndPkceMatchTheRfcs) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("-_8=").ok());  // no padding in a JWS
  EXPECT_FALSE(Base64UrlDecode("a+b/").ok());
  // printf VERIFIER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWZjEpXk"), "cpFbOMSycnyiRgZrEA49gjm7OSFjpyT1qxWZK-7mDAw");
  EXPECT_EQ(FormEncode("openid ssn/ä"), "openid%20ssn%2F%C3%A4");
}

TEST(Oidc, DiscoveryMustNameTheConfiguredIssuerAndHttpsEndpoints) {
  const std::string good = R"({"issuer":"https://idp.test","authorization_endpoint":"https://idp.test/a",
      "token_endpoint":"https://idp.test/t","jwks_uri":"https://idp.test/k"})";
  auto d = ParseDiscovery(good, "https://idp.test");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->token_endpoint, "https://idp.test/t");
  EXPECT_FALSE(ParseDiscovery(good, "https://other.test").ok());
  std::string plain = good;
  plain.replace(plain.find("https://idp.test/t"), 8, "http://");
  EXPECT_NE(ParseDiscovery(plain, "https://idp.test").status().message().find("token_endpoint"), std::string::npos);
  auto u = ParseHttpsUrl("https://127.0.0.1:8443/x?y=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path_and_query, "/x?y=1");
  EXPECT_FALSE(ParseHttpsUrl("https://user@idp.test/").ok());
}

TEST_F(OidcTokens, AGoodTokenGivesItsClaims) {
  auto claims = VerifyIdToken(Sign(Rs256(), Claims()), Keys(), Expected{"https://idp.test", "nemkonto", "n-1", kNow});
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(ClaimText(*claims, "dk:cpr"), "0101901234");
  // aud as a list with azp, and within the clock skew.
  json c = Claims();
  c["aud"] = json::array({"nemkonto", "other"});
  c["azp"] = "nemkonto";
  c["exp"] = kNow - kClockSkewSeconds + 1;
  EXPECT_TRUE(Check(Sign(Rs256(), c)).ok());
}

TEST_F(OidcTokens, EveryWrongTokenIsRefusedSayingWhy) {
  auto refused = [&](const std::string& token, const std::string& says) {
    Status st = Check(token);
    EXPECT_FALSE(st.ok()) << says;
    EXPECT_NE(st.message().find(says), std::string::npos) << st.message();
  };
  json c = Claims();
  refused(Sign(json{{"alg", "none"}}, c).substr(0, Sign(json{{"alg", "none"}}, c).rfind('.') + 1), "RS256 only");
  {
    const std::string input = Base64UrlEncode(json{{"alg", "HS256"}}.dump()) + "." + Base64UrlEncode(c.dump());
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    const std::string secret = "s3cret";
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &n);
    refused(input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), n)), "RS256 only");
  }
  refused(Sign(Rs256(), c, other_), "signature");  // another key under k1's kid
  json other_kid = Rs256();
  other_kid["kid"] = "k9";
  refused(Sign(other_kid, c, other_), "not in the JWKS");
  std::string tampered = Sign(Rs256(), c);
  tampered[tampered.find('.') + 5] ^= 1;
  EXPECT_FALSE(Check(tampered).ok());
  auto with = [&](const char* k, json v) {
    json x = Claims();
    if (v.is_null()) x.erase(k);
    else x[k] = v;
    return Sign(Rs256(), x);
  };
  refused(with("aud", "someone-else"), "aud");
  refused(with("aud", json::array({"someone-else"})), "aud");
  refused(with("iss", "https://evil.test"), "iss");
  refused(with("exp", kNow - kClockSkewSeconds), "expired");
  refused(with("iat", kNow + kClockSkewSeconds + 1), "future");
  refused(with("exp", nullptr), "exp and iat");
  refused(with("nonce", "n-2"), "nonce");
  refused(with("nonce", nullptr), "nonce");
  refused(with("azp", "someone-else"), "azp");
  refused("a.b", "three parts");
}

TEST_F(OidcTokens, JwksRefusesWeakAndUnusableKeys) {
  EXPECT_FALSE(Jwks::Parse(R"({"keys":[]})").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys":[{"kty":"RSA","kid":"x","n":"AQAB","e":"AQAB"}]})").ok());  // 17 bits
  EXPECT_FALSE(Jwks::Parse("not json").ok());
  auto one = Jwks::Parse("{\"keys\":[" + Jwk(key_, "") + "]}");
  ASSERT_TRUE(one.ok());
  json h{{"alg", "RS256"}};  // no kid: the only key
  EXPECT_TRUE(VerifyIdToken(Sign(h, Claims()), *one, Expected{"https://idp.test", "nemkonto", "n-1", kNow}).ok());
}

}  // namespace
}  // namespace nks::api::oidc
