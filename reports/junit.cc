#include "reports/junit.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include "base/utf8.h"

namespace chapcheck::reports {
namespace {

bool XmlAllowed(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Where text goes decides what must be escaped:
//   kNone: nowhere in particular (XmlSafe): nothing escaped;
//   kText: character data: & < > as entities, CR as a reference (a parser reads a raw CR as LF);
//   kAttribute: a "-quoted value: also " and tab and line breaks as references (a parser turns
//   raw ones into spaces).
enum class Where { kNone, kText, kAttribute };

// Per byte: what AppendXml does with it in each context. 0: copy as it is; 1: a
// control character XML forbids (U+FFFD); 2: escape; 3: not ASCII (decode the UTF-8 sequence).
constexpr std::array<std::uint8_t, 256> ByteClasses(Where where) {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t['\t'] = t['\n'] = t['\r'] = 0;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 3;
  if (where != Where::kNone) t['&'] = t['<'] = t['>'] = t['\r'] = 2;
  if (where == Where::kAttribute) t['"'] = t['\t'] = t['\n'] = 2;
  return t;
}
constexpr std::array<std::array<std::uint8_t, 256>, 3> kClasses = {ByteClasses(Where::kNone), ByteClasses(Where::kText),
                                                                   ByteClasses(Where::kAttribute)};

std::string_view Escape(char c) {
  switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\t': return "&#9;";
    case '\n': return "&#10;";
    default: return "&#13;";  // '\r'
  }
}

// Appends `s` made safe for XML 1.0 (invalid UTF-8 and characters XML forbids become U+FFFD)
// and escaped for `where`. One pass; runs of plain bytes are copied whole.
void AppendXml(std::string& out, std::string_view s, Where where) {
  const auto& cls = kClasses[static_cast<int>(where)];
  // By pointer: the fuzz build reports integer comparisons (an index against the size) to
  // libFuzzer, one per byte; pointer comparisons it leaves alone.
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p != end) {
    const char* const run = p;
    while (p != end && cls[static_cast<unsigned char>(*p)] == 0) ++p;
    out.append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    switch (cls[static_cast<unsigned char>(*p)]) {
      case 1:
        out += kReplacement;
        ++p;
        break;
      case 2:
        out += Escape(*p);
        ++p;
        break;
      default: {
        const std::size_t at = static_cast<std::size_t>(p - s.data());
        std::size_t next = at;
        const auto cp = utf8::DecodeNext(s, next);
        if (!cp || !XmlAllowed(*cp)) {
          out += kReplacement;
          p += cp ? next - at : 1;
        } else {
          out.append(p, next - at);
          p += next - at;
        }
      }
    }
  }
}

// A token-typed attribute (names) may not hold line breaks or tabs, nor be empty: whitespace
// becomes one space between words, none at either end; nothing left gives "(unnamed)". Writes
// into `out` (cleared first) and returns it.
const std::string& Folded(std::string_view t, std::string& out) {
  static constexpr std::string_view kSpace = " \n\r\t";
  out.clear();
  for (std::string_view rest = t;;) {
    const auto word = rest.find_first_not_of(kSpace);
    if (word == std::string_view::npos) break;
    rest.remove_prefix(word);
    const auto end = rest.find_first_of(kSpace);
    if (!out.empty()) out += ' ';
    out.append(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  if (out.empty()) out = "(unnamed)";
  return out;
}

// Writes the report as it goes: no document tree, and no copy of a text unless a secret in it
// has to be replaced. Element layout as pugixml's default format (two-space indent, " />").
class Writer {
 public:
  Writer(std::string& out, const Redactor& redact) : out_(out), redact_(redact) {}

  // <name (its attributes follow; then End, a child's Start, or TextAndEnd)
  void Start(std::string_view name) {
    if (open_) out_ += ">\n";
    out_.append(2 * stack_.size(), ' ');
    out_ += '<';
    out_ += name;
    stack_.push_back(name);
    open_ = true;
  }
  // A text attribute: redacted and made safe.
  void Attribute(std::string_view name, std::string_view value) {
    AttributeStart(name);
    AppendXml(out_, redact_.Apply(value, redacted_), Where::kAttribute);
    out_ += '"';
  }
  // A token attribute: redacted, folded (see Folded), redacted again (folding can make a secret
  // that holds whitespace out of text that held it otherwise: "ab\tcd" for "ab cd") and made safe.
  void Token(std::string_view name, std::string_view value) {
    AttributeStart(name);
    AppendXml(out_, redact_.Apply(Folded(redact_.Apply(value, redacted_), folded_), refolded_), Where::kAttribute);
    out_ += '"';
  }
  // An attribute whose value is ours and needs no escaping (numbers).
  void Plain(std::string_view name, std::string_view value) {
    AttributeStart(name);
    out_ += value;
    out_ += '"';
  }
  void Number(std::string_view name, long long value) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    Plain(name, std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }
  void Seconds(std::string_view name, double s) {
    char buf[32];
    // Clamped, so that it is always an xs:decimal that fits: never "inf", "nan" or cut digits.
    const double clamped = s >= 0 ? std::min(s, 1e12) : 0.0;
    const int n = std::snprintf(buf, sizeof buf, "%.3f", clamped);
    Plain(name, std::string_view(buf, n > 0 ? std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1) : 0));
  }
  // The element's whole content is this text; then it ends.
  void TextAndEnd(std::string_view text) {
    out_ += '>';
    AppendXml(out_, redact_.Apply(text, redacted_), Where::kText);
    out_ += "</";
    out_ += stack_.back();
    out_ += ">\n";
    stack_.pop_back();
    open_ = false;
  }
  void End() {
    const std::string_view name = stack_.back();
    stack_.pop_back();
    if (open_) {
      out_ += " />\n";
    } else {
      out_.append(2 * stack_.size(), ' ');
      out_ += "</";
      out_ += name;
      out_ += ">\n";
    }
    open_ = false;
  }

 private:
  void AttributeStart(std::string_view name) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
  }

  std::string& out_;
  const Redactor& redact_;
  std::vector<std::string_view> stack_;  // element names: literals
  bool open_ = false;                    // the last start tag is not closed yet
  std::string redacted_, folded_, refolded_;  // scratch, reused
};

}  // namespace

void Redactor::Add(std::string secret) {
  if (secret.empty()) return;
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.push_back(std::move(secret));
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string_view Redactor::Apply(std::string_view text, std::string& scratch) const {
  bool copied = false;
  for (const auto& s : secrets_) {
    const std::string_view now = copied ? std::string_view(scratch) : text;
    if (now.find(s) == std::string_view::npos) continue;
    if (!copied) scratch.assign(text);
    copied = true;
    for (std::size_t at = scratch.find(s); at != std::string::npos; at = scratch.find(s, at + 3)) {
      scratch.replace(at, s.size(), "***");
    }
  }
  return copied ? std::string_view(scratch) : text;
}

std::string Redactor::operator()(std::string_view text) const {
  std::string scratch;
  return std::string(Apply(text, scratch));
}

std::string XmlSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendXml(out, s, Where::kNone);
  return out;
}

std::string JunitXml(const Run& run, const Redactor& redact) {
  std::size_t estimate = 256;
  for (const TestSuite& suite : run.suites) {
    estimate += 256 + suite.name.size() + run.hostname.size() + suite.system_out.size() + suite.system_err.size();
    for (const auto& [k, v] : suite.properties) estimate += 48 + k.size() + v.size();
    for (const auto& c : suite.cases) {
      estimate += 128 + c.name.size() + c.classname.size() + c.message.size() + c.type.size() + c.text.size();
    }
  }
  std::string out;
  out.reserve(estimate + estimate / 8);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  Writer w(out, redact);
  w.Start("testsuites");
  long long id = 0;
  for (const TestSuite& suite : run.suites) {
    long long failures = 0, errors = 0, skipped = 0;
    double total = 0;
    for (const auto& c : suite.cases) {
      failures += c.outcome == Outcome::kFailed;
      errors += c.outcome == Outcome::kError;
      skipped += c.outcome == Outcome::kSkipped;
      total += c.seconds;
    }
    w.Start("testsuite");
    w.Token("name", suite.name);
    w.Token("package", suite.name);
    w.Number("id", id++);
    w.Attribute("timestamp", run.timestamp);
    w.Token("hostname", run.hostname);
    w.Number("tests", static_cast<long long>(suite.cases.size()));
    w.Number("failures", failures);
    w.Number("errors", errors);
    w.Number("skipped", skipped);
    w.Seconds("time", total);
    w.Start("properties");
    for (const auto& [k, v] : suite.properties) {
      w.Start("property");
      w.Token("name", k);
      w.Attribute("value", v);
      w.End();
    }
    w.End();
    for (const auto& c : suite.cases) {
      w.Start("testcase");
      w.Token("name", c.name);
      w.Token("classname", c.classname.empty() ? suite.name : c.classname);
      w.Seconds("time", c.seconds);
      if (c.outcome != Outcome::kPassed) {
        w.Start(c.outcome == Outcome::kFailed ? "failure" : c.outcome == Outcome::kError ? "error" : "skipped");
        w.Attribute("message", c.message);
        if (c.outcome != Outcome::kSkipped) w.Attribute("type", c.type.empty() ? std::string_view("failure") : c.type);
        if (c.outcome != Outcome::kSkipped && !c.text.empty()) {
          w.TextAndEnd(c.text);
        } else {
          w.End();
        }
      }
      w.End();
    }
    w.Start("system-out");
    w.TextAndEnd(suite.system_out);
    w.Start("system-err");
    w.TextAndEnd(suite.system_err);
    w.End();
  }
  w.End();
  return out;
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
