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
// CHAPCHECK_FUZZ_COUNT_UNEVEN=1 counts the inputs that made more malloc than free calls (each
// one sets off libFuzzer's leak re-run; see Ballast), and those with more free calls, and prints
// the counts at exit (fuzz.heap-stays-even). Needs a sanitizer's allocator hooks.
// CHAPCHECK_FUZZ_INJECT_LEAK=1 leaks one block in every input, as a leaking mock would: the test
// that leaks still show through the ballast (fuzz.leak-still-shows).
// CHAPCHECK_FUZZ_CHECK_REUSE=1 sends every input through fresh objects too (a decode, signer,
// parser and gateway of its own) and aborts when they write other bytes or read or answer
// otherwise than the kept buffers did (fuzz.kept-buffers-match-fresh). The differential cannot
// see such a fault: mock and spec would both judge the same wrong request.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

bool Switch(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string_view(v) == "1";
}

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
  const bool inject_leak = Switch("CHAPCHECK_FUZZ_INJECT_LEAK");
  const bool check_reuse = Switch("CHAPCHECK_FUZZ_CHECK_REUSE");
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

// The gateway every input meets, in the fixture's state. One is kept for as long as no request
// changes its state (most are refused): building one copies the whole fixture, a fifth of the
// allocations of an input. An input that changes it has it built again before the input ends,
// so every input meets the same state whatever ran before it, as libFuzzer needs. (Built again
// at the start of the next input instead, an accepted update would leave more blocks allocated
// than freed by its input: libFuzzer takes that for a possible leak and runs the input again.)
class FixtureGateway {
 public:
  explicit FixtureGateway(const Env& env) : env_(env), gateway_(std::in_place, env.fixture, env.options) {}
  mocks::Gateway& get() { return *gateway_; }
  // At the end of every input.
  void Restore() {
    if (gateway_->state().changes() != 0) gateway_.emplace(env_.fixture, env_.options);
  }

 private:
  const Env& env_;
  std::optional<mocks::Gateway> gateway_;
};

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

// A structured input's headers without those the harness leaves out.
void DropLeftOut(std::vector<std::pair<std::string, std::string>>& headers) {
  std::erase_if(headers, [](const auto& h) { return LeftOut(h.first); });
}

// Signs a structured input's request as the fixture's client, in `mode`.
void SignAs(const Env& env, generators::AuthMode mode, sigv4::Request& r) {
  conformance::SignForCaseInPlace(r, env.sign_as.value_or(mode), env.creds, "us-east-1", "storagegateway",
                                  mocks::testing::Now(), "127.0.0.1:8080");
}

// The request as HTTP/1.1 bytes, into `out` (whose capacity is kept from input to input).
void ToHttp(const sigv4::Request& r, std::string& out) {
  char length[24];
  const int length_size = std::snprintf(length, sizeof length, "%zu", r.body.size());
  std::size_t size = r.method.size() + r.target.size() + 40 + static_cast<std::size_t>(length_size) + r.body.size();
  for (const auto& [k, v] : r.headers) size += k.size() + v.size() + 4;
  out.clear();
  out.reserve(size);
  out.append(r.method).append(" ").append(r.target).append(" HTTP/1.1\r\n");
  for (const auto& [k, v] : r.headers) out.append(k).append(": ").append(v).append("\r\n");
  out.append("Content-Length: ").append(length, static_cast<std::size_t>(length_size)).append("\r\n\r\n").append(r.body);
}

// What one input is decoded, signed, read, answered and judged in. Kept from input to input, so
// that their strings and header lists keep their capacity: an input allocates only what the last
// one did not have room for (the mock's server keeps its per-connection request the same way).
// Nothing is read from them before it is written again: each step sets every field it fills.
// Strings are lent from one to another by swapping and always given back, so that each step
// writes into the strings it wrote last time, whose capacity fits.
struct Buffers {
  generators::FuzzInput in;
  sigv4::Request wire;  // the signed request (lent the decoded input's strings)
  std::string http;     // its bytes
  mocks::RawHttpResult result;
  fuzz::Reading reading;    // the oracle's reading of the response
  spec::Request judged;     // lent result.request's strings: what the spec reads
  sigv4::Request verified;  // lent judged's again, for the harness's verifier (check_signer)
};

void Swap(spec::Request& a, sigv4::Request& b) {
  a.method.swap(b.method);
  a.path.swap(b.target);
  a.headers.swap(b.headers);
  a.body.swap(b.body);
}

struct SwapBack {
  spec::Request& a;
  sigv4::Request& b;
  ~SwapBack() { Swap(a, b); }
};

// The heap blocks the buffers hold: a string's text when it is longer than the string's own
// short buffer, a header list's array.
std::size_t Blocks(const std::string& s) {
  static const std::size_t local = std::string().capacity();
  return s.capacity() > local ? 1 : 0;
}
std::size_t Blocks(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::size_t n = headers.capacity() > 0 ? 1 : 0;
  for (const auto& [name, value] : headers) n += Blocks(name) + Blocks(value);
  return n;
}
template <typename R>
std::size_t RequestBlocks(const R& r, const std::string& target) {
  return Blocks(r.method) + Blocks(target) + Blocks(r.headers) + Blocks(r.body);
}
// Every member of Buffers (one left out that changes shape with the inputs fails
// fuzz.heap-stays-even).
std::size_t Blocks(const Buffers& b) {
  std::size_t n = RequestBlocks(b.in.request, b.in.request.path) + Blocks(b.in.raw_http);
  n += RequestBlocks(b.wire, b.wire.target) + Blocks(b.http);
  n += RequestBlocks(b.result.request, b.result.request.target);
  n += Blocks(b.result.response.headers) + Blocks(b.result.response.body);
  n += Blocks(b.reading.answer.type) + Blocks(b.reading.answer.code);
  if (b.reading.envelope_problem) n += Blocks(*b.reading.envelope_problem);
  n += RequestBlocks(b.judged, b.judged.path) + RequestBlocks(b.verified, b.verified.target);
  return n;
}

// libFuzzer counts the malloc and free calls of each input. More mallocs than frees, and it runs
// the input again; the same again, and it runs LeakSanitizer over the whole heap (and after a
// thousand of those it stops looking for leaks). The buffers are no leak, but how many blocks
// they hold follows the inputs' shapes (a header more than the last input had is a string more),
// so an input that grows them looks like one. Measured without the ballast: one input in twelve,
// and the fuzzer at 2,400 to 4,300 exec/s instead of 20,000.
// The ballast evens that out: small blocks, freed when an input leaves more blocks in the
// buffers than it found, allocated when it leaves fewer, so that the buffers and the ballast
// hold as many blocks after every input as before it. Only the buffers' own blocks are evened:
// a block the code under test leaks is in neither, and still shows (fuzz.leak-still-shows).
// When the ballast runs out (inputs far above max_len's 4 KiB), what it could not free is owed,
// and paid back before it allocates again: those inputs are re-run, slower but never wrong, and
// the ballast never frees for a shrink it did not allocate for, which could hide a leak.
class Ballast {
 public:
  // `held`: the blocks the buffers hold now.
  Ballast(std::size_t blocks, std::size_t held) : held_(held) {
    blocks_.reserve(blocks);
    for (std::size_t i = 0; i < blocks; ++i) blocks_.push_back(std::make_unique<char>());
  }
  // At the end of every input, with the blocks the buffers hold then.
  void Even(std::size_t held) {
    std::size_t before = held_, after = held;
    held_ = held;
    for (; after > before; --after) {
      if (blocks_.empty()) {
        ++owed_;
      } else {
        blocks_.pop_back();
      }
    }
    for (; after < before; ++after) {
      if (owed_ > 0) {
        --owed_;
      } else {
        blocks_.push_back(std::make_unique<char>());
      }
    }
  }

 private:
  std::vector<std::unique_ptr<char>> blocks_;
  std::size_t owed_ = 0;
  std::size_t held_;  // by the buffers, after the last input
};

[[noreturn]] void Finding(const char* what, const std::string& detail, const mocks::HttpResponse& r) {
  std::fprintf(stderr, "fuzz_mock_http: %s: %s\n  response: %d %s\n", what, detail.c_str(), r.status, r.body.c_str());
  std::abort();
}

// CHAPCHECK_FUZZ_CHECK_REUSE: the input again through fresh objects, against what the kept
// buffers wrote (`http`, for a structured input) and read and answered (`kept`).
void CheckReuse(const Env& env, std::string_view bytes, bool raw, std::string_view http,
                const mocks::RawHttpResult& kept) {
  std::string fresh_http;
  if (!raw) {
    generators::FuzzInput in = generators::DecodeFuzzInput(bytes);
    DropLeftOut(in.request.headers);
    sigv4::Request r{std::move(in.request.method), std::move(in.request.path), std::move(in.request.headers),
                     std::move(in.request.body)};
    SignAs(env, in.auth, r);
    ToHttp(r, fresh_http);
    if (fresh_http != http) {
      // Where, not what: the bytes hold the input's CHAP secrets.
      const auto at = std::mismatch(fresh_http.begin(), fresh_http.end(), http.begin(), http.end()).first;
      Finding("kept buffers wrote other bytes than fresh ones",
              std::to_string(http.size()) + " bytes, fresh " + std::to_string(fresh_http.size()) +
                  ", first difference at byte " + std::to_string(at - fresh_http.begin()),
              kept.response);
    }
  }
  mocks::Gateway gateway(env.fixture, env.options);
  const mocks::RawHttpResult fresh = mocks::HandleRawHttp(gateway, raw ? http : std::string_view(fresh_http));
  std::string differs;
  const auto names = [](const mocks::HttpResponse& r) {
    std::string out;
    for (const auto& [name, value] : r.headers) {
      out += name + ": " + (EqualsIgnoreAsciiCase(name, "x-amzn-RequestId") ? std::string("(id)") : value) + "\n";
    }
    return out;
  };
  if (fresh.incomplete != kept.incomplete) differs += " incomplete";
  if (fresh.answered != kept.answered) differs += " answered";
  if (fresh.response.status != kept.response.status) differs += " status";
  if (fresh.response.body != kept.response.body) differs += " body";
  if (names(fresh.response) != names(kept.response)) differs += " response headers";
  if (fresh.answered && kept.answered) {
    if (fresh.request.method != kept.request.method || fresh.request.target != kept.request.target) differs += " request line";
    if (fresh.request.headers != kept.request.headers) differs += " request headers";
    if (fresh.request.body != kept.request.body) differs += " request body";
  }
  if (!differs.empty()) Finding("kept buffers read or answered otherwise than fresh ones", differs, kept.response);
}

// CHAPCHECK_FUZZ_COUNT_UNEVEN: the allocator hooks of a sanitizer runtime (weak: a build without
// one has none).
extern "C" __attribute__((weak)) int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, std::size_t), void (*free_hook)(const volatile void*));

struct UnevenCount {
  bool counting = false;
  long mallocs = 0, frees = 0, inputs = 0;
  long more_mallocs = 0;  // inputs that made more malloc than free calls
  long more_frees = 0;    // and the other way round (a ballast that frees too much hides leaks)
};
UnevenCount uneven_count;

void CountMalloc(const volatile void*, std::size_t) {
  if (uneven_count.counting) ++uneven_count.mallocs;
}
void CountFree(const volatile void*) {
  if (uneven_count.counting) ++uneven_count.frees;
}
void PrintUnevenCount() {
  std::fprintf(stderr, "fuzz_mock_http: %ld of %ld inputs made more malloc than free calls, %ld more free calls\n",
               uneven_count.more_mallocs, uneven_count.inputs, uneven_count.more_frees);
}

bool CountingUneven() {
  static const bool counting = [] {
    if (!Switch("CHAPCHECK_FUZZ_COUNT_UNEVEN")) return false;
    if (__sanitizer_install_malloc_and_free_hooks == nullptr ||
        __sanitizer_install_malloc_and_free_hooks(CountMalloc, CountFree) == 0) {
      std::fprintf(stderr, "fuzz_mock_http: CHAPCHECK_FUZZ_COUNT_UNEVEN needs a sanitizer's allocator hooks\n");
      std::exit(2);
    }
    std::atexit(PrintUnevenCount);
    return true;
  }();
  return counting;
}

char* volatile leak_sink = nullptr;  // CHAPCHECK_FUZZ_INJECT_LEAK (volatile: the leak is not optimised away)

int RunInput(const std::uint8_t* data, std::size_t size) {
  const Env& env = TheEnv();
  static Buffers buffers;
  static FixtureGateway gateway(env);
  // (A ceiling on the blocks an input of 4 KiB can add to the buffers: a header of 16 bytes
  // or more is two in the decoded input and two in the parsed request.)
  static Ballast ballast(1024, Blocks(buffers));
  mocks::RawHttpResult& result = buffers.result;
  // On the way out (a finding aborts): the gateway in the fixture's state, the ballast evened.
  struct AtExit {
    FixtureGateway& gateway;
    Buffers& buffers;
    Ballast& ballast;
    ~AtExit() {
      gateway.Restore();
      ballast.Even(Blocks(buffers));
    }
  } const at_exit{gateway, buffers, ballast};
  if (env.inject_leak) {
    leak_sink = new char[24];  // and forgotten: unreachable once the pointer is overwritten
    leak_sink = nullptr;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // A raw input is read where it stands (DecodeFuzzInput would copy its bytes into raw_http).
  const bool raw = generators::IsRawHttpInput(bytes);
  // (`in` holds the last structured input while a raw one runs: nothing reads it then.)
  generators::FuzzInput& in = buffers.in;
  if (!raw) generators::DecodeFuzzInput(bytes, in);
  const generators::AuthMode mode = raw ? generators::AuthMode::kSigned : in.auth;
  bool auth_touched = raw;
  std::string_view http;
  if (raw) {
    http = bytes.substr(1);
  } else {
    DropLeftOut(in.request.headers);
    for (const auto& h : in.request.headers) auth_touched = auth_touched || AuthHeader(h.first);
    sigv4::Request& wire = buffers.wire;
    Swap(in.request, wire);
    SignAs(env, mode, wire);
    ToHttp(wire, buffers.http);
    http = buffers.http;
    // Given back for the next input to be decoded into, with the signer's Host (put first) moved
    // last: the next input's header i then lands in the string that held this one's header i.
    std::rotate(wire.headers.begin(), wire.headers.begin() + 1, wire.headers.end());
    Swap(in.request, wire);
  }

  mocks::HandleRawHttp(gateway.get(), http, result);
  if (env.check_reuse) CheckReuse(env, bytes, raw, http, result);
  if (result.incomplete) return 0;
  fuzz::Reading& reading = buffers.reading;
  fuzz::ReadResponse(env.spec, result.response, reading);
  if (reading.envelope_problem) Finding("malformed response", *reading.envelope_problem, result.response);
  if (!result.answered) return 0;  // refused by the HTTP layer: the spec has nothing to say

  // The verifier's reading of the request. When the harness signed it and the input left the
  // authentication headers alone, the signing mode says what a correct verifier finds, so the
  // verdict is judged on that, and the harness's own verifier runs only where the mock's answer
  // cannot show a signer or verifier fault: before a disagreement is reported (to say whether
  // signer and verifier disagree), and for a request out of the spec's scope (no verdict to
  // disagree with). It runs first for raw bytes and for input-set authentication headers (only
  // the verifier knows), and for the modes the spec answers alike (Env::look_alike).
  const auto verify = [&env](const sigv4::Request& r) {
    return fuzz::ToAuthStatus(sigv4::Verify(r, env.keys, env.verify, mocks::testing::Now()).status);
  };
  const spec::AuthStatus expected = generators::ExpectedAuthStatus(mode);
  std::optional<spec::AuthStatus> verified;
  if (auth_touched || env.look_alike[static_cast<std::size_t>(mode)]) {
    verified = verify(result.request);
  }
  // The request as the gateway saw it, as the spec reads one: lent result.request's strings, and
  // gives them back on the way out, so that every input is parsed into the same strings (see
  // Buffers on why that matters).
  spec::Request& judged = buffers.judged;
  Swap(judged, result.request);
  const SwapBack give_back{judged, result.request};
  const auto check_signer = [&](spec::Request& r) {
    if (auth_touched) return;
    if (!verified) {
      Swap(r, buffers.verified);  // lent to the verifier, and given back
      verified = verify(buffers.verified);
      Swap(r, buffers.verified);
    }
    if (*verified != expected) {
      Finding("signer and verifier disagree",
              "mode " + std::string(generators::ToString(mode)) + " expects " + std::string(spec::ToString(expected)) +
                  ", the verifier reads " + std::string(spec::ToString(*verified)),
              result.response);
    }
  };
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!CountingUneven()) return RunInput(data, size);
  UnevenCount& c = uneven_count;
  c.mallocs = c.frees = 0;
  c.counting = true;
  RunInput(data, size);
  c.counting = false;
  ++c.inputs;
  if (c.mallocs > c.frees) ++c.more_mallocs;
  if (c.frees > c.mallocs) ++c.more_frees;
  return 0;
}
