#include "spec/spec.h"

#include <algorithm>

namespace chapcheck::spec {

std::string_view ToString(Severity s) { return s == Severity::kMust ? "must" : "should"; }

std::string_view ToString(Phase p) {
  switch (p) {
    case Phase::kAuthentication: return "authentication";
    case Phase::kOperation: return "operation";
    case Phase::kSerialization: return "serialization";
    case Phase::kValidation: return "validation";
    case Phase::kFormat: return "format";
    case Phase::kLookup: return "lookup";
  }
  return "?";
}

std::string_view ToString(JsonType t) {
  switch (t) {
    case JsonType::kString: return "string";
    case JsonType::kNumber: return "number";
    case JsonType::kInteger: return "integer";
    case JsonType::kBoolean: return "boolean";
    case JsonType::kObject: return "object";
    case JsonType::kArray: return "array";
  }
  return "?";
}

std::string_view ToString(LengthUnit u) {
  return u == LengthUnit::kCharacters ? "characters" : "utf8-bytes";
}

std::string_view ToString(MemberRuleKind k) {
  switch (k) {
    case MemberRuleKind::kType: return "type";
    case MemberRuleKind::kRequired: return "required";
    case MemberRuleKind::kLength: return "length";
    case MemberRuleKind::kPattern: return "pattern";
    case MemberRuleKind::kFormat: return "format";
  }
  return "?";
}

std::string_view ToString(Condition c) {
  switch (c) {
    case Condition::kAuthMissing: return "auth-missing";
    case Condition::kAuthMalformed: return "auth-malformed";
    case Condition::kAuthUnknownKey: return "auth-unknown-key";
    case Condition::kAuthBadSignature: return "auth-bad-signature";
    case Condition::kAuthExpired: return "auth-expired";
    case Condition::kMethodOrPath: return "method-or-path";
    case Condition::kUnknownTarget: return "unknown-target";
    case Condition::kContentType: return "content-type";
    case Condition::kBodyNotJson: return "body-not-json";
    case Condition::kBodyNotObject: return "body-not-object";
    case Condition::kDuplicateKeys: return "duplicate-keys";
  }
  return "?";
}

std::string_view ToString(EffectKind k) {
  switch (k) {
    case EffectKind::kConnectionsClosed: return "connections-closed";
    case EffectKind::kConnectionsKept: return "connections-kept";
    case EffectKind::kOldSecretRefused: return "old-secret-refused";
    case EffectKind::kNewSecretAccepted: return "new-secret-accepted";
    case EffectKind::kMutualChapIffMember: return "mutual-chap-iff-member";
    case EffectKind::kStateUnchanged: return "state-unchanged";
  }
  return "?";
}

const MemberRule* Member::Find(MemberRuleKind kind) const {
  for (const auto& r : rules) {
    if (r.kind == kind) return &r;
  }
  return nullptr;
}

const TargetPrefix* Protocol::CurrentTarget() const {
  for (const auto& t : targets) {
    if (t.current) return &t;
  }
  return targets.empty() ? nullptr : &targets.front();
}

const ErrorType* Errors::FindType(std::string_view name) const {
  for (const auto& t : types) {
    if (t.name == name) return &t;
    if (std::find(t.aliases.begin(), t.aliases.end(), name) != t.aliases.end()) return &t;
  }
  return nullptr;
}

const Member* Spec::FindMember(std::string_view name) const {
  for (const auto& m : members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const Source* Spec::FindSource(std::string_view id) const {
  auto it = sources.find(std::string(id));
  return it == sources.end() ? nullptr : &it->second;
}

int Spec::PhaseRank(Phase p) const {
  auto it = std::find(phases.begin(), phases.end(), p);
  return it == phases.end() ? static_cast<int>(phases.size()) : static_cast<int>(it - phases.begin());
}

namespace {

// Calls visit(head) for every rule, in precedence order (by phase, then protocol, member, cross
// and lookup rules), until visit returns true; returns that rule, or nullptr.
template <class Visit>
const RuleHead* FirstInPrecedenceOrder(const Spec& s, Visit visit) {
  for (Phase phase : s.phases) {
    for (const auto& r : s.protocol.rules) {
      if (r.head.phase == phase && visit(r.head)) return &r.head;
    }
    for (const auto& m : s.members) {
      for (const auto& r : m.rules) {
        if (r.head.phase == phase && visit(r.head)) return &r.head;
      }
    }
    for (const auto& r : s.cross_rules) {
      if (r.head.phase == phase && visit(r.head)) return &r.head;
    }
    for (const auto& r : s.lookups) {
      if (r.head.phase == phase && visit(r.head)) return &r.head;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<const RuleHead*> Spec::RulesInPrecedenceOrder() const {
  std::vector<const RuleHead*> out;
  FirstInPrecedenceOrder(*this, [&](const RuleHead& r) {
    out.push_back(&r);
    return false;
  });
  return out;
}

// Without building the ordered list: the verdict oracles look rules up once per judged request.
const RuleHead* Spec::FindRule(std::string_view id) const {
  return FirstInPrecedenceOrder(*this, [&](const RuleHead& r) { return r.id == id; });
}

}  // namespace chapcheck::spec
