#include "generators/cases.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "base/base64.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "spec/arn_grammar.h"

namespace chapcheck::generators {
namespace {

using json = nlohmann::json;
using spec::Spec;

std::string Repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A readable word for a character class edge: "colon", "hyphen", "0", "z".
std::string CharWord(char c) {
  switch (c) {
    case ':': return "colon";
    case '.': return "period";
    case '-': return "hyphen";
    case '_': return "underscore";
    case '/': return "slash";
    case ' ': return "space";
    case '@': return "at";
    default: break;
  }
  if (std::isalnum(static_cast<unsigned char>(c))) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return buf;
}

// The generation of one spec: shared state and the helpers every family uses.
class Generator {
 public:
  Generator(const Spec& spec, const Context& ctx) : spec_(spec), ctx_(ctx), world_(WorldOf(spec, ctx)) {
    if (!spec.examples.empty()) base_ = json::parse(spec.examples.front().body);
    for (const auto& l : spec.lookups) {
      if (l.resource == spec::Resource::kTarget && base_.contains(l.member)) base_[l.member] = ctx.target_arn;
    }
    for (const auto& m : spec.members) {
      if (m.sensitive) sensitive_.push_back(m.name);
    }
  }

  std::vector<Case> Run() {
    Examples();
    for (const spec::Member& m : spec_.members) {
      for (const spec::MemberRule& r : m.rules) {
        if (r.kind == spec::MemberRuleKind::kLength) Boundaries(m, r);
        if (r.kind == spec::MemberRuleKind::kPattern) Charsets(m, r);
      }
      Structure(m);
    }
    WholeBody();
    Protocol();
    Semantics();
    Pairwise();
    return std::move(cases_);
  }

 private:
  spec::Request MakeRequest(std::string body, std::string_view prefix = "") const {
    spec::Request r;
    r.method = spec_.protocol.method;
    r.path = spec_.protocol.path;
    const std::string p = !prefix.empty()           ? std::string(prefix)
                          : ctx_.target_prefix.has_value() ? *ctx_.target_prefix
                                                           : spec_.protocol.CurrentTarget()->prefix;
    r.headers = {{"Content-Type", spec_.protocol.content_type},
                 {spec_.protocol.target_header, p + "." + spec_.operation}};
    r.body = std::move(body);
    return r;
  }

  // Adds a case; its name ends in the strict outcome (accepted / rejected), unless `fixed_name`.
  void Add(std::string stem, std::string family, std::string rule, spec::Request request,
           AuthMode auth = AuthMode::kSigned) {
    Case c;
    spec::Request judged = request;
    if (auth != AuthMode::kNone) judged.headers.emplace_back("Authorization", "(signed when sent)");
    c.expectation = spec::Decide(spec_, judged, ExpectedAuthStatus(auth), &world_);
    const spec::Decision d = c.expectation.outcome.decision;
    c.name = stem + (d == spec::Decision::kAccept ? ".accepted" : d == spec::Decision::kReject ? ".rejected" : ".out-of-scope");
    if (!names_.insert(c.name).second) return;  // two ways to the same case: keep the first
    c.id = CaseId(c.name);
    c.family = std::move(family);
    c.rule = std::move(rule);
    c.request = std::move(request);
    c.auth = auth;
    c.sensitive_values = std::any_of(sensitive_.begin(), sensitive_.end(),
                                     [&](const std::string& m) { return c.request.body.find(m) != std::string::npos; });
    cases_.push_back(std::move(c));
  }

  void AddBody(const std::string& stem, const std::string& family, const std::string& rule, const json& body) {
    Add(stem, family, rule, MakeRequest(body.dump()));
  }

  std::string BaseValue(const spec::Member& m) const {
    if (base_.contains(m.name) && base_[m.name].is_string()) return base_[m.name].get<std::string>();
    return "a";
  }

  // `value` cut or padded (with its own last character, which its rules allow) to exactly n units.
  static std::string Fit(std::string value, std::size_t n, spec::LengthUnit unit) {
    if (value.empty()) value = "a";
    // The base values are ASCII (they come from the spec's examples), so bytes and characters
    // coincide here; multi-byte values are built separately.
    (void)unit;
    if (value.size() >= n) return value.substr(0, n);
    const char pad = value.back();
    return value + std::string(n - value.size(), pad);
  }

  json With(const std::string& member, json value) const {
    json b = base_;
    b[member] = std::move(value);
    return b;
  }

  void Examples() {
    for (const spec::Example& ex : spec_.examples) {
      spec::Request r;
      r.method = spec_.protocol.method;
      r.path = spec_.protocol.path;
      // Signing headers belong to the sender (a 2012 X-Amz-Date would make the request expired).
      for (const auto& [k, v] : ex.headers) {
        const bool signing = EqualsIgnoreAsciiCase(k, "Authorization") || EqualsIgnoreAsciiCase(k, "Host") ||
                             EqualsIgnoreAsciiCase(k, "X-Amz-Date") || EqualsIgnoreAsciiCase(k, "X-Amz-Security-Token");
        if (!signing) r.headers.emplace_back(k, v);
      }
      r.body = ex.body;
      Add("example." + ex.id, "example", "", r);
    }
  }

  void Boundaries(const spec::Member& m, const spec::MemberRule& r) {
    const auto& b = r.length;
    const bool bytes = b.unit == spec::LengthUnit::kUtf8Bytes;
    const std::string unit = bytes ? "bytes" : "chars";
    std::set<std::size_t> lengths = {b.min, b.min + 1, b.max, b.max + 1, b.max * 4 + 17};
    if (b.min > 0) lengths.insert(b.min - 1);
    if (b.max > 0) lengths.insert(b.max - 1);
    for (std::size_t n : lengths) {
      AddBody(m.name + "." + unit + "." + std::to_string(n), "boundary", r.head.id, With(m.name, Fit(BaseValue(m), n, b.unit)));
    }
    if (!bytes) return;
    // Multi-byte characters exactly on and just past each bound: an implementation that counts
    // characters, not bytes, fails these.
    const std::pair<const char*, std::string> encodings[] = {
        {"utf8x2", "\xC3\xA9"}, {"utf8x3", "\xE2\x82\xAC"}, {"utf8x4", "\xF0\x9F\x98\x80"}};
    for (const auto& [tag, ch] : encodings) {
      const std::size_t w = ch.size();
      for (std::size_t n : {b.min - (b.min > 0 ? 1 : 0), b.min, b.max, b.max + 1}) {
        const std::string v = Repeat(ch, n / w) + std::string(n % w, 'a');
        AddBody(m.name + "." + unit + "." + std::to_string(n) + "." + tag, "boundary", r.head.id, With(m.name, v));
      }
      // max characters, each multi-byte: within the bound in characters, far past it in bytes.
      AddBody(m.name + "." + unit + "." + std::to_string(b.max * w) + "." + tag + ".chars" + std::to_string(b.max),
              "boundary", r.head.id, With(m.name, Repeat(ch, b.max)));
    }
  }

  void Charsets(const spec::Member& m, const spec::MemberRule& r) {
    const spec::Charset& cs = *r.pattern;
    std::string base = BaseValue(m);
    if (base.empty()) base = "a";
    auto replace_last = [&](const std::string& c) { return base.substr(0, base.size() - 1) + c; };
    const std::pair<const char*, std::string> outside[] = {
        {"upper", "A"}, {"space", " "}, {"underscore", "_"}, {"slash", "/"}, {"control", "\x01"}, {"tab", "\t"},
        {"del", "\x7f"}, {"nul", std::string(1, '\0')}, {"non-ascii", "\xC3\xA9"}, {"at", "@"}, {"plus", "+"}};
    for (const auto& [tag, c] : outside) {
      std::size_t pos = 0;
      const auto cp = utf8::DecodeNext(c, pos);
      if (cp && cs.Contains(*cp)) continue;
      AddBody(m.name + ".charset." + tag, "charset", r.head.id, With(m.name, replace_last(c)));
    }
    // Each maximal run of allowed characters at both of its edges.
    const auto& set = cs.members();
    for (int c = 0; c < 128; ++c) {
      if (!set.test(static_cast<std::size_t>(c))) continue;
      const bool first = c == 0 || !set.test(static_cast<std::size_t>(c - 1));
      const bool last = c == 127 || !set.test(static_cast<std::size_t>(c + 1));
      if (!first && !last) continue;
      AddBody(m.name + ".charset.allowed." + CharWord(static_cast<char>(c)), "charset", r.head.id,
              With(m.name, replace_last(std::string(1, static_cast<char>(c)))));
    }
  }

  void Structure(const spec::Member& m) {
    const spec::MemberRule* required = m.Find(spec::MemberRuleKind::kRequired);
    const spec::MemberRule* type = m.Find(spec::MemberRuleKind::kType);
    json missing = base_;
    missing.erase(m.name);
    AddBody(m.name + ".missing", "structure", required ? required->head.id : "", missing);
    AddBody(m.name + ".null", "structure", required ? required->head.id : "", With(m.name, nullptr));
    const std::pair<const char*, json> wrong[] = {{"number", json(12)},           {"float", json(1.5)},
                                                   {"boolean", json(true)},       {"array", json::array({"a"})},
                                                   {"object", json{{"a", "b"}}},  {"string", json("text")}};
    for (const auto& [tag, value] : wrong) {
      if (std::string(tag) == spec::ToString(m.type)) continue;
      AddBody(m.name + ".type." + tag, "structure", type ? type->head.id : "", With(m.name, value));
    }
  }

  void WholeBody() {
    json unknown = base_;
    unknown["ChapcheckUnknownMember"] = "x";
    AddBody("structure.unknown-member", "structure", "", unknown);
    AddBody("structure.empty-object", "structure", "", json::object());
    Add("structure.empty-body", "structure", "", MakeRequest(""));
    Add("structure.array-body", "structure", "serialization.object", MakeRequest("[" + base_.dump() + "]"));
    Add("structure.string-body", "structure", "serialization.object", MakeRequest("\"text\""));
    const std::string valid = base_.dump();
    Add("structure.truncated-json", "structure", "serialization.json", MakeRequest(valid.substr(0, valid.size() - 1)));
    Add("structure.trailing-garbage", "structure", "serialization.json", MakeRequest(valid + "x"));
    // A NUL after a whole object: parsers that read C strings (nlohmann among them) stop there and
    // accept the object; no JSON text holds a raw NUL.
    Add("structure.nul-after-object", "structure", "serialization.json",
        MakeRequest(valid + std::string(1, '\0') + "x"));
    Add("structure.invalid-utf8", "structure", "serialization.json", MakeRequest("{\"a\":\"\xff\"}"));
    if (!base_.empty()) {
      // The first member sent twice, first with a wrong value: lenient servers take the last.
      const std::string first = base_.begin().key();
      Add("structure.duplicate-key", "structure", "serialization.duplicate-keys",
          MakeRequest("{\"" + first + "\":12," + valid.substr(1)));
    }
  }

  void Protocol() {
    const std::string body = base_.dump();
    for (const auto& t : spec_.protocol.targets) {
      Add("protocol.target." + t.prefix, "protocol", "operation.target", MakeRequest(body, t.prefix));
    }
    spec::Request unknown = MakeRequest(body);
    unknown.headers[1].second = spec_.protocol.CurrentTarget()->prefix + ".ChapcheckNoSuchOperation";
    Add("protocol.target.unknown-operation", "protocol", "operation.target", unknown);
    spec::Request no_target = MakeRequest(body);
    no_target.headers.pop_back();
    Add("protocol.target.missing", "protocol", "operation.target", no_target);
    spec::Request text = MakeRequest(body);
    text.headers[0].second = "text/plain";
    Add("protocol.content-type.text-plain", "protocol", "serialization.content-type", text);
    spec::Request params = MakeRequest(body);
    params.headers[0].second += "; charset=utf-8";
    Add("protocol.content-type.with-parameters", "protocol", "serialization.content-type", params);
    spec::Request get = MakeRequest(body);
    get.method = "GET";
    Add("protocol.method.get", "protocol", "operation.method", get);
    const std::pair<AuthMode, const char*> auth[] = {{AuthMode::kNone, "auth.missing"},
                                                     {AuthMode::kMalformed, "auth.malformed"},
                                                     {AuthMode::kUnknownKey, "auth.unknown-key"},
                                                     {AuthMode::kWrongSignature, "auth.signature"},
                                                     {AuthMode::kExpired, "auth.expired"}};
    for (const auto& [mode, rule] : auth) {
      Add("protocol.auth." + std::string(ToString(mode)), "protocol", rule, MakeRequest(body), mode);
    }
  }

  // ARN variants built from the grammar: one named part changed, or the form broken.
  void Semantics() {
    for (const spec::Lookup& l : spec_.lookups) {
      const spec::Member* m = spec_.FindMember(l.member);
      const spec::MemberRule* f = m ? m->Find(spec::MemberRuleKind::kFormat) : nullptr;
      if (!f) continue;
      const spec::ArnGrammar& g = spec_.grammars.at(f->grammar);
      auto parts = spec::ParseArn(g, ctx_.target_arn);
      if (!parts) continue;
      // The resource parts this lookup's key uses: changing the last of them names something
      // that does not exist (a gateway, or a target on a known gateway).
      std::string part;
      for (const auto& s : g.resource) {
        if (!s.name.empty() && l.key.find("{" + s.name + "}") != std::string::npos) part = s.name;
      }
      if (l.key == "{$}" && !g.resource.empty() && !g.resource.back().name.empty()) part = g.resource.back().name;
      if (part.empty() || l.kind != spec::LookupKind::kExists) continue;
      auto changed = *parts;
      changed[part] += "0";
      std::string arn = "arn:" + changed["partition"] + ":" + changed["service"] + ":" + changed["region"] + ":" +
                        changed["account"] + ":";
      for (std::size_t i = 0; i < g.resource.size(); ++i) {
        if (i) arn += g.separator;
        arn += g.resource[i].literal.empty() ? changed[g.resource[i].name] : g.resource[i].literal;
      }
      AddBody("semantics." + std::string(l.resource == spec::Resource::kGateway ? "unknown-gateway" : "unknown-target"),
              "semantics", l.head.id, With(l.member, arn));
      if (!g.partition.one_of.empty() && ctx_.target_arn.rfind("arn:", 0) == 0) {
        const std::string broken = "arn:" + g.partition.one_of.front() + "-chapcheck" +
                                   ctx_.target_arn.substr(4 + parts->at("partition").size());
        AddBody("semantics.malformed-arn", "semantics", f->head.id, With(l.member, broken));
      }
      if (ctx_.offline_target_arn) {
        AddBody("semantics.offline-gateway", "semantics", "", With(l.member, *ctx_.offline_target_arn));
      }
      if (ctx_.other_target_arn) AddBody("semantics.other-target", "semantics", "", With(l.member, *ctx_.other_target_arn));
    }
    for (const spec::CrossRule& r : spec_.cross_rules) {
      json b = base_;
      const spec::Member* first = spec_.FindMember(r.members.front());
      const std::string v = first ? BaseValue(*first) : "a";
      for (const auto& name : r.members) b[name] = v;
      AddBody("semantics." + r.head.id, "semantics", r.head.id, b);
    }
  }

  // Equivalence classes per member, then a covering array of all pairs of classes.
  void Pairwise() {
    struct Class {
      std::string tag;
      std::optional<json> value;  // nullopt: the member is left out
    };
    std::vector<std::pair<std::string, std::vector<Class>>> dims;
    for (const spec::Member& m : spec_.members) {
      std::vector<Class> classes = {{"valid", json(BaseValue(m))}};
      if (const auto* len = m.Find(spec::MemberRuleKind::kLength)) {
        classes.push_back({"min", json(Fit(BaseValue(m), len->length.min, len->length.unit))});
        classes.push_back({"max", json(Fit(BaseValue(m), len->length.max, len->length.unit))});
        classes.push_back({"too-long", json(Fit(BaseValue(m), len->length.max + 1, len->length.unit))});
        if (len->length.min > 0) {
          classes.push_back({"too-short", json(Fit(BaseValue(m), len->length.min - 1, len->length.unit))});
        }
      }
      if (m.Find(spec::MemberRuleKind::kPattern)) classes.push_back({"bad-char", json(BaseValue(m) + "A")});
      classes.push_back({"absent", std::nullopt});
      dims.emplace_back(m.name, std::move(classes));
    }
    if (dims.size() < 2) return;
    // Every pair (dimension i class a, dimension j class b) must appear in some row.
    std::set<std::tuple<std::size_t, std::size_t, std::size_t, std::size_t>> uncovered;
    for (std::size_t i = 0; i < dims.size(); ++i) {
      for (std::size_t j = i + 1; j < dims.size(); ++j) {
        for (std::size_t a = 0; a < dims[i].second.size(); ++a) {
          for (std::size_t b = 0; b < dims[j].second.size(); ++b) uncovered.insert({i, a, j, b});
        }
      }
    }
    std::mt19937_64 rng(ctx_.seed);
    int row_number = 0;
    while (!uncovered.empty()) {
      // Seed the row with an uncovered pair, fill the rest greedily from random candidates.
      std::vector<std::size_t> best;
      std::size_t best_gain = 0;
      const auto [i0, a0, j0, b0] = *uncovered.begin();
      for (int attempt = 0; attempt < 40; ++attempt) {
        std::vector<std::size_t> row(dims.size());
        for (std::size_t d = 0; d < dims.size(); ++d) row[d] = rng() % dims[d].second.size();
        row[i0] = a0;
        row[j0] = b0;
        std::size_t gain = 0;
        for (std::size_t i = 0; i < dims.size(); ++i) {
          for (std::size_t j = i + 1; j < dims.size(); ++j) gain += uncovered.count({i, row[i], j, row[j]});
        }
        if (gain > best_gain) best_gain = gain, best = row;
      }
      json body = json::object();
      std::string stem = "pairwise." + std::to_string(++row_number);
      for (std::size_t d = 0; d < dims.size(); ++d) {
        const Class& c = dims[d].second[best[d]];
        if (c.value) body[dims[d].first] = *c.value;
        stem += (d ? "," : ":") + dims[d].first + "=" + c.tag;
      }
      for (std::size_t i = 0; i < dims.size(); ++i) {
        for (std::size_t j = i + 1; j < dims.size(); ++j) uncovered.erase({i, best[i], j, best[j]});
      }
      AddBody(stem, "pairwise", "", body);
    }
  }

  const Spec& spec_;
  const Context& ctx_;
  const spec::World world_;
  json base_ = json::object();
  std::vector<std::string> sensitive_;
  std::set<std::string> names_;
  std::vector<Case> cases_;
};

}  // namespace

std::string_view ToString(AuthMode m) {
  switch (m) {
    case AuthMode::kSigned: return "signed";
    case AuthMode::kNone: return "none";
    case AuthMode::kMalformed: return "malformed";
    case AuthMode::kUnknownKey: return "unknown-key";
    case AuthMode::kWrongSignature: return "wrong-signature";
    case AuthMode::kExpired: return "expired";
  }
  return "?";
}

spec::AuthStatus ExpectedAuthStatus(AuthMode m) {
  switch (m) {
    case AuthMode::kSigned: return spec::AuthStatus::kValid;
    case AuthMode::kNone: return spec::AuthStatus::kMissing;
    case AuthMode::kMalformed: return spec::AuthStatus::kMalformed;
    case AuthMode::kUnknownKey: return spec::AuthStatus::kUnknownKey;
    case AuthMode::kWrongSignature: return spec::AuthStatus::kBadSignature;
    case AuthMode::kExpired: return spec::AuthStatus::kExpired;
  }
  return spec::AuthStatus::kValid;
}

std::string CaseId(std::string_view name) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "c%012llx", static_cast<unsigned long long>(h & 0xFFFFFFFFFFFFull));
  return buf;
}

spec::World WorldOf(const spec::Spec& spec, const Context& context) {
  if (context.world) return *context.world;
  spec::World w;
  auto add = [&](const std::string& arn, bool online) {
    for (const auto& l : spec.lookups) {
      const spec::Member* m = spec.FindMember(l.member);
      const spec::MemberRule* f = m ? m->Find(spec::MemberRuleKind::kFormat) : nullptr;
      spec::ArnParts parts;
      if (f) {
        auto parsed = spec::ParseArn(spec.grammars.at(f->grammar), arn);
        if (!parsed) continue;
        parts = std::move(parsed).value();
      }
      auto key = spec::ExpandKey(l.key, parts, arn);
      if (!key) continue;
      if (l.resource == spec::Resource::kTarget) {
        w.targets.insert(*key);
      } else if (!w.gateways.count(*key) || !online) {
        w.gateways[*key] = spec::World::Gateway{online, true};
      }
    }
  };
  if (!context.target_arn.empty()) add(context.target_arn, true);
  if (context.other_target_arn) add(*context.other_target_arn, true);
  if (context.offline_target_arn) add(*context.offline_target_arn, false);
  return w;
}

Context DefaultContext(const spec::Spec& spec) {
  Context c;
  for (const auto& l : spec.lookups) {
    if (l.resource != spec::Resource::kTarget || spec.examples.empty()) continue;
    const json body = json::parse(spec.examples.front().body);
    if (body.contains(l.member) && body[l.member].is_string()) c.target_arn = body[l.member].get<std::string>();
  }
  return c;
}

std::vector<Case> Generate(const spec::Spec& spec, const Context& context) { return Generator(spec, context).Run(); }

std::string ToJsonLine(const Case& c) {
  json headers = json::array();
  for (const auto& [k, v] : c.request.headers) headers.push_back({k, v});
  json expect{{"decision", spec::ToString(c.expectation.outcome.decision)}, {"status", c.expectation.outcome.status}};
  if (c.expectation.outcome.decision == spec::Decision::kReject) {
    expect["type"] = c.expectation.outcome.error_type;
    if (!c.expectation.outcome.error_code.empty()) expect["errorCode"] = c.expectation.outcome.error_code;
    expect["rule"] = c.expectation.outcome.rule;
    expect["severity"] = spec::ToString(c.expectation.outcome.severity);
  }
  if (c.expectation.lenient) expect["lenient"] = spec::ToString(c.expectation.lenient->decision);
  json j{{"id", c.id},
         {"name", c.name},
         {"family", c.family},
         {"rule", c.rule},
         {"auth", ToString(c.auth)},
         {"request", {{"method", c.request.method}, {"path", c.request.path}, {"headers", headers}}},
         {"expect", expect}};
  // Bodies that are not UTF-8 (the malformed-JSON cases) are kept exact, as base64.
  if (utf8::IsValid(c.request.body)) {
    j["request"]["body"] = c.request.body;
  } else {
    j["request"]["bodyBase64"] = Base64Encode(c.request.body);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace chapcheck::generators
