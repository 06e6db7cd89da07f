// ScanJson against the implementation it replaced (nlohmann's SAX parser), kept here as the
// reference: a hand list of tricky inputs, then generated documents and byte-level mutations of
// them. Offsets are compared too but only counted: nlohmann's are not part of the contract.
//
// CHAPCHECK_JSON_SCAN_DIFF_N sets the number of generated inputs (default 200,000: about 1 s
// optimised, 13 s in a Debug build with ASan and UBSan), CHAPCHECK_JSON_SCAN_DIFF_SEED the seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "spec/json_scan.h"

namespace chapcheck::spec {
namespace {

// --- the reference: json_scan.cc as it was before the hand-written scanner ---------------------

class ReferenceHandler {
 public:
  using json = nlohmann::json;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit ReferenceHandler(JsonScan& out) : out_(out) {}

  bool null() { return Value(JsonKind::kNull); }
  bool boolean(bool) { return Value(JsonKind::kBoolean); }
  bool number_integer(number_integer_t) { return Value(JsonKind::kInteger); }
  bool number_unsigned(number_unsigned_t) { return Value(JsonKind::kInteger); }
  bool number_float(number_float_t, const string_t&) { return Value(JsonKind::kNumber); }
  bool string(string_t& s) {
    if (frames_.size() == 1 && frames_.back().is_object) pending_string_ = &s;
    const bool r = Value(JsonKind::kString);
    pending_string_ = nullptr;
    return r;
  }
  bool binary(binary_t&) { return Value(JsonKind::kString); }

  bool start_object(std::size_t) {
    Value(JsonKind::kObject);
    frames_.push_back(Frame{true, {}, {}});
    out_.max_depth = std::max(out_.max_depth, frames_.size());
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    Value(JsonKind::kArray);
    frames_.push_back(Frame{false, {}, {}});
    out_.max_depth = std::max(out_.max_depth, frames_.size());
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool key(string_t& k) {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second && !out_.duplicate_keys) {
      out_.duplicate_keys = true;
      out_.first_duplicate = PathTo(k);
    }
    f.current_key = k;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    out_.ok = false;
    out_.error_offset = position;
    out_.error_kind = e.id == 406 ? "number out of range" : "syntax error";
    out_.error_has_offset = true;
    return false;
  }

 private:
  struct Frame {
    bool is_object;
    std::unordered_set<std::string> keys;
    std::string current_key;
  };

  bool Value(JsonKind kind) {
    if (frames_.empty()) {
      out_.top = kind;
      return true;
    }
    if (frames_.size() == 1 && frames_.back().is_object) {
      const std::string& name = frames_.back().current_key;
      auto [slot, inserted] = member_index_.try_emplace(name, out_.members.size());
      // The scan's members are views: this reference keeps every name and value in `decoded`.
      if (inserted) out_.members.push_back(JsonScan::Member{out_.decoded.emplace_front(name), kind, {}});
      JsonScan::Member& m = out_.members[slot->second];
      m.kind = kind;
      m.string_value = pending_string_ ? std::string_view(out_.decoded.emplace_front(*pending_string_)) : std::string_view();
    }
    return true;
  }

  std::string PathTo(const std::string& key) const {
    std::string path = "$";
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      path += frames_[i].is_object ? "." + frames_[i].current_key : "[]";
    }
    return path + "." + key;
  }

  JsonScan& out_;
  std::vector<Frame> frames_;
  std::unordered_map<std::string, std::size_t> member_index_;
  const std::string* pending_string_ = nullptr;
};

JsonScan ReferenceScanJson(std::string_view text) {
  JsonScan out;
  out.ok = true;
  ReferenceHandler handler(out);
  try {
    const bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &handler,
                                                  nlohmann::json::input_format_t::json,
                                                  /*strict=*/true, /*ignore_comments=*/false);
    if (!parsed && out.ok) {
      out.ok = false;
      out.error_kind = "syntax error";
    }
  } catch (const std::exception&) {
    out.ok = false;
    out.error_kind = "could not be read";
  }
  if (!out.ok) out.members.clear();
  return out;
}

// --- comparison --------------------------------------------------------------------------------

std::string Printable(std::string_view s) {
  std::string r;
  for (const char c : s.substr(0, 400)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && u != '\\') {
      r += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      r += buf;
    }
  }
  if (s.size() > 400) r += "...(" + std::to_string(s.size()) + " bytes)";
  return r;
}

std::string_view ErrorKind(const JsonScan& s) {
  return s.error_kind;
}

struct Stats {
  std::size_t inputs = 0;
  std::size_t ok = 0;
  std::size_t out_of_range = 0;
  std::size_t duplicates = 0;
  std::size_t errors = 0;
  std::size_t offset_mismatches = 0;
  std::size_t disagreements = 0;
};

// Compares everything ScanJson promises; returns a description of the first difference, or "".
std::string Difference(std::string_view in, const JsonScan& got, const JsonScan& want) {
  // The one intended difference: nlohmann reads a NUL between tokens as the end of the input and
  // accepted what came before it; ScanJson refuses the NUL. (When the reference refused the text
  // anyway, everything else must agree as usual.)
  if (want.ok && in.find('\0') != std::string_view::npos) {
    if (got.ok) return "accepted a text holding a NUL byte";
    if (got.Error().rfind("syntax error at byte ", 0) != 0) return "a NUL byte gave " + got.Error();
    return "";
  }
  if (got.ok != want.ok) return "ok " + std::to_string(got.ok) + " want " + std::to_string(want.ok);
  if (got.top != want.top) {
    return "top " + std::string(ToString(got.top)) + " want " + std::string(ToString(want.top));
  }
  if (got.duplicate_keys != want.duplicate_keys) return "duplicate_keys";
  if (got.first_duplicate != want.first_duplicate) {
    return "first_duplicate " + Printable(got.first_duplicate) + " want " + Printable(want.first_duplicate);
  }
  if (got.max_depth != want.max_depth) {
    return "max_depth " + std::to_string(got.max_depth) + " want " + std::to_string(want.max_depth);
  }
  if (got.members.size() != want.members.size()) {
    return "members " + std::to_string(got.members.size()) + " want " + std::to_string(want.members.size());
  }
  for (std::size_t i = 0; i < got.members.size(); ++i) {
    const JsonScan::Member& g = got.members[i];
    const JsonScan::Member& w = want.members[i];
    if (g.name != w.name || g.kind != w.kind || g.string_value != w.string_value) {
      return "member " + std::to_string(i) + " " + Printable(g.name) + " " + std::string(ToString(g.kind)) +
             " " + Printable(g.string_value) + " want " + Printable(w.name) + " " +
             std::string(ToString(w.kind)) + " " + Printable(w.string_value);
    }
  }
  if (!got.ok) {
    if (ErrorKind(got) != ErrorKind(want)) return "error " + got.Error() + " want " + want.Error();
    if (!got.error_has_offset) return "error without offset: " + got.Error();
    if (got.error_offset > in.size() + 1) return "offset past the end: " + got.Error();
    // The same offset as nlohmann's, but where a NUL byte is involved (the reference ended the
    // input there; the scanner stops at it as an error).
    if (in.find('\0') == std::string_view::npos && got.error_offset != want.error_offset) {
      return "offset " + std::to_string(got.error_offset) + " want " + std::to_string(want.error_offset);
    }
  }
  return "";
}

void Check(std::string_view in, Stats& stats) {
  const JsonScan got = ScanJson(in);
  const JsonScan want = ReferenceScanJson(in);
  ++stats.inputs;
  stats.ok += want.ok;
  stats.errors += !want.ok;
  stats.duplicates += want.duplicate_keys;
  stats.out_of_range += ErrorKind(want) == "number out of range";
  if (!got.ok && !want.ok && got.error_offset != want.error_offset) ++stats.offset_mismatches;
  const std::string diff = Difference(in, got, want);
  if (!diff.empty()) {
    // The first few are enough to debug; a broken rule would otherwise flood the log.
    if (++stats.disagreements <= 10) ADD_FAILURE() << diff << "\n  input: " << Printable(in);
  }
}

void Report(const char* what, const Stats& s) {
  std::printf("[ diff     ] %s: %zu inputs (%zu ok, %zu errors of which %zu out of range, %zu with "
              "duplicate keys); %zu disagreements; error offsets differ on %zu of %zu errors\n",
              what, s.inputs, s.ok, s.errors, s.out_of_range, s.duplicates, s.disagreements,
              s.offset_mismatches, s.errors);
}

// --- hand-picked inputs ------------------------------------------------------------------------

std::vector<std::string> HandInputs() {
  using namespace std::string_literals;
  std::vector<std::string> v = {
      "", " ", "\t\r\n", "{}", "[]", "null", "true", "false", "0", "-0", "\"\"", " {} ", "{} x",
      "{}}", "[1,]", "[,1]", "{,}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{1:2}",
      "[1 2]", "[\"a\":1]", "{\"a\":1]", "[1}", "01", "-", "--1", "+1", ".5", "1.", "1.e5", "1e",
      "1e+", "1e-", "1E5", "1e05", "-01", "0x10", "1.5.5", "1e5e5", "tru", "truex", "nul", "nulll",
      "True", "NULL", "fals", "falsey", "[true false]", "\"a", "\"\\", "\"\\x\"", "\"\\u\"",
      "\"\\u12\"", "\"\\u12G4\"", "\"\\uABCD\"", "\"\\uabcd\"", "{\"a\":1}}", "[[[]]]", "[[[", "]]]",
      "// c\n{}", "/* c */{}", "{} // c", "'a'", "{'a':1}", "[NaN]", "[Infinity]", "[-Infinity]",
      // byte order marks
      "\xEF\xBB\xBF{}", "\xEF\xBB\xBF", "\xEF\xBB", "\xEF", "\xEF\xBB{}", "\xEF{}",
      "\xEF\xBB\xBF\xEF\xBB\xBF{}", " \xEF\xBB\xBF{}", "\xEF\xBB\xBF 1 ", "\xBB\xBF{}", "\xEF\xBF\xBB{}",
      // NUL bytes: nlohmann reads a NUL between tokens as the end of the input; ScanJson refuses one
      "\0"s, "{}\0"s, "{}\0garbage"s, "[1,\0]"s, "\0{}"s, "1\0"s, "\"\0\""s, "{\"a\":1\0}"s,
      "{\"a\":\"\\u0000\"}", "{\"\\u0000\":1,\"\\u0000\":2}",
      // surrogates
      "\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"", "\"\\ud83d\"", "\"\\ud83d\\u0041\"", "\"\\ud83dx\"",
      "\"\\ud83d\\\"", "\"\\ud83d\\n\"", "\"\\ude00\"", "\"\\udbff\\udfff\"", "\"\\ud800\\udc00\"",
      "\"\\ud800\\ud800\"", "\"\\ud800\\ue000\"", "\"\\ud800", "\"\\ud800\\", "\"\\ud800\\u",
      "\"\\ud800\\udc0", "\"\\udfff\"", "\"\\ud7ff\"", "\"\\ue000\"",
      "{\"k\":\"\\ud83d\\ude00\",\"\\ud83d\\ude00\":1,\"\xF0\x9F\x98\x80\":2}",
      // UTF-8 table edges
      "\"\xC2\x80\"", "\"\xDF\xBF\"", "\"\xC1\xBF\"", "\"\xC0\x80\"", "\"\xC2\x7F\"", "\"\xC2\xC0\"",
      "\"\xE0\xA0\x80\"", "\"\xE0\x9F\xBF\"", "\"\xE0\xBF\xBF\"", "\"\xE1\x80\x80\"", "\"\xEC\xBF\xBF\"",
      "\"\xED\x80\x80\"", "\"\xED\x9F\xBF\"", "\"\xED\xA0\x80\"", "\"\xED\xBF\xBF\"", "\"\xEE\x80\x80\"",
      "\"\xEF\xBF\xBF\"", "\"\xEF\xBF\"", "\"\xE2\x82\"", "\"\xE2\x82\xAC\"", "\"\xF0\x90\x80\x80\"",
      "\"\xF0\x8F\xBF\xBF\"", "\"\xF0\xBF\xBF\xBF\"", "\"\xF1\x80\x80\x80\"", "\"\xF3\xBF\xBF\xBF\"",
      "\"\xF4\x80\x80\x80\"", "\"\xF4\x8F\xBF\xBF\"", "\"\xF4\x90\x80\x80\"", "\"\xF5\x80\x80\x80\"",
      "\"\xF8\x88\x80\x80\x80\"", "\"\xFF\"", "\"\x80\"", "\"\xBF\"", "\"\xF0\x90\x80\"", "\"\xF0\x90\"",
      "\"\xF0\"", "\"\xC2", "\xC2\x80", "{\"\xC3\xA9\":1,\"\\u00e9\":2}", "{\"\xC3\xA9\":1,\"\\u00E9\":2}",
      "\"\x1F\"", "\"\x7F\"", "\"\t\"", "\"\n\"",
      // numbers at the int64/uint64 edges and past them
      "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
      "18446744073709551615", "18446744073709551616", "-18446744073709551616", "99999999999999999999",
      "00", "-00", "0.0", "-0.0", "0e0", "0E-0", "1E+2", "[18446744073709551615,-9223372036854775808]",
      "{\"n\":18446744073709551616}", "{\"n\":-9223372036854775809}",
      // finite and infinite floats
      "1e308", "1e309", "-1e309", "1e400", "-1e400", "1e-400", "-1e-400", "4.9e-324", "2e-324",
      "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
      "-1.7976931348623159e308",
      "1e99999999999999999999999", "1e-99999999999999999999999", "0e99999999999999999999999",
      "0.000000000000000000000000000001e330", "0.00000000000000000000000000001e330",
      "[1e400]", "{\"a\":1e400}", "{\"a\" 1e400}", "1 1e400", "[1,1e400", "{\"a\":[1e400]}",
      "1e0000000000000000000000000000000000000000308", "1e0000000000000000000000000000000000000000309",
      // duplicates and their paths
      "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "{\"x\":[{\"y\":{\"k\":1,\"k\":2}}]}",
      "{\"a\":{\"b\":1},\"a\":{\"b\":1,\"b\":2}}", "[{\"a\":1},{\"a\":2},{\"a\":3,\"a\":4}]",
      "{\"a\":1,\"a\":2,\"b\":3,\"b\":4}", "{\"\":1,\"\":2}", "{\"a.b\":{\"c\":1,\"c\":1}}",
      "{\"a\":{\"b\":1,\"b\":2},\"a\":3}", "{\"a\":\"x\",\"a\":1}", "{\"a\":1,\"a\":\"x\"}",
      "{\"a\":\"x\\n\",\"a\":\"y\"}", "{\"a\":\"x\",\"a\":\"y\\n\"}", "{\"a\":\"x\",\"a\":\"y\",\"a\":null}",
      "{\"a\":1,\"a\":", "{\"a\":1,\"a\"", "{\"a\":1,\"b\":2,\"a\"",
      "{\"\\u0061\\u0062\":1,\"ab\":2}", "{\"a\\\"\":1,\"a\\u0022\":2}", "{\"a\\/\":1,\"a/\":2}",
      "[[[[{\"k\":[{\"k\":1,\"k\":2}]}]]]]", "{\"a\":[[],{\"b\":[{},{\"c\":0,\"c\":0}]}]}",
      // escaped keys must be decoded; a later duplicate's decoded copy is dropped
      "{\"\\n\":{\"\\t\":1},\"x\\n\":{\"y\":1,\"y\":2}}", "{\"\\u00e9\":{\"\\u00e8\":1,\"\\u00e8\":2}}",
  };
  // Around 2^1024 - 2^970, the smallest magnitude strtod rounds to infinity, in several spellings.
  const std::string h =
      "17976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797"
      "75872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548"
      "45817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711"
      "559699508093042880177904174497792";
  const std::string below = h.substr(0, h.size() - 1) + "1";
  for (const std::string& d : {h, below}) {
    for (const std::string sign : {"", "-"}) {
      v.push_back(sign + d);
      v.push_back(sign + d + ".0");
      v.push_back(sign + d + ".0000001");
      v.push_back(sign + d + "0e-1");
      v.push_back(sign + d + "00000000000000000000e-20");
      v.push_back(sign + d.substr(0, 1) + "." + d.substr(1) + "e308");
      v.push_back(sign + d.substr(0, 1) + "." + d.substr(1) + "000e+308");
      v.push_back(sign + d.substr(0, 1) + "." + d.substr(1) + "1e308");
      v.push_back(sign + "0." + d + "e309");
      v.push_back(sign + "0.000" + d + "e312");
      v.push_back(sign + d.substr(0, 100) + "." + d.substr(100));
      v.push_back("{\"n\":" + sign + d + "}");
    }
  }
  // Deep and wide documents.
  v.push_back(std::string(5000, '[') + std::string(5000, ']'));
  v.push_back(std::string(5000, '[') + std::string(4999, ']'));
  std::string deep_objects;
  for (int i = 0; i < 3000; ++i) deep_objects += "{\"k" + std::to_string(i % 3) + "\":";
  deep_objects += "{\"z\":1,\"z\":2}";
  for (int i = 0; i < 3000; ++i) deep_objects += '}';
  v.push_back(deep_objects);
  for (const int n : {15, 16, 17, 18, 33, 64, 65, 200}) {
    for (const int repeat : {-1, 0, 7, n - 1}) {
      std::string wide = "{\"outer\":[1,{";
      for (int i = 0; i < n; ++i) wide += (i ? ",\"" : "\"") + std::to_string(i) + "\":{\"i\":" + std::to_string(i) + "}";
      if (repeat >= 0) wide += ",\"" + std::to_string(repeat) + "\":null";
      wide += "}],\"top\":2}";
      v.push_back(wide);
      std::string top = "{";
      for (int i = 0; i < n; ++i) top += (i ? ",\"" : "\"") + std::to_string(i) + "\":\"v" + std::to_string(i) + "\"";
      if (repeat >= 0) top += ",\"\\u003" + std::to_string(repeat % 10) + "\":[]";
      top += "}";
      v.push_back(top);
    }
  }
  // Nested wide objects: both have hash indexes at once, and the inner one is released first.
  std::string nested = "{";
  for (int i = 0; i < 40; ++i) nested += "\"o" + std::to_string(i) + "\":0,";
  nested += "\"in\":{";
  for (int i = 0; i < 40; ++i) nested += "\"i" + std::to_string(i) + "\":0,";
  nested += "\"last\":0},\"after\":{";
  for (int i = 0; i < 40; ++i) nested += "\"a" + std::to_string(i) + "\":0,";
  nested += "\"a39\":1},\"o5\":1}";
  v.push_back(nested);
  return v;
}

TEST(JsonScanDiff, HandPickedInputsMatchTheReference) {
  Stats stats;
  for (const std::string& in : HandInputs()) Check(in, stats);
  Report("hand-picked", stats);
  EXPECT_EQ(stats.disagreements, 0u);
}

// --- generated inputs --------------------------------------------------------------------------

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  std::string Next() {
    std::string s;
    if (Chance(3)) s += kBom;
    Ws(s);
    if (Chance(75)) {
      Object(s, 0);
    } else {
      Value(s, 0);
    }
    Ws(s);
    if (Chance(35)) return s;
    const std::size_t mutations = 1 + Below(4);
    for (std::size_t i = 0; i < mutations; ++i) Mutate(s);
    return s;
  }

 private:
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";

  std::size_t Below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool Chance(std::size_t percent) { return Below(100) < percent; }
  template <std::size_t N>
  std::string_view Pick(const std::string_view (&list)[N]) { return list[Below(N)]; }

  void Ws(std::string& s) {
    static constexpr std::string_view kWs[] = {"", "", "", "", " ", "\n", "\t", "\r\n", "  "};
    s += Pick(kWs);
  }

  void Value(std::string& s, int depth) {
    const std::size_t r = Below(depth >= 5 ? 70 : 100);
    if (r < 25) {
      String(s);
    } else if (r < 50) {
      Number(s);
    } else if (r < 60) {
      static constexpr std::string_view kLiterals[] = {"true", "false", "null"};
      s += Pick(kLiterals);
    } else if (r < 70) {
      s += '[';
      s += ']';
    } else if (r < 85) {
      Object(s, depth + 1);
    } else {
      s += '[';
      const std::size_t n = Below(5);
      for (std::size_t i = 0; i < n; ++i) {
        if (i) s += ',';
        Ws(s);
        Value(s, depth + 1);
        Ws(s);
      }
      s += ']';
    }
  }

  void Object(std::string& s, int depth) {
    s += '{';
    // Mostly a few members from a small pool (so repeats are common); sometimes many, to pass
    // the scanner's switch from comparing keys to hashing them.
    const bool wide = Chance(4);
    const std::size_t n = wide ? 10 + Below(60) : Below(6);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) s += ',';
      Ws(s);
      if (wide) {
        s += "\"k" + std::to_string(Below(n * 3)) + "\"";
      } else {
        Key(s);
      }
      Ws(s);
      s += ':';
      Ws(s);
      Value(s, depth);
      Ws(s);
    }
    s += '}';
  }

  void Key(std::string& s) {
    // Pairs that decode to the same key are next to each other.
    static constexpr std::string_view kKeys[] = {
        "\"a\"", "\"\\u0061\"", "\"b\"", "\"\\u0062\"", "\"TargetARN\"", "\"Target\\u0041RN\"",
        "\"\xC3\xA9\"", "\"\\u00e9\"", "\"\xF0\x9F\x98\x80\"", "\"\\ud83d\\ude00\"", "\"\"", "\"\\u0000\"",
        "\"a.b\"", "\"x\\ny\"", "\"SecretToAuthenticateInitiator\"", "\"k\""};
    if (Chance(85)) {
      s += Pick(kKeys);
    } else {
      String(s);
    }
  }

  void String(std::string& s) {
    static constexpr std::string_view kPieces[] = {
        "a", "xyz", " ", "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B",
        "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9", "\\u00E9",
        "\\u20AC", "\\uFFFF", "\\u0000", "\\u001f", "\\ud83d\\ude00", "\\uD800\\uDC00", "\\uDBFF\\uDFFF",
        "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
        "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\xE2\x82\xAC", "\xC3\xA9",
        // rarely: invalid content
        "\\ud83d", "\\ude00", "\\ud83d\\u0041", "\\x", "\\u12", "\xED\xA0\x80", "\xC0\x80", "\x01"};
    s += '"';
    const std::size_t n = Below(5);
    for (std::size_t i = 0; i < n; ++i) {
      // Valid pieces come first in the list; the last eight are invalid and picked rarely.
      const std::size_t count = std::size(kPieces);
      s += kPieces[Chance(97) ? Below(count - 8) : count - 8 + Below(8)];
    }
    s += '"';
  }

  void Number(std::string& s) {
    static constexpr std::string_view kEdges[] = {
        "0", "-0", "1", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999",
        "1e308", "1e309", "-1e309", "1e400", "1e-400", "1.7976931348623157e308", "1.7976931348623158e308",
        "1.7976931348623159e308", "4.9e-324", "2.2250738585072014e-308", "1E+2", "0.5", "-0.0e0"};
    if (Chance(40)) {
      s += Pick(kEdges);
      return;
    }
    if (Chance(30)) s += '-';
    const std::size_t int_digits = 1 + Below(Chance(5) ? 330 : 22);
    s += static_cast<char>(int_digits == 1 ? '0' + Below(10) : '1' + Below(9));
    for (std::size_t i = 1; i < int_digits; ++i) s += static_cast<char>('0' + Below(10));
    if (Chance(30)) {
      s += '.';
      const std::size_t frac_digits = 1 + Below(Chance(5) ? 330 : 6);
      for (std::size_t i = 0; i < frac_digits; ++i) s += static_cast<char>('0' + Below(10));
    }
    if (Chance(30)) {
      s += Chance(50) ? 'e' : 'E';
      static constexpr std::string_view kSigns[] = {"", "+", "-"};
      s += Pick(kSigns);
      s += std::to_string(Chance(50) ? Below(10) : Below(700));
    }
  }

  void Mutate(std::string& s) {
    static constexpr std::string_view kSnippets[] = {
        "\xEF\xBB\xBF", "\xEF\xBB", "\xEF", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xE0\x9F\xBF",
        "\xED\x9F\xBF", "\xED\xA0\x80", "\xF0\x90\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF",
        "\xF4\x90\x80\x80", "\xC1\xBF", "\xF5", "\xFF", "\x80", "\\", "\\u", "\\u00", "\\u0061",
        "\\ud83d", "\\ude00", "\\ud83d\\ude00", "\\uDBFF", "\\n", "\\x", "\"", "\"a\"", "\"a\":1",
        ",\"a\":2", "{", "}", "[", "]", ":", ",", "-", ".", "e", "E", "+", "0", "1e400", "e400",
        "e-400", "18446744073709551616", "9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "true", "null", "fals", std::string_view("\0", 1), "\x1F", " ", "\t"};
    static constexpr unsigned char kBytes[] = {'{', '}', '[', ']', ':', ',', '"', '\\', '0', '9', '-',
                                               '.', 'e', 'u', 't', 'n', ' ', '\n', 0x00, 0x1F, 0x7F,
                                               0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xFF};
    const std::size_t at = Below(s.size() + 1);
    switch (Below(8)) {
      case 0:  // flip a bit
        if (!s.empty()) s[Below(s.size())] ^= static_cast<char>(1 << Below(8));
        break;
      case 1:  // overwrite a byte
        if (!s.empty()) s[Below(s.size())] = static_cast<char>(kBytes[Below(std::size(kBytes))]);
        break;
      case 2:  // insert a byte
        s.insert(at, 1, static_cast<char>(kBytes[Below(std::size(kBytes))]));
        break;
      case 3:  // delete a few bytes
        s.erase(std::min(at, s.size()), 1 + Below(3));
        break;
      case 4:
      case 5:  // insert a snippet
        s.insert(at, Pick(kSnippets));
        break;
      case 6:  // cut the end
        s.resize(at);
        break;
      default:  // copy a slice elsewhere
        if (!s.empty()) {
          const std::size_t from = Below(s.size());
          const std::string slice = s.substr(from, 1 + Below(12));
          s.insert(Below(s.size() + 1), slice);
        }
        break;
    }
  }

  std::mt19937 rng_;
};

std::size_t GeneratedCount() {
  if (const char* env = std::getenv("CHAPCHECK_JSON_SCAN_DIFF_N")) return std::strtoull(env, nullptr, 10);
  return 200000;
}

std::uint32_t GeneratedSeed() {
  if (const char* env = std::getenv("CHAPCHECK_JSON_SCAN_DIFF_SEED")) {
    return static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10));
  }
  return 20240611;
}

TEST(JsonScanDiff, GeneratedInputsMatchTheReference) {
  Generator gen(GeneratedSeed());
  Stats stats;
  const std::size_t n = GeneratedCount();
  for (std::size_t i = 0; i < n; ++i) Check(gen.Next(), stats);
  Report("generated", stats);
  EXPECT_EQ(stats.disagreements, 0u);
  // The generator must reach both outcomes and the rarer cases, or the comparison proves little.
  if (n >= 10000) {
    EXPECT_GT(stats.ok, n / 10);
    EXPECT_GT(stats.errors, n / 10);
    EXPECT_GT(stats.duplicates, n / 20);
    EXPECT_GT(stats.out_of_range, n / 1000);
  }
}

}  // namespace
}  // namespace chapcheck::spec
