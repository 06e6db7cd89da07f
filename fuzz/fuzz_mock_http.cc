// fuzz_mock_http: bytes -> the mock's HTTP parsing (Beast, the server's limits) -> Gateway::Handle,
// in process, with a fixed clock. The input is a FuzzInput (generators/fuzz_input.h): either a
// structured request that the harness signs with the fixture key as the mode byte asks, or raw
// HTTP whose signature stays as it is. Findings (each aborts, so libFuzzer keeps the input):
//   - a crash, leak or sanitizer report;
//   - a response that is not well-formed awsJson1_1 (fuzz/mock_oracle.h EnvelopeProblem);
//   - differential: the mock's decision, __type, errorCode or status is not what the spec verdict
//     (spec::Decide on the same request, as the gateway received it) allows;
//   - a request the harness signed one way that the verifier reads another way after the HTTP
//     round trip. Looked for where the mock's answer cannot show it: a correct mock answers what
//     its verifier reads, so such a fault mostly shows first as a disagreement (see below).
// CHAPCHECK_FUZZ_MOCK_DEFECT=<name> (mocks/defects.h) runs the mock with that defect switched on:
// the test that proves the differential can fail (fuzz.differential-catches-defect).
// CHAPCHECK_FUZZ_SIGN_AS=<mode> (generators::ToString(AuthMode)) signs every structured input in
// that mode whatever its mode byte says: a signer fault (fuzz.signer-fault-is-named).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "base/strings.h"
#include "fuzz/http_token.h"
#include "conformance/signing.h"
#include "fuzz/mock_oracle.h"
#include "generators/fuzz_input.h"
#include "mocks/mock_test_support.h"
#include "mocks/raw_http.h"
#include "spec/loader.h"

namespace {

using namespace chapcheck;

constexpr int kAuthModes = static_cast<int>(generators::AuthMode::kExpired) + 1;

struct Env {
  const spec::Spec& spec = spec::EmbeddedSpec();
  mocks::Fixture fixture = mocks::testing::DefaultFixture();
  spec::World world = fuzz::WorldOf(fixture);
  mocks::GatewayOptions options = [] {
    mocks::GatewayOptions o = mocks::testing::Options();
    if (const char* name = std::getenv("CHAPCHECK_FUZZ_MOCK_DEFECT")) {
      const auto d = mocks::DefectByName(name);
      if (!d) {
        std::fprintf(stderr, "fuzz_mock_http: no defect named %s\n", name);
        std::exit(2);
      }
      o.defects.Enable(*d);
    }
    return o;
  }();
  // CHAPCHECK_FUZZ_SIGN_AS=<mode>: every structured input is signed in that mode while the
  // harness still expects what its mode byte says. A signer fault, for the test that proves the
  // signer-verifier check can fail (fuzz.signer-fault-is-named).
  std::optional<generators::AuthMode> sign_as = []() -> std::optional<generators::AuthMode> {
    const char* name = std::getenv("CHAPCHECK_FUZZ_SIGN_AS");
    if (!name) return std::nullopt;
    for (int m = 0; m < kAuthModes; ++m) {
      if (generators::ToString(static_cast<generators::AuthMode>(m)) == name) return static_cast<generators::AuthMode>(m);
    }
    std::fprintf(stderr, "fuzz_mock_http: no signing mode named %s\n", name);
    std::exit(2);
  }();
  // The signing modes whose expected status the spec answers exactly as it answers another
  // mode's (expired and wrong-signature: both InvalidSignatureException, no code, 400): the mock's
  // answer cannot show a mix-up of them, so the harness verifies those first.
  std::array<bool, kAuthModes> look_alike = [this] {
    const spec::Request req = spec.examples.empty() ? spec::Request{} : spec::RequestFromExample(spec.examples.front());
    std::array<spec::Outcome, kAuthModes> outcome;
    for (int m = 0; m < kAuthModes; ++m) {
      outcome[m] = spec::Decide(spec, req, generators::ExpectedAuthStatus(static_cast<generators::AuthMode>(m)), &world).outcome;
    }
    std::array<bool, kAuthModes> same{};
    for (int m = 0; m < kAuthModes; ++m) {
      for (int n = 0; n < kAuthModes; ++n) {
        const spec::Outcome& a = outcome[m];
        const spec::Outcome& b = outcome[n];
        same[m] = same[m] || (m != n && a.decision == b.decision && a.error_type == b.error_type &&
                              a.error_code == b.error_code && a.status == b.status);
      }
    }
    return same;
  }();
  const sigv4::Credentials creds = mocks::testing::Creds();
  sigv4::VerifyOptions verify = [this] {
    sigv4::VerifyOptions vo;
    vo.service = spec.protocol.signing.name;
    vo.region = fixture.region;
    return vo;
  }();
  Env() = default;
  Env(const Env&) = delete;  // `keys` holds `this`
  Env& operator=(const Env&) = delete;
  sigv4::KeyLookup keys = [this](std::string_view id) -> const Secret* {
    for (const auto& k : fixture.access_keys) {
      if (k.id == id) return &k.secret;
    }
    return nullptr;
  };
};

const Env& TheEnv() {
  static const Env env;
  return env;
}

// A gateway in the fixture's state. One is kept for as long as no request changes its state (most
// are refused): building one copies the whole fixture, a fifth of the allocations of an input.
// After a change the next input gets a new one, so every input meets the same state whatever
// ran before it, as libFuzzer needs.
mocks::Gateway& GatewayInFixtureState(const Env& env) {
  static std::optional<mocks::Gateway> gateway;
  if (!gateway || gateway->state().changes() != 0) gateway.emplace(env.fixture, env.options);
  return *gateway;
}

// Headers the harness leaves out in structured mode: framing (it writes Content-Length itself),
// and names that are not HTTP tokens (a name with a leading space would be read as the folded
// continuation of the previous header, so the gateway would see another request than the one
// signed; raw mode covers such bytes).
bool LeftOut(std::string_view name) {
  return !fuzz::IsHttpToken(name) || EqualsIgnoreAsciiCase(name, "Content-Length") ||
         EqualsIgnoreAsciiCase(name, "Transfer-Encoding");
}

// Headers that take part in authentication: when the input sets one, the harness's intent no
// longer says what the verifier must find.
bool AuthHeader(std::string_view name) {
  for (const char* h : {"Authorization", "X-Amz-Date", "Date", "Host", "X-Amz-Security-Token", "X-Amz-Content-Sha256"}) {
    if (EqualsIgnoreAsciiCase(name, h)) return true;
  }
  return false;
}

std::string ToHttp(const sigv4::Request& r) {
  const std::string length = std::to_string(r.body.size());
  std::size_t size = r.method.size() + r.target.size() + 40 + length.size() + r.body.size();
  for (const auto& [k, v] : r.headers) size += k.size() + v.size() + 4;
  std::string out;
  out.reserve(size);
  out.append(r.method).append(" ").append(r.target).append(" HTTP/1.1\r\n");
  for (const auto& [k, v] : r.headers) out.append(k).append(": ").append(v).append("\r\n");
  return out.append("Content-Length: ").append(length).append("\r\n\r\n").append(r.body);
}

[[noreturn]] void Finding(const char* what, const std::string& detail, const mocks::HttpResponse& r) {
  std::fprintf(stderr, "fuzz_mock_http: %s: %s\n  response: %d %s\n", what, detail.c_str(), r.status, r.body.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Env& env = TheEnv();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // A raw input is read where it stands (DecodeFuzzInput would copy its bytes into raw_http).
  const bool raw = generators::IsRawHttpInput(bytes);
  generators::FuzzInput in = raw ? generators::FuzzInput{} : generators::DecodeFuzzInput(bytes);
  bool auth_touched = raw;
  std::string signed_http;
  std::string_view http;
  if (raw) {
    http = bytes.substr(1);
  } else {
    std::erase_if(in.request.headers, [](const auto& h) { return LeftOut(h.first); });
    for (const auto& h : in.request.headers) auth_touched = auth_touched || AuthHeader(h.first);
    signed_http = ToHttp(conformance::SignForCase(std::move(in.request), env.sign_as.value_or(in.auth), env.creds,
                                                  "us-east-1", "storagegateway", mocks::testing::Now(), "127.0.0.1:8080"));
    http = signed_http;
  }

  mocks::RawHttpResult result = mocks::HandleRawHttp(GatewayInFixtureState(env), http);
  if (result.incomplete) return 0;
  const fuzz::Reading reading = fuzz::ReadResponse(env.spec, result.response);
  if (reading.envelope_problem) Finding("malformed response", *reading.envelope_problem, result.response);
  if (!result.request) return 0;  // refused by the HTTP layer: the spec has nothing to say

  // The verifier's reading of the request. When the harness signed it and the input left the
  // authentication headers alone, the signing mode says what a correct verifier finds, so the
  // verdict is judged on that, and the harness's own verifier runs only where the mock's answer
  // cannot show a signer or verifier fault: before a disagreement is reported (to say whether
  // signer and verifier disagree), and for a request out of the spec's scope (no verdict to
  // disagree with). It runs first for raw bytes and for input-set authentication headers (only
  // the verifier knows), and for the modes the spec answers alike (Env::look_alike).
  mocks::HttpRequest& seen = *result.request;
  const auto verify = [&env](const sigv4::Request& r) {
    return fuzz::ToAuthStatus(sigv4::Verify(r, env.keys, env.verify, mocks::testing::Now()).status);
  };
  const spec::AuthStatus expected = generators::ExpectedAuthStatus(in.auth);
  std::optional<spec::AuthStatus> verified;
  if (auth_touched || env.look_alike[static_cast<std::size_t>(in.auth)]) {
    verified = verify(seen);
  }
  const auto check_signer = [&](const spec::Request& r) {
    if (auth_touched) return;
    if (!verified) verified = verify(sigv4::Request{r.method, r.path, r.headers, r.body});
    if (*verified != expected) {
      Finding("signer and verifier disagree",
              "mode " + std::string(generators::ToString(in.auth)) + " expects " + std::string(spec::ToString(expected)) +
                  ", the verifier reads " + std::string(spec::ToString(*verified)),
              result.response);
    }
  };
  // The request as the gateway saw it, moved (nothing reads `seen` after this).
  const spec::Request judged{std::move(seen.method), std::move(seen.target), std::move(seen.headers),
                             std::move(seen.body)};
  if (verified) check_signer(judged);
  // Judged by the outcome alone (no reasons written); decided again in full to explain a finding.
  const spec::AuthStatus auth = verified.value_or(expected);
  const spec::Verdict verdict = spec::Decide(env.spec, judged, auth, &env.world, spec::Detail::kOutcome);
  if (verdict.outcome.decision == spec::Decision::kOutOfScope) {
    check_signer(judged);
    return 0;
  }
  if (fuzz::Disagreement(verdict, reading.answer)) {
    check_signer(judged);
    const spec::Verdict full = spec::Decide(env.spec, judged, auth, &env.world);
    const auto why = fuzz::Disagreement(full, reading.answer);
    if (!why) Finding("the outcome-only verdict disagrees where the full one agrees", verdict.outcome.Summary(), result.response);
    Finding("mock and spec disagree", *why, result.response);
  }
  return 0;
}
