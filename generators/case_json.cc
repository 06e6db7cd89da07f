#include "generators/case_json.h"

#include <nlohmann/json.hpp>

#include "base/base64.h"

namespace chapcheck::generators {
namespace {

using json = nlohmann::json;

}  // namespace

std::optional<AuthMode> AuthModeByName(std::string_view name) {
  for (AuthMode m : {AuthMode::kSigned, AuthMode::kNone, AuthMode::kMalformed, AuthMode::kUnknownKey,
                     AuthMode::kWrongSignature, AuthMode::kExpired}) {
    if (ToString(m) == name) return m;
  }
  return std::nullopt;
}

Result<Case> ParseCaseJson(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Error{"", "not a JSON object"};
  Case c;
  try {
    c.name = j.at("name").get<std::string>();
    c.id = j.value("id", CaseId(c.name));
    c.family = j.value("family", "");
    c.rule = j.value("rule", "");
    const json& r = j.at("request");
    c.request.method = r.at("method").get<std::string>();
    c.request.path = r.at("path").get<std::string>();
    for (const auto& h : r.at("headers")) c.request.headers.emplace_back(h.at(0).get<std::string>(), h.at(1).get<std::string>());
    if (r.contains("bodyBase64")) {
      auto body = Base64Decode(r["bodyBase64"].get<std::string>());
      if (!body) return Error{"request.bodyBase64", "is not base64: " + body.error().message};
      c.request.body = *body;
    } else {
      c.request.body = r.at("body").get<std::string>();
    }
    auto mode = AuthModeByName(j.at("auth").get<std::string>());
    if (!mode) return Error{"auth", "unknown auth mode"};
    c.auth = *mode;
  } catch (const json::exception& e) {
    return Error{"", std::string("not a chapcheck case (") + e.what() + ")"};
  }
  return c;
}

}  // namespace chapcheck::generators
