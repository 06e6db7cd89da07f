// JUnit XML for CI gates (Jenkins, GitLab, GitHub test reporters), valid against the strict Ant
// schema (tests/data/junit/junit.xsd): every suite carries properties, system-out and
// system-err; a test case is passed, failed, skipped or errored; per-case details (rule, case id,
// expected, actual, reproducer) travel in the failure's text, since the schema gives test cases
// no properties.
//
// Any text may go in: names, messages and outputs are made XML 1.0-safe (characters XML forbids
// and invalid UTF-8 become U+FFFD, never written raw), and the Redactor replaces secrets before
// anything is written. The writer streams: no document tree, and no copy of a text unless a secret
// in it is replaced (pugixml, in the tests and fuzz_junit, is the independent reader that checks
// it). Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chapcheck::reports {

enum class Outcome { kPassed, kFailed, kSkipped, kError };

struct TestCase {
  std::string name;
  std::string classname;
  double seconds = 0;
  Outcome outcome = Outcome::kPassed;
  std::string message;  // failure, error or skip message (one line)
  std::string type;     // failure or error type: the check's name
  std::string text;     // failure or error body: the details
};

struct TestSuite {
  std::string name;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<TestCase> cases;
  std::string system_out;
  std::string system_err;
};

struct Run {
  std::string timestamp;  // YYYY-MM-DDTHH:MM:SS, no zone (the schema's pattern)
  std::string hostname = "localhost";
  std::vector<TestSuite> suites;
};

// Replaces every occurrence of each secret (longest first) with "***".
class Redactor {
 public:
  void Add(std::string secret);
  std::string operator()(std::string_view text) const;
  // The same without a copy when no secret occurs: returns `text` itself, or the redacted text
  // written into `scratch`.
  std::string_view Apply(std::string_view text, std::string& scratch) const;

 private:
  std::vector<std::string> secrets_;
};

// Text XML 1.0 can carry: invalid UTF-8 and forbidden characters (most controls, U+FFFE, U+FFFF)
// become U+FFFD.
std::string XmlSafe(std::string_view text);

// The whole report as <testsuites>; `redact` is applied to every text before it is written.
std::string JunitXml(const Run& run, const Redactor& redact);

// The current UTC time in the schema's form.
std::string TimestampNow();

}  // namespace chapcheck::reports
