#include "generators/case_json.h"

#include <nlohmann/json.hpp>

namespace chapcheck::generators {
namespace {

using json = nlohmann::json;

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
      auto body = FromBase64(r["bodyBase64"].get<std::string>());
      if (!body) return Error{"request.bodyBase64", "is not base64"};
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
