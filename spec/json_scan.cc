#include "spec/json_scan.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <functional>

#include "base/utf8.h"

// A single-pass, iterative scanner over the bytes. It mirrors nlohmann::json 3.11.2's
// sax_parse(strict, no comments), which this file used before, input for input: the same
// verdicts, the same partial results before an error (top, max_depth, duplicates) and the same
// error offsets (nlohmann's count of characters read, where reading the end counts as one), with
// one deliberate difference: a NUL byte between tokens is an error, not the end of the input.
// spec/json_scan_diff_test.cc keeps the old implementation and compares the two.

namespace chapcheck::spec {
namespace {

using Byte = unsigned char;

// A stack whose first N entries live inside the object: shallow documents need no heap.
// T must be trivially copyable.
template <typename T, std::size_t N>
class InlineStack {
 public:
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return i < N ? inline_[i] : spill_[i - N]; }
  const T& operator[](std::size_t i) const { return i < N ? inline_[i] : spill_[i - N]; }
  T& back() { return (*this)[size_ - 1]; }
  void push_back(const T& v) {
    if (size_ < N) {
      inline_[size_] = v;
    } else {
      spill_.push_back(v);
    }
    ++size_;
  }
  void pop_back() { Truncate(size_ - 1); }
  void Truncate(std::size_t n) {
    size_ = n;
    spill_.resize(n > N ? n - N : 0);
  }

 private:
  std::array<T, N> inline_;
  std::vector<T> spill_;
  std::size_t size_ = 0;
};

enum class Container : std::uint8_t { kArray, kObject };

enum class Tok {
  kBeginObject, kEndObject, kBeginArray, kEndArray, kColon, kComma,
  kString, kInteger, kFloat, kTrue, kFalse, kNull, kEnd, kError
};

// What the string lexer keeps of a string's content.
enum class Sink {
  kNone,   // validate only
  kKey,    // a key: plain keys stay a view of the input, escaped ones are decoded into arena_
  kValue,  // a top-level member's value: escaped ones are decoded into a new string of JsonScan::decoded
};

// Objects up to this many keys look for a repeat by comparing; larger ones get a hash index.
constexpr std::size_t kLinearKeys = 16;

// The significant digits of 2^1024 - 2^970 (1.797...e308), the midpoint between DBL_MAX and
// 2^1024: strtod rounds every magnitude at or above it to infinity (the tie goes to the even
// significand, 2^1024). Comparing digits decides "out of range" exactly, without strtod's
// locale or a NUL-terminated copy.
constexpr std::string_view kInfinityDigits =
    "17976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797"
    "75872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548"
    "45817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711"
    "559699508093042880177904174497792";
constexpr int kInfinityExponent = 308;
static_assert(kInfinityDigits.size() == 309);

bool IsDigit(Byte c) { return c >= '0' && c <= '9'; }

// Bytes a string holds as they are: ASCII from space up, except '"' and '\\'.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

// Whether strtod (C locale) turns the number literal [b, e) (already checked against the JSON
// grammar) into +-infinity.
bool Overflows(const Byte* b, const Byte* e) {
  const Byte* p = b;
  if (*p == '-') ++p;
  const Byte* int_b = p;
  while (p < e && IsDigit(*p)) ++p;
  const Byte* int_e = p;
  const Byte* frac_b = p;
  const Byte* frac_e = p;
  if (p < e && *p == '.') {
    frac_b = ++p;
    while (p < e && IsDigit(*p)) ++p;
    frac_e = p;
  }
  std::int64_t exp = 0;
  if (p < e) {  // 'e' or 'E'
    ++p;
    bool negative = false;
    if (*p == '+' || *p == '-') negative = *p++ == '-';
    // Saturate: any exponent past this is far outside the range either way.
    constexpr std::int64_t kCap = std::int64_t{1} << 50;
    for (; p < e; ++p) exp = std::min(exp * 10 + (*p - '0'), kCap);
    if (negative) exp = -exp;
  }
  // The first significant digit and the decimal exponent of the value written as d.ddd * 10^x.
  const Byte* first = int_b;
  while (first < int_e && *first == '0') ++first;
  std::int64_t x = 0;
  if (first < int_e) {
    x = static_cast<std::int64_t>(int_e - first) - 1 + exp;
  } else {
    first = frac_b;
    while (first < frac_e && *first == '0') ++first;
    if (first == frac_e) return false;  // zero
    x = -static_cast<std::int64_t>(first - frac_b) - 1 + exp;
  }
  if (x != kInfinityExponent) return x > kInfinityExponent;
  // Same magnitude: compare the digits (integer part, then fraction) with the threshold's.
  std::size_t i = 0;
  for (const Byte* q = first; q < frac_e; ++q) {
    if (q == int_e) q = frac_b;  // skip the '.'
    if (q >= frac_e) break;
    if (i == kInfinityDigits.size()) return true;  // equal so far; at or above
    const char want = kInfinityDigits[i++];
    if (static_cast<char>(*q) != want) return static_cast<char>(*q) > want;
  }
  return i == kInfinityDigits.size();  // a proper prefix is below (the threshold ends in 2)
}

class Scanner {
 public:
  Scanner(std::string_view text, JsonScan& out)
      : begin_(reinterpret_cast<const Byte*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()),
        out_(out) {}

  void Run();

 private:
  struct Key {
    std::size_t off;
    std::size_t len;
    std::size_t hash;  // filled once the object has a hash index
    bool in_arena;     // decoded into arena_ (it had escapes) rather than a view of the input
  };
  struct Object {
    std::size_t keys_begin;   // this object's keys are keys_[keys_begin, keys_.size())
    std::size_t arena_begin;  // and its decoded keys arena_[arena_begin, ...)
    std::size_t current_key;  // index into keys_ of the member being read
    std::size_t table;        // index into tables_, or kNoIndex
  };
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);  // also "not found"

  // --- lexer: each call reads one token and sets tok_end_ to nlohmann's position after it.
  Tok Next(Sink sink);
  Tok Literal(std::string_view rest, Tok tok);
  Tok Number(Byte first);
  Tok String(Sink sink);
  bool Escape(Sink sink, std::string* dst);
  Tok LexError() {  // the byte at p_ (or the end) was read and rejected
    tok_end_ = Offset(p_) + 1;
    return Tok::kError;
  }
  bool Reject() {
    LexError();
    return false;
  }
  std::size_t Offset(const Byte* p) const { return static_cast<std::size_t>(p - begin_); }

  // --- parser events
  void OnValue(JsonKind kind);
  void EndValue();
  void OnKey();
  void PushObject();
  void PopObject();
  std::string_view KeyText(const Key& k) const;
  std::size_t FindKey(const Object& o, std::string_view text, std::size_t hash) const;
  void IndexKey(Object& o, std::size_t index);
  void BuildIndex(Object& o);
  std::string PathTo(std::string_view key) const;
  Sink ValueSink();
  void Fail(bool out_of_range);

  std::size_t depth() const { return kinds_.size(); }
  bool in_top_object() const { return depth() == 1 && out_.top == JsonKind::kObject; }

  const Byte* const begin_;
  const Byte* p_;
  const Byte* const end_;
  JsonScan& out_;
  std::size_t tok_end_ = 0;
  std::size_t tok_begin_ = 0;  // where the last token started

  // The last string token: a view of the input unless it had escapes and was decoded.
  const Byte* str_b_ = nullptr;
  const Byte* str_e_ = nullptr;
  bool str_escaped_ = false;
  Key key_{};                         // the last key token (Sink::kKey)
  std::string* decoded_value_ = nullptr;  // where Sink::kValue decoded the last escaped string
  const Byte* num_b_ = nullptr;       // the last number token
  const Byte* num_e_ = nullptr;

  InlineStack<Container, 64> kinds_;  // per open container, outermost first
  InlineStack<Object, 8> objects_;
  InlineStack<Key, 32> keys_;    // the keys of every open object, innermost last
  std::string arena_;            // decoded keys of open objects, innermost last
  std::vector<std::vector<std::size_t>> tables_;  // hash indexes of open objects (1 + key offset)
  std::size_t tables_used_ = 0;
  std::size_t member_ = 0;  // out_.members index of the top-level member being read
};

Tok Scanner::Next(Sink sink) {
  const Byte* p = p_;  // local: see String()
  while (p < end_ && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
  p_ = p;
  if (p_ == end_) {
    tok_end_ = Offset(end_) + 1;  // nlohmann counts reading the end as a character
    return Tok::kEnd;
  }
  tok_begin_ = Offset(p_);
  const Byte c = *p_++;
  tok_end_ = Offset(p_);
  switch (c) {
    case '{': return Tok::kBeginObject;
    case '}': return Tok::kEndObject;
    case '[': return Tok::kBeginArray;
    case ']': return Tok::kEndArray;
    case ':': return Tok::kColon;
    case ',': return Tok::kComma;
    case 't': return Literal("rue", Tok::kTrue);
    case 'f': return Literal("alse", Tok::kFalse);
    case 'n': return Literal("ull", Tok::kNull);
    case '"': return String(sink);
    // nlohmann reads a NUL between tokens as the end of the input, so `{}\0anything` passed
    // as `{}`. No JSON text holds a raw NUL (RFC 8259: not whitespace, and a control character
    // inside a string), and a service parser refuses one: an error here, at the NUL.
    case '\0': return Tok::kError;
    default:
      if (c == '-' || IsDigit(c)) return Number(c);
      return Tok::kError;
  }
}

Tok Scanner::Literal(std::string_view rest, Tok tok) {
  for (const char want : rest) {
    if (p_ == end_ || *p_ != static_cast<Byte>(want)) return LexError();
    ++p_;
  }
  tok_end_ = Offset(p_);
  return tok;
}

Tok Scanner::Number(Byte first) {
  num_b_ = p_ - 1;
  bool is_float = false;
  if (first == '-') {
    if (p_ == end_ || !IsDigit(*p_)) return LexError();
    first = *p_++;
  }
  if (first != '0') {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    is_float = true;
    if (p_ == end_ || !IsDigit(*p_)) return LexError();
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    is_float = true;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return LexError();
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  num_e_ = p_;
  tok_end_ = Offset(p_);
  if (is_float) return Tok::kFloat;
  // An integer that fits int64 (negative) or uint64 (otherwise); nlohmann reads others as a double.
  const bool negative = *num_b_ == '-';
  const std::string_view digits(reinterpret_cast<const char*>(num_b_ + (negative ? 1 : 0)),
                                static_cast<std::size_t>(num_e_ - num_b_) - (negative ? 1 : 0));
  const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
  const bool fits = digits.size() < limit.size() || (digits.size() == limit.size() && digits <= limit);
  return fits ? Tok::kInteger : Tok::kFloat;
}

int HexValue(Byte c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Tok Scanner::String(Sink sink) {
  const Byte* const start = p_;
  const Byte* run = p_;  // raw bytes not yet copied to dst
  std::string* dst = nullptr;
  const std::size_t arena_mark = arena_.size();
  str_escaped_ = false;
  while (true) {
    // The common run of plain bytes, with a local cursor: through a member the compiler must
    // store it on every byte, as a byte read may alias anything.
    const Byte* p = p_;
    while (p < end_ && kPlain[*p]) ++p;
    p_ = p;
    if (p_ == end_) return LexError();
    const Byte c = *p_;
    if (c == '"') break;
    if (c == '\\') {
      if (sink != Sink::kNone) {
        if (dst == nullptr) {  // the first escape: from here on the content is built in dst
          dst = sink == Sink::kKey ? &arena_ : (decoded_value_ = &out_.decoded.emplace_front());
        }
        dst->append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
      }
      if (!Escape(sink, dst)) return Tok::kError;
      run = p_;
      str_escaped_ = true;
      continue;
    }
    if (c < 0x80) return LexError();  // a control character
    // RFC 3629's table, as nlohmann checks it; an error names the byte that broke the sequence.
    std::size_t bad = 0;
    const std::size_t n = utf8::SequenceAt(
        std::string_view(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(end_ - p_)), 0, bad);
    if (n == 0) {
      p_ += bad;
      return LexError();
    }
    p_ += n;
  }
  str_b_ = start;
  str_e_ = p_;
  if (dst != nullptr) dst->append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
  ++p_;  // the closing quote
  tok_end_ = Offset(p_);
  if (sink == Sink::kKey) {
    key_ = str_escaped_ ? Key{arena_mark, arena_.size() - arena_mark, 0, true}
                        : Key{Offset(start), static_cast<std::size_t>(str_e_ - start), 0, false};
  }
  return Tok::kString;
}

// Reads one escape at p_ (the backslash); appends its bytes to dst if there is one.
bool Scanner::Escape(Sink sink, std::string* dst) {
  ++p_;
  if (p_ == end_) return Reject();
  char simple = 0;
  switch (*p_) {
    case '"': simple = '"'; break;
    case '\\': simple = '\\'; break;
    case '/': simple = '/'; break;
    case 'b': simple = '\b'; break;
    case 'f': simple = '\f'; break;
    case 'n': simple = '\n'; break;
    case 'r': simple = '\r'; break;
    case 't': simple = '\t'; break;
    case 'u': break;
    default: return Reject();
  }
  ++p_;
  if (simple != 0) {
    if (sink != Sink::kNone) dst->push_back(simple);
    return true;
  }
  // Four hex digits at p_, read one by one so an error names the first bad one.
  auto hex4 = [this](std::uint32_t& cp) {
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const int v = p_ == end_ ? -1 : HexValue(*p_);
      if (v < 0) return Reject();
      cp = cp << 4 | static_cast<std::uint32_t>(v);
      ++p_;
    }
    return true;
  };
  std::uint32_t cp = 0;
  if (!hex4(cp)) return false;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    // A high surrogate must be followed by an escaped low one; together they are one code point.
    if (p_ == end_ || *p_ != '\\') return Reject();
    ++p_;
    if (p_ == end_ || *p_ != 'u') return Reject();
    ++p_;
    std::uint32_t low = 0;
    if (!hex4(low)) return false;
    if (low < 0xDC00 || low > 0xDFFF) {
      tok_end_ = Offset(p_);
      return false;
    }
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    tok_end_ = Offset(p_);
    return false;
  }
  if (sink != Sink::kNone) utf8::Append(*dst, static_cast<char32_t>(cp));  // never a surrogate here
  return true;
}

std::string_view Scanner::KeyText(const Key& k) const {
  const char* base = k.in_arena ? arena_.data() : reinterpret_cast<const char*>(begin_);
  return std::string_view(base + k.off, k.len);
}

// The index in keys_ of o's key equal to text, or kNoIndex if there is none.
std::size_t Scanner::FindKey(const Object& o, std::string_view text, std::size_t hash) const {
  if (o.table == kNoIndex) {
    for (std::size_t i = o.keys_begin; i < keys_.size(); ++i) {
      if (keys_[i].len == text.size() && KeyText(keys_[i]) == text) return i;
    }
    return kNoIndex;
  }
  const std::vector<std::size_t>& t = tables_[o.table];
  const std::size_t mask = t.size() - 1;
  for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
    if (t[s] == 0) return kNoIndex;
    const Key& k = keys_[o.keys_begin + t[s] - 1];
    if (k.hash == hash && KeyText(k) == text) return o.keys_begin + t[s] - 1;
  }
}

// Adds keys_[index] (hash filled) to o's table, which has room.
void Scanner::IndexKey(Object& o, std::size_t index) {
  std::vector<std::size_t>& t = tables_[o.table];
  const std::size_t mask = t.size() - 1;
  std::size_t s = keys_[index].hash & mask;
  while (t[s] != 0) s = (s + 1) & mask;
  t[s] = index - o.keys_begin + 1;
}

// Gives o a hash index of at least twice its key count (load at most 1/2), rebuilding it.
void Scanner::BuildIndex(Object& o) {
  const std::size_t count = keys_.size() - o.keys_begin;
  if (o.table == kNoIndex) {
    if (tables_used_ == tables_.size()) tables_.emplace_back();
    o.table = tables_used_++;  // open objects take indexes in stack order (see PopObject)
    for (std::size_t i = o.keys_begin; i < keys_.size(); ++i) {
      keys_[i].hash = std::hash<std::string_view>{}(KeyText(keys_[i]));
    }
  }
  std::size_t size = 64;
  while (size < 2 * count) size *= 2;
  std::vector<std::size_t>& t = tables_[o.table];
  t.assign(size, 0);
  for (std::size_t i = o.keys_begin; i < keys_.size(); ++i) IndexKey(o, i);
}

void Scanner::OnKey() {
  Object& o = objects_.back();
  const std::string_view text = KeyText(key_);
  const std::size_t hash = o.table == kNoIndex ? 0 : std::hash<std::string_view>{}(text);
  std::size_t index = FindKey(o, text, hash);
  if (index != kNoIndex) {
    if (!out_.duplicate_keys) {
      out_.duplicate_keys = true;
      out_.first_duplicate = PathTo(text);
    }
    if (key_.in_arena) arena_.resize(key_.off);  // the first copy is kept
  } else {
    index = keys_.size();
    Key k = key_;
    k.hash = hash;
    keys_.push_back(k);
    if (o.table != kNoIndex) {
      if (2 * (index + 1 - o.keys_begin) > tables_[o.table].size()) {
        BuildIndex(o);
      } else {
        IndexKey(o, index);
      }
    } else if (index + 1 - o.keys_begin > kLinearKeys) {
      BuildIndex(o);
    }
    if (in_top_object()) {
      // A key decoded into arena_ goes with the scanner: the scan keeps its own copy.
      const std::string_view name = key_.in_arena ? std::string_view(out_.decoded.emplace_front(text)) : text;
      out_.members.push_back(JsonScan::Member{name, JsonKind::kNull, {}});
    }
  }
  o.current_key = index;
  // The top-level object's keys are keys_[0, n) in first-seen order, like out_.members.
  if (in_top_object()) member_ = index;
}

void Scanner::OnValue(JsonKind kind) {
  if (depth() == 0) {
    out_.top = kind;
    return;
  }
  if (!in_top_object()) return;
  JsonScan::Member& m = out_.members[member_];
  m.kind = kind;
  m.value_begin = tok_begin_;
  m.value_end = tok_end_;  // a container's end is set when it closes (EndValue)
  if (kind != JsonKind::kString) {
    m.string_value = {};
  } else if (!str_escaped_) {
    m.string_value = std::string_view(reinterpret_cast<const char*>(str_b_), static_cast<std::size_t>(str_e_ - str_b_));
  } else {
    m.string_value = *decoded_value_;  // String() decoded it there
  }
}

Sink Scanner::ValueSink() { return in_top_object() ? Sink::kValue : Sink::kNone; }

// A value that just ended at p_ (a scalar, or a container's closing bracket): when it is a
// top-level member's, that member's text ends here.
void Scanner::EndValue() {
  if (in_top_object()) out_.members[member_].value_end = Offset(p_);
}

void Scanner::PushObject() {
  kinds_.push_back(Container::kObject);
  objects_.push_back(Object{keys_.size(), arena_.size(), kNoIndex, kNoIndex});
  out_.max_depth = std::max(out_.max_depth, depth());
}

void Scanner::PopObject() {
  const Object& o = objects_.back();
  keys_.Truncate(o.keys_begin);
  arena_.resize(o.arena_begin);
  // Only the innermost open object takes keys, so an object that has a table got it before any
  // object opened inside it: tables are released in the reverse order of taking.
  if (o.table != kNoIndex) --tables_used_;
  objects_.pop_back();
  kinds_.pop_back();
}

std::string Scanner::PathTo(std::string_view key) const {
  std::string path = "$";
  std::size_t object = 0;
  for (std::size_t i = 0; i + 1 < depth(); ++i) {
    if (kinds_[i] == Container::kArray) {
      path += "[]";
      continue;
    }
    path += '.';
    path += KeyText(keys_[objects_[object++].current_key]);
  }
  path += '.';
  path += key;
  return path;
}

void Scanner::Fail(bool out_of_range) {
  out_.ok = false;
  out_.error_offset = tok_end_;
  out_.error_kind = out_of_range ? "number out of range" : "syntax error";
  out_.error_has_offset = true;
}

void Scanner::Run() {
  // One UTF-8 byte order mark may precede the text; a partial one is an error.
  if (p_ < end_ && *p_ == 0xEF) {
    for (const Byte b : {Byte{0xEF}, Byte{0xBB}, Byte{0xBF}}) {
      if (p_ == end_ || *p_ != b) {
        LexError();
        return Fail(false);
      }
      ++p_;
    }
  }
  Tok t = Next(Sink::kNone);
  while (true) {
    // t starts a value.
    switch (t) {
      case Tok::kBeginObject:
        OnValue(JsonKind::kObject);
        PushObject();
        t = Next(Sink::kKey);
        if (t == Tok::kEndObject) {
          PopObject();
          break;
        }
        if (t != Tok::kString) return Fail(false);
        OnKey();
        if (Next(Sink::kNone) != Tok::kColon) return Fail(false);
        t = Next(ValueSink());
        continue;
      case Tok::kBeginArray:
        OnValue(JsonKind::kArray);
        kinds_.push_back(Container::kArray);
        out_.max_depth = std::max(out_.max_depth, depth());
        t = Next(Sink::kNone);
        if (t == Tok::kEndArray) {
          kinds_.pop_back();
          break;
        }
        continue;
      case Tok::kFloat:
        if (Overflows(num_b_, num_e_)) return Fail(true);
        OnValue(JsonKind::kNumber);
        break;
      case Tok::kInteger: OnValue(JsonKind::kInteger); break;
      case Tok::kString: OnValue(JsonKind::kString); break;
      case Tok::kTrue:
      case Tok::kFalse: OnValue(JsonKind::kBoolean); break;
      case Tok::kNull: OnValue(JsonKind::kNull); break;
      default: return Fail(false);
    }
    // A value is complete; close containers until one continues.
    EndValue();
    while (true) {
      if (depth() == 0) {
        if (Next(Sink::kNone) != Tok::kEnd) Fail(false);
        return;
      }
      t = Next(Sink::kNone);
      if (kinds_.back() == Container::kArray) {
        if (t == Tok::kComma) break;
        if (t != Tok::kEndArray) return Fail(false);
        kinds_.pop_back();
        EndValue();
        continue;
      }
      if (t == Tok::kComma) {
        if (Next(Sink::kKey) != Tok::kString) return Fail(false);
        OnKey();
        if (Next(Sink::kNone) != Tok::kColon) return Fail(false);
        break;
      }
      if (t != Tok::kEndObject) return Fail(false);
      PopObject();
      EndValue();
    }
    t = Next(ValueSink());
  }
}

}  // namespace

std::string_view ToString(JsonKind k) {
  switch (k) {
    case JsonKind::kNull: return "null";
    case JsonKind::kBoolean: return "boolean";
    case JsonKind::kInteger: return "integer";
    case JsonKind::kNumber: return "number";
    case JsonKind::kString: return "string";
    case JsonKind::kArray: return "array";
    case JsonKind::kObject: return "object";
  }
  return "?";
}

const JsonScan::Member* JsonScan::Find(std::string_view name) const {
  for (const auto& m : members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string JsonScan::Error() const {
  if (ok) return "";
  std::string out(error_kind);
  if (error_has_offset) out += " at byte " + std::to_string(error_offset);
  return out;
}

JsonScan ScanJson(std::string_view text) {
  JsonScan out;
  out.ok = true;
  try {
    Scanner(text, out).Run();
  } catch (const std::exception&) {
    // Only allocation can throw; say so rather than let it escape.
    out.ok = false;
    out.error_kind = "could not be read";
    out.error_has_offset = false;
  }
  if (!out.ok) out.members.clear();
  return out;
}

}  // namespace chapcheck::spec
