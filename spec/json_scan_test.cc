#include "spec/json_scan.h"

#include <gtest/gtest.h>

namespace chapcheck::spec {
namespace {

TEST(JsonScan, ReadsTopLevelMembersLastValueWins) {
  const JsonScan s = ScanJson(R"({"a":"x","b":1,"c":1.5,"d":null,"e":[1,{"f":2}],"a":"y","g":true,"h":{}})");
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.top, JsonKind::kObject);
  ASSERT_EQ(s.members.size(), 7u);
  EXPECT_EQ(s.Find("a")->string_value, "y");
  EXPECT_EQ(s.Find("b")->kind, JsonKind::kInteger);
  EXPECT_EQ(s.Find("c")->kind, JsonKind::kNumber);
  EXPECT_EQ(s.Find("d")->kind, JsonKind::kNull);
  EXPECT_EQ(s.Find("e")->kind, JsonKind::kArray);
  EXPECT_EQ(s.Find("g")->kind, JsonKind::kBoolean);
  EXPECT_EQ(s.Find("h")->kind, JsonKind::kObject);
  EXPECT_EQ(s.Find("f"), nullptr) << "only top-level members";
  EXPECT_TRUE(s.duplicate_keys);
  EXPECT_EQ(s.first_duplicate, "$.a");
  EXPECT_EQ(s.max_depth, 3u);
}

TEST(JsonScan, DecodesEscapesAndComparesDecodedKeys) {
  const JsonScan s = ScanJson(R"({"\u0061":"\u00e9\n","a":"z"})");
  ASSERT_TRUE(s.ok);
  EXPECT_TRUE(s.duplicate_keys) << "\\u0061 and a are the same key";
  const JsonScan t = ScanJson(R"({"k":"\u00e9\u0000"})");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.Find("k")->string_value, std::string("\xC3\xA9\0", 3));
}

TEST(JsonScan, ErrorsNameAPositionNeverTheInput) {
  const JsonScan s = ScanJson("{\"secret\": \"hunter2\x01\"}");
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.error.find("hunter2"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("at byte"), std::string::npos);
  EXPECT_TRUE(s.members.empty());
}

TEST(JsonScan, NestedDuplicatePathsNameTheirContainers) {
  const JsonScan s = ScanJson(R"({"x":[{"y":{"k":1,"k":2}}]})");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.first_duplicate, "$.x[].y.k");
}

TEST(JsonScan, ManyKeysAreScannedAndTheDuplicateFound) {
  // 100,000 distinct keys (about 1 MiB) and one repeat. Lists of seen keys made this quadratic
  // (14 s); the speed itself is a benchmark's business, not this test's.
  std::string body = "{";
  for (int i = 0; i < 100000; ++i) body += (i ? ",\"" : "\"") + std::to_string(i) + "\":0";
  body += ",\"7\":1}";
  const JsonScan s = ScanJson(body);
  EXPECT_TRUE(s.ok);
  EXPECT_TRUE(s.duplicate_keys);
  EXPECT_EQ(s.first_duplicate, "$.7");
  EXPECT_EQ(s.members.size(), 100000u);
  EXPECT_EQ(s.Find("7")->kind, JsonKind::kInteger);
}

TEST(JsonScan, AcceptsABomAndRejectsGarbage) {
  EXPECT_TRUE(ScanJson("\xEF\xBB\xBF{}").ok);
  for (const char* bad : {"", "{", "}", "{\"a\"}", "{\"a\":}", "[1,]", "01", "\"\\x\"", "tru", "{\"a\":1}}"}) {
    EXPECT_FALSE(ScanJson(bad).ok) << bad;
  }
}

}  // namespace
}  // namespace chapcheck::spec
