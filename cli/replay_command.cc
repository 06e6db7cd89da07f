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

std::optional<std::string> FromBase64(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

std::optional<generators::AuthMode> AuthFrom(const std::string& s) {
  using generators::AuthMode;
  for (AuthMode m : {AuthMode::kSigned, AuthMode::kNone, AuthMode::kMalformed, AuthMode::kUnknownKey,
                     AuthMode::kWrongSignature, AuthMode::kExpired}) {
    if (generators::ToString(m) == s) return m;
  }
  return std::nullopt;
}

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
  std::optional<std::string> file, endpoint, profile;
  std::string region = "us-east-1";
  bool insecure = false;
  mocks::DefectSet defects;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--help" || a == "-h") {
      out << kReplayUsage;
      return kExitOk;
    } else if (a == "--endpoint" && has_value) {
      endpoint = args[++i];
    } else if (a == "--region" && has_value) {
      region = args[++i];
    } else if (a == "--profile" && has_value) {
      profile = args[++i];
    } else if (a == "--insecure") {
      insecure = true;
    } else if (a == "--defect" && has_value) {
      auto d = mocks::DefectByName(args[++i]);
      if (!d) {
        err << "chapcheck replay: unknown defect \"" << args[i] << "\"\n";
        return kExitUsage;
      }
      defects.Enable(*d);
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
  spec::Request request;
  generators::AuthMode auth = generators::AuthMode::kSigned;
  std::string name, expected;
  try {
    name = j.at("name").get<std::string>();
    const json& r = j.at("request");
    request.method = r.at("method").get<std::string>();
    request.path = r.at("path").get<std::string>();
    for (const auto& h : r.at("headers")) request.headers.emplace_back(h.at(0).get<std::string>(), h.at(1).get<std::string>());
    if (r.contains("bodyBase64")) {
      auto body = FromBase64(r["bodyBase64"].get<std::string>());
      if (!body) throw std::runtime_error("bodyBase64 is not base64");
      request.body = *body;
    } else {
      request.body = r.at("body").get<std::string>();
    }
    auto mode = AuthFrom(j.at("auth").get<std::string>());
    if (!mode) throw std::runtime_error("unknown auth mode");
    auth = *mode;
    expected = j.at("expect").dump();
  } catch (const std::exception& e) {
    err << "chapcheck replay: " << path << " is not a chapcheck case (" << e.what() << ")\n";
    return kExitUsage;
  }

  EndpointOptions where;
  where.url = endpoint;
  where.profile = profile;
  where.region = region;
  where.insecure = insecure;
  where.defects = defects;
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
  out << "endpoint: " << config.url << (endpoint ? "" : " (built-in mock)") << "\n";
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
