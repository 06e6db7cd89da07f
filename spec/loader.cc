#include "spec/loader.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "spec/arn_grammar.h"
#include "spec/json_scan.h"

namespace chapcheck::spec {
namespace {

using json = nlohmann::json;

// Thrown inside this file only; ParseSpec turns it into an Error.
struct LoadError {
  std::string path;
  std::string message;
};

// A position in the spec document: the JSON value and its path from the root.
class Node {
 public:
  Node(const json& j, std::string path) : j_(&j), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  const json& raw() const { return *j_; }
  [[noreturn]] void Fail(const std::string& message) const { throw LoadError{path_, message}; }

  // Requires an object whose keys are all in `allowed` (typos are errors, not ignored).
  void Object(std::initializer_list<std::string_view> allowed) const {
    if (!j_->is_object()) Fail("expected an object, found " + std::string(j_->type_name()));
    for (const auto& [key, value] : j_->items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        Child(key).Fail("unknown member \"" + key + "\"");
      }
    }
  }
  bool Has(std::string_view key) const { return j_->is_object() && j_->contains(key); }
  Node At(std::string_view key) const {
    if (!Has(key)) Fail("missing required member \"" + std::string(key) + "\"");
    return Child(std::string(key));
  }
  std::optional<Node> Opt(std::string_view key) const {
    if (!Has(key)) return std::nullopt;
    return Child(std::string(key));
  }
  std::string Str() const {
    if (!j_->is_string()) Fail("expected a string, found " + std::string(j_->type_name()));
    return j_->get<std::string>();
  }
  std::string NonEmptyStr() const {
    std::string s = Str();
    if (s.empty()) Fail("must not be empty");
    return s;
  }
  std::string StrOr(std::string_view key, std::string fallback) const {
    auto n = Opt(key);
    return n ? n->Str() : fallback;
  }
  long long Int(long long min, long long max) const {
    if (!j_->is_number_integer()) Fail("expected an integer, found " + std::string(j_->type_name()));
    const auto v = j_->is_number_unsigned() && j_->get<unsigned long long>() > 1ULL << 62
                       ? max + 1
                       : j_->get<long long>();
    if (v < min || v > max) {
      Fail("must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return v;
  }
  double Number() const {
    if (!j_->is_number()) Fail("expected a number, found " + std::string(j_->type_name()));
    return j_->get<double>();
  }
  bool Bool() const {
    if (!j_->is_boolean()) Fail("expected true or false, found " + std::string(j_->type_name()));
    return j_->get<bool>();
  }
  std::vector<Node> Items() const {
    if (!j_->is_array()) Fail("expected an array, found " + std::string(j_->type_name()));
    std::vector<Node> out;
    for (std::size_t i = 0; i < j_->size(); ++i) {
      out.emplace_back((*j_)[i], path_ + "[" + std::to_string(i) + "]");
    }
    return out;
  }
  std::vector<std::pair<std::string, Node>> Fields() const {
    if (!j_->is_object()) Fail("expected an object, found " + std::string(j_->type_name()));
    std::vector<std::pair<std::string, Node>> out;
    for (const auto& [key, value] : j_->items()) out.emplace_back(key, Child(key));
    return out;
  }
  std::vector<std::string> Strings() const {
    std::vector<std::string> out;
    for (const Node& n : Items()) out.push_back(n.NonEmptyStr());
    return out;
  }
  template <class E>
  E Enum(std::initializer_list<std::pair<std::string_view, E>> values) const {
    const std::string s = Str();
    std::string list;
    for (const auto& [name, value] : values) {
      if (s == name) return value;
      list += (list.empty() ? "" : ", ") + std::string(name);
    }
    Fail("\"" + s + "\" is not one of " + list);
  }

 private:
  Node Child(const std::string& key) const {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
    });
    return Node(j_->at(key), path_ + (plain ? "." + key : "[\"" + key + "\"]"));
  }

  const json* j_;
  std::string path_;
};

bool IsIdentifier(std::string_view v) {
  if (v.empty() || !(std::isalpha(static_cast<unsigned char>(v[0])) || v[0] == '_')) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool IsRuleId(std::string_view v) {
  if (v.empty() || !std::isalnum(static_cast<unsigned char>(v[0]))) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// A name that code and reports use as a key: letters, digits, '_' ("TargetARN", "InvalidParameters").
std::string Identifier(const Node& n) {
  std::string v = n.NonEmptyStr();
  if (!IsIdentifier(v)) n.Fail("\"" + v + "\" is not a name (letters, digits and '_', not starting with a digit)");
  return v;
}

// A rule, source or example id: letters, digits, '_', '.', '-'.
std::string RuleId(const Node& n) {
  std::string v = n.NonEmptyStr();
  if (!IsRuleId(v)) n.Fail("\"" + v + "\" is not an id (letters, digits, '_', '.', '-')");
  return v;
}

std::vector<std::string> UniqueNames(const Node& n) {
  std::vector<std::string> out;
  for (const Node& item : n.Items()) {
    std::string v = Identifier(item);
    if (std::find(out.begin(), out.end(), v) != out.end()) item.Fail("\"" + v + "\" is listed twice");
    out.push_back(std::move(v));
  }
  return out;
}

Severity ReadSeverity(const Node& n) {
  return n.Enum<Severity>({{"must", Severity::kMust}, {"should", Severity::kShould}});
}

Phase ReadPhase(const Node& n) {
  return n.Enum<Phase>({{"authentication", Phase::kAuthentication},
                        {"operation", Phase::kOperation},
                        {"serialization", Phase::kSerialization},
                        {"validation", Phase::kValidation},
                        {"format", Phase::kFormat},
                        {"lookup", Phase::kLookup}});
}

JsonType ReadJsonType(const Node& n) {
  return n.Enum<JsonType>({{"string", JsonType::kString},
                           {"number", JsonType::kNumber},
                           {"integer", JsonType::kInteger},
                           {"boolean", JsonType::kBoolean},
                           {"object", JsonType::kObject},
                           {"array", JsonType::kArray}});
}

LengthUnit ReadUnit(const Node& n) {
  return n.Enum<LengthUnit>(
      {{"characters", LengthUnit::kCharacters}, {"utf8-bytes", LengthUnit::kUtf8Bytes}});
}

Charset ReadCharset(const Node& n) {
  auto cs = Charset::Parse(n.Str());
  if (!cs) n.Fail(cs.error().message);
  return std::move(cs).value();
}

// The members every rule has. `default_id` is used when the rule has no "id".
RuleHead ReadHead(const Node& n, const std::string& default_id) {
  RuleHead h;
  h.id = n.Has("id") ? RuleId(n.At("id")) : default_id;
  if (h.id.empty()) n.Fail("missing required member \"id\"");
  h.phase = ReadPhase(n.At("phase"));
  h.outcome = Identifier(n.At("outcome"));
  h.source = RuleId(n.At("source"));
  h.outcome_source = n.Has("outcomeSource") ? RuleId(n.At("outcomeSource")) : "convention";
  h.severity = ReadSeverity(n.At("severity"));
  h.doc = n.StrOr("doc", "");
  return h;
}

LengthBound ReadBound(const Node& n) {
  LengthBound b;
  b.min = static_cast<std::size_t>(n.At("min").Int(0, 1 << 30));
  b.max = static_cast<std::size_t>(n.At("max").Int(0, 1 << 30));
  b.unit = ReadUnit(n.At("unit"));
  if (b.min > b.max) n.At("min").Fail("min (" + std::to_string(b.min) + ") exceeds max (" + std::to_string(b.max) + ")");
  return b;
}

Interpretation ReadInterpretation(const Node& n, std::initializer_list<std::string_view> allowed) {
  n.Object({"as", "source", "doc"});
  Interpretation i;
  i.as = n.At("as").Str();
  if (std::find(allowed.begin(), allowed.end(), i.as) == allowed.end()) {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    n.At("as").Fail("\"" + i.as + "\" is not one of " + list);
  }
  i.source = n.At("source").NonEmptyStr();
  i.doc = n.StrOr("doc", "");
  return i;
}

Segment ReadSegment(const Node& n) {
  n.Object({"literal", "name", "oneOf", "charset", "minLength", "maxLength"});
  Segment s;
  if (n.Has("name")) s.name = Identifier(n.At("name"));
  int kinds = 0;
  if (auto l = n.Opt("literal")) s.literal = l->NonEmptyStr(), ++kinds;
  if (auto o = n.Opt("oneOf")) {
    s.one_of = o->Strings();
    if (s.one_of.empty()) o->Fail("must list at least one value");
    ++kinds;
  }
  if (auto c = n.Opt("charset")) s.charset = ReadCharset(*c), ++kinds;
  if (kinds != 1) n.Fail("a segment has exactly one of \"literal\", \"oneOf\", \"charset\"");
  if (!s.charset && (n.Has("minLength") || n.Has("maxLength"))) {
    n.Fail("minLength and maxLength apply to charset segments only");
  }
  if (auto m = n.Opt("minLength")) s.min_length = static_cast<std::size_t>(m->Int(0, 1 << 20));
  if (auto m = n.Opt("maxLength")) s.max_length = static_cast<std::size_t>(m->Int(1, 1 << 20));
  if (s.min_length > s.max_length) n.Fail("minLength exceeds maxLength");
  return s;
}

ArnGrammar ReadGrammar(const Node& n, const std::string& id) {
  n.Object({"kind", "doc", "partition", "service", "region", "account", "resourceSeparator", "resource"});
  if (n.At("kind").Str() != "arn") n.At("kind").Fail("the only grammar kind is \"arn\"");
  ArnGrammar g;
  g.id = id;
  g.doc = n.StrOr("doc", "");
  g.partition = ReadSegment(n.At("partition"));
  g.service = ReadSegment(n.At("service"));
  g.region = ReadSegment(n.At("region"));
  g.account = ReadSegment(n.At("account"));
  const std::string sep = n.StrOr("resourceSeparator", "/");
  if (sep.size() != 1 || sep == ":") n.At("resourceSeparator").Fail("must be one character other than ':'");
  g.separator = sep[0];
  std::set<std::string> names{"partition", "service", "region", "account"};
  for (const Node& item : n.At("resource").Items()) {
    Segment s = ReadSegment(item);
    if (!s.name.empty() && !names.insert(s.name).second) item.Fail("segment name \"" + s.name + "\" is used twice");
    g.resource.push_back(std::move(s));
  }
  if (g.resource.empty()) n.At("resource").Fail("must have at least one segment");
  return g;
}

const std::initializer_list<std::string_view> kHeadKeys = {"id", "phase", "outcome", "source",
                                                           "outcomeSource", "severity", "doc"};

void ObjectWithHead(const Node& n, std::initializer_list<std::string_view> extra) {
  std::vector<std::string_view> all(kHeadKeys);
  all.insert(all.end(), extra.begin(), extra.end());
  if (!n.raw().is_object()) n.Fail("expected an object, found " + std::string(n.raw().type_name()));
  for (const auto& [key, value] : n.raw().items()) {
    if (std::find(all.begin(), all.end(), key) == all.end()) {
      n.Opt(key)->Fail("unknown member \"" + key + "\"");
    }
  }
}

void ReadProtocol(const Node& n, Protocol& p) {
  n.Object({"kind", "method", "path", "contentType", "targetHeader", "targets", "signing",
            "interpretation", "rules"});
  p.kind = n.At("kind").Enum<std::string>({{"awsJson1_0", "awsJson1_0"}, {"awsJson1_1", "awsJson1_1"}});
  p.method = n.At("method").NonEmptyStr();
  if (!std::all_of(p.method.begin(), p.method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    n.At("method").Fail("an HTTP method is upper-case letters");
  }
  p.path = n.At("path").NonEmptyStr();
  if (p.path.front() != '/') n.At("path").Fail("must start with '/'");
  p.content_type = n.At("contentType").NonEmptyStr();
  p.target_header = n.At("targetHeader").NonEmptyStr();
  std::set<std::string> prefixes;
  int current = 0;
  for (const Node& t : n.At("targets").Items()) {
    t.Object({"prefix", "status", "source"});
    TargetPrefix tp;
    tp.prefix = Identifier(t.At("prefix"));
    tp.current = t.At("status").Enum<bool>({{"current", true}, {"legacy", false}});
    tp.source = RuleId(t.At("source"));
    if (!prefixes.insert(tp.prefix).second) t.At("prefix").Fail("prefix \"" + tp.prefix + "\" is listed twice");
    current += tp.current;
    p.targets.push_back(tp);
  }
  if (p.targets.empty()) n.At("targets").Fail("must list at least one prefix");
  if (current != 1) n.At("targets").Fail("exactly one prefix must have status \"current\"");

  const Node s = n.At("signing");
  s.Object({"scheme", "name", "algorithm", "maxClockSkewSeconds", "signedHeaders", "source"});
  p.signing.scheme = s.At("scheme").Enum<std::string>({{"sigv4", "sigv4"}});
  p.signing.name = s.At("name").NonEmptyStr();
  p.signing.algorithm = s.Has("algorithm")
                            ? s.At("algorithm").Enum<std::string>({{"AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256"}})
                            : "AWS4-HMAC-SHA256";
  if (auto k = s.Opt("maxClockSkewSeconds")) p.signing.max_clock_skew_seconds = static_cast<int>(k->Int(0, 86400 * 7));
  if (auto h = s.Opt("signedHeaders")) {
    for (const Node& item : h->Items()) {
      std::string v = item.NonEmptyStr();
      if (!std::all_of(v.begin(), v.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; })) {
        item.Fail("signed header names are lower case (as SigV4 canonicalises them)");
      }
      p.signing.signed_headers.push_back(std::move(v));
    }
  }
  p.signing.source = s.At("source").NonEmptyStr();

  if (auto i = n.Opt("interpretation")) {
    i->Object({"emptyBody", "nullMember", "unknownMembers", "contentTypeParameters"});
    if (auto x = i->Opt("emptyBody")) p.empty_body = ReadInterpretation(*x, {"empty-object", "malformed"});
    if (auto x = i->Opt("nullMember")) p.null_member = ReadInterpretation(*x, {"absent", "wrong-type"});
    if (auto x = i->Opt("unknownMembers")) p.unknown_members = ReadInterpretation(*x, {"ignored"});
    if (auto x = i->Opt("contentTypeParameters"))
      p.content_type_parameters = ReadInterpretation(*x, {"ignored", "significant"});
  }
  std::set<Condition> seen;
  for (const Node& r : n.At("rules").Items()) {
    ObjectWithHead(r, {"when"});
    ProtocolRule pr;
    pr.head = ReadHead(r, "");
    pr.when = r.At("when").Enum<Condition>({{"auth-missing", Condition::kAuthMissing},
                                             {"auth-malformed", Condition::kAuthMalformed},
                                             {"auth-unknown-key", Condition::kAuthUnknownKey},
                                             {"auth-bad-signature", Condition::kAuthBadSignature},
                                             {"auth-expired", Condition::kAuthExpired},
                                             {"method-or-path", Condition::kMethodOrPath},
                                             {"unknown-target", Condition::kUnknownTarget},
                                             {"content-type", Condition::kContentType},
                                             {"body-not-json", Condition::kBodyNotJson},
                                             {"body-not-object", Condition::kBodyNotObject},
                                             {"duplicate-keys", Condition::kDuplicateKeys}});
    if (!seen.insert(pr.when).second) r.At("when").Fail("a second rule for the same condition");
    p.rules.push_back(std::move(pr));
  }
}

Alternative ReadAlternative(const Node& n) {
  n.Object({"source", "min", "max", "unit", "pattern", "note", "resolution"});
  Alternative a;
  a.source = n.At("source").NonEmptyStr();
  a.note = n.At("note").NonEmptyStr();
  a.resolution = n.At("resolution").NonEmptyStr();
  if (n.Has("min") || n.Has("max") || n.Has("unit")) a.length = ReadBound(n);
  if (auto p = n.Opt("pattern")) a.pattern = ReadCharset(*p);
  if (!a.length && !a.pattern) n.Fail("an alternative states a length (min, max, unit) or a pattern");
  return a;
}

Member ReadMember(const Node& n) {
  n.Object({"name", "type", "required", "sensitive", "awsShape", "doc", "rules"});
  Member m;
  m.name = Identifier(n.At("name"));
  m.type = ReadJsonType(n.At("type"));
  m.required = n.At("required").Bool();
  m.sensitive = n.At("sensitive").Bool();
  m.aws_shape = n.StrOr("awsShape", "");
  m.doc = n.StrOr("doc", "");
  std::set<MemberRuleKind> kinds;
  for (const Node& r : n.At("rules").Items()) {
    ObjectWithHead(r, {"kind", "min", "max", "unit", "pattern", "grammar", "alternatives"});
    MemberRule mr;
    mr.kind = r.At("kind").Enum<MemberRuleKind>({{"type", MemberRuleKind::kType},
                                                  {"required", MemberRuleKind::kRequired},
                                                  {"length", MemberRuleKind::kLength},
                                                  {"pattern", MemberRuleKind::kPattern},
                                                  {"format", MemberRuleKind::kFormat}});
    mr.head = ReadHead(r, m.name + "." + std::string(ToString(mr.kind)));
    if (!kinds.insert(mr.kind).second) r.At("kind").Fail("a second \"" + std::string(ToString(mr.kind)) + "\" rule for " + m.name);
    auto forbid = [&](std::initializer_list<std::string_view> keys) {
      for (auto k : keys) {
        if (r.Has(k)) r.At(k).Fail("\"" + std::string(k) + "\" does not apply to a " + std::string(ToString(mr.kind)) + " rule");
      }
    };
    switch (mr.kind) {
      case MemberRuleKind::kLength:
        if (m.type != JsonType::kString) r.Fail("a length rule needs a string member");
        mr.length = ReadBound(r);
        forbid({"pattern", "grammar"});
        break;
      case MemberRuleKind::kPattern:
        if (m.type != JsonType::kString) r.Fail("a pattern rule needs a string member");
        mr.pattern = ReadCharset(r.At("pattern"));
        forbid({"min", "max", "unit", "grammar"});
        break;
      case MemberRuleKind::kFormat:
        if (m.type != JsonType::kString) r.Fail("a format rule needs a string member");
        mr.grammar = r.At("grammar").NonEmptyStr();
        forbid({"min", "max", "unit", "pattern"});
        break;
      case MemberRuleKind::kType:
      case MemberRuleKind::kRequired:
        forbid({"min", "max", "unit", "pattern", "grammar", "alternatives"});
        break;
    }
    if (auto alts = r.Opt("alternatives")) {
      for (const Node& a : alts->Items()) mr.alternatives.push_back(ReadAlternative(a));
    }
    m.rules.push_back(std::move(mr));
  }
  if (m.required != (m.Find(MemberRuleKind::kRequired) != nullptr)) {
    n.Fail(m.required ? "\"required\": true needs a rule of kind \"required\" (it says which error a missing member gets)"
                      : "a rule of kind \"required\" on a member with \"required\": false");
  }
  if (!m.Find(MemberRuleKind::kType)) {
    n.Fail("every member needs a rule of kind \"type\" (it says which error a wrong JSON type gets)");
  }
  return m;
}

void ReadOutput(const Node& n, Output& o) {
  n.Object({"status", "members", "echo", "forbidSensitiveEcho"});
  o.status = static_cast<int>(n.At("status").Int(200, 299));
  for (const Node& m : n.At("members").Items()) {
    m.Object({"name", "type", "awsShape", "doc"});
    o.members.push_back({Identifier(m.At("name")), ReadJsonType(m.At("type")), m.StrOr("awsShape", "")});
  }
  auto read_echo = [](const Node& e, bool with_members) {
    if (with_members) {
      e.Object({"id", "output", "input", "source", "severity", "doc"});
    } else {
      e.Object({"id", "source", "severity", "doc"});
    }
    Echo x;
    x.id = RuleId(e.At("id"));
    if (with_members) {
      x.output = e.At("output").NonEmptyStr();
      x.input = e.At("input").NonEmptyStr();
    }
    x.source = e.At("source").NonEmptyStr();
    x.severity = ReadSeverity(e.At("severity"));
    x.doc = e.StrOr("doc", "");
    return x;
  };
  if (auto echo = n.Opt("echo")) {
    for (const Node& e : echo->Items()) o.echo.push_back(read_echo(e, true));
  }
  if (auto f = n.Opt("forbidSensitiveEcho")) o.forbid_sensitive_echo = read_echo(*f, false);
}

std::vector<int> ReadStatuses(const Node& n) {
  std::vector<int> out;
  for (const Node& s : n.Items()) out.push_back(static_cast<int>(s.Int(400, 599)));
  return out;
}

void ReadErrors(const Node& n, Errors& e) {
  n.Object({"envelope", "types", "codes", "transientStatus", "outcomes"});
  const Node env = n.At("envelope");
  env.Object({"typeField", "messageField", "errorField", "codeField", "detailsField", "serverTypeForm",
              "clientAcceptsTypeForms", "requestIdHeader", "contentType", "source", "doc"});
  e.envelope.type_field = env.At("typeField").NonEmptyStr();
  e.envelope.message_field = env.At("messageField").NonEmptyStr();
  e.envelope.error_field = env.StrOr("errorField", "error");
  e.envelope.code_field = env.StrOr("codeField", "errorCode");
  e.envelope.details_field = env.StrOr("detailsField", "errorDetails");
  e.envelope.server_type_form =
      env.Has("serverTypeForm")
          ? env.At("serverTypeForm").Enum<std::string>(
                {{"bare", "bare"}, {"namespace#Type", "namespace#Type"}, {"namespace#Type:uri", "namespace#Type:uri"}})
          : "bare";
  if (auto f = env.Opt("clientAcceptsTypeForms")) e.envelope.client_accepts_type_forms = f->Strings();
  e.envelope.request_id_header = env.At("requestIdHeader").NonEmptyStr();
  e.envelope.content_type = env.At("contentType").NonEmptyStr();
  e.envelope.source = env.At("source").NonEmptyStr();

  std::set<std::string> names;
  for (const Node& t : n.At("types").Items()) {
    t.Object({"name", "status", "alsoAllowedStatus", "aliases", "hasErrorCode", "transient", "source", "doc"});
    ErrorType et;
    et.name = Identifier(t.At("name"));
    et.status = static_cast<int>(t.At("status").Int(400, 599));
    if (auto a = t.Opt("alsoAllowedStatus")) et.also_allowed_status = ReadStatuses(*a);
    if (auto a = t.Opt("aliases")) et.aliases = UniqueNames(*a);
    if (auto h = t.Opt("hasErrorCode")) et.has_error_code = h->Bool();
    if (auto h = t.Opt("transient")) et.transient = h->Bool();
    et.source = t.At("source").NonEmptyStr();
    et.doc = t.StrOr("doc", "");
    if (!names.insert(et.name).second) t.At("name").Fail("error type \"" + et.name + "\" is listed twice");
    for (const auto& a : et.aliases) {
      if (!names.insert(a).second) t.At("aliases").Fail("alias \"" + a + "\" is already a type or alias");
    }
    e.types.push_back(std::move(et));
  }
  if (auto c = n.Opt("codes")) {
    c->Object({"source", "documented", "transient"});
    e.codes_source = c->At("source").NonEmptyStr();
    e.documented_codes = UniqueNames(c->At("documented"));
    if (auto t = c->Opt("transient")) e.transient_codes = UniqueNames(*t);
  }
  if (auto s = n.Opt("transientStatus")) e.transient_status = ReadStatuses(*s);
  if (e.types.empty()) n.At("types").Fail("must list at least one error type");
  const auto outcomes = n.At("outcomes").Fields();
  if (outcomes.empty()) n.At("outcomes").Fail("must define at least one outcome");
  for (const auto& [name, o] : outcomes) {
    o.Object({"type", "errorCode"});
    if (!IsIdentifier(name)) o.Fail("outcome name \"" + name + "\" is not a name");
    OutcomeDef def{Identifier(o.At("type")), o.Has("errorCode") ? Identifier(o.At("errorCode")) : ""};
    const ErrorType* type = e.FindType(def.type);
    if (!type) o.At("type").Fail("error type \"" + def.type + "\" is not in errors.types");
    if (!def.error_code.empty() && !type->has_error_code) {
      o.At("errorCode").Fail("error type " + def.type + " carries no errorCode (hasErrorCode is false)");
    }
    e.outcomes[name] = def;
  }
}

void ReadEffects(const Node& n, std::vector<Effect>& out) {
  for (const Node& x : n.Items()) {
    x.Object({"id", "on", "kind", "scope", "member", "deadlineSeconds", "source", "severity", "doc"});
    Effect e;
    e.id = RuleId(x.At("id"));
    e.on_accepted = x.At("on").Enum<bool>({{"accepted", true}, {"rejected", false}});
    e.kind = x.At("kind").Enum<EffectKind>({{"connections-closed", EffectKind::kConnectionsClosed},
                                            {"connections-kept", EffectKind::kConnectionsKept},
                                            {"old-secret-refused", EffectKind::kOldSecretRefused},
                                            {"new-secret-accepted", EffectKind::kNewSecretAccepted},
                                            {"mutual-chap-iff-member", EffectKind::kMutualChapIffMember},
                                            {"state-unchanged", EffectKind::kStateUnchanged}});
    e.scope = x.At("scope").Enum<std::string>(
        {{"target", "target"}, {"initiator", "initiator"}, {"other-targets", "other-targets"}, {"all", "all"}});
    e.member = x.StrOr("member", "");
    if (e.kind == EffectKind::kMutualChapIffMember && e.member.empty()) x.Fail("mutual-chap-iff-member names its \"member\"");
    if (auto d = x.Opt("deadlineSeconds")) {
      e.deadline_seconds = d->Number();
      if (!(*e.deadline_seconds > 0)) d->Fail("must be greater than 0");
    }
    e.source = x.At("source").NonEmptyStr();
    e.severity = ReadSeverity(x.At("severity"));
    e.doc = x.StrOr("doc", "");
    out.push_back(std::move(e));
  }
}

void ReadExamples(const Node& n, std::vector<Example>& out) {
  for (const Node& x : n.Items()) {
    x.Object({"id", "source", "doc", "request", "response"});
    Example e;
    e.id = RuleId(x.At("id"));
    e.source = x.At("source").NonEmptyStr();
    e.doc = x.StrOr("doc", "");
    const Node req = x.At("request");
    req.Object({"headers", "body"});
    for (const auto& [name, value] : req.At("headers").Fields()) e.headers.emplace_back(name, value.Str());
    const Node body = req.At("body");
    if (!body.raw().is_object()) body.Fail("expected an object");
    e.body = body.raw().dump();
    const Node resp = x.At("response");
    resp.Object({"status", "body"});
    e.response_status = static_cast<int>(resp.At("status").Int(100, 599));
    if (!resp.At("body").raw().is_object()) resp.At("body").Fail("expected an object");
    e.response_body = resp.At("body").raw().dump();
    out.push_back(std::move(e));
  }
}

// References between parts of the spec; run after everything is read. `root` gives paths.
void CheckReferences(const Spec& s, const Node& root) {
  auto need_source = [&](const std::string& id, const std::string& where) {
    if (!s.FindSource(id)) throw LoadError{where, "source \"" + id + "\" is not in sources"};
  };
  auto check_head = [&](const RuleHead& h, const std::string& where) {
    need_source(h.source, where + ".source");
    need_source(h.outcome_source, where + ".outcomeSource");
    if (!s.errors.outcomes.count(h.outcome)) {
      throw LoadError{where + ".outcome", "outcome \"" + h.outcome + "\" is not in errors.outcomes"};
    }
    if (std::find(s.phases.begin(), s.phases.end(), h.phase) == s.phases.end()) {
      throw LoadError{where + ".phase", "phase \"" + std::string(ToString(h.phase)) + "\" is not in phases"};
    }
  };
  std::set<std::string> ids;
  auto unique_id = [&](const std::string& id, const std::string& where) {
    if (!ids.insert(id).second) throw LoadError{where, "rule id \"" + id + "\" is used twice"};
  };

  for (std::size_t i = 0; i < s.protocol.targets.size(); ++i) {
    need_source(s.protocol.targets[i].source, "$.protocol.targets[" + std::to_string(i) + "].source");
  }
  need_source(s.protocol.signing.source, "$.protocol.signing.source");
  for (const Interpretation* in : {&s.protocol.empty_body, &s.protocol.null_member,
                                    &s.protocol.unknown_members, &s.protocol.content_type_parameters}) {
    if (!in->source.empty()) need_source(in->source, "$.protocol.interpretation");
  }
  for (std::size_t i = 0; i < s.protocol.rules.size(); ++i) {
    const std::string where = "$.protocol.rules[" + std::to_string(i) + "]";
    check_head(s.protocol.rules[i].head, where);
    unique_id(s.protocol.rules[i].head.id, where + ".id");
  }
  std::set<std::string> member_names;
  for (std::size_t mi = 0; mi < s.members.size(); ++mi) {
    const Member& m = s.members[mi];
    const std::string mwhere = "$.input.members[" + std::to_string(mi) + "]";
    if (!member_names.insert(m.name).second) throw LoadError{mwhere + ".name", "member \"" + m.name + "\" is defined twice"};
    for (std::size_t ri = 0; ri < m.rules.size(); ++ri) {
      const MemberRule& r = m.rules[ri];
      const std::string where = mwhere + ".rules[" + std::to_string(ri) + "]";
      check_head(r.head, where);
      unique_id(r.head.id, where + ".id");
      if (r.kind == MemberRuleKind::kFormat && !s.grammars.count(r.grammar)) {
        throw LoadError{where + ".grammar", "grammar \"" + r.grammar + "\" is not in grammars"};
      }
      for (std::size_t ai = 0; ai < r.alternatives.size(); ++ai) {
        need_source(r.alternatives[ai].source, where + ".alternatives[" + std::to_string(ai) + "].source");
      }
    }
  }
  for (std::size_t i = 0; i < s.cross_rules.size(); ++i) {
    const std::string where = "$.input.rules[" + std::to_string(i) + "]";
    check_head(s.cross_rules[i].head, where);
    unique_id(s.cross_rules[i].head.id, where + ".id");
    std::set<std::string> seen_members;
    for (const auto& name : s.cross_rules[i].members) {
      const Member* m = s.FindMember(name);
      if (!m) throw LoadError{where + ".members", "member \"" + name + "\" is not an input member"};
      if (m->type != JsonType::kString) throw LoadError{where + ".members", "a distinct rule compares string members; " + name + " is not one"};
      if (!seen_members.insert(name).second) throw LoadError{where + ".members", "member \"" + name + "\" is named twice"};
    }
  }
  for (std::size_t i = 0; i < s.lookups.size(); ++i) {
    const Lookup& l = s.lookups[i];
    const std::string where = "$.lookups[" + std::to_string(i) + "]";
    check_head(l.head, where);
    unique_id(l.head.id, where + ".id");
    const Member* m = s.FindMember(l.member);
    if (!m) throw LoadError{where + ".member", "member \"" + l.member + "\" is not an input member"};
    const MemberRule* format = m->Find(MemberRuleKind::kFormat);
    ArnParts probe;
    if (format) {
      const ArnGrammar& g = s.grammars.at(format->grammar);
      for (const char* p : {"partition", "service", "region", "account"}) probe[p] = "x";
      for (const auto& seg : g.resource) {
        if (!seg.name.empty()) probe[seg.name] = "x";
      }
    }
    if (auto k = ExpandKey(l.key, probe, "x"); !k) {
      throw LoadError{where + ".key", k.error().message + (format ? "" : " (the member has no format rule)")};
    }
    if (l.resource == Resource::kTarget && l.kind != LookupKind::kExists) {
      throw LoadError{where + ".kind", "a target lookup can only be \"exists\""};
    }
  }
  std::set<std::string> outputs;
  for (const auto& o : s.output.members) {
    if (!outputs.insert(o.name).second) throw LoadError{"$.output.members", "output member \"" + o.name + "\" is listed twice"};
  }
  for (std::size_t i = 0; i < s.output.echo.size(); ++i) {
    const Echo& e = s.output.echo[i];
    const std::string where = "$.output.echo[" + std::to_string(i) + "]";
    unique_id(e.id, where + ".id");
    need_source(e.source, where + ".source");
    if (!outputs.count(e.output)) throw LoadError{where + ".output", "\"" + e.output + "\" is not an output member"};
    if (!s.FindMember(e.input)) throw LoadError{where + ".input", "\"" + e.input + "\" is not an input member"};
  }
  if (s.output.forbid_sensitive_echo) {
    unique_id(s.output.forbid_sensitive_echo->id, "$.output.forbidSensitiveEcho.id");
    need_source(s.output.forbid_sensitive_echo->source, "$.output.forbidSensitiveEcho.source");
  }
  need_source(s.errors.envelope.source, "$.errors.envelope.source");
  for (std::size_t i = 0; i < s.errors.types.size(); ++i) {
    need_source(s.errors.types[i].source, "$.errors.types[" + std::to_string(i) + "].source");
  }
  if (!s.errors.codes_source.empty()) need_source(s.errors.codes_source, "$.errors.codes.source");
  for (std::size_t i = 0; i < s.effects.size(); ++i) {
    const Effect& e = s.effects[i];
    const std::string where = "$.effects[" + std::to_string(i) + "]";
    unique_id(e.id, where + ".id");
    need_source(e.source, where + ".source");
    if (!e.member.empty() && !s.FindMember(e.member)) throw LoadError{where + ".member", "\"" + e.member + "\" is not an input member"};
  }
  std::set<std::string> example_ids;
  for (std::size_t i = 0; i < s.examples.size(); ++i) {
    const std::string where = "$.examples[" + std::to_string(i) + "]";
    if (!example_ids.insert(s.examples[i].id).second) throw LoadError{where + ".id", "example id \"" + s.examples[i].id + "\" is used twice"};
    need_source(s.examples[i].source, where + ".source");
  }
  (void)root;
}

Spec Build(const json& doc, std::string_view origin) {
  const Node root(doc, "$");
  root.Object({"$schema", "format", "operation", "sources", "phases", "protocol", "input", "grammars",
               "lookups", "output", "errors", "effects", "examples", "knownDifferences"});
  Spec s;
  s.origin = std::string(origin);
  s.format = root.At("format").Str();
  if (s.format != "chapcheck-spec/1") root.At("format").Fail("unsupported format \"" + s.format + "\" (this chapcheck reads chapcheck-spec/1)");

  const Node op = root.At("operation");
  op.Object({"name", "service", "doc", "siblings"});
  s.operation = Identifier(op.At("name"));
  s.service = op.At("service").NonEmptyStr();
  s.doc = op.StrOr("doc", "");
  if (auto sib = op.Opt("siblings")) s.siblings = UniqueNames(*sib);

  for (const auto& [id, src] : root.At("sources").Fields()) {
    src.Object({"title", "authority", "url"});
    if (!IsRuleId(id)) src.Fail("source id \"" + id + "\" is not an id (letters, digits, '_', '.', '-')");
    Source so;
    so.id = id;
    so.title = src.At("title").NonEmptyStr();
    so.documented = src.At("authority").Enum<bool>({{"documented", true}, {"inferred", false}});
    so.url = src.StrOr("url", "");
    s.sources[id] = so;
  }
  if (s.sources.empty()) root.At("sources").Fail("must name at least one source");
  if (!s.sources.count("convention")) root.At("sources").Fail("must define \"convention\" (the default outcomeSource)");

  for (const Node& p : root.At("phases").Items()) {
    p.Object({"name", "doc"});
    Phase ph = ReadPhase(p.At("name"));
    if (std::find(s.phases.begin(), s.phases.end(), ph) != s.phases.end()) p.At("name").Fail("phase listed twice");
    s.phases.push_back(ph);
  }
  if (s.phases.empty()) root.At("phases").Fail("must list at least one phase");

  ReadProtocol(root.At("protocol"), s.protocol);

  const Node input = root.At("input");
  input.Object({"members", "rules"});
  for (const Node& m : input.At("members").Items()) s.members.push_back(ReadMember(m));
  if (auto rules = input.Opt("rules")) {
    for (const Node& r : rules->Items()) {
      ObjectWithHead(r, {"kind", "members"});
      CrossRule cr;
      cr.head = ReadHead(r, "");
      if (r.At("kind").Str() != "distinct") r.At("kind").Fail("the only cross-member kind is \"distinct\"");
      cr.members = r.At("members").Strings();
      if (cr.members.size() < 2) r.At("members").Fail("a distinct rule names at least two members");
      s.cross_rules.push_back(std::move(cr));
    }
  }
  if (auto g = root.Opt("grammars")) {
    for (const auto& [id, node] : g->Fields()) {
      if (!IsRuleId(id)) node.Fail("grammar id \"" + id + "\" is not an id");
      s.grammars[id] = ReadGrammar(node, id);
    }
  }
  if (auto l = root.Opt("lookups")) {
    for (const Node& x : l->Items()) {
      ObjectWithHead(x, {"kind", "resource", "member", "key"});
      Lookup lk;
      lk.head = ReadHead(x, "");
      lk.kind = x.At("kind").Enum<LookupKind>({{"exists", LookupKind::kExists},
                                               {"online", LookupKind::kOnline},
                                               {"supports-iscsi", LookupKind::kSupportsIscsi}});
      lk.resource = x.At("resource").Enum<Resource>({{"gateway", Resource::kGateway}, {"target", Resource::kTarget}});
      lk.member = x.At("member").NonEmptyStr();
      lk.key = x.At("key").NonEmptyStr();
      s.lookups.push_back(std::move(lk));
    }
  }
  ReadOutput(root.At("output"), s.output);
  ReadErrors(root.At("errors"), s.errors);
  if (auto e = root.Opt("effects")) ReadEffects(*e, s.effects);
  if (auto e = root.Opt("examples")) ReadExamples(*e, s.examples);
  if (auto k = root.Opt("knownDifferences")) {
    for (const Node& x : k->Items()) {
      x.Object({"key", "aws", "why"});
      s.known_differences.push_back({x.At("key").NonEmptyStr(), x.At("aws").Str(), x.At("why").NonEmptyStr()});
    }
  }
  CheckReferences(s, root);
  return s;
}

}  // namespace

Result<Spec> ParseSpec(std::string_view text, std::string_view origin) {
  // One pass for syntax and duplicate keys (nlohmann's DOM would silently keep the last).
  const JsonScan scan = ScanJson(text);
  if (!scan.ok) return Error{"", "not valid JSON: " + scan.Error()};
  if (scan.top != JsonKind::kObject) return Error{"$", "a spec is a JSON object"};
  if (scan.duplicate_keys) return Error{scan.first_duplicate, "key appears twice"};
  try {
    const json doc = json::parse(text.begin(), text.end());
    return Build(doc, origin);
  } catch (const LoadError& e) {
    return Error{e.path, e.message};
  } catch (const std::exception& e) {
    return Error{"", std::string("could not be read: ") + e.what()};
  }
}

Result<Spec> LoadSpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"", "cannot open the spec file"};
  std::string text;
  constexpr std::size_t kMax = 16u << 20;
  text.resize(kMax + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMax) return Error{"", "larger than 16 MiB; not a spec"};
  if (in.bad()) return Error{"", "read error"};
  return ParseSpec(text, path);
}

Result<Spec> LoadEmbeddedSpec() { return ParseSpec(EmbeddedSpecText(), "<embedded spec>"); }

const Spec& EmbeddedSpec() {
  static const Spec spec = [] {
    auto s = LoadEmbeddedSpec();
    if (!s) {
      std::fprintf(stderr, "the embedded spec does not load: %s\n", s.error().ToString().c_str());
      std::abort();
    }
    return std::move(s).value();
  }();
  return spec;
}

}  // namespace chapcheck::spec
