#include "base/base64.h"

#include <gtest/gtest.h>

namespace chapcheck {
namespace {

TEST(Base64, EncodesAsCoreutilsDoes) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xfb\xff", 2)), "+/8=");
}

TEST(Base64, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string bytes = all.substr(0, n) + all.substr(all.size() - n % 3);
    const auto back = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_EQ(*back, bytes);
  }
}

TEST(Base64, DecodingIsStrictAndBounded) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zg=a", "Zm9v!!!!", "Zg==Zm9v", "Zm 9"}) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
  }
  EXPECT_TRUE(Base64Decode("Zm9v", 3).ok());
  EXPECT_FALSE(Base64Decode("Zm9v", 2).ok());
  EXPECT_FALSE(Base64Decode("Zm9vYmFy", 2).ok());
}

}  // namespace
}  // namespace chapcheck
