#include "spec/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace chapcheck::spec {
namespace {

using json = nlohmann::json;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kSpecPath = std::string(CHAPCHECK_SOURCE_DIR) + "/spec/update_chap_credentials.json";

TEST(Loader, EmbeddedSpecIsTheSpecFile) {
  EXPECT_EQ(EmbeddedSpecText(), ReadText(kSpecPath));
}

TEST(Loader, LoadsTheSpecWithEveryPart) {
  auto s = LoadSpec(kSpecPath);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->operation, "UpdateChapCredentials");
  EXPECT_EQ(s->protocol.kind, "awsJson1_1");
  ASSERT_EQ(s->protocol.targets.size(), 2u);
  EXPECT_EQ(s->protocol.CurrentTarget()->prefix, "StorageGateway_20130630");
  EXPECT_EQ(s->protocol.signing.name, "storagegateway");
  ASSERT_EQ(s->members.size(), 4u);
  const Member* secret = s->FindMember("SecretToAuthenticateInitiator");
  ASSERT_NE(secret, nullptr);
  EXPECT_TRUE(secret->sensitive);
  const MemberRule* len = secret->Find(MemberRuleKind::kLength);
  ASSERT_NE(len, nullptr);
  EXPECT_EQ(len->length.min, 12u);
  EXPECT_EQ(len->length.max, 16u);
  EXPECT_EQ(len->length.unit, LengthUnit::kUtf8Bytes);
  EXPECT_EQ(len->head.id, "SecretToAuthenticateInitiator.length");  // default id
  const Member* iqn = s->FindMember("InitiatorName");
  ASSERT_NE(iqn, nullptr);
  const MemberRule* pattern = iqn->Find(MemberRuleKind::kPattern);
  ASSERT_NE(pattern, nullptr);
  EXPECT_TRUE(pattern->pattern->Matches("iqn.1991-05.com.microsoft:x"));
  EXPECT_FALSE(pattern->pattern->Matches("IQN"));
  ASSERT_EQ(pattern->alternatives.size(), 1u);
  EXPECT_FALSE(pattern->alternatives[0].pattern->Matches(":"));
  EXPECT_FALSE(s->FindMember("SecretToAuthenticateTarget")->required);
  ASSERT_EQ(s->cross_rules.size(), 1u);
  EXPECT_EQ(s->cross_rules[0].head.severity, Severity::kShould);
  EXPECT_EQ(s->lookups.size(), 4u);
  EXPECT_EQ(s->output.echo.size(), 2u);
  EXPECT_EQ(s->errors.FindType("MissingAuthenticationToken")->name, "MissingAuthenticationTokenException");
  EXPECT_EQ(s->errors.FindType("InternalServerError")->also_allowed_status, std::vector<int>{400});
  EXPECT_EQ(s->errors.documented_codes.size(), 9u);
  EXPECT_EQ(s->effects.size(), 7u);
  EXPECT_EQ(s->examples.size(), 2u);
  // Precedence: authentication rules first, lookups last.
  const auto rules = s->RulesInPrecedenceOrder();
  ASSERT_FALSE(rules.empty());
  EXPECT_EQ(rules.front()->phase, Phase::kAuthentication);
  EXPECT_EQ(rules.back()->phase, Phase::kLookup);
  // Every rule says where it comes from, and where its error mapping comes from.
  for (const RuleHead* r : rules) {
    EXPECT_NE(s->FindSource(r->source), nullptr) << r->id;
    EXPECT_NE(s->FindSource(r->outcome_source), nullptr) << r->id;
    EXPECT_EQ(s->FindRule(r->id), r) << r->id;  // every rule, of each kind, by its id
  }
  EXPECT_EQ(s->FindRule("no-such-rule"), nullptr);
  EXPECT_EQ(s->FindRule(""), nullptr);
}

struct BadCase {
  std::string name, op, pointer, path, message;
  json value;
};

std::vector<BadCase> BadCases() {
  const json manifest = json::parse(ReadText(std::string(CHAPCHECK_TEST_DATA) + "/bad-specs.json"));
  std::vector<BadCase> out;
  for (const auto& c : manifest.at("cases")) {
    out.push_back(BadCase{c.at("name"), c.at("op"), c.at("pointer"), c.at("path"), c.at("message"),
                          c.value("value", json())});
  }
  return out;
}

TEST(Loader, RejectsEveryMalformedSpecWithPathAndReason) {
  const json good = json::parse(ReadText(kSpecPath));
  const auto cases = BadCases();
  ASSERT_GE(cases.size(), 20u);
  for (const BadCase& c : cases) {
    json doc = good;
    const json::json_pointer ptr(c.pointer);
    if (c.op == "remove") {
      json& parent = doc.at(ptr.parent_pointer());
      if (parent.is_array()) {
        parent.erase(static_cast<std::size_t>(std::stoul(ptr.back())));
      } else {
        parent.erase(ptr.back());
      }
    } else {
      doc[ptr] = c.value;  // add and replace
    }
    auto s = ParseSpec(doc.dump(), c.name);
    ASSERT_FALSE(s.ok()) << c.name << ": the loader accepted it";
    EXPECT_EQ(s.error().where, c.path) << c.name << ": " << s.error().message;
    EXPECT_NE(s.error().message.find(c.message), std::string::npos)
        << c.name << ": got \"" << s.error().message << "\"";
  }
}

TEST(Loader, DistinctRulesCompareStringsOnly) {
  // Two integer members in a distinct rule would compare values the verdict does not keep.
  json doc = json::parse(ReadText(kSpecPath));
  doc["input"]["members"].push_back({{"name", "Count"}, {"type", "integer"}, {"required", false}, {"sensitive", false},
                                     {"rules", json::array({{{"kind", "type"}, {"phase", "serialization"},
                                                             {"outcome", "Serialization"}, {"source", "convention"},
                                                             {"severity", "must"}}})}});
  doc["input"]["rules"][0]["members"] = json::array({"InitiatorName", "Count"});
  auto s = ParseSpec(doc.dump(), "variant");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "$.input.rules[0].members");
  EXPECT_NE(s.error().message.find("Count is not one"), std::string::npos) << s.error().message;
}

TEST(Loader, RejectsTextThatIsNotASpec) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[]", "a spec is a JSON object"},
      {"{\"format\": \"chapcheck-spec/1\", \"format\": \"x\"}", "key appears twice"},
      {"{\"a\":\"\xff\"}", "not valid JSON"},
      {"{}", "missing required member \"format\""},
      {std::string(100000, '['), "not valid JSON"},
  };
  for (const auto& [text, message] : cases) {
    auto s = ParseSpec(text, "test");
    ASSERT_FALSE(s.ok()) << text.substr(0, 40);
    EXPECT_NE(s.error().message.find(message), std::string::npos) << s.error().ToString();
  }
  auto dup = ParseSpec("{\"format\": \"chapcheck-spec/1\", \"format\": \"x\"}", "test");
  EXPECT_EQ(dup.error().where, "$.format");
}

TEST(Loader, ReportsUnreadableFiles) {
  auto missing = LoadSpec("/nonexistent/spec.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
  auto dir = LoadSpec(std::string(CHAPCHECK_SOURCE_DIR));
  ASSERT_FALSE(dir.ok());
}

TEST(Loader, MutatedSpecsNeverCrashTheLoader) {
  // Every single-member deletion of the real spec loads or fails with a message; never throws.
  const json good = json::parse(ReadText(kSpecPath));
  std::vector<json::json_pointer> pointers;
  const json flat = good.flatten();
  for (const auto& [path, value] : flat.items()) pointers.emplace_back(path);
  std::size_t rejected = 0;
  for (const auto& p : pointers) {
    json doc = good;
    json& parent = doc.at(p.parent_pointer());
    if (parent.is_array()) {
      parent.erase(static_cast<std::size_t>(std::stoul(p.back())));
    } else {
      parent.erase(p.back());
    }
    auto s = ParseSpec(doc.dump(), "mutant");
    if (!s.ok()) {
      ++rejected;
      EXPECT_FALSE(s.error().message.empty());
    }
  }
  EXPECT_GT(rejected, pointers.size() / 2) << "most single deletions should make the spec invalid";
}

}  // namespace
}  // namespace chapcheck::spec
