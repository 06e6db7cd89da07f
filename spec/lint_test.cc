#include "spec/lint.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "spec/loader.h"

namespace chapcheck::spec {
namespace {

using json = nlohmann::json;

json SpecDoc() { return json::parse(EmbeddedSpecText()); }

std::vector<LintFinding> LintDoc(const json& doc) {
  auto s = ParseSpec(doc.dump(), "variant");
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  if (!s.ok()) return {};
  return Lint(*s);
}

std::vector<LintFinding> Only(const std::vector<LintFinding>& all, LintLevel level) {
  std::vector<LintFinding> out;
  for (const auto& f : all) {
    if (f.level == level) out.push_back(f);
  }
  return out;
}

std::string Dump(const std::vector<LintFinding>& fs) {
  std::string out;
  for (const auto& f : fs) out += std::string(ToString(f.level)) + " " + f.where + ": " + f.message + "\n";
  return out;
}

TEST(Lint, TheShippedSpecHasNoErrorsOrWarnings) {
  const auto all = LintDoc(SpecDoc());
  EXPECT_TRUE(Only(all, LintLevel::kError).empty()) << Dump(all);
  EXPECT_TRUE(Only(all, LintLevel::kWarning).empty()) << Dump(all);
}

TEST(Lint, ShowsTheGuidesCharsetConflictAsAResolvedNote) {
  const auto notes = Only(LintDoc(SpecDoc()), LintLevel::kInfo);
  bool found = false;
  for (const auto& f : notes) {
    if (f.where == "InitiatorName.pattern" && f.message.find("aws-guide-2012") != std::string::npos &&
        f.message.find("':'") != std::string::npos && f.message.find("Resolution") != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << Dump(notes);
}

// The 2012 guide's prose taken literally: lower case, digits, '.', '-', but no ':'.
TEST(Lint, ACharsetWithoutColonConflictsWithTheExampleIqns) {
  json doc = SpecDoc();
  doc["input"]["members"][2]["rules"][3]["pattern"] = "[0-9a-z.-]+";
  const auto errors = Only(LintDoc(doc), LintLevel::kError);
  ASSERT_EQ(errors.size(), 2u) << Dump(errors);  // both examples carry an IQN with ':'
  for (const auto& e : errors) {
    EXPECT_EQ(e.where.rfind("examples.", 0), 0u);
    EXPECT_NE(e.message.find("InitiatorName has ':'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("InitiatorName.pattern"), std::string::npos) << e.message;
  }
}

TEST(Lint, ExampleSecretsOutsideTheLengthRuleAreErrors) {
  json doc = SpecDoc();
  doc["examples"][0]["request"]["body"]["SecretToAuthenticateInitiator"] = "11111111111";  // 11 bytes
  const auto errors = Only(LintDoc(doc), LintLevel::kError);
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  EXPECT_NE(errors[0].message.find("11 UTF-8 bytes"), std::string::npos);
  EXPECT_EQ(errors[0].message.find("11111111111"), std::string::npos) << "lint must not print a secret";
}

TEST(Lint, ExampleResponsesMustEchoTheRequest) {
  json doc = SpecDoc();
  doc["examples"][1]["response"]["body"]["InitiatorName"] = "iqn.other";
  doc["examples"][1]["response"]["body"]["Surprise"] = "x";
  doc["examples"][1]["response"]["status"] = 201;
  const auto errors = Only(LintDoc(doc), LintLevel::kError);
  ASSERT_EQ(errors.size(), 3u) << Dump(errors);
}

TEST(Lint, EchoingASensitiveMemberIsAnError) {
  json doc = SpecDoc();
  doc["output"]["members"].push_back({{"name", "Leak"}, {"type", "string"}});
  doc["output"]["echo"].push_back({{"id", "echo.Leak"}, {"output", "Leak"}, {"input", "SecretToAuthenticateTarget"},
                                   {"source", "convention"}, {"severity", "must"}});
  const auto errors = Only(LintDoc(doc), LintLevel::kError);
  bool found = false;
  for (const auto& e : errors) found |= e.where == "echo.Leak";
  EXPECT_TRUE(found) << Dump(errors);
}

TEST(Lint, MissingEssentialConditionsAreWarnings) {
  json doc = SpecDoc();
  auto& rules = doc["protocol"]["rules"];
  rules.erase(std::remove_if(rules.begin(), rules.end(), [](const json& r) { return r["when"] == "body-not-json"; }),
              rules.end());
  const auto warnings = Only(LintDoc(doc), LintLevel::kWarning);
  ASSERT_EQ(warnings.size(), 1u) << Dump(warnings);
  EXPECT_NE(warnings[0].message.find("body-not-json"), std::string::npos);
}

TEST(Lint, UndocumentedErrorCodesAreWarnings) {
  json doc = SpecDoc();
  doc["errors"]["outcomes"]["TargetNotFound"]["errorCode"] = "VolumeNotFound";
  const auto warnings = Only(LintDoc(doc), LintLevel::kWarning);
  ASSERT_EQ(warnings.size(), 1u) << Dump(warnings);
  EXPECT_NE(warnings[0].message.find("VolumeNotFound"), std::string::npos);
}

TEST(Lint, ValueRulesBeforeTheTypeRuleAreWarnings) {
  json doc = SpecDoc();
  doc["input"]["members"][1]["rules"][2]["phase"] = "authentication";  // length before type
  const auto warnings = Only(LintDoc(doc), LintLevel::kWarning);
  ASSERT_EQ(warnings.size(), 1u) << Dump(warnings);
  EXPECT_EQ(warnings[0].where, "SecretToAuthenticateInitiator.length");
}

TEST(Lint, LookupsBeforeTheFormatRuleAreWarnings) {
  json doc = SpecDoc();
  // Lookups decided before the ARN's form: a malformed ARN would be looked up.
  doc["phases"] = json::array({{{"name", "authentication"}}, {{"name", "operation"}}, {{"name", "serialization"}},
                               {{"name", "validation"}}, {{"name", "lookup"}}, {{"name", "format"}}});
  const auto warnings = Only(LintDoc(doc), LintLevel::kWarning);
  EXPECT_EQ(warnings.size(), 4u) << Dump(warnings);  // one per lookup
}

}  // namespace
}  // namespace chapcheck::spec
