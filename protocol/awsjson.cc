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
  const json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{"", "the error body is not JSON"};
  if (!j.is_object()) return Error{"", "the error body is not a JSON object"};
  // A string member of `object`, or nullopt.
  const auto string_member = [](const json& object, const char* key) -> std::optional<std::string_view> {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    return std::string_view(it->get_ref<const std::string&>());
  };
  ErrorFields f;
  f.type = string_member(j, "__type");
  f.code = string_member(j, "code");
  f.message = string_member(j, "message");
  f.Message = string_member(j, "Message");
  if (const auto err = j.find("error"); err != j.end() && err->is_object()) {
    f.has_error_object = true;
    f.error_code = string_member(*err, "errorCode");
  }
  return ParseErrorFields(f, errortype_header);
}

Result<ParsedError> ParseErrorFields(const ErrorFields& f, std::string_view errortype_header) {
  ParsedError e;
  if (const std::optional<std::string_view>& t = f.type ? f.type : f.code) {
    e.raw_type = std::string(*t);
    e.type = BareType(e.raw_type);
  }
  if (e.type.empty() && !errortype_header.empty()) {
    e.type = BareType(errortype_header);
    e.type_from_header = true;
  }
  if (e.type.empty()) return Error{"", "the error names no type (__type, code or X-Amzn-Errortype)"};
  if (const std::optional<std::string_view>& m = f.message ? f.message : f.Message) {
    e.has_message = true;
    e.message = std::string(*m);
  }
  e.has_error_object = f.has_error_object;
  if (f.error_code) e.error_code = std::string(*f.error_code);
  return e;
}

}  // namespace chapcheck::awsjson
