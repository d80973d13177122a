// principal statements of `nks config apply` (issue 4).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "nks/authority/config.h"
#include "nks/store/temp_store_test.h"

namespace nks::authority {
namespace {

namespace fs = std::filesystem;

const std::string kFp1 = "sha256:" + std::string(64, 'A');
const std::string kBase = R"(authority nks=12345678 name="Randers Kommune" type=municipality policy=RETURN
system id=KY name="KY" connected=yes
)";

class PrincipalConfigTest : public store::TempStoreTest {
 protected:
  PrincipalConfigTest() : TempStoreTest("nks-principal") {}
  Result<ApplyReport> Apply(const std::string& text) {
    ConfigParse p = ParseConfig(text, "p.nks");
    EXPECT_TRUE(p.ok()) << (p.errors.empty() ? "" : p.errors[0]);
    return ApplyConfig(*store_, p.file, "test", Instant(std::chrono::microseconds(1)));
  }
};

TEST(PrincipalParse, ParsesEachKind) {
  ConfigParse p = ParseConfig(kBase + "principal certificate=" + kFp1 + " kind=system system=KY\n" +
                                  "principal subject=\"CN=Bank A,O=Bank\" kind=bank bank=1551\n" +
                                  "principal certificate=sha256:" + std::string(64, '3') +
                                  " kind=employee authority=12345678 user=cw1\n",
                              "p.nks");
  ASSERT_TRUE(p.ok()) << p.errors[0];
  ASSERT_EQ(p.file.principals.size(), 3u);
  EXPECT_EQ(p.file.principals[0].match, "sha256:" + std::string(64, 'a'));  // fingerprints are lower case
  EXPECT_EQ(p.file.principals[0].system, "KY");
  EXPECT_EQ(p.file.principals[1].match, "subject:CN=Bank A,O=Bank");
  EXPECT_EQ(p.file.principals[1].kind, store::PrincipalKind::kBank);
  EXPECT_EQ(p.file.principals[2].authority, 12345678u);
  EXPECT_EQ(p.file.principals[2].user, "cw1");
  // The statement reads back as itself.
  for (const auto& pr : p.file.principals) {
    ConfigParse again = ParseConfig(Statement(pr) + "\n", "again");
    ASSERT_TRUE(again.ok()) << again.errors[0];
    EXPECT_EQ(again.file.principals.at(0), pr);
  }
}

TEST(PrincipalParse, RefusesBadStatementsWithTheKey) {
  auto error = [](const std::string& line) {
    ConfigParse p = ParseConfig(line + "\n", "p.nks");
    return p.errors.empty() ? std::string() : p.errors[0];
  };
  EXPECT_NE(error("principal kind=system system=KY").find("certificate: give either"), std::string::npos);
  EXPECT_NE(error("principal certificate=sha256:12 kind=system system=KY").find("64 hex digits"), std::string::npos);
  EXPECT_NE(error("principal certificate=" + kFp1 + " subject=CN=x kind=bank bank=1551").find("either"),
            std::string::npos);
  EXPECT_NE(error("principal certificate=" + kFp1 + " kind=citizen").find("kind: must be"), std::string::npos);
  EXPECT_NE(error("principal certificate=" + kFp1 + " kind=company").find("logs in"), std::string::npos);
  EXPECT_NE(error("principal certificate=" + kFp1 + " kind=bank").find("bank: missing"), std::string::npos);
  EXPECT_NE(error("principal certificate=" + kFp1 + " kind=bank bank=1551 user=x").find("user: not allowed"),
            std::string::npos);
  EXPECT_NE(error("principal certificate=" + kFp1 + " kind=employee authority=0123 user=x").find("authority"),
            std::string::npos);
  EXPECT_NE(error("principal certificate=" + kFp1 + " kind=bank bank=15").find("bank"), std::string::npos);
}

TEST_P(PrincipalConfigTest, AppliesOnceAndReappliesAsUnchanged) {
  std::string text = kBase + "principal certificate=" + kFp1 + " kind=system system=KY\n";
  auto r = Apply(text);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->ok()) << r->errors[0];
  EXPECT_EQ(r->created, 3u);
  auto stored = store_->LoadPrincipals();
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].system, "KY");
  auto again = Apply(text);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created + again->changed, 0u);
  // Changing what the certificate is records the old and new statement.
  auto changed = Apply(kBase + "principal certificate=" + kFp1 + " kind=bank bank=1551\n");
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed->changed, 1u);
  EXPECT_NE(changed->changes[0].old_value.find("kind=system"), std::string::npos);
  EXPECT_NE(changed->changes[0].new_value.find("kind=bank"), std::string::npos);
}

TEST_P(PrincipalConfigTest, RefusesUnknownSystemOrAuthorityAndDuplicates) {
  auto r = Apply("principal certificate=" + kFp1 + " kind=system system=NOPE\n" +
                 "principal certificate=" + std::string("sha256:") + std::string(64, 'b') +
                 " kind=employee authority=11111111 user=u\n" + "principal certificate=" + kFp1 +
                 " kind=bank bank=1551\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 3u);
  std::string all = r->errors[0] + r->errors[1] + r->errors[2];
  EXPECT_NE(all.find("system: NOPE is not configured"), std::string::npos);
  EXPECT_NE(all.find("authority: 11111111 is not configured"), std::string::npos);
  EXPECT_NE(all.find("already given on line 1"), std::string::npos);
  auto stored = store_->LoadPrincipals();
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());  // nothing applied
}

TEST(PrincipalParse, DemoConfigurationRendersAndParses) {
  std::string text = Render(DemoConfig(), DemoPrincipals());
  ConfigParse p = ParseConfig(text, "demo");
  ASSERT_TRUE(p.ok()) << p.errors[0];
  EXPECT_EQ(p.file.principals.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, PrincipalConfigTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::authority
