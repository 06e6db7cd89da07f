// The live-connection scenarios: with the iSCSI probe holding sessions on the target (two of the
// updated initiator, one of a second initiator) and on another target, they send
// UpdateChapCredentials through the suite's Client and judge what the portal does: who is
// dropped and how fast, which secrets log in afterwards, whether the target proves itself with
// SecretToAuthenticateTarget (and only then), and that a rejected update drops nothing.
// The scenarios create their initiators' credentials with UpdateChapCredentials first and
// restore both targets' credentials at the end; callers allow that only with --disruptive
// against a real endpoint (always against the built-in mock).
// RunConnectionScenarios returns one Finding per connection check name (checks.h registers the
// checks); every finding is a pass, a fail or a skip with its reason, never a silent pass.
// One call at a time per Client; it uses a second thread for the update while it pumps the probe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/checks.h"
#include "conformance/client.h"

namespace chapcheck::conformance {

struct ScenarioOptions {
  std::string prefix;                          // X-Amz-Target prefix of the calls
  std::string target_arn;                      // the target the scenarios update
  std::optional<std::string> other_target_arn; // a target on the same portal that must stay up
  std::optional<std::string> iscsi_portal;     // HOST:PORT serving both targets; none: skipped
  std::string no_portal_reason;                // why there is none (the skip message), optional
  bool allowed = false;                        // may change credentials and drop connections
  std::chrono::milliseconds drop_deadline{5000};
  std::chrono::milliseconds login_timeout{5000};
};

struct ScenarioResults {
  std::map<std::string, Finding, std::less<>> findings;  // by check name
  std::vector<std::string> restored, changed;             // as SuiteResult's, secret-free
};

// The check names the scenarios judge (each registered in AllChecks() with scenario = true).
const std::vector<std::string_view>& ConnectionScenarioNames();

// The IQN a TargetARN names (the part after "/target/"), or none.
std::optional<std::string> TargetIqnOf(const std::string& target_arn);

ScenarioResults RunConnectionScenarios(Client& client, const ScenarioOptions& options);

}  // namespace chapcheck::conformance
