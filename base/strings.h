// Small string helpers for HTTP-ish text: ASCII case folding, trimming of spaces and tabs, and
// case-insensitive header look-up over (name, value) lists. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chapcheck {

std::string AsciiLower(std::string_view s);

// ASCII case-insensitive equality, without allocating.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// Without leading and trailing spaces and tabs.
std::string_view TrimSpaces(std::string_view s);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// How many headers are named `name` (case-insensitive), and the first one's value, trimmed: what
// a rule about one header asks (missing, sent twice, its value), without listing the values.
struct HeaderSeen {
  std::size_t count = 0;
  std::string_view first;
};
HeaderSeen SeenHeader(const HeaderList& headers, std::string_view name);

}  // namespace chapcheck
