#include "fuzz/findings.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "spec/loader.h"

namespace chapcheck::fuzz {
namespace {

using json = nlohmann::json;

FuzzFinding Hit(const std::string& check, const std::string& rule, std::uint64_t index,
                conformance::Status status = conformance::Status::kFail) {
  FuzzFinding f;
  f.key = {check, rule};
  f.status = status;
  f.index = index;
  f.first.test_case.name = check + "@" + std::to_string(index);
  return f;
}

TEST(FindingSet, OneFindingPerCheckAndRuleKeepingTheEarliestRequest) {
  FindingSet s;
  EXPECT_TRUE(s.Add(Hit("status_code", "a.length", 9)));
  EXPECT_FALSE(s.Add(Hit("status_code", "a.length", 4)));
  EXPECT_FALSE(s.Add(Hit("status_code", "a.length", 12)));
  EXPECT_TRUE(s.Add(Hit("status_code", "b.pattern", 1)));
  EXPECT_TRUE(s.Add(Hit("error_code", "a.length", 2)));
  EXPECT_TRUE(s.Add(Hit("accepted_iff_valid", "x", 3, conformance::Status::kShould)));
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.failures(), 3u);
  const auto& f = s.all().at(FindingKey{"status_code", "a.length"});
  EXPECT_EQ(f.index, 4u);
  EXPECT_EQ(f.first.test_case.name, "status_code@4");
  EXPECT_EQ(f.hits, 3u);
}

const Mutator& TheMutator() {
  static const Mutator m = [] {
    const generators::Context ctx = generators::DefaultContext(spec::EmbeddedSpec());
    return Mutator(spec::EmbeddedSpec(), generators::Generate(spec::EmbeddedSpec(), ctx), generators::WorldOf(spec::EmbeddedSpec(), ctx));
  }();
  return m;
}

// A valid request whose SecretToAuthenticateInitiator is 17 bytes long, with an unknown member.
Mutant TooLongSecret() {
  spec::Request r = spec::RequestFromExample(spec::EmbeddedSpec().examples.back());
  json body = json::parse(r.body);
  body["SecretToAuthenticateInitiator"] = "abcdefghijklmnopq";
  body["Unknown"] = "some long unknown value";
  r.body = body.dump();
  generators::Case c;
  c.name = "t";
  c.request = r;
  return TheMutator().Judge(c);
}

TEST(Shrink, DropsMembersShortensValuesAndDropsExtraHeaders) {
  spec::Request r = TooLongSecret().test_case.request;
  r.headers.emplace_back("X-Extra", "1");
  const auto candidates = Shrink(spec::EmbeddedSpec(), r);
  bool dropped_unknown = false, halved = false, dropped_header = false;
  for (const auto& c : candidates) {
    const json b = json::parse(c.body, nullptr, false);
    if (b.is_object() && !b.contains("Unknown")) dropped_unknown = true;
    if (b.is_object() && b.value("SecretToAuthenticateInitiator", "") == "abcdefgh") halved = true;
    if (c.headers.size() + 1 == r.headers.size() && c.headers.back().first != "X-Extra") dropped_header = true;
  }
  EXPECT_TRUE(dropped_unknown && halved && dropped_header);
  for (const auto& c : Shrink(spec::EmbeddedSpec(), spec::Request{"POST", "/", {}, "x"})) EXPECT_LT(c.body.size(), 1u);
}

TEST(Minimise, ShrinksWhileTheSameFailureHoldsAndKeepsIt) {
  const Mutant start = TooLongSecret();
  const std::string rule = start.test_case.expectation.outcome.rule;
  ASSERT_EQ(rule, "SecretToAuthenticateInitiator.length");
  int calls = 0;
  // The "endpoint" fails whenever the secret is 17 bytes (a secret-max-17 defect) and the rule holds.
  auto fails = [&](const Mutant& m) {
    ++calls;
    const json b = json::parse(m.test_case.request.body, nullptr, false);
    return m.test_case.expectation.outcome.rule == rule && b.is_object() &&
           b.value("SecretToAuthenticateInitiator", "").size() == 17;
  };
  const Mutant min = Minimise(TheMutator(), start, fails, 500);
  const json b = json::parse(min.test_case.request.body);
  EXPECT_FALSE(b.contains("Unknown"));
  EXPECT_EQ(b.value("SecretToAuthenticateInitiator", ""), "abcdefghijklmnopq");
  EXPECT_EQ(min.test_case.expectation.outcome.rule, rule);
  EXPECT_TRUE(fails(min));
  EXPECT_LE(calls, 501);
  // With no budget, nothing is tried and nothing changes.
  calls = 0;
  const Mutant same = Minimise(TheMutator(), start, fails, 0);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(same.test_case.request.body, start.test_case.request.body);
}

}  // namespace
}  // namespace chapcheck::fuzz
