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

// ErrorNamesOf finds what ParseErrorFields finds, for every way the type and code can be sent.
TEST(AwsJson, ErrorNamesAreWhatTheParsedErrorSays) {
  const std::vector<std::optional<std::string_view>> types = {std::nullopt, "", "Bare", "ns#Typed:uri", "x:y"};
  for (const auto& type : types) {
    for (const auto& code : types) {
      for (const std::string_view header : {"", "aws.x#FromHeader:uri"}) {
        for (const std::optional<std::string_view> error_code : {std::optional<std::string_view>(), std::optional<std::string_view>("Code")}) {
          ErrorFields f;
          f.type = type;
          f.code = code;
          f.error_code = error_code;
          const auto parsed = ParseErrorFields(f, header);
          const auto names = ErrorNamesOf(f, header);
          ASSERT_EQ(parsed.ok(), names.has_value());
          if (!names) continue;
          EXPECT_EQ(names->type, parsed->type);
          EXPECT_EQ(names->type_from_header, parsed->type_from_header);
          EXPECT_EQ(names->error_code, parsed->error_code);
        }
      }
    }
  }
  ErrorFields f;
  f.type = "aws.x#Named:uri";
  ASSERT_TRUE(ErrorNamesOf(f, "").has_value());
  EXPECT_EQ(ErrorNamesOf(f, "")->type, "Named");
}

TEST(AwsJson, RefusesBodiesThatAreNoError) {
  EXPECT_FALSE(ParseError("", "").ok());
  EXPECT_FALSE(ParseError("[]", "").ok());
  EXPECT_FALSE(ParseError("{\"message\": \"x\"}", "").ok());
}

}  // namespace
}  // namespace chapcheck::awsjson
