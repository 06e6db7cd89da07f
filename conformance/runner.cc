#include "conformance/runner.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "conformance/connection_scenarios.h"
#include "conformance/credentials_state.h"
#include "protocol/awsjson.h"

namespace chapcheck::conformance {
namespace {

using json = nlohmann::json;

bool Glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++, mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1, t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

std::vector<std::string> SecretsOf(const spec::Spec& spec, const generators::Case& c) {
  std::vector<std::string> out;
  try {
    const json body = json::parse(c.request.body);
    if (!body.is_object()) return out;
    for (const auto& m : spec.members) {
      if (m.sensitive && body.contains(m.name) && body[m.name].is_string()) out.push_back(body[m.name].get<std::string>());
    }
  } catch (const std::exception&) {
  }
  return out;
}

// The TargetARN a case's body names ("" when it names none).
std::string TargetOf(const generators::Case& c) {
  try {
    const json body = json::parse(c.request.body);
    if (body.is_object() && body.contains("TargetARN") && body["TargetARN"].is_string()) return body["TargetARN"];
  } catch (const std::exception&) {
  }
  return "";
}

}  // namespace

bool MatchesFilter(const std::string& name, const std::string& filter) {
  if (filter.empty()) return true;
  const auto dash = filter.find('-');
  const std::string positive = filter.substr(0, dash);
  const std::string negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
  bool in = positive.empty();
  for (const auto& p : Split(positive, ':')) in |= !p.empty() && Glob(p, name);
  if (!in) return false;
  for (const auto& n : Split(negative, ':')) {
    if (!n.empty() && Glob(n, name)) return false;
  }
  return true;
}

std::vector<std::string> SensitiveValues(const spec::Spec& spec, const generators::Case& c) { return SecretsOf(spec, c); }

bool CaseResult::Failed() const {
  return std::any_of(checks.begin(), checks.end(), [](const CheckResult& r) { return r.finding.status == Status::kFail; });
}

void MergeExecution(CaseResult& into, CaseResult&& again) {
  const int executions = into.executions + again.executions;
  const int failed = into.failed_executions + again.failed_executions;
  const int retries = into.retries + again.retries;
  if (!into.Failed() && again.Failed()) into = std::move(again);
  into.executions = executions;
  into.failed_executions = failed;
  into.retries = retries;
}

// What the constructor found on the target, to judge and to restore.
struct Session::Initial {
  CredentialsSnapshot snapshot;
  // The connection scenarios run together the first time a scenario item runs; every scenario
  // item then reports its own finding from them. When an item asks again for a finding it has
  // already reported (--gtest_repeat), they run again, so each repetition is a real run.
  std::mutex scenarios_mu;
  std::optional<ScenarioResults> scenarios;
  std::set<std::string, std::less<>> reported;  // scenario names whose finding of this run went out
  int scenario_runs = 0;
  std::vector<std::string> scenario_restored, scenario_changed;  // of every run, each once
};

namespace {
void AppendNew(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }
}
}  // namespace

// Shared by the workers of one plan and its owner.
struct Session::Execution::State {
  std::mutex mu;
  std::condition_variable changed;
  std::size_t next = 0;        // the next slot a worker takes
  std::size_t done = 0;        // items finished
  int workers_left = 0;
  std::vector<std::optional<CaseResult>> results;
  std::vector<bool> finished;  // the slot has run, or never will
  Progress progress;
  std::vector<std::thread> threads;
};

Session::Session(const spec::Spec& spec, Client& client, RunOptions options)
    : spec_(spec), client_(client), options_(std::move(options)), initial_(std::make_unique<Initial>()) {
  prefix_ = spec_.protocol.CurrentTarget()->prefix;
  initial_->snapshot = DescribeCredentials(client_, prefix_, options_.target_arn);
  if (initial_->snapshot.transport_error.find("cannot connect") != std::string::npos) {
    unreachable_reason_ = initial_->snapshot.transport_error;
    return;
  }
  for (int i = 1; i < options_.jobs; ++i) {
    auto extra = Client::Create(client_.config());
    if (!extra) break;  // the same configuration worked for the first: fewer workers, not an error
    extra_clients_.push_back(std::move(extra).value());
  }
}

Session::~Session() = default;

std::unique_ptr<Session::Execution> Session::Start(std::vector<Item> plan, Progress progress) {
  auto e = std::unique_ptr<Execution>(new Execution());
  e->plan_ = std::move(plan);
  e->state_ = std::make_shared<Execution::State>();
  Execution::State& st = *e->state_;
  st.results.resize(e->plan_.size());
  st.finished.assign(e->plan_.size(), false);
  st.progress = std::move(progress);
  std::vector<Client*> clients{&client_};
  for (auto& c : extra_clients_) clients.push_back(c.get());
  st.workers_left = static_cast<int>(clients.size());
  const std::vector<Item>* items = &e->plan_;
  for (Client* client : clients) {
    st.threads.emplace_back([this, items, client, state = e->state_] {
      Execution::State& s = *state;
      for (;;) {
        std::size_t slot;
        {
          std::lock_guard lock(s.mu);
          if (s.next >= items->size() || stopping()) break;
          slot = s.next++;
        }
        CaseResult r = RunItem((*items)[slot], *client);
        r.failed_executions = r.Failed() ? 1 : 0;
        std::lock_guard lock(s.mu);
        s.results[slot] = std::move(r);
        s.finished[slot] = true;
        ++s.done;
        if (s.progress) s.progress(s.done, items->size());
        s.changed.notify_all();
      }
      std::lock_guard lock(s.mu);
      if (--s.workers_left == 0) {
        // Whatever no worker took never runs.
        std::fill(s.finished.begin(), s.finished.end(), true);
        s.changed.notify_all();
      }
    });
  }
  return e;
}

Session::Execution::~Execution() { Wait(); }

const CaseResult* Session::Execution::Await(std::size_t slot) {
  std::unique_lock lock(state_->mu);
  state_->changed.wait(lock, [&] { return state_->finished[slot]; });
  return state_->results[slot] ? &*state_->results[slot] : nullptr;
}

void Session::Execution::Wait() {
  for (auto& t : state_->threads) {
    if (t.joinable()) t.join();
  }
}

CaseResult Session::RunItem(const Item& item, Client& client) {
  if (item.test_case) return RunCase(*item.test_case, client);
  CaseResult r;
  // A scenario may update the target and watch its connections: nothing else runs on it meanwhile.
  TargetGates::Pass pass = gates_.Enter(TargetGates::Mode::kExclusive, options_.target_arn);
  Finding finding;
  {
    std::lock_guard lock(initial_->scenarios_mu);
    if (!initial_->scenarios || initial_->reported.contains(item.scenario->name)) {
      initial_->reported.clear();
      ScenarioOptions o;
      o.prefix = prefix_;
      o.target_arn = options_.target_arn;
      o.other_target_arn = options_.other_target_arn;
      o.iscsi_portal = options_.iscsi_portal;
      o.no_portal_reason = options_.no_portal_reason;
      o.allowed = options_.disruptive;
      o.drop_deadline = options_.drop_deadline;
      initial_->scenarios = RunConnectionScenarios(client, o);
      ++initial_->scenario_runs;
      AppendNew(initial_->scenario_restored, initial_->scenarios->restored);
      AppendNew(initial_->scenario_changed, initial_->scenarios->changed);
    }
    auto it = initial_->scenarios->findings.find(item.scenario->name);
    if (it != initial_->scenarios->findings.end()) finding = it->second;
    initial_->reported.emplace(item.scenario->name);
  }
  if (finding.status == Status::kNotApplicable) {
    const generators::Case none;
    const Exchange nothing;
    finding = item.scenario->run(CheckInput{spec_, none, nothing, {}, {}, {}});
  }
  r.checks.push_back(CheckResult{item.scenario, std::move(finding)});
  return r;
}

CaseResult Session::RunCase(const generators::Case& c, Client& client) {
  CaseResult r;
  r.test_case = c;
  const auto& expect = c.expectation;
  // Accepted (strictly or leniently) cases change credentials; out-of-scope ones might.
  const bool changes = expect.outcome.decision == spec::Decision::kAccept ||
                       (expect.lenient && expect.lenient->decision == spec::Decision::kAccept);
  const bool may_change = changes || expect.outcome.decision == spec::Decision::kOutOfScope;
  if (changes && !options_.disruptive) {
    r.not_sent = "would change real credentials and drop connections; pass --disruptive to send it";
    return r;
  }
  // A case that may change state holds its own target alone; any other shares the suite's
  // target, whose credentials its snapshot pair compares.
  const std::string own = TargetOf(c).empty() ? options_.target_arn : TargetOf(c);
  const bool judge_state = initial_->snapshot.ok && !changes && (!may_change || own == options_.target_arn);
  auto send = [&](CaseResult& into) {
    into.exchange = client.Send(c.request, c.auth);
    for (int attempt = 0; attempt < options_.max_retries && IsTransient(into.exchange); ++attempt) {
      std::this_thread::sleep_for(options_.backoff * (1 << attempt));
      into.exchange = client.Send(c.request, c.auth);
      ++into.retries;
    }
  };
  CredentialsSnapshot before, after;
  TargetGates::Pass pass = may_change ? gates_.Enter(TargetGates::Mode::kExclusive, own)
                                      : gates_.Enter(TargetGates::Mode::kShared, options_.target_arn);
  if (judge_state) before = DescribeCredentials(client, prefix_, options_.target_arn);
  send(r);
  if (judge_state && before.ok) after = DescribeCredentials(client, prefix_, options_.target_arn);
  const bool overlapped = pass.Release();

  CheckInput in{spec_, c, r.exchange, std::nullopt, std::nullopt, SecretsOf(spec_, c)};
  if (before.ok && after.ok) {
    in.state_before = before.text;
    in.state_after = after.text;
  }
  for (const Check& check : AllChecks()) {
    if (check.scenario) continue;
    Finding f = check.run(in);
    if (f.status != Status::kNotApplicable) r.checks.push_back(CheckResult{&check, std::move(f)});
  }

  // Other work ran while the snapshots saw a change: put the credentials back as this case found
  // them (so that a write of the values already there shows), send it again alone, and let that
  // decide whether this case changed anything.
  auto state = std::find_if(r.checks.begin(), r.checks.end(), [](const CheckResult& cr) {
    return cr.check->name == "rejected_changes_nothing" && cr.finding.status == Status::kFail;
  });
  if (overlapped && state != r.checks.end() && !stopping()) {
    CaseResult alone;
    TargetGates::Pass all = gates_.Enter(TargetGates::Mode::kGlobal, "");
    std::vector<std::string> put_back, not_put_back;
    RestoreCredentials(client, prefix_, options_.target_arn, before, put_back, not_put_back);
    const CredentialsSnapshot before_alone = DescribeCredentials(client, prefix_, options_.target_arn);
    send(alone);
    const CredentialsSnapshot after_alone = DescribeCredentials(client, prefix_, options_.target_arn);
    all.Release();
    // (Putting back can fail, e.g. a defect stored credentials it cannot delete; the pair alone
    // still says whether this case changes anything.)
    if (before_alone.ok && after_alone.ok) {
      CheckInput again{spec_, c, alone.exchange, before_alone.text, after_alone.text, in.secrets};
      Finding f = state->check->run(again);
      if (f.status == Status::kNotApplicable) f.status = Status::kPass;  // accepted when sent again: not this check's call
      f.message = f.status == Status::kPass
                      ? "the change seen while other cases ran was not this case's (sent again alone: unchanged)"
                      : f.message + " (confirmed: sent again alone)";
      state->finding = std::move(f);
    }
  }
  return r;
}

void Session::Close(SuiteResult& out) {
  {
    std::lock_guard lock(initial_->scenarios_mu);
    out.scenario_runs = initial_->scenario_runs;
    AppendNew(out.restored, initial_->scenario_restored);
    AppendNew(out.changed, initial_->scenario_changed);
  }
  // Put the target's credentials back as they were, and say what the run changed.
  RestoreCredentials(client_, prefix_, options_.target_arn, initial_->snapshot, out.restored, out.changed);
}

SuiteResult RunSuite(const spec::Spec& spec, const std::vector<generators::Case>& cases, Client& client,
                     const RunOptions& options, const Progress& progress) {
  SuiteResult out;
  const auto start = std::chrono::steady_clock::now();
  Session session(spec, client, options);
  if (session.unreachable()) {
    out.endpoint_unreachable = true;
    out.unreachable_reason = session.unreachable_reason();
    return out;
  }
  std::vector<Session::Item> plan;
  for (const auto& c : cases) {
    if (MatchesFilter(c.name, options.filter)) plan.push_back(Session::Item{&c, nullptr});
  }
  const std::size_t case_count = plan.size();
  for (const Check& check : AllChecks()) {
    if (check.scenario) plan.push_back(Session::Item{nullptr, &check});
  }
  auto run = session.Start(plan, progress);
  for (std::size_t slot = 0; slot < plan.size(); ++slot) {
    const CaseResult* r = run->Await(slot);
    if (slot >= case_count) {
      if (r) out.scenarios.push_back(r->checks.front());
      continue;
    }
    if (r) {
      out.cases.push_back(*r);
    } else {
      CaseResult unsent;
      unsent.test_case = *plan[slot].test_case;
      unsent.not_sent = "the run was interrupted before this case was sent";
      out.cases.push_back(std::move(unsent));
      out.interrupted = true;
    }
  }
  run->Wait();
  session.Close(out);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace chapcheck::conformance
