// The oracle can fail: a malformed envelope is named, and a mock answer the verdict does not allow
// is a disagreement.
#include "fuzz/mock_oracle.h"

#include <gtest/gtest.h>

#include "mocks/mock_test_support.h"
#include "protocol/awsjson.h"
#include "spec/loader.h"

namespace chapcheck::fuzz {
namespace {

mocks::HttpResponse Error(std::string type, std::string code) {
  mocks::HttpResponse r;
  r.status = 400;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "r1"}};
  r.body = awsjson::ErrorBody(type, "why", code);
  return r;
}

TEST(MockOracle, AWellFormedErrorPasses) {
  EXPECT_EQ(EnvelopeProblem(spec::EmbeddedSpec(), Error("SerializationException", "")), std::nullopt);
}

TEST(MockOracle, EnvelopeProblemsAreNamed) {
  auto r = Error("SerializationException", "");
  r.headers[0].second = "application/json";
  EXPECT_NE(EnvelopeProblem(spec::EmbeddedSpec(), r), std::nullopt);
  r = Error("SerializationException", "");
  r.headers.pop_back();
  EXPECT_NE(EnvelopeProblem(spec::EmbeddedSpec(), r), std::nullopt);
  EXPECT_NE(EnvelopeProblem(spec::EmbeddedSpec(), Error("com.amazon#SerializationException", "")), std::nullopt);
  r = Error("SerializationException", "");
  r.body = "{\"__type\":\"SerializationException\"}";
  EXPECT_NE(EnvelopeProblem(spec::EmbeddedSpec(), r), std::nullopt);
  r.body = "not json";
  EXPECT_NE(EnvelopeProblem(spec::EmbeddedSpec(), r), std::nullopt);
}

TEST(MockOracle, DisagreementWhenTheCodeDiffers) {
  spec::Request req;
  req.headers = {{"Content-Type", spec::EmbeddedSpec().protocol.content_type},
                 {spec::EmbeddedSpec().protocol.target_header, spec::EmbeddedSpec().protocol.CurrentTarget()->prefix + ".UpdateChapCredentials"}};
  req.body = "{}";
  const spec::World world = WorldOf(mocks::testing::DefaultFixture());
  const spec::Verdict v = spec::Decide(spec::EmbeddedSpec(), req, spec::AuthStatus::kValid, &world);
  ASSERT_EQ(v.outcome.decision, spec::Decision::kReject);
  EXPECT_EQ(Disagreement(v, ReadAnswer(Error(v.outcome.error_type, v.outcome.error_code))), std::nullopt);
  EXPECT_NE(Disagreement(v, ReadAnswer(Error(v.outcome.error_type, "SomethingElse"))), std::nullopt);
  mocks::HttpResponse ok;
  ok.body = "{}";
  EXPECT_NE(Disagreement(v, ReadAnswer(ok)), std::nullopt);
  // The right error with the wrong status (the wrong-status defect's 500).
  mocks::HttpResponse wrong_status = Error(v.outcome.error_type, v.outcome.error_code);
  wrong_status.status = 500;
  EXPECT_NE(Disagreement(v, ReadAnswer(wrong_status)), std::nullopt);
}

// A status the outcome's error type also allows is no disagreement; another one is.
TEST(MockOracle, AnAlsoAllowedStatusAgrees) {
  spec::Verdict v;
  v.outcome.decision = spec::Decision::kReject;
  v.outcome.error_type = "InternalServerError";
  v.outcome.status = 500;
  v.outcome.also_allowed_status = {400};
  mocks::HttpResponse r = Error("InternalServerError", "");
  for (int status : {500, 400}) {
    r.status = status;
    EXPECT_EQ(Disagreement(v, ReadAnswer(r)), std::nullopt) << status;
  }
  r.status = 403;
  EXPECT_NE(Disagreement(v, ReadAnswer(r)), std::nullopt);
}

// The envelope check names each problem of an error body (read by the scanner, no DOM).
TEST(MockOracle, EnvelopeProblemsOfTheErrorObjectAreNamed) {
  const auto problem = [](const std::string& body) {
    auto r = Error("X", "");
    r.body = body;
    return EnvelopeProblem(spec::EmbeddedSpec(), r).value_or("(none)");
  };
  EXPECT_EQ(problem(R"({"__type":"A","message":"m","error":[]})"), "error is not an object");
  EXPECT_EQ(problem(R"({"__type":"A","message":"m","error":{"errorCode":7}})"), "errorCode is not a string");
  EXPECT_EQ(problem(R"({"__type":"A","message":"m","error":{"errorCode":"C","x":[1]}})"), "(none)");
  EXPECT_EQ(problem(R"({"__type":"A","message":"m","error":{"errorCode":1},"error":{}})"), "(none)");  // the last wins
  EXPECT_EQ(problem(R"({"__type":"A","message":5})"), "error without a string message");
  EXPECT_EQ(problem(R"({"__type":"a#A","message":"m"})"), "__type is not a bare type name");
  EXPECT_EQ(problem(R"({"message":"m"})"), "error without a string __type");
  EXPECT_EQ(problem(R"([{"__type":"A"}])"), "the body is not a JSON object");
  using namespace std::string_literals;
  EXPECT_EQ(problem("{\"__type\":\"A\",\"message\":\"m\"}\0x"s), "the body is not a JSON object");
}

// ReadResponse (one scan) says what EnvelopeProblem and ReadAnswer say, and reads an error as
// awsjson::ParseError (a DOM) does, on good and broken responses alike.
TEST(MockOracle, ReadResponseAgreesWithItsTwoParts) {
  std::vector<mocks::HttpResponse> responses = {Error("SerializationException", ""), Error("A", "C"),
                                                Error("com.amazon#SerializationException", "")};
  auto r = Error("X", "Y");
  r.body = "not json";
  responses.push_back(r);
  r.body = "{\"code\":\"FromCode\",\"Message\":\"m\",\"error\":{\"errorCode\":7}}";
  responses.push_back(r);
  r.body = "{\"__type\":7,\"code\":\"C2\",\"error\":[],\"__type\":\"ns#Last\"}";
  responses.push_back(r);
  r.body = "{\"message\":\"m\"}";
  r.headers.emplace_back("X-Amzn-Errortype", "ns#FromHeader:uri");
  responses.push_back(r);
  r.status = 200;
  r.body = "{}";
  responses.push_back(r);
  r.status = 302;
  responses.push_back(r);
  Reading used;  // read into again and again: each reading as a fresh one
  used.envelope_problem = "left over";
  used.answer = Answer{599, spec::Decision::kReject, "LeftOverType", "LeftOverCode"};
  for (const auto& response : responses) {
    const Reading reading = ReadResponse(spec::EmbeddedSpec(), response);
    ReadResponse(spec::EmbeddedSpec(), response, used);
    EXPECT_EQ(used.envelope_problem, reading.envelope_problem) << response.body;
    EXPECT_EQ(used.answer.status, reading.answer.status) << response.body;
    EXPECT_EQ(used.answer.decision, reading.answer.decision) << response.body;
    EXPECT_EQ(used.answer.type, reading.answer.type) << response.body;
    EXPECT_EQ(used.answer.code, reading.answer.code) << response.body;
    EXPECT_EQ(reading.envelope_problem, EnvelopeProblem(spec::EmbeddedSpec(), response)) << response.body;
    const Answer a = ReadAnswer(response);
    EXPECT_EQ(reading.answer.Summary(), a.Summary()) << response.body;
    EXPECT_EQ(reading.answer.decision, a.decision) << response.body;
    if (response.status == 200) continue;
    const std::string* header = response.Header("X-Amzn-Errortype");
    const auto dom = awsjson::ParseError(response.body, header ? *header : "");
    EXPECT_EQ(reading.answer.type, dom.ok() ? dom->type : "") << response.body;
    EXPECT_EQ(reading.answer.code, dom.ok() ? dom->error_code : "") << response.body;
  }
  EXPECT_EQ(ReadResponse(spec::EmbeddedSpec(), responses[1]).answer.Summary(), "400 A/C");
  EXPECT_EQ(ReadResponse(spec::EmbeddedSpec(), responses[4]).answer.Summary(), "400 FromCode");
  EXPECT_EQ(ReadResponse(spec::EmbeddedSpec(), responses[5]).answer.Summary(), "400 Last");
  EXPECT_EQ(ReadResponse(spec::EmbeddedSpec(), responses[6]).answer.Summary(), "400 FromHeader");
}

}  // namespace
}  // namespace chapcheck::fuzz
