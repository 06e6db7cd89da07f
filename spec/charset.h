// Charset: the pattern language of the spec, one bracket expression repeated:
// "[0-9a-z:.-]+" (one or more) or "[...]*" (zero or more). It is matched against the whole value,
// as AWS's server-side validation does, never searched for inside it.
//
// Inside the brackets: printable ASCII, ranges "a-z", and "-" as a literal at either end; "\"
// escapes the next character. Negation, non-ASCII and anything beyond one class are refused by
// Parse() with a reason, so a spec never silently means something else.
// Immutable after Parse(); any thread.
#pragma once

#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace chapcheck::spec {

class Charset {
 public:
  static Result<Charset> Parse(std::string_view pattern);

  bool Contains(char32_t cp) const { return cp < 128 && set_.test(cp); }
  bool allow_empty() const { return allow_empty_; }
  const std::string& text() const { return text_; }
  // The bracket expression's body, e.g. "0-9a-z:.-" for "[0-9a-z:.-]+".
  std::string_view body() const;

  struct Mismatch {
    std::size_t index;  // code point index (0-based); == size for "empty not allowed"
    std::optional<char32_t> code_point;  // nullopt: invalid UTF-8, or the value is empty
  };
  // nullopt when the whole value matches.
  std::optional<Mismatch> FirstMismatch(std::string_view utf8_value) const;
  bool Matches(std::string_view utf8_value) const { return !FirstMismatch(utf8_value).has_value(); }

  // The set as a 128-bit membership table, for generators that enumerate classes.
  const std::bitset<128>& members() const { return set_; }

  bool operator==(const Charset& o) const { return set_ == o.set_ && allow_empty_ == o.allow_empty_; }

 private:
  std::bitset<128> set_;
  bool allow_empty_ = false;
  std::string text_;
};

}  // namespace chapcheck::spec
