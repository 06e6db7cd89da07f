#include "spec/json_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace chapcheck::spec {
namespace {

TEST(JsonScan, ReadsTopLevelMembersLastValueWins) {
  const JsonScan s = ScanJson(R"({"a":"x","b":1,"c":1.5,"d":null,"e":[1,{"f":2}],"a":"y","g":true,"h":{}})");
  ASSERT_TRUE(s.ok) << s.Error();
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
  EXPECT_EQ(s.Error().find("hunter2"), std::string::npos) << s.Error();
  EXPECT_NE(s.Error().find("at byte"), std::string::npos);
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

// No JSON text holds a raw NUL byte. (nlohmann, which this scanner replaced, read one between
// tokens as the end of the input and accepted "{}\0anything" as "{}".)
TEST(JsonScan, ANulByteIsAnErrorWhereverItIs) {
  using namespace std::string_literals;
  for (const std::string& bad : {"\0"s, "{}\0"s, "{}\0garbage"s, "\0{}"s, "1\0"s, "[1,\0]"s, "{\"a\":1\0}"s,
                                 "{\"a\":\"x\0y\"}"s, " \0 "s}) {
    const JsonScan s = ScanJson(bad);
    EXPECT_FALSE(s.ok) << bad.size();
    EXPECT_EQ(s.Error().rfind("syntax error at byte ", 0), 0u) << s.Error();
    EXPECT_TRUE(s.members.empty());
  }
  EXPECT_EQ(ScanJson("{}\0"s).error_offset, 3u);  // the NUL, the third byte
  EXPECT_TRUE(ScanJson(R"({"a":"\u0000"})").ok);  // an escaped one is a character like any other
}

TEST(JsonScan, ByteOrderMarkOnlyOnceAndOnlyWhole) {
  EXPECT_TRUE(ScanJson("\xEF\xBB\xBF \"x\" ").ok);
  EXPECT_EQ(ScanJson("\xEF\xBB\xBF[1]").top, JsonKind::kArray);
  for (const char* bad : {"\xEF\xBB\xBF", "\xEF\xBB", "\xEF", "\xEF\xBB{}", "\xEF{}", " \xEF\xBB\xBF{}",
                          "\xEF\xBB\xBF\xEF\xBB\xBF{}", "{}\xEF\xBB\xBF"}) {
    EXPECT_FALSE(ScanJson(bad).ok) << bad;
  }
  // Offsets count the bytes read, the end of the input counting as one, as nlohmann's did.
  EXPECT_EQ(ScanJson("\xEF\xBB").error_offset, 3u);
  EXPECT_EQ(ScanJson("\xEF{}").error_offset, 2u);
}

TEST(JsonScan, SurrogatePairsDecodeAndLoneHalvesAreErrors) {
  const JsonScan s = ScanJson(R"({"k":"\ud83d\uDE00","\uDBFF\udfff":1})");
  ASSERT_TRUE(s.ok) << s.Error();
  EXPECT_EQ(s.Find("k")->string_value, "\xF0\x9F\x98\x80");
  EXPECT_NE(s.Find("\xF4\x8F\xBF\xBF"), nullptr);
  for (const char* bad : {R"("\ud83d")", R"("\ud83dx")", R"("\ud83d\n")", R"("\ud83d\u0041")",
                          R"("\ud800\ud800")", R"("\ude00")", R"("\udfff\ud800")", R"("\ud83d\ude0")",
                          R"("\ud83d\)", R"("\ud83d)"}) {
    const JsonScan b = ScanJson(bad);
    EXPECT_FALSE(b.ok) << bad;
    EXPECT_EQ(b.Error().rfind("syntax error at byte ", 0), 0u) << b.Error();
  }
}

TEST(JsonScan, Utf8FollowsTheRfc3629Table) {
  // The lowest and highest sequence of each row of the table.
  for (const char* good : {"\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xE0\xBF\xBF", "\xE1\x80\x80",
                           "\xEC\xBF\xBF", "\xED\x80\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
                           "\xF0\x90\x80\x80", "\xF0\xBF\xBF\xBF", "\xF1\x80\x80\x80", "\xF3\xBF\xBF\xBF",
                           "\xF4\x80\x80\x80", "\xF4\x8F\xBF\xBF", "\x7F"}) {
    const std::string text = "{\"k\":\"" + std::string(good) + "\"}";  // the scan's views point into it
    const JsonScan s = ScanJson(text);
    EXPECT_TRUE(s.ok) << s.Error();
    EXPECT_EQ(s.Find("k")->string_value, good);
  }
  // Overlong forms, surrogates, past U+10FFFF, stray continuation bytes, cut sequences.
  for (const char* bad : {"\xC0\x80", "\xC1\xBF", "\xC2\x7F", "\xC2\xC0", "\xE0\x9F\xBF", "\xED\xA0\x80",
                          "\xED\xBF\xBF", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                          "\xFF", "\x80", "\xBF", "\xE2\x82", "\xF0\x90\x80", "\xC2"}) {
    EXPECT_FALSE(ScanJson("\"" + std::string(bad) + "\"").ok) << "\\x" << std::hex
                                                               << (static_cast<unsigned>(bad[0]) & 0xFF);
  }
  EXPECT_FALSE(ScanJson("\xC2\x80").ok) << "UTF-8 outside a string";
}

TEST(JsonScan, IntegersAreThoseThatFitInt64OrUint64) {
  auto kind = [](const char* n) {
    const JsonScan s = ScanJson(n);
    EXPECT_TRUE(s.ok) << n << ": " << s.Error();
    return s.top;
  };
  for (const char* n : {"0", "-0", "9223372036854775807", "9223372036854775808", "18446744073709551615",
                        "-9223372036854775808"}) {
    EXPECT_EQ(kind(n), JsonKind::kInteger) << n;
  }
  for (const char* n : {"18446744073709551616", "-9223372036854775809", "99999999999999999999", "1.0",
                        "1e0", "-0.0", "1E+2"}) {
    EXPECT_EQ(kind(n), JsonKind::kNumber) << n;
  }
}

TEST(JsonScan, NumbersThatOverflowADoubleAreOutOfRange) {
  for (const char* n : {"1e400", "-1e400", "1e309", "1.7976931348623159e308", "[1e400]", "{\"a\":1e400}",
                        "1e99999999999999999999999"}) {
    const JsonScan s = ScanJson(n);
    EXPECT_FALSE(s.ok) << n;
    EXPECT_EQ(s.Error().rfind("number out of range at byte ", 0), 0u) << n << ": " << s.Error();
  }
  EXPECT_EQ(ScanJson("1e400").error_offset, 5u);
  const std::string huge_integer = "1" + std::string(400, '0');  // no fraction, but still a double
  EXPECT_EQ(ScanJson(huge_integer).Error().rfind("number out of range", 0), 0u);
  for (const char* n : {"1e308", "1.7976931348623157e308", "1.7976931348623158e308", "1e-400", "-1e-400",
                        "4.9e-324", "0e99999999999999999999999"}) {
    const JsonScan s = ScanJson(n);
    EXPECT_TRUE(s.ok) << n << ": " << s.Error();
    EXPECT_EQ(s.top, JsonKind::kNumber) << n;
  }
  // Where a number is not expected it is a syntax error, however large.
  EXPECT_EQ(ScanJson("{\"a\" 1e400}").Error().rfind("syntax error", 0), 0u);
  EXPECT_EQ(ScanJson("1 1e400").Error().rfind("syntax error", 0), 0u);
}

TEST(JsonScan, ErrorOffsetsAreTheBytesRead) {
  EXPECT_EQ(ScanJson("").error_offset, 1u);
  EXPECT_EQ(ScanJson("[1,").error_offset, 4u);
  EXPECT_EQ(ScanJson("{\"a\":1}}").error_offset, 8u);
  EXPECT_EQ(ScanJson("tru").error_offset, 4u);
  EXPECT_EQ(ScanJson("[1x]").error_offset, 3u);
  EXPECT_EQ(ScanJson("\"ab\x01\"").error_offset, 4u);
  EXPECT_EQ(ScanJson("[1,2").Error(), "syntax error at byte 5");
}

TEST(JsonScan, DeepNestingNeedsNoRecursion) {
  const std::size_t n = 100000;
  const JsonScan arrays = ScanJson(std::string(n, '[') + std::string(n, ']'));
  EXPECT_TRUE(arrays.ok) << arrays.Error();
  EXPECT_EQ(arrays.max_depth, n);
  std::string objects;
  for (std::size_t i = 0; i < n; ++i) objects += "{\"a\":";
  objects += "{\"k\":1,\"k\":2}" + std::string(n, '}');
  const JsonScan o = ScanJson(objects);
  EXPECT_TRUE(o.ok) << o.Error();
  EXPECT_EQ(o.max_depth, n + 1);
  EXPECT_EQ(o.first_duplicate.size(), 1 + 2 * n + 2) << "$ .a ... .k";
  ASSERT_EQ(o.members.size(), 1u);
  EXPECT_EQ(o.members[0].kind, JsonKind::kObject);
  // A megabyte of '[' is an error at the end, not a crash.
  const JsonScan open = ScanJson(std::string(1 << 20, '['));
  EXPECT_FALSE(open.ok);
  EXPECT_EQ(open.error_offset, (1u << 20) + 1);
  EXPECT_EQ(open.max_depth, 1u << 20);
}

TEST(JsonScan, ManyKeysInNestedObjectsAreHashedPerObject) {
  // Two wide objects open at once (the outer one hashed before the inner opens), then a third
  // after the inner closed; the repeat is in the third.
  std::string body = "{";
  for (int i = 0; i < 40; ++i) body += "\"o" + std::to_string(i) + "\":0,";
  body += "\"in\":{";
  for (int i = 0; i < 1000; ++i) body += "\"i" + std::to_string(i) + "\":[],";
  body += "\"last\":0},\"after\":[{";
  for (int i = 0; i < 40; ++i) body += "\"o" + std::to_string(i) + "\":0,";
  body += "\"\\u006f39\":1}],\"o5\":1}";
  const JsonScan s = ScanJson(body);
  ASSERT_TRUE(s.ok) << s.Error();
  EXPECT_EQ(s.first_duplicate, "$.after[].o39");
  EXPECT_EQ(s.members.size(), 42u);
  EXPECT_EQ(s.Find("o5")->kind, JsonKind::kInteger);
  EXPECT_EQ(s.Find("in")->kind, JsonKind::kObject);
  // Repeats of keys that had escapes, in a small and in a hashed object.
  EXPECT_EQ(ScanJson(R"({"\n":{"x":1,"\u0078":2}})").first_duplicate, "$.\n.x");
  std::string wide = R"({"w":{)";
  for (int i = 0; i < 20; ++i) wide += "\"k\\u00e9" + std::to_string(i) + "\":0,";
  wide += "\"k\xC3\xA9" "7\":1}}";
  EXPECT_EQ(ScanJson(wide).first_duplicate, "$.w.k\xC3\xA9" "7");
}

TEST(JsonScan, TopLevelStringValuesAreDecodedAndReplaced) {
  const JsonScan s = ScanJson(R"({"a":"x\u00e9\"y","b":"p\nq","a":"z","c":"\t","c":1,"d":"\/"})");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.Find("a")->string_value, "z");
  EXPECT_EQ(s.Find("b")->string_value, "p\nq");
  EXPECT_EQ(s.Find("c")->kind, JsonKind::kInteger);
  EXPECT_EQ(s.Find("c")->string_value, "");
  EXPECT_EQ(s.Find("d")->string_value, "/");
  EXPECT_EQ(s.members[0].name, "a");
}

// Each top-level member's value as sent: scalars, strings with escapes, containers of any depth,
// empty ones, and the last of a repeated key.
TEST(JsonScan, MembersKnowWhereTheirValueIsInTheText) {
  const std::string text = "\xEF\xBB\xBF { \"a\" : \"x\\\"y\" , \"b\":[1,{\"c\":[2,{}]}] ,\"e\":{},\"f\":[],"
                           "\"n\":-1.5e3 ,\"t\":true,\"a\":null,\"o\":{\"p\":{\"q\":\"}\"}}}";
  const JsonScan s = ScanJson(text);
  ASSERT_TRUE(s.ok) << s.Error();
  const auto raw = [&](const char* name) {
    const JsonScan::Member* m = s.Find(name);
    return m ? text.substr(m->value_begin, m->value_end - m->value_begin) : "(none)";
  };
  EXPECT_EQ(raw("a"), "null");
  EXPECT_EQ(raw("b"), "[1,{\"c\":[2,{}]}]");
  EXPECT_EQ(raw("e"), "{}");
  EXPECT_EQ(raw("f"), "[]");
  EXPECT_EQ(raw("n"), "-1.5e3");
  EXPECT_EQ(raw("t"), "true");
  EXPECT_EQ(raw("o"), "{\"p\":{\"q\":\"}\"}}");
  const JsonScan first = ScanJson(R"({"a" : "x\"y" })");
  ASSERT_TRUE(first.ok);
  EXPECT_EQ(std::string(R"({"a" : "x\"y" })").substr(first.members[0].value_begin, first.members[0].value_end - first.members[0].value_begin),
            R"("x\"y")");
}

TEST(JsonScan, WhatWasSeenBeforeAnErrorIsKept) {
  // As with the SAX parser before: top, depth and repeats up to the error; never members.
  const JsonScan s = ScanJson(R"({"a":{"b":1,"b":2},"c":[[)");
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.top, JsonKind::kObject);
  EXPECT_EQ(s.first_duplicate, "$.a.b");
  EXPECT_EQ(s.max_depth, 3u);
  EXPECT_TRUE(s.members.empty());
}

}  // namespace
}  // namespace chapcheck::spec
