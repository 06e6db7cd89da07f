#include "spec/verdict.h"

#include <algorithm>
#include <cctype>

#include "base/inline_arena.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "spec/arn_grammar.h"
#include "spec/json_scan.h"

namespace chapcheck::spec {
namespace {

bool TypeMatches(JsonType want, JsonKind got) {
  switch (want) {
    case JsonType::kString: return got == JsonKind::kString;
    case JsonType::kInteger: return got == JsonKind::kInteger;
    case JsonType::kNumber: return got == JsonKind::kInteger || got == JsonKind::kNumber;
    case JsonType::kBoolean: return got == JsonKind::kBoolean;
    case JsonType::kObject: return got == JsonKind::kObject;
    case JsonType::kArray: return got == JsonKind::kArray;
  }
  return false;
}

// A broken rule's reason, made only when the verdict explains itself (Detail::kFull); else an
// empty one, which costs nothing.
template <class Make>
std::optional<std::string> Broken(bool explain, Make make) {
  if (!explain) return std::string();
  return std::string(make());
}

// What one input member looks like in this request.
struct MemberState {
  const Member* member = nullptr;
  bool present = false;      // sent, and not a null that counts as absent
  bool sent_null = false;
  JsonKind kind = JsonKind::kNull;
  bool usable = false;       // present with the right JSON type: value rules can be evaluated
  std::string_view value;    // when usable and a string: Facts::scan's view (of the body, or decoded)
  bool format_ok = true;     // false when its format rule is broken (no key for lookups)
  ArnParts parts;
};

// The request's protocol-level facts, worked out once.
struct Facts {
  AuthStatus auth = AuthStatus::kValid;
  bool method_path_ok = true;
  enum class Target { kThis, kSibling, kUnknown } target = Target::kUnknown;
  std::string target_reason;
  std::string prefix;
  bool content_type_ok = true;
  std::string content_type_reason;
  JsonScan scan;
  bool readable = false;  // JSON and an object: member rules can be evaluated
};

Facts Observe(const Spec& spec, const Request& req, AuthStatus auth, bool explain) {
  Facts f;
  const std::string_view path_only = std::string_view(req.path).substr(0, req.path.find('?'));
  const std::string_view query = req.path.find('?') == std::string::npos
                                     ? std::string_view()
                                     : std::string_view(req.path).substr(req.path.find('?') + 1);
  if (auth == AuthStatus::kUnchecked) {
    const bool header = SeenHeader(req.headers, "Authorization").count > 0;
    const bool presigned = query.find("X-Amz-Signature=") != std::string_view::npos;
    f.auth = header || presigned ? AuthStatus::kValid : AuthStatus::kMissing;
  } else {
    f.auth = auth;
  }
  f.method_path_ok = req.method == spec.protocol.method && path_only == spec.protocol.path;

  const HeaderSeen targets = SeenHeader(req.headers, spec.protocol.target_header);
  if (targets.count == 0) {
    if (explain) f.target_reason = spec.protocol.target_header + " is missing";
  } else if (targets.count > 1) {
    if (explain) f.target_reason = spec.protocol.target_header + " is sent " + std::to_string(targets.count) + " times";
  } else {
    const std::string_view t = targets.first;
    const auto dot = t.rfind('.');
    const std::string_view prefix = dot == std::string_view::npos ? std::string_view() : t.substr(0, dot);
    const std::string_view op = dot == std::string_view::npos ? t : t.substr(dot + 1);
    const bool known_prefix = std::any_of(spec.protocol.targets.begin(), spec.protocol.targets.end(),
                                          [&](const TargetPrefix& p) { return p.prefix == prefix; });
    if (known_prefix && op == spec.operation) {
      f.target = Facts::Target::kThis;
      if (explain) f.prefix = std::string(prefix);
    } else if (known_prefix && std::find(spec.siblings.begin(), spec.siblings.end(), op) != spec.siblings.end()) {
      f.target = Facts::Target::kSibling;
      if (explain) {
        f.prefix = std::string(prefix);
        f.target_reason = spec.protocol.target_header + " names " + std::string(op) + ", another operation";
      }
    } else if (explain) {
      f.target_reason = known_prefix ? spec.protocol.target_header + " names no operation of the service"
                                     : spec.protocol.target_header + " has no known service prefix";
    }
  }

  const HeaderSeen types = SeenHeader(req.headers, "Content-Type");
  if (types.count == 0) {
    f.content_type_ok = false;
    if (explain) f.content_type_reason = "Content-Type is missing";
  } else if (types.count > 1) {
    f.content_type_ok = false;
    if (explain) f.content_type_reason = "Content-Type is sent " + std::to_string(types.count) + " times";
  } else {
    std::string_view media = types.first;
    if (spec.protocol.content_type_parameters.as == "ignored") media = TrimSpaces(media.substr(0, media.find(';')));
    f.content_type_ok = EqualsIgnoreAsciiCase(media, spec.protocol.content_type);
    if (!f.content_type_ok && explain) f.content_type_reason = "Content-Type is not " + spec.protocol.content_type;
  }

  const bool empty_as_object = req.body.empty() && spec.protocol.empty_body.as == "empty-object";
  f.scan = ScanJson(empty_as_object ? std::string_view("{}") : std::string_view(req.body));
  f.readable = f.scan.ok && f.scan.top == JsonKind::kObject;
  return f;
}

void ObserveMembers(const Spec& spec, const Facts& f, std::pmr::vector<MemberState>& out) {
  out.reserve(spec.members.size());
  for (const Member& m : spec.members) {
    MemberState st;
    st.member = &m;
    if (const JsonScan::Member* sent = f.scan.Find(m.name)) {
      st.kind = sent->kind;
      st.sent_null = sent->kind == JsonKind::kNull;
      st.present = !(st.sent_null && spec.protocol.null_member.as == "absent");
      st.usable = st.present && TypeMatches(m.type, sent->kind);
      if (st.usable && sent->kind == JsonKind::kString) st.value = sent->string_value;
    }
    out.push_back(std::move(st));
  }
}

std::string LengthReason(const MemberState& st, const LengthBound& b, std::size_t n) {
  return st.member->name + " is " + std::to_string(n) + " " +
         (b.unit == LengthUnit::kUtf8Bytes ? "UTF-8 bytes" : "characters") + ", outside " +
         std::to_string(b.min) + ".." + std::to_string(b.max);
}

// nullopt when the rule holds (or cannot be evaluated), else the reason it is broken (empty
// unless `explain`).
std::optional<std::string> CheckMemberRule(const Spec& spec, const MemberRule& r, MemberState& st, bool explain) {
  const Member& m = *st.member;
  switch (r.kind) {
    case MemberRuleKind::kType:
      if (st.present && !TypeMatches(m.type, st.kind)) {
        return Broken(explain, [&] {
          return m.name + " is a JSON " + std::string(ToString(st.kind)) + ", the contract says " +
                 std::string(ToString(m.type));
        });
      }
      return std::nullopt;
    case MemberRuleKind::kRequired:
      if (!st.present) {
        return Broken(explain, [&] { return m.name + (st.sent_null ? " is null (counts as missing)" : " is missing"); });
      }
      return std::nullopt;
    case MemberRuleKind::kLength: {
      if (!st.usable) return std::nullopt;
      std::size_t n = st.value.size();
      if (r.length.unit == LengthUnit::kCharacters) n = utf8::CountCodePoints(st.value).value_or(n);
      if (n < r.length.min || n > r.length.max) return Broken(explain, [&] { return LengthReason(st, r.length, n); });
      return std::nullopt;
    }
    case MemberRuleKind::kPattern: {
      if (!st.usable || !r.pattern) return std::nullopt;
      auto mismatch = r.pattern->FirstMismatch(st.value);
      if (!mismatch) return std::nullopt;
      return Broken(explain, [&] {
        if (!mismatch->code_point) return m.name + " is empty; " + r.pattern->text() + " needs a character";
        if (m.sensitive) return m.name + " has a character outside " + r.pattern->text();
        return m.name + " has " + utf8::Describe(*mismatch->code_point) + " at character " +
               std::to_string(mismatch->index + 1) + ", outside " + r.pattern->text();
      });
    }
    case MemberRuleKind::kFormat: {
      if (!st.usable) return std::nullopt;
      auto parts = ParseArn(spec.grammars.at(r.grammar), st.value);
      if (!parts) {
        st.format_ok = false;
        return Broken(explain, [&] { return m.name + " is not of the form " + r.grammar + ": " + parts.error().message; });
      }
      st.parts = std::move(parts).value();
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckProtocolRule(const Spec& spec, const ProtocolRule& r, const Facts& f, bool explain) {
  switch (r.when) {
    case Condition::kAuthMissing:
      if (f.auth == AuthStatus::kMissing) return Broken(explain, [] { return "the request carries no SigV4 authentication"; });
      return std::nullopt;
    case Condition::kAuthMalformed:
      if (f.auth == AuthStatus::kMalformed) {
        return Broken(explain, [] { return "the Authorization header is not a well-formed SigV4 header"; });
      }
      return std::nullopt;
    case Condition::kAuthUnknownKey:
      if (f.auth == AuthStatus::kUnknownKey) return Broken(explain, [] { return "the access key is not known to the endpoint"; });
      return std::nullopt;
    case Condition::kAuthBadSignature:
      if (f.auth == AuthStatus::kBadSignature) return Broken(explain, [] { return "the signature does not match the request"; });
      return std::nullopt;
    case Condition::kAuthExpired:
      if (f.auth == AuthStatus::kExpired) {
        return Broken(explain, [&] {
          return "X-Amz-Date is more than " + std::to_string(spec.protocol.signing.max_clock_skew_seconds) +
                 " s from the server's clock";
        });
      }
      return std::nullopt;
    case Condition::kMethodOrPath:
      if (!f.method_path_ok) return Broken(explain, [&] { return "the operation is " + spec.protocol.method + " " + spec.protocol.path; });
      return std::nullopt;
    case Condition::kUnknownTarget:
      if (f.target == Facts::Target::kUnknown) return f.target_reason;  // (empty unless explained)
      return std::nullopt;
    case Condition::kContentType:
      if (!f.content_type_ok) return f.content_type_reason;
      return std::nullopt;
    case Condition::kBodyNotJson:
      if (!f.scan.ok) return Broken(explain, [&] { return "the body is not JSON: " + f.scan.Error(); });
      return std::nullopt;
    case Condition::kBodyNotObject:
      if (f.scan.ok && f.scan.top != JsonKind::kObject) {
        return Broken(explain, [&] { return "the body is a JSON " + std::string(ToString(f.scan.top)) + ", not an object"; });
      }
      return std::nullopt;
    case Condition::kDuplicateKeys:
      if (f.scan.ok && f.scan.duplicate_keys) return Broken(explain, [&] { return "key " + f.scan.first_duplicate + " appears twice"; });
      return std::nullopt;
  }
  return std::nullopt;
}

struct Hit {
  const RuleHead* head = nullptr;  // nullptr: the request is out of this spec's scope
  std::string reason;
};

// The outcome a broken rule decides; with `explain`, also which rule and why.
Outcome MakeOutcome(const Spec& spec, const Hit& hit, bool explain) {
  Outcome o;
  if (!hit.head) {
    o.decision = Decision::kOutOfScope;
    o.status = 0;
    if (explain) o.reason = hit.reason;
    return o;
  }
  o.decision = Decision::kReject;
  o.severity = hit.head->severity;
  if (explain) {
    o.rule = hit.head->id;
    o.reason = hit.reason;
  }
  const OutcomeDef& def = spec.errors.outcomes.at(hit.head->outcome);
  const ErrorType* t = spec.errors.FindType(def.type);
  o.error_type = t ? t->name : def.type;
  o.error_code = def.error_code;
  if (t) {
    o.status = t->status;
    o.also_allowed_status = t->also_allowed_status;
  }
  return o;
}

Outcome AcceptOutcome(const Spec& spec, bool explain) {
  Outcome o;
  o.decision = Decision::kAccept;
  o.status = spec.output.status;
  if (explain) o.reason = "the request satisfies every rule";
  return o;
}

}  // namespace

std::string_view ToString(AuthStatus a) {
  switch (a) {
    case AuthStatus::kUnchecked: return "unchecked";
    case AuthStatus::kValid: return "valid";
    case AuthStatus::kMissing: return "missing";
    case AuthStatus::kMalformed: return "malformed";
    case AuthStatus::kUnknownKey: return "unknown-key";
    case AuthStatus::kBadSignature: return "bad-signature";
    case AuthStatus::kExpired: return "expired";
  }
  return "?";
}

std::string_view ToString(Decision d) {
  switch (d) {
    case Decision::kAccept: return "accept";
    case Decision::kReject: return "reject";
    case Decision::kOutOfScope: return "out-of-scope";
  }
  return "?";
}

std::string Outcome::Summary() const {
  switch (decision) {
    case Decision::kAccept: return "accept (" + std::to_string(status) + ")";
    case Decision::kOutOfScope: return "out of scope: " + reason;
    case Decision::kReject:
      return "reject " + std::to_string(status) + " " + error_type +
             (error_code.empty() ? "" : "/" + error_code) + " by " + rule + " (" +
             std::string(ToString(severity)) + ")";
  }
  return "?";
}

bool Outcome::AllowsStatus(int http_status) const {
  return http_status == status ||
         std::find(also_allowed_status.begin(), also_allowed_status.end(), http_status) != also_allowed_status.end();
}

bool Verdict::Allows(Decision d, std::string_view type, std::string_view code, int http_status, bool allow_lenient) const {
  auto matches = [&](const Outcome& o) {
    if (o.decision != d || !o.AllowsStatus(http_status)) return false;
    if (d != Decision::kReject) return true;
    return o.error_type == type && o.error_code == code;
  };
  return matches(outcome) || (allow_lenient && lenient && matches(*lenient));
}

Verdict Decide(const Spec& spec, const Request& req, AuthStatus auth, const World* world, Detail detail) {
  const bool explain = detail == Detail::kFull;
  Verdict v;
  Facts f = Observe(spec, req, auth, explain);
  v.target_prefix = std::move(f.prefix);
  // The per-request lists below live in this arena: Decide runs once or more per fuzz execution,
  // and under AddressSanitizer a heap allocation costs more than most rules.
  InlineArena<2048> arena;
  std::pmr::vector<MemberState> members(arena.get());
  if (f.readable) ObserveMembers(spec, f, members);
  auto state_of = [&](std::string_view name) -> MemberState* {
    for (auto& st : members) {
      if (st.member->name == name) return &st;
    }
    return nullptr;
  };

  std::pmr::vector<Hit> hits(arena.get());
  hits.reserve(8);  // a request rarely breaks more
  bool stop = false;  // nothing after this point can be judged (out of scope)
  for (Phase phase : spec.phases) {
    for (const ProtocolRule& r : spec.protocol.rules) {
      if (stop || r.head.phase != phase) continue;
      if (r.when == Condition::kUnknownTarget && f.target == Facts::Target::kSibling) {
        hits.push_back(Hit{nullptr, f.target_reason});
        stop = true;
        continue;
      }
      if (auto why = CheckProtocolRule(spec, r, f, explain)) hits.push_back(Hit{&r.head, std::move(*why)});
    }
    if (stop || !f.readable) continue;
    for (MemberState& st : members) {
      for (const MemberRule& r : st.member->rules) {
        if (r.head.phase != phase) continue;
        if (auto why = CheckMemberRule(spec, r, st, explain)) hits.push_back(Hit{&r.head, std::move(*why)});
      }
    }
    for (const CrossRule& r : spec.cross_rules) {
      if (r.head.phase != phase) continue;
      std::pmr::vector<const MemberState*> sent(arena.get());
      for (const auto& name : r.members) {
        const MemberState* st = state_of(name);
        if (st && st->usable) sent.push_back(st);
      }
      bool equal = false;
      for (std::size_t i = 0; i < sent.size() && !equal; ++i) {
        for (std::size_t j = i + 1; j < sent.size() && !equal; ++j) {
          if (sent[i]->value == sent[j]->value) {
            equal = true;
            hits.push_back(Hit{&r.head, explain ? sent[i]->member->name + " and " + sent[j]->member->name + " are equal"
                                                : std::string()});
          }
        }
      }
    }
    for (const Lookup& l : spec.lookups) {
      if (l.head.phase != phase) continue;
      if (!world) {
        v.lookups_assumed = true;
        continue;
      }
      const MemberState* st = state_of(l.member);
      if (!st || !st->usable || !st->format_ok) continue;  // no key to look up
      auto key = ExpandKey(l.key, st->parts, st->value);
      if (!key) continue;
      if (l.resource == Resource::kTarget) {
        if (!world->targets.count(*key)) hits.push_back(Hit{&l.head, explain ? "the target does not exist" : ""});
        continue;
      }
      auto gw = world->gateways.find(*key);
      if (l.kind == LookupKind::kExists && gw == world->gateways.end()) {
        hits.push_back(Hit{&l.head, explain ? "the gateway does not exist" : ""});
      } else if (l.kind == LookupKind::kOnline && gw != world->gateways.end() && !gw->second.online) {
        hits.push_back(Hit{&l.head, explain ? "the gateway is not connected" : ""});
      } else if (l.kind == LookupKind::kSupportsIscsi && gw != world->gateways.end() && !gw->second.iscsi) {
        hits.push_back(Hit{&l.head, explain ? "the gateway type has no iSCSI targets" : ""});
      }
    }
  }

  if (hits.empty()) {
    v.outcome = AcceptOutcome(spec, explain);
  } else {
    v.outcome = MakeOutcome(spec, hits.front(), explain);
    if (hits.front().head && hits.front().head->severity == Severity::kShould) {
      auto firm = std::find_if(hits.begin(), hits.end(),
                               [](const Hit& h) { return !h.head || h.head->severity == Severity::kMust; });
      v.lenient = firm == hits.end() ? AcceptOutcome(spec, explain) : MakeOutcome(spec, *firm, explain);
    }
  }
  if (!explain) return v;
  // After the outcomes, which copied what they needed: the reasons move.
  v.broken.reserve(hits.size());
  for (Hit& h : hits) {
    if (h.head) v.broken.push_back(BrokenRule{h.head->id, h.head->severity, std::move(h.reason)});
  }
  const bool may_accept = v.outcome.decision == Decision::kAccept ||
                          (v.lenient && v.lenient->decision == Decision::kAccept);
  if (may_accept) {
    for (const Echo& e : spec.output.echo) {
      if (const MemberState* st = state_of(e.input); st && st->usable) v.echo.emplace_back(e.output, std::string(st->value));
    }
  }
  return v;
}

Request RequestFromExample(const Example& example) {
  Request r;
  r.headers = example.headers;
  r.body = example.body;
  const bool has_auth = std::any_of(r.headers.begin(), r.headers.end(),
                                    [](const auto& h) { return AsciiLower(h.first) == "authorization"; });
  // The examples show the payload, not a signature; mark them as authenticated.
  if (!has_auth) r.headers.emplace_back("Authorization", "(example: signature not shown)");
  return r;
}

}  // namespace chapcheck::spec
