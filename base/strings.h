// Small string helpers for HTTP-ish text: ASCII case folding, trimming of spaces and tabs, and
// case-insensitive header look-up over (name, value) lists. Pure functions; any thread.
#pragma once

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

// The trimmed values of every header named `name` (case-insensitive), in order.
std::vector<std::string_view> HeaderValues(const HeaderList& headers, std::string_view name);

}  // namespace chapcheck
