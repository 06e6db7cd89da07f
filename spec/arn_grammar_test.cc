#include "spec/arn_grammar.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "spec/loader.h"

namespace chapcheck::spec {
namespace {

const ArnGrammar& Grammar() {
  static const Spec spec = std::move(LoadEmbeddedSpec()).value();
  return spec.grammars.at("storagegateway-target-arn");
}

TEST(ArnGrammar, NamesThePartsOfATargetArn) {
  auto parts = ParseArn(Grammar(),
                        "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/"
                        "iqn.1997-05.com.amazon:myvolume");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_EQ(parts->at("partition"), "aws");
  EXPECT_EQ(parts->at("service"), "storagegateway");
  EXPECT_EQ(parts->at("region"), "us-east-1");
  EXPECT_EQ(parts->at("account"), "111122223333");
  EXPECT_EQ(parts->at("gatewayId"), "sgw-12A3456B");
  EXPECT_EQ(parts->at("targetIqn"), "iqn.1997-05.com.amazon:myvolume");  // keeps its ':'
}

TEST(ArnGrammar, SaysWhichPartIsWrongWithoutQuotingTheValue) {
  const std::pair<const char*, const char*> cases[] = {
      {"arn:aws:storagegateway:us-east-1:1234:gateway/g/target/iqn", "account must be 12 characters"},
      {"arn:aws:ec2:us-east-1:111122223333:gateway/g/target/iqn", "service is not one of storagegateway"},
      {"arn:aws:storagegateway::111122223333:gateway/g/target/iqn", "region is empty"},
      {"arn:aws:storagegateway:us-east-1:111122223333:gateway/g/lun/iqn", "\"target\" is missing"},
      {"arn:aws:storagegateway:us-east-1:111122223333:gateway/g/target", "resource has 3 parts"},
      {"arn:aws:storagegateway:us-east-1:111122223333:gateway/g/target/IQN", "targetIqn has 'I'"},
      {"urn:aws:storagegateway:us-east-1:111122223333:gateway/g/target/iqn", "does not start with"},
      {"arn:aws", "expected arn:partition"},
  };
  for (const auto& [value, why] : cases) {
    auto r = ParseArn(Grammar(), value);
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << value << " -> " << r.error().message;
  }
}

TEST(ArnGrammar, ExpandsKeyTemplates) {
  ArnParts parts{{"partition", "aws"}, {"gatewayId", "g1"}};
  EXPECT_EQ(*ExpandKey("arn:{partition}:gw/{gatewayId}", parts, "whole"), "arn:aws:gw/g1");
  EXPECT_EQ(*ExpandKey("{$}", parts, "whole"), "whole");
  EXPECT_FALSE(ExpandKey("{nope}", parts, "").ok());
  EXPECT_FALSE(ExpandKey("{partition", parts, "").ok());
}

TEST(ArnGrammar, PartsAreFoundByNameAndAddedOnce) {
  ArnParts parts{{"partition", "aws"}};
  EXPECT_EQ(parts.at("partition"), "aws");
  EXPECT_EQ(parts.Find("region"), nullptr);
  EXPECT_THROW((void)parts.at("region"), std::out_of_range);
  parts["region"] += "us-";
  parts["region"] += "east-1";
  EXPECT_EQ(parts.at("region"), "us-east-1");
  EXPECT_EQ(parts.size(), 2u);
}

}  // namespace
}  // namespace chapcheck::spec
