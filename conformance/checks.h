// The checks: small named functions, each enforcing one clause of the spec, kept in a registry
// the runner iterates over (AllChecks()). A check's name is what a JUnit failure shows. Each
// returns a Finding: pass, fail, should (a should-level clause broken), skip (cannot be judged
// here, with the reason) or not applicable to this case.
// Checks are pure functions of their input; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conformance/client.h"
#include "generators/cases.h"
#include "spec/spec.h"

namespace chapcheck::conformance {

enum class Status { kPass, kFail, kShould, kSkip, kNotApplicable };
std::string_view ToString(Status s);

struct Finding {
  Status status = Status::kNotApplicable;
  std::string message;   // one line, secret-free
  std::string expected;  // what the spec demands, secret-free
  std::string actual;    // what came back, secret-free
  // Measurements worth keeping (e.g. drop_latency_ms.A#1 = 0.4), secret-free; reports show them.
  std::vector<std::pair<std::string, std::string>> properties = {};
};

struct CheckInput {
  const spec::Spec& spec;
  const generators::Case& test_case;
  const Exchange& exchange;
  // DescribeChapCredentials of the case's target before and after the case (when the runner took
  // them), as comparable text; never shown.
  std::optional<std::string> state_before, state_after;
  // Values of the request's sensitive members (to look for in the response).
  std::vector<std::string> secrets;
};

struct Check {
  std::string_view name;    // e.g. "status_code"
  std::string_view family;  // the JUnit test suite: contract, errors, envelope, security, state, connections
  std::string_view clause;  // the spec clause it enforces, one line
  Finding (*run)(const CheckInput&);
  bool scenario = false;    // judged once per run by the connection scenarios (connection_scenarios.h)
};

const std::vector<Check>& AllChecks();
const Check* FindCheck(std::string_view name);

}  // namespace chapcheck::conformance
