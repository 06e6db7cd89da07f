#include "reports/junit.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <pugixml.hpp>

#include "base/utf8.h"

namespace chapcheck::reports {
namespace {

bool XmlAllowed(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// The ASCII that XML 1.0 allows (tab, line breaks, 0x20 to 0x7F), copied as it is.
constexpr std::array<bool, 256> kXmlPlainAscii = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c <= 0x7F; ++c) t[c] = true;
  t['\t'] = t['\n'] = t['\r'] = true;
  return t;
}();

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", std::max(0.0, s));
  return buf;
}

}  // namespace

void Redactor::Add(std::string secret) {
  if (secret.empty()) return;
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.push_back(std::move(secret));
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::operator()(std::string_view text) const {
  std::string out(text);
  for (const auto& s : secrets_) {
    for (std::size_t at = out.find(s); at != std::string::npos; at = out.find(s, at + 3)) out.replace(at, s.size(), "***");
  }
  return out;
}

std::string XmlSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) {
    // Allowed ASCII is the common case: copy such runs whole.
    const std::size_t run = static_cast<std::size_t>(
        std::find_if(s.begin() + static_cast<std::ptrdiff_t>(pos), s.end(),
                     [](char c) { return !kXmlPlainAscii[static_cast<unsigned char>(c)]; }) -
        s.begin());
    if (run != pos) {
      out.append(s.substr(pos, run - pos));
      pos = run;
      continue;
    }
    if (static_cast<unsigned char>(s[pos]) < 0x80) {  // a control character XML forbids
      out += "\xEF\xBF\xBD";                          // U+FFFD
      ++pos;
      continue;
    }
    std::size_t next = pos;
    const auto cp = utf8::DecodeNext(s, next);
    if (!cp || !XmlAllowed(*cp)) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      pos = cp ? next : pos + 1;
      continue;
    }
    out.append(s.substr(pos, next - pos));
    pos = next;
  }
  return out;
}

std::string JunitXml(const Run& run, const Redactor& redact) {
  auto clean = [&](std::string_view t) { return XmlSafe(redact(t)); };
  // A token-typed attribute (names) may not hold line breaks or tabs, nor be empty: whitespace
  // becomes one space between words, none at either end.
  auto token = [&](std::string_view t) {
    static constexpr std::string_view kSpace = " \n\r\t";
    const std::string v = clean(t);
    std::string folded;
    folded.reserve(v.size());
    for (std::string_view rest = v;;) {
      const auto word = rest.find_first_not_of(kSpace);
      if (word == std::string_view::npos) break;
      rest.remove_prefix(word);
      const auto end = rest.find_first_of(kSpace);
      if (!folded.empty()) folded += ' ';
      folded.append(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end);
    }
    if (folded.empty()) return std::string("(unnamed)");
    return folded;
  };
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("testsuites");
  int id = 0;
  for (const TestSuite& suite : run.suites) {
    auto node = root.append_child("testsuite");
    int failures = 0, errors = 0, skipped = 0;
    double total = 0;
    for (const auto& c : suite.cases) {
      failures += c.outcome == Outcome::kFailed;
      errors += c.outcome == Outcome::kError;
      skipped += c.outcome == Outcome::kSkipped;
      total += c.seconds;
    }
    const std::string name = token(suite.name);
    node.append_attribute("name") = name.c_str();
    node.append_attribute("package") = name.c_str();
    node.append_attribute("id") = id++;
    node.append_attribute("timestamp") = run.timestamp.c_str();
    node.append_attribute("hostname") = token(run.hostname).c_str();
    node.append_attribute("tests") = static_cast<int>(suite.cases.size());
    node.append_attribute("failures") = failures;
    node.append_attribute("errors") = errors;
    node.append_attribute("skipped") = skipped;
    node.append_attribute("time") = Seconds(total).c_str();
    auto props = node.append_child("properties");
    for (const auto& [k, v] : suite.properties) {
      auto p = props.append_child("property");
      p.append_attribute("name") = token(k).c_str();
      p.append_attribute("value") = clean(v).c_str();
    }
    for (const auto& c : suite.cases) {
      auto tc = node.append_child("testcase");
      tc.append_attribute("name") = token(c.name).c_str();
      tc.append_attribute("classname") = token(c.classname.empty() ? suite.name : c.classname).c_str();
      tc.append_attribute("time") = Seconds(c.seconds).c_str();
      if (c.outcome == Outcome::kPassed) continue;
      const char* kind = c.outcome == Outcome::kFailed ? "failure" : c.outcome == Outcome::kError ? "error" : "skipped";
      auto e = tc.append_child(kind);
      e.append_attribute("message") = clean(c.message).c_str();
      if (c.outcome != Outcome::kSkipped) {
        e.append_attribute("type") = clean(c.type.empty() ? std::string("failure") : c.type).c_str();
        if (!c.text.empty()) e.append_child(pugi::node_pcdata).set_value(clean(c.text).c_str());
      }
    }
    node.append_child("system-out").append_child(pugi::node_pcdata).set_value(clean(suite.system_out).c_str());
    node.append_child("system-err").append_child(pugi::node_pcdata).set_value(clean(suite.system_err).c_str());
  }
  struct Appender : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
  } writer;
  doc.save(writer, "  ", pugi::format_default, pugi::encoding_utf8);
  return std::move(writer.out);
}

std::string TimestampNow() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

}  // namespace chapcheck::reports
