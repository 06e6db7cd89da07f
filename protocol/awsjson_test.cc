#include "protocol/awsjson.h"

#include <gtest/gtest.h>

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

TEST(AwsJson, RefusesBodiesThatAreNoError) {
  EXPECT_FALSE(ParseError("", "").ok());
  EXPECT_FALSE(ParseError("[]", "").ok());
  EXPECT_FALSE(ParseError("{\"message\": \"x\"}", "").ok());
}

}  // namespace
}  // namespace chapcheck::awsjson
