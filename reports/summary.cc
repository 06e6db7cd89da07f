#include "reports/summary.h"

#include <cstdio>
#include <sstream>

namespace chapcheck::reports {
namespace {

std::string Html(std::string_view text) {
  std::string out;
  for (char c : XmlSafe(text)) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Markdown table cells: no line breaks, no pipes.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : XmlSafe(text)) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

int Failed(const Summary& s) {
  int n = 0;
  for (const auto& c : s.checks) n += c.failed;
  return n;
}

}  // namespace

std::string MarkdownSummary(const Summary& s, const Redactor& redact) {
  std::ostringstream o;
  const int failed = Failed(s);
  o << "## " << Cell(redact(s.title)) << ": " << (failed ? "FAILED" : "passed") << "\n\n";
  o << "Endpoint `" << Cell(redact(s.endpoint)) << "`, spec `" << Cell(s.spec_origin) << "`, " << s.cases_sent << " of "
    << s.cases << " cases sent in " << Fixed(s.seconds) << " s";
  if (s.retried) o << ", " << s.retried << " retried after a transient answer";
  o << ".\n\n| check | passed | failed | should | skipped |\n|---|---:|---:|---:|---:|\n";
  for (const auto& c : s.checks) {
    o << "| `" << c.name << "` | " << c.passed << " | " << c.failed << " | " << c.should << " | " << c.skipped;
    if (!c.skip_reason.empty()) o << " (" << Cell(c.skip_reason) << ")";
    o << " |\n";
  }
  if (!s.failures.empty()) {
    o << "\n### Failures\n\n| check | case | expected | actual | reproducer |\n|---|---|---|---|---|\n";
    std::size_t shown = 0;
    for (const auto& f : s.failures) {
      if (++shown > 50) {
        o << "\n" << s.failures.size() - 50 << " more failures: see index.html and junit.xml.\n";
        break;
      }
      o << "| `" << f.check << "` | " << Cell(redact(f.case_name)) << " | " << Cell(redact(f.expected)) << " | "
        << Cell(redact(f.actual)) << " | `" << Cell(f.reproducer) << "` |\n";
    }
  }
  for (const auto& n : s.notes) o << "\n- " << Cell(redact(n));
  if (!s.notes.empty()) o << "\n";
  return o.str();
}

std::string HtmlReport(const Summary& s, const Redactor& redact) {
  auto h = [&](std::string_view t) { return Html(redact(t)); };
  std::ostringstream o;
  const int failed = Failed(s);
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << h(s.title) << "</title>\n<style>\n"
       "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}\n"
       "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}\n"
       ".fail{color:#b00020;font-weight:600}.pass{color:#1b7a1b}.should{color:#a66a00}.skip{color:#777}\n"
       "pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:12px}.side{display:flex;gap:1em}.side>div{flex:1}\n"
       "</style></head><body>\n";
  o << "<h1>" << h(s.title) << ": <span class=\"" << (failed ? "fail\">FAILED" : "pass\">passed") << "</span></h1>\n";
  o << "<p>Endpoint <code>" << h(s.endpoint) << "</code>, spec <code>" << h(s.spec_origin) << "</code>, started "
    << h(s.started) << " UTC, " << s.cases_sent << " of " << s.cases << " cases sent in " << Fixed(s.seconds) << " s";
  if (s.retried) o << ", " << s.retried << " retried after a transient answer";
  o << ".</p>\n";
  for (const auto& n : s.notes) o << "<p>" << h(n) << "</p>\n";

  o << "<h2>Checks</h2>\n<table><tr><th>check</th><th>clause</th><th>passed</th><th>failed</th><th>should</th><th>skipped</th></tr>\n";
  for (const auto& c : s.checks) {
    o << "<tr><td><code>" << h(c.name) << "</code></td><td>" << h(c.clause) << "</td><td class=\"pass\">" << c.passed
      << "</td><td class=\"" << (c.failed ? "fail" : "") << "\">" << c.failed << "</td><td class=\"should\">" << c.should
      << "</td><td class=\"skip\">" << c.skipped << (c.skip_reason.empty() ? "" : " (" + h(c.skip_reason) + ")")
      << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>Spec rules and coverage</h2>\n<p>Which rule each case aimed at, what it exercised, and whether the rule's "
       "error mapping is documented by AWS or inferred by chapcheck.</p>\n"
       "<table><tr><th>rule</th><th>phase</th><th>severity</th><th>error mapping</th><th>cases</th><th>passed</th>"
       "<th>failed</th><th>exercised</th></tr>\n";
  for (const auto& r : s.rules) {
    o << "<tr><td><code>" << h(r.rule) << "</code></td><td>" << h(r.phase) << "</td><td>" << h(r.severity) << "</td><td>"
      << (r.documented ? "documented" : "inferred") << " (" << h(r.source) << ")</td><td>" << r.cases
      << "</td><td class=\"pass\">" << r.passed << "</td><td class=\"" << (r.failed ? "fail" : "") << "\">" << r.failed
      << "</td><td>";
    for (std::size_t i = 0; i < r.exercised.size(); ++i) o << (i ? ", " : "") << h(r.exercised[i]);
    o << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>Failures (" << s.failures.size() << ")</h2>\n";
  for (const auto& f : s.failures) {
    o << "<h3 id=\"" << h(f.case_id) << "\"><code>" << h(f.check) << "</code>: " << h(f.case_name) << "</h3>\n<p>"
      << h(f.clause) << "<br>" << h(f.message) << "<br>expected <b>" << h(f.expected) << "</b>, got <b>" << h(f.actual)
      << "</b>" << (f.reproducer.empty() ? "" : "<br>reproduce: <code>chapcheck replay " + h(f.reproducer) + "</code>")
      << "</p>\n"
      << "<div class=\"side\"><div><b>request</b><pre>" << h(f.request) << "</pre></div><div><b>response</b><pre>"
      << h(f.response) << "</pre></div></div>\n";
  }
  o << "</body></html>\n";
  return o.str();
}

}  // namespace chapcheck::reports
