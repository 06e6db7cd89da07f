#include "fuzz/request_mutator.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/utf8.h"
#include "generators/fuzz_input.h"

namespace chapcheck::fuzz {
namespace {

using json = nlohmann::json;

std::size_t Pick(std::mt19937& rng, std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

// Code points of each UTF-8 width, to build strings whose byte and character counts differ.
constexpr char32_t kWide[] = {U'\u00E9', U'\u20AC', U'\U0001F600'};

std::string Utf8(char32_t cp) {
  std::string s;
  utf8::Append(s, cp);
  return s;
}

// The printable ASCII of a set, or a-z without one: what MemberChar picks from.
std::string PrintableMembers(const std::optional<spec::Charset>& cs) {
  std::string in;
  for (std::size_t c = 0x20; c < 0x7F; ++c) {
    if (cs ? cs->members().test(c) : (c >= 'a' && c <= 'z')) in += static_cast<char>(c);
  }
  return in;
}

// A character of `chars` (PrintableMembers), or 'a' when there is none.
char MemberChar(const std::string& chars, std::mt19937& rng) {
  return chars.empty() ? 'a' : chars[Pick(rng, chars.size())];
}

// Characters at the edges of a set's ranges and just outside them (ASCII), plus a few that no
// ASCII set holds: a control, DEL, non-ASCII and an invalid byte.
std::vector<std::string> EdgeChars(const spec::Charset& cs) {
  std::vector<std::string> out;
  const auto& m = cs.members();
  for (std::size_t c = 0; c < 128; ++c) {
    const bool in = m.test(c);
    if ((c > 0 && m.test(c - 1) != in) || (c + 1 < 128 && m.test(c + 1) != in)) out.emplace_back(1, static_cast<char>(c));
  }
  for (const char* s : {"\x01", "\x7F", "\xC3\xA9", "\xE2\x80\x8B", "\xFF", " ", "A", "Z"}) out.emplace_back(s);
  return out;
}

}  // namespace

RequestMutator::RequestMutator(const spec::Spec& spec) {
  for (const auto& m : spec.members) {
    MemberClass c;
    c.name = m.name;
    c.type = m.type;
    if (const auto* r = m.Find(spec::MemberRuleKind::kLength)) c.length = r->length;
    if (const auto* r = m.Find(spec::MemberRuleKind::kPattern)) c.pattern = r->pattern;
    if (const auto* r = m.Find(spec::MemberRuleKind::kFormat)) {
      const auto g = spec.grammars.find(r->grammar);
      if (g != spec.grammars.end()) c.grammar = &g->second;
    }
    // Worked out once here, not per mutation (they cost the fuzz targets dozens of allocations
    // an input).
    c.chars = PrintableMembers(c.pattern);
    c.edges = EdgeChars(c.pattern ? *c.pattern : *spec::Charset::Parse("[0-9a-z]+"));
    members_.push_back(std::move(c));
  }
  for (const auto& r : spec.cross_rules) distinct_.push_back(r.members);
  if (!spec.examples.empty()) base_body_ = spec.examples.front().body;
}

std::string RequestMutator::LengthValue(const MemberClass& m, std::mt19937& rng) const {
  const std::size_t lo = m.length ? m.length->min : 1, hi = m.length ? m.length->max : 16;
  const std::size_t bounds[] = {lo == 0 ? 0 : lo - 1, lo, lo + 1, hi == 0 ? 0 : hi - 1, hi, hi + 1, 0, hi * 2 + 3};
  const std::size_t n = bounds[Pick(rng, std::size(bounds))];
  std::string out;
  const bool bytes = m.length && m.length->unit == spec::LengthUnit::kUtf8Bytes;
  switch (Pick(rng, 3)) {
    case 0:  // n characters of the member's own set
      for (std::size_t i = 0; i < n; ++i) out += MemberChar(m.chars, rng);
      return out;
    case 1: {  // wide characters: for byte bounds exactly n bytes, or one byte past (a character split)
      const char32_t wide = kWide[Pick(rng, std::size(kWide))];
      const std::string w = Utf8(wide);
      if (!bytes) {
        for (std::size_t i = 0; i < n; ++i) out += w;
        return out;
      }
      const std::size_t k = n / w.size();
      for (std::size_t i = 0; i < k; ++i) out += w;
      while (out.size() < n) out += MemberChar(m.chars, rng);
      return out;
    }
    default: {  // n bytes made of ASCII then one wide character that ends just past n
      const std::string w = Utf8(kWide[Pick(rng, std::size(kWide))]);
      const std::size_t ascii = n + 1 > w.size() ? n + 1 - w.size() : 0;
      for (std::size_t i = 0; i < ascii; ++i) out += MemberChar(m.chars, rng);
      return out + w;
    }
  }
}

std::string RequestMutator::CharsetValue(const MemberClass& m, const std::string& current, std::mt19937& rng) const {
  std::string v = current;
  if (v.empty() || (m.pattern && !m.pattern->Matches(v))) {
    v.clear();
    const std::size_t n = std::max<std::size_t>(m.length ? m.length->min : 1, 1);
    for (std::size_t i = 0; i < n; ++i) v += MemberChar(m.chars, rng);
  }
  const std::string& e = m.edges[Pick(rng, m.edges.size())];
  switch (Pick(rng, 3)) {
    case 0: return e + v.substr(std::min<std::size_t>(1, v.size()));
    case 1: return v.substr(0, v.size() - std::min<std::size_t>(1, v.size())) + e;
    default: {
      const std::size_t at = Pick(rng, v.size());
      return v.substr(0, at) + e + v.substr(std::min(v.size(), at + 1));
    }
  }
}

std::string RequestMutator::ArnValue(const MemberClass& m, const std::string& current, std::mt19937& rng) const {
  const spec::ArnGrammar& g = *m.grammar;
  // Split into the five header parts and the resource segments.
  std::vector<std::string> head;
  std::string rest = current;
  for (int i = 0; i < 5; ++i) {
    const auto colon = rest.find(':');
    if (colon == std::string::npos) break;
    head.push_back(rest.substr(0, colon));
    rest = rest.substr(colon + 1);
  }
  if (head.size() != 5) return current + g.separator;
  std::vector<std::string> res;
  for (std::size_t at = 0;;) {
    const auto next = rest.find(g.separator, at);
    res.push_back(rest.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) break;
    at = next + 1;
  }
  const spec::Segment* segs[] = {&g.partition, &g.service, &g.region, &g.account};
  const std::size_t which = Pick(rng, 4 + g.resource.size());
  auto edit = [&](std::string& part, const spec::Segment& seg) {
    switch (Pick(rng, 6)) {
      case 0: part = seg.one_of.empty() ? "" : seg.one_of[Pick(rng, seg.one_of.size())]; break;  // another choice
      case 1: part.clear(); break;
      case 2:  // a length just around the segment's bounds
        if (seg.min_length > 0 && seg.min_length == seg.max_length) {
          part = std::string(seg.min_length + (Pick(rng, 2) ? 1 : -1), part.empty() ? '1' : part[0]);
        } else {
          part += part.empty() ? "x" : part.substr(0, 1);
        }
        break;
      case 3:  // an edge character of its set, or one outside
        if (seg.charset) {
          const auto edges = EdgeChars(*seg.charset);
          part.insert(Pick(rng, part.size() + 1), edges[Pick(rng, edges.size())]);
        } else {
          part += "-x";
        }
        break;
      case 4:  // upper case
        for (char& c : part) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        break;
      default: part = seg.literal.empty() ? part + part : seg.literal + "s"; break;
    }
  };
  if (which < 4) {
    edit(head[which], *segs[which]);
  } else {
    const std::size_t i = which - 4;
    switch (Pick(rng, 3)) {
      case 0:
        if (i < res.size()) res.erase(res.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      case 1:
        if (i < res.size()) res.insert(res.begin() + static_cast<std::ptrdiff_t>(i), res[i]);
        break;
      default:
        if (i < res.size()) edit(res[i], g.resource[i]);
        break;
    }
  }
  std::string out;
  for (const auto& h : head) out += h + ":";
  for (std::size_t i = 0; i < res.size(); ++i) out += (i ? std::string(1, g.separator) : "") + res[i];
  return out;
}

std::optional<std::string> RequestMutator::MutateBody(std::string_view body, std::mt19937& rng) const {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || members_.empty()) return std::nullopt;
  std::optional<std::string> duplicate;  // a member written twice (JSON objects here cannot hold it)
  const std::size_t rounds = 1 + Pick(rng, 3);
  for (std::size_t r = 0; r < rounds; ++r) {
    const MemberClass& m = members_[Pick(rng, members_.size())];
    const std::string current = doc.contains(m.name) && doc[m.name].is_string() ? doc[m.name].get<std::string>() : "";
    switch (Pick(rng, 10)) {
      case 0: case 1: case 2: doc[m.name] = LengthValue(m, rng); break;
      case 3: case 4: doc[m.name] = CharsetValue(m, current, rng); break;
      case 5:
        if (m.grammar) {
          doc[m.name] = ArnValue(m, current, rng);
        } else {
          doc[m.name] = LengthValue(m, rng);
        }
        break;
      case 6: {  // a value of the wrong JSON type (or null, which the protocol reads as absent)
        static const char* kOthers[] = {"0", "-1.5e300", "true", "null", "[]", "{}", "[\"x\"]", "{\"a\":1}", "\"\""};
        doc[m.name] = json::parse(kOthers[Pick(rng, std::size(kOthers))]);
        break;
      }
      case 7: doc.erase(m.name); break;
      case 8:
        if (!distinct_.empty()) {  // every member of a "distinct" rule gets the same value
          const auto& group = distinct_[Pick(rng, distinct_.size())];
          const std::string v = current.empty() ? LengthValue(m, rng) : current;
          for (const auto& name : group) doc[name] = v;
        } else {
          doc["x" + std::to_string(Pick(rng, 3))] = 1;
        }
        break;
      default:
        if (Pick(rng, 2)) {
          duplicate = json(m.name).dump() + ":" + json(LengthValue(m, rng)).dump(-1, ' ', false, json::error_handler_t::replace);
        } else {
          doc["Unknown" + std::to_string(Pick(rng, 3))] = current;
        }
        break;
    }
  }
  std::string out = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  if (duplicate) out.insert(1, *duplicate + (out.size() > 2 ? "," : ""));
  return out;
}

std::size_t RequestMutator::Mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                                   const Fallback& fallback) const {
  std::mt19937 rng(seed);
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t at = generators::FuzzBodyOffset(in);
  if (size == 0 || (data[0] & 7) >= generators::kRawHttpMode) return fallback(data, size, max_size);
  if (Pick(rng, 5) == 0) return fallback(data, size, max_size);  // headers, mode byte, raw bytes
  std::optional<std::string> body = MutateBody(in.substr(at), rng);
  if (!body) {
    if (Pick(rng, 4) != 0 || base_body_.empty()) return fallback(data, size, max_size);
    body = base_body_;  // back to a valid object now and then, so JSON mutations resume
  }
  if (at + body->size() > max_size) return fallback(data, size, max_size);
  std::memcpy(data + at, body->data(), body->size());
  return at + body->size();
}

std::size_t RequestMutator::CrossOver(std::string_view a, std::string_view b, std::uint8_t* out, std::size_t max_size,
                                      unsigned seed) const {
  std::mt19937 rng(seed);
  const std::size_t at_a = generators::FuzzBodyOffset(a), at_b = generators::FuzzBodyOffset(b);
  json ja = json::parse(a.substr(at_a), nullptr, false), jb = json::parse(b.substr(at_b), nullptr, false);
  std::string result;
  if (ja.is_object() && jb.is_object()) {
    for (const auto& m : members_) {
      if (Pick(rng, 2) == 0) continue;
      if (jb.contains(m.name)) {
        ja[m.name] = jb[m.name];
      } else {
        ja.erase(m.name);
      }
    }
    result = std::string(a.substr(0, at_a)) + ja.dump(-1, ' ', false, json::error_handler_t::replace);
  } else {
    result = std::string(a.substr(0, Pick(rng, a.size() + 1))) + std::string(b.substr(Pick(rng, b.size() + 1)));
  }
  const std::size_t n = std::min(result.size(), max_size);
  std::memcpy(out, result.data(), n);
  return n;
}

}  // namespace chapcheck::fuzz
