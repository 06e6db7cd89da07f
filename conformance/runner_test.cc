// The runner against the mock gateway in process: parallel runs judge like sequential ones, a
// state-changing defect is blamed only on cases that change state, and a stop request ends the
// run early with the credentials restored.
#include "conformance/runner.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "conformance/signing.h"
#include "mocks/mock_test_support.h"
#include "mocks/server.h"
#include "spec/loader.h"

namespace chapcheck::conformance {
namespace {

using namespace chapcheck::mocks::testing;
using json = nlohmann::json;

class RunnerTest : public ::testing::Test {
 protected:
  void Start(mocks::DefectSet defects = {}) {
    gateway_ = std::make_unique<mocks::Gateway>(DefaultFixture(), Options(defects));
    auto s = mocks::MockServer::Start(*gateway_, mocks::ServerOptions{});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    server_ = std::move(s).value();
    EndpointConfig c;
    c.url = server_->url();
    c.credentials = Creds();
    c.clock = Now;
    client_ = std::move(Client::Create(c)).value();
  }
  std::vector<generators::Case> Cases() const {
    generators::Context ctx;
    ctx.target_arn = kModelArn;
    ctx.other_target_arn = kOtherArn;
    ctx.offline_target_arn = kOfflineArn;
    ctx.world = World(DefaultFixture());
    return generators::Generate(spec_, ctx);
  }
  static spec::World World(const mocks::Fixture& f) {
    spec::World w;
    for (const auto& g : f.gateways) w.gateways[g.arn] = spec::World::Gateway{g.online, g.HasIscsi()};
    for (const auto& v : f.volumes) w.targets.insert(v.target_arn);
    return w;
  }
  RunOptions RunWith(int jobs) const {
    RunOptions o;
    o.target_arn = kModelArn;
    o.jobs = jobs;
    return o;
  }
  std::string Credentials() {
    const Exchange ex = client_->Call("StorageGateway_20130630", "DescribeChapCredentials", json{{"TargetARN", kModelArn}}.dump());
    return ex.body;
  }
  // Per case, in order: its name and each check's status.
  static std::vector<std::string> Verdicts(const SuiteResult& r) {
    std::vector<std::string> out;
    for (const auto& c : r.cases) {
      std::string line = c.test_case.name;
      for (const auto& cr : c.checks) line += " " + std::string(cr.check->name) + "=" + std::string(ToString(cr.finding.status));
      out.push_back(line);
    }
    return out;
  }
  static std::set<std::string> Failing(const SuiteResult& r, std::string_view check) {
    std::set<std::string> out;
    for (const auto& c : r.cases) {
      for (const auto& cr : c.checks) {
        if (cr.check->name == check && cr.finding.status == Status::kFail) out.insert(c.test_case.name);
      }
    }
    return out;
  }

  const spec::Spec spec_ = std::move(spec::LoadEmbeddedSpec()).value();
  std::unique_ptr<mocks::Gateway> gateway_;
  std::unique_ptr<mocks::MockServer> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(RunnerTest, FourJobsJudgeEveryCaseAsOneJobDoesInTheSameOrder) {
  Start();
  const auto cases = Cases();
  const std::string initial = Credentials();
  const SuiteResult one = RunSuite(spec_, cases, *client_, RunWith(1));
  const SuiteResult four = RunSuite(spec_, cases, *client_, RunWith(4));
  ASSERT_EQ(one.cases.size(), cases.size());
  EXPECT_EQ(Verdicts(one), Verdicts(four));
  // An accepted update runs while a rejected case's snapshot pair is open only if the gates
  // fail: the pair would then see a change (and have its case re-judged alone).
  EXPECT_TRUE(Failing(four, "rejected_changes_nothing").empty());
  for (const auto& c : four.cases) {
    for (const auto& cr : c.checks) {
      EXPECT_TRUE(cr.check->name != "rejected_changes_nothing" || cr.finding.message.empty())
          << c.test_case.name << ": a snapshot pair saw a change and had the case sent again alone";
    }
  }
  for (const auto& c : four.cases) EXPECT_FALSE(c.Failed()) << c.test_case.name;
  EXPECT_FALSE(four.restored.empty()) << "accepted cases changed credentials, and the run put them back";
  EXPECT_EQ(Credentials(), initial);
}

// partial-update stores a rejected request's initiator secret. With four jobs, a snapshot pair can
// see another case's change; the runner must not blame a case that, sent alone to a gateway
// holding secrets no case sends, changes nothing.
TEST_F(RunnerTest, WithJobsAChangeIsBlamedOnlyOnCasesThatMakeIt) {
  const mocks::DefectSet defect = [] {
    mocks::DefectSet d;
    d.Enable(mocks::Defect::kPartialUpdate);
    return d;
  }();
  // The truth: which rejected cases change a fresh gateway's credentials when sent alone.
  std::set<std::string> truth;
  const auto cases = Cases();
  const std::string describe = json{{"TargetARN", kModelArn}}.dump();
  for (const auto& c : cases) {
    if (c.expectation.outcome.decision != spec::Decision::kReject) continue;
    mocks::Gateway fresh(DefaultFixture(), mocks::testing::Options(defect));
    // Secrets no case sends, so that whatever a case stores shows.
    fresh.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, "zyxwvutsrqpo", "onmlkjihgfed")));
    const std::string before = fresh.Handle(Signed("DescribeChapCredentials", json::parse(describe))).body;
    fresh.Handle(SignForCase(c.request, c.auth, Creds(), "us-east-1", "storagegateway", Now(), "127.0.0.1:8080"));
    if (fresh.Handle(Signed("DescribeChapCredentials", json::parse(describe))).body != before) truth.insert(c.name);
  }
  ASSERT_FALSE(truth.empty());

  Start(defect);
  RunOptions o = RunWith(4);
  // The defect's cases among other rejected ones. (Accepted cases would make the catch depend on
  // the order: a case that stores the secret an accepted one just set changes nothing.)
  o.filter = "SecretTo*:InitiatorName.*-*.accepted";
  for (int round = 0; round < 3; ++round) {
    // Secrets no case sends: the first case to store one changes the credentials.
    ASSERT_EQ(client_->Call("StorageGateway_20130630", "UpdateChapCredentials",
                            UpdateBody(kModelArn, "zyxwvutsrqpo", "onmlkjihgfed").dump()).status, 200);
    const SuiteResult r = RunSuite(spec_, cases, *client_, o);
    const auto blamed = Failing(r, "rejected_changes_nothing");
    EXPECT_FALSE(blamed.empty()) << "the defect is caught";
    for (const auto& name : blamed) EXPECT_TRUE(truth.count(name)) << name << " was blamed but changes nothing alone";
  }
}

// iqn-allows-uppercase accepts (and stores) initiators the spec rejects, so a "rejected" case
// changes state beside other cases' snapshot pairs, and the mock cannot delete what it stored.
// No rejected case changes anything itself: none may be blamed.
TEST_F(RunnerTest, WithJobsAChangeByACaseTheSpecRejectsIsNotBlamedOnOthers) {
  mocks::DefectSet defect;
  defect.Enable(mocks::Defect::kIqnAllowsUppercase);
  Start(defect);
  RunOptions o = RunWith(4);
  o.filter = "InitiatorName.*:pairwise.*";
  for (int round = 0; round < 2; ++round) {
    const SuiteResult r = RunSuite(spec_, Cases(), *client_, o);
    for (const auto& name : Failing(r, "rejected_changes_nothing")) ADD_FAILURE() << name << " was blamed";
    EXPECT_FALSE(Failing(r, "accepted_iff_valid").empty()) << "the defect itself is caught";
  }
}

TEST_F(RunnerTest, AStopRequestEndsTheRunEarlyAndRestoresTheCredentials) {
  Start();
  // Start from secrets no case sends: the fixture's are the documentation's example values, which
  // the example and 12-byte cases send again, so with two workers the last write could restore
  // them by chance and leave nothing for the run to restore.
  const Exchange set = client_->Call("StorageGateway_20130630", "UpdateChapCredentials",
                                     json{{"TargetARN", kModelArn},
                                          {"InitiatorName", "iqn.1991-05.com.microsoft:computername.domain.example.com"},
                                          {"SecretToAuthenticateInitiator", "zyxwvutsrq98"},
                                          {"SecretToAuthenticateTarget", "qrstuvwxyz76"}}
                                         .dump());
  ASSERT_EQ(set.status, 200) << set.body;
  const std::string initial = Credentials();
  std::atomic<bool> stop{false};
  RunOptions o = RunWith(2);
  o.stop = &stop;
  auto cases = Cases();
  // Accepted cases first, so the stop comes after credentials changed.
  std::stable_partition(cases.begin(), cases.end(),
                        [](const generators::Case& c) { return c.expectation.outcome.decision == spec::Decision::kAccept; });
  const SuiteResult r = RunSuite(spec_, cases, *client_, o, [&](std::size_t done, std::size_t) {
    if (done == 10) stop = true;
  });
  EXPECT_TRUE(r.interrupted);
  ASSERT_EQ(r.cases.size(), cases.size()) << "every selected case is listed, sent or not";
  std::size_t sent = 0;
  for (const auto& c : r.cases) sent += c.not_sent.empty();
  EXPECT_GE(sent, 10u);
  EXPECT_LE(sent, 12u) << "at most the cases already in flight finish";
  EXPECT_FALSE(r.restored.empty());
  EXPECT_TRUE(r.changed.empty());
  EXPECT_EQ(Credentials(), initial);
}

TEST_F(RunnerTest, AnUnreachableEndpointIsSaidSo) {
  EndpointConfig c;
  c.url = "http://127.0.0.1:1";
  c.credentials = Creds();
  auto client = std::move(Client::Create(c)).value();
  const SuiteResult r = RunSuite(spec_, Cases(), *client, RunWith(3));
  EXPECT_TRUE(r.endpoint_unreachable);
  EXPECT_TRUE(r.cases.empty());
}

}  // namespace
}  // namespace chapcheck::conformance
