#include "fuzz/mutations.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace chapcheck::fuzz {
namespace {

using json = nlohmann::json;
using generators::AuthMode;

std::uint64_t Mix(std::uint64_t a, std::uint64_t b) {
  Rng r(a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull));
  r.Next();
  return r.Next();
}

template <class T>
const T& Pick(Rng& rng, const std::vector<T>& v) {
  return v[rng.Below(v.size())];
}

// Characters of a set at the edges of its ranges ("0", "9", "a", "z", ":", ...).
std::vector<char> Edges(const std::bitset<128>& set) {
  std::vector<char> out;
  for (int c = 0; c < 128; ++c) {
    if (!set.test(c)) continue;
    const bool low = c == 0 || !set.test(c - 1), high = c == 127 || !set.test(c + 1);
    if (low || high) out.push_back(static_cast<char>(c));
  }
  return out;
}

std::vector<char> Outside(const std::bitset<128>& set) {
  std::vector<char> out;
  for (int c = 0; c < 128; ++c) {
    if (!set.test(c)) out.push_back(static_cast<char>(c));
  }
  return out;
}

// Multi-byte characters of each UTF-8 width, and a few that look like nothing.
const std::vector<std::string>& MultiByte() {
  static const std::vector<std::string> v = {"\xC3\xA9", "\xC2\xA0", "\xE2\x82\xAC", "\xE2\x80\x8B", "\xEF\xBB\xBF",
                                             "\xF0\x9F\x98\x80", "\xF0\x90\x80\x80"};
  return v;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

struct MemberInfo {
  const spec::Member* member;
  std::optional<spec::LengthBound> length;
  std::bitset<128> allowed;  // the pattern's set, or printable ASCII without '"' and '\'
  std::vector<char> edges, outside;
  bool format = false;  // an ARN-like member with a grammar
};

}  // namespace

struct Mutator::Tables {
  std::vector<MemberInfo> members;
  const spec::Member* initiator = nullptr;  // the required, plain string member a probe renames
};

std::uint64_t Rng::Next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<std::string> SensitiveValues(const spec::Spec& spec, std::string_view body) {
  std::vector<std::string> out;
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& m : spec.members) {
    auto it = j.find(m.name);
    if (m.sensitive && it != j.end() && it->is_string()) out.push_back(it->get<std::string>());
  }
  return out;
}

struct Mutator::Impl {
  const Mutator& m;
  Rng rng;
  const std::vector<MemberInfo>& members;
  std::vector<std::string> ops;  // what was done, for the case name

  // A value of `n` units of the member (bytes or characters), from its allowed characters, with
  // multi-byte characters one time in three.
  std::string Fill(const MemberInfo& info, std::size_t n) {
    const bool bytes = info.length && info.length->unit == spec::LengthUnit::kUtf8Bytes;
    std::vector<char> pool;
    for (int c = 0; c < 128; ++c) {
      if (info.allowed.test(c)) pool.push_back(static_cast<char>(c));
    }
    if (pool.empty()) pool.push_back('a');
    std::string out;
    if (rng.OneIn(3)) {
      const std::string& mb = Pick(rng, MultiByte());
      if (bytes) {
        while (out.size() + mb.size() <= n) out += mb;
      } else {
        for (std::size_t i = 0; i < n; ++i) out += mb;
        return out;
      }
    }
    while (out.size() < n) out += Pick(rng, pool);
    return out;
  }

  void Length(const MemberInfo& info, json& body) {
    const auto& b = *info.length;
    std::vector<std::size_t> sizes = {b.max + 1, b.max, b.min};
    if (b.min > 0) sizes.push_back(b.min - 1);
    sizes.push_back(b.min + 1);
    if (b.max > 0) sizes.push_back(b.max - 1);
    sizes.push_back(0);
    sizes.push_back(b.max + 1 + rng.Below(b.max + 64));
    const std::size_t n = Pick(rng, sizes);
    const std::string& name = info.member->name;
    auto it = body.find(name);
    if (info.format && it != body.end() && it->is_string()) {
      // Keep the ARN's shape: cut it or pad its last part.
      std::string v = it->get<std::string>();
      if (v.size() > n) {
        v.resize(n);
      } else {
        while (v.size() < n) v += 'a';
      }
      *it = v;
    } else {
      body[name] = Fill(info, n);
    }
    ops.push_back(name + ".length." + std::to_string(n));
  }

  void Charset(const MemberInfo& info, json& body) {
    const std::string& name = info.member->name;
    auto it = body.find(name);
    std::string v = it != body.end() && it->is_string() ? it->get<std::string>() : Fill(info, info.length ? info.length->min + 1 : 4);
    std::string c;
    switch (rng.Below(4)) {
      case 0:
        c = std::string(1, info.edges.empty() ? 'a' : Pick(rng, info.edges));
        ops.push_back(name + ".charset.edge");
        break;
      case 1:
        c = std::string(1, info.outside.empty() ? '~' : Pick(rng, info.outside));
        ops.push_back(name + ".charset.outside");
        break;
      case 2:
        c = Pick(rng, MultiByte());
        ops.push_back(name + ".charset.multibyte");
        break;
      default:
        c = std::string(1, static_cast<char>(rng.Below(32)));
        ops.push_back(name + ".charset.control");
        break;
    }
    // Replace or insert at an ASCII position (never inside a multi-byte character).
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i <= v.size(); ++i) {
      if (i == v.size() || static_cast<unsigned char>(v[i]) < 0x80) at.push_back(i);
    }
    const std::size_t pos = Pick(rng, at);
    if (pos < v.size() && rng.OneIn(2)) {
      v.replace(pos, 1, c);
    } else {
      v.insert(pos, c);
    }
    body[name] = v;
  }

  void WrongType(const MemberInfo& info, json& body) {
    static const std::vector<json> kValues = {json(12), json(-1), json(1.5), json(true), json(nullptr), json::array(),
                                              json::array({"a"}), json::object(), json(123456789012345678ull)};
    body[info.member->name] = Pick(rng, kValues);
    ops.push_back(info.member->name + ".type");
  }

  void Arn(const MemberInfo& info, json& body) {
    const std::string& name = info.member->name;
    auto it = body.find(name);
    std::string v = it != body.end() && it->is_string() ? it->get<std::string>() : Pick(rng, m.known_arns_);
    std::vector<std::string> parts;  // split on ':' (the ARN's fields)
    {
      std::size_t start = 0;
      for (std::size_t c = v.find(':'); parts.size() < 5 && c != std::string::npos; c = v.find(':', start)) {
        parts.push_back(v.substr(start, c - start));
        start = c + 1;
      }
      parts.push_back(v.substr(start));
    }
    auto join = [&] {
      std::string out;
      for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ":" : "") + parts[i];
      return out;
    };
    std::string what;
    const auto gw = v.find("gateway/");
    const auto tgt = v.find("/target/");
    switch (rng.Below(11)) {
      case 0:
        if (!m.known_arns_.empty()) v = Pick(rng, m.known_arns_);
        what = "known";
        break;
      case 1:
        if (gw != std::string::npos) {
          const auto end = v.find('/', gw + 8);
          char id[16];
          std::snprintf(id, sizeof id, "sgw-%08llX", static_cast<unsigned long long>(rng.Next() & 0xFFFFFFFFull));
          v = v.substr(0, gw + 8) + id + (end == std::string::npos ? "" : v.substr(end));
        }
        what = "unknown-gateway";
        break;
      case 2:
        if (tgt != std::string::npos) v = v.substr(0, tgt + 8) + "iqn.1997-05.com.amazon:fuzz" + std::to_string(rng.Below(1000));
        what = "unknown-target";
        break;
      case 3:
        if (parts.size() > 3) parts[3] = rng.OneIn(2) ? "eu-west-3" : "US-EAST-1", v = join();
        what = "region";
        break;
      case 4:
        if (parts.size() > 4) parts[4] = rng.OneIn(2) ? "999999999999" : std::to_string(rng.Below(100000)), v = join();
        what = "account";
        break;
      case 5:
        if (parts.size() > 2) parts[rng.Below(3)] = rng.OneIn(2) ? "aws-cn" : "x", v = join();
        what = "partition-service";
        break;
      case 6:
        if (tgt != std::string::npos) v = v.substr(0, tgt);
        what = "no-target";
        break;
      case 7:
        v = v.substr(0, rng.Below(v.size() + 1));
        what = "truncated";
        break;
      case 8:
        v = Upper(v);
        what = "upper";
        break;
      case 9: {
        const auto slash = v.find('/');
        if (slash != std::string::npos) v.insert(slash, rng.OneIn(2) ? "/" : ":");
        what = "separator";
        break;
      }
      default:
        if (gw != std::string::npos) v.replace(gw, 7, rng.OneIn(2) ? "volume" : "Gateway");
        what = "resource-type";
        break;
    }
    body[name] = v;
    ops.push_back(name + ".arn." + what);
  }

  void Member(json& body) {
    const MemberInfo& info = Pick(rng, members);
    const std::string& name = info.member->name;
    switch (rng.Below(info.format ? 8 : 6)) {
      case 0:
        if (info.length) {
          Length(info, body);
          break;
        }
        [[fallthrough]];
      case 1: Charset(info, body); break;
      case 2: WrongType(info, body); break;
      case 3:
        body.erase(name);
        ops.push_back(name + ".missing");
        break;
      case 4: {
        // Make one member of a "distinct" rule equal to another.
        for (const auto& r : m.spec_.cross_rules) {
          if (r.members.size() < 2) continue;
          const std::size_t i = rng.Below(r.members.size());
          const std::size_t j = (i + 1 + rng.Below(r.members.size() - 1)) % r.members.size();
          const std::string& a = r.members[i];
          const std::string& b = r.members[j];
          if (body.contains(b)) body[a] = body[b];
          ops.push_back(a + ".equals." + b);
          return;
        }
        Charset(info, body);
        break;
      }
      case 5: {
        static const std::vector<std::string> kUnknown = {"Unknown", "targetARN", "SecretToAuthenticateInitiator ", "__type", "_"};
        body[Pick(rng, kUnknown) + (rng.OneIn(2) ? "" : std::to_string(rng.Below(10)))] = "x";
        ops.push_back("unknown-member");
        break;
      }
      default: Arn(info, body); break;
    }
  }

  void Header(spec::Request& r) {
    const auto& p = m.spec_.protocol;
    auto set = [&](const std::string& name, std::optional<std::string> value) {
      r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                     [&](const auto& h) { return EqualsIgnoreAsciiCase(h.first, name); }),
                      r.headers.end());
      if (value) r.headers.emplace_back(name, *value);
    };
    switch (rng.Below(9)) {
      case 0:
      case 1: {
        // Any known prefix, this operation or a name that is none of the service's.
        std::vector<std::string> prefixes;
        for (const auto& t : p.targets) prefixes.push_back(t.prefix);
        prefixes.push_back("StorageGateway_20150101");
        prefixes.push_back(AsciiLower(Pick(rng, prefixes)));
        const std::vector<std::string> op_names = {m.spec_.operation, m.spec_.operation, AsciiLower(m.spec_.operation),
                                                   m.spec_.operation + "s", m.spec_.operation.substr(1), ""};
        set(p.target_header, Pick(rng, prefixes) + "." + Pick(rng, op_names));
        ops.push_back("header.target");
        break;
      }
      case 2:
        set(p.target_header, std::nullopt);
        ops.push_back("header.target.missing");
        break;
      case 3:
        r.headers.emplace_back(p.target_header, p.CurrentTarget()->prefix + "." + m.spec_.operation);
        ops.push_back("header.target.twice");
        break;
      case 4: {
        const std::vector<std::string> types = {"application/json", "application/x-amz-json-1.0", p.content_type + "; charset=utf-8",
                                                Upper(p.content_type), "text/plain", ""};
        set("Content-Type", Pick(rng, types));
        ops.push_back("header.content-type");
        break;
      }
      case 5:
        set("Content-Type", std::nullopt);
        ops.push_back("header.content-type.missing");
        break;
      case 6:
        r.method = rng.OneIn(2) ? "GET" : "PUT";
        ops.push_back("method");
        break;
      case 7:
        r.path = rng.OneIn(2) ? "/x" : "/?Action=" + m.spec_.operation;
        ops.push_back("path");
        break;
      default:
        r.headers.emplace_back("X-Chapcheck-Fuzz", std::to_string(rng.Below(1000)));
        ops.push_back("header.extra");
        break;
    }
  }

  void Bytes(std::string& body) {
    switch (rng.Below(6)) {
      case 0:
        body.resize(rng.Below(body.size() + 1));
        ops.push_back("bytes.truncated");
        break;
      case 1:
        if (!body.empty()) body[rng.Below(body.size())] = static_cast<char>(rng.Below(256));
        ops.push_back("bytes.flipped");
        break;
      case 2: {
        // Invalid UTF-8 inside the first string value.
        const auto q = body.find(":\"");
        const std::vector<std::string> bad = {"\xFF", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF8\x88\x80\x80\x80"};
        body.insert(q == std::string::npos ? 0 : q + 2, Pick(rng, bad));
        ops.push_back("bytes.invalid-utf8");
        break;
      }
      case 3: {
        const std::vector<std::string> other = {"", "null", "[]", "\"x\"", "{", "{}", "{\"a\":", "0"};
        body = Pick(rng, other);
        ops.push_back("bytes.not-object");
        break;
      }
      case 4: {
        // A duplicate key: the first member written again at the front.
        const auto colon = body.find("\":");
        const auto comma = body.find(',', colon == std::string::npos ? 0 : colon);
        if (!body.empty() && body[0] == '{' && comma != std::string::npos) body.insert(1, body.substr(1, comma));
        ops.push_back("bytes.duplicate-key");
        break;
      }
      default:
        body.insert(body.empty() ? 0 : rng.Below(body.size()), rng.OneIn(2) ? " " : "\n\t");
        ops.push_back("bytes.whitespace");
        break;
    }
  }
};

Mutator::Mutator(const spec::Spec& spec, std::vector<generators::Case> seeds, spec::World world)
    : spec_(spec), seeds_(std::move(seeds)), world_(std::move(world)) {
  for (std::size_t i = 0; i < seeds_.size(); ++i) {
    if (seeds_[i].expectation.outcome.decision == spec::Decision::kAccept && seeds_[i].auth == AuthMode::kSigned) {
      valid_seeds_.push_back(i);
    }
  }
  auto tables = std::make_shared<Tables>();
  for (const auto& member : spec_.members) {
    MemberInfo info{&member, std::nullopt, {}, {}, {}, false};
    if (const auto* r = member.Find(spec::MemberRuleKind::kLength)) info.length = r->length;
    if (const auto* r = member.Find(spec::MemberRuleKind::kPattern); r && r->pattern) {
      info.allowed = r->pattern->members();
    } else {
      for (int c = 0x21; c < 0x7F; ++c) info.allowed.set(c);
      info.allowed.reset('"');
      info.allowed.reset('\\');
    }
    info.format = member.Find(spec::MemberRuleKind::kFormat) != nullptr;
    info.edges = Edges(info.allowed);
    info.outside = Outside(info.allowed);
    if (!member.sensitive && !info.format && member.required && member.type == spec::JsonType::kString && info.allowed.test(':')) {
      tables->initiator = &member;
    }
    tables->members.push_back(std::move(info));
  }
  tables_ = std::move(tables);
  known_arns_.assign(world_.targets.begin(), world_.targets.end());
  // A target no gateway has, on each gateway (the look-ups of a gateway without iSCSI, offline or
  // unknown gateways come before the target's).
  for (const auto& [gateway, info] : world_.gateways) known_arns_.push_back(gateway + "/target/iqn.1997-05.com.amazon:chapcheck-none");
  if (known_arns_.empty()) known_arns_.push_back("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-00000000");
}

Mutant Mutator::Judge(generators::Case c) const {
  Mutant out;
  c.expectation = spec::Decide(spec_, c.request, generators::ExpectedAuthStatus(c.auth), &world_);
  c.rule = c.expectation.outcome.rule;
  c.id = generators::CaseId(c.name);
  out.secrets = SensitiveValues(spec_, c.request.body);
  c.sensitive_values = !out.secrets.empty();
  if (tables_->initiator) {
    const std::string needle = "\"" + tables_->initiator->name + "\":\"" + std::string(kProbeInitiatorPrefix);
    if (const auto at = c.request.body.find(needle); at != std::string::npos) {
      const auto start = at + tables_->initiator->name.size() + 4;
      const auto end = c.request.body.find('"', start);
      if (end != std::string::npos) out.probe_initiator = c.request.body.substr(start, end - start);
    }
  }
  out.test_case = std::move(c);
  return out;
}

Mutant Mutator::Make(std::uint64_t seed, std::uint64_t index) const {
  Impl impl{*this, Rng(Mix(seed, index)), tables_->members, {}};
  Rng& rng = impl.rng;

  // Mostly a valid request, sometimes any seed (its own failure is a starting point too).
  const bool from_valid = !valid_seeds_.empty() && !rng.OneIn(4);
  const generators::Case& base = seeds_[from_valid ? valid_seeds_[rng.Below(valid_seeds_.size())] : rng.Below(seeds_.size())];
  generators::Case c;
  c.family = "fuzz";
  c.request = base.request;
  c.auth = base.auth;
  json body = json::parse(base.request.body, nullptr, false);
  const bool object = body.is_object();

  // One request in 32 takes a fresh InitiatorName, so a rejected one can be judged by state (two
  // DescribeChapCredentials calls around it: the most expensive requests of the run).
  const spec::Member* initiator = tables_->initiator;
  // Only where the seed sends a string name: an accepted probe goes back to it (below), and a seed
  // whose name had another JSON type had none to go back to (its probe stayed, accepted).
  if (object && initiator && index % 32 == 0 && body.contains(initiator->name) && body[initiator->name].is_string()) {
    char tail[24];
    std::snprintf(tail, sizeof tail, "%016llx", static_cast<unsigned long long>(rng.Next()));
    body[initiator->name] = std::string(kProbeInitiatorPrefix) + tail;
    impl.ops.push_back("probe");
  }

  const int count = 1 + static_cast<int>(rng.Below(3));
  bool raw = false;  // a byte mutation happened: the body is text from now on
  std::string text;
  for (int i = 0; i < count; ++i) {
    const auto kind = rng.Below(20);
    if (kind < 11 && object && !raw) {
      impl.Member(body);
    } else if (kind < 14) {
      impl.Header(c.request);
    } else if (kind < 17) {
      static const std::vector<AuthMode> kModes = {AuthMode::kNone, AuthMode::kMalformed, AuthMode::kUnknownKey,
                                                   AuthMode::kWrongSignature, AuthMode::kExpired, AuthMode::kSigned};
      c.auth = Pick(rng, kModes);
      impl.ops.push_back("auth." + std::string(generators::ToString(c.auth)));
    } else {
      if (!raw) text = object ? body.dump(-1, ' ', false, json::error_handler_t::replace) : base.request.body;
      raw = true;
      impl.Bytes(text);
    }
  }
  if (raw) {
    c.request.body = std::move(text);
  } else if (object) {
    c.request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  std::string name = "fuzz." + std::to_string(seed) + "." + std::to_string(index);
  for (const auto& op : impl.ops) name += (&op == &impl.ops.front() ? ":" : "+") + op;
  c.name = std::move(name);
  Mutant out = Judge(std::move(c));
  const auto& v = out.test_case.expectation;
  if (!out.probe_initiator.empty() && (v.outcome.decision == spec::Decision::kAccept || v.lenient)) {
    // An accepted probe would leave a new initiator behind on the target: the seed's name instead.
    const json seed_body = json::parse(base.request.body, nullptr, false);
    auto& b = out.test_case.request.body;
    const auto at = b.find(out.probe_initiator);
    if (seed_body.is_object() && seed_body.contains(initiator->name) && seed_body[initiator->name].is_string() && at != std::string::npos) {
      b.replace(at, out.probe_initiator.size(), seed_body[initiator->name].get<std::string>());
      out = Judge(std::move(out.test_case));
    }
  }
  return out;
}

}  // namespace chapcheck::fuzz
