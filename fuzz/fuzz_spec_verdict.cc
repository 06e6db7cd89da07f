// fuzz_spec_verdict: any bytes into the spec verdict. The input is a FuzzInput
// (generators/fuzz_input.h); raw inputs go in as the body of an otherwise well-formed request.
// Findings (each aborts): a crash, leak or sanitizer report; an exception; a verdict that differs
// when the same request is judged twice; an outcome-only verdict (spec::Detail::kOutcome) whose
// outcome differs from the full one; a verdict that breaks the spec's own shape (a rejection
// without a known rule, type or status; an acceptance with broken rules; a reason that quotes a
// sensitive member's value).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "fuzz/mock_oracle.h"
#include "fuzz/request_mutator.h"
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

// Reports and aborts. The reason is left out when it may hold a secret (the quoting finding).
[[noreturn]] void Finding(const std::string& what, const spec::Verdict& v, bool show_reason = true) {
  std::fprintf(stderr, "fuzz_spec_verdict: %s\n  verdict: %s (%s)\n", what.c_str(), v.outcome.Summary().c_str(),
               show_reason ? v.outcome.reason.c_str() : "reason withheld: it may hold the secret");
  std::abort();
}

bool Same(const spec::Outcome& a, const spec::Outcome& b) {
  return a.decision == b.decision && a.status == b.status && a.also_allowed_status == b.also_allowed_status &&
         a.error_type == b.error_type && a.error_code == b.error_code && a.rule == b.rule && a.severity == b.severity &&
         a.reason == b.reason;
}

// What spec::Detail::kOutcome keeps of an outcome.
bool SameOutcome(const spec::Outcome& a, const spec::Outcome& b) {
  return a.decision == b.decision && a.status == b.status && a.also_allowed_status == b.also_allowed_status &&
         a.error_type == b.error_type && a.error_code == b.error_code && a.severity == b.severity;
}

// `brief` (kOutcome) judges as `full` does, and explains nothing.
bool BriefAgrees(const spec::Verdict& full, const spec::Verdict& brief) {
  if (!SameOutcome(full.outcome, brief.outcome) || full.lenient.has_value() != brief.lenient.has_value()) return false;
  if (full.lenient && !SameOutcome(*full.lenient, *brief.lenient)) return false;
  if (brief.lenient && !(brief.lenient->rule.empty() && brief.lenient->reason.empty())) return false;
  return full.lookups_assumed == brief.lookups_assumed && brief.outcome.rule.empty() && brief.outcome.reason.empty() &&
         brief.broken.empty() && brief.echo.empty() && brief.target_prefix.empty();
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
bool Quotes(const spec::Verdict& v, std::string_view text) {
  if (v.outcome.reason.find(text) != std::string::npos) return true;
  for (const auto& b : v.broken) {
    if (b.reason.find(text) != std::string::npos) return true;
  }
  return false;
}

// The secret with each letter and digit moved one on in its range (z to a, 9 to 0): the same
// length in bytes and characters, the same bytes elsewhere, valid UTF-8 if it was.
std::string Rotated(std::string_view secret) {
  std::string out(secret);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : static_cast<char>(c + 1);
    else if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
    else if (c >= '0' && c <= '9') c = c == '9' ? '0' : static_cast<char>(c + 1);
  }
  return out;
}

// The rule (empty for an out-of-scope verdict) whose reason in `v` holds `text` while its reason
// in `w` does not; nullptr when there is none. Rules are matched in order of appearance, so a rule
// that `w` no longer breaks says nothing either way.
const std::string* QuotedOnlyBefore(const spec::Verdict& v, const spec::Verdict& w, std::string_view text) {
  auto holds = [&](const std::string& reason) { return reason.find(text) != std::string::npos; };
  if (v.outcome.decision == w.outcome.decision && v.outcome.rule == w.outcome.rule && holds(v.outcome.reason) &&
      !holds(w.outcome.reason)) {
    return &v.outcome.rule;
  }
  std::vector<bool> used(w.broken.size(), false);
  for (const auto& b : v.broken) {
    for (std::size_t j = 0; j < w.broken.size(); ++j) {
      if (used[j] || w.broken[j].rule != b.rule) continue;
      used[j] = true;
      if (holds(b.reason) && !holds(w.broken[j].reason)) return &b.rule;
      break;
    }
  }
  return nullptr;
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
  // wording, another member's value, a header, another rule's member names): it quotes the secret
  // when the same request, judged with every sensitive member that holds that value given
  // Rotated() letters and digits instead (the same length, the same rules broken: equal secrets
  // stay equal), gets a reason for the same rule that no longer holds the text.
  // The body is read with the verdict's own scanner (no DOM); values are replaced where they stand
  // in the text.
  const spec::JsonScan scan = spec::ScanJson(request.body);
  if (!scan.ok || scan.top != spec::JsonKind::kObject) return;
  for (const auto& m : s.members) {
    const spec::JsonScan::Member* sent = m.sensitive ? scan.Find(m.name) : nullptr;
    if (!sent || sent->kind != spec::JsonKind::kString) continue;
    const std::string_view secret = sent->string_value;
    if (secret.size() < 6 || !Quotes(v, secret)) continue;
    const std::string other = Rotated(secret);
    if (other == secret) continue;  // no letter or digit to change: nothing to tell apart
    std::string json;
    fuzz::AppendJsonString(json, other);
    std::vector<const spec::JsonScan::Member*> holders;  // sensitive members with this value
    for (const auto& x : scan.members) {
      const spec::Member* def = s.FindMember(x.name);
      if (def && def->sensitive && x.kind == spec::JsonKind::kString && x.string_value == secret) holders.push_back(&x);
    }
    std::sort(holders.begin(), holders.end(), [](auto* a, auto* b) { return a->value_begin > b->value_begin; });
    spec::Request other_request = request;
    for (const auto* x : holders) other_request.body.replace(x->value_begin, x->value_end - x->value_begin, json);
    if (const std::string* rule = QuotedOnlyBefore(v, judge(other_request), secret)) {
      Finding("the reason of " + (rule->empty() ? std::string("the out-of-scope verdict") : *rule) +
                  " quotes the value of " + m.name,
              v, /*show_reason=*/false);
    }
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
  spec::Verdict first, second, brief;
  try {
    first = spec::Decide(env.spec, in.request, auth, world);
    second = spec::Decide(env.spec, in.request, auth, world);
    brief = spec::Decide(env.spec, in.request, auth, world, spec::Detail::kOutcome);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_spec_verdict: Decide threw: %s\n", e.what());
    std::abort();
  }
  if (!Same(first, second)) Finding("the same request judged twice got two verdicts", first);
  if (!BriefAgrees(first, brief)) Finding("the outcome-only verdict differs: " + brief.outcome.Summary(), first);
  CheckShape(env.spec, in.request, first,
             [&](const spec::Request& r) { return spec::Decide(env.spec, r, auth, world); });
  return 0;
}
