// Strict UTF-8 (RFC 3629): decoding, validation and counting, for length rules measured in
// "characters" (code points) or "UTF-8 bytes", and for building test strings.
// Strict means: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chapcheck::utf8 {

// Decodes the code point starting at s[pos]; on success advances pos and returns it.
// On an invalid sequence returns nullopt and leaves pos unchanged.
std::optional<char32_t> DecodeNext(std::string_view s, std::size_t& pos);

// What a lead byte allows (RFC 3629's table): how many continuation bytes follow (0 when the byte
// cannot start a multi-byte sequence: ASCII, 80..C1, F5..FF) and the range of the first of them
// (narrower than 80..BF after E0, ED, F0 and F4: no overlong forms, surrogates, or values past
// U+10FFFF). The later continuation bytes are 80..BF. SequenceAt reads by it.
struct LeadByte {
  int continuation = 0;
  unsigned char first_min = 0x80;
  unsigned char first_max = 0xBF;
};
LeadByte Lead(unsigned char c);

// The length of the valid multi-byte sequence that starts at s[i] (a byte >= 0x80), or 0 when
// there is none; then `bad` is where, counted from i, the first byte that does not fit stands
// (0: the lead byte itself; s.size() - i: the text ended first). For readers that must say where
// a sequence broke (a JSON lexer's error offset, a writer replacing the broken part).
std::size_t SequenceAt(std::string_view s, std::size_t i, std::size_t& bad);

bool IsValid(std::string_view s);

// Number of code points, or nullopt if s is not valid UTF-8.
std::optional<std::size_t> CountCodePoints(std::string_view s);

// Appends the UTF-8 encoding of cp; returns false (appending nothing) for a surrogate or a value
// above U+10FFFF.
bool Append(std::string& out, char32_t cp);

// A printable, log-safe rendering of one code point: "'a'", "U+0000", "U+00E9".
std::string Describe(char32_t cp);

}  // namespace chapcheck::utf8
