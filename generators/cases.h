// Generated test cases: derived from a Spec alone (no member name, bound or charset is written in
// this code), each with a stable id, a readable name, the request, and the expectation from the
// spec verdict. The families:
//   boundary   every length bound in its own unit: min-1, min, min+1, max-1, max, max+1, far
//              beyond; for UTF-8 byte bounds multi-byte characters on and just past each bound
//   charset    one case per character class outside a pattern, each allowed class at its edges
//   structure  missing, null and wrongly typed members, unknown members, empty object, not an
//              object, malformed JSON, empty body, duplicate keys
//   protocol   each target prefix, unknown operation, content type, each SigV4 failure
//   semantics  unknown gateway, unknown target, malformed ARN, offline gateway, equal secrets
//   pairwise   a covering array over the members' equivalence classes
//   example    the spec's own examples
// Requests are unsigned: signing happens when a case is sent (it needs the clock and the
// credentials); `auth` says how to sign. Generate() is a pure function; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spec/spec.h"
#include "spec/verdict.h"

namespace chapcheck::generators {

// How the sender must authenticate the request.
enum class AuthMode { kSigned, kNone, kMalformed, kUnknownKey, kWrongSignature, kExpired };
std::string_view ToString(AuthMode m);
spec::AuthStatus ExpectedAuthStatus(AuthMode m);

struct Case {
  std::string id;      // stable: derived from the name
  std::string name;    // e.g. "SecretToAuthenticateInitiator.bytes.17.rejected"
  std::string family;  // boundary, charset, structure, protocol, semantics, pairwise, example
  std::string rule;    // the spec rule the case aims at ("" for pairwise and examples)
  spec::Request request;
  AuthMode auth = AuthMode::kSigned;
  spec::Verdict expectation;
  bool sensitive_values = false;  // the body holds secret test values (reports redact them)
};

// What the generator may assume about the endpoint.
struct Context {
  std::string target_arn;                 // an existing target (the one updated)
  std::optional<std::string> other_target_arn;
  std::optional<std::string> offline_target_arn;
  // What exists, for the expectations. Without one, the world is what the ARNs above say: their
  // gateways and targets exist, the offline one's gateway is offline, nothing else exists.
  std::optional<spec::World> world;
  std::uint64_t seed = 1;                 // pairwise row choice
  // The target prefix the cases send (default: the spec's current one). The protocol.target.*
  // cases send every prefix regardless.
  std::optional<std::string> target_prefix;
};

// The world a Context's ARNs describe (see Context::world).
spec::World WorldOf(const spec::Spec& spec, const Context& context);

// A Context for the spec's first example's TargetARN (the mock's default fixture has it).
Context DefaultContext(const spec::Spec& spec);

std::vector<Case> Generate(const spec::Spec& spec, const Context& context);

// Case id from its name: "c" and 12 hex digits of FNV-1a.
std::string CaseId(std::string_view name);

// One JSON object per line: id, name, family, rule, auth, request, expect.
std::string ToJsonLine(const Case& c);

}  // namespace chapcheck::generators
