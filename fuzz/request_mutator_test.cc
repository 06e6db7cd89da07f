// The mutator reaches the spec's classes: over a few thousand mutations of the spec's example, each
// sensitive byte-bounded member takes lengths min-1, min, max and max+1 in UTF-8 bytes, with a
// multi-byte character among them; members go missing, get the wrong JSON type, appear twice; the
// ARN breaks its grammar. And it never writes past max_size.
// Its output is always a JSON object (or nothing, for a body that is not one), strings are written
// byte for byte as nlohmann's dump(..., replace) writes them, and members it does not touch keep
// their JSON text.
#include "fuzz/request_mutator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <nlohmann/json.hpp>
#include <set>

#include "generators/fuzz_input.h"
#include "spec/arn_grammar.h"
#include "spec/json_scan.h"
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

// Objects with what a fuzzed body may hold: escapes, nesting, a BOM, non-ASCII, repeated and
// odd keys, whitespace, numbers as sent. (Not the spec's values: the mutator must not care.)
std::vector<std::string> OddObjects() {
  return {
      spec::EmbeddedSpec().examples.front().body,
      "{}",
      " { } ",
      R"({"TargetARN":"arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:v",)"
      R"("InitiatorName":"a\"b\\c\/d\u00e9\ud83d\ude00\n\u0001"})",
      R"({ "SecretToAuthenticateInitiator" : { "a" : [ 1, { "b" : "c" } ] } ,)"
      R"( "InitiatorName" : [ "x" , 2.50E+3 , null ] })",
      "\xEF\xBB\xBF{\"InitiatorName\":\"iqn\"}",
      "{\"InitiatorName\":\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\","
      "\"SecretToAuthenticateTarget\":\"\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\"}",
      R"({"InitiatorName":"first","InitiatorName":"last","x0":true,"x0":false,"Unknown1":"u"})",
      R"({"Init\u0069atorName":"escaped key","\u0000\b\u001f\"":"control key","":"empty key","TargetARN":""})",
      R"({"TargetARN":"arn:aws:x","SecretToAuthenticateInitiator":"zzzzzzzzzzzz",)"
      R"("SecretToAuthenticateTarget":"zzzzzzzzzzzz"})",
  };
}

// Texts that are not a JSON object: other JSON values, and texts that are not JSON (a NUL after
// the object included: nlohmann stopped reading there, spec::ScanJson does not).
std::vector<std::string> NotObjects() {
  return {"[]",        "\"s\"",           "1",           "null",    "", "{", "{\"a\":1,}", "{\"a\":1}x",
          "\xEF\xBB{}", "{\"a\":\"\xFF\"}", "{'a':1}", std::string("{\"a\":1}\0x", 9)};
}

TEST(RequestMutator, WritesAnObjectOrNothing) {
  const RequestMutator m(spec::EmbeddedSpec());
  const auto objects = OddObjects();
  std::string body;
  for (unsigned seed = 0; seed < 20000; ++seed) {
    // Chains of 10 mutations, as the fuzzer makes them: each output is the next input.
    if (seed % 10 == 0) body = objects[(seed / 10) % objects.size()];
    MutationRng rng(seed);
    const auto out = m.MutateBody(body, rng);
    ASSERT_TRUE(out.has_value()) << body;
    // (And the next round checks that the scanner reads it as an object too.)
    ASSERT_TRUE(json::parse(*out, nullptr, false).is_object()) << "seed " << seed << ": " << body << " -> " << *out;
    body = *out;
  }
  for (const auto& text : NotObjects()) {
    for (unsigned seed = 0; seed < 50; ++seed) {
      MutationRng rng(seed);
      EXPECT_FALSE(m.MutateBody(text, rng).has_value()) << text;
    }
  }
}

// Random strings made of pieces that each escape or replacement rule meets: quotes, controls,
// valid UTF-8 of each width, and truncated, overlong, surrogate, too large and stray bytes.
std::string RandomString(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {
      "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", std::string(1, '\0'), "\x01", "\x0b", "\x1f", " ", "a", "~",
      "\x7f", "\xC2\x80", "\xC3\xA9", "\xDF\xBF", "\xE0\xA0\x80", "\xE2\x82\xAC", "\xED\x9F\xBF", "\xEF\xBF\xBF",
      "\xF0\x90\x80\x80", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\x80", "\xBF",
      "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF", "\xF0\x8F\xBF\xBF",
      "\xF4\x90\x80\x80", "\xF5\x80", "\xF8", "\xFE", "\xFF"};
  std::string s;
  const std::size_t n = std::uniform_int_distribution<std::size_t>(0, rng() % 8 == 0 ? 700 : 12)(rng);
  const bool bytes = rng() % 3 == 0;  // else pieces
  for (std::size_t i = 0; i < n; ++i) {
    if (bytes) {
      s += static_cast<char>(rng() & 0xFF);
    } else {
      s += kPieces[rng() % kPieces.size()];
    }
  }
  return s;
}

TEST(RequestMutator, WritesStringsAsNlohmannDoes) {
  std::mt19937 rng(20240611);
  for (int i = 0; i < 20000; ++i) {
    const std::string s = RandomString(rng);
    std::string got = "prefix:";
    AppendJsonString(got, s);
    const std::string want = json(s).dump(-1, ' ', false, json::error_handler_t::replace);
    ASSERT_EQ(got, "prefix:" + want) << json(s).dump(-1, ' ', true, json::error_handler_t::replace);
  }
}

// The raw text of each top-level member, by name (last one wins, as in the scan).
std::map<std::string, std::string> RawMembers(std::string_view body, std::vector<std::string>* order = nullptr) {
  const spec::JsonScan scan = spec::ScanJson(body);
  std::map<std::string, std::string> out;
  for (const auto& mem : scan.members) {
    out[std::string(mem.name)] = std::string(body.substr(mem.value_begin, mem.value_end - mem.value_begin));
    if (order) order->emplace_back(mem.name);
  }
  return out;
}

bool IsSpecMember(const std::string& name) {
  for (const auto& mem : spec::EmbeddedSpec().members) {
    if (mem.name == name) return true;
  }
  return false;
}

TEST(RequestMutator, KeepsTheTextOfMembersItDoesNotTouch) {
  const RequestMutator m(spec::EmbeddedSpec());
  // Values as no writer would write them: escapes that need none, spaces, numbers as sent.
  const std::string body =
      R"({"Other" : "a\/b\u00e9" ,)"
      R"( "TargetARN":"arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-1/target/iqn.1997-05.com.amazon:v",)"
      R"("Nested":{ "k" : [1, 2.50, "\ud83d\ude00"] },"SecretToAuthenticateInitiator":"abc\u0064efghijkl",)"
      R"("Num":1.0E+2,"InitiatorName" : "iqn.\u0031997-05.com.example:x","Other":"last\tvalue wins","Empty":{ },)"
      R"("SecretToAuthenticateTarget":"mnopqrstuvwx"})";
  std::vector<std::string> in_order;
  const auto in = RawMembers(body, &in_order);
  std::map<std::string, int> kept;
  for (unsigned seed = 0; seed < 5000; ++seed) {
    MutationRng rng(seed);
    const auto out = m.MutateBody(body, rng);
    ASSERT_TRUE(out.has_value());
    std::vector<std::string> out_order;
    const auto now = RawMembers(*out, &out_order);
    for (const auto& [name, raw] : in) {
      if (!IsSpecMember(name)) {
        // Never chosen: the same text, in the same order relative to the others like it.
        ASSERT_EQ(now.count(name), 1u) << *out;
        EXPECT_EQ(now.at(name), raw) << *out;
        continue;
      }
      if (!now.count(name)) continue;  // removed
      const std::string& v = now.at(name);
      if (v == raw) {
        ++kept[name];
        continue;
      }
      // Changed: then written whole by the mutator, as a string or one of its literals.
      const json parsed = json::parse(v, nullptr, false);
      ASSERT_FALSE(parsed.is_discarded()) << v;
      if (parsed.is_string()) {
        std::string written;
        AppendJsonString(written, parsed.get<std::string>());
        EXPECT_EQ(v, written);
      } else {
        EXPECT_TRUE(v == parsed.dump() || v == "-1.5e300") << v;  // nlohmann writes -1.5e+300
      }
    }
    std::vector<std::string> others_in, others_out;
    std::copy_if(in_order.begin(), in_order.end(), std::back_inserter(others_in),
                 [](const auto& n) { return !IsSpecMember(n); });
    std::copy_if(out_order.begin(), out_order.end(), std::back_inserter(others_out),
                 [&](const auto& n) { return !IsSpecMember(n) && in.count(n); });
    EXPECT_EQ(others_out, others_in) << *out;
  }
  // Each spec member is often left alone (one to three members change each time).
  for (const auto& mem : spec::EmbeddedSpec().members) EXPECT_GT(kept[mem.name], 1000) << mem.name;
}

TEST(RequestMutator, CrossOverTakesEachMemberFromEitherBody) {
  const RequestMutator m(spec::EmbeddedSpec());
  spec::Request ra, rb;
  ra.headers = {{"X-A", "1"}};
  ra.body = R"({"TargetARN" : "arn:a", "Mine":[ 1 ], "SecretToAuthenticateInitiator":"a\u0041aaaaaaaaaaa",)"
            R"("InitiatorName":{"n":1}})";
  rb.headers = {{"X-B", "2"}};
  rb.body = R"({"TargetARN":"arn:b" , "Theirs":2,"SecretToAuthenticateTarget": "b\/bbbbbbbbbbb","InitiatorName":null})";
  const std::string a = generators::EncodeFuzzInput(ra, generators::AuthMode::kSigned);
  const std::string b = generators::EncodeFuzzInput(rb, generators::AuthMode::kNone);
  const std::size_t at_a = generators::FuzzBodyOffset(a);
  const auto raw_a = RawMembers(ra.body), raw_b = RawMembers(rb.body);
  std::set<std::string> from_b;
  for (unsigned seed = 0; seed < 2000; ++seed) {
    std::string out(4096, '\0');
    out.resize(m.CrossOver(a, b, reinterpret_cast<std::uint8_t*>(out.data()), out.size(), seed));
    ASSERT_EQ(out.substr(0, at_a), a.substr(0, at_a));
    const std::string body = out.substr(at_a);
    ASSERT_TRUE(json::parse(body, nullptr, false).is_object()) << body;
    const auto now = RawMembers(body);
    EXPECT_EQ(now.at("Mine"), "[ 1 ]");
    EXPECT_EQ(now.count("Theirs"), 0u);
    for (const auto& [name, raw] : now) {
      if (!IsSpecMember(name)) continue;
      const bool mine = raw_a.count(name) && raw_a.at(name) == raw, theirs = raw_b.count(name) && raw_b.at(name) == raw;
      EXPECT_TRUE(mine || theirs) << name << " = " << raw;
      if (theirs && !mine) from_b.insert(name);
    }
    // Written straight into the buffer `a` lies in, the result is the same.
    std::string shared = a + std::string(4096, '\0');
    const std::size_t n = m.CrossOver(std::string_view(shared.data(), a.size()), b,
                                      reinterpret_cast<std::uint8_t*>(shared.data()), shared.size(), seed);
    EXPECT_EQ(shared.substr(0, n), out);
    // And cut at max_size.
    std::string small(out.size() / 2, '\0');
    ASSERT_EQ(m.CrossOver(a, b, reinterpret_cast<std::uint8_t*>(small.data()), small.size(), seed), small.size());
    EXPECT_EQ(small, out.substr(0, small.size()));
  }
  EXPECT_EQ(from_b, (std::set<std::string>{"TargetARN", "SecretToAuthenticateTarget", "InitiatorName"}));
}

TEST(RequestMutator, CrossOverSplicesWhatIsNotAnObject) {
  const RequestMutator m(spec::EmbeddedSpec());
  const std::string a = Seed();
  spec::Request rb;
  rb.body = "[1,2,3]";
  const std::string b = generators::EncodeFuzzInput(rb, generators::AuthMode::kNone);
  for (unsigned seed = 0; seed < 200; ++seed) {
    std::string out(8192, '\0');
    out.resize(m.CrossOver(a, b, reinterpret_cast<std::uint8_t*>(out.data()), out.size(), seed));
    // A prefix of a, then a suffix of b.
    bool splice = false;
    for (std::size_t i = 0; i <= std::min(a.size(), out.size()) && !splice; ++i) {
      splice = out.compare(0, i, a, 0, i) == 0 && out.size() - i <= b.size() &&
               out.compare(i, std::string::npos, b, b.size() - (out.size() - i)) == 0;
    }
    EXPECT_TRUE(splice) << out;
  }
}

}  // namespace
}  // namespace chapcheck::fuzz
