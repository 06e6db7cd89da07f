#include "conformance/runner.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "conformance/credentials_snapshot.h"

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

using Snapshot = CredentialsSnapshot;

Snapshot Describe(Client& client, const std::string& prefix, const std::string& target) {
  return DescribeCredentials(client, prefix, target);
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

SuiteResult RunSuite(const spec::Spec& spec, const std::vector<generators::Case>& cases, Client& client,
                     const RunOptions& options, const Progress& progress) {
  SuiteResult out;
  const auto start = std::chrono::steady_clock::now();
  const std::string prefix = spec.protocol.CurrentTarget()->prefix;
  const Snapshot initial = Describe(client, prefix, options.target_arn);

  std::vector<const generators::Case*> selected;
  for (const auto& c : cases) {
    if (MatchesFilter(c.name, options.filter)) selected.push_back(&c);
  }
  std::size_t done = 0;
  for (const generators::Case* c : selected) {
    CaseResult r;
    r.test_case = *c;
    const bool would_change = c->expectation.outcome.decision == spec::Decision::kAccept ||
                              (c->expectation.lenient && c->expectation.lenient->decision == spec::Decision::kAccept);
    if (would_change && !options.disruptive) {
      r.not_sent = "would change real credentials and drop connections; pass --disruptive to send it";
      out.cases.push_back(std::move(r));
      if (progress) progress(++done, selected.size());
      continue;
    }
    const bool judge_state = initial.ok && !would_change;
    Snapshot before;
    if (judge_state) before = Describe(client, prefix, options.target_arn);
    r.exchange = client.Send(c->request, c->auth);
    for (int attempt = 0; attempt < options.max_retries && IsTransient(r.exchange); ++attempt) {
      std::this_thread::sleep_for(options.backoff * (1 << attempt));
      r.exchange = client.Send(c->request, c->auth);
      ++r.retries;
    }
    if (!r.exchange.transport_error.empty() && out.cases.empty() &&
        r.exchange.transport_error.find("cannot connect") != std::string::npos) {
      out.endpoint_unreachable = true;
      out.unreachable_reason = r.exchange.transport_error;
      return out;
    }
    CheckInput in{spec, *c, r.exchange, std::nullopt, std::nullopt, SecretsOf(spec, *c)};
    if (judge_state && before.ok) {
      const Snapshot after = Describe(client, prefix, options.target_arn);
      if (after.ok) {
        in.state_before = before.text;
        in.state_after = after.text;
      }
    }
    for (const Check& check : AllChecks()) {
      if (check.scenario) continue;
      Finding f = check.run(in);
      if (f.status != Status::kNotApplicable) r.checks.push_back(CheckResult{&check, std::move(f)});
    }
    out.cases.push_back(std::move(r));
    if (progress) progress(++done, selected.size());
  }
  for (const Check& check : AllChecks()) {
    if (!check.scenario) continue;
    const generators::Case none;
    const Exchange nothing;
    out.scenarios.push_back(CheckResult{&check, check.run(CheckInput{spec, none, nothing, {}, {}, {}})});
  }

  // Put the target's credentials back as they were, and say what the run changed.
  RestoreReport restore = RestoreCredentials(client, prefix, options.target_arn, initial);
  out.restored = std::move(restore.restored);
  out.changed = std::move(restore.changed);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace chapcheck::conformance
