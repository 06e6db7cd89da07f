// The mutator reaches the spec's classes: over a few thousand mutations of the spec's example, each
// sensitive byte-bounded member takes lengths min-1, min, max and max+1 in UTF-8 bytes, with a
// multi-byte character among them; members go missing, get the wrong JSON type, appear twice; the
// ARN breaks its grammar. And it never writes past max_size.
#include "fuzz/request_mutator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "generators/fuzz_input.h"
#include "spec/arn_grammar.h"
#include "spec/loader.h"

namespace chapcheck::fuzz {
namespace {

using json = nlohmann::json;

std::string Seed() {
  spec::Request r;
  r.headers = {{"Content-Type", spec::EmbeddedSpec().protocol.content_type}};
  r.body = spec::EmbeddedSpec().examples.front().body;
  return generators::EncodeFuzzInput(r, generators::AuthMode::kSigned);
}

TEST(RequestMutator, ReachesTheSpecsClasses) {
  const RequestMutator m(spec::EmbeddedSpec());
  std::map<std::string, std::set<std::size_t>> byte_lengths;
  std::map<std::string, bool> multibyte, missing, wrong_type;
  bool duplicate = false, bad_arn = false;
  const spec::Member* arn_member = nullptr;
  for (const auto& mem : spec::EmbeddedSpec().members) {
    if (mem.Find(spec::MemberRuleKind::kFormat)) arn_member = &mem;
  }
  ASSERT_NE(arn_member, nullptr);
  const auto& grammar = spec::EmbeddedSpec().grammars.at(arn_member->Find(spec::MemberRuleKind::kFormat)->grammar);
  for (unsigned seed = 1; seed <= 4000; ++seed) {
    std::string buf = Seed();
    buf.resize(4096);
    const auto n = m.Mutate(reinterpret_cast<std::uint8_t*>(buf.data()), Seed().size(), buf.size(), seed,
                            [](std::uint8_t*, std::size_t size, std::size_t) { return size; });
    ASSERT_LE(n, 4096u);
    buf.resize(n);
    const std::string body = buf.substr(generators::FuzzBodyOffset(buf));
    const json doc = json::parse(body, nullptr, false);
    if (!doc.is_object()) continue;
    int keys = 0;
    for (std::size_t at = body.find("\"" + spec::EmbeddedSpec().members.front().name + "\""); at != std::string::npos;
         at = body.find("\"" + spec::EmbeddedSpec().members.front().name + "\"", at + 1)) {
      ++keys;
    }
    duplicate = duplicate || keys > 1;
    for (const auto& mem : spec::EmbeddedSpec().members) {
      if (!doc.contains(mem.name)) {
        missing[mem.name] = true;
        continue;
      }
      if (!doc[mem.name].is_string()) {
        wrong_type[mem.name] = true;
        continue;
      }
      const std::string v = doc[mem.name].get<std::string>();
      byte_lengths[mem.name].insert(v.size());
      for (unsigned char c : v) multibyte[mem.name] = multibyte[mem.name] || c >= 0x80;
      if (&mem == arn_member && !spec::ParseArn(grammar, v).ok()) bad_arn = true;
    }
  }
  for (const auto& mem : spec::EmbeddedSpec().members) {
    EXPECT_TRUE(missing[mem.name]) << mem.name;
    EXPECT_TRUE(wrong_type[mem.name]) << mem.name;
    EXPECT_TRUE(multibyte[mem.name]) << mem.name;
    const auto* len = mem.Find(spec::MemberRuleKind::kLength);
    if (!len || len->length.unit != spec::LengthUnit::kUtf8Bytes) continue;
    for (std::size_t want : {len->length.min - 1, len->length.min, len->length.max, len->length.max + 1}) {
      EXPECT_TRUE(byte_lengths[mem.name].count(want)) << mem.name << " never " << want << " bytes";
    }
  }
  EXPECT_TRUE(duplicate);
  EXPECT_TRUE(bad_arn);
}

TEST(RequestMutator, NonJsonGoesToTheFallback) {
  const RequestMutator m(spec::EmbeddedSpec());
  std::string buf = std::string(1, static_cast<char>(generators::kRawHttpMode)) + "GET / HTTP/1.1\r\n\r\n";
  bool called = false;
  const auto n = m.Mutate(reinterpret_cast<std::uint8_t*>(buf.data()), buf.size(), buf.size(), 7,
                          [&](std::uint8_t*, std::size_t size, std::size_t) {
                            called = true;
                            return size - 1;
                          });
  EXPECT_TRUE(called);
  EXPECT_EQ(n, buf.size() - 1);
}

TEST(RequestMutator, NeverExceedsMaxSize) {
  const RequestMutator m(spec::EmbeddedSpec());
  const std::string seed = Seed();
  for (unsigned s = 1; s < 300; ++s) {
    std::string buf = seed;
    const auto n = m.Mutate(reinterpret_cast<std::uint8_t*>(buf.data()), buf.size(), buf.size(), s,
                            [](std::uint8_t*, std::size_t size, std::size_t) { return size; });
    EXPECT_LE(n, seed.size());
  }
}

TEST(RequestMutator, CrossOverKeepsTheHeadersOfTheFirst) {
  const RequestMutator m(spec::EmbeddedSpec());
  const std::string a = Seed();
  spec::Request other;
  other.headers = {{"X-Other", "1"}};
  other.body = "{\"" + spec::EmbeddedSpec().members.back().name + "\":\"abc\"}";
  const std::string b = generators::EncodeFuzzInput(other, generators::AuthMode::kNone);
  std::string out(4096, '\0');
  const auto n = m.CrossOver(a, b, reinterpret_cast<std::uint8_t*>(out.data()), out.size(), 3);
  out.resize(n);
  EXPECT_EQ(out.substr(0, generators::FuzzBodyOffset(a)), a.substr(0, generators::FuzzBodyOffset(a)));
}

}  // namespace
}  // namespace chapcheck::fuzz
