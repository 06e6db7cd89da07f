// chapcheck run: the conformance suite against an endpoint (or the built-in mock, started in
// process on a free port), with JUnit, HTML and Markdown reports and a reproducer per failure.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/endpoint.h"
#include "cli/fixture_context.h"
#include "cli/interrupt.h"
#include "conformance/gtest_registration.h"
#include "cli/reproducer.h"
#include "conformance/runner.h"
#include "mocks/gateway.h"
#include "mocks/server.h"
#include "reports/junit.h"
#include "reports/summary.h"
#include "spec/loader.h"

namespace chapcheck::cli {
namespace {

using json = nlohmann::json;
constexpr int kExitUnreachable = 3;

constexpr const char* kRunUsage =
    "usage: chapcheck run [options]\n"
    "\n"
    "Runs the generated cases and the checks against an endpoint and writes reports. Without\n"
    "--endpoint it starts the built-in mock in process on a free port and runs against that.\n"
    "\n"
    "  --endpoint URL              http(s)://HOST[:PORT] of the implementation under test\n"
    "  --target-arn ARN            the target the cases update (required with --endpoint)\n"
    "  --other-target-arn ARN      a second target on the endpoint\n"
    "  --offline-target-arn ARN    a target whose gateway is offline\n"
    "  --iscsi-portal HOST:PORT    the iSCSI portal serving the target (and the other target):\n"
    "                              turns on the live-connection scenarios (with --disruptive)\n"
    "  --drop-deadline MS          how soon after an accepted update's response the target's\n"
    "                              sessions must be closed (default 5000)\n"
    "  --api-version V             2013-06-30 (current, default) or 2012-06-30 (legacy): the\n"
    "                              X-Amz-Target prefix the cases send\n"
    "  --region R --profile P      SigV4 region (default us-east-1) and credentials profile\n"
    "                              (default: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)\n"
    "  --insecure                  do not verify the endpoint's TLS certificate\n"
    "  --disruptive                against a real endpoint: also send updates the spec accepts\n"
    "                              (they change credentials and drop connections; restored after)\n"
    "  --filter PATTERNS           cases to run, gtest style: 'A*:B*-C*' (also --gtest_filter=)\n"
    "  --gtest_repeat=N --gtest_shuffle --gtest_random_seed=S --gtest_list_tests ...\n"
    "                              GoogleTest's flags: each case is a GoogleTest test named by its\n"
    "                              case name, each scenario scenario.<check>\n"
    "  --report-dir DIR            where reports go (default reports/)\n"
    "  --seed N                    pairwise rows' seed (default 1)\n"
    "  --jobs N                    connections sending cases at once (1..64, default 1); cases that\n"
    "                              may change a target's credentials still run alone on that target\n"
    "  --defect NAME               with the built-in mock: turn on a defect switch (repeatable)\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM: no new cases are sent, the credentials are restored and the\n"
    "partial reports written; a second one aborts at once, without restoring.\n"
    "\n"
    "exit: 0 all checks pass, 1 contract violations, 2 usage or configuration error,\n"
    "      3 endpoint unreachable, 130 (SIGINT) or 143 (SIGTERM) interrupted\n";

// " (failed in 2 of 3 executions)" for a case run more than once (--gtest_repeat).
std::string Repetitions(const conformance::CaseResult& r) {
  if (r.executions <= 1) return "";
  return " (failed in " + std::to_string(r.failed_executions) + " of " + std::to_string(r.executions) + " executions)";
}

// What GoogleTest did to the order and the count, and which cases failed only sometimes.
void RepeatNotes(const conformance::SuiteResult& result, std::vector<std::string>& notes) {
  if (result.repetitions > 1) {
    notes.push_back(std::string(result.interrupted ? "cases ran up to " : "each case ran ") + std::to_string(result.repetitions) +
                    " times (--gtest_repeat); counts are per case, a case failing in any execution counts as failed");
  }
  if (result.shuffle_seed) notes.push_back("order shuffled with --gtest_random_seed=" + std::to_string(*result.shuffle_seed));
  for (const auto& r : result.cases) {
    if (r.failed_executions > 0 && r.failed_executions < r.executions) notes.push_back("flaky: " + r.test_case.name + Repetitions(r));
  }
}

}  // namespace

int RunCommand(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> endpoint, profile;
  generators::Context ctx;
  conformance::RunOptions run;
  std::string report_dir = "reports", region = "us-east-1";
  std::optional<std::string> api_version;
  bool insecure = false, disruptive = false;
  mocks::DefectSet defects;
  std::vector<std::string> gtest_flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--help" || a == "-h") {
      out << kRunUsage;
      return kExitOk;
    } else if (a == "--endpoint" && has_value) {
      endpoint = args[++i];
    } else if (a == "--target-arn" && has_value) {
      ctx.target_arn = args[++i];
    } else if (a == "--other-target-arn" && has_value) {
      ctx.other_target_arn = args[++i];
    } else if (a == "--offline-target-arn" && has_value) {
      ctx.offline_target_arn = args[++i];
    } else if (a == "--iscsi-portal" && has_value) {
      run.iscsi_portal = args[++i];
      if (run.iscsi_portal->empty() || run.iscsi_portal->find(':') == std::string::npos) {
        err << "chapcheck run: --iscsi-portal takes HOST:PORT\n";
        return kExitUsage;
      }
    } else if (a == "--drop-deadline" && has_value) {
      const std::string& n = args[++i];
      if (n.empty() || n.size() > 7 || n.find_first_not_of("0123456789") != std::string::npos || std::stol(n) == 0) {
        err << "chapcheck run: --drop-deadline takes a whole number of milliseconds (1..9999999)\n";
        return kExitUsage;
      }
      run.drop_deadline = std::chrono::milliseconds(std::stol(n));
    } else if (a == "--api-version" && has_value) {
      api_version = args[++i];
    } else if (a == "--region" && has_value) {
      region = args[++i];
    } else if (a == "--profile" && has_value) {
      profile = args[++i];
    } else if (a == "--insecure") {
      insecure = true;
    } else if (a == "--disruptive") {
      disruptive = true;
    } else if (a == "--filter" && has_value) {
      run.filter = args[++i];
    } else if (a.rfind("--gtest_filter=", 0) == 0) {
      run.filter = a.substr(15);
    } else if (a.rfind("--gtest_", 0) == 0) {
      gtest_flags.push_back(a);
    } else if (a == "--report-dir" && has_value) {
      report_dir = args[++i];
    } else if (a == "--seed" && has_value) {
      const std::string& n = args[++i];
      if (n.empty() || n.size() > 19 || n.find_first_not_of("0123456789") != std::string::npos) {
        err << "chapcheck run: --seed takes a whole number\n";
        return kExitUsage;
      }
      ctx.seed = std::stoull(n);
    } else if (a == "--jobs" && has_value) {
      const std::string& n = args[++i];
      if (n.empty() || n.size() > 2 || n.find_first_not_of("0123456789") != std::string::npos || std::stoi(n) < 1 ||
          std::stoi(n) > 64) {
        err << "chapcheck run: --jobs takes a number from 1 to 64\n";
        return kExitUsage;
      }
      run.jobs = std::stoi(n);
    } else if (a == "--defect" && has_value) {
      auto d = mocks::DefectByName(args[++i]);
      if (!d) {
        err << "chapcheck run: unknown defect \"" << args[i] << "\" (chapcheck mock --list-defects)\n";
        return kExitUsage;
      }
      defects.Enable(*d);
    } else {
      err << "chapcheck run: unknown option or missing value: " << a << "\n" << kRunUsage;
      return kExitUsage;
    }
  }
  auto s = spec::LoadEmbeddedSpec();
  if (!s) {
    err << "chapcheck run: the built-in spec does not load: " << s.error().ToString() << "\n";
    return kExitUsage;
  }

  // The endpoint: the caller's, or the built-in mock in process.
  if (endpoint && ctx.target_arn.empty()) {
    err << "chapcheck run: --target-arn is required with --endpoint\n";
    return kExitUsage;
  }
  EndpointOptions where;
  where.url = endpoint;
  where.profile = profile;
  where.region = region;
  where.insecure = insecure;
  where.defects = defects;
  where.iscsi = !endpoint;
  auto opened = OpenEndpoint(where);
  if (!opened) {
    err << "chapcheck run: " << opened.error().ToString() << "\n";
    return kExitUsage;
  }
  const conformance::EndpointConfig& config = opened->config;
  if (opened->built_in()) {
    const std::uint64_t seed = ctx.seed;
    ctx = ContextFromFixture(*opened->fixture);
    ctx.seed = seed;
    run.disruptive = true;
  } else {
    run.disruptive = disruptive;
  }
  if (api_version) {
    // "2013-06-30" -> the prefix of the spec that ends in 20130630.
    std::string digits;
    for (char c : *api_version) {
      if (c != '-') digits += c;
    }
    for (const auto& t : s->protocol.targets) {
      if (!digits.empty() && t.prefix.size() >= digits.size() &&
          t.prefix.compare(t.prefix.size() - digits.size(), digits.size(), digits) == 0) {
        ctx.target_prefix = t.prefix;
      }
    }
    if (!ctx.target_prefix) {
      err << "chapcheck run: --api-version " << *api_version << " is none of the spec's:";
      for (const auto& t : s->protocol.targets) err << " " << t.prefix;
      err << "\n";
      return kExitUsage;
    }
  }
  run.target_arn = ctx.target_arn;
  run.other_target_arn = ctx.other_target_arn;
  // The built-in mock: the portal of the target's gateway (the other target is on the same one).
  if (opened->built_in() && !run.iscsi_portal) {
    const auto portal = opened->portals ? opened->portals->Find(run.target_arn.substr(0, run.target_arn.find("/target/")))
                                        : std::nullopt;
    if (portal) {
      run.iscsi_portal = portal->HostPort();
    } else {
      run.no_portal_reason = "the built-in mock serves no iSCSI portal for the target's gateway";
    }
  }
  auto client = conformance::Client::Create(config);
  if (!client) {
    err << "chapcheck run: " << client.error().ToString() << "\n";
    return kExitUsage;
  }

  const auto cases = generators::Generate(*s, ctx);
  const bool tty = ::isatty(STDOUT_FILENO) && &out == &std::cout;
  const std::string started = reports::TimestampNow();
  // The cases as GoogleTest tests when this process can host them (the chapcheck executable);
  // RunSuite when GoogleTest is already running here (a unit test calling RunCommand).
  const bool as_gtest = conformance::GtestAvailable();
  // Progress on a terminal, at most every 50 ms (the callbacks come from the workers, one at a time).
  auto last_shown = std::chrono::steady_clock::time_point();
  const conformance::Progress progress = [&](std::size_t done, std::size_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (!tty || (done != total && now - last_shown < std::chrono::milliseconds(50))) return;
    last_shown = now;
    out << "\rchapcheck run: " << done << "/" << total << " tests" << std::flush;
  };
  // Ctrl-C (SIGINT) or SIGTERM: no new cases, restore, partial reports, exit 130 or 143.
  StopOnSignals stopper("chapcheck run");
  run.stop = &stopper.flag();
  conformance::SuiteResult result;
  if (as_gtest) {
    auto ran = conformance::RunSuiteWithGtest(*s, cases, **client, run, gtest_flags, progress);
    if (!ran) {
      err << "chapcheck run: " << ran.error().ToString() << "\n";
      return kExitUsage;
    }
    if (ran->listed_only) return kExitOk;
    result = std::move(ran->result);
  } else if (!gtest_flags.empty()) {
    err << "chapcheck run: " << gtest_flags.front() << " needs GoogleTest, which this process already runs\n";
    return kExitUsage;
  } else {
    result = conformance::RunSuite(*s, cases, **client, run, progress);
  }
  if (tty) out << "\n";
  if (result.endpoint_unreachable) {
    err << "chapcheck run: the endpoint is unreachable: " << result.unreachable_reason << "\n";
    return kExitUnreachable;
  }

  // Secrets the reports must never show: every sensitive value sent, and the signing key.
  reports::Redactor redact;
  redact.Add(config.credentials.secret_access_key.Reveal());
  for (const auto& c : cases) {
    try {
      const json body = json::parse(c.request.body);
      for (const auto& m : s->members) {
        if (m.sensitive && body.is_object() && body.contains(m.name) && body[m.name].is_string()) {
          const std::string v = body[m.name].get<std::string>();
          if (v.size() >= 4) redact.Add(v);
        }
      }
    } catch (const std::exception&) {
    }
  }

  std::error_code ec;
  const std::filesystem::path dir(report_dir), repro_dir = dir / "reproducers";
  std::filesystem::create_directories(repro_dir, ec);
  if (ec) {
    err << "chapcheck run: cannot create " << repro_dir.string() << ": " << ec.message() << "\n";
    return kExitUsage;
  }

  reports::Run junit;
  junit.timestamp = started;
  std::map<std::string, reports::TestSuite> suites;
  reports::Summary summary;
  summary.title = "chapcheck " + s->operation;
  summary.endpoint = config.url + (endpoint ? "" : " (built-in mock)");
  summary.spec_origin = s->origin;
  summary.started = started;
  summary.seconds = result.seconds;
  summary.cases = static_cast<int>(result.cases.size());
  std::map<std::string, reports::CheckRow> rows;
  for (const auto& check : conformance::AllChecks()) {
    rows[std::string(check.name)] = reports::CheckRow{std::string(check.name), std::string(check.family), std::string(check.clause), 0, 0, 0, 0, ""};
  }
  std::map<std::string, reports::RuleRow> rules;
  for (const spec::RuleHead* h : s->RulesInPrecedenceOrder()) {
    const spec::Source* src = s->FindSource(h->outcome_source);
    rules[h->id] = reports::RuleRow{h->id, std::string(spec::ToString(h->phase)), std::string(spec::ToString(h->severity)),
                                    h->outcome_source, src && src->documented, 0, 0, 0, {}};
  }

  int failures = 0;
  for (const auto& r : result.cases) {
    const auto& c = r.test_case;
    if (r.not_sent.empty()) ++summary.cases_sent;
    summary.retried += r.retries > 0;
    bool case_failed = false;
    std::string reproducer;
    for (const auto& cr : r.checks) {
      auto& row = rows[std::string(cr.check->name)];
      reports::TestCase tc{c.name, "chapcheck." + std::string(cr.check->name), r.exchange.elapsed.count() / 1e6,
                           reports::Outcome::kPassed, "", "", ""};
      switch (cr.finding.status) {
        case conformance::Status::kPass: ++row.passed; break;
        case conformance::Status::kShould: ++row.should; break;
        case conformance::Status::kSkip:
          ++row.skipped;
          tc.outcome = reports::Outcome::kSkipped;
          tc.message = cr.finding.message;
          break;
        case conformance::Status::kFail: {
          ++row.failed;
          ++failures;
          case_failed = true;
          if (reproducer.empty()) reproducer = WriteReproducer(*s, c, repro_dir, redact);
          tc.outcome = reports::Outcome::kFailed;
          tc.message = cr.finding.message + Repetitions(r);
          tc.type = std::string(cr.check->name);
          tc.text = "check: " + std::string(cr.check->name) + " (" + std::string(cr.check->clause) + ")\ncase: " + c.id + " " +
                    c.name + "\nrule: " + (c.rule.empty() ? std::string("(pairwise or example)") : c.rule) +
                    "\nexpected: " + cr.finding.expected + "\nactual: " + cr.finding.actual + "\nreproducer: " + reproducer +
                    "\n\n" + WireRequest(r.exchange.request) + "\n\n" + WireResponse(r.exchange);
          summary.failures.push_back(reports::FailureRow{c.id, c.name, std::string(cr.check->name),
                                                         std::string(cr.check->clause), cr.finding.message + Repetitions(r),
                                                         cr.finding.expected, cr.finding.actual, WireRequest(r.exchange.request),
                                                         WireResponse(r.exchange), reproducer});
          break;
        }
        case conformance::Status::kNotApplicable: break;
      }
      suites[std::string(cr.check->family)].cases.push_back(std::move(tc));
    }
    if (!r.not_sent.empty()) {
      suites["contract"].cases.push_back(
          reports::TestCase{c.name, "chapcheck.not_sent", 0, reports::Outcome::kSkipped, r.not_sent, "", ""});
    }
    if (auto it = rules.find(c.rule); it != rules.end()) {
      ++it->second.cases;
      (case_failed ? it->second.failed : it->second.passed)++;
      const std::string stem = c.name.substr(0, c.name.rfind('.'));
      it->second.exercised.push_back(stem.rfind(c.rule.substr(0, c.rule.find('.')) + ".", 0) == 0
                                         ? stem.substr(stem.find('.') + 1)
                                         : stem);
    }
  }
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> measured;  // family -> properties
  for (const auto& sc : result.scenarios) {
    const std::string name(sc.check->name);
    const conformance::Finding& f = sc.finding;
    auto& row = rows[name];
    reports::TestCase tc{"live connections", "chapcheck." + name, 0, reports::Outcome::kPassed, "", "", ""};
    if (f.status == conformance::Status::kFail) {
      ++row.failed;
      ++failures;
      tc.outcome = reports::Outcome::kFailed;
      tc.message = f.message;
      tc.type = name;
      tc.text = "check: " + name + " (" + std::string(sc.check->clause) + ")\nexpected: " + f.expected + "\nactual: " + f.actual;
      summary.failures.push_back(reports::FailureRow{
          "scenario-" + name, "live connections", name, std::string(sc.check->clause), f.message, f.expected, f.actual,
          "(a scenario of several requests and iSCSI logins; see docs/connection-scenarios.md)", "", ""});
    } else if (f.status == conformance::Status::kPass || f.status == conformance::Status::kShould) {
      ++(f.status == conformance::Status::kPass ? row.passed : row.should);
      summary.notes.push_back(name + ": " + f.message);
    } else {
      ++row.skipped;
      row.skip_reason = f.message;
      tc.outcome = reports::Outcome::kSkipped;
      tc.message = f.message;
    }
    for (const auto& [k, v] : f.properties) measured[std::string(sc.check->family)].emplace_back(name + "." + k, v);
    suites[std::string(sc.check->family)].cases.push_back(std::move(tc));
  }
  for (auto& [family, suite] : suites) {
    suite.name = "chapcheck." + family;
    suite.properties = {{"spec", s->origin}, {"endpoint", config.url}, {"seed", std::to_string(ctx.seed)}};
    for (const auto& check : conformance::AllChecks()) {
      if (check.family == family) suite.properties.emplace_back("check." + std::string(check.name), std::string(check.clause));
    }
    for (auto& p : measured[family]) suite.properties.push_back(std::move(p));
    junit.suites.push_back(std::move(suite));
  }
  for (const auto& check : conformance::AllChecks()) summary.checks.push_back(rows[std::string(check.name)]);
  for (const spec::RuleHead* h : s->RulesInPrecedenceOrder()) summary.rules.push_back(rules[h->id]);
  if (!result.restored.empty()) {
    summary.notes.push_back("the run changed " + std::to_string(result.restored.size()) +
                            " CHAP credentials (" + run.target_arn +
                            (run.iscsi_portal && run.other_target_arn ? " and " + *run.other_target_arn : "") + ") and restored them");
  }
  for (const auto& n : result.changed) summary.notes.push_back("CHANGED and not restored: " + n);
  RepeatNotes(result, summary.notes);
  if (stopper.signal()) {
    summary.notes.push_back("interrupted by " + std::string(stopper.name()) + " after " + std::to_string(summary.cases_sent) +
                            " of " + std::to_string(summary.cases) + " cases: these reports are partial");
  }
  if (!endpoint) summary.notes.push_back("built-in mock" + std::string(defects.empty() ? "" : " with defects:") + [&] {
    std::string d;
    for (auto x : defects.Enabled()) d += " " + std::string(mocks::NameOf(x));
    return d;
  }());

  const std::string junit_path = (dir / "junit.xml").string(), html_path = (dir / "index.html").string(),
                    md_path = (dir / "summary.md").string();
  std::ofstream(junit_path, std::ios::binary) << reports::JunitXml(junit, redact);
  std::ofstream(html_path, std::ios::binary) << reports::HtmlReport(summary, redact);
  std::ofstream(md_path, std::ios::binary) << reports::MarkdownSummary(summary, redact);

  // One screen: per check, then the failures with their reproducers.
  out << "chapcheck run: " << summary.cases_sent << " of " << summary.cases << " cases against " << summary.endpoint
      << " in " << static_cast<int>(result.seconds * 1000) << " ms\n";
  out << "  check                                    passed  failed  should  skipped\n";
  for (const auto& row : summary.checks) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-40s %6d  %6d  %6d  %7d\n", row.name.c_str(), row.passed, row.failed, row.should,
                  row.skipped);
    out << line;
  }
  std::size_t shown = 0;
  for (const auto& f : summary.failures) {
    if (++shown > 15) {
      out << "  ... " << summary.failures.size() - 15 << " more in " << html_path << "\n";
      break;
    }
    out << "FAIL " << f.check << ": " << redact(f.case_name) << "\n     " << redact(f.message) << "\n";
    if (!f.reproducer.empty()) out << "     chapcheck replay " << f.reproducer << "\n";
  }
  for (const auto& n : summary.notes) out << "note: " << redact(n) << "\n";
  // Against a real endpoint, or when interrupted, each credential put back (the built-in mock's are
  // only counted in the note above).
  if (endpoint || stopper.signal()) {
    for (const auto& n : result.restored) out << "restored: " << redact(n) << "\n";
  }
  out << "reports: " << junit_path << ", " << html_path << ", " << md_path << "\n";
  out << failures << " failed, " << summary.cases_sent << " cases\n";
  if (stopper.signal()) return stopper.exit_code();
  return failures ? kExitFindings : kExitOk;
}

}  // namespace chapcheck::cli
