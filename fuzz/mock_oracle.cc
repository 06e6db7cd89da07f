#include "fuzz/mock_oracle.h"

#include "protocol/awsjson.h"
#include "spec/json_scan.h"

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

// A response body as the oracle reads it: its top-level members, and those of its "error" object
// (spec::ScanJson: no DOM, a few allocations a response).
struct Body {
  spec::JsonScan top;
  std::optional<spec::JsonScan> error;  // when top has an object member named `error_field`

  Body() = default;  // not read
  Body(const mocks::HttpResponse& response, std::string_view error_field) : top(spec::ScanJson(response.body)) {
    const spec::JsonScan::Member* e = top.ok ? top.Find(error_field) : nullptr;
    if (e && e->kind == spec::JsonKind::kObject) {
      error = spec::ScanJson(e->Raw(response.body));
    }
  }
  bool IsObject() const { return top.ok && top.top == spec::JsonKind::kObject; }
  // A top-level string member's value, or nullopt (absent, or not a string).
  std::optional<std::string_view> String(std::string_view name) const { return StringOf(top, name); }
  static std::optional<std::string_view> StringOf(const spec::JsonScan& scan, std::string_view name) {
    const spec::JsonScan::Member* m = scan.Find(name);
    if (m && m->kind == spec::JsonKind::kString) return m->string_value;
    return std::nullopt;
  }
};

constexpr std::string_view kErrorObject = "error";  // what awsjson::ParseError reads

void AnswerInto(const mocks::HttpResponse& response, const Body& body, Answer& a) {
  a.status = response.status;
  a.decision = response.status == 200 ? spec::Decision::kAccept : spec::Decision::kReject;
  a.type.clear();
  a.code.clear();
  if (a.decision == spec::Decision::kReject && body.IsObject()) {
    awsjson::ErrorFields f;
    f.type = body.String("__type");
    f.code = body.String("code");
    f.message = body.String("message");
    f.Message = body.String("Message");
    f.has_error_object = body.error.has_value();
    if (body.error) f.error_code = Body::StringOf(*body.error, "errorCode");
    const std::string* header = response.Header("X-Amzn-Errortype");
    // (A view of the header itself: `header ? *header : ""` would be a temporary string.)
    if (const auto names = awsjson::ErrorNamesOf(f, header ? std::string_view(*header) : std::string_view())) {
      a.type.assign(names->type);
      a.code.assign(names->error_code);
    }
  }
}

Answer AnswerOf(const mocks::HttpResponse& response, const Body& body) {
  Answer a;
  AnswerInto(response, body, a);
  return a;
}

std::optional<std::string> EnvelopeProblemOf(const spec::Spec& spec, const mocks::HttpResponse& response,
                                             const Body& body) {
  const auto& env = spec.errors.envelope;
  const int s = response.status;
  if (!((s >= 200 && s < 300) || (s >= 400 && s < 600))) return "status " + std::to_string(s);
  const std::string* type_header = response.Header("Content-Type");
  if (!type_header || *type_header != env.content_type) return "Content-Type is not " + env.content_type;
  const std::string* id = response.Header(env.request_id_header);
  if (!id || id->empty()) return "no " + env.request_id_header + " header";
  if (!body.IsObject()) return "the body is not a JSON object";
  if (s < 300) return std::nullopt;
  const std::optional<std::string_view> t = body.String(env.type_field);
  if (!t) return "error without a string " + env.type_field;
  if (t->empty() || awsjson::BareTypeView(*t) != *t || t->find_first_of("#:") != std::string::npos) {
    return env.type_field + " is not a bare type name";
  }
  if (!body.String(env.message_field)) return "error without a string " + env.message_field;
  if (const spec::JsonScan::Member* error = body.top.Find(env.error_field)) {
    if (error->kind != spec::JsonKind::kObject) return env.error_field + " is not an object";
    // Body scanned the object named kErrorObject (and found it an object, as here); a spec that
    // names another member gets its own scan.
    std::optional<spec::JsonScan> other;
    if (env.error_field != kErrorObject) other = spec::ScanJson(error->Raw(response.body));
    const spec::JsonScan& inner = other ? *other : *body.error;
    const spec::JsonScan::Member* code = inner.Find(env.code_field);
    if (code && code->kind != spec::JsonKind::kString) return env.code_field + " is not a string";
  }
  return std::nullopt;
}

}  // namespace

Answer ReadAnswer(const mocks::HttpResponse& response) {
  // A success is not read: only its status counts.
  return AnswerOf(response, response.status == 200 ? Body() : Body(response, kErrorObject));
}

std::optional<std::string> Disagreement(const spec::Verdict& verdict, const Answer& answer) {
  if (verdict.Allows(answer.decision, answer.type, answer.code, answer.status, /*allow_lenient=*/true)) return std::nullopt;
  return "spec: " + verdict.outcome.Summary() + " (" + verdict.outcome.reason + "); mock: " + answer.Summary();
}

std::optional<std::string> EnvelopeProblem(const spec::Spec& spec, const mocks::HttpResponse& response) {
  return EnvelopeProblemOf(spec, response, Body(response, kErrorObject));
}

Reading ReadResponse(const spec::Spec& spec, const mocks::HttpResponse& response) {
  Reading out;
  ReadResponse(spec, response, out);
  return out;
}

void ReadResponse(const spec::Spec& spec, const mocks::HttpResponse& response, Reading& out) {
  const Body body(response, kErrorObject);
  out.envelope_problem = EnvelopeProblemOf(spec, response, body);
  AnswerInto(response, body, out.answer);
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
