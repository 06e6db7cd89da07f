#include "protocol/awsjson.h"

#include <nlohmann/json.hpp>

namespace chapcheck::awsjson {

using json = nlohmann::json;

std::string ErrorBody(std::string_view type, std::string_view message, std::string_view error_code) {
  json j{{"__type", type}, {"message", message}};
  if (!error_code.empty()) j["error"] = {{"errorCode", error_code}, {"errorDetails", json::object()}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string BareType(std::string_view raw) {
  if (auto colon = raw.find(':'); colon != std::string_view::npos) raw = raw.substr(0, colon);
  if (auto hash = raw.rfind('#'); hash != std::string_view::npos) raw = raw.substr(hash + 1);
  return std::string(raw);
}

Result<ParsedError> ParseError(std::string_view body, std::string_view errortype_header) {
  json j;
  try {
    j = json::parse(body.begin(), body.end());
  } catch (const std::exception&) {
    return Error{"", "the error body is not JSON"};
  }
  if (!j.is_object()) return Error{"", "the error body is not a JSON object"};
  ParsedError e;
  if (j.contains("__type") && j["__type"].is_string()) {
    e.raw_type = j["__type"].get<std::string>();
    e.type = BareType(e.raw_type);
  } else if (j.contains("code") && j["code"].is_string()) {
    e.raw_type = j["code"].get<std::string>();
    e.type = BareType(e.raw_type);
  }
  if (e.type.empty() && !errortype_header.empty()) {
    e.type = BareType(errortype_header);
    e.type_from_header = true;
  }
  if (e.type.empty()) return Error{"", "the error names no type (__type, code or X-Amzn-Errortype)"};
  for (const char* key : {"message", "Message"}) {
    if (j.contains(key) && j[key].is_string()) {
      e.has_message = true;
      e.message = j[key].get<std::string>();
      break;
    }
  }
  if (j.contains("error") && j["error"].is_object()) {
    e.has_error_object = true;
    const json& err = j["error"];
    if (err.contains("errorCode") && err["errorCode"].is_string()) e.error_code = err["errorCode"].get<std::string>();
  }
  return e;
}

}  // namespace chapcheck::awsjson
