// IsHttpToken: whether text is an RFC 9110 token, what a header name (and a method) must be. The
// fuzz harnesses keep names that HTTP cannot carry out of the requests they sign. Pure; any thread.
#pragma once

#include <string_view>

namespace chapcheck::fuzz {

inline bool IsHttpToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace chapcheck::fuzz
