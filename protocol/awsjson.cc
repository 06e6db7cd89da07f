#include "protocol/awsjson.h"

#include <nlohmann/json.hpp>

namespace chapcheck::awsjson {

using json = nlohmann::json;

// Errors are most of what a server under test (or under a fuzzer) answers, and their texts rarely
// need an escape: those are written straight into the string, the others through a DOM, which
// escapes and replaces as dump() does.
void AssignErrorBody(std::string& out, std::string_view type, const std::string_view* message,
                     std::string_view error_code) {
  if (AllPlain(type) && AllPlain(error_code) && (!message || AllPlain(*message))) {
    out.clear();
    out.reserve(56 + type.size() + error_code.size() + (message ? message->size() : 0));
    out += "{\"__type\":\"";  // keys in dump()'s (sorted) order: __type, error, message
    out += type;
    out += '"';
    if (!error_code.empty()) {
      out += ",\"error\":{\"errorCode\":\"";
      out += error_code;
      out += "\",\"errorDetails\":{}}";
    }
    if (message) {
      out += ",\"message\":\"";
      out += *message;
      out += '"';
    }
    out += '}';
    return;
  }
  json j{{"__type", type}};
  if (message) j["message"] = *message;
  if (!error_code.empty()) j["error"] = {{"errorCode", error_code}, {"errorDetails", json::object()}};
  out = j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ErrorBody(std::string_view type, std::string_view message, std::string_view error_code) {
  std::string out;
  AssignErrorBody(out, type, &message, error_code);
  return out;
}

std::string ErrorBodyWithoutMessage(std::string_view type, std::string_view error_code) {
  std::string out;
  AssignErrorBody(out, type, nullptr, error_code);
  return out;
}

std::string_view BareTypeView(std::string_view raw) {
  if (auto colon = raw.find(':'); colon != std::string_view::npos) raw = raw.substr(0, colon);
  if (auto hash = raw.rfind('#'); hash != std::string_view::npos) raw = raw.substr(hash + 1);
  return raw;
}

std::string BareType(std::string_view raw) { return std::string(BareTypeView(raw)); }

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

std::optional<ErrorNames> ErrorNamesOf(const ErrorFields& f, std::string_view errortype_header) {
  ErrorNames n;
  if (const std::optional<std::string_view>& t = f.type ? f.type : f.code) n.type = BareTypeView(*t);
  if (n.type.empty() && !errortype_header.empty()) {
    n.type = BareTypeView(errortype_header);
    n.type_from_header = true;
  }
  if (n.type.empty()) return std::nullopt;
  if (f.error_code) n.error_code = *f.error_code;
  return n;
}

Result<ParsedError> ParseErrorFields(const ErrorFields& f, std::string_view errortype_header) {
  const std::optional<ErrorNames> names = ErrorNamesOf(f, errortype_header);
  if (!names) return Error{"", "the error names no type (__type, code or X-Amzn-Errortype)"};
  ParsedError e;
  if (const std::optional<std::string_view>& t = f.type ? f.type : f.code) e.raw_type = std::string(*t);
  e.type = std::string(names->type);
  e.type_from_header = names->type_from_header;
  if (const std::optional<std::string_view>& m = f.message ? f.message : f.Message) {
    e.has_message = true;
    e.message = std::string(*m);
  }
  e.has_error_object = f.has_error_object;
  e.error_code = std::string(names->error_code);
  return e;
}

}  // namespace chapcheck::awsjson
