// The GoogleTest registration, in a process of its own (GoogleTest allows one registry per
// process, so this is not a GoogleTest binary but a program that drives one run and checks it):
// the secret-max-17 defect against the mock in process, with --gtest_repeat=2, --gtest_shuffle,
// a fixed seed, a filter and two jobs; or, with the argument "stop", a stop request in the middle
// of --gtest_repeat=1000. Exit 0 when every expectation holds, 1 otherwise.
#include "conformance/gtest_registration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "mocks/mock_test_support.h"
#include "mocks/server.h"
#include "spec/loader.h"

namespace {

using namespace chapcheck;
using namespace chapcheck::mocks::testing;

int failures = 0;
void Expect(bool ok, const std::string& what) {
  std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
  failures += !ok;
}

}  // namespace

// A stop after five cases: every case is still reported, the unsent ones as not sent, and the
// credentials the run changed are restored.
int StopInTheMiddle(const spec::Spec& s, conformance::Client& client, const std::vector<generators::Case>& cases) {
  const auto describe = [&] {
    return client.Call("StorageGateway_20130630", "DescribeChapCredentials", nlohmann::json{{"TargetARN", kModelArn}}.dump()).body;
  };
  const std::string initial = describe();
  std::atomic<bool> stop{false};
  conformance::RunOptions options;
  options.target_arn = kModelArn;
  options.stop = &stop;
  auto run = conformance::RunSuiteWithGtest(s, cases, client, options, {"--gtest_repeat=1000"}, [&](std::size_t done, std::size_t) {
    if (done == 5) stop = true;
  });
  if (!run.ok()) return 1;
  const conformance::SuiteResult& r = run->result;
  std::size_t sent = 0;
  for (const auto& c : r.cases) sent += c.not_sent.empty();
  Expect(r.interrupted, "the result says it was interrupted");
  Expect(r.cases.size() == cases.size(), "every case is reported, sent or not");
  Expect(sent == 5, "no case starts after the stop (one job)");
  Expect(r.repetitions == 1, "no later repetition ran");
  Expect(!r.restored.empty() && r.changed.empty() && describe() == initial, "the credentials are back as they were");
  std::cout << failures << " failed\n";
  return failures ? 1 : 0;
}

int main(int argc, char** argv) {
  const spec::Spec s = std::move(spec::LoadEmbeddedSpec()).value();
  mocks::DefectSet defects;
  defects.Enable(mocks::Defect::kSecretMax17);
  mocks::Gateway gateway(DefaultFixture(), Options(defects));
  auto server = std::move(mocks::MockServer::Start(gateway, mocks::ServerOptions{})).value();
  conformance::EndpointConfig config;
  config.url = server->url();
  config.credentials = Creds();
  config.clock = Now;
  auto client = std::move(conformance::Client::Create(config)).value();
  generators::Context ctx;
  ctx.target_arn = kModelArn;
  ctx.other_target_arn = kOtherArn;
  auto cases = generators::Generate(s, ctx);
  if (argc > 1 && std::string(argv[1]) == "stop") {
    // Accepted cases first, so that the five sent change the credentials.
    std::stable_partition(cases.begin(), cases.end(), [](const generators::Case& c) {
      return c.expectation.outcome.decision == spec::Decision::kAccept;
    });
    return StopInTheMiddle(s, *client, cases);
  }

  Expect(conformance::GtestAvailable(), "a process without GoogleTest tests may host the suite");
  conformance::RunOptions options;
  options.target_arn = kModelArn;
  options.jobs = 2;
  options.filter = "SecretToAuthenticateInitiator.*:scenario.*-*.type.*";
  std::vector<std::size_t> progress;
  auto run = conformance::RunSuiteWithGtest(s, cases, *client, options,
                                            {"--gtest_repeat=2", "--gtest_shuffle", "--gtest_random_seed=7"},
                                            [&](std::size_t done, std::size_t total) { progress.push_back(total * 1000 + done); });
  Expect(run.ok(), "the flags are accepted");
  if (!run.ok()) return 1;
  const conformance::SuiteResult& r = run->result;
  Expect(!conformance::GtestAvailable(), "and only once per process");

  std::vector<std::string> expected_order;
  for (const auto& c : cases) {
    if (conformance::MatchesFilter(c.name, options.filter)) expected_order.push_back(c.name);
  }
  std::vector<std::string> got_order;
  bool twice = true;
  for (const auto& c : r.cases) {
    got_order.push_back(c.test_case.name);
    twice &= c.executions == 2;
  }
  Expect(!expected_order.empty() && got_order == expected_order, "one result per selected case, in case order, whatever the shuffle");
  Expect(twice, "each case executed twice (--gtest_repeat=2)");
  Expect(r.repetitions == 2 && r.shuffle_seed == 7, "repetitions and the shuffle seed are reported");
  const auto scenario_count = static_cast<std::size_t>(std::count_if(
      conformance::AllChecks().begin(), conformance::AllChecks().end(), [](const conformance::Check& c) { return c.scenario; }));
  Expect(scenario_count > 0 && r.scenarios.size() == scenario_count, "each scenario ran as scenario.<check>");
  Expect(r.scenario_runs == 2, "the connection scenarios ran again in the second repetition");

  // The defect accepts 17-byte secrets: exactly those cases fail, in both executions.
  std::set<std::string> failing;
  for (const auto& c : r.cases) {
    if (c.Failed()) failing.insert(c.test_case.name);
    if (c.Failed() && c.failed_executions != 2) Expect(false, c.test_case.name + " failed in both executions");
  }
  const std::set<std::string> want{"SecretToAuthenticateInitiator.bytes.17.rejected",
                                   "SecretToAuthenticateInitiator.bytes.17.utf8x2.rejected",
                                   "SecretToAuthenticateInitiator.bytes.17.utf8x3.rejected",
                                   "SecretToAuthenticateInitiator.bytes.17.utf8x4.rejected"};
  Expect(failing == want, "the 17-byte cases fail, and only they");

  // GoogleTest saw the same: a failed test per failing case and execution, messages naming the
  // check, expected and actual, and no secret.
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  Expect(unit.failed_test_count() == static_cast<int>(want.size()), "GoogleTest's last iteration failed the same tests");
  bool named = false, secret_free = true;
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const testing::TestResult& tr = *suite.GetTestInfo(j)->result();
      for (int k = 0; k < tr.total_part_count(); ++k) {
        const std::string m = tr.GetTestPartResult(k).message();
        named |= m.find("accepted_iff_valid: ") != std::string::npos && m.find("expected: reject 400") != std::string::npos &&
                 m.find("actual:   accept (200)") != std::string::npos;
        for (const auto& c : cases) {
          for (const auto& v : conformance::SensitiveValues(s, c)) secret_free &= v.size() < 4 || m.find(v) == std::string::npos;
        }
      }
    }
  }
  Expect(named, "a failure names the check, the expected and the actual outcome");
  Expect(secret_free, "no failure message holds a secret");
  Expect(!progress.empty() && progress.back() == (expected_order.size() + scenario_count) * 2 * 1001,
         "progress counts every execution of every test, to the end");
  std::cout << failures << " failed\n";
  return failures ? 1 : 0;
}
