#include "base/utf8.h"

#include <gtest/gtest.h>

namespace chapcheck::utf8 {
namespace {

TEST(Utf8, CountsCodePointsNotBytes) {
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("\xC3\xA9"), 1u);              // é, 2 bytes
  EXPECT_EQ(CountCodePoints("\xE2\x82\xAC"), 1u);          // €, 3 bytes
  EXPECT_EQ(CountCodePoints("\xF0\x9F\x98\x80"), 1u);      // 😀, 4 bytes
  EXPECT_EQ(CountCodePoints(std::string_view("a\0b", 3)), 3u);
  EXPECT_EQ(CountCodePoints(""), 0u);
}

TEST(Utf8, RejectsEveryClassOfInvalidSequence) {
  EXPECT_FALSE(IsValid("\x80"));                  // lone continuation byte
  EXPECT_FALSE(IsValid("\xC3"));                  // truncated 2-byte sequence
  EXPECT_FALSE(IsValid("\xE2\x82"));              // truncated 3-byte sequence
  EXPECT_FALSE(IsValid("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(IsValid("\xE0\x80\xAF"));          // overlong 3-byte
  EXPECT_FALSE(IsValid("\xED\xA0\x80"));          // UTF-16 surrogate U+D800
  EXPECT_FALSE(IsValid("\xF4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(IsValid("\xFF"));
  EXPECT_FALSE(IsValid("\xC3\x28"));              // bad continuation
  EXPECT_TRUE(IsValid("\xF4\x8F\xBF\xBF"));       // U+10FFFF itself
}

TEST(Utf8, AppendRoundTripsAndRefusesSurrogates) {
  for (char32_t cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    ASSERT_TRUE(Append(s, cp));
    std::size_t pos = 0;
    EXPECT_EQ(DecodeNext(s, pos), cp);
    EXPECT_EQ(pos, s.size());
  }
  std::string s;
  EXPECT_FALSE(Append(s, 0xD800));
  EXPECT_FALSE(Append(s, 0x110000));
  EXPECT_TRUE(s.empty());
}

TEST(Utf8, DescribeIsLogSafe) {
  EXPECT_EQ(Describe('a'), "'a'");
  EXPECT_EQ(Describe(0), "U+0000");
  EXPECT_EQ(Describe(' '), "U+0020");
  EXPECT_EQ(Describe(0xE9), "U+00E9");
}

}  // namespace
}  // namespace chapcheck::utf8

#include "base/strings.h"

namespace chapcheck {
namespace {

TEST(Strings, SeenHeaderIsCaseInsensitiveTrimmedAndCounts) {
  const HeaderList h = {{"Content-Type", " a "}, {"X-Other", "b"}, {"content-type", "\tc"}};
  const HeaderSeen v = SeenHeader(h, "CONTENT-TYPE");
  EXPECT_EQ(v.count, 2u);
  EXPECT_EQ(v.first, "a");  // the first in order, trimmed
  EXPECT_EQ(SeenHeader(h, "x-other").first, "b");
  EXPECT_EQ(SeenHeader(h, "missing").count, 0u);
  EXPECT_EQ(SeenHeader(h, "missing").first, "");
  EXPECT_EQ(AsciiLower("AbC-1"), "abc-1");
  EXPECT_EQ(TrimSpaces("  \t "), "");
}

}  // namespace
}  // namespace chapcheck

namespace chapcheck::utf8 {
namespace {

// Lead's table agrees with the decoder on every lead byte and every first continuation byte.
TEST(Utf8Lead, AgreesWithTheDecoder) {
  for (int c = 0x80; c < 0x100; ++c) {
    const LeadByte lead = Lead(static_cast<unsigned char>(c));
    for (int b = 0; b < 0x100; ++b) {
      std::string s(1, static_cast<char>(c));
      s += static_cast<char>(b);
      s.append(static_cast<std::size_t>(lead.continuation > 1 ? lead.continuation - 1 : 0), '\x80');
      std::size_t pos = 0;
      const bool decodes = DecodeNext(s, pos).has_value() && pos == s.size();
      const bool table = lead.continuation > 0 && b >= lead.first_min && b <= lead.first_max;
      EXPECT_EQ(decodes, table) << std::hex << c << " " << b;
    }
  }
  EXPECT_EQ(Lead('a').continuation, 0);
}

// SequenceAt says how long a sequence is, or where it broke.
TEST(Utf8Lead, SequenceAtSaysWhereASequenceBroke) {
  std::size_t bad = 99;
  EXPECT_EQ(SequenceAt("x\xC3\xA9y", 1, bad), 2u);
  EXPECT_EQ(SequenceAt("\xF0\x9F\x98\x80", 0, bad), 4u);
  EXPECT_EQ(SequenceAt("\xFF", 0, bad), 0u);
  EXPECT_EQ(bad, 0u);  // the lead byte itself
  EXPECT_EQ(SequenceAt("\xE0\x80\x80", 0, bad), 0u);
  EXPECT_EQ(bad, 1u);  // overlong: the second byte is outside A0..BF
  EXPECT_EQ(SequenceAt("\xF0\x9F\x98", 0, bad), 0u);
  EXPECT_EQ(bad, 3u);  // the text ended where the fourth byte should be
  EXPECT_EQ(SequenceAt("\xED\x9F\xBFz\xED\xA0\x80", 4, bad), 0u);
  EXPECT_EQ(bad, 1u);  // a surrogate
}

}  // namespace
}  // namespace chapcheck::utf8
