#include "conformance/checks.h"

#include <nlohmann/json.hpp>

#include "protocol/awsjson.h"

namespace chapcheck::conformance {
namespace {

using json = nlohmann::json;
using spec::Decision;

Finding Pass() { return Finding{Status::kPass, "", "", ""}; }
Finding NotApplicable() { return Finding{}; }
Finding Fail(std::string message, std::string expected, std::string actual) {
  return Finding{Status::kFail, std::move(message), std::move(expected), std::move(actual)};
}

bool Answered(const CheckInput& in) { return in.exchange.transport_error.empty() && in.exchange.status != 0; }
bool OutOfScope(const CheckInput& in) { return in.test_case.expectation.outcome.decision == Decision::kOutOfScope; }

struct Parsed {
  bool is_error = false;
  awsjson::ParsedError error;
};

Parsed ReadError(const CheckInput& in) {
  Parsed p;
  if (in.exchange.status >= 200 && in.exchange.status < 300) return p;
  const std::string* header = in.exchange.Header("X-Amzn-Errortype");
  auto e = awsjson::ParseError(in.exchange.body, header ? *header : "");
  if (e.ok()) {
    p.is_error = true;
    p.error = std::move(e).value();
  }
  return p;
}

// The decision and error the response amounts to.
std::string Describe(const CheckInput& in) {
  if (!Answered(in)) return "no answer: " + in.exchange.transport_error;
  if (in.exchange.status >= 200 && in.exchange.status < 300) return "accept (" + std::to_string(in.exchange.status) + ")";
  const Parsed p = ReadError(in);
  return "reject " + std::to_string(in.exchange.status) + " " + (p.is_error ? p.error.type : "(no error type)") +
         (p.error.error_code.empty() ? "" : "/" + p.error.error_code);
}

Finding Transport(const CheckInput& in) {
  if (!in.exchange.transport_error.empty()) {
    return Fail("the endpoint gave no HTTP answer", "an HTTP response", in.exchange.transport_error);
  }
  if (in.exchange.status >= 500 && !OutOfScope(in)) {
    const auto& o = in.test_case.expectation.outcome;
    const bool allowed = o.status >= 500 || std::find(o.also_allowed_status.begin(), o.also_allowed_status.end(),
                                                      in.exchange.status) != o.also_allowed_status.end();
    if (!allowed) return Fail("a server error where the spec demands none", o.Summary(), Describe(in));
  }
  return Pass();
}

Finding AcceptedIffValid(const CheckInput& in) {
  if (!Answered(in) || OutOfScope(in)) return NotApplicable();
  const auto& v = in.test_case.expectation;
  const bool accepted = in.exchange.status >= 200 && in.exchange.status < 300;
  const Decision got = accepted ? Decision::kAccept : Decision::kReject;
  if (got == v.outcome.decision) return Pass();
  if (v.lenient && got == v.lenient->decision) {
    return Finding{Status::kShould, "a should-level rule (" + v.outcome.rule + ") was waived", v.outcome.Summary(), Describe(in)};
  }
  return Fail(accepted ? "accepted a request the spec rejects: " + v.outcome.reason : "rejected a valid request",
              v.outcome.Summary(), Describe(in));
}

Finding StatusCode(const CheckInput& in) {
  if (!Answered(in) || OutOfScope(in)) return NotApplicable();
  const auto& v = in.test_case.expectation;
  if (v.outcome.AllowsStatus(in.exchange.status)) return Pass();
  if (v.lenient && v.lenient->AllowsStatus(in.exchange.status)) return Finding{Status::kShould, "status of the lenient outcome", v.outcome.Summary(), Describe(in)};
  return Fail("HTTP status " + std::to_string(in.exchange.status) + ", the spec demands " + std::to_string(v.outcome.status),
              std::to_string(v.outcome.status), std::to_string(in.exchange.status));
}

Finding ErrorType(const CheckInput& in) {
  const auto& v = in.test_case.expectation;
  if (!Answered(in) || v.outcome.decision != Decision::kReject) return NotApplicable();
  if (in.exchange.status < 300) return NotApplicable();  // accepted: accepted_iff_valid reports it
  const Parsed p = ReadError(in);
  if (!p.is_error) return Fail("the error names no __type", v.outcome.error_type, Describe(in));
  const spec::ErrorType* t = in.spec.errors.FindType(p.error.type);
  const std::string got = t ? t->name : p.error.type;
  if (got == v.outcome.error_type) return Pass();
  if (v.lenient && v.lenient->decision == Decision::kReject && got == v.lenient->error_type) {
    return Finding{Status::kShould, "error type of the lenient outcome", v.outcome.error_type, got};
  }
  return Fail("__type " + got + ", the spec demands " + v.outcome.error_type, v.outcome.error_type, got);
}

Finding ErrorCode(const CheckInput& in) {
  const auto& v = in.test_case.expectation;
  if (!Answered(in) || v.outcome.decision != Decision::kReject || v.outcome.error_code.empty()) return NotApplicable();
  if (in.exchange.status < 300) return NotApplicable();
  const Parsed p = ReadError(in);
  const std::string got = p.error.error_code.empty() ? "(none)" : p.error.error_code;
  if (got == v.outcome.error_code) return Pass();
  if (v.lenient && v.lenient->decision == Decision::kReject && got == v.lenient->error_code) {
    return Finding{Status::kShould, "errorCode of the lenient outcome", v.outcome.error_code, got};
  }
  return Fail("errorCode " + got + ", the spec demands " + v.outcome.error_code, v.outcome.error_code, got);
}

Finding ErrorEnvelope(const CheckInput& in) {
  if (!Answered(in) || in.exchange.status < 300) return NotApplicable();
  json body;
  try {
    body = json::parse(in.exchange.body);
  } catch (const std::exception&) {
    return Fail("the error body is not JSON", "a JSON error envelope", "not JSON");
  }
  const auto& env = in.spec.errors.envelope;
  if (!body.is_object()) return Fail("the error body is not a JSON object", "a JSON object", body.type_name());
  if (!body.contains(env.type_field) || !body[env.type_field].is_string()) {
    return Fail("no " + env.type_field, env.type_field + " with the bare type name", "absent");
  }
  const std::string raw = body[env.type_field].get<std::string>();
  if (env.server_type_form == "bare" && awsjson::BareType(raw) != raw) {
    return Fail("servers send the bare type name in " + env.type_field, awsjson::BareType(raw), raw);
  }
  if (!body.contains(env.message_field) || !body[env.message_field].is_string()) {
    return Fail("no " + env.message_field, "a " + env.message_field + " string", "absent");
  }
  const spec::ErrorType* t = in.spec.errors.FindType(awsjson::BareType(raw));
  if (t && t->has_error_code) {
    if (!body.contains(env.error_field) || !body[env.error_field].is_object() ||
        !body[env.error_field].contains(env.code_field) || !body[env.error_field][env.code_field].is_string()) {
      return Fail(t->name + " carries " + env.error_field + "." + env.code_field, "present", "absent");
    }
  }
  return Pass();
}

Finding ContentType(const CheckInput& in) {
  if (!Answered(in)) return NotApplicable();
  const std::string* ct = in.exchange.Header("Content-Type");
  const std::string& want = in.spec.errors.envelope.content_type;
  if (!ct) return Fail("no Content-Type", want, "absent");
  const std::string media = std::string(ct->substr(0, ct->find(';')));
  if (media != want) return Fail("Content-Type " + media, want, media);
  return Pass();
}

Finding RequestId(const CheckInput& in) {
  if (!Answered(in)) return NotApplicable();
  const std::string& name = in.spec.errors.envelope.request_id_header;
  const std::string* id = in.exchange.Header(name);
  if (!id || id->empty()) return Fail("no " + name + " header", "present", "absent");
  return Pass();
}

Finding Echo(const CheckInput& in) {
  if (!Answered(in) || in.exchange.status < 200 || in.exchange.status >= 300) return NotApplicable();
  if (in.test_case.expectation.echo.empty()) return NotApplicable();
  json body;
  try {
    body = json::parse(in.exchange.body);
  } catch (const std::exception&) {
    return Fail("the success body is not JSON", "the echo", "not JSON");
  }
  for (const auto& [member, value] : in.test_case.expectation.echo) {
    if (!body.is_object() || !body.contains(member)) return Fail(member + " is not echoed", value, "absent");
    if (body[member] != value) return Fail(member + " is not the request's", value, body[member].dump());
  }
  return Pass();
}

Finding NoSecretInResponse(const CheckInput& in) {
  if (!Answered(in)) return NotApplicable();
  for (const auto& s : in.secrets) {
    if (s.size() < 4) continue;  // too short to tell from chance
    bool leaked = in.exchange.body.find(s) != std::string::npos;
    for (const auto& [k, v] : in.exchange.headers) leaked |= v.find(s) != std::string::npos;
    if (leaked) return Fail("the response contains a secret from the request", "no secret", "a secret (redacted)");
  }
  return Pass();
}

Finding RejectedChangesNothing(const CheckInput& in) {
  if (!in.state_before || !in.state_after) return NotApplicable();
  if (in.exchange.status >= 200 && in.exchange.status < 300) return NotApplicable();
  if (*in.state_before == *in.state_after) return Pass();
  return Fail("a rejected request changed the target's CHAP credentials", "DescribeChapCredentials unchanged",
              "changed (values redacted)");
}

// Scenario checks are judged once per run by RunConnectionScenarios; the runner reports its
// findings under these names. Called directly, a scenario check has nothing to judge.
Finding JudgedByScenarios(const CheckInput&) {
  return Finding{Status::kSkip, "judged once per run by the connection scenarios, which did not run", "", ""};
}

}  // namespace

std::string_view ToString(Status s) {
  switch (s) {
    case Status::kPass: return "passed";
    case Status::kFail: return "failed";
    case Status::kShould: return "should";
    case Status::kSkip: return "skipped";
    case Status::kNotApplicable: return "n/a";
  }
  return "?";
}

const std::vector<Check>& AllChecks() {
  static const std::vector<Check> checks = {
      {"transport", "contract", "every request gets an HTTP answer, and no 5xx the spec does not allow", Transport},
      {"accepted_iff_valid", "contract", "a request is accepted exactly when the spec verdict accepts it", AcceptedIffValid},
      {"status_code", "errors", "the HTTP status is the one the spec gives the outcome", StatusCode},
      {"error_type", "errors", "a rejection carries the __type the spec's rule maps to", ErrorType},
      {"error_code", "errors", "a rejection carries the error.errorCode the spec's rule maps to", ErrorCode},
      {"error_envelope", "envelope", "an error body is {__type (bare), message, error.errorCode where the type has one}", ErrorEnvelope},
      {"content_type", "envelope", "every response is application/x-amz-json-1.1", ContentType},
      {"request_id", "envelope", "every response carries x-amzn-RequestId", RequestId},
      {"echo", "contract", "a success echoes TargetARN and InitiatorName as sent", Echo},
      {"no_secret_in_response", "security", "no response carries a secret from the request", NoSecretInResponse},
      {"rejected_changes_nothing", "state", "a rejected request changes no credential", RejectedChangesNothing},
      {"connections_closed_on_update", "connections", "an accepted update closes every session of the updated initiator on the target within the drop deadline", JudgedByScenarios, true},
      {"other_initiators_closed_on_update", "connections", "an accepted update closes the sessions of every other initiator on the target too", JudgedByScenarios, true},
      {"other_targets_untouched", "connections", "an accepted update leaves sessions on other targets up", JudgedByScenarios, true},
      {"old_secret_refused_new_accepted", "connections", "after an update the old secret fails with 0x0201 and the new one logs in", JudgedByScenarios, true},
      {"target_authenticates_with_target_secret", "connections", "with SecretToAuthenticateTarget the target proves itself with that secret (and no other)", JudgedByScenarios, true},
      {"mutual_chap_off_without_target_secret", "connections", "without SecretToAuthenticateTarget the target no longer proves itself (mutual CHAP off)", JudgedByScenarios, true},
      {"rejected_keeps_connections", "connections", "a rejected update closes no session and the old secret still logs in", JudgedByScenarios, true},
  };
  return checks;
}

const Check* FindCheck(std::string_view name) {
  for (const auto& c : AllChecks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace chapcheck::conformance
