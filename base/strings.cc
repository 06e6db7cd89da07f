#include "base/strings.h"

#include <cctype>

namespace chapcheck {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // ASCII only, inline: std::tolower is a library call per character (and follows the locale).
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

HeaderSeen SeenHeader(const HeaderList& headers, std::string_view name) {
  HeaderSeen seen;
  for (const auto& [k, v] : headers) {
    if (!EqualsIgnoreAsciiCase(k, name)) continue;
    if (seen.count++ == 0) seen.first = TrimSpaces(v);
  }
  return seen;
}

}  // namespace chapcheck
