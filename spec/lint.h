// Lint: internal conflicts of a spec that loads. A spec that loads is consistent in its
// references; lint asks whether its parts agree with each other:
//   - every example is accepted by the spec's own rules and its response obeys the echo rules
//     (a charset without ':' against an example IQN with ':' is an error, as in the 2012 guide);
//   - documented alternative readings are weighed against the examples and shown, with their
//     resolution, so a person sees the known conflicts;
//   - conditions the verdict needs are covered (a spec without a "body-not-json" rule would accept
//     garbage), no secret is echoed, outcomes use documented error codes, rule phases are ordered
//     so that each rule can be evaluated (type before value, format before lookup).
// Pure function; any thread.
#pragma once

#include <string>
#include <vector>

#include "spec/spec.h"

namespace chapcheck::spec {

enum class LintLevel { kError, kWarning, kInfo };
std::string_view ToString(LintLevel l);

struct LintFinding {
  LintLevel level = LintLevel::kError;
  std::string where;  // a rule id, "examples.<id>", or a spec path
  std::string message;
};

std::vector<LintFinding> Lint(const Spec& spec);

}  // namespace chapcheck::spec
