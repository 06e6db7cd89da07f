#include "generators/cases.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "spec/loader.h"

namespace chapcheck::generators {
namespace {

using json = nlohmann::json;

// The default context takes the spec's first example's target (the 2012 guide's); the others are
// the mock's default fixture's.
Context FullContext() {
  Context c = DefaultContext(spec::EmbeddedSpec());
  c.other_target_arn =
      "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:othervolume";
  c.offline_target_arn =
      "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-0FF11E00/target/iqn.1997-05.com.amazon:offlinevolume";
  return c;
}

std::map<std::string, const Case*> ByName(const std::vector<Case>& cases) {
  std::map<std::string, const Case*> out;
  for (const auto& c : cases) out[c.name] = &c;
  return out;
}

TEST(Generate, CoversEveryFamilyWithUniqueStableIds) {
  const auto cases = Generate(spec::EmbeddedSpec(), FullContext());
  ASSERT_GT(cases.size(), 100u);
  std::set<std::string> ids, names, families;
  for (const auto& c : cases) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.name;
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    families.insert(c.family);
  }
  EXPECT_EQ(families, (std::set<std::string>{"boundary", "charset", "structure", "protocol", "semantics", "pairwise",
                                             "example"}));
  const auto again = Generate(spec::EmbeddedSpec(), FullContext());
  ASSERT_EQ(again.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(again[i].id, cases[i].id);
    EXPECT_EQ(again[i].request.body, cases[i].request.body);
  }
  EXPECT_EQ(CaseId("SecretToAuthenticateInitiator.bytes.17.rejected"), CaseId("SecretToAuthenticateInitiator.bytes.17.rejected"));
  EXPECT_NE(CaseId("a"), CaseId("b"));
}

TEST(Generate, BoundaryCasesSitOnEachBoundInItsUnit) {
  const auto cases = Generate(spec::EmbeddedSpec(), FullContext());
  const auto by = ByName(cases);
  for (const char* name : {"SecretToAuthenticateInitiator.bytes.11.rejected", "SecretToAuthenticateInitiator.bytes.12.accepted",
                           "SecretToAuthenticateInitiator.bytes.13.accepted", "SecretToAuthenticateInitiator.bytes.15.accepted",
                           "SecretToAuthenticateInitiator.bytes.16.accepted", "SecretToAuthenticateInitiator.bytes.17.rejected",
                           "SecretToAuthenticateTarget.bytes.17.rejected", "InitiatorName.chars.255.accepted",
                           "InitiatorName.chars.256.rejected", "InitiatorName.chars.0.rejected",
                           "TargetARN.chars.49.rejected", "TargetARN.chars.800.rejected", "TargetARN.chars.801.rejected",
                           // multi-byte: on the bound in bytes, or within it in characters only
                           "SecretToAuthenticateInitiator.bytes.12.utf8x2.accepted",
                           "SecretToAuthenticateInitiator.bytes.16.utf8x2.accepted",
                           "SecretToAuthenticateInitiator.bytes.17.utf8x2.rejected",
                           "SecretToAuthenticateInitiator.bytes.11.utf8x2.rejected",
                           "SecretToAuthenticateInitiator.bytes.16.utf8x4.accepted",
                           "SecretToAuthenticateInitiator.bytes.32.utf8x2.chars16.rejected"}) {
    EXPECT_TRUE(by.count(name)) << "missing case " << name;
  }
  // 800 characters pass the length rule; such a target does not exist, so the look-up decides.
  EXPECT_EQ(by.at("TargetARN.chars.800.rejected")->expectation.outcome.rule, "lookup.target-exists");
  EXPECT_EQ(by.at("TargetARN.chars.801.rejected")->expectation.outcome.rule, "TargetARN.length");
  const Case* c = by.at("SecretToAuthenticateInitiator.bytes.17.utf8x2.rejected");
  const std::string v = json::parse(c->request.body)["SecretToAuthenticateInitiator"];
  EXPECT_EQ(v.size(), 17u);
  EXPECT_EQ(c->expectation.outcome.rule, "SecretToAuthenticateInitiator.length");
  EXPECT_TRUE(c->sensitive_values);
}

TEST(Generate, CharsetCasesCoverEachForbiddenClassAndEachAllowedEdge) {
  const auto cases = Generate(spec::EmbeddedSpec(), FullContext());
  const auto by = ByName(cases);
  for (const char* cls : {"upper", "space", "underscore", "slash", "control", "tab", "del", "nul", "non-ascii"}) {
    const std::string name = std::string("InitiatorName.charset.") + cls + ".rejected";
    ASSERT_TRUE(by.count(name)) << name;
    EXPECT_EQ(by.at(name)->expectation.outcome.rule, "InitiatorName.pattern") << name;
  }
  // The allowed bytes form the runs "-." "0-9:" "a-z" (':' follows '9' in ASCII): their edges.
  for (const char* edge : {"hyphen", "period", "0", "colon", "a", "z"}) {
    EXPECT_TRUE(by.count(std::string("InitiatorName.charset.allowed.") + edge + ".accepted")) << edge;
  }
}

TEST(Generate, StructureProtocolAndSemanticsCases) {
  const auto cases = Generate(spec::EmbeddedSpec(), FullContext());
  const auto by = ByName(cases);
  const std::pair<const char*, const char*> expected[] = {
      {"TargetARN.missing.rejected", "TargetARN.required"},
      {"TargetARN.null.rejected", "TargetARN.required"},
      {"TargetARN.type.number.rejected", "TargetARN.type"},
      {"SecretToAuthenticateInitiator.type.object.rejected", "SecretToAuthenticateInitiator.type"},
      {"structure.empty-body.rejected", "TargetARN.required"},
      {"structure.truncated-json.rejected", "serialization.json"},
      {"structure.invalid-utf8.rejected", "serialization.json"},
      {"structure.array-body.rejected", "serialization.object"},
      {"structure.duplicate-key.rejected", "serialization.duplicate-keys"},
      {"protocol.target.unknown-operation.rejected", "operation.target"},
      {"protocol.content-type.text-plain.rejected", "serialization.content-type"},
      {"protocol.auth.none.rejected", "auth.missing"},
      {"protocol.auth.expired.rejected", "auth.expired"},
      {"protocol.auth.wrong-signature.rejected", "auth.signature"},
      {"semantics.unknown-gateway.rejected", "lookup.gateway-exists"},
      {"semantics.unknown-target.rejected", "lookup.target-exists"},
      {"semantics.malformed-arn.rejected", "TargetARN.format"},
      {"semantics.offline-gateway.rejected", "lookup.gateway-online"},
      {"semantics.secrets.distinct.rejected", "secrets.distinct"},
  };
  for (const auto& [name, rule] : expected) {
    ASSERT_TRUE(by.count(name)) << name;
    EXPECT_EQ(by.at(name)->expectation.outcome.rule, rule) << name;
  }
  for (const char* name : {"SecretToAuthenticateTarget.missing.accepted", "structure.unknown-member.accepted",
                           "protocol.target.StorageGateway_20120630.accepted", "protocol.target.StorageGateway_20130630.accepted",
                           "protocol.content-type.with-parameters.accepted", "semantics.other-target.accepted",
                           "example.guide-2012.accepted",
                           "example.model-2013.rejected" /* the default context's world has only the guide's target */}) {
    EXPECT_TRUE(by.count(name)) << name;
  }
  EXPECT_EQ(by.at("protocol.auth.none.rejected")->auth, AuthMode::kNone);
  EXPECT_EQ(by.at("semantics.secrets.distinct.rejected")->expectation.lenient->decision, spec::Decision::kAccept);
}

TEST(Generate, PairwiseRowsCoverEveryPairOfClassesInFewRows) {
  const auto cases = Generate(spec::EmbeddedSpec(), FullContext());
  std::vector<std::map<std::string, std::string>> rows;
  std::map<std::string, std::set<std::string>> classes;
  for (const auto& c : cases) {
    if (c.family != "pairwise") continue;
    std::map<std::string, std::string> row;
    std::string spec = c.name.substr(c.name.find(':') + 1);
    spec = spec.substr(0, spec.rfind('.'));
    std::size_t start = 0;
    while (start < spec.size()) {
      auto comma = spec.find(',', start);
      const std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      row[item.substr(0, item.find('='))] = item.substr(item.find('=') + 1);
      classes[item.substr(0, item.find('='))].insert(item.substr(item.find('=') + 1));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    rows.push_back(row);
  }
  ASSERT_EQ(classes.size(), spec::EmbeddedSpec().members.size());
  std::size_t product = 1, pairs = 0;
  for (const auto& [m, cs] : classes) product *= cs.size();
  for (auto a = classes.begin(); a != classes.end(); ++a) {
    for (auto b = std::next(a); b != classes.end(); ++b) {
      for (const auto& ca : a->second) {
        for (const auto& cb : b->second) {
          ++pairs;
          const bool covered = std::any_of(rows.begin(), rows.end(), [&](const auto& r) {
            return r.at(a->first) == ca && r.at(b->first) == cb;
          });
          EXPECT_TRUE(covered) << a->first << "=" << ca << " with " << b->first << "=" << cb;
        }
      }
    }
  }
  EXPECT_LT(rows.size(), product / 10) << "a covering array, not the full product";
  EXPECT_GT(pairs, rows.size());
}

TEST(Generate, NothingIsHardCodedAMemberRenamedInTheSpecIsRenamedInTheCases) {
  std::string text(spec::EmbeddedSpecText());
  for (std::size_t at = text.find("InitiatorName"); at != std::string::npos; at = text.find("InitiatorName", at)) {
    text.replace(at, 13, "HostName");
  }
  auto renamed = spec::ParseSpec(text, "renamed");
  ASSERT_TRUE(renamed.ok()) << renamed.error().ToString();
  const auto cases = Generate(*renamed, DefaultContext(*renamed));
  const auto by = ByName(cases);
  EXPECT_TRUE(by.count("HostName.charset.upper.rejected"));
  EXPECT_TRUE(by.count("HostName.chars.256.rejected"));
  for (const auto& c : cases) EXPECT_EQ(c.name.find("InitiatorName"), std::string::npos) << c.name;
}

// Decide's outcome-only reading (spec::Detail::kOutcome, what fuzz_mock_http judges with) gives
// every generated case the outcome the full reading gives, and leaves the explanations empty.
TEST(Generate, OutcomeOnlyVerdictsAgreeWithFullOnes) {
  const spec::Spec& s = spec::EmbeddedSpec();
  const Context context = DefaultContext(s);
  const spec::World world = WorldOf(s, context);
  const std::vector<Case> cases = Generate(s, context);
  ASSERT_GT(cases.size(), 100u);
  const auto same = [](const spec::Outcome& a, const spec::Outcome& b) {
    return a.decision == b.decision && a.status == b.status && a.also_allowed_status == b.also_allowed_status &&
           a.error_type == b.error_type && a.error_code == b.error_code && a.severity == b.severity;
  };
  std::set<std::string> rules_seen;
  for (const Case& c : cases) {
    for (const spec::World* w : {&world, static_cast<const spec::World*>(nullptr)}) {
      const spec::AuthStatus auth = ExpectedAuthStatus(c.auth);
      const spec::Verdict full = spec::Decide(s, c.request, auth, w);
      const spec::Verdict brief = spec::Decide(s, c.request, auth, w, spec::Detail::kOutcome);
      EXPECT_TRUE(same(full.outcome, brief.outcome)) << c.name << ": " << full.outcome.Summary();
      ASSERT_EQ(full.lenient.has_value(), brief.lenient.has_value()) << c.name;
      if (full.lenient) {
        EXPECT_TRUE(same(*full.lenient, *brief.lenient)) << c.name;
      }
      EXPECT_EQ(full.lookups_assumed, brief.lookups_assumed) << c.name;
      EXPECT_TRUE(brief.outcome.rule.empty() && brief.outcome.reason.empty()) << c.name;
      if (brief.lenient) {
        EXPECT_TRUE(brief.lenient->rule.empty() && brief.lenient->reason.empty()) << c.name;
      }
      EXPECT_TRUE(brief.broken.empty() && brief.echo.empty() && brief.target_prefix.empty()) << c.name;
      // Full verdicts do explain themselves: the test is not comparing two empty readings.
      EXPECT_FALSE(full.outcome.reason.empty()) << c.name;
      rules_seen.insert(full.outcome.rule);
    }
  }
  EXPECT_GT(rules_seen.size(), 10u);  // the cases reach many rules, not one
}

TEST(Generate, JsonLinesKeepBodiesExact) {
  const auto cases = Generate(spec::EmbeddedSpec(), FullContext());
  for (const auto& c : cases) {
    const json j = json::parse(ToJsonLine(c));
    EXPECT_EQ(j["id"], c.id);
    EXPECT_EQ(j["expect"]["decision"], spec::ToString(c.expectation.outcome.decision));
    if (j["request"].contains("body")) {
      EXPECT_EQ(j["request"]["body"], c.request.body) << c.name;
    } else {
      EXPECT_TRUE(j["request"].contains("bodyBase64")) << c.name;
    }
  }
  const auto by = ByName(cases);
  const json bad = json::parse(ToJsonLine(*by.at("structure.invalid-utf8.rejected")));
  EXPECT_EQ(bad["request"]["bodyBase64"], "eyJhIjoi/yJ9");  // {"a":"\xff"}
}

}  // namespace
}  // namespace chapcheck::generators
