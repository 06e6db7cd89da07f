#include "spec/charset.h"

#include "base/utf8.h"

namespace chapcheck::spec {

Result<Charset> Charset::Parse(std::string_view p) {
  Charset cs;
  cs.text_ = std::string(p);
  if (p.size() < 4 || p.front() != '[' || (p.back() != '+' && p.back() != '*') ||
      p[p.size() - 2] != ']') {
    return Error{"", "pattern \"" + std::string(p) +
                         "\" is not of the supported form \"[class]+\" or \"[class]*\""};
  }
  cs.allow_empty_ = p.back() == '*';
  std::string_view body = p.substr(1, p.size() - 3);
  if (body.front() == '^') return Error{"", "negated classes ([^...]) are not supported"};
  // Unescape into a list of (char, is_literal) so that "\-" is never a range operator.
  std::string chars;
  std::string literal;  // '1' where the char was escaped
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E) {
      return Error{"", "pattern class may hold only printable ASCII characters"};
    }
    if (c == '\\') {
      if (i + 1 == body.size()) return Error{"", "pattern class ends with a lone backslash"};
      chars.push_back(body[++i]);
      literal.push_back('1');
      continue;
    }
    if (c == '[' || c == ']') return Error{"", "unescaped bracket inside a pattern class"};
    chars.push_back(c);
    literal.push_back('0');
  }
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const bool range = i + 2 < chars.size() && chars[i + 1] == '-' && literal[i + 1] == '0';
    if (range) {
      const auto lo = static_cast<unsigned char>(chars[i]);
      const auto hi = static_cast<unsigned char>(chars[i + 2]);
      if (lo > hi) {
        return Error{"", std::string("pattern range ") + chars[i] + "-" + chars[i + 2] +
                             " is reversed"};
      }
      for (unsigned c = lo; c <= hi; ++c) cs.set_.set(c);
      i += 2;
    } else {
      cs.set_.set(static_cast<unsigned char>(chars[i]));
    }
  }
  return cs;
}

std::string_view Charset::body() const {
  return std::string_view(text_).substr(1, text_.size() - 3);
}

std::optional<Charset::Mismatch> Charset::FirstMismatch(std::string_view v) const {
  std::size_t pos = 0, index = 0;
  while (pos < v.size()) {
    auto cp = utf8::DecodeNext(v, pos);
    if (!cp) return Mismatch{index, std::nullopt};
    if (!Contains(*cp)) return Mismatch{index, *cp};
    ++index;
  }
  if (index == 0 && !allow_empty_) return Mismatch{0, std::nullopt};
  return std::nullopt;
}

}  // namespace chapcheck::spec
