#include "fuzz/mutations.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "spec/loader.h"

namespace chapcheck::fuzz {
namespace {

const Mutator& TheMutator() {
  static const Mutator m = [] {
    const generators::Context ctx = generators::DefaultContext(spec::EmbeddedSpec());
    return Mutator(spec::EmbeddedSpec(), generators::Generate(spec::EmbeddedSpec(), ctx), generators::WorldOf(spec::EmbeddedSpec(), ctx));
  }();
  return m;
}

TEST(Rng, IsTheSameSequenceForTheSameSeed) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
  Rng d(7);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(d.Below(13), 13u);
}

TEST(Mutator, RequestNIsAFunctionOfSeedAndIndexOnly) {
  const Mutator& m = TheMutator();
  // Built in another order, the same requests.
  for (std::uint64_t i : {5u, 0u, 99u, 3u}) {
    const Mutant a = m.Make(1, i), b = m.Make(1, i);
    EXPECT_EQ(a.test_case.name, b.test_case.name);
    EXPECT_EQ(a.test_case.request.body, b.test_case.request.body);
    EXPECT_EQ(a.test_case.request.headers, b.test_case.request.headers);
    EXPECT_EQ(a.test_case.auth, b.test_case.auth);
  }
  int different = 0;
  for (std::uint64_t i = 0; i < 50; ++i) different += m.Make(1, i).test_case.request.body != m.Make(2, i).test_case.request.body;
  EXPECT_GT(different, 25);
}

TEST(Mutator, EveryMutantCarriesTheSpecVerdictOfItsOwnRequest) {
  const Mutator& m = TheMutator();
  std::set<std::string> decided;
  int accepted = 0, rejected = 0, out_of_scope = 0;
  for (std::uint64_t i = 0; i < 1500; ++i) {
    const Mutant mu = m.Make(9, i);
    const auto& c = mu.test_case;
    const spec::Verdict v = spec::Decide(spec::EmbeddedSpec(), c.request, generators::ExpectedAuthStatus(c.auth), &m.world());
    ASSERT_EQ(v.outcome.Summary(), c.expectation.outcome.Summary()) << c.name;
    EXPECT_EQ(c.rule, v.outcome.rule);
    EXPECT_EQ(c.id, generators::CaseId(c.name));
    EXPECT_EQ(c.family, "fuzz");
    EXPECT_LT(c.request.body.size(), 4096u) << c.name;
    // The secrets it carries are exactly its sensitive members' values.
    EXPECT_EQ(mu.secrets, SensitiveValues(spec::EmbeddedSpec(), c.request.body));
    switch (v.outcome.decision) {
      case spec::Decision::kAccept: ++accepted; break;
      case spec::Decision::kReject: ++rejected; decided.insert(v.outcome.rule); break;
      case spec::Decision::kOutOfScope: ++out_of_scope; break;
    }
  }
  EXPECT_GT(accepted, 25);
  EXPECT_GT(rejected, 750);
  EXPECT_LT(out_of_scope, 15);  // only seeds that are out of scope: the mutations never name a sibling
  // Most rules decide some request: every member rule, protocol rule and lookup in the spec.
  EXPECT_GE(decided.size(), spec::EmbeddedSpec().RulesInPrecedenceOrder().size() * 3 / 4) << decided.size();
}

TEST(Mutator, NeverNamesASiblingOperation) {
  const Mutator& m = TheMutator();
  for (std::uint64_t i = 0; i < 800; ++i) {
    const Mutant mu = m.Make(3, i);
    for (const auto& [k, v] : mu.test_case.request.headers) {
      if (k != spec::EmbeddedSpec().protocol.target_header) continue;
      for (const auto& sibling : spec::EmbeddedSpec().siblings) EXPECT_EQ(v.find("." + sibling), std::string::npos) << v;
    }
  }
}

TEST(Mutator, ProbesCarryAFreshInitiatorAndSayWhich) {
  const Mutator& m = TheMutator();
  int probes = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const Mutant mu = m.Make(1, i);
    if (mu.probe_initiator.empty()) continue;
    ++probes;
    // A probe the spec accepts would leave its initiator behind: there is none.
    EXPECT_EQ(mu.test_case.expectation.outcome.decision, spec::Decision::kReject) << mu.test_case.name;
    EXPECT_EQ(mu.probe_initiator.rfind(kProbeInitiatorPrefix, 0), 0u);
    EXPECT_NE(mu.test_case.request.body.find(mu.probe_initiator), std::string::npos);
  }
  EXPECT_GE(probes, 10);  // one in 32, less those the spec accepts (they keep the seed's name)
}

TEST(SensitiveValues, AreTheStringValuesOfSensitiveMembers) {
  EXPECT_TRUE(SensitiveValues(spec::EmbeddedSpec(), "not json").empty());
  EXPECT_TRUE(SensitiveValues(spec::EmbeddedSpec(), "[1]").empty());
  const auto v = SensitiveValues(spec::EmbeddedSpec(), R"({"SecretToAuthenticateInitiator":"abcdefabcdef","InitiatorName":"x","SecretToAuthenticateTarget":5})");
  EXPECT_EQ(v, std::vector<std::string>{"abcdefabcdef"});
}

}  // namespace
}  // namespace chapcheck::fuzz
