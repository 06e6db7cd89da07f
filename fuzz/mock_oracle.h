// The oracle that compares the mock gateway with the spec: what a mock response amounts to
// (accepted, or rejected with which __type and errorCode), whether the spec verdict allows that,
// and whether the response is a well-formed awsJson1_1 answer at all. Shared by the cross-check
// test (tests/cross_check_test.cc) and the differential fuzz target (fuzz_mock_http), so both
// judge the mock by the same rules.
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>

#include "mocks/gateway.h"
#include "mocks/gateway_state.h"
#include "protocol/sigv4.h"
#include "spec/spec.h"
#include "spec/verdict.h"

namespace chapcheck::fuzz {

// What exists on the mock for the spec's lookup rules: the fixture's gateways (online, iSCSI)
// and its volumes' targets.
spec::World WorldOf(const mocks::Fixture& fixture);

// A response read the way a client reads it.
struct Answer {
  int status = 0;
  spec::Decision decision = spec::Decision::kAccept;
  std::string type;  // bare __type (or X-Amzn-Errortype), "" when none
  std::string code;  // error.errorCode, "" when none
  std::string Summary() const;  // "400 InvalidGatewayRequestException/InvalidParameters"
};
Answer ReadAnswer(const mocks::HttpResponse& response);

// nullopt when the verdict allows the answer (strictly, or its lenient outcome for should-rules):
// the same decision, __type and errorCode, and a status that outcome allows. Otherwise one line
// naming both sides.
std::optional<std::string> Disagreement(const spec::Verdict& verdict, const Answer& answer);

// nullopt when the response is well-formed awsJson1_1 as the spec's envelope describes it:
// a 2xx or 4xx/5xx status, the content type, a non-empty request id header, a JSON object body,
// and on errors a bare string __type, a string message, and an error object (if any) whose
// errorCode is a string. Otherwise the first problem, in one line.
std::optional<std::string> EnvelopeProblem(const spec::Spec& spec, const mocks::HttpResponse& response);

// EnvelopeProblem and ReadAnswer from one parse of the body (what the fuzz target asks per input).
struct Reading {
  std::optional<std::string> envelope_problem;
  Answer answer;
};
Reading ReadResponse(const spec::Spec& spec, const mocks::HttpResponse& response);
// The same into `out`, every field set again, its strings' capacity kept (a fuzz target reads
// response after response).
void ReadResponse(const spec::Spec& spec, const mocks::HttpResponse& response, Reading& out);

// The spec's name for what a SigV4 verifier saw.
spec::AuthStatus ToAuthStatus(sigv4::Status status);

}  // namespace chapcheck::fuzz
