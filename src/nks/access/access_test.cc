#include "nks/access/access.h"

#include <gtest/gtest.h>

namespace nks::access {
namespace {

constexpr uint32_t kA = 12345678;

TEST(AccessTest, FunctionNamesRoundTrip) {
  for (Function f : kAllFunctions) {
    auto parsed = ParseFunction(FunctionName(f));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, f);
  }
  EXPECT_FALSE(ParseFunction("admin").ok());
}

TEST(AccessTest, SegregationRules) {
  EXPECT_TRUE(CheckSegregation(kRegisterRead | kNemKontoUpdate | kPaymentsSearch | kPaymentsStop, false).ok());
  EXPECT_FALSE(CheckSegregation(kSpecificUpdate, true).ok());
  EXPECT_TRUE(CheckSegregation(kRegisterRead | kPaymentsSearch, true).ok());
  EXPECT_FALSE(CheckSegregation(kControl | kNemKontoUpdate, false).ok());
  EXPECT_TRUE(CheckSegregation(kControl | kRegisterRead, false).ok());
  EXPECT_FALSE(CheckSegregation(kUsersAdmin | kPaymentsStop, false).ok());
  EXPECT_FALSE(CheckSegregation(kUsersAdmin | kSpecificUpdate, false).ok());
  EXPECT_TRUE(CheckSegregation(kUsersAdmin | kRegisterRead | kBenefitTypes, false).ok());
}

TEST(AccessTest, LosSubtrees) {
  LosTree tree({{kA, "K", "K", ""}, {kA, "K-B", "B", "K"}, {kA, "K-B-Y", "Y", "K-B"}, {kA, "K-T", "T", "K"},
                {99, "K-T", "other authority", ""}});
  EXPECT_TRUE(tree.Within(kA, "K-B-Y", "K-B"));
  EXPECT_TRUE(tree.Within(kA, "K-B", "K-B"));
  EXPECT_TRUE(tree.Within(kA, "K-T", "K"));
  EXPECT_FALSE(tree.Within(kA, "K-T", "K-B"));
  EXPECT_FALSE(tree.Within(kA, "K", "K-B"));
  EXPECT_FALSE(tree.Within(kA, "", "K"));
  EXPECT_FALSE(tree.Within(kA, "NOWHERE", "NOWHERE"));
  EXPECT_FALSE(tree.Within(99, "K-T", "K"));
  EXPECT_TRUE(tree.IsRoot(kA, "K"));
}

TEST(AccessTest, RightsAreTheUnionOfGrantsEachInItsSubtree) {
  std::vector<store::RoleProfile> roles = {{kA, "cw", {"nemkonto-update", "register-read"}},
                                           {kA, "stop", {"payments-stop"}}};
  std::vector<store::User> users = {{kA, "u", "U", false, {{"cw", "K"}, {"stop", "K-B"}, {"gone", "K"}}}};
  LosTree tree({{kA, "K", "K", ""}, {kA, "K-B", "B", "K"}, {kA, "K-T", "T", "K"}});
  Rights r = RightsOf(users, roles, kA, "u");
  EXPECT_TRUE(r.known);
  EXPECT_TRUE(r.segregation.ok());
  EXPECT_EQ(r.all, kNemKontoUpdate | kRegisterRead | kPaymentsStop);
  EXPECT_TRUE(r.HasAnyIn(kPaymentsStop, "K-B", tree));
  EXPECT_FALSE(r.HasAnyIn(kPaymentsStop, "K-T", tree));
  EXPECT_TRUE(r.HasAnyIn(kRegisterRead, "K-T", tree));
  EXPECT_FALSE(RightsOf(users, roles, kA, "nobody").known);
  EXPECT_FALSE(RightsOf(users, roles, 99, "u").known);
}

}  // namespace
}  // namespace nks::access
