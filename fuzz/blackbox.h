// The black-box fuzzer behind `chapcheck fuzz`: several workers, each with its own kept-alive
// connection, take request numbers from one counter, build request N with the Mutator (so the
// sequence is fixed by the seed whatever the number of workers), send it, and judge the answer
// with the suite's checks (conformance::AllChecks()) against the spec verdict. A rejected request
// that carries a fresh InitiatorName is also judged by state: that initiator's credentials are
// read before and after it. Findings are deduplicated by (check, rule); when the run ends each is
// minimised against the endpoint, and the target's credentials are restored as they were.
//
// Requests the spec accepts change credentials and drop connections: against a real endpoint they
// are sent only when `disruptive` is set. Requests outside the spec's scope are never sent.
// RunFuzz blocks the calling thread; `progress` is called on it about four times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "conformance/client.h"
#include "conformance/credentials_state.h"
#include "fuzz/findings.h"
#include "fuzz/mutations.h"

namespace chapcheck::fuzz {

struct FuzzOptions {
  std::chrono::milliseconds duration{10000};
  std::uint64_t seed = 1;
  int jobs = 2;
  std::uint64_t max_requests = 0;  // 0: until the duration ends
  bool disruptive = true;
  std::string target_arn;          // snapshot, restore and state probes
  std::set<std::string> stop_on;   // stop at the first finding of one of these checks ("any": of any)
  int minimise_budget = 150;       // candidates tried per finding
};

struct CheckCounts {
  std::uint64_t passed = 0, failed = 0, should = 0;
};

struct FuzzStats {
  std::uint64_t requests = 0;        // built
  std::uint64_t sent = 0;            // sent and judged
  std::uint64_t not_sent = 0;        // out of the spec's scope, or would change credentials without --disruptive
  std::uint64_t no_answer = 0;       // transport errors
  std::uint64_t probes = 0;          // judged by state too
  std::uint64_t transient = 0;       // throttled or busy answers (503, ThrottlingException): not judged
  std::vector<CheckCounts> checks;   // by index in AllChecks()
  std::map<std::string, std::uint64_t> rules;  // spec rule -> requests that broke it (exercised)
  std::map<std::string, CheckCounts> decided;  // spec rule -> requests it decided, passed (no check failed) or failed
  std::size_t rules_total = 0;
  std::size_t findings = 0, failures = 0;
  double seconds = 0;
};

struct FuzzResult {
  FuzzStats stats;
  std::vector<FuzzFinding> findings;  // minimised, in (check, rule) order
  std::vector<Mutant> interesting;    // requests with an answer signature not seen before
  bool unreachable = false;
  std::string unreachable_reason;
  conformance::RestoreReport restore;
};

// Sends one mutant (unless the options forbid it) and runs every per-request check. Returns
// false when it was not sent.
struct Judged {
  conformance::Exchange exchange;
  std::vector<std::pair<const conformance::Check*, conformance::Finding>> findings;  // not n/a
};
bool SendAndJudge(conformance::Client& client, const Mutator& mutator, const Mutant& m, const FuzzOptions& options,
                  Judged& out);

FuzzResult RunFuzz(const Mutator& mutator, const conformance::EndpointConfig& endpoint, const FuzzOptions& options,
                   const std::function<void(const FuzzStats&)>& progress = nullptr);

}  // namespace chapcheck::fuzz
