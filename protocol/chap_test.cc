// CHAP responses against vectors computed independently with the openssl command line, e.g.
//   printf '\x01111111111111\x00\x01...\x0f' | openssl dgst -md5
// and the hex/base64 value encodings of RFC 7143 6.1.
#include "protocol/chap.h"

#include <gtest/gtest.h>

namespace chapcheck::chap {
namespace {

Bytes Counting(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

TEST(Chap, ResponsesMatchOpensslCommandLine) {
  const Secret secret("111111111111");
  const Bytes challenge = Counting(16);
  EXPECT_EQ(EncodeHex(Response(Algorithm::kMd5, 1, secret, challenge)), "0xfe280188b21631a690ea2cdd3bbbb03e");
  EXPECT_EQ(EncodeHex(Response(Algorithm::kSha1, 1, secret, challenge)), "0x8970801b5d97fc0e14f13242b9fed4a8f1451474");
  EXPECT_EQ(EncodeHex(Response(Algorithm::kSha256, 1, secret, challenge)),
            "0x12400a0efdf3718a69536def66934e545d8e9630b8520fbfe06e1de743f0c3df");
  EXPECT_EQ(EncodeHex(Response(Algorithm::kSha3_256, 1, secret, challenge)),
            "0x88d9c89dc944f18440a91092f9baf970563d427cfdc8f43a0aaf43178211d561");
  const std::string abc = "abc";
  EXPECT_EQ(EncodeHex(Response(Algorithm::kMd5, 200, Secret("222222222222"),
                               Bytes(abc.begin(), abc.end()))),
            "0x7b59ea5b3532688372c24c45c42aec1c");
}

TEST(Chap, TheIdentifierAndSecretChangeTheResponse) {
  const Bytes c = Counting(16);
  const Bytes base = Response(Algorithm::kMd5, 1, Secret("111111111111"), c);
  EXPECT_NE(base, Response(Algorithm::kMd5, 2, Secret("111111111111"), c));
  EXPECT_NE(base, Response(Algorithm::kMd5, 1, Secret("111111111112"), c));
}

TEST(Chap, AlgorithmCodes) {
  EXPECT_EQ(AlgorithmFromCode(5), Algorithm::kMd5);
  EXPECT_EQ(AlgorithmFromCode(8), Algorithm::kSha3_256);
  EXPECT_FALSE(AlgorithmFromCode(4).has_value());
  EXPECT_FALSE(AlgorithmFromCode(9).has_value());
  EXPECT_EQ(DigestSize(Algorithm::kMd5), 16u);
  EXPECT_EQ(DigestSize(Algorithm::kSha1), 20u);
  EXPECT_EQ(DigestSize(Algorithm::kSha256), 32u);
  EXPECT_EQ(DigestSize(Algorithm::kSha3_256), 32u);
}

TEST(Chap, Base64MatchesCoreutils) {
  // printf '\x00...\x0f' | base64 ; printf '\xfb\xff' | base64 ; printf '\xab' | base64
  EXPECT_EQ(EncodeBase64(Counting(16)), "0bAAECAwQFBgcICQoLDA0ODw==");
  EXPECT_EQ(EncodeBase64(Bytes{0xfb, 0xff}), "0b+/8=");
  EXPECT_EQ(EncodeBase64(Bytes{0xab}), "0bqw==");
  EXPECT_EQ(*DecodeBinary("0bAAECAwQFBgcICQoLDA0ODw=="), Counting(16));
  EXPECT_EQ(*DecodeBinary("0B+/8="), (Bytes{0xfb, 0xff}));
  EXPECT_EQ(*DecodeBinary("0bqw=="), (Bytes{0xab}));
}

TEST(Chap, HexDecoding) {
  EXPECT_EQ(*DecodeBinary("0x00ff10"), (Bytes{0x00, 0xff, 0x10}));
  EXPECT_EQ(*DecodeBinary("0XABcd"), (Bytes{0xab, 0xcd}));
  EXPECT_EQ(*DecodeBinary("0xabc"), (Bytes{0x0a, 0xbc}));  // odd: the first digit stands alone
}

TEST(Chap, MalformedValuesAreErrors) {
  for (const char* bad : {"", "0x", "0b", "ff", "0y12", "0x1g", "0bqw=", "0bq===", "0bqw=a", "0b!!!!", "0x 1"}) {
    EXPECT_FALSE(DecodeBinary(bad).ok()) << bad;
  }
  EXPECT_FALSE(DecodeBinary("0x" + std::string(2050, 'a')).ok());
  EXPECT_TRUE(DecodeBinary("0x" + std::string(2048, 'a')).ok());
  EXPECT_FALSE(DecodeBinary("0x" + std::string(34, 'a'), 16).ok());
}

TEST(Chap, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual(Bytes{1, 2, 3}, Bytes{1, 2, 3}));
  EXPECT_FALSE(ConstantTimeEqual(Bytes{1, 2, 3}, Bytes{1, 2, 4}));
  EXPECT_FALSE(ConstantTimeEqual(Bytes{1, 2, 3}, Bytes{1, 2}));
}

TEST(Chap, RandomBytesDiffer) {
  const Bytes a = RandomBytes(16), b = RandomBytes(16);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace chapcheck::chap
