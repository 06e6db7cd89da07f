// Base64 (RFC 4648, standard alphabet, padded), the one codec every module uses: CHAP's "0b"
// values (protocol/chap), bodies that are not UTF-8 in case files (generators). Decoding is
// strict (length a multiple of 4, padding only at the end, no other characters) and bounded.
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include "base/result.h"

namespace chapcheck {

std::string Base64Encode(std::string_view bytes);

// The bytes, or an Error saying what is wrong (never quoting the text). More than `max_bytes`
// decoded bytes is an error too.
Result<std::string> Base64Decode(std::string_view text,
                                 std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

}  // namespace chapcheck
