#include "fuzz/request_mutator.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "base/utf8.h"
#include "generators/fuzz_input.h"
#include "spec/json_scan.h"

// This runs once per fuzz execution, where (under ASan) every heap allocation costs about as much
// as scanning the body: so no DOM. The body is scanned (spec::ScanJson), its members kept as views
// (names in the scan, values as their raw JSON text in the input), edited as views, and written
// out in one reservation. New string values are written the way nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) writes strings, which this file used before.

namespace chapcheck::fuzz {
namespace {

using Byte = unsigned char;

// A number in [0, n) (0 when n is 0): the high word of a 64x64-bit product (Lemire's method,
// without the rejection step; its bias, under n / 2^64, means nothing to a mutator).
__extension__ using Wide = unsigned __int128;  // __extension__: g++ -Wpedantic accepts it
std::size_t Pick(MutationRng& rng, std::size_t n) {
  return static_cast<std::size_t>((static_cast<Wide>(rng()) * n) >> 64);
}

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
char MemberChar(const std::string& chars, MutationRng& rng) {
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

// Writes a JSON string to a Sink: Put(char) and Put(const char*, size_t). Templated so the
// exact output size can be counted first (SizeSink) and the output reserved once.
template <typename Sink>
void PutJsonString(Sink& sink, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  sink.Put('"');
  std::size_t run = 0;  // s[run, i) is written as it is, when something else must be written
  std::size_t i = 0;
  while (i < s.size()) {
    const Byte c = static_cast<Byte>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    std::size_t bad = 0;
    std::size_t n = 0;
    if (c >= 0x80 && (n = utf8::SequenceAt(s, i, bad)) != 0) {  // non-ASCII UTF-8 stays as it is
      i += n;
      continue;
    }
    sink.Put(s.data() + run, i - run);
    if (c >= 0x80) {
      // One U+FFFD, as nlohmann's replacement writes it, for the lead byte and the continuation
      // bytes that fitted; the byte that broke the sequence is read again.
      sink.Put("\xEF\xBF\xBD", 3);
      i += std::max<std::size_t>(bad, 1);
    } else {
      switch (c) {
        case '"': sink.Put("\\\"", 2); break;
        case '\\': sink.Put("\\\\", 2); break;
        case '\b': sink.Put("\\b", 2); break;
        case '\f': sink.Put("\\f", 2); break;
        case '\n': sink.Put("\\n", 2); break;
        case '\r': sink.Put("\\r", 2); break;
        case '\t': sink.Put("\\t", 2); break;
        default: {
          const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          sink.Put(u, sizeof u);
        }
      }
      ++i;
    }
    run = i;
  }
  sink.Put(s.data() + run, s.size() - run);
  sink.Put('"');
}

struct SizeSink {
  std::size_t size = 0;
  void Put(char) { ++size; }
  void Put(const char*, std::size_t n) { size += n; }
};

struct StringSink {
  std::string& out;
  void Put(char c) { out.push_back(c); }
  void Put(const char* p, std::size_t n) { out.append(p, n); }
};

// Writes the first `max` bytes of what is put, and counts all of it.
struct BufferSink {
  std::uint8_t* out;
  std::size_t max;
  std::size_t size = 0;
  void Put(char c) { Put(&c, 1); }
  void Put(const char* p, std::size_t n) {
    if (size < max) std::memcpy(out + size, p, std::min(n, max - size));
    size += n;
  }
};

// One member of the body being rewritten, as views: the name into the scan, the spec or a static
// table; the value into the input (its raw JSON text), a static literal, or a string the caller
// keeps alive until the body is written.
struct Field {
  std::string_view name;
  std::string_view raw;   // the value's JSON text, written as it is (unless `escape`)
  std::string_view text;  // the decoded value when it is a string ("current" for the mutations)
  bool is_string = false;
  bool escape = false;  // write `text` as a JSON string instead of `raw`
};

// The members of a body in order. Up to kInline of them live here, not on the heap: the spec's
// bodies have four or five, and the mutations add a few.
class Fields {
 public:
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;

  // The members of a scanned object, values as their text in `body` (the scanned text).
  Fields(const spec::JsonScan& scan, std::string_view body) {
    // A body too big for the inline room gets its heap room at once, with some for the members
    // the mutations add (up to 3 rounds of a "distinct" group each).
    if (scan.members.size() > capacity_) Grow(scan.members.size() + 8);
    for (const auto& m : scan.members) Append(Value(m, body));
  }

  // A scanned member's value, as its text in `body` (the scanned text).
  static Field Value(const spec::JsonScan::Member& m, std::string_view body) {
    return Field{m.name, m.Raw(body), m.string_value,
                 m.kind == spec::JsonKind::kString, false};
  }

  Field* begin() { return data_; }
  Field* end() { return data_ + size_; }
  const Field* begin() const { return data_; }
  const Field* end() const { return data_ + size_; }

  Field* Find(std::string_view name) {
    for (Field& f : *this) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  // Like doc[name] = value: the member keeps its place, or is added at the end.
  void Set(std::string_view name, const Field& value) {
    Field* f = Find(name);
    if (f == nullptr) f = &Append(value);
    *f = value;
    f->name = name;
  }
  void SetString(std::string_view name, std::string_view value) { Set(name, Field{{}, {}, value, true, true}); }

  void Erase(std::string_view name) {
    if (Field* f = Find(name)) {
      std::copy(f + 1, end(), f);
      --size_;
    }
  }

  // Writes {"name":value,...}, with `first` (a member written twice, when there is one) first.
  template <typename Sink>
  void Put(Sink& sink, const Field* first) const {
    sink.Put('{');
    bool comma = false;
    auto member = [&](const Field& f) {
      if (comma) sink.Put(',');
      comma = true;
      PutJsonString(sink, f.name);
      sink.Put(':');
      if (f.escape) {
        PutJsonString(sink, f.text);
      } else {
        sink.Put(f.raw.data(), f.raw.size());
      }
    };
    if (first != nullptr) member(*first);
    for (const Field& f : *this) member(f);
    sink.Put('}');
  }

  std::size_t Size(const Field* first) const {
    SizeSink s;
    Put(s, first);
    return s.size;
  }

 private:
  static constexpr std::size_t kInline = 16;

  void Grow(std::size_t capacity) {
    std::vector<Field> bigger(capacity);
    std::copy(begin(), end(), bigger.begin());
    heap_.swap(bigger);
    data_ = heap_.data();
    capacity_ = capacity;
  }

  Field& Append(const Field& f) {
    if (size_ == capacity_) Grow(2 * capacity_);
    data_[size_] = f;
    return data_[size_++];
  }

  std::array<Field, kInline> inline_;
  std::vector<Field> heap_;
  Field* data_ = inline_.data();
  std::size_t size_ = 0;
  std::size_t capacity_ = kInline;
};

// Names the mutations add, so that they need no string of their own.
constexpr std::string_view kExtraNames[] = {"x0", "x1", "x2"};
constexpr std::string_view kUnknownNames[] = {"Unknown0", "Unknown1", "Unknown2"};

// Whether the body text is a JSON object (what MutateBody and CrossOver work on).
bool IsObject(const spec::JsonScan& scan) { return scan.ok && scan.top == spec::JsonKind::kObject; }

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  StringSink sink{out};
  PutJsonString(sink, s);
}

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
    if (c.grammar) {
      const spec::ArnGrammar& g = *c.grammar;
      for (const spec::Segment* s : {&g.partition, &g.service, &g.region, &g.account}) {
        c.segment_edges.push_back(s->charset ? EdgeChars(*s->charset) : std::vector<std::string>());
      }
      for (const auto& s : g.resource) {
        c.segment_edges.push_back(s.charset ? EdgeChars(*s.charset) : std::vector<std::string>());
      }
    }
    members_.push_back(std::move(c));
  }
  for (const auto& r : spec.cross_rules) distinct_.push_back(r.members);
  if (!spec.examples.empty()) base_body_ = spec.examples.front().body;
}

std::string RequestMutator::LengthValue(const MemberClass& m, MutationRng& rng) const {
  const std::size_t lo = m.length ? m.length->min : 1, hi = m.length ? m.length->max : 16;
  const std::size_t bounds[] = {lo == 0 ? 0 : lo - 1, lo, lo + 1, hi == 0 ? 0 : hi - 1, hi, hi + 1, 0, hi * 2 + 3};
  const std::size_t n = bounds[Pick(rng, std::size(bounds))];
  std::string out;
  const bool bytes = m.length && m.length->unit == spec::LengthUnit::kUtf8Bytes;
  switch (Pick(rng, 3)) {
    case 0:  // n characters of the member's own set
      out.reserve(n);
      for (std::size_t i = 0; i < n; ++i) out += MemberChar(m.chars, rng);
      return out;
    case 1: {  // wide characters: for byte bounds exactly n bytes, or one byte past (a character split)
      const char32_t wide = kWide[Pick(rng, std::size(kWide))];
      const std::string w = Utf8(wide);
      if (!bytes) {
        out.reserve(n * w.size());
        for (std::size_t i = 0; i < n; ++i) out += w;
        return out;
      }
      out.reserve(n);
      const std::size_t k = n / w.size();
      for (std::size_t i = 0; i < k; ++i) out += w;
      while (out.size() < n) out += MemberChar(m.chars, rng);
      return out;
    }
    default: {  // n bytes made of ASCII then one wide character that ends just past n
      const std::string w = Utf8(kWide[Pick(rng, std::size(kWide))]);
      const std::size_t ascii = n + 1 > w.size() ? n + 1 - w.size() : 0;
      out.reserve(ascii + w.size());
      for (std::size_t i = 0; i < ascii; ++i) out += MemberChar(m.chars, rng);
      out += w;
      return out;
    }
  }
}

std::string RequestMutator::CharsetValue(const MemberClass& m, std::string_view current, MutationRng& rng) const {
  std::string v;
  if (current.empty() || (m.pattern && !m.pattern->Matches(current))) {
    const std::size_t n = std::max<std::size_t>(m.length ? m.length->min : 1, 1);
    v.reserve(n + 4);  // room for the edge character (up to 3 bytes) that replaces one
    for (std::size_t i = 0; i < n; ++i) v += MemberChar(m.chars, rng);
  } else {
    v.reserve(current.size() + 4);
    v = current;
  }
  const std::string& e = m.edges[Pick(rng, m.edges.size())];
  const std::size_t one = std::min<std::size_t>(1, v.size());
  switch (Pick(rng, 3)) {
    case 0: v.replace(0, one, e); break;               // the first character
    case 1: v.replace(v.size() - one, one, e); break;  // the last one
    default: {
      const std::size_t at = Pick(rng, v.size());
      v.replace(at, std::min<std::size_t>(1, v.size() - at), e);
      break;
    }
  }
  return v;
}

std::string RequestMutator::ArnValue(const MemberClass& m, std::string_view current, MutationRng& rng) const {
  const spec::ArnGrammar& g = *m.grammar;
  // Split into the five header parts and the resource (views of current).
  std::array<std::string_view, 5> head;
  std::string_view rest = current;
  for (auto& h : head) {
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos) {
      std::string out(current);
      return out += g.separator;
    }
    h = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  // The resource segments are the separator-delimited pieces of rest.
  const std::size_t segments = static_cast<std::size_t>(std::count(rest.begin(), rest.end(), g.separator)) + 1;
  auto segment = [&](std::size_t i) {
    std::size_t at = 0;
    for (; i > 0; --i) at = rest.find(g.separator, at) + 1;
    return rest.substr(at, rest.find(g.separator, at) - at);
  };
  const spec::Segment* segs[] = {&g.partition, &g.service, &g.region, &g.account};
  const std::size_t which = Pick(rng, 4 + g.resource.size());
  // The one part that changes: the header part or resource segment `which` names.
  std::string part;
  auto edit = [&](const spec::Segment& seg, const std::vector<std::string>& edges) {
    switch (Pick(rng, 6)) {
      case 0: part = seg.one_of.empty() ? "" : seg.one_of[Pick(rng, seg.one_of.size())]; break;  // another choice
      case 1: part.clear(); break;
      case 2:  // a length just around the segment's bounds
        if (seg.min_length > 0 && seg.min_length == seg.max_length) {
          const char c = part.empty() ? '1' : part[0];
          part.assign(seg.min_length + (Pick(rng, 2) ? 1 : -1), c);
        } else {
          part += part.empty() ? 'x' : part[0];
        }
        break;
      case 3:  // an edge character of its set, or one outside
        if (seg.charset) {
          // In this order: where, then which (the old code left it to argument evaluation).
          const std::size_t at = Pick(rng, part.size() + 1);
          part.insert(at, edges[Pick(rng, edges.size())]);
        } else {
          part += "-x";
        }
        break;
      case 4:  // upper case
        for (char& c : part) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        break;
      default:
        if (seg.literal.empty()) {
          part += part;
        } else {
          part.assign(seg.literal).append("s");
        }
        break;
    }
  };
  // How resource segment `edited` is written: dropped (0), twice (2), or as `part` (1).
  std::size_t edited = segments;
  int copies = 1;
  // head[0] is the "arn" literal: header segment `which` (partition, service, region, account)
  // stands at head[which + 1].
  if (which < 4) {
    part = head[which + 1];
    edit(*segs[which], m.segment_edges[which]);
  } else {
    const std::size_t i = which - 4;
    switch (Pick(rng, 3)) {
      case 0: copies = 0; break;
      case 1: copies = 2; break;
      default:
        if (i < segments) {
          part = segment(i);
          edit(g.resource[i], m.segment_edges[which]);
        }
        break;
    }
    edited = i;
  }
  std::string out;
  out.reserve(current.size() + part.size() + 2 * rest.size() + 2);
  for (std::size_t h = 0; h < head.size(); ++h) {
    out += which < 4 && h == which + 1 ? std::string_view(part) : head[h];
    out += ':';
  }
  bool first = true;
  for (std::size_t i = 0, at = 0; i < segments; ++i) {
    const std::size_t next = rest.find(g.separator, at);
    const std::string_view s = rest.substr(at, next == std::string_view::npos ? next : next - at);
    at = next + 1;
    const int n = i == edited ? copies : 1;
    for (int k = 0; k < n; ++k) {
      if (!first) out += g.separator;
      first = false;
      out += i == edited && copies == 1 ? std::string_view(part) : s;
    }
  }
  return out;
}

std::optional<std::string> RequestMutator::MutateBody(std::string_view body, MutationRng& rng) const {
  const spec::JsonScan scan = spec::ScanJson(body);
  if (!IsObject(scan) || members_.empty()) return std::nullopt;
  Fields doc(scan, body);
  // The values the mutations make, one a round, alive until the body is written.
  std::array<std::string, 3> made;
  std::optional<Field> duplicate;  // a member written twice, first (JSON objects here cannot hold it)
  const std::size_t rounds = 1 + Pick(rng, 3);
  for (std::size_t r = 0; r < rounds; ++r) {
    const MemberClass& m = members_[Pick(rng, members_.size())];
    const Field* f = doc.Find(m.name);
    const std::string_view current = f != nullptr && f->is_string ? f->text : std::string_view();
    switch (Pick(rng, 10)) {
      case 0: case 1: case 2: doc.SetString(m.name, made[r] = LengthValue(m, rng)); break;
      case 3: case 4: doc.SetString(m.name, made[r] = CharsetValue(m, current, rng)); break;
      case 5: doc.SetString(m.name, made[r] = m.grammar ? ArnValue(m, current, rng) : LengthValue(m, rng)); break;
      case 6: {  // a value of the wrong JSON type (or null, which the protocol reads as absent)
        static constexpr std::string_view kOthers[] = {"0",  "-1.5e300", "true",      "null", "[]",
                                                       "{}", "[\"x\"]",  "{\"a\":1}", "\"\""};
        const std::string_view v = kOthers[Pick(rng, std::size(kOthers))];
        doc.Set(m.name, Field{{}, v, {}, v == "\"\"", false});
        break;
      }
      case 7: doc.Erase(m.name); break;
      case 8:
        if (!distinct_.empty()) {  // every member of a "distinct" rule gets the same value
          const auto& group = distinct_[Pick(rng, distinct_.size())];
          const std::string_view v = current.empty() ? std::string_view(made[r] = LengthValue(m, rng)) : current;
          for (const auto& name : group) doc.SetString(name, v);
        } else {
          doc.Set(kExtraNames[Pick(rng, std::size(kExtraNames))], Field{{}, "1", {}, false, false});
        }
        break;
      default:
        if (Pick(rng, 2)) {
          duplicate = Field{m.name, {}, made[r] = LengthValue(m, rng), true, true};
        } else {
          doc.SetString(kUnknownNames[Pick(rng, std::size(kUnknownNames))], current);
        }
        break;
    }
  }
  std::string out;
  const Field* first = duplicate ? &*duplicate : nullptr;
  out.reserve(doc.Size(first));
  StringSink sink{out};
  doc.Put(sink, first);
  return out;
}

std::size_t RequestMutator::Mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                                   const Fallback& fallback) const {
  MutationRng rng(seed);
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t at = generators::FuzzBodyOffset(in);
  if (size == 0 || (data[0] & 7) >= generators::kRawHttpMode) return fallback(data, size, max_size);
  if (Pick(rng, 5) == 0) return fallback(data, size, max_size);  // headers, mode byte, raw bytes
  const std::optional<std::string> mutated = MutateBody(in.substr(at), rng);
  std::string_view body;
  if (mutated) {
    body = *mutated;
  } else {
    if (Pick(rng, 4) != 0 || base_body_.empty()) return fallback(data, size, max_size);
    body = base_body_;  // back to a valid object now and then, so JSON mutations resume
  }
  if (at + body.size() > max_size) return fallback(data, size, max_size);
  std::memcpy(data + at, body.data(), body.size());
  return at + body.size();
}

std::size_t RequestMutator::CrossOver(std::string_view a, std::string_view b, std::uint8_t* out, std::size_t max_size,
                                      unsigned seed) const {
  MutationRng rng(seed);
  const std::size_t at_a = generators::FuzzBodyOffset(a), at_b = generators::FuzzBodyOffset(b);
  const std::string_view body_a = a.substr(at_a), body_b = b.substr(at_b);
  const spec::JsonScan scan_a = spec::ScanJson(body_a);
  const spec::JsonScan scan_b = IsObject(scan_a) ? spec::ScanJson(body_b) : spec::JsonScan();  // else unused
  // The result is written straight into `out`, unless it overlaps what it is made of.
  const auto overlaps = [&](std::string_view s) {
    const auto o = reinterpret_cast<std::uintptr_t>(out), p = reinterpret_cast<std::uintptr_t>(s.data());
    return o < p + s.size() && p < o + max_size;
  };
  std::string copy;
  const bool via_copy = overlaps(a) || overlaps(b);
  if (via_copy) copy.reserve(a.size() + b.size());
  StringSink to_copy{copy};
  BufferSink to_out{out, max_size};
  auto put = [&](std::string_view s) {
    if (via_copy) {
      to_copy.Put(s.data(), s.size());
    } else {
      to_out.Put(s.data(), s.size());
    }
  };
  if (IsObject(scan_a) && IsObject(scan_b)) {
    Fields doc(scan_a, body_a);
    for (const auto& m : members_) {
      if (Pick(rng, 2) == 0) continue;
      if (const spec::JsonScan::Member* v = scan_b.Find(m.name)) {
        doc.Set(m.name, Fields::Value(*v, body_b));
      } else {
        doc.Erase(m.name);
      }
    }
    put(a.substr(0, at_a));
    if (via_copy) {
      doc.Put(to_copy, nullptr);
    } else {
      doc.Put(to_out, nullptr);
    }
  } else {
    // Where a is cut, then where b is (the old code left that order to the compiler).
    put(a.substr(0, Pick(rng, a.size() + 1)));
    put(b.substr(Pick(rng, b.size() + 1)));
  }
  if (!via_copy) return std::min(to_out.size, max_size);
  const std::size_t n = std::min(copy.size(), max_size);
  std::memcpy(out, copy.data(), n);
  return n;
}

}  // namespace chapcheck::fuzz
