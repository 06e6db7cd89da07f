// RunSuite: sends every selected case to the endpoint, judges each answer with every check, and
// returns the results. Transient answers (ThrottlingException, GatewayProxyNetworkConnectionBusy,
// 503) are retried with backoff a bounded number of times and counted, never hidden. Around each
// case the spec rejects, the target's credentials are read (DescribeChapCredentials) so that
// rejected_changes_nothing can judge; at the start they are snapshotted and at the end restored,
// and what the run changed is reported.
// One call at a time per Client.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/checks.h"
#include "conformance/client.h"
#include "generators/cases.h"

namespace chapcheck::conformance {

struct RunOptions {
  std::string target_arn;      // the target the cases update (snapshots and restore)
  bool disruptive = true;      // false: cases the spec accepts (they change credentials) are not sent
  std::string filter;          // gtest-style: "Pattern:Pattern-Negative:Negative" on case names
  int max_retries = 3;
  std::chrono::milliseconds backoff{50};
  // The connection scenarios (connection_scenarios.h): the iSCSI portal serving target_arn and
  // other_target_arn (none: the scenarios are skipped with no_portal_reason, or a default), and
  // how soon after an accepted update's response its target's sessions must be closed.
  // They run only when `disruptive` is set.
  std::optional<std::string> other_target_arn;
  std::optional<std::string> iscsi_portal;
  std::string no_portal_reason;
  std::chrono::milliseconds drop_deadline{5000};
};

struct CheckResult {
  const Check* check;
  Finding finding;
};

struct CaseResult {
  generators::Case test_case;
  Exchange exchange;
  std::vector<CheckResult> checks;
  int retries = 0;
  std::string not_sent;  // non-empty: why the case was not sent
};

struct SuiteResult {
  std::vector<CaseResult> cases;
  std::vector<CheckResult> scenarios;
  bool endpoint_unreachable = false;
  std::string unreachable_reason;
  std::vector<std::string> changed;   // what the run changed and could not restore, secret-free
  std::vector<std::string> restored;  // what the run changed and restored
  double seconds = 0;
};

// Whether a case name passes a gtest-style filter ("" passes everything).
bool MatchesFilter(const std::string& name, const std::string& filter);

using Progress = std::function<void(std::size_t done, std::size_t total)>;
SuiteResult RunSuite(const spec::Spec& spec, const std::vector<generators::Case>& cases, Client& client,
                     const RunOptions& options, const Progress& progress = nullptr);

}  // namespace chapcheck::conformance
