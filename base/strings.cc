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

std::vector<std::string_view> HeaderValues(const HeaderList& headers, std::string_view name) {
  std::vector<std::string_view> out;
  const std::string want = AsciiLower(name);
  for (const auto& [k, v] : headers) {
    if (k.size() == want.size() && AsciiLower(k) == want) out.push_back(TrimSpaces(v));
  }
  return out;
}

}  // namespace chapcheck
