// awsJson1_1 wire helpers both sides share: the error envelope a server writes, and the parsing
// a client does of it (accepting every form the Smithy awsJson1_1 rules allow: a bare type,
// "namespace#Type", "namespace#Type:uri", or the X-Amzn-Errortype header).
// Pure functions; any thread. Nothing here sees a secret: callers pass messages that are safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace chapcheck::awsjson {

inline constexpr std::string_view kContentType = "application/x-amz-json-1.1";

// Printable ASCII other than '"' and '\\': a JSON string of these needs no escape, in or out.
inline bool PlainChar(char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }
inline bool AllPlain(std::string_view s) {
  for (const char c : s) {
    if (!PlainChar(c)) return false;
  }
  return true;
}

// {"__type": type, "message": message} plus "error": {"errorCode": code, "errorDetails": {}}
// when error_code is not empty: compact, keys sorted, as nlohmann's dump() writes it (invalid
// UTF-8 replaced by U+FFFD). Texts that need no escape are written directly, without a DOM.
std::string ErrorBody(std::string_view type, std::string_view message, std::string_view error_code);
// The same body without "message" (what the mock sends for its no-message defect).
std::string ErrorBodyWithoutMessage(std::string_view type, std::string_view error_code);
// Either body written into `out`, replacing what it held (its capacity kept, for a server that
// answers into one string request after request); `message` null: none. No text may point into
// `out`.
void AssignErrorBody(std::string& out, std::string_view type, const std::string_view* message,
                     std::string_view error_code);

// "aws.protocoltests#FooError:http://internal..." -> "FooError"; a bare name is returned as is.
std::string BareType(std::string_view raw);
std::string_view BareTypeView(std::string_view raw);  // the same, as a view of `raw`

struct ParsedError {
  std::string type;         // bare
  std::string raw_type;     // as sent ("" when only the header named it)
  bool type_from_header = false;
  bool has_message = false;
  std::string message;
  bool has_error_object = false;
  std::string error_code;   // error.errorCode, "" when absent
};

// Reads an error response body (and the X-Amzn-Errortype header value, "" when absent).
// Fails when the body is not a JSON object or names no type anywhere.
Result<ParsedError> ParseError(std::string_view body, std::string_view errortype_header);
// The members of an error body (a JSON object) that ParseError reads, each nullptr when absent or
// not a string: for callers that read the body with another parser. The rules of which member
// wins stay in ParseErrorFields.
struct ErrorFields {
  std::optional<std::string_view> type;        // "__type"
  std::optional<std::string_view> code;        // "code"
  std::optional<std::string_view> message;     // "message"
  std::optional<std::string_view> Message;     // "Message"
  bool has_error_object = false;               // "error" is an object
  std::optional<std::string_view> error_code;  // "error"."errorCode"
};
Result<ParsedError> ParseErrorFields(const ErrorFields& body, std::string_view errortype_header);

// Only the bare type and error code ParseErrorFields finds, as views of the fields' texts (or of
// the header): for callers that judge an answer by those two. nullopt where ParseErrorFields fails.
struct ErrorNames {
  std::string_view type;  // bare
  bool type_from_header = false;
  std::string_view error_code;
};
std::optional<ErrorNames> ErrorNamesOf(const ErrorFields& body, std::string_view errortype_header);

}  // namespace chapcheck::awsjson
