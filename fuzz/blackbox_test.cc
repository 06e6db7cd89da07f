#include "fuzz/blackbox.h"

#include <gtest/gtest.h>

#include "mocks/mock_test_support.h"
#include "mocks/server.h"
#include "spec/loader.h"

namespace chapcheck::fuzz {
namespace {

using namespace chapcheck::mocks::testing;

// The mock's default fixture as the generator sees it: both documented targets, the other and
// the offline one.
const Mutator& TheMutator() {
  static const Mutator m = [] {
    generators::Context ctx;
    ctx.target_arn = kModelArn;
    ctx.other_target_arn = kOtherArn;
    ctx.offline_target_arn = kOfflineArn;
    spec::World world = generators::WorldOf(spec::EmbeddedSpec(), ctx);
    generators::Context guide;
    guide.target_arn = kGuideArn;
    const spec::World more = generators::WorldOf(spec::EmbeddedSpec(), guide);
    world.gateways.insert(more.gateways.begin(), more.gateways.end());
    world.targets.insert(more.targets.begin(), more.targets.end());
    return Mutator(spec::EmbeddedSpec(), generators::Generate(spec::EmbeddedSpec(), ctx), world);
  }();
  return m;
}

// A run bounded by its number of requests, not by time.
FuzzOptions Limited(std::uint64_t requests, int jobs, std::set<std::string> stop_on = {}) {
  FuzzOptions o;
  o.max_requests = requests;
  o.duration = std::chrono::minutes(10);
  o.jobs = jobs;
  o.stop_on = std::move(stop_on);
  return o;
}

class BlackboxTest : public ::testing::Test {
 protected:
  FuzzResult Fuzz(std::optional<mocks::Defect> defect, FuzzOptions options) {
    mocks::GatewayOptions o = Options();
    if (defect) o.defects.Enable(*defect);
    mocks::Gateway gateway(DefaultFixture(), o);
    auto server = mocks::MockServer::Start(gateway, mocks::ServerOptions{});
    EXPECT_TRUE(server.ok());
    conformance::EndpointConfig c;
    c.url = (*server)->url();
    c.credentials = Creds();
    c.clock = Now;
    options.target_arn = kModelArn;
    return RunFuzz(TheMutator(), c, options);
  }
};

TEST_F(BlackboxTest, TheCleanMockHasNoFindingAndEveryRequestIsCounted) {
  const FuzzResult r = Fuzz(std::nullopt, Limited(600, 2));
  ASSERT_FALSE(r.unreachable) << r.unreachable_reason;
  EXPECT_TRUE(r.findings.empty()) << r.findings.front().key.check << " " << r.findings.front().key.rule;
  EXPECT_EQ(r.stats.requests, 600u);
  EXPECT_EQ(r.stats.sent + r.stats.not_sent, 600u);
  EXPECT_GT(r.stats.probes, 0u);
  EXPECT_EQ(r.stats.no_answer, 0u);
  EXPECT_GE(r.stats.rules.size(), r.stats.rules_total * 3 / 4);
  EXPECT_FALSE(r.interesting.empty());
  EXPECT_TRUE(r.restore.changed.empty());
}

TEST_F(BlackboxTest, ADefectIsFoundDeduplicatedAndMinimised) {
  const FuzzResult r = Fuzz(mocks::Defect::kSecretMax17, Limited(4000, 2, {"accepted_iff_valid"}));
  const FuzzFinding* found = nullptr;
  std::set<FindingKey> keys;
  for (const auto& f : r.findings) {
    EXPECT_TRUE(keys.insert(f.key).second) << "one finding per (check, rule)";
    if (f.key.check == "accepted_iff_valid") found = &f;
  }
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->key.rule, found->first.test_case.expectation.outcome.rule);
  EXPECT_EQ(found->exchange.status, 200);
  // Minimised: the 17-byte secret is all that is wrong, and nothing the spec does not name is left.
  const auto body = nlohmann::json::parse(found->first.test_case.request.body);
  bool seventeen = false;
  for (const auto& m : spec::EmbeddedSpec().members) {
    if (m.sensitive && body.contains(m.name)) seventeen |= body[m.name].get<std::string>().size() == 17;
  }
  EXPECT_TRUE(seventeen) << found->first.test_case.name;
  for (const auto& [k, v] : body.items()) EXPECT_NE(spec::EmbeddedSpec().FindMember(k), nullptr) << k;
}

TEST_F(BlackboxTest, StateProbesCatchAPartialUpdate) {
  const FuzzResult r = Fuzz(mocks::Defect::kPartialUpdate, Limited(20000, 1, {"rejected_changes_nothing"}));
  bool found = false;
  for (const auto& f : r.findings) found |= f.key.check == "rejected_changes_nothing";
  EXPECT_TRUE(found);
}

TEST_F(BlackboxTest, AnEndpointThatDoesNotAnswerIsUnreachable) {
  conformance::EndpointConfig c;
  c.url = "http://127.0.0.1:1";
  c.credentials = Creds();
  FuzzOptions o;
  o.target_arn = kModelArn;
  const FuzzResult r = RunFuzz(TheMutator(), c, o);
  EXPECT_TRUE(r.unreachable);
  EXPECT_EQ(r.stats.sent, 0u);
}

}  // namespace
}  // namespace chapcheck::fuzz
