#include "conformance/connection_scenarios.h"

#include <gtest/gtest.h>

#include <set>

namespace chapcheck::conformance {
namespace {

std::unique_ptr<Client> Unused() {
  EndpointConfig config;
  config.url = "http://127.0.0.1:9";  // never called on the paths below
  auto c = Client::Create(config);
  EXPECT_TRUE(c.ok());
  return std::move(c).value();
}

TEST(ConnectionScenarios, EveryScenarioCheckIsRegisteredAndEveryRegisteredOneIsJudged) {
  std::set<std::string_view> registered, judged(ConnectionScenarioNames().begin(), ConnectionScenarioNames().end());
  for (const Check& c : AllChecks()) {
    if (c.scenario) {
      registered.insert(c.name);
      EXPECT_EQ(c.family, "connections") << c.name;
      EXPECT_FALSE(c.clause.empty()) << c.name;
    }
  }
  EXPECT_EQ(registered, judged);
  EXPECT_EQ(judged.size(), 7u);
}

TEST(ConnectionScenarios, WithoutAPortalEveryCheckIsSkippedWithTheReason) {
  auto client = Unused();
  ScenarioOptions o;
  o.target_arn = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume";
  o.allowed = true;
  const ScenarioResults r = RunConnectionScenarios(*client, o);
  ASSERT_EQ(r.findings.size(), ConnectionScenarioNames().size());
  for (const auto& [name, f] : r.findings) {
    EXPECT_EQ(f.status, Status::kSkip) << name;
    EXPECT_NE(f.message.find("--iscsi-portal"), std::string::npos) << f.message;
  }
  o.no_portal_reason = "the built-in mock serves no iSCSI portal in this build";
  for (const auto& [name, f] : RunConnectionScenarios(*client, o).findings) EXPECT_EQ(f.message, o.no_portal_reason);
}

TEST(ConnectionScenarios, WithoutDisruptiveNothingIsSentAndEveryCheckIsSkipped) {
  auto client = Unused();
  ScenarioOptions o;
  o.target_arn = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume";
  o.iscsi_portal = "127.0.0.1:9";
  const ScenarioResults r = RunConnectionScenarios(*client, o);
  for (const auto& [name, f] : r.findings) {
    EXPECT_EQ(f.status, Status::kSkip) << name;
    EXPECT_NE(f.message.find("--disruptive"), std::string::npos) << f.message;
  }
  EXPECT_TRUE(r.restored.empty());
  EXPECT_TRUE(r.changed.empty());
}

TEST(ConnectionScenarios, TargetIqnIsThePartAfterTarget) {
  EXPECT_EQ(TargetIqnOf("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:v"),
            "iqn.1997-05.com.amazon:v");
  EXPECT_FALSE(TargetIqnOf("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B").has_value());
  EXPECT_FALSE(TargetIqnOf("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/").has_value());
}

}  // namespace
}  // namespace chapcheck::conformance
