// The cross-check: every case generated from the spec, sent to the mock gateway in process and
// signed as the case asks, gets the answer the spec verdict demands (or, for should-rules, the
// lenient one). The mock never reads spec/, so agreement here is evidence, not an echo.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "conformance/signing.h"
#include "generators/cases.h"
#include "mocks/mock_test_support.h"
#include "protocol/awsjson.h"
#include "spec/loader.h"

namespace chapcheck {
namespace {

using namespace chapcheck::mocks::testing;

spec::World FixtureWorld(const mocks::Fixture& f) {
  spec::World w;
  for (const auto& g : f.gateways) w.gateways[g.arn] = spec::World::Gateway{g.online, g.HasIscsi()};
  for (const auto& v : f.volumes) w.targets.insert(v.target_arn);
  return w;
}

mocks::HttpRequest ToWire(const generators::Case& c) {
  return conformance::SignForCase(c.request, c.auth, Creds(), "us-east-1", "storagegateway", Now(), "127.0.0.1:8080");
}

struct Tally {
  std::size_t accepted = 0, rejected = 0;
  std::vector<std::string> disagreements;
};

// Sends every generated case to a fresh mock with `defects` and compares decision, __type and
// errorCode with the spec verdict (strict, or lenient for should-rules).
Tally RunAll(mocks::DefectSet defects) {
  const spec::Spec s = std::move(spec::LoadEmbeddedSpec()).value();
  const mocks::Fixture fixture = DefaultFixture();
  generators::Context ctx;
  ctx.target_arn = kModelArn;
  ctx.other_target_arn = kOtherArn;
  ctx.offline_target_arn = kOfflineArn;
  ctx.world = FixtureWorld(fixture);
  Tally t;
  for (const auto& c : generators::Generate(s, ctx)) {
    mocks::Gateway gateway(fixture, Options(defects));
    const mocks::HttpResponse r = gateway.Handle(ToWire(c));
    const spec::Decision got = r.status == 200 ? spec::Decision::kAccept : spec::Decision::kReject;
    std::string type, code;
    if (got == spec::Decision::kReject) {
      const std::string* header = r.Header("X-Amzn-Errortype");
      auto e = awsjson::ParseError(r.body, header ? *header : "");
      if (e.ok()) type = e->type, code = e->error_code;
    }
    (got == spec::Decision::kAccept ? t.accepted : t.rejected)++;
    if (!c.expectation.Allows(got, type, code, /*allow_lenient=*/true)) {
      t.disagreements.push_back(c.name + "\n  spec: " + c.expectation.outcome.Summary() + " (" +
                                c.expectation.outcome.reason + ")\n  mock: " + std::to_string(r.status) + " " + type +
                                (code.empty() ? "" : "/" + code));
    }
  }
  return t;
}

TEST(CrossCheck, TheMockAnswersEveryGeneratedCaseAsTheSpecDemands) {
  const Tally t = RunAll({});
  for (const auto& d : t.disagreements) ADD_FAILURE() << d;
  EXPECT_GT(t.accepted, 20u);
  EXPECT_GT(t.rejected, 60u);
}

// The comparison above can fail: every defect that changes a decision, an error type or a code
// makes at least one generated case disagree. (Defects in headers, echoes, secrets, state and
// connections need the suite's other checks; they are not in this list.)
TEST(CrossCheck, EachDecisionChangingDefectIsCaught) {
  using mocks::Defect;
  for (Defect d : {Defect::kSecretMax17, Defect::kSecretMin11, Defect::kSecretCountsCharacters, Defect::kIqnRejectsColon,
                   Defect::kIqnAllowsUppercase, Defect::kArnNotValidated, Defect::kLookupBeforeValidation,
                   Defect::kLegacyPrefixRejected, Defect::kWrongErrorCode, Defect::kMalformedJsonAsInvalidParameters,
                   Defect::kNoErrorCode, Defect::kNoAuth, Defect::kIgnoreSignature, Defect::kNoClockSkewCheck,
                   Defect::kUnknownTargetCreated, Defect::kOfflineGatewayAccepted}) {
    mocks::DefectSet set;
    set.Enable(d);
    EXPECT_FALSE(RunAll(set).disagreements.empty()) << "defect " << mocks::NameOf(d) << " went unnoticed";
  }
}

}  // namespace
}  // namespace chapcheck
