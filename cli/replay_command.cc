// chapcheck replay FILE: re-sends one case exactly (a reproducer that `chapcheck run` wrote, or a
// line of `chapcheck generate`'s cases.jsonl saved to a file) and says whether the answer is the
// one the spec demands.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "conformance/client.h"
#include "generators/case_json.h"
#include "protocol/awsjson.h"

namespace chapcheck::cli {
namespace {

using json = nlohmann::json;

constexpr const char* kReplayUsage =
    "usage: chapcheck replay FILE [--endpoint URL [--region R] [--profile P] [--insecure]] [--defect NAME]...\n"
    "\n"
    "Re-sends the case in FILE (reports/reproducers/<id>.json). The exact request, secrets\n"
    "included, is read from <id>.secrets.json beside it when that file is there; otherwise the\n"
    "masked values (***) are sent and the answer may differ. Without --endpoint the case goes to\n"
    "the built-in mock (with the given defect switches). Exit 0 when the answer is what the spec\n"
    "demands, 1 when it is not, 2 on a usage error, 3 when the endpoint is unreachable.\n";

Result<json> ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"", "cannot open " + path};
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return json::parse(ss.str());
  } catch (const std::exception&) {
    return Error{"", path + " is not JSON"};
  }
}

}  // namespace

int ReplayCommand(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> file;
  EndpointOptions where;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kReplayUsage;
      return kExitOk;
    } else if (std::string bad; TakeEndpointFlag(args, i, where, bad)) {
      if (!bad.empty()) {
        err << "chapcheck replay: " << bad << "\n";
        return kExitUsage;
      }
    } else if (a.rfind("-", 0) == 0 || file) {
      err << "chapcheck replay: unexpected argument " << a << "\n" << kReplayUsage;
      return kExitUsage;
    } else {
      file = a;
    }
  }
  if (!file) {
    err << kReplayUsage;
    return kExitUsage;
  }
  // The exact case when its secrets file is there, else the masked one.
  std::string path = *file;
  const std::string secrets = path.size() > 5 && path.substr(path.size() - 5) == ".json"
                                  ? path.substr(0, path.size() - 5) + ".secrets.json"
                                  : path + ".secrets.json";
  bool exact = std::filesystem::exists(secrets);
  auto doc = ReadJson(exact ? secrets : path);
  if (!doc) {
    err << "chapcheck replay: " << doc.error().ToString() << "\n";
    return kExitUsage;
  }
  const json& j = *doc;
  auto parsed = generators::ParseCaseJson(j.dump());
  if (!parsed || !j.contains("expect")) {
    err << "chapcheck replay: " << path << " is not a chapcheck case ("
        << (parsed ? std::string("no expect") : parsed.error().ToString()) << ")\n";
    return kExitUsage;
  }
  const spec::Request& request = parsed->request;
  const generators::AuthMode auth = parsed->auth;
  const std::string& name = parsed->name;
  const std::string expected = j.at("expect").dump();

  auto opened = OpenEndpoint(where);
  if (!opened) {
    err << "chapcheck replay: " << opened.error().ToString() << "\n";
    return kExitUsage;
  }
  const conformance::EndpointConfig& config = opened->config;
  auto client = conformance::Client::Create(config);
  if (!client) {
    err << "chapcheck replay: " << client.error().ToString() << "\n";
    return kExitUsage;
  }
  const conformance::Exchange ex = (*client)->Send(request, auth);
  out << "case:     " << name << (exact ? "" : "  (secrets file missing: masked values sent)") << "\n";
  out << "endpoint: " << config.url << (where.url ? "" : " (built-in mock)") << "\n";
  if (!ex.transport_error.empty()) {
    out << "answer:   none: " << ex.transport_error << "\n";
    return 3;
  }
  const json expect = json::parse(expected);
  std::string type, code;
  if (ex.status >= 300) {
    const std::string* header = ex.Header("X-Amzn-Errortype");
    if (auto e = awsjson::ParseError(ex.body, header ? *header : ""); e.ok()) type = e->type, code = e->error_code;
  }
  const std::string got_decision = ex.status >= 200 && ex.status < 300 ? "accept" : "reject";
  out << "expected: " << expect.value("decision", "?") << " " << expect.value("status", 0) << " "
      << expect.value("type", "") << (expect.contains("errorCode") ? "/" + expect["errorCode"].get<std::string>() : "")
      << (expect.contains("rule") ? " by " + expect["rule"].get<std::string>() : "") << "\n";
  out << "answer:   " << got_decision << " " << ex.status << " " << type << (code.empty() ? "" : "/" + code) << "\n";
  const bool same = got_decision == expect.value("decision", "") && ex.status == expect.value("status", 0) &&
                    type == expect.value("type", "") && code == expect.value("errorCode", "");
  const bool lenient = expect.value("lenient", "") == got_decision;
  out << (same ? "as the spec demands\n" : lenient ? "the lenient outcome of a should-rule\n" : "NOT what the spec demands\n");
  return same || lenient ? kExitOk : kExitFindings;
}

}  // namespace chapcheck::cli
