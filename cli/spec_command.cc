// chapcheck spec: lint, diff-aws, verdict, show, dump.
#include <cctype>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "spec/aws_model_diff.h"
#include "spec/lint.h"
#include "spec/loader.h"
#include "spec/verdict.h"

namespace chapcheck::cli {
namespace {

using spec::Spec;

constexpr const char* kSpecUsage =
    "usage: chapcheck spec <command> [options]\n"
    "\n"
    "  lint [FILE]                  check a spec for internal conflicts (default: the built-in spec)\n"
    "  diff-aws MODEL [--spec FILE] compare the spec with an AWS model (botocore service-2.json[.gz]);\n"
    "                               exit 1 when a difference is not listed in knownDifferences\n"
    "  verdict [options] BODY|-     what the contract demands for one request (body from a file or stdin)\n"
    "      --spec FILE              use FILE instead of the built-in spec\n"
    "      --header 'Name: value'   a request header (repeatable; default: a valid awsJson1_1 set)\n"
    "      --no-default-headers     send only the --header headers\n"
    "      --method M --path P      default POST /\n"
    "      --auth STATUS            what SigV4 verification found: valid, missing, malformed,\n"
    "                               unknown-key, bad-signature, expired (default: valid)\n"
    "      --world FILE             JSON {\"gateways\": {KEY: {\"online\": b, \"iscsi\": b}}, \"targets\": [KEY...]};\n"
    "                               without it lookups are assumed to succeed\n"
    "      --json                   print the verdict as JSON\n"
    "  show [FILE]                  the rules in precedence order: id, phase, severity, sources, outcome\n"
    "  dump                         print the built-in spec\n";

Result<Spec> LoadFrom(const std::optional<std::string>& file) {
  return file ? spec::LoadSpec(*file) : spec::LoadEmbeddedSpec();
}

void PrintLoadError(std::ostream& err, const std::optional<std::string>& file, const Error& e) {
  err << "chapcheck: spec " << (file ? *file : std::string("<built-in>")) << ": " << e.ToString() << "\n";
}

bool ReadFile(const std::string& path, std::string& out, std::ostream& err) {
  std::ifstream in;
  std::istream* src = &std::cin;
  if (path != "-") {
    in.open(path, std::ios::binary);
    if (!in) {
      err << "chapcheck: cannot open " << path << "\n";
      return false;
    }
    src = &in;
  }
  std::ostringstream ss;
  ss << src->rdbuf();
  out = ss.str();
  return true;
}

int Lint(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> file;
  for (const auto& a : args) {
    if (a.rfind("-", 0) == 0) {
      err << "chapcheck spec lint: unknown option " << a << "\n" << kSpecUsage;
      return kExitUsage;
    }
    if (file) {
      err << "chapcheck spec lint: one spec file at a time\n";
      return kExitUsage;
    }
    file = a;
  }
  auto s = LoadFrom(file);
  if (!s) {
    PrintLoadError(err, file, s.error());
    return kExitUsage;
  }
  const auto findings = spec::Lint(*s);
  std::size_t errors = 0, warnings = 0, infos = 0;
  out << "chapcheck spec lint: " << s->origin << " (" << s->operation << ")\n";
  for (const auto& f : findings) {
    out << "  " << spec::ToString(f.level) << "  " << f.where << ": " << f.message << "\n";
    errors += f.level == spec::LintLevel::kError;
    warnings += f.level == spec::LintLevel::kWarning;
    infos += f.level == spec::LintLevel::kInfo;
  }
  out << errors << " errors, " << warnings << " warnings, " << infos << " notes\n";
  return errors ? kExitFindings : kExitOk;
}

int DiffAws(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> file, model_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--spec" && i + 1 < args.size()) {
      file = args[++i];
    } else if (args[i].rfind("-", 0) == 0) {
      err << "chapcheck spec diff-aws: unknown option " << args[i] << "\n" << kSpecUsage;
      return kExitUsage;
    } else if (!model_path) {
      model_path = args[i];
    } else {
      err << "chapcheck spec diff-aws: one model file at a time\n";
      return kExitUsage;
    }
  }
  if (!model_path) {
    err << "chapcheck spec diff-aws: name the model file (e.g. "
           "/usr/lib/python3/dist-packages/botocore/data/storagegateway/2013-06-30/service-2.json)\n";
    return kExitUsage;
  }
  auto s = LoadFrom(file);
  if (!s) {
    PrintLoadError(err, file, s.error());
    return kExitUsage;
  }
  auto text = spec::ReadModelFile(*model_path);
  if (!text) {
    err << "chapcheck spec diff-aws: " << text.error().ToString() << "\n";
    return kExitUsage;
  }
  auto diff = spec::DiffAgainstAwsModel(*s, *text);
  if (!diff) {
    err << "chapcheck spec diff-aws: " << *model_path << ": " << diff.error().ToString() << "\n";
    return kExitUsage;
  }
  out << "chapcheck spec diff-aws: " << s->origin << " vs " << *model_path << " (" << diff->model_summary << ")\n";
  for (const auto& d : diff->differences) {
    out << "  " << (d.known ? "known" : "NEW  ") << "  " << d.key << "\n"
        << "         spec: " << d.spec_value << "\n"
        << "         aws:  " << d.aws_value << "\n";
    if (d.known) out << "         why:  " << d.why << "\n";
  }
  for (const auto& n : diff->notes) out << "  note   " << n << "\n";
  out << diff->differences.size() << " differences: " << diff->differences.size() - diff->new_count()
      << " known, " << diff->new_count() << " new\n";
  return diff->new_count() ? kExitFindings : kExitOk;
}

std::optional<spec::AuthStatus> ParseAuth(const std::string& s) {
  using spec::AuthStatus;
  for (AuthStatus a : {AuthStatus::kValid, AuthStatus::kMissing, AuthStatus::kMalformed, AuthStatus::kUnknownKey,
                       AuthStatus::kBadSignature, AuthStatus::kExpired, AuthStatus::kUnchecked}) {
    if (spec::ToString(a) == s) return a;
  }
  return std::nullopt;
}

Result<spec::World> ReadWorld(const std::string& path, std::ostream& err) {
  std::string text;
  if (!ReadFile(path, text, err)) return Error{"", "cannot read " + path};
  try {
    const auto j = nlohmann::json::parse(text);
    spec::World w;
    if (j.contains("gateways")) {
      for (const auto& [key, g] : j.at("gateways").items()) {
        w.gateways[key] = spec::World::Gateway{g.value("online", true), g.value("iscsi", true)};
      }
    }
    if (j.contains("targets")) {
      for (const auto& t : j.at("targets")) w.targets.insert(t.get<std::string>());
    }
    return w;
  } catch (const std::exception& e) {
    return Error{path, std::string("not a world file: ") + e.what()};
  }
}

nlohmann::json OutcomeJson(const spec::Outcome& o) {
  nlohmann::json j{{"decision", spec::ToString(o.decision)}, {"status", o.status}, {"reason", o.reason}};
  if (o.decision == spec::Decision::kReject) {
    j["type"] = o.error_type;
    if (!o.error_code.empty()) j["errorCode"] = o.error_code;
    j["rule"] = o.rule;
    j["severity"] = spec::ToString(o.severity);
    if (!o.also_allowed_status.empty()) j["alsoAllowedStatus"] = o.also_allowed_status;
  }
  return j;
}

int Verdict(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> file, body_path, world_path;
  spec::Request req;
  bool default_headers = true, as_json = false;
  spec::AuthStatus auth = spec::AuthStatus::kValid;
  std::vector<std::pair<std::string, std::string>> headers;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--spec" && has_value) {
      file = args[++i];
    } else if (a == "--header" && has_value) {
      const std::string& h = args[++i];
      const auto colon = h.find(':');
      if (colon == std::string::npos || colon == 0) {
        err << "chapcheck spec verdict: --header takes 'Name: value'\n";
        return kExitUsage;
      }
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers.emplace_back(h.substr(0, colon), value);
    } else if (a == "--no-default-headers") {
      default_headers = false;
    } else if (a == "--method" && has_value) {
      req.method = args[++i];
    } else if (a == "--path" && has_value) {
      req.path = args[++i];
    } else if (a == "--auth" && has_value) {
      auto parsed = ParseAuth(args[++i]);
      if (!parsed) {
        err << "chapcheck spec verdict: --auth is one of valid, missing, malformed, unknown-key, bad-signature, "
               "expired, unchecked\n";
        return kExitUsage;
      }
      auth = *parsed;
    } else if (a == "--world" && has_value) {
      world_path = args[++i];
    } else if (a == "--json") {
      as_json = true;
    } else if (a != "-" && a.rfind("-", 0) == 0) {
      err << "chapcheck spec verdict: unknown option or missing value: " << a << "\n" << kSpecUsage;
      return kExitUsage;
    } else if (!body_path) {
      body_path = a;
    } else {
      err << "chapcheck spec verdict: one body at a time\n";
      return kExitUsage;
    }
  }
  if (!body_path) {
    err << "chapcheck spec verdict: name the body file, or - for standard input\n";
    return kExitUsage;
  }
  auto s = LoadFrom(file);
  if (!s) {
    PrintLoadError(err, file, s.error());
    return kExitUsage;
  }
  if (default_headers) {
    req.headers = {{"Content-Type", s->protocol.content_type},
                   {s->protocol.target_header, s->protocol.CurrentTarget()->prefix + "." + s->operation},
                   {"Authorization", "(not verified here; see --auth)"}};
  }
  // A --header replaces a default header of the same name; --no-default-headers sends repeats.
  auto lower = [](std::string v) {
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  };
  for (const auto& h : headers) {
    std::erase_if(req.headers, [&](const auto& d) { return default_headers && lower(d.first) == lower(h.first); });
  }
  for (auto& h : headers) req.headers.push_back(h);
  if (!ReadFile(*body_path, req.body, err)) return kExitUsage;
  std::optional<spec::World> world;
  if (world_path) {
    auto w = ReadWorld(*world_path, err);
    if (!w) {
      err << "chapcheck spec verdict: " << w.error().ToString() << "\n";
      return kExitUsage;
    }
    world = std::move(w).value();
  }
  const spec::Verdict v = spec::Decide(*s, req, auth, world ? &*world : nullptr);
  if (as_json) {
    nlohmann::json j{{"outcome", OutcomeJson(v.outcome)}, {"lookupsAssumed", v.lookups_assumed}};
    if (v.lenient) j["lenient"] = OutcomeJson(*v.lenient);
    j["broken"] = nlohmann::json::array();
    for (const auto& b : v.broken) {
      j["broken"].push_back({{"rule", b.rule}, {"severity", spec::ToString(b.severity)}, {"reason", b.reason}});
    }
    j["echo"] = nlohmann::json::object();
    for (const auto& [k, val] : v.echo) j["echo"][k] = val;
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  out << "outcome: " << v.outcome.Summary() << "\n";
  out << "reason:  " << v.outcome.reason << "\n";
  if (v.lenient) out << "lenient: " << v.lenient->Summary() << " (if should-rules are waived)\n";
  for (const auto& b : v.broken) out << "broken:  " << b.rule << " (" << spec::ToString(b.severity) << "): " << b.reason << "\n";
  for (const auto& [k, val] : v.echo) out << "echo:    " << k << " = " << val << "\n";
  if (v.lookups_assumed) out << "note:    no --world given; gateway and target lookups assumed to succeed\n";
  return kExitOk;
}

int Show(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> file;
  if (args.size() > 1 || (!args.empty() && args[0].rfind("-", 0) == 0)) {
    err << kSpecUsage;
    return kExitUsage;
  }
  if (!args.empty()) file = args[0];
  auto s = LoadFrom(file);
  if (!s) {
    PrintLoadError(err, file, s.error());
    return kExitUsage;
  }
  out << s->service << " " << s->operation << " (" << s->origin << "), rules in precedence order:\n";
  for (const spec::RuleHead* h : s->RulesInPrecedenceOrder()) {
    const auto& def = s->errors.outcomes.at(h->outcome);
    const spec::Source* src = s->FindSource(h->outcome_source);
    out << "  " << h->id << "  [" << spec::ToString(h->phase) << ", " << spec::ToString(h->severity) << "]  -> "
        << def.type << (def.error_code.empty() ? "" : "/" + def.error_code) << "\n"
        << "      rule from " << h->source << "; error mapping from " << h->outcome_source
        << (src && !src->documented ? " (inferred)" : " (documented)") << "\n";
  }
  for (const auto& e : s->output.echo) out << "  " << e.id << "  [output, " << spec::ToString(e.severity) << "]\n";
  for (const auto& e : s->effects) {
    out << "  " << e.id << "  [effect on " << (e.on_accepted ? "accepted" : "rejected") << ", "
        << spec::ToString(e.severity) << "]\n";
  }
  return kExitOk;
}

}  // namespace

int SpecCommand(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kSpecUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "lint") return Lint(rest, out, err);
  if (args[0] == "diff-aws") return DiffAws(rest, out, err);
  if (args[0] == "verdict") return Verdict(rest, out, err);
  if (args[0] == "show") return Show(rest, out, err);
  if (args[0] == "dump" && rest.empty()) {
    out << spec::EmbeddedSpecText();
    return kExitOk;
  }
  err << "chapcheck spec: unknown command " << args[0] << "\n" << kSpecUsage;
  return kExitUsage;
}

}  // namespace chapcheck::cli
