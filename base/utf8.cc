#include "base/utf8.h"

#include <cstdio>

namespace chapcheck::utf8 {

std::optional<char32_t> DecodeNext(std::string_view s, std::size_t& pos) {
  if (pos >= s.size()) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  std::size_t len;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;  // continuation byte or 0xF8..0xFF as a lead byte
  }
  if (s.size() - pos < len) return std::nullopt;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  pos += len;
  return cp;
}

std::optional<std::size_t> CountCodePoints(std::string_view s) {
  std::size_t pos = 0, n = 0;
  while (pos < s.size()) {
    if (static_cast<unsigned char>(s[pos]) < 0x80) {  // ASCII: the common case, no decoding
      ++pos;
    } else if (!DecodeNext(s, pos)) {
      return std::nullopt;
    }
    ++n;
  }
  return n;
}

LeadByte Lead(unsigned char c) {
  LeadByte l;
  if (c >= 0xC2 && c <= 0xDF) {
    l.continuation = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    l.continuation = 2;
    if (c == 0xE0) l.first_min = 0xA0;  // no overlong forms
    if (c == 0xED) l.first_max = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    l.continuation = 3;
    if (c == 0xF0) l.first_min = 0x90;  // no overlong forms
    if (c == 0xF4) l.first_max = 0x8F;  // nothing past U+10FFFF
  }
  return l;
}

std::size_t SequenceAt(std::string_view s, std::size_t i, std::size_t& bad) {
  const LeadByte lead = Lead(static_cast<unsigned char>(s[i]));
  if (lead.continuation == 0) {
    bad = 0;
    return 0;
  }
  unsigned char lo = lead.first_min;
  unsigned char hi = lead.first_max;
  for (std::size_t k = 1; k <= static_cast<std::size_t>(lead.continuation); ++k) {
    const std::size_t at = i + k;
    if (at == s.size() || static_cast<unsigned char>(s[at]) < lo || static_cast<unsigned char>(s[at]) > hi) {
      bad = k;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return static_cast<std::size_t>(lead.continuation) + 1;
}

bool IsValid(std::string_view s) { return CountCodePoints(s).has_value(); }

bool Append(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return true;
}

std::string Describe(char32_t cp) {
  if (cp > 0x20 && cp < 0x7F) return std::string("'") + static_cast<char>(cp) + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

}  // namespace chapcheck::utf8
