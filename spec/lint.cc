#include "spec/lint.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "base/utf8.h"
#include "spec/verdict.h"

namespace chapcheck::spec {
namespace {

using json = nlohmann::json;

void Add(std::vector<LintFinding>& out, LintLevel level, std::string where, std::string message) {
  out.push_back(LintFinding{level, std::move(where), std::move(message)});
}

std::string Bound(const LengthBound& b) {
  return std::to_string(b.min) + ".." + std::to_string(b.max) + " " + std::string(ToString(b.unit));
}

// Why `value` breaks the alternative reading, or nullopt when it does not. Sensitive values are
// described without their characters.
std::optional<std::string> BreaksAlternative(const Alternative& a, const Member& m, const std::string& value) {
  if (a.length) {
    std::size_t n = value.size();
    if (a.length->unit == LengthUnit::kCharacters) n = utf8::CountCodePoints(value).value_or(n);
    if (n < a.length->min || n > a.length->max) {
      return m.name + " is " + std::to_string(n) + " " + std::string(ToString(a.length->unit)) +
             ", outside " + Bound(*a.length);
    }
  }
  if (a.pattern) {
    if (auto mm = a.pattern->FirstMismatch(value)) {
      if (!mm->code_point || m.sensitive) return m.name + " does not match " + a.pattern->text();
      return m.name + " has " + utf8::Describe(*mm->code_point) + ", outside " + a.pattern->text();
    }
  }
  return std::nullopt;
}

void LintExamples(const Spec& spec, std::vector<LintFinding>& out) {
  if (spec.examples.empty()) Add(out, LintLevel::kWarning, "examples", "the spec has no examples to check its rules against");
  for (const Example& ex : spec.examples) {
    const std::string where = "examples." + ex.id;
    const Verdict v = Decide(spec, RequestFromExample(ex), AuthStatus::kValid, nullptr);
    if (v.outcome.decision != Decision::kAccept) {
      const RuleHead* rule = spec.FindRule(v.outcome.rule);
      Add(out, LintLevel::kError, where,
          "the spec's own rules reject this example: " + v.outcome.reason + " (rule " + v.outcome.rule +
              (rule ? ", source " + rule->source : std::string()) + ")");
    }
    if (ex.response_status != spec.output.status) {
      Add(out, LintLevel::kError, where,
          "response status " + std::to_string(ex.response_status) + " is not the output status " +
              std::to_string(spec.output.status));
    }
    const json request = json::parse(ex.body);
    const json response = json::parse(ex.response_body);
    for (const auto& [name, value] : response.items()) {
      const bool known = std::any_of(spec.output.members.begin(), spec.output.members.end(),
                                     [&name = name](const OutputMember& o) { return o.name == name; });
      if (!known) Add(out, LintLevel::kError, where, "response member " + name + " is not an output member");
    }
    for (const Echo& e : spec.output.echo) {
      if (!request.contains(e.input)) continue;
      if (!response.contains(e.output) || response[e.output] != request[e.input]) {
        Add(out, LintLevel::kError, where,
            "response " + e.output + " is not the request's " + e.input + " (rule " + e.id + ")");
      }
    }
  }
}

void LintAlternatives(const Spec& spec, std::vector<LintFinding>& out) {
  for (const Member& m : spec.members) {
    for (const MemberRule& r : m.rules) {
      for (const Alternative& a : r.alternatives) {
        std::vector<std::string> conflicts;
        for (const Example& ex : spec.examples) {
          const json body = json::parse(ex.body);
          if (!body.contains(m.name) || !body[m.name].is_string()) continue;
          if (auto why = BreaksAlternative(a, m, body[m.name].get<std::string>())) {
            conflicts.push_back("example " + ex.id + ": " + *why);
          }
        }
        std::string msg = "documented alternative from " + a.source + " (" + a.note + ")";
        if (conflicts.empty()) {
          msg += "; no example contradicts it. Resolution: " + a.resolution;
        } else {
          msg += " conflicts with ";
          for (std::size_t i = 0; i < conflicts.size(); ++i) msg += (i ? "; " : "") + conflicts[i];
          msg += ". Resolution: " + a.resolution;
        }
        Add(out, LintLevel::kInfo, r.head.id, msg);
      }
    }
  }
}

void LintCoverage(const Spec& spec, std::vector<LintFinding>& out) {
  std::set<Condition> have;
  for (const auto& r : spec.protocol.rules) have.insert(r.when);
  const std::pair<Condition, const char*> needed[] = {
      {Condition::kAuthMissing, "unauthenticated requests would be accepted"},
      {Condition::kUnknownTarget, "a request naming another operation would be judged as this one"},
      {Condition::kBodyNotJson, "a body that is not JSON would be accepted"},
      {Condition::kBodyNotObject, "a JSON array or scalar body would be accepted"},
  };
  for (const auto& [cond, consequence] : needed) {
    if (!have.count(cond)) {
      Add(out, LintLevel::kWarning, "protocol.rules",
          "no rule for condition " + std::string(ToString(cond)) + ": " + consequence);
    }
  }
  for (Phase p : spec.phases) {
    const auto rules = spec.RulesInPrecedenceOrder();
    if (std::none_of(rules.begin(), rules.end(), [&](const RuleHead* h) { return h->phase == p; })) {
      Add(out, LintLevel::kInfo, "phases", "phase " + std::string(ToString(p)) + " has no rules");
    }
  }
}

void LintMembers(const Spec& spec, std::vector<LintFinding>& out) {
  for (const Member& m : spec.members) {
    const MemberRule* type = m.Find(MemberRuleKind::kType);
    for (const MemberRule& r : m.rules) {
      if (r.kind != MemberRuleKind::kType && type && spec.PhaseRank(r.head.phase) < spec.PhaseRank(type->head.phase)) {
        Add(out, LintLevel::kWarning, r.head.id,
            "is evaluated in phase " + std::string(ToString(r.head.phase)) + ", before the type rule (" +
                std::string(ToString(type->head.phase)) + "); a value of the wrong type is never judged by it");
      }
    }
    const MemberRule* length = m.Find(MemberRuleKind::kLength);
    const MemberRule* pattern = m.Find(MemberRuleKind::kPattern);
    if (length && pattern && length->length.min == 0 && !pattern->pattern->allow_empty()) {
      Add(out, LintLevel::kInfo, pattern->head.id,
          "the length rule allows an empty value but " + pattern->pattern->text() + " does not");
    }
    if (pattern && pattern->pattern->members().none()) {
      Add(out, LintLevel::kError, pattern->head.id, "the pattern allows no character at all");
    }
  }
  for (const Echo& e : spec.output.echo) {
    if (const Member* m = spec.FindMember(e.input); m && m->sensitive) {
      Add(out, LintLevel::kError, e.id, "echoes " + m->name + ", a sensitive member, into the response");
    }
  }
  for (const Lookup& l : spec.lookups) {
    const Member* m = spec.FindMember(l.member);
    const MemberRule* f = m ? m->Find(MemberRuleKind::kFormat) : nullptr;
    if (f && spec.PhaseRank(f->head.phase) > spec.PhaseRank(l.head.phase)) {
      Add(out, LintLevel::kWarning, l.head.id, "runs before " + f->head.id + ", so a malformed value is looked up");
    }
  }
  for (const Effect& e : spec.effects) {
    if (e.kind != EffectKind::kMutualChapIffMember) continue;
    const Member* m = spec.FindMember(e.member);
    if (m && m->required) Add(out, LintLevel::kWarning, e.id, e.member + " is required, so 'iff present' is always true");
    if (m && !m->sensitive) Add(out, LintLevel::kWarning, e.id, e.member + " holds a secret but is not marked sensitive");
  }
}

void LintErrors(const Spec& spec, std::vector<LintFinding>& out) {
  std::set<std::string> used_outcomes, used_sources;
  for (const RuleHead* h : spec.RulesInPrecedenceOrder()) {
    used_outcomes.insert(h->outcome);
    used_sources.insert(h->source);
    used_sources.insert(h->outcome_source);
  }
  for (const auto& [name, def] : spec.errors.outcomes) {
    if (!used_outcomes.count(name)) Add(out, LintLevel::kInfo, "errors.outcomes." + name, "no rule yields this outcome");
    if (!def.error_code.empty() && !spec.errors.documented_codes.empty() &&
        std::find(spec.errors.documented_codes.begin(), spec.errors.documented_codes.end(), def.error_code) ==
            spec.errors.documented_codes.end()) {
      Add(out, LintLevel::kWarning, "errors.outcomes." + name,
          "errorCode " + def.error_code + " is not among the codes " + spec.errors.codes_source + " documents");
    }
  }
  for (const auto& code : spec.errors.transient_codes) {
    if (std::find(spec.errors.documented_codes.begin(), spec.errors.documented_codes.end(), code) ==
        spec.errors.documented_codes.end()) {
      Add(out, LintLevel::kWarning, "errors.codes.transient", code + " is not a documented code");
    }
  }
  // Which rules rest on documentation and which on the project's inference: a reader of any
  // report needs this; lint states the count once.
  std::size_t inferred = 0, total = 0;
  for (const RuleHead* h : spec.RulesInPrecedenceOrder()) {
    ++total;
    const Source* s = spec.FindSource(h->outcome_source);
    if (s && !s->documented) ++inferred;
  }
  Add(out, LintLevel::kInfo, "rules",
      std::to_string(total) + " rules; " + std::to_string(inferred) +
          " take their error mapping from an inferred source (project convention), the rest from documentation");
}

}  // namespace

std::string_view ToString(LintLevel l) {
  switch (l) {
    case LintLevel::kError: return "error";
    case LintLevel::kWarning: return "warning";
    case LintLevel::kInfo: return "info";
  }
  return "?";
}

std::vector<LintFinding> Lint(const Spec& spec) {
  std::vector<LintFinding> out;
  LintExamples(spec, out);
  LintAlternatives(spec, out);
  LintCoverage(spec, out);
  LintMembers(spec, out);
  LintErrors(spec, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const LintFinding& a, const LintFinding& b) { return a.level < b.level; });
  return out;
}

}  // namespace chapcheck::spec
