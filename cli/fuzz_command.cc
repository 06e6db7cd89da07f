// chapcheck fuzz: spec-guided black-box fuzzing of an endpoint (or the built-in mock, started in
// process on a free port). Mutations of valid requests go out over several kept-alive
// connections; each answer is judged by the suite's checks against the spec verdict; findings are
// deduplicated by (check, rule), minimised and written as reproducers `chapcheck replay` accepts,
// with a JUnit report (one test case per check) and a Markdown summary.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "cli/fixture_context.h"
#include "cli/reproducer.h"
#include "fuzz/blackbox.h"
#include "generators/case_json.h"
#include "reports/junit.h"
#include "reports/summary.h"
#include "spec/loader.h"

namespace chapcheck::cli {
namespace {

using json = nlohmann::json;
constexpr int kExitUnreachable = 3;

constexpr const char* kFuzzUsage =
    "usage: chapcheck fuzz [options]\n"
    "\n"
    "Sends spec-guided mutations of valid requests to an endpoint and judges every answer with the\n"
    "suite's checks. Without --endpoint it fuzzes the built-in mock, started in process.\n"
    "\n"
    "  --duration D                how long: 90s, 10m, 1h, 500ms or seconds (default 60s)\n"
    "  --seed N                    the sequence of requests (default 1; same seed, same requests)\n"
    "  --jobs N                    kept-alive connections sending in parallel (default: cores)\n"
    "  --max-requests N            stop after N requests\n"
    "  --stop-on CHECK             stop at the first finding of CHECK (repeatable; 'any': of any)\n"
    "  --corpus DIR                extra seed requests from DIR/*.jsonl (chapcheck generate's lines);\n"
    "                              requests with a new answer signature are saved there\n"
    "  --report-dir DIR            where reports go (default reports/; reproducers in DIR/reproducers)\n"
    "  --endpoint URL              http(s)://HOST[:PORT] of the implementation under test\n"
    "  --target-arn ARN            the target the requests update (required with --endpoint)\n"
    "  --other-target-arn ARN      a second target on the endpoint\n"
    "  --offline-target-arn ARN    a target whose gateway is offline\n"
    "  --region R --profile P      SigV4 region (default us-east-1) and credentials profile\n"
    "  --insecure                  do not verify the endpoint's TLS certificate\n"
    "  --disruptive                against a real endpoint: also send requests the spec accepts\n"
    "                              (they change credentials and drop connections; restored after)\n"
    "  --defect NAME               with the built-in mock: turn on a defect switch (repeatable)\n"
    "\n"
    "exit: 0 no findings, 1 findings, 2 usage or configuration error, 3 endpoint unreachable\n";

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  const long long n = std::stoll(s.substr(0, digits));
  const std::string unit = s.substr(digits);
  long long ms;
  if (unit.empty() || unit == "s") {
    ms = n * 1000;
  } else if (unit == "ms") {
    ms = n;
  } else if (unit == "m") {
    ms = n * 60'000;
  } else if (unit == "h") {
    ms = n * 3'600'000;
  } else {
    return std::nullopt;
  }
  if (ms <= 0 || ms > 7LL * 24 * 3'600'000) return std::nullopt;
  return std::chrono::milliseconds(ms);
}

std::optional<std::uint64_t> ParseCount(const std::string& n) {
  if (n.empty() || n.size() > 19 || n.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(n);
}

// Every line of DIR/*.jsonl that is a case, in file-name order.
Result<std::vector<generators::Case>> LoadCorpus(const std::filesystem::path& dir, std::size_t& bad_lines) {
  std::vector<generators::Case> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Error{"", "--corpus " + dir.string() + " is not a directory"};
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto c = generators::ParseCaseJson(line);
      if (c) {
        out.push_back(std::move(c).value());
      } else {
        ++bad_lines;
      }
    }
  }
  return out;
}

std::string Rate(double requests, double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", seconds > 0 ? requests / seconds : 0.0);
  return buf;
}

}  // namespace

int FuzzCommand(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> corpus;
  EndpointOptions where;
  generators::Context ctx;
  fuzz::FuzzOptions options;
  options.duration = std::chrono::seconds(60);
  options.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string report_dir = "reports";
  bool disruptive = false;
  auto usage = [&](const std::string& why) {
    err << "chapcheck fuzz: " << why << "\n";
    return kExitUsage;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    std::string bad;
    if (a == "--help" || a == "-h") {
      out << kFuzzUsage;
      return kExitOk;
    } else if (TakeEndpointFlag(args, i, where, bad)) {
      if (!bad.empty()) return usage(bad);
    } else if (a == "--target-arn" && has_value) {
      ctx.target_arn = args[++i];
    } else if (a == "--other-target-arn" && has_value) {
      ctx.other_target_arn = args[++i];
    } else if (a == "--offline-target-arn" && has_value) {
      ctx.offline_target_arn = args[++i];
    } else if (a == "--disruptive") {
      disruptive = true;
    } else if (a == "--report-dir" && has_value) {
      report_dir = args[++i];
    } else if (a == "--corpus" && has_value) {
      corpus = args[++i];
    } else if (a == "--duration" && has_value) {
      auto d = ParseDuration(args[++i]);
      if (!d) return usage("--duration takes a time such as 30s, 10m, 1h or 500ms (at most a week)");
      options.duration = *d;
    } else if (a == "--seed" && has_value) {
      auto n = ParseCount(args[++i]);
      if (!n) return usage("--seed takes a whole number");
      options.seed = *n;
    } else if (a == "--jobs" && has_value) {
      auto n = ParseCount(args[++i]);
      if (!n || *n < 1 || *n > 256) return usage("--jobs takes a number from 1 to 256");
      options.jobs = static_cast<int>(*n);
    } else if (a == "--max-requests" && has_value) {
      auto n = ParseCount(args[++i]);
      if (!n || *n < 1) return usage("--max-requests takes a positive whole number");
      options.max_requests = *n;
    } else if (a == "--stop-on" && has_value) {
      const std::string& name = args[++i];
      if (name != "any" && !conformance::FindCheck(name)) return usage("--stop-on: no check named \"" + name + "\"");
      options.stop_on.insert(name);
    } else {
      err << "chapcheck fuzz: unknown option or missing value: " << a << "\n" << kFuzzUsage;
      return kExitUsage;
    }
  }
  auto s = spec::LoadEmbeddedSpec();
  if (!s) return usage("the built-in spec does not load: " + s.error().ToString());
  const std::optional<std::string>& endpoint = where.url;
  if (endpoint && ctx.target_arn.empty()) return usage("--target-arn is required with --endpoint");

  auto opened = OpenEndpoint(where);
  if (!opened) return usage(opened.error().ToString());
  conformance::EndpointConfig config = opened->config;
  config.timeout = std::chrono::milliseconds(5000);
  if (opened->built_in()) {
    ctx = ContextFromFixture(*opened->fixture);
    options.disruptive = true;
  } else {
    options.disruptive = disruptive;
  }
  ctx.seed = options.seed;
  options.target_arn = ctx.target_arn;
  if (auto c = conformance::Client::Create(config); !c) return usage(c.error().ToString());

  // Seeds: the generated cases, then the corpus.
  std::vector<generators::Case> seeds = generators::Generate(*s, ctx);
  std::set<std::string> known;  // requests already in the corpus
  if (corpus) {
    std::size_t bad = 0;
    auto loaded = LoadCorpus(*corpus, bad);
    if (!loaded) return usage(loaded.error().ToString());
    if (bad) err << "chapcheck fuzz: " << bad << " lines of " << *corpus << " are not cases; skipped\n";
    for (auto& c : *loaded) {
      known.insert(std::string(generators::ToString(c.auth)) + "\n" + c.request.body + "\n" + json(c.request.headers).dump());
      seeds.push_back(std::move(c));
    }
  }
  const spec::World world = generators::WorldOf(*s, ctx);
  // The world of an endpoint is only what its ARN options say: a seed the spec refuses because its
  // gateway or target is unknown may name one that exists there (the spec's documented examples
  // do), so such seeds are left out. Mutants still reach the look-ups with invented names.
  std::set<std::string> lookups;
  for (const auto& l : s->lookups) lookups.insert(l.head.id);
  std::vector<generators::Case> judged_seeds;
  for (auto& c : seeds) {
    c.expectation = spec::Decide(*s, c.request, generators::ExpectedAuthStatus(c.auth), &world);
    if (!opened->built_in() && lookups.count(c.expectation.outcome.rule)) continue;
    judged_seeds.push_back(std::move(c));
  }
  const fuzz::Mutator mutator(*s, std::move(judged_seeds), world);

  const bool tty = ::isatty(STDOUT_FILENO) && &out == &std::cout;
  const std::string started = reports::TimestampNow();
  const fuzz::FuzzResult result = fuzz::RunFuzz(mutator, config, options, [&](const fuzz::FuzzStats& st) {
    if (!tty) return;
    out << "\rchapcheck fuzz: " << static_cast<int>(st.seconds) << " s, " << st.sent << " requests ("
        << Rate(static_cast<double>(st.sent), st.seconds) << "/s), " << st.failures << " findings"
        << (st.findings > st.failures ? " (+" + std::to_string(st.findings - st.failures) + " should)" : "") << ", rules "
        << st.rules.size() << "/" << st.rules_total << "   " << std::flush;
  });
  if (tty) out << "\n";
  if (result.unreachable) {
    err << "chapcheck fuzz: the endpoint is unreachable: " << result.unreachable_reason << "\n";
    return kExitUnreachable;
  }
  const fuzz::FuzzStats& st = result.stats;

  // Secrets the reports must never show: the signing key and the findings' sensitive values.
  reports::Redactor redact;
  redact.Add(config.credentials.secret_access_key.Reveal());
  for (const auto& f : result.findings) {
    for (const auto& v : f.first.secrets) {
      if (v.size() >= 4) redact.Add(v);
    }
  }

  std::error_code ec;
  const std::filesystem::path dir(report_dir), repro_dir = dir / "reproducers";
  std::filesystem::create_directories(repro_dir, ec);
  if (ec) return usage("cannot create " + repro_dir.string() + ": " + ec.message());

  // Reports: one JUnit test case per check, the findings as its failure text.
  const auto& checks = conformance::AllChecks();
  reports::Summary summary;
  summary.title = "chapcheck fuzz " + s->operation;
  summary.endpoint = config.url + (endpoint ? "" : " (built-in mock)");
  summary.spec_origin = s->origin;
  summary.started = started;
  summary.seconds = st.seconds;
  summary.cases = static_cast<int>(std::min<std::uint64_t>(st.requests, INT32_MAX));
  summary.cases_sent = static_cast<int>(std::min<std::uint64_t>(st.sent, INT32_MAX));
  reports::TestSuite suite;
  suite.name = "chapcheck.fuzz";
  suite.properties = {{"spec", s->origin},
                      {"endpoint", config.url},
                      {"seed", std::to_string(options.seed)},
                      {"jobs", std::to_string(options.jobs)},
                      {"requests", std::to_string(st.sent)},
                      {"requests_per_second", Rate(static_cast<double>(st.sent), st.seconds)},
                      {"rules_exercised", std::to_string(st.rules.size()) + "/" + std::to_string(st.rules_total)}};
  int failures = 0;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto& check = checks[i];
    const fuzz::CheckCounts counts = i < st.checks.size() ? st.checks[i] : fuzz::CheckCounts{};
    reports::CheckRow row{std::string(check.name), std::string(check.family), std::string(check.clause),
                          static_cast<int>(std::min<std::uint64_t>(counts.passed, INT32_MAX)),
                          static_cast<int>(std::min<std::uint64_t>(counts.failed, INT32_MAX)),
                          static_cast<int>(std::min<std::uint64_t>(counts.should, INT32_MAX)), 0, ""};
    reports::TestCase tc{std::string(check.name), "chapcheck.fuzz." + std::string(check.family), st.seconds,
                         reports::Outcome::kPassed, "", "", ""};
    if (check.scenario) {
      row.skipped = 1;
      row.skip_reason = "needs the iSCSI probe: not judged by the black-box fuzzer";
      tc.outcome = reports::Outcome::kSkipped;
      tc.message = row.skip_reason;
    }
    int n = 0;
    for (const auto& f : result.findings) {
      if (f.key.check != check.name) continue;
      const generators::Case& c = f.first.test_case;
      const std::string path = WriteReproducer(*s, c, repro_dir, redact);
      suite.properties.emplace_back("reproducer." + std::string(check.name) + "." + std::to_string(++n), path);
      const std::string severity = f.status == conformance::Status::kFail ? "" : " (should-level)";
      sigv4::Request shown = f.exchange.request;  // sensitive members masked, however short
      shown.body = RedactedBody(*s, shown.body);
      tc.text += "rule: " + (f.key.rule.empty() ? std::string("(accepted by the spec)") : f.key.rule) + severity +
                 "\nmessage: " + f.finding.message + "\nexpected: " + f.finding.expected + "\nactual: " +
                 f.finding.actual + "\nrequests that showed it: " + std::to_string(f.hits) + "\nreproducer: " + path +
                 "\n\n" + WireRequest(shown) + "\n\n" + WireResponse(f.exchange) + "\n\n";
      summary.failures.push_back(reports::FailureRow{c.id, c.name, std::string(check.name), std::string(check.clause),
                                                     f.finding.message + severity, f.finding.expected, f.finding.actual,
                                                     WireRequest(shown), WireResponse(f.exchange), path});
      if (f.status == conformance::Status::kFail) {
        ++failures;
        tc.outcome = reports::Outcome::kFailed;
        tc.type = std::string(check.name);
        tc.message = std::to_string(n) + " finding(s): " + f.finding.message;
      }
    }
    if (tc.outcome != reports::Outcome::kFailed) {
      suite.system_out += tc.text;
      tc.text.clear();
    }
    suite.cases.push_back(std::move(tc));
    summary.checks.push_back(std::move(row));
  }
  for (const spec::RuleHead* h : s->RulesInPrecedenceOrder()) {
    const spec::Source* src = s->FindSource(h->outcome_source);
    const auto it = st.rules.find(h->id);
    const auto d = st.decided.find(h->id);
    const fuzz::CheckCounts counts = d == st.decided.end() ? fuzz::CheckCounts{} : d->second;
    auto clamp = [](std::uint64_t n) { return static_cast<int>(std::min<std::uint64_t>(n, INT32_MAX)); };
    summary.rules.push_back(reports::RuleRow{
        h->id, std::string(spec::ToString(h->phase)), std::string(spec::ToString(h->severity)), h->outcome_source,
        src && src->documented, clamp(counts.passed + counts.failed), clamp(counts.passed), clamp(counts.failed),
        {"broken by " + std::to_string(it == st.rules.end() ? 0 : it->second) + " requests"}});
  }
  summary.notes.push_back("black-box fuzzing, seed " + std::to_string(options.seed) + ", " + std::to_string(options.jobs) +
                          " connections, " + Rate(static_cast<double>(st.sent), st.seconds) + " requests/s; " +
                          std::to_string(st.not_sent) + " requests not sent (out of scope" +
                          (options.disruptive ? ")" : ", or accepted by the spec without --disruptive)") + "; " +
                          std::to_string(st.probes) + " judged by state too; " + std::to_string(st.transient) +
                          " throttled or busy answers not judged");
  summary.notes.push_back("spec rules exercised (broken by at least one request): " + std::to_string(st.rules.size()) +
                          " of " + std::to_string(st.rules_total));
  if (!result.restore.restored.empty()) {
    summary.notes.push_back("restored: " + result.restore.restored.front());
  }
  std::set<std::string> changed(result.restore.changed.begin(), result.restore.changed.end());
  for (const auto& n : changed) summary.notes.push_back("CHANGED and not restored: " + n);
  if (!endpoint) {
    std::string d;
    for (auto x : where.defects.Enabled()) d += " " + std::string(mocks::NameOf(x));
    summary.notes.push_back("built-in mock" + (d.empty() ? std::string() : " with defects:" + d));
  }

  // Corpus: requests with an answer signature not seen before, unless the corpus has them.
  std::size_t saved = 0;
  if (corpus) {
    const std::filesystem::path file = std::filesystem::path(*corpus) / ("fuzz-seed" + std::to_string(options.seed) + ".jsonl");
    std::ofstream f(file, std::ios::binary | std::ios::app);
    for (const auto& m : result.interesting) {
      const auto& c = m.test_case;
      if (!known.insert(std::string(generators::ToString(c.auth)) + "\n" + c.request.body + "\n" + json(c.request.headers).dump()).second) continue;
      f << generators::ToJsonLine(c) << "\n";
      if (++saved >= 1000) break;
    }
    if (!f) return usage("cannot write " + file.string());
  }

  reports::Run junit;
  junit.timestamp = started;
  junit.suites.push_back(std::move(suite));
  const std::string junit_path = (dir / "junit.xml").string(), md_path = (dir / "summary.md").string(),
                    html_path = (dir / "index.html").string();
  std::ofstream(junit_path, std::ios::binary) << reports::JunitXml(junit, redact);
  std::ofstream(md_path, std::ios::binary) << reports::MarkdownSummary(summary, redact);
  std::ofstream(html_path, std::ios::binary) << reports::HtmlReport(summary, redact);

  out << "chapcheck fuzz: " << st.sent << " requests against " << summary.endpoint << " in "
      << static_cast<int>(st.seconds * 1000) << " ms (" << Rate(static_cast<double>(st.sent), st.seconds) << "/s, "
      << options.jobs << " connections, seed " << options.seed << ")\n";
  out << "  check                              passed  failed  should\n";
  for (const auto& row : summary.checks) {
    if (row.skipped) continue;
    char line[160];
    std::snprintf(line, sizeof line, "  %-34s %6d  %6d  %6d\n", row.name.c_str(), row.passed, row.failed, row.should);
    out << line;
  }
  for (const auto& f : summary.failures) {
    out << (f.message.find("(should-level)") == std::string::npos ? "FINDING " : "SHOULD  ") << f.check << ": "
        << redact(f.case_name) << "\n     " << redact(f.message) << "\n     chapcheck replay " << f.reproducer << "\n";
  }
  out << "rules exercised: " << st.rules.size() << "/" << st.rules_total << "\n";
  for (const auto& n : summary.notes) out << "note: " << redact(n) << "\n";
  if (corpus) out << "corpus: " << saved << " new requests saved in " << *corpus << "\n";
  out << "reports: " << junit_path << ", " << md_path << ", " << html_path << "\n";
  out << failures << " findings, " << summary.failures.size() - static_cast<std::size_t>(failures) << " should-level, "
      << st.sent << " requests\n";
  return failures ? kExitFindings : kExitOk;
}

}  // namespace chapcheck::cli
