#include "protocol/awsjson.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace chapcheck::awsjson {
namespace {

TEST(AwsJson, ErrorBodyHasTheEnvelopeFacts) {
  const auto j = nlohmann::json::parse(ErrorBody("InvalidGatewayRequestException", "bad", "InvalidParameters"));
  EXPECT_EQ(j["__type"], "InvalidGatewayRequestException");
  EXPECT_EQ(j["message"], "bad");
  EXPECT_EQ(j["error"]["errorCode"], "InvalidParameters");
  EXPECT_TRUE(j["error"]["errorDetails"].is_object());
  EXPECT_FALSE(nlohmann::json::parse(ErrorBody("SerializationException", "x", "")).contains("error"));
}

// Both ways of writing (directly, and through a DOM where a text needs escapes) give the bytes
// nlohmann's dump() gives for the same object.
TEST(AwsJson, ErrorBodyIsWhatTheJsonWriterWrites) {
  const std::vector<std::string> texts = {"", "InvalidGatewayRequestException", "a b~!", "quote\"d", "back\\slash",
                                          "line\nfeed", std::string("nul\0x", 5), "\x01\x1f", "del\x7f", "caf\xc3\xa9",
                                          "bad \xff utf-8", "\xe2\x82"};
  std::string used = "{\"__type\":\"left over from an earlier body\"}";
  for (const std::string& type : texts) {
    for (const std::string& message : texts) {
      for (const std::string& code : {std::string(), std::string("InvalidParameters"), std::string("c\"\xff")}) {
        nlohmann::json j{{"__type", type}};
        if (!code.empty()) j["error"] = {{"errorCode", code}, {"errorDetails", nlohmann::json::object()}};
        const std::string without = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        j["message"] = message;
        const std::string with = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        EXPECT_EQ(ErrorBody(type, message, code), with) << type << " / " << message << " / " << code;
        EXPECT_EQ(ErrorBodyWithoutMessage(type, code), without) << type << " / " << code;
        // Into a string that held a body already (and, the second time, this very one).
        const std::string_view m = message;
        for (int i = 0; i < 2; ++i) {
          AssignErrorBody(used, type, &m, code);
          EXPECT_EQ(used, with) << type << " / " << message << " / " << code;
          AssignErrorBody(used, type, nullptr, code);
          EXPECT_EQ(used, without) << type << " / " << code;
        }
      }
    }
  }
}

TEST(AwsJson, AcceptsEveryTypeForm) {
  EXPECT_EQ(BareType("FooError"), "FooError");
  EXPECT_EQ(BareType("aws.protocoltests.restjson#FooError"), "FooError");
  EXPECT_EQ(BareType("aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"),
            "FooError");
  EXPECT_EQ(BareType("FooError:http://internal.amazon.com/"), "FooError");
  auto from_header = ParseError("{}", "aws.x#FooError:uri");
  ASSERT_TRUE(from_header.ok());
  EXPECT_EQ(from_header->type, "FooError");
  EXPECT_TRUE(from_header->type_from_header);
  auto parsed = ParseError(ErrorBody("A", "m", "C"), "");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->type, "A");
  EXPECT_EQ(parsed->error_code, "C");
  EXPECT_TRUE(parsed->has_message);
}

// ErrorNamesOf: which field names the type (__type, else code, else the header), bare; the code
// from error.errorCode; nullopt when nothing names a type. (ParseErrorFields is built on it.)
TEST(AwsJson, ErrorNamesFollowThePrecedenceRules) {
  struct Row {
    std::optional<std::string_view> type, code;
    std::string_view header;
    std::optional<std::string_view> error_code;
    std::optional<std::string_view> want_type;  // nullopt: no names
    bool want_from_header;
    std::string_view want_code;
  };
  const std::vector<Row> rows = {
      {"Bare", std::nullopt, "", std::nullopt, "Bare", false, ""},
      {"ns#Typed:uri", "Other", "aws.x#FromHeader:uri", "Code", "Typed", false, "Code"},
      {std::nullopt, "x:y", "aws.x#FromHeader:uri", std::nullopt, "x", false, ""},
      {"", "Code2", "", std::nullopt, "", false, ""},  // an empty __type wins over code: no name
      {"", std::nullopt, "aws.x#FromHeader:uri", "C", "FromHeader", true, "C"},
      {std::nullopt, std::nullopt, "aws.x#FromHeader:uri", std::nullopt, "FromHeader", true, ""},
      {std::nullopt, std::nullopt, "", "C", std::nullopt, false, ""},
      {"ns#:uri", std::nullopt, "", std::nullopt, std::nullopt, false, ""},
  };
  for (const Row& row : rows) {
    ErrorFields f;
    f.type = row.type;
    f.code = row.code;
    f.error_code = row.error_code;
    const auto names = ErrorNamesOf(f, row.header);
    const bool want = row.want_type.has_value() && !row.want_type->empty();
    ASSERT_EQ(names.has_value(), want) << row.type.value_or("-") << " " << row.header;
    EXPECT_EQ(ParseErrorFields(f, row.header).ok(), want);
    if (!names) continue;
    EXPECT_EQ(names->type, *row.want_type);
    EXPECT_EQ(names->type_from_header, row.want_from_header) << *row.want_type;
    EXPECT_EQ(names->error_code, row.want_code) << *row.want_type;
  }
}

TEST(AwsJson, RefusesBodiesThatAreNoError) {
  EXPECT_FALSE(ParseError("", "").ok());
  EXPECT_FALSE(ParseError("[]", "").ok());
  EXPECT_FALSE(ParseError("{\"message\": \"x\"}", "").ok());
}

}  // namespace
}  // namespace chapcheck::awsjson
