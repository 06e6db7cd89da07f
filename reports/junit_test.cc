#include "reports/junit.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <random>

namespace chapcheck::reports {
namespace {

// Validates with the strict Ant schema via xmllint (libxml2-utils); returns xmllint's exit code.
int ValidateWithXmllint(const std::string& xml) {
  const auto path = std::filesystem::temp_directory_path() / ("junit-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(path, std::ios::binary) << xml;
  const std::string cmd = "xmllint --noout --schema " + std::string(CHAPCHECK_TEST_DATA) + "/junit/junit.xsd " +
                          path.string() + " >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  std::filesystem::remove(path);
  return rc;
}

Run HostileRun() {
  reports::Run run;
  run.timestamp = "2026-11-24T12:00:00";
  TestSuite s;
  s.name = "status-code";
  s.properties = {{"rule", "SecretToAuthenticateInitiator.length"}, {"secret", "hunter2hunter2"}, {"ctl", "a\x01" "b"}};
  s.cases.push_back({"passes", "", 0.001, Outcome::kPassed, "", "", ""});
  s.cases.push_back({"fails \x01\x02 <&> \"q\" ]]> \xff\xfe end", "cls", 0.5, Outcome::kFailed,
                     "expected 400 got 200 with hunter2hunter2", "status_code_conformance",
                     "rule: x\ncase: c1\nexpected: 400\nactual: 200\nbody: {\"s\":\"hunter2hunter2\"}\n\x07\x1b[0m"});
  s.cases.push_back({"", "", 0, Outcome::kSkipped, "no iSCSI portal configured", "", ""});
  s.cases.push_back({"errs", "", 0, Outcome::kError, "endpoint unreachable", "", "connection refused"});
  s.cases.push_back({std::string("nul\0inside", 10), "", 0, Outcome::kPassed, "", "", ""});
  s.system_out = "log line hunter2hunter2\x0c";
  s.system_err = "";
  run.suites.push_back(s);
  TestSuite empty;
  empty.name = "  ";
  run.suites.push_back(empty);
  return run;
}

TEST(Junit, HostileTextStillValidatesAgainstTheStrictSchema) {
  Redactor redact;
  redact.Add("hunter2hunter2");
  const std::string xml = JunitXml(HostileRun(), redact);
  EXPECT_EQ(ValidateWithXmllint(xml), 0) << xml;
  EXPECT_EQ(xml.find("hunter2"), std::string::npos) << "a secret reached the report";
  for (char c : xml) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\n' || c == '\t' || c == '\r') << "raw control character " << int(u);
  }
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_EQ(suite.attribute("tests").as_int(), 5);
  EXPECT_EQ(suite.attribute("failures").as_int(), 1);
  EXPECT_EQ(suite.attribute("errors").as_int(), 1);
  EXPECT_EQ(suite.attribute("skipped").as_int(), 1);
  auto failure = suite.find_child_by_attribute("testcase", "classname", "cls").child("failure");
  EXPECT_STREQ(failure.attribute("type").value(), "status_code_conformance");
  EXPECT_NE(std::string(failure.child_value()).find("expected: 400"), std::string::npos);
}

TEST(Junit, NamesAreTrimmedTokensWithSingleSpacesAndNeverEmpty) {
  reports::Run run;
  run.timestamp = "2026-11-24T12:00:00";
  TestSuite s;
  s.name = "\t suite \r\n name  ";
  s.cases.push_back({"  a\tb\n\nc   d ", "x  y", 0, Outcome::kPassed, "", "", ""});
  s.cases.push_back({" \t\r\n ", "", 0, Outcome::kPassed, "", "", ""});
  run.suites.push_back(s);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(JunitXml(run, Redactor()).c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("name").value(), "suite name");
  auto tc = suite.child("testcase");
  EXPECT_STREQ(tc.attribute("name").value(), "a b c d");
  EXPECT_STREQ(tc.attribute("classname").value(), "x y");
  tc = tc.next_sibling("testcase");
  EXPECT_STREQ(tc.attribute("name").value(), "(unnamed)");
  EXPECT_STREQ(tc.attribute("classname").value(), "suite name");
}

TEST(Junit, TheValidatorRejectsWhatTheSchemaForbids) {
  // Proof that the validation above can fail: a report without system-out is refused.
  EXPECT_NE(ValidateWithXmllint("<testsuites><testsuite name=\"a\" timestamp=\"2026-01-01T00:00:00\" hostname=\"h\" "
                                "tests=\"0\" failures=\"0\" errors=\"0\" time=\"0\" package=\"a\" id=\"0\">"
                                "<properties/><system-err/></testsuite></testsuites>"),
            0);
}

TEST(Junit, XmlSafeKeepsValidTextAndReplacesTheRest) {
  EXPECT_EQ(XmlSafe("plain \xC3\xA9 \xF0\x9F\x98\x80\n\t"), "plain \xC3\xA9 \xF0\x9F\x98\x80\n\t");
  EXPECT_EQ(XmlSafe(std::string("a\0b", 3)), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(XmlSafe("a\x7f\x1f\x01" "b"), "a\x7f\xEF\xBF\xBD\xEF\xBF\xBD" "b");  // DEL is allowed XML, controls not
  EXPECT_EQ(XmlSafe("\xEF\xBF\xBE"), "\xEF\xBF\xBD");  // U+FFFE
  EXPECT_EQ(XmlSafe("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate's bytes
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    const std::string safe = XmlSafe(s);
    pugi::xml_document doc;
    doc.append_child("x").append_child(pugi::node_pcdata).set_value(safe.c_str());
    std::ostringstream os;
    doc.save(os);
    pugi::xml_document back;
    EXPECT_TRUE(back.load_string(os.str().c_str())) << i;
  }
}

// What goes in comes back out of a parser exactly, once made XML-safe: markup characters, quotes,
// and tabs and line breaks in attribute values (which a parser would turn into spaces if they
// were written raw) and CRs in text (which it would turn into LFs).
TEST(Junit, TextsAndValuesSurviveTheRoundTripThroughAParser) {
  static constexpr char kAlphabet[] = "ab &<>\"'\t\n\r]]>\x01\x7f\xC3\xA9\xEF\xBF\xBE\xFF";
  std::mt19937 rng(11);
  for (int i = 0; i < 1000; ++i) {
    std::string s(rng() % 24, ' ');
    for (char& c : s) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
    reports::Run run;
    run.timestamp = "2026-11-24T12:00:00";
    TestSuite suite;
    suite.name = "s";
    suite.properties = {{"p", s}};
    suite.cases.push_back({"c", "", 0, Outcome::kFailed, s, s, s});
    suite.system_out = s;
    suite.system_err = s;
    run.suites.push_back(suite);
    const std::string xml = JunitXml(run, Redactor());
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(xml.c_str(), pugi::parse_default | pugi::parse_ws_pcdata)) << xml;
    const std::string want = XmlSafe(s);
    const auto node = doc.child("testsuites").child("testsuite");
    EXPECT_EQ(node.child("properties").child("property").attribute("value").value(), want) << i;
    const auto failure = node.child("testcase").child("failure");
    EXPECT_EQ(failure.attribute("message").value(), want) << i;
    EXPECT_EQ(failure.attribute("type").value(), s.empty() ? "failure" : want) << i;
    EXPECT_EQ(failure.child_value(), want) << i;
    EXPECT_EQ(node.child("system-out").child_value(), want) << i;
    EXPECT_EQ(node.child("system-err").child_value(), want) << i;
  }
}

TEST(Junit, SecretsAreRedactedInEveryPlaceAndTextWithoutOneIsUnchanged) {
  Redactor r;
  r.Add("hunter2hunter2");
  std::string scratch;
  const std::string_view plain = "nothing to hide";
  EXPECT_EQ(r.Apply(plain, scratch).data(), plain.data()) << "a text without a secret is not copied";
  EXPECT_EQ(r.Apply("a hunter2hunter2 b hunter2hunter2", scratch), "a *** b ***");
  reports::Run run;
  run.timestamp = "2026-11-24T12:00:00";
  run.hostname = "hunter2hunter2";
  TestSuite suite;
  suite.name = "hunter2hunter2";
  suite.properties = {{"hunter2hunter2", "hunter2hunter2"}};
  suite.cases.push_back({"hunter2hunter2", "hunter2hunter2", 0, Outcome::kError, "hunter2hunter2", "hunter2hunter2",
                         "hunter2hunter2"});
  suite.system_out = suite.system_err = "hunter2hunter2";
  run.suites.push_back(suite);
  const std::string xml = JunitXml(run, r);
  EXPECT_EQ(xml.find("hunter2"), std::string::npos) << xml;
  // A secret with a space, written with a tab in a name: folding the name must not reveal it.
  Redactor spaced;
  spaced.Add("open sesame 42");
  reports::Run named;
  named.timestamp = "2026-11-24T12:00:00";
  TestSuite folded;
  folded.name = "x open\tsesame   42 y";
  named.suites.push_back(folded);
  const std::string folded_xml = JunitXml(named, spaced);
  EXPECT_EQ(folded_xml.find("sesame"), std::string::npos) << folded_xml;
  EXPECT_NE(folded_xml.find("name=\"x *** y\""), std::string::npos) << folded_xml;
  EXPECT_NE(xml.find("<error message=\"***\" type=\"***\">***</error>"), std::string::npos) << xml;
}

TEST(Junit, RedactorReplacesEveryOccurrenceLongestFirst) {
  Redactor r;
  r.Add("abc");
  r.Add("abcdef");
  r.Add("");
  EXPECT_EQ(r("xabcdefyabcz"), "x***y***z");
  EXPECT_EQ(r("no secret"), "no secret");
}

}  // namespace
}  // namespace chapcheck::reports
