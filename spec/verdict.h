// The spec verdict: what the contract demands for one request. This is the oracle every check
// and fuzz target uses ("what must this request get?").
//
// Decide() works on raw bytes: invalid UTF-8, duplicate keys, huge numbers, deep nesting and
// binary garbage all get a verdict, never an exception or a crash. Rules are evaluated phase by
// phase in the spec's precedence order; the first broken rule decides. When that rule is a
// `should`, the verdict also carries the lenient outcome (what an implementation that waives
// should-rules must answer), so a check can tell a must-violation from a should-finding.
//
// Reasons name members, rules, lengths and offending characters of non-sensitive members; they
// never quote the value of a sensitive member.
// Decide() is a pure function of its arguments: any thread, deterministic.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/spec.h"

namespace chapcheck::spec {

struct Request {
  std::string method = "POST";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // names compared case-insensitively
  std::string body;
};

// What the caller's SigV4 verifier made of the request. The spec does no cryptography: the
// harness (which has the verifier and the credentials) says what it saw. kUnchecked means "no
// verifier ran": a request without an Authorization header is then taken as kMissing and any
// other as kValid.
enum class AuthStatus { kUnchecked, kValid, kMissing, kMalformed, kUnknownKey, kBadSignature, kExpired };
std::string_view ToString(AuthStatus a);

// What exists on the endpoint, for the lookup rules. Closed world: what is not listed does not
// exist. Pass no World to skip lookups (the verdict then assumes the target exists).
struct World {
  struct Gateway {
    bool online = true;
    bool iscsi = true;
  };
  std::map<std::string, Gateway> gateways;  // by the key the spec's gateway lookups build
  std::set<std::string> targets;            // by the key the spec's target lookups build
};

enum class Decision { kAccept, kReject, kOutOfScope };
std::string_view ToString(Decision d);

struct Outcome {
  Decision decision = Decision::kAccept;
  int status = 200;
  std::vector<int> also_allowed_status;  // e.g. InternalServerError: 500, also 400
  std::string error_type;                // __type, when rejected
  std::string error_code;                // error.errorCode, when the type carries one
  std::string rule;                      // the rule that decided; empty on accept
  Severity severity = Severity::kMust;   // of that rule
  std::string reason;                    // one secret-free sentence

  // One line: "accept (200)" or "reject 400 InvalidGatewayRequestException/InvalidParameters
  // by SecretToAuthenticateInitiator.length (must)".
  std::string Summary() const;
  // True when an answer with this HTTP status fits: `status`, or one of also_allowed_status.
  bool AllowsStatus(int http_status) const;
};

struct BrokenRule {
  std::string rule;
  Severity severity = Severity::kMust;
  std::string reason;
};

struct Verdict {
  Outcome outcome;                 // what the contract demands
  std::optional<Outcome> lenient;  // set when `outcome` was decided by a should-rule
  std::vector<BrokenRule> broken;  // every rule the request breaks, in precedence order
  // Expected output members on accept (from the echo rules), by output member name.
  std::vector<std::pair<std::string, std::string>> echo;
  std::string target_prefix;  // which X-Amz-Target prefix the request used, if any
  bool lookups_assumed = false;  // no World was given; lookups were not evaluated

  // True when a response with this decision, __type, errorCode and HTTP status is what the
  // contract demands (strictly), or, with `allow_lenient`, what the lenient outcome allows: the
  // same decision, on a rejection the same type and code, and a status the outcome allows.
  bool Allows(Decision d, std::string_view type, std::string_view code, int http_status, bool allow_lenient) const;
};

// How much of a Verdict Decide works out.
//   kFull: all of it.
//   kOutcome: what Verdict::Allows reads, the same as kFull gives it: the decision, status,
//     also_allowed_status, error_type, error_code and severity of `outcome` and `lenient`, and
//     lookups_assumed. Left empty: each outcome's rule and reason, `broken`, `echo` and
//     target_prefix. For callers that judge many answers and explain few (fuzz_mock_http): they
//     decide again with kFull to explain one.
enum class Detail { kFull, kOutcome };

Verdict Decide(const Spec& spec, const Request& request, AuthStatus auth = AuthStatus::kUnchecked,
               const World* world = nullptr, Detail detail = Detail::kFull);

// A Request built from one of the spec's examples.
Request RequestFromExample(const Example& example);

}  // namespace chapcheck::spec
