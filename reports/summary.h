// The reports a person reads: a Markdown summary (for a CI job summary) and a single-file HTML
// report (pass/fail per check and per spec rule, a coverage table, and every failure with its
// request and response side by side). Both are built from Summary, which the caller fills; every
// text goes through the caller's Redactor before it is written.
// Pure functions; any thread.
#pragma once

#include <string>
#include <vector>

#include "reports/junit.h"

namespace chapcheck::reports {

struct CheckRow {
  std::string name, family, clause;
  int passed = 0, failed = 0, should = 0, skipped = 0;
  std::string skip_reason;
};

struct RuleRow {
  std::string rule, phase, severity, source;
  bool documented = true;  // its error mapping comes from a documented source
  int cases = 0;           // cases aimed at it
  int passed = 0, failed = 0;
  std::vector<std::string> exercised;  // e.g. "bytes.11", "charset.upper"
};

struct FailureRow {
  std::string case_id, case_name, check, clause, message, expected, actual;
  std::string request, response;  // as sent and as received (redacted by the writer)
  std::string reproducer;         // path
};

struct Summary {
  std::string title;
  std::string endpoint;
  std::string spec_origin;
  std::string started;  // timestamp
  double seconds = 0;
  int cases = 0, cases_sent = 0, retried = 0;
  std::vector<CheckRow> checks;
  std::vector<RuleRow> rules;
  std::vector<FailureRow> failures;
  std::vector<std::string> notes;  // e.g. what the run changed and restored
};

std::string MarkdownSummary(const Summary& s, const Redactor& redact);
std::string HtmlReport(const Summary& s, const Redactor& redact);

}  // namespace chapcheck::reports
