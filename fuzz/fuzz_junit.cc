// fuzz_junit: any text into the JUnit writer (reports/junit.h). The input's NUL-separated fields
// become suite names, properties, case names, class names, messages, types, texts and outputs,
// with outcomes and a secret taken from the bytes. The XML must always be well-formed (pugixml
// parses it), carry no character XML 1.0 forbids (raw, whatever came in), have the attributes the
// strict Ant schema requires, count its cases right, and never show the secret. Findings abort.
// (The full XSD validation with xmllint runs on a few outputs in ctest: fuzz/junit_xsd_test.sh.)
#include <array>
#include <cstdio>
#include <cstdlib>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "reports/junit.h"

namespace {

using namespace chapcheck;

[[noreturn]] void Finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_junit: %s\n", what.c_str());
  std::abort();
}

// The ASCII XML 1.0 allows: tab, LF, CR, and 0x20 to 0x7E (DEL goes through XmlChar below).
constexpr std::array<bool, 256> kPlainAscii = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7F; ++c) t[c] = true;
  t['\t'] = t['\n'] = t['\r'] = true;
  return t;
}();

bool XmlChar(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Every name in `names` is an attribute of `node`. One pass over the node's attributes, each
// name compared by hand: pugixml's attribute(name) is a strcmp per attribute per lookup, and
// every strcmp also goes through the sanitizer's and libFuzzer's hooks.
void RequireAttributes(const pugi::xml_node& node, std::initializer_list<std::string_view> names) {
  std::uint32_t found = 0;
  for (const pugi::xml_attribute a : node.attributes()) {
    const char* have = a.name();
    std::uint32_t bit = 1;
    for (std::string_view want : names) {
      std::size_t i = 0;
      while (i < want.size() && have[i] == want[i]) ++i;
      if (i == want.size() && have[i] == '\0') found |= bit;
      bit <<= 1;
    }
  }
  std::uint32_t bit = 1;
  for (std::string_view want : names) {
    if (!(found & bit)) Finding(std::string("<") + node.name() + "> without " + std::string(want));
    bit <<= 1;
  }
}

// True when the text is letters and digits, with at least one of each: a secret that cannot
// appear in the XML by construction (markup, "***", "(unnamed)", numbers, the escapes).
bool Plain(std::string_view s) {
  bool digit = false, alpha = false;
  for (unsigned char c : s) {
    if (!std::isalnum(c)) return false;
    digit = digit || std::isdigit(c);
    alpha = alpha || std::isalpha(c);
  }
  return digit && alpha;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> fields;
  fields.reserve(64);
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (fields.size() < 64) {
    const auto at = rest.find('\0');
    fields.push_back(rest.substr(0, at));
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + 1);
  }
  std::size_t next = 0;
  auto view = [&]() -> std::string_view { return next < fields.size() ? fields[next++] : std::string_view(); };
  auto field = [&]() { return std::string(view()); };

  reports::Run run;
  run.timestamp = "2026-11-19T12:00:00";
  run.hostname = field();
  reports::Redactor redact;
  const std::string secret = field();
  const bool check_secret = secret.size() >= 6 && Plain(secret);
  redact.Add(secret);
  std::size_t cases = 0;
  while (next < fields.size()) {
    reports::TestSuite suite;
    suite.name = field();
    std::string key = field();  // (one statement each: argument order is unspecified)
    suite.properties.emplace_back(std::move(key), field());
    const std::size_t n = view().size() % 5;
    for (std::size_t i = 0; i < n && next < fields.size(); ++i) {
      reports::TestCase c;
      c.name = field();
      c.classname = field();
      const std::string_view kind = view();
      c.outcome = static_cast<reports::Outcome>(kind.empty() ? 0 : static_cast<unsigned char>(kind[0]) % 4);
      c.seconds = kind.size() > 1 ? static_cast<unsigned char>(kind[1]) / 7.0 : 0;
      c.message = field();
      c.type = field();
      c.text = field();
      suite.cases.push_back(std::move(c));
      ++cases;
    }
    suite.system_out = field();
    suite.system_err = field();
    run.suites.push_back(std::move(suite));
  }

  std::string xml = reports::JunitXml(run, redact);
  // For the XSD check in ctest (fuzz/junit_xsd_test.sh): each output also goes to a file.
  static const char* dump_dir = std::getenv("FUZZ_JUNIT_DUMP_DIR");
  if (dump_dir) {
    static int n = 0;
    const std::string path = std::string(dump_dir) + "/" + std::to_string(n++) + ".xml";
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
      std::fwrite(xml.data(), 1, xml.size(), f);
      std::fclose(f);
    }
  }
  // By pointer over the ASCII XML allows (the fuzz build reports an index comparison per byte
  // to libFuzzer); each other byte starts a UTF-8 sequence that must decode to a character XML allows.
  const char* const begin = xml.data();
  const char* const end = begin + xml.size();
  for (const char* p = begin; p != end;) {
    if (kPlainAscii[static_cast<unsigned char>(*p)]) {
      ++p;
      continue;
    }
    std::size_t pos = static_cast<std::size_t>(p - begin);
    const auto cp = utf8::DecodeNext(xml, pos);
    if (!cp) Finding("invalid UTF-8 at byte " + std::to_string(p - begin));
    if (!XmlChar(*cp)) Finding("a character XML 1.0 forbids near byte " + std::to_string(p - begin));
    p = begin + pos;
  }
  if (check_secret && xml.find(secret) != std::string::npos) Finding("the secret reached the XML");
  pugi::xml_document doc;  // parses in place: the XML is not read again after this
  const auto parsed = doc.load_buffer_inplace(xml.data(), xml.size(), pugi::parse_default | pugi::parse_declaration);
  if (!parsed) Finding(std::string("not well-formed: ") + parsed.description());
  const pugi::xml_node root = doc.child("testsuites");
  if (!root) Finding("no <testsuites>");
  std::size_t seen_suites = 0, seen_cases = 0;
  for (const auto& suite : root.children("testsuite")) {
    ++seen_suites;
    RequireAttributes(suite, {"name", "package", "id", "timestamp", "hostname", "tests", "failures", "errors", "time"});
    if (std::string_view(suite.attribute("name").value()).empty()) Finding("an empty suite name");
    if (!suite.child("properties") || !suite.child("system-out") || !suite.child("system-err")) {
      Finding("a suite without properties, system-out or system-err");
    }
    std::size_t here = 0;
    for (const auto& tc : suite.children("testcase")) {
      ++here;
      RequireAttributes(tc, {"name", "classname", "time"});
      for (const char* kind : {"failure", "error"}) {
        if (const auto e = tc.child(kind)) RequireAttributes(e, {"message", "type"});
      }
    }
    if (suite.attribute("tests").as_ullong() != here) Finding("tests= does not count the cases");
    seen_cases += here;
  }
  if (seen_suites != run.suites.size() || seen_cases != cases) Finding("suites or cases were lost");
  return 0;
}
