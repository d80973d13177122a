#include "nks/authority/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nks/core/file.h"
#include "nks/store/temp_store_test.h"

namespace nks::authority {
namespace {

namespace fs = std::filesystem;

const char* kGood = R"(# a comment
authority nks=12345678 name="Randers Kommune" type=municipality policy=RETURN
los authority=12345678 id=RK name="Randers Kommune"
los authority=12345678 id=RK-B name=Borgerservice parent=RK   # trailing comment
bank-agreement authority=12345678 number=PIA-1 bank=DABADKKK account=3001-0001234567
benefit authority=12345678 code=boligstoette name="Boligstøtte"
system id=KY name="KY \"Ydelse\"" connected=no
connection system=KY authority=12345678 state=requested
)";

class ConfigTest : public store::TempStoreTest {
 protected:
  ConfigTest() : TempStoreTest("nks-config") {}
  Result<ApplyReport> Apply(const std::string& text, int64_t at_us = 1'000'000) {
    ConfigParse p = ParseConfig(text, "cfg.nks");
    EXPECT_TRUE(p.ok()) << (p.errors.empty() ? "" : p.errors[0]);
    return ApplyConfig(*store_, p.file, "admin1", Instant(std::chrono::microseconds(at_us)));
  }

};

TEST(ConfigParseTest, ReadsEveryStatement) {
  ConfigParse p = ParseConfig(kGood, "cfg.nks");
  ASSERT_TRUE(p.ok()) << p.errors[0];
  const auto& o = p.file.objects;
  ASSERT_EQ(o.authorities.size(), 1u);
  EXPECT_EQ(o.authorities[0].nks, 12345678u);
  EXPECT_EQ(o.authorities[0].name, "Randers Kommune");
  EXPECT_EQ(o.authorities[0].policy, store::FailedPaymentPolicy::kReturn);
  EXPECT_EQ(o.authorities[0].late, store::LatePaymentRule::kReject);
  ASSERT_EQ(o.los_units.size(), 2u);
  EXPECT_EQ(o.los_units[1].parent, "RK");
  EXPECT_EQ(p.file.los_lines[1], 4u);
  EXPECT_EQ(o.bank_agreements[0].account, "3001-0001234567");
  EXPECT_EQ(o.benefit_types[0].name, "Boligstøtte");
  EXPECT_EQ(o.systems[0].name, "KY \"Ydelse\"");
  EXPECT_FALSE(o.systems[0].connected);
  EXPECT_EQ(o.connections[0].state, store::ConnectionState::kRequested);
}

TEST(ConfigParseTest, EveryBadLineIsReportedWithLineAndReason) {
  ConfigParse p = ParseConfig(
      "authority nks=012345 name=X type=municipality policy=RETURN\n"
      "authority nks=5 name=X type=municipality policy=ERROR_ACCOUNT\n"
      "authority nks=6 name=X type=town policy=RETURN\n"
      "bank-agreement authority=5 number=P bank=NOTABIC account=3001-0001234567\n"
      "benefit authority=5 code=bolig name=\"unclosed\n"
      "los authority=5 id=A name=A colour=blue\n"
      "frobnicate x=1\n"
      "connection system=KY authority=5 state=signed\n",
      "cfg.nks");
  ASSERT_EQ(p.errors.size(), 8u);
  EXPECT_EQ(p.errors[0], "cfg.nks:1: authority: nks: NKS agreement number: must be 1..99999999 without leading zeros");
  EXPECT_EQ(p.errors[1], "cfg.nks:2: authority: error_account: required with policy=ERROR_ACCOUNT");
  EXPECT_NE(p.errors[2].find("cfg.nks:3: authority: type:"), std::string::npos);
  EXPECT_NE(p.errors[3].find("cfg.nks:4: bank-agreement: bank:"), std::string::npos);
  EXPECT_EQ(p.errors[4], "cfg.nks:5: quoted value is not closed");
  EXPECT_EQ(p.errors[5], "cfg.nks:6: los: colour: unknown key");
  EXPECT_NE(p.errors[6].find("cfg.nks:7: unknown statement 'frobnicate'"), std::string::npos);
  EXPECT_NE(p.errors[7].find("cfg.nks:8: connection: reference: "), std::string::npos);
}

TEST(ConfigParseTest, RenderedConfigurationParsesBackToTheSameObjects) {
  ConfigParse p = ParseConfig(kGood, "cfg.nks");
  ASSERT_TRUE(p.ok());
  ConfigParse again = ParseConfig(Render(p.file.objects), "rendered");
  ASSERT_TRUE(again.ok()) << again.errors[0];
  EXPECT_EQ(again.file.objects.authorities, p.file.objects.authorities);
  EXPECT_EQ(again.file.objects.los_units, p.file.objects.los_units);
  EXPECT_EQ(again.file.objects.systems, p.file.objects.systems);
  EXPECT_EQ(again.file.objects.connections, p.file.objects.connections);
}

TEST_P(ConfigTest, ApplyingTwiceChangesNothingTheSecondTime) {
  auto first = Apply(kGood);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->ok()) << first->errors[0];
  EXPECT_EQ(first->created, 7u);
  auto second = Apply(kGood);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->created + second->changed, 0u);
  EXPECT_EQ(second->unchanged, 7u);
  EXPECT_EQ(store_->ConfigHistory()->size(), 7u);
}

TEST_P(ConfigTest, ChangedPolicyIsRecordedWithOldAndNewValue) {
  ASSERT_TRUE(Apply(kGood)->ok());
  auto r = Apply(
      "authority nks=12345678 name=\"Randers Kommune\" type=municipality policy=CHEQUE\n", 2'000'000);
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->changed, 1u);
  auto history = store_->ConfigHistory();
  ASSERT_TRUE(history.ok());
  const store::ConfigChange& last = history->back();
  EXPECT_EQ(last.object, "authority 12345678");
  EXPECT_EQ(last.actor, "admin1");
  EXPECT_EQ(last.at_us, 2'000'000);
  EXPECT_NE(last.old_value.find("policy=RETURN"), std::string::npos);
  EXPECT_NE(last.new_value.find("policy=CHEQUE"), std::string::npos);
  EXPECT_EQ(store_->LoadConfig()->authorities[0].policy, store::FailedPaymentPolicy::kCheque);
}

TEST_P(ConfigTest, CrossReferenceErrorsRefuseTheWholeFile) {
  auto r = Apply(
      "authority nks=7 name=A type=state policy=RETURN\n"
      "los authority=7 id=A name=A parent=MISSING\n"
      "benefit authority=8 code=x name=X\n"
      "connection system=NOSUCH authority=7 state=requested\n"
      "los authority=7 id=B name=B\n"
      "los authority=7 id=B name=\"B again\"\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 4u) << r->errors[0];
  EXPECT_NE(r->errors[0].find("cfg.nks:6: los 7/B: already given on line 5"), std::string::npos) << r->errors[0];
  EXPECT_NE(r->errors[1].find("cfg.nks:3: benefit: authority: 8 is not configured"), std::string::npos) << r->errors[1];
  EXPECT_NE(r->errors[2].find("cfg.nks:2: los: parent: MISSING"), std::string::npos) << r->errors[2];
  EXPECT_NE(r->errors[3].find("cfg.nks:4: connection: system: NOSUCH"), std::string::npos) << r->errors[3];
  EXPECT_TRUE(store_->LoadConfig()->authorities.empty());
  EXPECT_TRUE(store_->ConfigHistory()->empty());
}

TEST_P(ConfigTest, LosCyclesAreRefused) {
  ASSERT_TRUE(Apply("authority nks=7 name=A type=state policy=RETURN\n"
                    "los authority=7 id=A name=A\n"
                    "los authority=7 id=B name=B parent=A\n")
                  ->ok());
  auto r = Apply("los authority=7 id=A name=A parent=B\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].find("cycle"), std::string::npos) << r->errors[0];
}

TEST_P(ConfigTest, ConnectionsMoveForwardOnlyAndRecordTheFee) {
  ASSERT_TRUE(Apply(kGood)->ok());
  auto active = Apply("connection system=KY authority=12345678 state=active reference=SA09-1\n");
  ASSERT_TRUE(active.ok() && active->ok());
  auto config = store_->LoadConfig();
  EXPECT_EQ(config->connections[0].state, store::ConnectionState::kActive);
  EXPECT_EQ(config->connections[0].fee_ore, kConnectionFeeOre);
  auto back = Apply("connection system=KY authority=12345678 state=signed reference=SA09-1\n");
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->errors.size(), 1u);
  EXPECT_NE(back->errors[0].find("cannot go back from active to signed"), std::string::npos);
}

TEST_P(ConfigTest, TheExampleFileInTheRepositoryApplies) {
  auto text = ReadSmallFile(NKS_SOURCE_DIR "/config/example.nks", 1 << 20);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  ConfigParse p = ParseConfig(*text, "example.nks");
  ASSERT_TRUE(p.ok()) << p.errors[0];
  auto r = ApplyConfig(*store_, p.file, "admin1", Instant{});
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_GT(r->created, 5u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConfigTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::authority
