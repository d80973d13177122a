// oidc statements of `nks config apply` (issue 4, item 4): parsed, checked,
// stored and rendered back; the client secret is never in the file.
#include <gtest/gtest.h>

#include "nks/authority/config.h"
#include "nks/store/temp_store_test.h"

namespace nks::authority {
namespace {

const std::string kBase = R"(authority nks=12345678 name="Randers Kommune" type=municipality policy=RETURN
)";
const std::string kCitizen =
    "oidc id=mitid issuer=https://broker.test client_id=nemkonto secret_env=NKS_MITID redirect_uri=https://nks.test/auth/callback "
    "kind=citizen scopes=\"openid ssn\" cpr_claim=dk:cpr cvr_claim=dk:cvr\n";
const std::string kEmployee =
    "oidc id=erhverv issuer=https://erhverv.test client_id=nemkonto secret_file=/etc/nks/e.secret "
    "redirect_uri=https://nks.test/auth/callback kind=employee authority=12345678 user_claim=uid ca_file=/etc/nks/ca.pem\n";

class OidcConfigTest : public store::TempStoreTest {
 protected:
  OidcConfigTest() : TempStoreTest("nks-oidc-config") {}
};

std::string Error(const std::string& statement) {
  ConfigParse p = ParseConfig(kBase + statement + "\n", "o.nks");
  return p.errors.empty() ? std::string() : p.errors[0];
}

TEST(OidcParse, ParsesBothKinds) {
  ConfigParse p = ParseConfig(kBase + kCitizen + kEmployee, "o.nks");
  ASSERT_TRUE(p.ok()) << p.errors[0];
  ASSERT_EQ(p.file.oidc.size(), 2u);
  const store::OidcProvider& c = p.file.oidc[0];
  EXPECT_EQ(c.kind, store::PrincipalKind::kCitizen);
  EXPECT_EQ(c.scopes, "openid ssn");
  EXPECT_EQ(c.cpr_claim, "dk:cpr");
  EXPECT_EQ(c.cvr_claim, "dk:cvr");
  EXPECT_EQ(c.secret_env, "NKS_MITID");
  EXPECT_EQ(c.name_claim, "name");
  const store::OidcProvider& e = p.file.oidc[1];
  EXPECT_EQ(e.kind, store::PrincipalKind::kEmployee);
  EXPECT_EQ(e.authority, 12345678u);
  EXPECT_EQ(e.user_claim, "uid");
  EXPECT_EQ(e.scopes, "openid");
  EXPECT_EQ(e.secret_file, "/etc/nks/e.secret");
}

TEST(OidcParse, RefusesBadStatementsNamingTheKey) {
  const std::string rest = " client_id=n redirect_uri=https://nks.test/auth/callback kind=citizen cpr_claim=c";
  EXPECT_NE(Error("oidc id=x issuer=http://broker.test secret_env=S" + rest).find("issuer: must be an https"),
            std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test" + rest).find("secret_file: give either"), std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test secret_env=S secret_file=f" + rest).find("give either"),
            std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test secret=hunter2" + rest).find("secret: unknown key"),
            std::string::npos);
  EXPECT_NE(Error("oidc id=demo issuer=https://broker.test secret_env=S" + rest).find("id: 'demo'"), std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test secret_env=S client_id=n redirect_uri=https://n.test/cb "
                  "kind=citizen").find("cpr_claim: missing"), std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test secret_env=S client_id=n redirect_uri=https://n.test/cb "
                  "kind=employee user_claim=u").find("authority: missing"), std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test secret_env=S" + rest + " user_claim=u")
                .find("user_claim: not allowed"), std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test secret_env=S" + rest + " scopes=profile")
                .find("scopes: must include openid"), std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://broker.test secret_env=S client_id=n redirect_uri=https://n.test/cb "
                  "kind=bank cpr_claim=c").find("kind: must be citizen or employee"), std::string::npos);
  EXPECT_NE(Error("oidc id=x issuer=https://u@broker.test secret_env=S" + rest).find("issuer"), std::string::npos);
}

TEST_P(OidcConfigTest, AppliesOnceRendersBackAndChecksTheAuthority) {
  ConfigParse p = ParseConfig(kBase + kCitizen + kEmployee, "o.nks");
  ASSERT_TRUE(p.ok()) << p.errors[0];
  auto applied = ApplyConfig(*store_, p.file, "test", Instant(std::chrono::microseconds(1)));
  ASSERT_TRUE(applied.ok() && applied->ok()) << (applied.ok() ? applied->errors[0] : applied.status().ToString());
  EXPECT_EQ(applied->created, 3u);
  auto stored = store_->LoadOidcProviders();
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0], p.file.oidc[1]);  // by id: erhverv, mitid
  EXPECT_EQ((*stored)[1], p.file.oidc[0]);
  // Applying again changes nothing; the rendered statements parse back the same.
  auto again = ApplyConfig(*store_, p.file, "test", Instant(std::chrono::microseconds(2)));
  ASSERT_TRUE(again.ok() && again->ok());
  EXPECT_EQ(again->created + again->changed, 0u);
  const std::string text = Render(*store_->LoadConfig(), {}, {}, {}, {}, *stored);
  ConfigParse back = ParseConfig(text, "rendered.nks");
  ASSERT_TRUE(back.ok()) << back.errors[0] << "\n" << text;
  EXPECT_EQ(back.file.oidc, *stored);
  // An employee provider needs its authority.
  ConfigParse orphan = ParseConfig(
      "oidc id=other issuer=https://x.test client_id=n secret_env=S redirect_uri=https://n.test/cb kind=employee "
      "authority=87654321 user_claim=u\n", "orphan.nks");
  ASSERT_TRUE(orphan.ok()) << orphan.errors[0];
  auto refused = ApplyConfig(*store_, orphan.file, "test", Instant(std::chrono::microseconds(3)));
  ASSERT_TRUE(refused.ok());
  ASSERT_FALSE(refused->ok());
  EXPECT_NE(refused->errors[0].find("authority: 87654321 is not configured"), std::string::npos) << refused->errors[0];
}

INSTANTIATE_TEST_SUITE_P(Backends, OidcConfigTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::authority
