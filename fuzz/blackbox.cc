#include "fuzz/blackbox.h"

#include <atomic>
#include <limits>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace chapcheck::fuzz {
namespace {

using conformance::Status;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatch = 16;  // requests per pipelined write

bool WouldChange(const spec::Verdict& v) {
  return v.outcome.decision == spec::Decision::kAccept ||
         (v.lenient && v.lenient->decision == spec::Decision::kAccept);
}

// One initiator's entries of a snapshot, as comparable text.
std::optional<std::string> StateOf(conformance::Client& client, const std::string& prefix, const std::string& target,
                                   const std::string& initiator) {
  const auto s = conformance::DescribeCredentials(client, prefix, target);
  if (!s.ok) return std::nullopt;
  json mine = json::array();
  for (const auto& c : s.credentials) {
    if (c.value("InitiatorName", "") == initiator) mine.push_back(c);
  }
  return mine.dump();
}

bool Stops(const FuzzOptions& o, const FindingKey& k) { return o.stop_on.count("any") || o.stop_on.count(k.check); }

}  // namespace

bool Sendable(const Mutant& m, const FuzzOptions& options) {
  const auto& v = m.test_case.expectation;
  return v.outcome.decision != spec::Decision::kOutOfScope && (options.disruptive || !WouldChange(v));
}

void JudgeAnswer(const Mutator& mutator, const Mutant& m, conformance::Exchange exchange, const std::optional<std::string>& before,
                 const std::optional<std::string>& after, Judged& out) {
  out.exchange = std::move(exchange);
  conformance::CheckInput in{mutator.spec(), m.test_case, out.exchange, before && after ? before : std::nullopt,
                             before && after ? after : std::nullopt, m.secrets};
  out.findings.clear();
  for (const auto& check : conformance::AllChecks()) {
    if (check.scenario) continue;
    conformance::Finding f = check.run(in);
    if (f.status != Status::kNotApplicable) out.findings.emplace_back(&check, std::move(f));
  }
}

bool SendAndJudge(conformance::Client& client, const Mutator& mutator, const Mutant& m, const FuzzOptions& options,
                  Judged& out) {
  if (!Sendable(m, options)) return false;
  const std::string& prefix = mutator.spec().protocol.CurrentTarget()->prefix;
  std::optional<std::string> before, after;
  const bool probe = !m.probe_initiator.empty() && !WouldChange(m.test_case.expectation) && !options.target_arn.empty();
  if (probe) before = StateOf(client, prefix, options.target_arn, m.probe_initiator);
  conformance::Exchange ex = client.Send(m.test_case.request, m.test_case.auth);
  if (probe && before) after = StateOf(client, prefix, options.target_arn, m.probe_initiator);
  JudgeAnswer(mutator, m, std::move(ex), before, after, out);
  return true;
}

FuzzResult RunFuzz(const Mutator& mutator, const conformance::EndpointConfig& endpoint, const FuzzOptions& options,
                   const std::function<void(const FuzzStats&)>& progress) {
  FuzzResult result;
  const spec::Spec& spec = mutator.spec();
  const std::string prefix = spec.protocol.CurrentTarget()->prefix;
  const auto& checks = conformance::AllChecks();
  const auto start = Clock::now();

  auto control = conformance::Client::Create(endpoint);
  if (!control) {
    result.unreachable = true;
    result.unreachable_reason = control.error().ToString();
    return result;
  }
  {
    const auto ex = (*control)->Call(prefix, "DescribeChapCredentials", json{{"TargetARN", options.target_arn}}.dump());
    if (!ex.transport_error.empty()) {
      result.unreachable = true;
      result.unreachable_reason = ex.transport_error;
      return result;
    }
  }
  const auto initial = conformance::DescribeCredentials(**control, prefix, options.target_arn);

  std::unordered_map<std::string, std::size_t> rule_index;
  std::vector<std::string> rule_names;
  for (const spec::RuleHead* h : spec.RulesInPrecedenceOrder()) {
    rule_index.emplace(h->id, rule_names.size());
    rule_names.push_back(h->id);
  }

  // Shared state: counters flushed by the workers, keys seen, the stop flag.
  std::mutex mu;
  std::condition_variable done_cv;
  int running = 0;
  FuzzStats shared;
  shared.checks.resize(checks.size());
  shared.rules_total = rule_names.size();
  std::vector<std::uint64_t> shared_rules(rule_names.size());
  std::vector<CheckCounts> shared_decided(rule_names.size());
  std::set<FindingKey> keys;
  std::set<std::string> signatures;
  std::vector<FindingSet> per_worker(static_cast<std::size_t>(std::max(1, options.jobs)));
  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> stop{false};
  const auto deadline = start + options.duration;

  auto worker = [&](std::size_t w) {
    auto client = conformance::Client::Create(endpoint);
    FuzzStats local;
    local.checks.resize(checks.size());
    std::vector<std::uint64_t> rules(rule_names.size());
    std::vector<CheckCounts> decided(rule_names.size());
    std::set<FindingKey> seen;
    std::set<std::string> local_signatures;
    Judged judged;
    auto flush = [&] {
      std::lock_guard lock(mu);
      shared.requests += local.requests;
      shared.sent += local.sent;
      shared.not_sent += local.not_sent;
      shared.no_answer += local.no_answer;
      shared.probes += local.probes;
      shared.transient += local.transient;
      for (std::size_t i = 0; i < checks.size(); ++i) {
        shared.checks[i].passed += local.checks[i].passed;
        shared.checks[i].failed += local.checks[i].failed;
        shared.checks[i].should += local.checks[i].should;
      }
      for (std::size_t i = 0; i < rules.size(); ++i) {
        shared_rules[i] += std::exchange(rules[i], 0);
        shared_decided[i].passed += std::exchange(decided[i].passed, 0);
        shared_decided[i].failed += std::exchange(decided[i].failed, 0);
      }
      local = FuzzStats{};
      local.checks.resize(checks.size());
    };
    auto JudgeOne = [&](std::uint64_t index, const Mutant& m, conformance::Exchange* answer) {
      if (answer) {
        JudgeAnswer(mutator, m, std::move(*answer), std::nullopt, std::nullopt, judged);
      } else {
        SendAndJudge(**client, mutator, m, options, judged);
      }
      ++local.sent;
      if (conformance::IsTransient(judged.exchange)) {
        // Throttled or busy: not judged, and this connection slows down a little.
        ++local.transient;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return;
      }
      local.probes += answer == nullptr;
      local.no_answer += !judged.exchange.transport_error.empty();
      const auto& v = m.test_case.expectation;
      for (const auto& b : v.broken) {
        if (auto it = rule_index.find(b.rule); it != rule_index.end()) ++rules[it->second];
      }
      // Interesting for the corpus: an (answer, deciding rule, broken rules) never seen here.
      std::string signature = v.outcome.rule + "|" + std::to_string(judged.exchange.status);
      for (const auto& b : v.broken) signature += "|" + b.rule;
      if (local_signatures.insert(signature).second) {
        std::lock_guard lock(mu);
        if (signatures.insert(signature).second) result.interesting.push_back(m);
      }
      bool failed = false;
      for (const auto& [check, f] : judged.findings) failed |= f.status == Status::kFail;
      if (auto it = rule_index.find(v.outcome.rule); it != rule_index.end()) ++(failed ? decided[it->second].failed : decided[it->second].passed);
      for (auto& [check, f] : judged.findings) {
        const auto ci = static_cast<std::size_t>(check - checks.data());
        if (f.status == Status::kPass) {
          ++local.checks[ci].passed;
          continue;
        }
        if (f.status != Status::kFail && f.status != Status::kShould) continue;
        ++(f.status == Status::kFail ? local.checks[ci].failed : local.checks[ci].should);
        FindingKey key{std::string(check->name), v.outcome.rule};
        if (seen.insert(key).second) {
          per_worker[w].Add(FuzzFinding{key, f.status, m, index, f, judged.exchange, 1});
          std::lock_guard lock(mu);
          keys.insert(key);
          shared.findings = keys.size();
          if (f.status == Status::kFail) ++shared.failures;
          if (Stops(options, key)) stop = true;
        } else if (const auto& all = per_worker[w].all(); all.at(key).index > index) {
          per_worker[w].Add(FuzzFinding{key, f.status, m, index, f, judged.exchange, 1});
        } else {
          per_worker[w].Add(FuzzFinding{key, f.status, {}, std::numeric_limits<std::uint64_t>::max(), {}, {}, 1});
        }
      }
    };
    // Requests go out in pipelined batches; probes (state read around them) one at a time.
    std::vector<std::pair<std::uint64_t, Mutant>> batch;
    std::vector<std::pair<const spec::Request*, generators::AuthMode>> wire;
    std::vector<std::pair<std::uint64_t, Mutant>> todo;  // sent, to judge: (index, mutant)
    std::vector<conformance::Exchange> answers;
    bool last = false;
    while (client && !last && !stop.load(std::memory_order_relaxed)) {
      batch.clear();
      wire.clear();
      todo.clear();
      answers.clear();
      while (batch.size() < kBatch) {
        const std::uint64_t index = next.fetch_add(1, std::memory_order_relaxed);
        if ((options.max_requests && index >= options.max_requests) || ((index & 63) == 0 && Clock::now() >= deadline)) {
          last = true;
          break;
        }
        Mutant m = mutator.Make(options.seed, index);
        ++local.requests;
        if (!Sendable(m, options)) {
          ++local.not_sent;
          continue;
        }
        if (!m.probe_initiator.empty()) {
          todo.emplace_back(index, std::move(m));
          break;
        }
        batch.emplace_back(index, std::move(m));
      }
      for (const auto& [index, m] : batch) wire.emplace_back(&m.test_case.request, m.test_case.auth);
      if (!wire.empty()) answers = (*client)->SendPipelined(wire);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        JudgeOne(batch[i].first, batch[i].second, &answers[i]);
      }
      for (auto& [index, m] : todo) JudgeOne(index, m, nullptr);
      if ((local.requests & ~std::uint64_t{255}) != 0) flush();
    }
    flush();
    std::lock_guard lock(mu);
    --running;
    done_cv.notify_all();
  };

  auto collect_rules = [&] {  // under mu
    shared.rules.clear();
    for (std::size_t i = 0; i < rule_names.size(); ++i) {
      if (shared_rules[i]) shared.rules[rule_names[i]] = shared_rules[i];
      if (shared_decided[i].passed || shared_decided[i].failed) shared.decided[rule_names[i]] = shared_decided[i];
    }
  };
  std::vector<std::thread> threads;
  std::size_t restored = 0;
  running = static_cast<int>(per_worker.size());
  for (std::size_t w = 0; w < per_worker.size(); ++w) threads.emplace_back(worker, w);
  {
    std::unique_lock lock(mu);
    auto last_restore = Clock::now();
    while (running > 0) {
      done_cv.wait_for(lock, std::chrono::milliseconds(250));
      if (options.disruptive && Clock::now() - last_restore >= std::chrono::milliseconds(200)) {
        // Accepted requests with new initiator names pile up on the target (and every
        // DescribeChapCredentials gets longer): put it back as it was now and then.
        lock.unlock();
        auto r = conformance::RestoreCredentials(**control, prefix, options.target_arn, initial);
        lock.lock();
        restored += r.restored.size();
        for (auto& c : r.changed) result.restore.changed.push_back(std::move(c));
        last_restore = Clock::now();
      }
      if (progress) {
        shared.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        collect_rules();
        const FuzzStats copy = shared;
        lock.unlock();
        progress(copy);
        lock.lock();
      }
    }
  }
  for (auto& t : threads) t.join();
  shared.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  collect_rules();

  // One example per key (the lowest index), then minimised on the control connection.
  FindingSet merged;
  for (auto& fs : per_worker) {
    for (const auto& [k, f] : fs.all()) merged.Add(f);
  }
  std::uint64_t fresh_initiator = 0;
  for (const auto& entry : merged.all()) {
    const FindingKey& key = entry.first;  // not a structured binding: lambdas capture it (C++20 in clang 14)
    const FuzzFinding& f = entry.second;
    FuzzFinding out = f;
    auto still_fails = [&](const Mutant& candidate) {
      if (candidate.test_case.expectation.outcome.rule != key.rule) return false;
      Mutant sent = candidate;
      if (!sent.probe_initiator.empty()) {
        // A probe that already left state behind proves nothing when sent again: a new initiator.
        char tail[24];
        std::snprintf(tail, sizeof tail, "%016llx", static_cast<unsigned long long>(++fresh_initiator));
        const std::string renamed = std::string(kProbeInitiatorPrefix) + "min" + tail;
        auto& body = sent.test_case.request.body;
        if (const auto at = body.find(sent.probe_initiator); at != std::string::npos) body.replace(at, sent.probe_initiator.size(), renamed);
        sent = mutator.Judge(sent.test_case);
        if (sent.test_case.expectation.outcome.rule != key.rule) return false;
      }
      Judged j;
      if (!SendAndJudge(**control, mutator, sent, options, j)) return false;
      for (const auto& [check, finding] : j.findings) {
        if (check->name == key.check && finding.status == f.status) {
          out.first = sent;
          out.finding = finding;
          out.exchange = j.exchange;
          return true;
        }
      }
      return false;
    };
    Mutant min = Minimise(mutator, f.first, still_fails, options.minimise_budget);
    out.first.test_case.name = min.test_case.name;
    out.first.test_case.id = min.test_case.id;
    result.findings.push_back(std::move(out));
  }
  shared.findings = result.findings.size();
  shared.failures = merged.failures();
  result.stats = std::move(shared);
  auto last = conformance::RestoreCredentials(**control, prefix, options.target_arn, initial);
  restored += last.restored.size();
  for (auto& c : last.changed) result.restore.changed.push_back(std::move(c));
  if (restored) result.restore.restored.push_back(std::to_string(restored) + " changes to the credentials on " + options.target_arn);
  return result;
}

}  // namespace chapcheck::fuzz
