// CHAP as iSCSI uses it (RFC 1994, RFC 7143 section 12.1.3): the response to a challenge is
// H(identifier || secret || challenge) with the algorithm named by CHAP_A (5 MD5, 6 SHA-1,
// 7 SHA-256, 8 SHA3-256; computed by OpenSSL EVP). Binary values travel as hex ("0x...") or
// base64 ("0b..."); both decoders bound their input and report malformed text as an error value.
//
// This is the only code besides the wire encoders that reads Secret bytes. Nothing here logs or
// formats a secret. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secret.h"

namespace chapcheck::chap {

enum class Algorithm : int { kMd5 = 5, kSha1 = 6, kSha256 = 7, kSha3_256 = 8 };

// The algorithm for a CHAP_A code, or nullopt for codes this project does not implement.
std::optional<Algorithm> AlgorithmFromCode(std::uint64_t code);
int CodeOf(Algorithm a);
std::size_t DigestSize(Algorithm a);

using Bytes = std::vector<std::uint8_t>;

// H(id || secret || challenge).
Bytes Response(Algorithm algorithm, std::uint8_t id, const Secret& secret, std::span<const std::uint8_t> challenge);

// Compares in time that depends on the lengths only.
bool ConstantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// "0x" + lower-case hex, and "0b" + base64 (RFC 4648, padded).
std::string EncodeHex(std::span<const std::uint8_t> bytes);
std::string EncodeBase64(std::span<const std::uint8_t> bytes);

// Decodes a binary value in either encoding (prefix 0x/0X or 0b/0B, RFC 7143 6.1). Errors for a
// missing prefix, a bad digit, odd hex length, bad base64 padding, an empty value, or more than
// `max_bytes` decoded bytes.
Result<Bytes> DecodeBinary(std::string_view text, std::size_t max_bytes = 1024);

// Cryptographically random bytes (OpenSSL RAND_bytes).
Bytes RandomBytes(std::size_t n);

}  // namespace chapcheck::chap
