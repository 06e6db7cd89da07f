// fuzz_spec_verdict: any bytes into the spec verdict. The input is a FuzzInput
// (generators/fuzz_input.h); raw inputs go in as the body of an otherwise well-formed request.
// Findings (each aborts): a crash, leak or sanitizer report; an exception; a verdict that differs
// when the same request is judged twice; a verdict that breaks the spec's own shape (a rejection
// without a known rule, type or status; an acceptance with broken rules; a reason that quotes a
// sensitive member's value).
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "fuzz/mock_oracle.h"
#include "generators/fuzz_input.h"
#include "mocks/mock_test_support.h"
#include "spec/json_scan.h"
#include "spec/loader.h"

namespace {

using namespace chapcheck;

struct Env {
  const spec::Spec& spec = spec::EmbeddedSpec();
  spec::World world = fuzz::WorldOf(mocks::testing::DefaultFixture());
};

const Env& TheEnv() {
  static const Env env;
  return env;
}

[[noreturn]] void Finding(const std::string& what, const spec::Verdict& v) {
  std::fprintf(stderr, "fuzz_spec_verdict: %s\n  verdict: %s (%s)\n", what.c_str(), v.outcome.Summary().c_str(),
               v.outcome.reason.c_str());
  std::abort();
}

bool Same(const spec::Outcome& a, const spec::Outcome& b) {
  return a.decision == b.decision && a.status == b.status && a.also_allowed_status == b.also_allowed_status &&
         a.error_type == b.error_type && a.error_code == b.error_code && a.rule == b.rule && a.severity == b.severity &&
         a.reason == b.reason;
}

bool Same(const spec::Verdict& a, const spec::Verdict& b) {
  if (!Same(a.outcome, b.outcome) || a.lenient.has_value() != b.lenient.has_value()) return false;
  if (a.lenient && !Same(*a.lenient, *b.lenient)) return false;
  if (a.echo != b.echo || a.target_prefix != b.target_prefix || a.lookups_assumed != b.lookups_assumed) return false;
  if (a.broken.size() != b.broken.size()) return false;
  for (std::size_t i = 0; i < a.broken.size(); ++i) {
    if (a.broken[i].rule != b.broken[i].rule || a.broken[i].reason != b.broken[i].reason) return false;
  }
  return true;
}

using Judge = std::function<spec::Verdict(const spec::Request&)>;

// True when some reason of `v` holds `text`.
bool Quotes(const spec::Verdict& v, const std::string& text) {
  if (v.outcome.reason.find(text) != std::string::npos) return true;
  for (const auto& b : v.broken) {
    if (b.reason.find(text) != std::string::npos) return true;
  }
  return false;
}

void CheckShape(const spec::Spec& s, const spec::Request& request, const spec::Verdict& v, const Judge& judge) {
  const spec::Outcome& o = v.outcome;
  if (o.decision == spec::Decision::kAccept && !v.broken.empty()) Finding("accepted, yet rules are broken", v);
  if (o.decision == spec::Decision::kReject) {
    if (!s.FindRule(o.rule)) Finding("rejected by a rule the spec does not have: " + o.rule, v);
    const spec::ErrorType* t = s.errors.FindType(o.error_type);
    if (!t) Finding("rejected with a type the spec does not have: " + o.error_type, v);
    if (o.status != t->status) Finding("status " + std::to_string(o.status) + " is not the type's", v);
    if (t->has_error_code == o.error_code.empty()) Finding("errorCode presence does not match the type", v);
    if (v.broken.empty() || v.broken.front().rule != o.rule) Finding("the deciding rule is not the first broken one", v);
  }
  if (v.lenient && o.severity != spec::Severity::kShould) Finding("a lenient outcome for a must-rule", v);
  // No reason quotes a sensitive value. A reason may hold the same text by chance (its own
  // wording, another member's value, a header): it quotes the secret when the text goes away
  // once the secret is replaced by other bytes of the same length and the same rule decides.
  // The body is read with the verdict's own scanner (no DOM); the secret's value is replaced where
  // it stands in the text (the replacement needs no escape).
  const spec::JsonScan scan = spec::ScanJson(request.body);
  if (!scan.ok || scan.top != spec::JsonKind::kObject) return;
  for (const auto& m : s.members) {
    const spec::JsonScan::Member* sent = m.sensitive ? scan.Find(m.name) : nullptr;
    if (!sent || sent->kind != spec::JsonKind::kString) continue;
    const std::string& secret = sent->string_value;
    if (secret.size() < 6 || !Quotes(v, secret)) continue;
    spec::Request other = request;
    other.body.replace(sent->value_begin, sent->value_end - sent->value_begin,
                       '"' + std::string(secret.size(), secret[0] == 'Q' ? 'R' : 'Q') + '"');
    const spec::Verdict w = judge(other);
    if (w.outcome.rule == o.rule && !Quotes(w, secret)) Finding("a reason quotes the value of " + m.name, v);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Env& env = TheEnv();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  generators::FuzzInput in = generators::DecodeFuzzInput(bytes);
  spec::AuthStatus auth = generators::ExpectedAuthStatus(in.auth);
  if (in.raw) {
    auth = spec::AuthStatus::kUnchecked;
    in.request.headers = {{"Content-Type", env.spec.protocol.content_type},
                          {env.spec.protocol.target_header,
                           env.spec.protocol.CurrentTarget()->prefix + "." + env.spec.operation}};
    in.request.body = std::move(in.raw_http);
  } else if (in.auth != generators::AuthMode::kNone) {
    in.request.headers.emplace_back("Authorization", "(signed when sent)");
  }
  // Half the inputs (by the mode byte's high bit) are judged without a world: lookups assumed.
  const spec::World* world = (size > 0 && (data[0] & 0x80)) ? nullptr : &env.world;
  spec::Verdict first, second;
  try {
    first = spec::Decide(env.spec, in.request, auth, world);
    second = spec::Decide(env.spec, in.request, auth, world);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_spec_verdict: Decide threw: %s\n", e.what());
    std::abort();
  }
  if (!Same(first, second)) Finding("the same request judged twice got two verdicts", first);
  CheckShape(env.spec, in.request, first,
             [&](const spec::Request& r) { return spec::Decide(env.spec, r, auth, world); });
  return 0;
}
