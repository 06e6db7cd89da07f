#include "protocol/sigv4.h"

#include <cassert>

// SHA-256 through OpenSSL's low-level interface, deprecated in OpenSSL 3 but kept there (see
// "crypto" below for why). Declared before any OpenSSL header so that they declare it quietly.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <memory_resource>
#include <stdexcept>

#include "base/fuzzing.h"
#include "base/inline_arena.h"
#include "base/strings.h"

// Notes on choices the header leaves open (kept here so the header stays short):
// - The canonical URI is the request-target's path, normalised when asked, then URI-encoded once
//   byte by byte (RFC 3986 unreserved characters and '/' kept, everything else "%XX" upper case,
//   '%' included). A path sent already encoded ("/a%20b") therefore ends up encoded twice
//   ("/a%2520b"), which is what SigV4 asks of every service except S3.
// - Query parameters are split on '&', then on the first '='; names and values are
//   percent-decoded ("%XX" only: '+' stays a plus, a stray '%' stays literal), re-encoded, and
//   sorted by encoded name, then encoded value. Empty pieces ("a=1&&b=2") are dropped.
// - Header values are trimmed and every run of whitespace (SP, HT, CR, LF, VT, FF) becomes one
//   space, so obs-folded multi-line values canonicalise as the AWS SDKs do.
// - SignHeaders always signs host, x-amz-date and (when it adds one) x-amz-security-token, on
//   top of options.signed_headers or the default set; when the request already has X-Amz-Date
//   that value is the signing time. Any Authorization header already present is replaced.
// - Verify reads X-Amz-Date, or when absent the Date header (IMF-fixdate, "Sun, 30 Aug 2015
//   12:36:00 GMT"). The payload hash is always computed from the body (never taken from
//   x-amz-content-sha256), so a changed body always fails.
// - ParseAuthorization accepts the parameters in any order with optional spaces after ',', and
//   refuses an empty parameter (",,"), a repeated or unknown one, a credential that is not
//   <key>/<YYYYMMDD>/<region>/<service>/aws4_request, a signed-header name that is not a
//   lower-case token, and a signature that is not 64 hex digits. No message quotes a value that
//   could be the signature.

namespace chapcheck::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::size_t kMaxAuthorizationBytes = 16 * 1024;
constexpr std::size_t kMaxQuoted = 64;  // longest excerpt of client input a message quotes

// --- characters ----------------------------------------------------------------------------

// Character classes of the per-byte loops (URI encoding, header values) by table: one load per
// byte instead of up to eight comparisons, each of which the fuzz build also reports to libFuzzer.
constexpr std::array<bool, 256> kUnreserved = [] {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  t['-'] = t['.'] = t['_'] = t['~'] = true;
  return t;
}();

constexpr std::array<bool, 256> kSpace = [] {
  std::array<bool, 256> t{};
  t[' '] = t['\t'] = t['\r'] = t['\n'] = t['\v'] = t['\f'] = true;
  return t;
}();

// RFC 7230 token characters, lower case only (SigV4 signed-header names).
constexpr std::array<bool, 256> kLowerToken = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// Visible ASCII, no space.
constexpr std::array<bool, 256> kPrintable = [] {
  std::array<bool, 256> t{};
  for (int c = 0x21; c < 0x7f; ++c) t[c] = true;
  return t;
}();

constexpr std::array<bool, 256> kLetter = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = true;
  return t;
}();

// A hex digit's value, or -1.
constexpr std::array<signed char, 256> kHexValue = [] {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<signed char>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<signed char>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<signed char>(c - 'A' + 10);
  return t;
}();

constexpr std::array<bool, 256> kHexDigit = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = kHexValue[c] >= 0;
  return t;
}();

constexpr std::array<char, 256> kLowerAscii = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return t;
}();

bool IsUnreserved(unsigned char c) { return kUnreserved[c]; }
bool IsSpace(char c) { return kSpace[static_cast<unsigned char>(c)]; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Every byte of `s` is in the class `table`. Without a branch per byte: the fuzz build would
// report each one to libFuzzer as a comparison.
bool Every(std::string_view s, const std::array<bool, 256>& table) {
  bool ok = true;
  for (char c : s) ok &= table[static_cast<unsigned char>(c)];
  return ok;
}

char LowerAscii(char c) { return kLowerAscii[static_cast<unsigned char>(c)]; }

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

int HexValue(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

// A log-safe, bounded rendering of client input for messages: visible ASCII kept, anything else
// as \xNN, cut after kMaxQuoted bytes. Callers never pass a signature or a secret.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "'";
  std::size_t n = std::min(s.size(), kMaxQuoted);
  for (std::size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (s.size() > n) out += "...";
  out += "'";
  return out;
}

// --- encoding ------------------------------------------------------------------------------

void AppendUriEncoded(std::string& out, std::string_view in, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
}

std::string UriEncode(std::string_view in, bool keep_slash) {
  std::string out;
  out.reserve(in.size());
  AppendUriEncoded(out, in, keep_slash);
  return out;
}

std::string PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += in[i];
  }
  return out;
}

using Digest = std::array<unsigned char, 32>;  // SHA-256, HMAC-SHA256

// Lower-case hex. Written by pointer over a fixed length: the fuzz build reports no per-byte
// comparison to libFuzzer for the six digests of each signed request.
using HexDigest = std::array<char, 64>;

CHAPCHECK_NO_COVERAGE HexDigest ToHex(const Digest& data) {
  static constexpr char kHex[] = "0123456789abcdef";
  HexDigest text;
  char* p = text.data();
  for (const unsigned char b : data) {
    *p++ = kHex[b >> 4];
    *p++ = kHex[b & 0xf];
  }
  return text;
}

void AppendHex(std::string& out, const Digest& data) {
  const HexDigest text = ToHex(data);
  out.append(text.data(), text.size());
}

// --- scratch text ----------------------------------------------------------------------------

// Text buffers each thread reuses across calls for the request date, the canonical request and
// the string to sign: otherwise three heap allocations per signature and per verification,
// which under AddressSanitizer cost more than building the text. A Scratch takes one and gives
// it back; one that finds it taken (no caller nests them today) uses a string of its own, so a
// future nesting is slower, never wrong. A buffer grown past kKeepBytes is released, not kept.
// The signing key and secret never pass through, but a canonical request holds the signed
// headers' values, X-Amz-Security-Token among them: that buffer is wiped when it is given back
// (the date and the string to sign hold nothing of the kind).
struct ScratchBuffer {
  std::string text;
  bool taken = false;
};

enum class ScratchUse : std::size_t { kDate, kCanonical, kToSign, kCount };

class Scratch {
 public:
  explicit Scratch(ScratchUse use) : wipe_(use == ScratchUse::kCanonical) {
    thread_local std::array<ScratchBuffer, static_cast<std::size_t>(ScratchUse::kCount)> buffers;
    ScratchBuffer& b = buffers[static_cast<std::size_t>(use)];
    if (!b.taken) {
      buffer_ = &b;
      b.taken = true;
      b.text.clear();
    }
  }
  ~Scratch() {
    std::string& text = buffer_ != nullptr ? buffer_->text : own_;
    if (wipe_) OPENSSL_cleanse(text.data(), text.size());
    if (buffer_ == nullptr) return;
    text.clear();
    if (text.capacity() > kKeepBytes) std::string().swap(text);
    buffer_->taken = false;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  std::string& text() { return buffer_ != nullptr ? buffer_->text : own_; }

 private:
  static constexpr std::size_t kKeepBytes = 64 * 1024;
  const bool wipe_;
  ScratchBuffer* buffer_ = nullptr;
  std::string own_;
};

// --- crypto --------------------------------------------------------------------------------

// SHA-256 runs on OpenSSL's SHA256_CTX, a plain struct on the stack, and HMAC-SHA256 (RFC 2104)
// is built on it here. OpenSSL 3's EVP interface frees and allocates provider contexts whenever
// a digest or MAC context is initialised again, even a reused one with the same algorithm, and a
// request takes three SHA-256s and one HMAC to sign or to verify. Without EVP, sigv4::Verify
// takes 1.9 us instead of 2.1 (bench/chapcheck-bench-gateway), and fuzz_mock_http, which signs
// and verifies every input, makes 74 heap allocations per input instead of 84: under
// AddressSanitizer each costs more than hashing a request. SHA256_Init and friends are
// deprecated in OpenSSL 3 but remain, run the same CPU-dispatched assembly, and cannot fail on
// valid arguments. The tests compare this HMAC with RFC 4231's vectors and with OpenSSL's HMAC.
class Sha256 {
 public:
  Sha256() { SHA256_Init(&ctx_); }
  ~Sha256() { OPENSSL_cleanse(&ctx_, sizeof ctx_); }  // may be a keyed HMAC state
  Sha256(const Sha256&) = default;
  Sha256& operator=(const Sha256&) = default;

  Sha256& Update(const void* data, std::size_t size) {
    SHA256_Update(&ctx_, data, size);
    return *this;
  }
  Sha256& Update(std::string_view data) { return Update(data.data(), data.size()); }
  Digest Final() {
    Digest out;
    SHA256_Final(out.data(), &ctx_);
    return out;
  }

 private:
  SHA256_CTX ctx_;
};

// An HMAC-SHA256 key: the hash states after the inner and the outer padded key block, so that
// each MAC under the same key hashes only the message and one digest.
class HmacKey {
 public:
  HmacKey(const void* key, std::size_t key_size) {
    constexpr std::size_t kBlock = 64;
    std::array<unsigned char, kBlock> block{};
    if (key_size > kBlock) {
      Digest d = Sha256().Update(key, key_size).Final();
      std::copy(d.begin(), d.end(), block.begin());
      OPENSSL_cleanse(d.data(), d.size());
    } else if (key_size != 0) {
      std::copy_n(static_cast<const unsigned char*>(key), key_size, block.begin());
    }
    std::array<unsigned char, kBlock> pad;
    for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
    inner_.Update(pad.data(), pad.size());
    for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
    outer_.Update(pad.data(), pad.size());
    OPENSSL_cleanse(block.data(), block.size());
    OPENSSL_cleanse(pad.data(), pad.size());
  }

  Digest Mac(std::string_view data) const {
    Digest inner = Sha256(inner_).Update(data).Final();
    const Digest out = Sha256(outer_).Update(inner.data(), inner.size()).Final();
    OPENSSL_cleanse(inner.data(), inner.size());
    return out;
  }

 private:
  Sha256 inner_;
  Sha256 outer_;
};

Digest HmacSha256(const void* key, std::size_t key_size, std::string_view data) {
  return HmacKey(key, key_size).Mac(data);
}

// A credential scope as views (of an Authorization header, or of a Scope).
struct ScopeView {
  std::string_view date, region, service;
};
ScopeView ViewOf(const Scope& s) { return ScopeView{s.date, s.region, s.service}; }

// Appends "date/region/service/aws4_request".
void AppendScope(std::string& out, const ScopeView& scope) {
  out.reserve(out.size() + scope.date.size() + scope.region.size() + scope.service.size() + 3 + kTerminator.size());
  out += scope.date;
  out += '/';
  out += scope.region;
  out += '/';
  out += scope.service;
  out += '/';
  out += kTerminator;
}

// The derived signing key depends only on (secret, date, region, service): each thread remembers
// the last one it derived, which saves four of the five HMACs per request.
struct SigningKeyCache {
  std::string secret;  // the secret it was derived from (memory of this thread only)
  Scope scope;
  std::optional<HmacKey> key;  // the derived key; the two above say for what
  ~SigningKeyCache() { OPENSSL_cleanse(secret.data(), secret.size()); }
};

// --- canonical request pieces --------------------------------------------------------------

std::string_view PathOf(std::string_view target) { return target.substr(0, std::min(target.find('?'), target.size())); }

std::string_view QueryOf(std::string_view target) {
  std::size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

// Appends the canonical URI of the target's path: each byte but '/' URI-encoded; when
// `normalize_path`, without empty, "." and ".." segments (".." above the root stays at the
// root), keeping a leading and a trailing '/'. Written straight into `out`: a ".." drops the
// encoded segment before it (every segment starts with '/', and encoding adds none).
void AppendCanonicalUri(std::string& out, std::string_view target, bool normalize_path) {
  const std::string_view path = PathOf(target);
  if (path.empty() || path == "/") {
    out += '/';
    return;
  }
  if (!normalize_path) {
    AppendUriEncoded(out, path, /*keep_slash=*/true);
    return;
  }
  const std::size_t base = out.size();
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view seg = path.substr(start, end - start);
    if (seg == "..") {
      if (out.size() > base) out.resize(out.rfind('/'));
    } else if (!seg.empty() && seg != ".") {
      out += '/';
      AppendUriEncoded(out, seg, /*keep_slash=*/true);
    }
    start = end + 1;
  }
  if (out.size() == base || path.back() == '/') out += '/';  // the root, or a trailing slash
}

// Appends the canonical query: parameters decoded, re-encoded, sorted by name then value.
void AppendCanonicalQuery(std::string& out, std::string_view query) {
  if (query.empty()) return;
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = std::min(query.find('&', start), query.size());
    std::string_view piece = query.substr(start, end - start);
    if (!piece.empty()) {
      std::size_t eq = piece.find('=');
      std::string_view name = piece.substr(0, std::min(eq, piece.size()));
      std::string_view value = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      params.emplace_back(UriEncode(PercentDecode(name), false), UriEncode(PercentDecode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out += '&';
    out += params[i].first;
    out += '=';
    out += params[i].second;
  }
}

// Trims and folds every whitespace run to one space.
void AppendCanonicalValue(std::string& out, std::string_view value) {
  value = TrimSpace(value);
  const char* p = value.data();
  const char* const end = p + value.size();
  // A word, then a run of spaces that never reaches the end (TrimSpace removed every IsSpace
  // byte there), so the inner loop needs no end check.
  while (p != end) {
    const char* const word = p;
    while (p != end && !IsSpace(*p)) ++p;
    out.append(word, static_cast<std::size_t>(p - word));
    if (p == end) break;
    while (IsSpace(*p)) ++p;
    out += ' ';
  }
}

// Lower-case copies of header names, in one buffer (one allocation however many names), viewed
// by `Add`'s returned views. A vector, not a string: growing within its reserved capacity is
// guaranteed not to move its bytes. Neither copied nor moved, all the same.
class LowerNames {
 public:
  explicit LowerNames(std::pmr::memory_resource* memory) : buffer_(memory) {}
  LowerNames(const LowerNames&) = delete;
  LowerNames& operator=(const LowerNames&) = delete;

  // Room for names of `bytes` bytes in all: Add must stay within it (or earlier views dangle).
  void Reserve(std::size_t bytes) { buffer_.reserve(bytes); }
  CHAPCHECK_NO_COVERAGE std::string_view Add(std::string_view name) {
    const std::size_t at = buffer_.size();
    assert(at + name.size() <= buffer_.capacity());
    buffer_.resize(at + name.size());
    char* p = buffer_.data() + at;
    for (char c : name) *p++ = LowerAscii(c);
    return std::string_view(buffer_.data() + at, name.size());
  }

 private:
  std::pmr::vector<char> buffer_;
};

// Calls f(name) for each name of a ';'-separated list, empty ones included.
template <class F>
void ForEachListed(std::string_view list, F f) {
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t semi = std::min(list.find(';', pos), list.size());
    f(list.substr(pos, semi - pos));
    pos = semi + 1;
  }
}

// Signed-header names as the canonical request lists them: lower case, sorted, unique.
class SignedNames {
 public:
  template <class Range>
  explicit SignedNames(const Range& names) {
    std::size_t bytes = 0;
    for (const auto& n : names) bytes += std::string_view(n).size();
    lower_.Reserve(bytes);
    names_.reserve(std::size(names));
    for (const auto& n : names) names_.push_back(lower_.Add(n));
    Finish();
  }
  // From a SignedHeaders value, "a;b;c", of `count` names.
  SignedNames(std::string_view list, std::size_t count) {
    lower_.Reserve(list.size());
    names_.reserve(count);
    ForEachListed(list, [this](std::string_view n) { names_.push_back(lower_.Add(n)); });
    Finish();
  }
  SignedNames(const SignedNames&) = delete;
  SignedNames& operator=(const SignedNames&) = delete;
  const std::pmr::vector<std::string_view>& names() const { return names_; }

 private:
  void Finish() {
    std::sort(names_.begin(), names_.end());
    names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
  }
  InlineArena<512> arena_;  // before the vectors that use it
  LowerNames lower_{arena_.get()};
  std::pmr::vector<std::string_view> names_{arena_.get()};
};

// Request headers indexed by lower-case name, in order of appearance within one name. Look-ups
// take lower-case names. The index refers to the request's strings: it must not outlive it.
class HeaderIndex {
 public:
  explicit HeaderIndex(const Request& request) : request_(request) {
    std::size_t bytes = 0;
    for (const auto& h : request.headers) bytes += h.first.size();
    lower_.Reserve(bytes);
    entries_.reserve(request.headers.size());
    for (std::size_t i = 0; i < request.headers.size(); ++i) entries_.push_back({lower_.Add(request.headers[i].first), i});
    // By name (in NameBefore's order), then position: the order stable_sort would give, without
    // its buffer.
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return NameBefore(a.name, b.name) || (a.name == b.name && a.index < b.index);
    });
  }
  HeaderIndex(const HeaderIndex&) = delete;
  HeaderIndex& operator=(const HeaderIndex&) = delete;

  std::size_t Count(std::string_view name) const {
    auto [first, last] = Range(name);
    return static_cast<std::size_t>(last - first);
  }

  // Values of every header with this name, canonicalised and joined with ','.
  void AppendCanonical(std::string& out, std::string_view name) const {
    auto [first, last] = Range(name);
    for (auto it = first; it != last; ++it) {
      if (it != first) out += ',';
      AppendCanonicalValue(out, request_.headers[it->index].second);
    }
  }
  std::string Canonical(std::string_view name) const {
    std::string out;
    AppendCanonical(out, name);
    return out;
  }

  // The first value of a header with this name, as sent; empty when there is none.
  std::string_view First(std::string_view name) const {
    auto [first, last] = Range(name);
    return first == last ? std::string_view() : std::string_view(request_.headers[first->index].second);
  }

 private:
  struct Entry {
    std::string_view name;  // in lower_
    std::size_t index;
  };
  using It = std::pmr::vector<Entry>::const_iterator;

  std::pair<It, It> Range(std::string_view name) const {
    auto first = std::lower_bound(entries_.begin(), entries_.end(), name,
                                  [](const Entry& e, std::string_view n) { return NameBefore(e.name, n); });
    auto last = std::upper_bound(first, entries_.end(), name,
                                 [](std::string_view n, const Entry& e) { return NameBefore(n, e.name); });
    return {first, last};
  }

  // Any strict order serves look-ups (the canonical request takes its order from SignedNames):
  // by length first, so that most comparisons are of two integers, not a memcmp of the bytes.
  static bool NameBefore(std::string_view a, std::string_view b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }

  const Request& request_;
  InlineArena<1024> arena_;  // before the vectors that use it
  LowerNames lower_{arena_.get()};
  std::pmr::vector<Entry> entries_{arena_.get()};
};

// --- dates ---------------------------------------------------------------------------------

using Seconds = std::chrono::sys_seconds;

std::optional<int> Digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(s[i])) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

std::optional<Seconds> MakeTime(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo}, std::chrono::day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

// YYYYMMDDTHHMMSSZ
std::optional<Seconds> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  auto y = Digits(s, 0, 4), mo = Digits(s, 4, 2), d = Digits(s, 6, 2);
  auto h = Digits(s, 9, 2), mi = Digits(s, 11, 2), sec = Digits(s, 13, 2);
  if (!y || !mo || !d || !h || !mi || !sec) return std::nullopt;
  return MakeTime(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d), *h, *mi, *sec);
}

// IMF-fixdate (RFC 9110): "Sun, 30 Aug 2015 12:36:00 GMT".
std::optional<Seconds> ParseHttpDate(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  if (std::find(kDays.begin(), kDays.end(), s.substr(0, 3)) == kDays.end()) return std::nullopt;
  auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (month == kMonths.end()) return std::nullopt;
  auto d = Digits(s, 5, 2), y = Digits(s, 12, 4), h = Digits(s, 17, 2), mi = Digits(s, 20, 2), sec = Digits(s, 23, 2);
  if (!d || !y || !h || !mi || !sec) return std::nullopt;
  return MakeTime(*y, static_cast<unsigned>(month - kMonths.begin() + 1), static_cast<unsigned>(*d), *h, *mi, *sec);
}

std::string SkewText(std::chrono::seconds skew) {
  if (skew.count() % 60 == 0) return std::to_string(skew.count() / 60) + " min.";
  return std::to_string(skew.count()) + " s.";
}

// --- Authorization parsing -----------------------------------------------------------------

Error AuthError(std::string message) { return Error{"Authorization", std::move(message)}; }

bool ValidScopePart(std::string_view s) {
  return !s.empty() && s.size() <= 64 && Every(s, kPrintable);
}

// An Authorization header's parts as views of its text: what Verify reads (ParseAuthorization
// copies them out). `signed_headers` is the SignedHeaders value as sent, "a;b;c", each name
// checked to be a non-empty lower-case token.
struct AuthorizationView {
  std::string_view algorithm;
  std::string_view access_key_id;
  ScopeView scope;
  std::string_view signed_headers;
  std::size_t signed_count = 0;  // names in signed_headers
  std::string_view signature;
};

std::optional<Error> ReadCredential(std::string_view value, AuthorizationView& auth) {
  std::array<std::string_view, 5> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::size_t slash = value.find('/', start);
    if (i + 1 < parts.size()) {
      if (slash == std::string_view::npos) {
        return AuthError("Credential should be <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request.");
      }
      parts[i] = value.substr(start, slash - start);
      start = slash + 1;
    } else {
      if (slash != std::string_view::npos) {
        return AuthError("Credential has more than five '/'-separated parts.");
      }
      parts[i] = value.substr(start);
    }
  }
  if (parts[0].empty() || parts[0].size() > 128 || !Every(parts[0], kPrintable)) {
    return AuthError("Credential has an empty or invalid access key id.");
  }
  if (parts[1].size() != 8 || !Digits(parts[1], 0, 8)) {
    return AuthError("Credential date " + Quote(parts[1]) + " is not YYYYMMDD.");
  }
  if (!ValidScopePart(parts[2])) return AuthError("Credential has an empty or invalid region.");
  if (!ValidScopePart(parts[3])) return AuthError("Credential has an empty or invalid service.");
  if (parts[4] != kTerminator) {
    return AuthError("Credential should be scoped with a valid terminator: 'aws4_request', not " + Quote(parts[4]) +
                     ".");
  }
  auth.access_key_id = parts[0];
  auth.scope = ScopeView{parts[1], parts[2], parts[3]};
  return std::nullopt;
}

// Appends the hex SHA-256 of `data`, lower case.
void AppendSha256Hex(std::string& out, std::string_view data) {
  AppendHex(out, Sha256().Update(data).Final());
}

// The canonical request (see CanonicalRequest in the header) appended to `out`; `names` sorted,
// unique and lower case.
void AppendCanonicalRequest(std::string& out, const Request& request, const HeaderIndex& index,
                            const std::pmr::vector<std::string_view>& names, bool normalize_path,
                            std::optional<std::string_view> payload_hash) {
  out.reserve(out.size() + 256 + request.target.size());
  out += request.method;
  out += '\n';
  AppendCanonicalUri(out, request.target, normalize_path);
  out += '\n';
  AppendCanonicalQuery(out, QueryOf(request.target));
  out += '\n';
  for (const auto& name : names) {
    out += name;
    out += ':';
    index.AppendCanonical(out, name);
    out += '\n';
  }
  out += '\n';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ';';
    out += names[i];
  }
  out += '\n';
  if (payload_hash) {
    out += *payload_hash;
  } else {
    AppendSha256Hex(out, request.body);
  }
}

// The string to sign (StringToSign), appended to `out`.
void AppendStringToSign(std::string& out, std::string_view amz_date, const ScopeView& scope,
                        std::string_view canonical_request) {
  out.reserve(out.size() + kAlgorithm.size() + amz_date.size() + scope.date.size() + scope.region.size() +
              scope.service.size() + kTerminator.size() + 6 + 64);
  out += kAlgorithm;
  out += '\n';
  out += amz_date;
  out += '\n';
  AppendScope(out, scope);
  out += '\n';
  AppendSha256Hex(out, canonical_request);
}

// The hex signature (Signature), in a fixed buffer.
HexDigest SignatureHex(const Secret& secret_access_key, const ScopeView& scope, std::string_view string_to_sign) {
  thread_local SigningKeyCache cache;
  const bool same_scope =
      cache.scope.date == scope.date && cache.scope.region == scope.region && cache.scope.service == scope.service;
  if (!cache.key || !same_scope || cache.secret.size() != secret_access_key.size() ||
      CRYPTO_memcmp(cache.secret.data(), secret_access_key.Reveal().data(), cache.secret.size()) != 0) {
    cache.key.reset();
    std::string seed = "AWS4" + secret_access_key.Reveal();
    Digest key = HmacSha256(seed.data(), seed.size(), scope.date);
    OPENSSL_cleanse(seed.data(), seed.size());
    for (std::string_view part : {scope.region, scope.service, kTerminator}) {
      Digest next = HmacSha256(key.data(), key.size(), part);
      OPENSSL_cleanse(key.data(), key.size());
      key = next;
      OPENSSL_cleanse(next.data(), next.size());
    }
    cache.key.emplace(key.data(), key.size());
    OPENSSL_cleanse(key.data(), key.size());
    OPENSSL_cleanse(cache.secret.data(), cache.secret.size());
    try {
      cache.secret = secret_access_key.Reveal();
      cache.scope.date = scope.date;
      cache.scope.region = scope.region;
      cache.scope.service = scope.service;
    } catch (...) {
      cache.key.reset();  // it would be taken for the old secret and scope
      throw;
    }
  }
  return ToHex(cache.key->Mac(string_to_sign));
}

}  // namespace

// --- the steps -----------------------------------------------------------------------------

std::string Sha256Hex(std::string_view data) {
  std::string out;
  AppendSha256Hex(out, data);
  return out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  const HexDigest hex = ToHex(HmacSha256(key.data(), key.size(), data));
  return std::string(hex.data(), hex.size());
}

std::string CanonicalRequest(const Request& request, const std::vector<std::string>& signed_headers,
                             bool normalize_path, std::optional<std::string_view> payload_hash) {
  std::string out;
  AppendCanonicalRequest(out, request, HeaderIndex(request), SignedNames(signed_headers).names(), normalize_path,
                         payload_hash);
  return out;
}

std::string Scope::ToString() const {
  std::string out;
  AppendTo(out);
  return out;
}

void Scope::AppendTo(std::string& out) const { AppendScope(out, ViewOf(*this)); }

std::string StringToSign(std::string_view amz_date, const Scope& scope, std::string_view canonical_request) {
  std::string out;
  AppendStringToSign(out, amz_date, ViewOf(scope), canonical_request);
  return out;
}

std::string Signature(const Secret& secret_access_key, const Scope& scope, std::string_view string_to_sign) {
  const HexDigest hex = SignatureHex(secret_access_key, ViewOf(scope), string_to_sign);
  return std::string(hex.data(), hex.size());
}

// --- signing -------------------------------------------------------------------------------

void SignHeaders(Request& request, const Credentials& credentials, const SignOptions& options) {
  std::erase_if(request.headers, [](const auto& h) { return EqualsIgnoreAsciiCase(h.first, "authorization"); });

  // The request's own X-Amz-Date (its values canonicalised and joined, as the verifier reads
  // them), else the signer's, added.
  Scratch date_text(ScratchUse::kDate);
  std::string& amz_date = date_text.text();
  bool has_date = false, has_token = false;
  for (const auto& [name, value] : request.headers) {
    if (EqualsIgnoreAsciiCase(name, "x-amz-date")) {
      if (has_date) amz_date += ',';
      AppendCanonicalValue(amz_date, value);
      has_date = true;
    } else if (EqualsIgnoreAsciiCase(name, "x-amz-security-token")) {
      has_token = true;
    }
  }
  if (!has_date) {
    amz_date = options.amz_date;
    request.headers.emplace_back("X-Amz-Date", amz_date);
  }
  if (!credentials.session_token.empty() && !has_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }

  InlineArena<256> listed_memory;
  std::pmr::vector<std::string_view> listed({"host", "x-amz-date"}, listed_memory.get());  // (SignedNames copies them)
  if (!credentials.session_token.empty()) listed.emplace_back("x-amz-security-token");
  if (options.signed_headers.empty()) {
    for (const auto& [name, value] : request.headers) {
      if ((name.size() >= 6 && EqualsIgnoreAsciiCase(std::string_view(name).substr(0, 6), "x-amz-")) ||
          EqualsIgnoreAsciiCase(name, "content-type")) {
        listed.emplace_back(name);
      }
    }
  } else {
    listed.insert(listed.end(), options.signed_headers.begin(), options.signed_headers.end());
  }
  const SignedNames signed_names(listed);
  const std::pmr::vector<std::string_view>& names = signed_names.names();

  const ScopeView scope{std::string_view(amz_date).substr(0, 8), options.region, options.service};
  Scratch canonical(ScratchUse::kCanonical), to_sign(ScratchUse::kToSign);
  AppendCanonicalRequest(canonical.text(), request, HeaderIndex(request), names, options.normalize_path, std::nullopt);
  AppendStringToSign(to_sign.text(), amz_date, scope, canonical.text());
  const HexDigest signature = SignatureHex(credentials.secret_access_key, scope, to_sign.text());
  std::string authorization;
  authorization.reserve(160 + credentials.access_key_id.size() + options.region.size() + options.service.size() +
                        names.size() * 24);
  authorization += kAlgorithm;
  authorization += " Credential=";
  authorization += credentials.access_key_id;
  authorization += '/';
  AppendScope(authorization, scope);
  authorization += ", SignedHeaders=";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) authorization += ';';
    authorization += names[i];
  }
  authorization += ", Signature=";
  authorization.append(signature.data(), signature.size());
  request.headers.emplace_back("Authorization", std::move(authorization));
}

// --- verification --------------------------------------------------------------------------

namespace {

std::optional<Error> ReadAuthorization(std::string_view header_value, AuthorizationView& auth) {
  if (header_value.size() > kMaxAuthorizationBytes) {
    return AuthError("Authorization header is too long (" + std::to_string(header_value.size()) + " bytes, at most " +
                     std::to_string(kMaxAuthorizationBytes) + ").");
  }
  std::string_view rest = TrimSpace(header_value);
  if (rest.empty()) return AuthError("Authorization header is empty.");

  std::size_t space = 0;
  while (space < rest.size() && rest[space] != ' ' && rest[space] != '\t') ++space;
  std::string_view algorithm = rest.substr(0, space);
  rest = TrimSpace(rest.substr(space));
  if (algorithm.find('=') != std::string_view::npos || algorithm.size() > 64 ||
      !Every(algorithm, kPrintable)) {
    return AuthError("Authorization header should start with the algorithm, then a space.");
  }
  if (rest.empty()) return AuthError("Authorization header requires 'Credential' parameter.");

  auth.algorithm = algorithm;
  std::optional<std::string_view> credential, signed_headers, signature;
  std::size_t start = 0;
  std::size_t number = 0;
  while (start <= rest.size()) {
    ++number;
    std::size_t comma = std::min(rest.find(',', start), rest.size());
    std::string_view param = TrimSpace(rest.substr(start, comma - start));
    start = comma + 1;
    if (param.empty()) return AuthError("Authorization header has an empty parameter (an extra ',').");
    std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      return AuthError("Authorization header parameter " + std::to_string(number) + " is not name=value.");
    }
    std::string_view name = param.substr(0, eq);
    std::string_view value = param.substr(eq + 1);
    std::optional<std::string_view>* slot = name == "Credential"      ? &credential
                                            : name == "SignedHeaders" ? &signed_headers
                                            : name == "Signature"     ? &signature
                                                                      : nullptr;
    if (slot == nullptr) {
      // Only a short, all-letter name is quoted: a value pasted without its name is never echoed.
      bool quotable = !name.empty() && name.size() <= 32 && Every(name, kLetter);
      return AuthError("Authorization header has an unknown parameter" + (quotable ? " " + Quote(name) : "") + ".");
    }
    if (slot->has_value()) {
      return AuthError("Authorization header has '" + std::string(name) + "' more than once.");
    }
    if (value.empty()) return AuthError("Authorization header's '" + std::string(name) + "' parameter is empty.");
    *slot = value;
  }
  if (!credential) return AuthError("Authorization header requires 'Credential' parameter.");
  if (!signed_headers) return AuthError("Authorization header requires 'SignedHeaders' parameter.");
  if (!signature) return AuthError("Authorization header requires 'Signature' parameter.");

  if (auto bad = ReadCredential(*credential, auth)) return bad;

  bool names_ok = true;
  auth.signed_count = 0;
  ForEachListed(*signed_headers, [&](std::string_view name) {
    names_ok = names_ok && !name.empty() && Every(name, kLowerToken);
    ++auth.signed_count;
  });
  if (!names_ok) return AuthError("SignedHeaders should be lower-case header names separated by ';'.");
  auth.signed_headers = *signed_headers;

  if (signature->size() != 64 ||
      !Every(*signature, kHexDigit)) {
    return AuthError("Signature should be 64 hexadecimal digits.");
  }
  auth.signature = *signature;
  return std::nullopt;
}

}  // namespace

Result<Authorization> ParseAuthorization(std::string_view header_value) {
  AuthorizationView view;
  if (auto bad = ReadAuthorization(header_value, view)) return *std::move(bad);
  Authorization auth;
  auth.algorithm = std::string(view.algorithm);
  auth.access_key_id = std::string(view.access_key_id);
  auth.scope = Scope{std::string(view.scope.date), std::string(view.scope.region), std::string(view.scope.service)};
  auth.signed_headers.reserve(view.signed_count);
  ForEachListed(view.signed_headers, [&](std::string_view name) { auth.signed_headers.emplace_back(name); });
  auth.signature = std::string(view.signature);
  return auth;
}

std::string_view ToString(Status s) {
  switch (s) {
    case Status::kValid:
      return "valid";
    case Status::kMissing:
      return "missing";
    case Status::kMalformed:
      return "malformed";
    case Status::kUnknownKey:
      return "unknown-key";
    case Status::kBadSignature:
      return "bad-signature";
    case Status::kExpired:
      return "expired";
  }
  return "unknown";
}

Verdict Verify(const Request& request, const KeyLookup& keys, const VerifyOptions& options,
               std::chrono::system_clock::time_point now) {
  Verdict verdict;
  auto fail = [&verdict](Status status, std::string message) {
    verdict.status = status;
    verdict.message = std::move(message);
    return verdict;
  };

  const HeaderIndex index(request);
  const std::size_t authorizations = index.Count("authorization");
  if (authorizations == 0) return fail(Status::kMissing, "Request is missing Authentication Token.");
  if (authorizations > 1) return fail(Status::kMalformed, "Request has more than one Authorization header.");

  AuthorizationView auth;  // views of the request's Authorization value
  if (auto bad = ReadAuthorization(index.First("authorization"), auth)) return fail(Status::kMalformed, bad->message);
  verdict.access_key_id = std::string(auth.access_key_id);

  if (auth.algorithm != kAlgorithm) {
    return fail(Status::kMalformed, "Unsupported AWS 'algorithm': " + Quote(auth.algorithm) + ".");
  }

  // The request time: X-Amz-Date, or the Date header when there is none.
  Scratch date_text(ScratchUse::kDate);
  std::string& amz_date = date_text.text();
  std::optional<Seconds> request_time;
  if (index.Count("x-amz-date") > 0) {
    index.AppendCanonical(amz_date, "x-amz-date");
    request_time = ParseAmzDate(amz_date);
    if (!request_time) {
      return fail(Status::kMalformed, "X-Amz-Date " + Quote(amz_date) + " is not in the form YYYYMMDD'T'HHMMSS'Z'.");
    }
  } else if (index.Count("date") > 0) {
    std::string date = index.Canonical("date");
    request_time = ParseHttpDate(date);
    if (!request_time) {
      return fail(Status::kMalformed,
                  "Date " + Quote(date) + " is not an IMF-fixdate (e.g. 'Sun, 30 Aug 2015 12:36:00 GMT').");
    }
    amz_date = AmzDate(*request_time);
  } else {
    return fail(Status::kMalformed,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }

  if (auth.scope.date != std::string_view(amz_date).substr(0, 8)) {
    return fail(Status::kMalformed,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '" +
                    std::string(auth.scope.date) + "' != '" + amz_date.substr(0, 8) + "', from '" + amz_date + "'.");
  }
  if (auth.scope.service != options.service) {
    return fail(Status::kMalformed, "Credential should be scoped to correct service: " + Quote(options.service) +
                                        ", not " + Quote(auth.scope.service) + ".");
  }
  if (options.region && auth.scope.region != *options.region) {
    return fail(Status::kMalformed, "Credential should be scoped to a valid region: " + Quote(*options.region) +
                                        ", not " + Quote(auth.scope.region) + ".");
  }
  bool host_signed = false;
  std::string_view absent;  // the first signed name the request does not carry
  ForEachListed(auth.signed_headers, [&](std::string_view name) {
    host_signed = host_signed || name == "host";
    if (absent.empty() && index.Count(name) == 0) absent = name;
  });
  if (!host_signed) {
    return fail(Status::kMalformed, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (!absent.empty()) {
    return fail(Status::kMalformed, "Signed header " + Quote(absent) + " is not present in the request.");
  }

  const Secret* secret = keys ? keys(auth.access_key_id) : nullptr;
  if (secret == nullptr) {
    return fail(Status::kUnknownKey, "The security token included in the request is invalid: unknown access key id " +
                                         Quote(auth.access_key_id) + ".");
  }

  // Compared as a difference, so that a huge max_skew (a "no clock check" setting) cannot overflow.
  const Seconds now_s = std::chrono::floor<std::chrono::seconds>(now);
  const std::chrono::seconds offset = *request_time - now_s;
  if (-offset > options.max_skew) {
    return fail(Status::kExpired, "Signature expired: " + amz_date + " is now earlier than " +
                                      AmzDate(now_s - options.max_skew) + " (" + AmzDate(now_s) + " - " +
                                      SkewText(options.max_skew) + ")");
  }
  if (offset > options.max_skew) {
    return fail(Status::kExpired, "Signature not yet current: " + amz_date + " is still later than " +
                                      AmzDate(now_s + options.max_skew) + " (" + AmzDate(now_s) + " + " +
                                      SkewText(options.max_skew) + ")");
  }

  Scratch canonical(ScratchUse::kCanonical), to_sign(ScratchUse::kToSign);
  AppendCanonicalRequest(canonical.text(), request, index, SignedNames(auth.signed_headers, auth.signed_count).names(),
                         options.normalize_path, std::nullopt);
  AppendStringToSign(to_sign.text(), amz_date, auth.scope, canonical.text());
  const HexDigest expected = SignatureHex(*secret, auth.scope, to_sign.text());
  // Both are 64 characters (ParseAuthorization checked the provided one).
  if (expected.size() != auth.signature.size() ||
      CRYPTO_memcmp(expected.data(), auth.signature.data(), expected.size()) != 0) {
    return fail(Status::kBadSignature,
                "The request signature we calculated does not match the signature you provided. Check your AWS "
                "Secret Access Key and signing method. Consult the service documentation for details.");
  }
  verdict.status = Status::kValid;
  return verdict;
}

std::string AmzDate(std::chrono::system_clock::time_point t) {
  std::string out;
  AssignAmzDate(out, t);
  return out;
}

void AssignAmzDate(std::string& out, std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) {
    out.assign("00000000T000000Z");
    return;
  }
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  out.assign(buf, n);
}

}  // namespace chapcheck::sigv4
