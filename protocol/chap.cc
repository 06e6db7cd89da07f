#include "protocol/chap.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "base/base64.h"

namespace chapcheck::chap {

std::optional<Algorithm> AlgorithmFromCode(std::uint64_t code) {
  switch (code) {
    case 5: return Algorithm::kMd5;
    case 6: return Algorithm::kSha1;
    case 7: return Algorithm::kSha256;
    case 8: return Algorithm::kSha3_256;
    default: return std::nullopt;
  }
}

int CodeOf(Algorithm a) { return static_cast<int>(a); }

namespace {

const EVP_MD* Md(Algorithm a) {
  switch (a) {
    case Algorithm::kMd5: return EVP_md5();
    case Algorithm::kSha1: return EVP_sha1();
    case Algorithm::kSha256: return EVP_sha256();
    case Algorithm::kSha3_256: return EVP_sha3_256();
  }
  return EVP_sha256();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Bytes> DecodeHex(std::string_view s, std::size_t max_bytes) {
  // RFC 7143 6.1: an odd number of digits is allowed, the first digit then stands alone.
  if ((s.size() + 1) / 2 > max_bytes) return Error{"", "binary value too long"};
  Bytes out;
  out.reserve((s.size() + 1) / 2);
  std::size_t i = 0;
  if (s.size() % 2 == 1) {
    const int v = HexValue(s[0]);
    if (v < 0) return Error{"", "not a hex digit"};
    out.push_back(static_cast<std::uint8_t>(v));
    i = 1;
  }
  for (; i < s.size(); i += 2) {
    const int hi = HexValue(s[i]), lo = HexValue(s[i + 1]);
    if (hi < 0 || lo < 0) return Error{"", "not a hex digit"};
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace

std::size_t DigestSize(Algorithm a) { return static_cast<std::size_t>(EVP_MD_get_size(Md(a))); }

Bytes Response(Algorithm algorithm, std::uint8_t id, const Secret& secret, std::span<const std::uint8_t> challenge) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  const std::string& s = secret.Reveal();
  if (!ctx || EVP_DigestInit_ex(ctx.get(), Md(algorithm), nullptr) != 1 || EVP_DigestUpdate(ctx.get(), &id, 1) != 1 ||
      EVP_DigestUpdate(ctx.get(), s.data(), s.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), challenge.data(), challenge.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) {
    throw std::runtime_error("OpenSSL digest failed");  // out of memory; not reachable by input
  }
  out.resize(len);
  return out;
}

bool ConstantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

std::string EncodeHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string EncodeBase64(std::span<const std::uint8_t> bytes) {
  return "0b" + Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Result<Bytes> DecodeBinary(std::string_view text, std::size_t max_bytes) {
  if (text.size() < 3 || text[0] != '0') return Error{"", "binary value without 0x or 0b prefix"};
  const char kind = text[1];
  const std::string_view body = text.substr(2);
  if (kind == 'x' || kind == 'X') return DecodeHex(body, max_bytes);
  if (kind == 'b' || kind == 'B') {
    auto decoded = Base64Decode(body, max_bytes);
    if (!decoded) return decoded.error();
    return Bytes(decoded->begin(), decoded->end());
  }
  return Error{"", "binary value without 0x or 0b prefix"};
}

Bytes RandomBytes(std::size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
  return out;
}

}  // namespace chapcheck::chap
