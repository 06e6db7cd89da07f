#include "cli/reproducer.h"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace chapcheck::cli {

using json = nlohmann::json;

std::string RedactedBody(const spec::Spec& s, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return body;
  for (const auto& m : s.members) {
    if (m.sensitive && j.contains(m.name) && j[m.name].is_string()) j[m.name] = "***";
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string WireRequest(const sigv4::Request& r) {
  std::string out = r.method + " " + r.target + " HTTP/1.1\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + (EqualsIgnoreAsciiCase(k, "Authorization") ? v.substr(0, v.find(',')) + ", ..." : v) + "\n";
  return out + "\n" + r.body;
}

std::string WireResponse(const conformance::Exchange& ex) {
  if (!ex.transport_error.empty()) return "(no HTTP answer: " + ex.transport_error + ")";
  std::string out = "HTTP/1.1 " + std::to_string(ex.status) + "\n";
  for (const auto& [k, v] : ex.headers) out += k + ": " + v + "\n";
  return out + "\n" + ex.body;
}

std::string WriteReproducer(const spec::Spec& spec, const generators::Case& c, const std::filesystem::path& dir,
                            const reports::Redactor& redact) {
  // The public file: the case with its secrets masked (as members, and anywhere in the text, for
  // bodies that are not JSON). The exact case, secrets included, goes in a separate file only its
  // owner can read.
  const std::string path = (dir / (c.id + ".json")).string();
  json repro = json::parse(generators::ToJsonLine(c));
  if (repro["request"].contains("body")) repro["request"]["body"] = RedactedBody(spec, c.request.body);
  std::ofstream(path) << redact(repro.dump(2, ' ', false, json::error_handler_t::replace)) << "\n";
  const std::string secrets_path = (dir / (c.id + ".secrets.json")).string();
  {
    std::ofstream f(secrets_path);
    ::chmod(secrets_path.c_str(), 0600);
    f << generators::ToJsonLine(c) << "\n";
  }
  return path;
}

}  // namespace chapcheck::cli
