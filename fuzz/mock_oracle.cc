#include "fuzz/mock_oracle.h"

#include <nlohmann/json.hpp>

#include "protocol/awsjson.h"

namespace chapcheck::fuzz {

spec::World WorldOf(const mocks::Fixture& fixture) {
  spec::World w;
  for (const auto& g : fixture.gateways) w.gateways[g.arn] = spec::World::Gateway{g.online, g.HasIscsi()};
  for (const auto& v : fixture.volumes) w.targets.insert(v.target_arn);
  return w;
}

std::string Answer::Summary() const {
  return std::to_string(status) + (type.empty() ? "" : " " + type) + (code.empty() ? "" : "/" + code);
}

namespace {

using json = nlohmann::json;

// The body as JSON (discarded when it is not).
json ParseBody(const mocks::HttpResponse& response) {
  return json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

Answer AnswerOf(const mocks::HttpResponse& response, const json& body) {
  Answer a;
  a.status = response.status;
  a.decision = response.status == 200 ? spec::Decision::kAccept : spec::Decision::kReject;
  if (a.decision == spec::Decision::kReject) {
    const std::string* header = response.Header("X-Amzn-Errortype");
    auto e = awsjson::ParseErrorFrom(body, header ? *header : "");
    if (e.ok()) a.type = e->type, a.code = e->error_code;
  }
  return a;
}

std::optional<std::string> EnvelopeProblemOf(const spec::Spec& spec, const mocks::HttpResponse& response,
                                             const json& body) {
  const auto& env = spec.errors.envelope;
  const int s = response.status;
  if (!((s >= 200 && s < 300) || (s >= 400 && s < 600))) return "status " + std::to_string(s);
  const std::string* type_header = response.Header("Content-Type");
  if (!type_header || *type_header != env.content_type) return "Content-Type is not " + env.content_type;
  const std::string* id = response.Header(env.request_id_header);
  if (!id || id->empty()) return "no " + env.request_id_header + " header";
  if (!body.is_object()) return "the body is not a JSON object";
  if (s < 300) return std::nullopt;
  const auto type = body.find(env.type_field);
  if (type == body.end() || !type->is_string()) return "error without a string " + env.type_field;
  const std::string& t = type->get_ref<const std::string&>();
  if (t.empty() || awsjson::BareType(t) != t || t.find_first_of("#:") != std::string::npos) {
    return env.type_field + " is not a bare type name";
  }
  const auto message = body.find(env.message_field);
  if (message == body.end() || !message->is_string()) return "error without a string " + env.message_field;
  const auto error = body.find(env.error_field);
  if (error != body.end()) {
    if (!error->is_object()) return env.error_field + " is not an object";
    const auto code = error->find(env.code_field);
    if (code != error->end() && !code->is_string()) return env.code_field + " is not a string";
  }
  return std::nullopt;
}

}  // namespace

Answer ReadAnswer(const mocks::HttpResponse& response) {
  // A success is not read: only its status counts.
  return AnswerOf(response, response.status == 200 ? json() : ParseBody(response));
}

std::optional<std::string> Disagreement(const spec::Verdict& verdict, const Answer& answer) {
  if (verdict.Allows(answer.decision, answer.type, answer.code, /*allow_lenient=*/true)) return std::nullopt;
  return "spec: " + verdict.outcome.Summary() + " (" + verdict.outcome.reason + "); mock: " + answer.Summary();
}

std::optional<std::string> EnvelopeProblem(const spec::Spec& spec, const mocks::HttpResponse& response) {
  return EnvelopeProblemOf(spec, response, ParseBody(response));
}

Reading ReadResponse(const spec::Spec& spec, const mocks::HttpResponse& response) {
  const json body = ParseBody(response);
  return Reading{EnvelopeProblemOf(spec, response, body), AnswerOf(response, body)};
}

spec::AuthStatus ToAuthStatus(sigv4::Status status) {
  switch (status) {
    case sigv4::Status::kValid: return spec::AuthStatus::kValid;
    case sigv4::Status::kMissing: return spec::AuthStatus::kMissing;
    case sigv4::Status::kMalformed: return spec::AuthStatus::kMalformed;
    case sigv4::Status::kUnknownKey: return spec::AuthStatus::kUnknownKey;
    case sigv4::Status::kBadSignature: return spec::AuthStatus::kBadSignature;
    case sigv4::Status::kExpired: return spec::AuthStatus::kExpired;
  }
  return spec::AuthStatus::kUnchecked;
}

}  // namespace chapcheck::fuzz
