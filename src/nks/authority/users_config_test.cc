// role and user statements of `nks config apply` (issue 4, SPEC §4.3): the
// segregation of duties is checked when roles are granted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "nks/authority/config.h"
#include "nks/store/temp_store_test.h"

namespace nks::authority {
namespace {

namespace fs = std::filesystem;

const std::string kBase = R"(authority nks=12345678 name="Randers Kommune" type=municipality policy=RETURN
los authority=12345678 id=RK name="Randers Kommune"
los authority=12345678 id=RK-BORGER name="Borgerservice" parent=RK
role authority=12345678 name=caseworker functions=register-read,nemkonto-update
role authority=12345678 name=controller functions=control
role authority=12345678 name=stopper functions=payments-stop
role authority=12345678 name=admin functions=users-admin
)";

class UsersConfigTest : public store::TempStoreTest {
 protected:
  UsersConfigTest() : TempStoreTest("nks-users") {}
  // The cross-check errors of applying `text` (empty: applied).
  std::vector<std::string> Apply(const std::string& text) {
    ConfigParse p = ParseConfig(text, "u.nks");
    EXPECT_TRUE(p.ok()) << (p.errors.empty() ? "" : p.errors[0]);
    auto r = ApplyConfig(*store_, p.file, "test", Instant(std::chrono::microseconds(1)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->errors : std::vector<std::string>{"apply failed"};
  }
};

TEST_P(UsersConfigTest, AppliesUsersAndRolesAndReapplyChangesNothing) {
  const std::string text = kBase + "user authority=12345678 id=cw1 name=\"Case Worker\" grants=caseworker@RK-BORGER\n";
  EXPECT_TRUE(Apply(text).empty());
  auto users = store_->LoadUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].grants, (std::vector<store::RoleGrant>{{"caseworker", "RK-BORGER"}}));
  auto roles = store_->LoadRoleProfiles();
  ASSERT_TRUE(roles.ok());
  ASSERT_EQ(roles->size(), 4u);
  EXPECT_EQ((*roles)[1].name, "caseworker");  // by name
  EXPECT_EQ((*roles)[1].functions, (std::vector<std::string>{"nemkonto-update", "register-read"}));
  ConfigParse again = ParseConfig(text, "u.nks");
  auto r = ApplyConfig(*store_, again.file, "test", Instant(std::chrono::microseconds(2)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->created + r->changed, 0u);
  // Rendered and parsed back, the same objects.
  auto config = store_->LoadConfig();
  auto principals = store_->LoadPrincipals();
  ConfigParse rendered = ParseConfig(Render(*config, *principals, *roles, *users), "r.nks");
  ASSERT_TRUE(rendered.ok()) << rendered.errors[0];
  EXPECT_EQ(rendered.file.users, *users);
  EXPECT_EQ(rendered.file.roles, *roles);
}

TEST_P(UsersConfigTest, RefusesBadStatements) {
  EXPECT_FALSE(ParseConfig("role authority=12345678 name=x functions=fly\n", "u.nks").ok());
  EXPECT_FALSE(ParseConfig("role authority=12345678 name=x functions=control,control\n", "u.nks").ok());
  EXPECT_FALSE(ParseConfig("user authority=12345678 id=a name=A grants=caseworker\n", "u.nks").ok());
  EXPECT_FALSE(ParseConfig("user authority=12345678 id=a name=A grants=c@RK,c@RK\n", "u.nks").ok());
  auto errors = Apply(kBase + "user authority=12345678 id=a name=A grants=nosuch@RK,caseworker@RK-NOWHERE\n");
  ASSERT_EQ(errors.size(), 2u);
  const std::string all = errors[0] + "\n" + errors[1];
  EXPECT_NE(all.find("u.nks:8: user: grants: role nosuch is not configured"), std::string::npos) << all;
  EXPECT_NE(all.find("u.nks:8: user: grants: LOS unit RK-NOWHERE is not configured"), std::string::npos) << all;
}

TEST_P(UsersConfigTest, RefusesGrantsThatBreakTheSegregationOfDuties) {
  struct Case {
    std::string user;
    std::string rule;
  };
  const std::vector<Case> cases = {
      {"grants=caseworker@RK payment_system_cases=yes", "payment systems"},
      {"grants=caseworker@RK-BORGER,controller@RK", "a controller may not hold"},
      {"grants=admin@RK,caseworker@RK-BORGER", "user administrator"},
      {"grants=admin@RK,stopper@RK", "user administrator"},
  };
  for (const auto& c : cases) {
    auto errors = Apply(kBase + "user authority=12345678 id=a name=A " + c.user + "\n");
    ASSERT_EQ(errors.size(), 1u) << c.user;
    EXPECT_NE(errors[0].find("u.nks:8: user a: segregation of duties: "), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find(c.rule), std::string::npos) << errors[0];
  }
  auto users = store_->LoadUsers();
  ASSERT_TRUE(users.ok());
  EXPECT_TRUE(users->empty());  // nothing applied
  // Controller alone, or payment-system cases without reporting, are fine.
  EXPECT_TRUE(Apply(kBase + "user authority=12345678 id=a name=A grants=controller@RK payment_system_cases=yes\n").empty());
}

TEST_P(UsersConfigTest, RefusesARoleChangeThatBreaksAStoredUser) {
  ASSERT_TRUE(Apply(kBase + "user authority=12345678 id=c name=C grants=controller@RK\n").empty());
  auto errors = Apply("role authority=12345678 name=controller functions=control,nemkonto-update\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("user c: segregation of duties"), std::string::npos) << errors[0];
}

INSTANTIATE_TEST_SUITE_P(Backends, UsersConfigTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::authority
