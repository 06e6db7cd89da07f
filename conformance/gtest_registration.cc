#include "conformance/gtest_registration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include "protocol/awsjson.h"

namespace chapcheck::conformance {
namespace {

bool used = false;

// What one registered test stands for: a case (index into the cases) or a scenario check.
struct Entry {
  std::size_t case_index = 0;
  const Check* scenario = nullptr;
};

// The run shared by the listener and the test bodies (all on the main thread).
struct Driver {
  const spec::Spec* spec = nullptr;
  const std::vector<generators::Case>* cases = nullptr;
  Session* session = nullptr;
  Progress progress;
  std::map<const testing::TestInfo*, Entry> entries;
  // The running suite's plan: which slot each of its tests has.
  std::unique_ptr<Session::Execution> execution;
  std::map<const testing::TestInfo*, std::size_t> slots;
  // Every execution so far, folded per case and per scenario.
  std::vector<std::optional<CaseResult>> by_case;
  std::map<const Check*, std::optional<CaseResult>> by_scenario;
  std::vector<bool> selected;
  std::size_t done = 0, total = 0;
  int iterations = 0;
  int first_seed = 0;  // the seed that reproduces the whole run's order
};

Driver* driver = nullptr;

// A text about a case with the case's secret values masked (findings are secret-free by
// contract; this keeps it so even when an answer quotes a secret back).
std::string Masked(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.size() < 4) continue;
    for (std::size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + 3)) text.replace(at, s.size(), "***");
  }
  return text;
}

class CaseTest : public testing::Test {
 public:
  explicit CaseTest(Entry entry) : entry_(entry) {}

  void TestBody() override {
    const auto slot = driver->slots.find(testing::UnitTest::GetInstance()->current_test_info());
    const CaseResult* r = slot == driver->slots.end() ? nullptr : driver->execution->Await(slot->second);
    if (!r) GTEST_SKIP() << "not sent: the run was interrupted";
    const std::vector<std::string> secrets =
        entry_.scenario ? std::vector<std::string>{} : SensitiveValues(*driver->spec, (*driver->cases)[entry_.case_index]);
    if (!r->not_sent.empty()) GTEST_SKIP() << "not sent: " << r->not_sent;
    if (!entry_.scenario) Observed(*r, secrets);
    bool skipped = false;
    std::string skip_reason;
    for (const auto& cr : r->checks) {
      const std::string name(cr.check->name);
      switch (cr.finding.status) {
        case Status::kFail:
          ADD_FAILURE() << name << ": " << Masked(cr.finding.message, secrets)
                        << "\n  expected: " << Masked(cr.finding.expected, secrets)
                        << "\n  actual:   " << Masked(cr.finding.actual, secrets);
          break;
        case Status::kShould: RecordProperty("should." + name, Masked(cr.finding.message, secrets)); break;
        case Status::kSkip:
          skipped = true;
          skip_reason = name + ": " + cr.finding.message;
          break;
        default: break;
      }
    }
    if (skipped && !HasFailure()) GTEST_SKIP() << skip_reason;
  }

 private:
  // The answer, as properties a --gtest_output file carries.
  static void Observed(const CaseResult& r, const std::vector<std::string>& secrets) {
    RecordProperty("case_id", r.test_case.id);
    if (!r.exchange.transport_error.empty()) {
      RecordProperty("transport_error", Masked(r.exchange.transport_error, secrets));
      return;
    }
    RecordProperty("http_status", r.exchange.status);
    if (r.exchange.status >= 200 && r.exchange.status < 300) return;
    const std::string* header = r.exchange.Header("X-Amzn-Errortype");
    auto e = awsjson::ParseError(r.exchange.body, header ? *header : "");
    if (!e.ok()) return;
    RecordProperty("error_type", Masked(e->type, secrets));
    if (!e->error_code.empty()) RecordProperty("error_code", Masked(e->error_code, secrets));
  }

  Entry entry_;
};

// Thrown at the start of an iteration once the run is stopping, to leave RUN_ALL_TESTS early
// (GoogleTest has no other way out of --gtest_repeat). GoogleTest swallows an AssertionException
// as "already reported"; with --gtest_catch_exceptions=0 it reaches RunSuiteWithGtest, which
// catches it.
class Stopped : public testing::AssertionException {
 public:
  Stopped() : AssertionException(testing::TestPartResult(testing::TestPartResult::kSkip, __FILE__, __LINE__, "stopped")) {}
};

// Starts each test suite's plan when GoogleTest starts the suite, and folds its results in when
// the suite ends.
class PlanListener : public testing::EmptyTestEventListener {
 public:
  void OnTestIterationStart(const testing::UnitTest& unit, int) override {
    if (driver->session->stopping()) throw Stopped();
    if (++driver->iterations == 1) driver->first_seed = unit.random_seed();
    if (driver->total == 0) {
      const int repeat = GTEST_FLAG_GET(repeat);
      driver->total = static_cast<std::size_t>(unit.test_to_run_count()) * static_cast<std::size_t>(repeat > 0 ? repeat : 1);
    }
  }

  void OnTestSuiteStart(const testing::TestSuite& suite) override {
    std::vector<Session::Item> plan;
    driver->slots.clear();
    const bool stopping = driver->session->stopping();  // then its tests skip at once
    for (int i = 0; i < suite.total_test_count(); ++i) {
      const testing::TestInfo* info = suite.GetTestInfo(i);
      auto it = driver->entries.find(info);
      if (!info->should_run() || it == driver->entries.end()) continue;
      const Entry& e = it->second;
      if (!e.scenario) driver->selected[e.case_index] = true;  // reported, sent or not
      if (stopping) continue;
      driver->slots[info] = plan.size();
      plan.push_back(e.scenario ? Session::Item{nullptr, e.scenario} : Session::Item{&(*driver->cases)[e.case_index], nullptr});
    }
    if (stopping) return;
    const std::size_t base = driver->done;
    Progress progress;
    if (driver->progress) {
      progress = [base](std::size_t done, std::size_t) { driver->progress(base + done, driver->total); };
    }
    driver->execution = driver->session->Start(std::move(plan), progress);
  }

  void OnTestSuiteEnd(const testing::TestSuite& suite) override {
    if (!driver->execution) return;
    driver->execution->Wait();
    for (int i = 0; i < suite.total_test_count(); ++i) {
      const testing::TestInfo* info = suite.GetTestInfo(i);
      auto slot = driver->slots.find(info);
      if (slot == driver->slots.end()) continue;
      const CaseResult* r = driver->execution->Await(slot->second);
      if (!r) continue;
      ++driver->done;
      const Entry& e = driver->entries[info];
      auto& into = e.scenario ? driver->by_scenario[e.scenario] : driver->by_case[e.case_index];
      if (into) {
        MergeExecution(*into, CaseResult(*r));
      } else {
        into = *r;
      }
    }
    driver->execution.reset();
    driver->slots.clear();
  }
};

// Suite and test name from a case name: split at the first '.'.
std::pair<std::string, std::string> TestName(const std::string& case_name) {
  const auto dot = case_name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == case_name.size()) return {"cases", case_name};
  return {case_name.substr(0, dot), case_name.substr(dot + 1)};
}

}  // namespace

bool GtestAvailable() { return !used && testing::UnitTest::GetInstance()->total_test_count() == 0; }

Result<GtestRun> RunSuiteWithGtest(const spec::Spec& spec, const std::vector<generators::Case>& cases, Client& client,
                                   const RunOptions& options, const std::vector<std::string>& gtest_flags,
                                   const Progress& progress) {
  if (!GtestAvailable()) return Error{"", "GoogleTest is already in use in this process"};
  used = true;

  // GoogleTest's flags: it takes those it knows out of argv; whatever is left it did not accept.
  std::vector<std::string> storage{"chapcheck-run"};
  storage.insert(storage.end(), gtest_flags.begin(), gtest_flags.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(storage.size());
  testing::InitGoogleTest(&argc, argv.data());
  if (argc > 1) return Error{argv[1], "not a GoogleTest flag this version knows, or a bad value"};
  if (!options.filter.empty()) GTEST_FLAG_SET(filter, options.filter);
  testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());

  GtestRun run;
  SuiteResult& out = run.result;
  const auto start = std::chrono::steady_clock::now();
  Session session(spec, client, options);
  if (session.unreachable()) {
    out.endpoint_unreachable = true;
    out.unreachable_reason = session.unreachable_reason();
    return run;
  }
  Driver d;
  d.spec = &spec;
  d.cases = &cases;
  d.session = &session;
  d.progress = progress;
  d.by_case.resize(cases.size());
  d.selected.assign(cases.size(), false);
  driver = &d;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto [suite, name] = TestName(cases[i].name);
    const Entry e{i, nullptr};
    d.entries[testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                    [e]() -> testing::Test* { return new CaseTest(e); })] = e;
  }
  for (const Check& check : AllChecks()) {
    if (!check.scenario) continue;
    const Entry e{0, &check};
    d.entries[testing::RegisterTest("scenario", std::string(check.name).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                    [e]() -> testing::Test* { return new CaseTest(e); })] = e;
  }
  listeners.Append(new PlanListener());  // GoogleTest owns it from here
  run.listed_only = GTEST_FLAG_GET(list_tests);
  try {
    [[maybe_unused]] const int gtest_verdict = RUN_ALL_TESTS();  // ours is read from the results below
  } catch (const Stopped&) {
  }
  driver = nullptr;

  // Iterations after a stop run nothing: the repetitions are the most any case ran.
  for (const auto& r : d.by_case) out.repetitions = std::max(out.repetitions, r ? r->executions : 1);
  if (GTEST_FLAG_GET(shuffle)) out.shuffle_seed = d.first_seed;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (d.by_case[i]) {
      out.cases.push_back(std::move(*d.by_case[i]));
    } else if (d.selected[i]) {
      CaseResult unsent;
      unsent.test_case = cases[i];
      unsent.not_sent = "the run was interrupted before this case was sent";
      out.cases.push_back(std::move(unsent));
      out.interrupted = true;
    }
  }
  for (const Check& check : AllChecks()) {
    auto it = d.by_scenario.find(&check);
    if (it != d.by_scenario.end() && it->second) out.scenarios.push_back(it->second->checks.front());
  }
  out.interrupted |= session.stopping();
  session.Close(out);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace chapcheck::conformance
