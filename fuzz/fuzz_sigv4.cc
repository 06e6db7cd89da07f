// fuzz_sigv4: SigV4 canonicalisation and Authorization parsing (protocol/sigv4.h) on any bytes,
// and signer/verifier agreement: a request built from the input, signed with the fixture key at a
// fixed time, verifies; the same request with one byte of its body or the signature's last digit
// changed does not. Findings abort (a crash, a sanitizer report, a disagreement).
//
// Input: NUL-separated fields: method, request-target, header lines "name:value", the body, and
// a fifth field that goes, as it stands, to ParseAuthorization.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/strings.h"
#include "fuzz/http_token.h"
#include "mocks/mock_test_support.h"
#include "protocol/sigv4.h"

namespace {

using namespace chapcheck;

// Splits `s` at `sep` into at most N parts (the last keeps the rest); returns how many.
template <std::size_t N>
std::size_t Split(std::string_view s, char sep, std::array<std::string_view, N>& out) {
  std::size_t n = 0;
  while (n + 1 < N) {
    const auto at = s.find(sep);
    if (at == std::string_view::npos) break;
    out[n++] = s.substr(0, at);
    s.remove_prefix(at + 1);
  }
  out[n++] = s;
  return n;
}

// What every input shares: built once.
struct Env {
  sigv4::Credentials creds = mocks::testing::Creds();
  sigv4::SignOptions sign = [] {
    sigv4::SignOptions so;
    so.region = "us-east-1";
    so.service = "storagegateway";
    so.amz_date = sigv4::AmzDate(mocks::testing::Now());
    return so;
  }();
  sigv4::VerifyOptions verify = [] {
    sigv4::VerifyOptions vo;
    vo.service = "storagegateway";
    vo.region = "us-east-1";
    return vo;
  }();
  Env() = default;
  Env(const Env&) = delete;  // `keys` holds `this`
  Env& operator=(const Env&) = delete;
  sigv4::KeyLookup keys = [this](std::string_view id) { return id == creds.access_key_id ? &creds.secret_access_key : nullptr; };
};

const Env& TheEnv() {
  static const Env env;
  return env;
}

[[noreturn]] void Finding(const char* what, const sigv4::Verdict& v) {
  std::fprintf(stderr, "fuzz_sigv4: %s (verifier: %s%s%s)\n", what, std::string(sigv4::ToString(v.status)).c_str(),
               v.message.empty() ? "" : ": ", v.message.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Env& env = TheEnv();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::array<std::string_view, 5> parts;  // method, target, headers, body, authorization
  const std::size_t n = Split(bytes, '\0', parts);
  sigv4::Request r;
  r.method = fuzz::IsHttpToken(parts[0]) ? std::string(parts[0]) : "POST";
  r.target = n > 1 && !parts[1].empty() && parts[1][0] == '/' ? std::string(parts[1]) : "/";
  if (r.target.find_first_of(" \r\n") != std::string::npos) r.target = "/";
  std::vector<std::string> names;  // the headers' names, for the unnormalised canonicalisation
  if (n > 2) {
    std::array<std::string_view, 64> lines;
    const std::size_t count = Split(parts[2], '\n', lines);
    r.headers.reserve(count + 3);  // and Host, X-Amz-Date, Authorization
    names.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::string_view line = lines[i];
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = line.substr(0, colon);
      // Only what HTTP can carry: a token name, a value without CR, LF or NUL. (Host and the
      // signature's own headers are the signer's.)
      if (!fuzz::IsHttpToken(name) || line.substr(colon + 1).find('\r') != std::string_view::npos) continue;
      if (EqualsIgnoreAsciiCase(name, "host") || EqualsIgnoreAsciiCase(name, "authorization") ||
          EqualsIgnoreAsciiCase(name, "x-amz-date") || EqualsIgnoreAsciiCase(name, "x-amz-security-token")) {
        continue;
      }
      r.headers.emplace_back(std::string(name), std::string(line.substr(colon + 1)));
      names.push_back(AsciiLower(name));
    }
  }
  if (n > 3) r.body = std::string(parts[3]);
  if (n > 4) (void)sigv4::ParseAuthorization(parts[4]);

  // Canonicalisation never fails, whatever the headers and path. (The signer and the verifier
  // below canonicalise with the path normalised and the payload hashed; this is the other way.)
  (void)sigv4::CanonicalRequest(r, names, /*normalize_path=*/false, "UNSIGNED-PAYLOAD");

  r.headers.emplace(r.headers.begin(), "Host", "127.0.0.1:8080");
  sigv4::SignHeaders(r, env.creds, env.sign);
  const sigv4::Verdict ok = sigv4::Verify(r, env.keys, env.verify, mocks::testing::Now());
  if (ok.status != sigv4::Status::kValid) Finding("a request the signer signed does not verify", ok);

  // Flip one byte: of the body, or of the signature. Either must break the signature. (The
  // request is not needed as it was after this: changed in place.)
  const std::size_t pick = size ? data[0] : 0;
  if (!r.body.empty() && (pick & 1)) {
    r.body[pick % r.body.size()] ^= 0x01;
  } else {
    for (auto& [k, v] : r.headers) {
      if (k != "Authorization") continue;
      char& c = v.back();  // the signature's last hex digit
      c = c == '0' ? '1' : '0';
    }
  }
  const sigv4::Verdict flipped = sigv4::Verify(r, env.keys, env.verify, mocks::testing::Now());
  if (flipped.status != sigv4::Status::kBadSignature) Finding("a changed request still verifies", flipped);
  return 0;
}
