// The suite's runner: sends cases to an endpoint, judges each answer with every check, and
// returns the results in case order.
//
// RunSuite runs every selected case once, then the scenario checks. Session is the same run in
// steps, for drivers that choose the order and the repetitions themselves (the GoogleTest
// registration, gtest_registration.h): construct it (snapshots the target's credentials), Start
// one plan or more (each executes on background workers), Close it (restores the credentials and
// says what the run changed).
//
// Transient answers (ThrottlingException, GatewayProxyNetworkConnectionBusy, 503) are retried
// with backoff a bounded number of times and counted, never hidden. Around each case the spec
// rejects, the target's credentials are read (DescribeChapCredentials) so that
// rejected_changes_nothing can judge.
//
// Parallelism (RunOptions::jobs): each worker has its own Client (a copy of the caller's
// configuration; worker 0 uses the caller's Client). Cases that may change a target's state (the
// spec accepts them, leniently or strictly, or leaves them out of scope) and scenarios hold that
// target exclusively; rejected cases with their snapshot pair share the suite's target (see
// target_gates.h). A snapshot pair that saw a change while other work ran is re-judged with the
// case sent again alone, so a change is blamed on the case that made it. Results are in plan
// order whatever the number of jobs.
//
// Stopping (RunOptions::stop): once the flag is set, no new case starts; cases in flight finish.
// Close() still restores.
//
// RunSuite, Session's constructor, Start and Close: one thread (the owner). The Client passed in
// must not be used by anyone else until Close returns. Progress callbacks come from worker
// threads, one at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/checks.h"
#include "conformance/client.h"
#include "conformance/target_gates.h"
#include "generators/cases.h"

namespace chapcheck::conformance {

struct RunOptions {
  std::string target_arn;      // the target the cases update (snapshots and restore)
  bool disruptive = true;      // false: cases the spec accepts (they change credentials) are not sent
  std::string filter;          // gtest-style: "Pattern:Pattern-Negative:Negative" on case names
  int max_retries = 3;
  std::chrono::milliseconds backoff{50};
  int jobs = 1;                                // connections (workers) sending cases at once
  const std::atomic<bool>* stop = nullptr;     // when set to true: start no new case
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
  // A case run more than once (--gtest_repeat): how often, and how often some check failed. The
  // exchange and checks above are then those of the first failing execution (else the first).
  int executions = 1;
  int failed_executions = 0;

  bool Failed() const;  // some check failed
};

struct SuiteResult {
  std::vector<CaseResult> cases;
  std::vector<CheckResult> scenarios;
  bool endpoint_unreachable = false;
  std::string unreachable_reason;
  std::vector<std::string> changed;   // what the run changed and could not restore, secret-free
  std::vector<std::string> restored;  // what the run changed and restored
  double seconds = 0;
  bool interrupted = false;           // RunOptions::stop was set before every case ran
  int repetitions = 1;                // how often each case was meant to run
  std::optional<int> shuffle_seed;    // the order was shuffled with this seed
  int scenario_runs = 0;              // how often the connection scenarios ran (once per repetition)
};

// Whether a case name passes a gtest-style filter ("" passes everything).
bool MatchesFilter(const std::string& name, const std::string& filter);

// The values of a case's sensitive members (to keep out of any text about it).
std::vector<std::string> SensitiveValues(const spec::Spec& spec, const generators::Case& c);

// Folds another execution of the same case into `into` (see CaseResult::executions).
void MergeExecution(CaseResult& into, CaseResult&& again);

// Items (cases and scenarios) finished so far, of all there are to run.
using Progress = std::function<void(std::size_t done, std::size_t total)>;
SuiteResult RunSuite(const spec::Spec& spec, const std::vector<generators::Case>& cases, Client& client,
                     const RunOptions& options, const Progress& progress = nullptr);

class Session {
 public:
  // One thing to run: a case, or a scenario check.
  struct Item {
    const generators::Case* test_case = nullptr;
    const Check* scenario = nullptr;
  };
  // A plan being executed by the workers.
  class Execution {
   public:
    ~Execution();  // waits for the workers
    // Blocks until the plan's item `slot` has run; nullptr when it never will (stopped).
    const CaseResult* Await(std::size_t slot);
    void Wait();  // blocks until every worker is done
    std::size_t size() const { return plan_.size(); }

   private:
    friend class Session;
    struct State;
    std::vector<Item> plan_;
    std::shared_ptr<State> state_;
  };

  Session(const spec::Spec& spec, Client& client, RunOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The endpoint refused the first connection: nothing can run.
  bool unreachable() const { return !unreachable_reason_.empty(); }
  const std::string& unreachable_reason() const { return unreachable_reason_; }
  bool stopping() const { return options_.stop && options_.stop->load(); }

  // Starts executing `plan` on the workers; one plan at a time (the previous one must be done).
  std::unique_ptr<Execution> Start(std::vector<Item> plan, Progress progress = nullptr);

  // Restores the target's credentials as the constructor found them; fills changed/restored.
  void Close(SuiteResult& out);

 private:
  CaseResult RunItem(const Item& item, Client& client);
  CaseResult RunCase(const generators::Case& c, Client& client);

  const spec::Spec& spec_;
  Client& client_;
  RunOptions options_;
  std::string prefix_;
  std::vector<std::unique_ptr<Client>> extra_clients_;
  TargetGates gates_;
  struct Initial;
  std::unique_ptr<Initial> initial_;
  std::string unreachable_reason_;
};

}  // namespace chapcheck::conformance
