// The fuzz input layout round-trips a generated case; every byte string decodes; the dictionary
// holds the spec's member names, prefixes and error types, and only well-formed lines.
#include "generators/fuzz_input.h"

#include <gtest/gtest.h>

#include <sstream>

#include "spec/loader.h"

namespace chapcheck::generators {
namespace {

TEST(FuzzInput, EveryCaseRoundTrips) {
  for (const Case& c : Generate(spec::EmbeddedSpec(), DefaultContext(spec::EmbeddedSpec()))) {
    const FuzzInput in = DecodeFuzzInput(EncodeFuzzInput(c.request, c.auth));
    ASSERT_FALSE(in.raw) << c.name;
    EXPECT_EQ(in.auth, c.auth) << c.name;
    EXPECT_EQ(in.request.body, c.request.body) << c.name;
    EXPECT_EQ(in.request.headers, c.request.headers) << c.name;
  }
}

TEST(FuzzInput, AnyBytesDecode) {
  EXPECT_FALSE(DecodeFuzzInput("").raw);
  const FuzzInput raw = DecodeFuzzInput(std::string(1, static_cast<char>(kRawHttpMode)) + "GET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(raw.raw);
  EXPECT_EQ(raw.raw_http, "GET / HTTP/1.1\r\n\r\n");
  const FuzzInput odd = DecodeFuzzInput("\x04no colon\n:empty name\nA: b\n\n{}");
  EXPECT_EQ(odd.auth, AuthMode::kWrongSignature);
  ASSERT_EQ(odd.request.headers.size(), 1u);
  EXPECT_EQ(odd.request.headers[0].second, "b");
  EXPECT_EQ(odd.request.body, "{}");
  EXPECT_EQ(DecodeFuzzInput(std::string("\x00\n{\"a\":1}", 9)).request.body, "{\"a\":1}");
  // Mode bytes whose low three bits are 6 or 7 mean raw HTTP: the rest of the input, as it is.
  EXPECT_FALSE(IsRawHttpInput(""));
  for (int b = 0; b < 256; ++b) {
    const std::string bytes = std::string(1, static_cast<char>(b)) + "X: y\n\nbody";
    const FuzzInput in = DecodeFuzzInput(bytes);
    EXPECT_EQ(IsRawHttpInput(bytes), (b & 7) >= 6) << b;
    EXPECT_EQ(in.raw, (b & 7) >= 6) << b;
    if (in.raw) {
      EXPECT_EQ(in.raw_http, bytes.substr(1)) << b;
    }
  }
}

void ExpectSame(const FuzzInput& a, const FuzzInput& b, const std::string& bytes) {
  EXPECT_EQ(a.raw, b.raw) << bytes;
  EXPECT_EQ(a.auth, b.auth) << bytes;
  EXPECT_EQ(a.request.method, b.request.method) << bytes;
  EXPECT_EQ(a.request.path, b.request.path) << bytes;
  EXPECT_EQ(a.request.headers, b.request.headers) << bytes;
  EXPECT_EQ(a.request.body, b.request.body) << bytes;
  EXPECT_EQ(a.raw_http, b.raw_http) << bytes;
}

// Decoding into a used FuzzInput gives what a fresh decode gives, whatever the last input (or a
// caller, as the fuzz target's signer does) left in it.
TEST(FuzzInput, DecodingIntoAUsedInputIsAFreshDecode) {
  std::vector<std::string> inputs = {
      "\x01A: one\nB: two\nC: three\n\n{\"x\":1}",
      "\x02OnlyOne: " + std::string(40, 'v') + "\n\n",
      std::string(1, static_cast<char>(kRawHttpMode)) + "GET / HTTP/1.1\r\n\r\n",
      "",
      "\x03\n{}",
      "\x00no colon\nX: y",
      "\x05A: 1\nB: 2\nC: 3\nD: 4\nE: 5\n\nbody",
  };
  for (const Case& c : Generate(spec::EmbeddedSpec(), DefaultContext(spec::EmbeddedSpec()))) {
    if (inputs.size() == 40) break;
    inputs.push_back(EncodeFuzzInput(c.request, c.auth));
  }
  FuzzInput used;
  for (int round = 0; round < 2; ++round) {
    for (const auto& bytes : inputs) {
      DecodeFuzzInput(bytes, used);
      ExpectSame(used, DecodeFuzzInput(bytes), bytes);
      // What a caller may do with it before the next input.
      used.request.method = "GET";
      used.request.path = "/elsewhere";
      used.request.headers.insert(used.request.headers.begin(), {"Host", "h"});
      used.request.headers.emplace_back("Authorization", std::string(100, 'a'));
      used.raw_http = "left over";
      used.auth = AuthMode::kExpired;
      used.raw = !used.raw;
    }
  }
}

TEST(FuzzInput, DictionaryComesFromTheSpec) {
  const std::string dict = FuzzDictionary(spec::EmbeddedSpec());
  for (const auto& m : spec::EmbeddedSpec().members) EXPECT_NE(dict.find("\"\\\"" + m.name + "\\\"\""), std::string::npos) << m.name;
  for (const auto& t : spec::EmbeddedSpec().protocol.targets) EXPECT_NE(dict.find(t.prefix + "." + spec::EmbeddedSpec().operation), std::string::npos);
  for (const auto& t : spec::EmbeddedSpec().errors.types) EXPECT_NE(dict.find("\"" + t.name + "\""), std::string::npos);
  std::istringstream lines(dict);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(line.size() >= 2 && line.front() == '"' && line.back() == '"') << line;
    for (unsigned char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7F) << line;
  }
}

}  // namespace
}  // namespace chapcheck::generators
