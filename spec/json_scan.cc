#include "spec/json_scan.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace chapcheck::spec {
namespace {

// SAX handler: tracks the open containers; for objects it remembers the keys seen so far.
class Scanner {
 public:
  using json = nlohmann::json;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit Scanner(JsonScan& out) : out_(out) {}

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
  bool binary(binary_t&) { return Value(JsonKind::kString); }  // not produced by JSON input

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
    // nlohmann's own message quotes the offending token, which may be part of a secret; say only
    // what kind of error it is and where.
    out_.error = (e.id == 406 ? "number out of range" : "syntax error") +
                 std::string(" at byte ") + std::to_string(position);
    return false;
  }

 private:
  struct Frame {
    bool is_object;
    std::unordered_set<std::string> keys;  // a hash set: many keys cost linear time
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
      if (inserted) out_.members.push_back(JsonScan::Member{name, kind, {}});
      JsonScan::Member& m = out_.members[slot->second];
      m.kind = kind;
      m.string_value = pending_string_ ? *pending_string_ : std::string();
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
  std::unordered_map<std::string, std::size_t> member_index_;  // top-level member -> out_.members
  const std::string* pending_string_ = nullptr;
};

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

JsonScan ScanJson(std::string_view text) {
  JsonScan out;
  out.ok = true;
  Scanner scanner(out);
  try {
    const bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &scanner,
                                                  nlohmann::json::input_format_t::json,
                                                  /*strict=*/true, /*ignore_comments=*/false);
    if (!parsed && out.ok) {
      out.ok = false;
      out.error = "syntax error";
    }
  } catch (const std::exception&) {
    // sax_parse reports errors through parse_error; this is a belt for allocation failures.
    out.ok = false;
    out.error = "could not be read";
  }
  if (!out.ok) out.members.clear();
  return out;
}

}  // namespace chapcheck::spec
