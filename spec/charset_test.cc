#include "spec/charset.h"

#include <gtest/gtest.h>

namespace chapcheck::spec {
namespace {

TEST(Charset, ParsesRangesAndEdgeHyphen) {
  auto cs = Charset::Parse("[0-9a-z:.-]+");
  ASSERT_TRUE(cs.ok()) << cs.error().message;
  for (char c : std::string("09az:.-m5")) EXPECT_TRUE(cs->Contains(static_cast<unsigned char>(c))) << c;
  for (char c : std::string("AZ _/@,+\\")) EXPECT_FALSE(cs->Contains(static_cast<unsigned char>(c))) << c;
  EXPECT_FALSE(cs->Contains(0));
  EXPECT_FALSE(cs->Contains(0xE9));
  EXPECT_FALSE(cs->allow_empty());
  EXPECT_EQ(cs->body(), "0-9a-z:.-");
}

TEST(Charset, MatchesWholeValuesOnly) {
  auto cs = Charset::Parse("[a-z]+");
  ASSERT_TRUE(cs.ok());
  EXPECT_TRUE(cs->Matches("abc"));
  EXPECT_FALSE(cs->Matches("abc1"));   // not a search: every character must be in the class
  EXPECT_FALSE(cs->Matches("1abc"));
  EXPECT_FALSE(cs->Matches(""));
  EXPECT_TRUE(Charset::Parse("[a-z]*")->Matches(""));
}

TEST(Charset, FirstMismatchNamesIndexAndCodePoint) {
  auto cs = Charset::Parse("[a-z]+");
  auto m = cs->FirstMismatch("ab\xC3\xA9z");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->index, 2u);
  EXPECT_EQ(m->code_point, char32_t{0xE9});
  auto bad = cs->FirstMismatch("ab\xff");
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(bad->code_point.has_value());  // invalid UTF-8
}

TEST(Charset, EscapesAreLiteral) {
  auto cs = Charset::Parse("[a\\-z]+");  // a, '-', z; not a range
  ASSERT_TRUE(cs.ok());
  EXPECT_TRUE(cs->Contains('-'));
  EXPECT_FALSE(cs->Contains('m'));
  EXPECT_TRUE(Charset::Parse("[\\]]+")->Contains(']'));
}

TEST(Charset, RefusesWhatItCannotMean) {
  for (const char* p : {"", "[]+", "[a-z]", "a-z+", "[^a]+", "[z-a]+", "(a|b)+", "[a-z]+$", "^[a-z]+", "[a\\]+",
                        "[a[b]+", "[\xC3\xA9]+", "[a b]+", "[a-z]{3}"}) {
    EXPECT_FALSE(Charset::Parse(p).ok()) << p;
  }
}

}  // namespace
}  // namespace chapcheck::spec
