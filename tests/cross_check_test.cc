// The cross-check: every case generated from the spec, sent to the mock gateway in process and
// signed as the case asks, gets the answer the spec verdict demands (or, for should-rules, the
// lenient one). The mock never reads spec/, so agreement here is evidence, not an echo.
#include <gtest/gtest.h>

#include "conformance/signing.h"
#include "fuzz/mock_oracle.h"
#include "generators/cases.h"
#include "mocks/mock_test_support.h"
#include "spec/loader.h"

namespace chapcheck {
namespace {

using namespace chapcheck::mocks::testing;

mocks::HttpRequest ToWire(const generators::Case& c) {
  return conformance::SignForCase(c.request, c.auth, Creds(), "us-east-1", "storagegateway", Now(), "127.0.0.1:8080");
}

struct Tally {
  std::size_t accepted = 0, rejected = 0;
  std::vector<std::string> disagreements;
};

// Sends every generated case to a fresh mock with `defects` and compares decision, __type,
// errorCode and HTTP status with the spec verdict (strict, or lenient for should-rules).
Tally RunAll(mocks::DefectSet defects) {
  const spec::Spec s = std::move(spec::LoadEmbeddedSpec()).value();
  const mocks::Fixture fixture = DefaultFixture();
  generators::Context ctx;
  ctx.target_arn = kModelArn;
  ctx.other_target_arn = kOtherArn;
  ctx.offline_target_arn = kOfflineArn;
  ctx.world = fuzz::WorldOf(fixture);
  Tally t;
  for (const auto& c : generators::Generate(s, ctx)) {
    mocks::Gateway gateway(fixture, Options(defects));
    const fuzz::Answer answer = fuzz::ReadAnswer(gateway.Handle(ToWire(c)));
    (answer.decision == spec::Decision::kAccept ? t.accepted : t.rejected)++;
    if (auto d = fuzz::Disagreement(c.expectation, answer)) t.disagreements.push_back(c.name + "\n  " + *d);
  }
  return t;
}

TEST(CrossCheck, TheMockAnswersEveryGeneratedCaseAsTheSpecDemands) {
  const Tally t = RunAll({});
  for (const auto& d : t.disagreements) ADD_FAILURE() << d;
  EXPECT_GT(t.accepted, 20u);
  EXPECT_GT(t.rejected, 60u);
}

// The comparison above can fail: every defect that changes a decision, an error type, a code or
// a status makes at least one generated case disagree. (Defects in headers, echoes, secrets, state and
// connections need the suite's other checks; they are not in this list.)
TEST(CrossCheck, EachDecisionChangingDefectIsCaught) {
  using mocks::Defect;
  for (Defect d : {Defect::kSecretMax17, Defect::kSecretMin11, Defect::kSecretCountsCharacters, Defect::kIqnRejectsColon,
                   Defect::kIqnAllowsUppercase, Defect::kArnNotValidated, Defect::kLookupBeforeValidation,
                   Defect::kLegacyPrefixRejected, Defect::kWrongErrorCode, Defect::kWrongStatus, Defect::kMalformedJsonAsInvalidParameters,
                   Defect::kNoErrorCode, Defect::kNoAuth, Defect::kIgnoreSignature, Defect::kNoClockSkewCheck,
                   Defect::kUnknownTargetCreated, Defect::kOfflineGatewayAccepted}) {
    mocks::DefectSet set;
    set.Enable(d);
    EXPECT_FALSE(RunAll(set).disagreements.empty()) << "defect " << mocks::NameOf(d) << " went unnoticed";
  }
}

}  // namespace
}  // namespace chapcheck
