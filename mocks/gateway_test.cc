#include "mocks/gateway.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include "mocks/mock_test_support.h"
#include "mocks/raw_http.h"
#include "protocol/awsjson.h"

namespace chapcheck::mocks {
namespace {

using namespace chapcheck::mocks::testing;
using json = nlohmann::json;

class GatewayTest : public ::testing::Test {
 protected:
  GatewayTest() : gw_(DefaultFixture(), Options()) { gw_.SetConnectionCloser(log_.Closer()); }

  Answer Update(const json& body, const std::string& prefix = "StorageGateway_20130630") {
    return Read(gw_.Handle(Signed("UpdateChapCredentials", body, prefix)));
  }
  std::vector<ChapCredential> Creds(const char* arn = kModelArn) { return gw_.state().CredentialsOf(arn); }

  void ExpectRejected(const Answer& a, int status, const std::string& type, const std::string& code = "") {
    EXPECT_EQ(a.status, status) << a.body.dump();
    EXPECT_EQ(a.type, type) << a.body.dump();
    EXPECT_EQ(a.code, code) << a.body.dump();
    EXPECT_TRUE(log_.calls.empty()) << "a rejected request closed connections";
  }

  CloseLog log_;
  Gateway gw_;
};

TEST_F(GatewayTest, TheModelsExampleSucceedsWithEchoStateAndDrop) {
  const auto before = Creds();
  const HttpResponse r = gw_.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, "abcdefghijkl", "mnopqrstuvwx")));
  const Answer a = Read(r);
  ASSERT_EQ(a.status, 200) << r.body;
  EXPECT_EQ(a.body, json({{"TargetARN", kModelArn}, {"InitiatorName", kInitiator}}));
  ASSERT_NE(r.Header("x-amzn-RequestId"), nullptr);
  EXPECT_EQ(r.Header("x-amzn-RequestId")->size(), 52u);
  EXPECT_EQ(*r.Header("Content-Type"), "application/x-amz-json-1.1");
  auto c = gw_.state().Credential(kModelArn, kInitiator);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->secret_to_authenticate_initiator.Reveal(), "abcdefghijkl");
  EXPECT_EQ(c->secret_to_authenticate_target->Reveal(), "mnopqrstuvwx");
  ASSERT_EQ(log_.calls.size(), 1u);
  EXPECT_EQ(log_.calls[0].target_arn, kModelArn);
  EXPECT_FALSE(log_.calls[0].all_targets);
  EXPECT_FALSE(log_.calls[0].initiator.has_value());
  EXPECT_EQ(log_.calls[0].delay.count(), 0);
}

TEST_F(GatewayTest, TheGuidesExampleSucceedsVerbatimWithTheLegacyPrefix) {
  const Answer a = Update(UpdateBody(kGuideArn), "StorageGateway_20120630");
  EXPECT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["TargetARN"], kGuideArn);
}

TEST_F(GatewayTest, WithoutTargetSecretMutualChapIsOff) {
  ASSERT_EQ(Update(UpdateBody(kModelArn, "abcdefghijkl", "")).status, 200);
  EXPECT_FALSE(gw_.state().Credential(kModelArn, kInitiator)->secret_to_authenticate_target.has_value());
}

TEST_F(GatewayTest, SecretLengthsAreUtf8Bytes) {
  const std::string e2 = "\xC3\xA9";
  EXPECT_EQ(Update(UpdateBody(kModelArn, std::string(12, 'a'))).status, 200);
  EXPECT_EQ(Update(UpdateBody(kModelArn, std::string(16, 'a'))).status, 200);
  EXPECT_EQ(Update(UpdateBody(kModelArn, e2 + e2 + e2 + e2 + e2 + e2)).status, 200);  // 12 bytes
  log_.calls.clear();
  for (const std::string& bad : {std::string(11, 'a'), std::string(17, 'a'), std::string(), e2 + e2 + e2 + e2 + e2 + e2 + e2 + e2 + e2}) {
    ExpectRejected(Update(UpdateBody(kModelArn, bad)), 400, "InvalidGatewayRequestException", "InvalidParameters");
    ExpectRejected(Update(UpdateBody(kModelArn, "zzzzzzzzzzzz", bad.empty() ? std::string(11, 'b') : bad)), 400,
                   "InvalidGatewayRequestException", "InvalidParameters");
  }
}

TEST_F(GatewayTest, InitiatorNameCharsetAllowsColonOnly) {
  EXPECT_EQ(Update(UpdateBody(kModelArn, "111111111111", "", "iqn.x:y-z.0")).status, 200);
  log_.calls.clear();
  for (const char* bad : {"iqn.X", "iqn x", "iqn_x", "iqn/x", "", "iqn.\xC3\xA9"}) {
    ExpectRejected(Update(UpdateBody(kModelArn, "111111111111", "", bad)), 400, "InvalidGatewayRequestException",
                   "InvalidParameters");
  }
  ExpectRejected(Update(UpdateBody(kModelArn, "111111111111", "", std::string(256, 'a'))), 400,
                 "InvalidGatewayRequestException", "InvalidParameters");
}

TEST_F(GatewayTest, EqualSecretsAreRefused) {
  ExpectRejected(Update(UpdateBody(kModelArn, "111111111111", "111111111111")), 400, "InvalidGatewayRequestException",
                 "InvalidParameters");
}

TEST_F(GatewayTest, MissingNullAndMistypedMembers) {
  for (const char* m : {"TargetARN", "SecretToAuthenticateInitiator", "InitiatorName"}) {
    json b = UpdateBody();
    b.erase(m);
    ExpectRejected(Update(b), 400, "InvalidGatewayRequestException", "InvalidParameters");
    b[m] = nullptr;
    ExpectRejected(Update(b), 400, "InvalidGatewayRequestException", "InvalidParameters");
    b[m] = 5;
    ExpectRejected(Update(b), 400, "SerializationException");
  }
}

TEST_F(GatewayTest, TheArnFormIsTargetInvalidAndLookupsFollow) {
  ExpectRejected(Update(UpdateBody(std::string(60, 'x'))), 400, "InvalidGatewayRequestException", "TargetInvalid");
  ExpectRejected(Update(UpdateBody(std::string(49, 'x'))), 400, "InvalidGatewayRequestException", "InvalidParameters");
  ExpectRejected(Update(UpdateBody("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-00000000/target/iqn.x")),
                 400, "InvalidGatewayRequestException", "GatewayNotFound");
  ExpectRejected(Update(UpdateBody(kOfflineArn)), 400, "InvalidGatewayRequestException", "GatewayNotConnected");
  ExpectRejected(Update(UpdateBody("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-F11E5A00/target/iqn.x")),
                 400, "InvalidGatewayRequestException", "NotSupported");
  ExpectRejected(Update(UpdateBody("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.nope")),
                 400, "InvalidGatewayRequestException", "TargetNotFound");
}

TEST_F(GatewayTest, ARejectedRequestChangesNothing) {
  const auto before = Creds();
  Update(UpdateBody(kModelArn, "abcdefghijkl", std::string(17, 'x')));
  Update(UpdateBody(kModelArn, std::string(17, 'x')));
  const auto after = Creds();
  ASSERT_EQ(before.size(), after.size());
  EXPECT_EQ(before[0].secret_to_authenticate_initiator, after[0].secret_to_authenticate_initiator);
  EXPECT_TRUE(log_.calls.empty());
  EXPECT_EQ(gw_.state().changes(), 0u);  // fuzz_mock_http keeps a gateway while this stays
}

TEST_F(GatewayTest, EachAuthenticationFailureHasItsOwnError) {
  HttpRequest unsigned_req = Unsigned("UpdateChapCredentials", UpdateBody().dump());
  ExpectRejected(Read(gw_.Handle(unsigned_req)), 403, "MissingAuthenticationTokenException");

  HttpRequest malformed = unsigned_req;
  malformed.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 garbage");
  malformed.headers.emplace_back("X-Amz-Date", sigv4::AmzDate(Now()));
  ExpectRejected(Read(gw_.Handle(malformed)), 400, "IncompleteSignatureException");

  const sigv4::Credentials stranger{"AKIAUNKNOWNKEY000000", Secret("x"), ""};
  ExpectRejected(Read(gw_.Handle(Sign(unsigned_req, Now(), stranger))), 400, "UnrecognizedClientException");

  const sigv4::Credentials wrong{"AKIDEXAMPLE", Secret("not-the-secret"), ""};
  ExpectRejected(Read(gw_.Handle(Sign(unsigned_req, Now(), wrong))), 400, "InvalidSignatureException");

  HttpRequest tampered = Sign(unsigned_req);
  tampered.body = UpdateBody(kModelArn, "999999999999").dump();
  ExpectRejected(Read(gw_.Handle(tampered)), 400, "InvalidSignatureException");

  const Answer late = Read(gw_.Handle(Sign(unsigned_req, Now() - std::chrono::minutes(16))));
  ExpectRejected(late, 400, "InvalidSignatureException");
  EXPECT_NE(late.message.find("expired"), std::string::npos) << late.message;
  EXPECT_EQ(Read(gw_.Handle(Sign(unsigned_req, Now() - std::chrono::minutes(14)))).status, 200);

  // Both documented example keys work.
  const sigv4::Credentials docs{"AKIAIOSFODNN7EXAMPLE", Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ""};
  EXPECT_EQ(Read(gw_.Handle(Sign(unsigned_req, Now(), docs))).status, 200);
}

TEST_F(GatewayTest, OperationAndSerializationErrors) {
  ExpectRejected(Read(gw_.Handle(Signed("Frobnicate", json::object()))), 400, "UnknownOperationException");
  ExpectRejected(Read(gw_.Handle(Signed("UpdateChapCredentials", UpdateBody(), "StorageGateway_20990101"))), 400,
                 "UnknownOperationException");
  HttpRequest get = Unsigned("UpdateChapCredentials", "");
  get.method = "GET";
  ExpectRejected(Read(gw_.Handle(Sign(get))), 400, "UnknownOperationException");
  HttpRequest text = Unsigned("UpdateChapCredentials", UpdateBody().dump());
  text.headers[1].second = "text/plain";
  ExpectRejected(Read(gw_.Handle(Sign(text))), 400, "SerializationException");
  for (const char* body : {"{", "[]", "\"x\"", "{\"a\":1,\"a\":2}", "{\"TargetARN\": \"\xff\"}"}) {
    ExpectRejected(Read(gw_.Handle(Sign(Unsigned("UpdateChapCredentials", body)))), 400, "SerializationException");
  }
  // An empty body is {}: missing members.
  ExpectRejected(Read(gw_.Handle(Sign(Unsigned("UpdateChapCredentials", "")))), 400, "InvalidGatewayRequestException",
                 "InvalidParameters");
}

// Plain flat bodies are read in place, anything else by the SAX reader: both must mean the same.
TEST_F(GatewayTest, ABodyMeansTheSameWithSpacesEscapesAndNulls) {
  const std::string arn = kModelArn;
  const std::string escaped_arn = std::string(arn).replace(arn.find("/sgw"), 1, "\\/");
  const std::string expected = json({{"TargetARN", arn}, {"InitiatorName", kInitiator}}).dump();
  for (const std::string& body : {
           UpdateBody().dump(),
           " {\n\t\"TargetARN\" : \"" + arn + "\" ,\r\n \"SecretToAuthenticateInitiator\":\"111111111111\", " +
               "\"InitiatorName\":\"" + kInitiator + "\" } \n",
           "{\"TargetARN\":\"" + escaped_arn + "\",\"SecretToAuthenticateInitiator\":\"11111111111\\u0031\"," +
               "\"InitiatorName\":\"" + kInitiator + "\"}",
           "{\"TargetARN\":\"" + arn + "\",\"SecretToAuthenticateInitiator\":\"111111111111\",\"InitiatorName\":\"" +
               kInitiator + "\",\"SecretToAuthenticateTarget\":null}",
       }) {
    const HttpResponse r = gw_.Handle(Sign(Unsigned("UpdateChapCredentials", body)));
    EXPECT_EQ(r.status, 200) << body << " -> " << r.body;
    EXPECT_EQ(r.body, expected) << body;
    EXPECT_EQ(gw_.state().Credential(kModelArn, kInitiator)->secret_to_authenticate_initiator.Reveal(), "111111111111");
  }
  log_.calls.clear();
  // A key repeated in a flat body of strings, a string member given a number, an unquoted key,
  // something after the object, a valid body with a NUL byte and more after it (nlohmann stops
  // reading at the NUL).
  for (const std::string& body :
       {"{\"TargetARN\":\"" + arn + "\",\"TargetARN\":\"" + arn + "\"}", std::string("{\"TargetARN\":1}"),
        "{TargetARN:\"" + arn + "\"}", std::string("{\"TargetARN\":\"a\"} x"),
        UpdateBody().dump() + std::string(1, '\0') + "garbage", UpdateBody().dump() + std::string(1, '\0')}) {
    ExpectRejected(Read(gw_.Handle(Sign(Unsigned("UpdateChapCredentials", body)))), 400, "SerializationException");
  }
}

// Bodies that are not flat strings are read by nlohmann's SAX parser, not a DOM. The reference
// here is what the DOM said: parse error first, then a repeated key in any object, then a root
// that is not an object; and a member's type as the DOM holds it.
std::string DomReference(const std::string& body) {
  if (body.find('\0') != std::string::npos) return "The request body is not valid JSON";
  std::vector<std::set<std::string>> keys;
  bool duplicate = false;
  json dom;
  try {
    dom = json::parse(body, [&](int, json::parse_event_t e, json& parsed) {
      if (e == json::parse_event_t::object_start) keys.emplace_back();
      if (e == json::parse_event_t::object_end) keys.pop_back();
      if (e == json::parse_event_t::key && !keys.back().insert(parsed.get<std::string>()).second) duplicate = true;
      return true;
    });
  } catch (const json::exception&) {
    return "The request body is not valid JSON";
  }
  if (duplicate) return "Duplicate field in the request body";
  if (!dom.is_object()) return "Start of structure or map expected";
  for (const char* name : {"TargetARN", "SecretToAuthenticateInitiator", "InitiatorName", "SecretToAuthenticateTarget"}) {
    if (dom.contains(name) && !dom[name].is_null() && !dom[name].is_string()) {
      return "A member of the request has the wrong JSON type";
    }
  }
  return "";
}

TEST_F(GatewayTest, TheSaxReaderMeansWhatTheDomMeant) {
  const std::string arn = kModelArn;
  const std::string good = "\"TargetARN\":\"" + arn + "\",\"SecretToAuthenticateInitiator\":\"111111111111\"," +
                           "\"InitiatorName\":\"" + kInitiator + "\"";
  std::string many;  // 20 more keys
  for (int i = 0; i < 20; ++i) many += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  const std::vector<std::string> bodies = {
      "{" + good + ",\"x\":{\"a\":1,\"b\":{\"a\":2}}}",           // same key at two depths: fine
      "{" + good + ",\"x\":{\"a\":1,\"a\":2}}",                      // repeated in a nested object
      "{" + good + ",\"x\":[{\"a\":1},{\"a\":2}]}",                  // one key in two objects: fine
      std::string("[{\"a\":1,\"a\":2}]"),                            // repeated, and not an object
      std::string("[{\"a\":1}]"), std::string("1"), std::string("null"), std::string("\"s\""),                            // not an object
      "{" + good + many + "}",                                         // many keys
      "{" + good + many + ",\"k19\":0}",                               // the 21st repeats the 20th
      "{" + good + many + ",\"TargetARN\":\"x\"}",                     // the last repeats the first
      "{" + good + ",\"x\":[{" + many.substr(1) + "},{\"k1\":1}]}",          // a big object, then a small one
      "{" + good + ",\"x\":[{" + many.substr(1) + "},{\"k1\":1,\"k1\":2}]}",  // ... which still finds a repeat
      "{" + good + ",\"x\":[{\"a\":1}],\"x\":2}",                        // a repeat after an array of objects
      std::string("{\"x\":{\"a\":1,\"a\":2},}"),                      // a repeat, then a parse error
      "{" + good + ",\"n\":1e400}",                                     // a number nlohmann refuses
      "{" + good + ",\"SecretToAuthenticateTarget\":{\"a\":\"b\"}}",     // a member of the wrong type
      "{" + good + ",\"SecretToAuthenticateTarget\":[\"b\"]}",
      "{" + good + ",\"SecretToAuthenticateTarget\":true}",
      "{\"TargetARN\":\"" + arn + "\",\"SecretToAuthenticateInitiator\":\"11111111111\\u0031\",\"InitiatorName\":{}}",
      "{" + good + ",\"SecretToAuthenticateTarget\":\"222222222222\"}",  // valid, with an escape below
      "{\"TargetARN\":\"" + arn + "\",\"SecretToAuthenticateInitiator\":\"1111111111\\\"1\",\"InitiatorName\":\"" +
          kInitiator + "\"}",
      "{" + good + "} {}",                                               // after the object
  };
  for (const std::string& body : bodies) {
    const std::string expected = DomReference(body);
    log_.calls.clear();
    const Answer a = Read(gw_.Handle(Sign(Unsigned("UpdateChapCredentials", body))));
    if (!expected.empty()) {
      ExpectRejected(a, 400, "SerializationException");
      EXPECT_EQ(a.message, expected) << body;
    } else {
      EXPECT_EQ(a.status, 200) << body << " -> " << a.body.dump();
    }
  }
}

TEST(GatewayEcho, AnEchoNeedingEscapesIsStillJson) {
  DefectSet defects;
  defects.Enable(Defect::kEchoSecret);
  Gateway gw(DefaultFixture(), Options(defects));
  const std::string secret = "\"\\q\xc3\xa9\x01z12345";  // quote, backslash, e-acute, a control byte
  const HttpResponse r = gw.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, secret)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, json({{"TargetARN", kModelArn}, {"InitiatorName", kInitiator}, {"SecretToAuthenticateInitiator", secret}})
                        .dump());
}

TEST_F(GatewayTest, EveryResponseHasARequestIdAndTheContentType) {
  for (const HttpRequest& r : {Signed("UpdateChapCredentials", UpdateBody()), Unsigned("X", "{"),
                               Signed("Frobnicate", json::object()), Signed("UpdateChapCredentials", json::object())}) {
    const HttpResponse resp = gw_.Handle(r);
    EXPECT_NE(resp.Header("x-amzn-RequestId"), nullptr) << resp.status;
    ASSERT_NE(resp.Header("content-type"), nullptr);
    EXPECT_EQ(*resp.Header("content-type"), "application/x-amz-json-1.1");
  }
}

// Error bodies written directly (no escapes needed) are canonical JSON and byte for byte what the
// shared writer (awsjson::ErrorBody) gives for the same fields; with and without the envelope
// defects that change them; and the code is there where it belongs.
TEST(GatewayErrors, ErrorBodiesAreWhatTheJsonWriterWrites) {
  const std::vector<HttpRequest> requests = {
      Unsigned("X", "{"), Signed("Frobnicate", json::object()), Signed("UpdateChapCredentials", json::object()),
      Signed("UpdateChapCredentials", UpdateBody(kModelArn, std::string(17, 'x'))),
      Signed("UpdateChapCredentials", UpdateBody("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-00000000/target/iqn.x:y")),
      Signed("DescribeChapCredentials", json{{"TargetARN", kOfflineArn}})};
  for (const Defect d : {Defect::kCount, Defect::kNoMessage, Defect::kNamespacedErrorType, Defect::kNoErrorCode}) {
    GatewayOptions options = Options();
    if (d != Defect::kCount) options.defects.Enable(d);
    Gateway gw(DefaultFixture(), options);
    for (const HttpRequest& r : requests) {
      const HttpResponse resp = gw.Handle(r);
      ASSERT_GE(resp.status, 400) << resp.body;
      const json parsed = json::parse(resp.body);
      EXPECT_EQ(resp.body, parsed.dump()) << resp.body;
      ASSERT_TRUE(parsed.contains("__type")) << resp.body;
      EXPECT_EQ(parsed.contains("message"), d != Defect::kNoMessage) << resp.body;
      if (d == Defect::kNoMessage) continue;
      // The same fields written by the shared writer: the same bytes.
      const std::string code = parsed.contains("error") ? parsed["error"]["errorCode"].get<std::string>() : "";
      EXPECT_EQ(resp.body, awsjson::ErrorBody(parsed["__type"].get<std::string>(), parsed["message"].get<std::string>(), code))
          << resp.body;
    }
    // The offline gateway's error carries its code, but where a defect removes it.
    const json offline = json::parse(gw.Handle(requests.back()).body);
    if (d == Defect::kNoErrorCode) {
      EXPECT_FALSE(offline.contains("error")) << offline.dump();
    } else {
      EXPECT_EQ(offline["error"]["errorCode"], "GatewayNotConnected") << offline.dump();
    }
  }
}

TEST_F(GatewayTest, ErrorsNeverCarryTheSecret) {
  const std::string secret = "Zq7-too-long-secret-value";
  const HttpResponse r = gw_.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, secret)));
  EXPECT_EQ(r.body.find("Zq7"), std::string::npos) << r.body;
  for (const auto& [k, v] : r.headers) EXPECT_EQ(v.find("Zq7"), std::string::npos);
}

TEST_F(GatewayTest, DescribeAndDeleteChapCredentials) {
  ASSERT_EQ(Update(UpdateBody(kModelArn, "abcdefghijkl", "", "iqn.second:host")).status, 200);
  EXPECT_EQ(gw_.state().changes(), 1u);
  const Answer d = Read(gw_.Handle(Signed("DescribeChapCredentials", json{{"TargetARN", kModelArn}})));
  ASSERT_EQ(d.status, 200) << d.body.dump();
  ASSERT_EQ(d.body["ChapCredentials"].size(), 2u);
  bool found = false;
  for (const auto& c : d.body["ChapCredentials"]) {
    if (c["InitiatorName"] == "iqn.second:host") {
      found = true;
      EXPECT_EQ(c["SecretToAuthenticateInitiator"], "abcdefghijkl");
      EXPECT_FALSE(c.contains("SecretToAuthenticateTarget"));
    }
  }
  EXPECT_TRUE(found);
  const Answer del = Read(gw_.Handle(Signed("DeleteChapCredentials", json{{"TargetARN", kModelArn}, {"InitiatorName", "iqn.second:host"}})));
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(del.body["InitiatorName"], "iqn.second:host");
  EXPECT_EQ(Creds().size(), 1u);
  const Answer again = Read(gw_.Handle(Signed("DeleteChapCredentials", json{{"TargetARN", kModelArn}, {"InitiatorName", "iqn.second:host"}})));
  EXPECT_EQ(again.code, "ChapCredentialNotFound");
  EXPECT_EQ(gw_.state().changes(), 2u);  // the update and the one delete that found something
  EXPECT_EQ(Read(gw_.Handle(Signed("DescribeChapCredentials", json{{"TargetARN", kOfflineArn}}))).code, "GatewayNotConnected");
  EXPECT_EQ(Read(gw_.Handle(Signed("DescribeChapCredentials", json::object()))).code, "InvalidParameters");
}

TEST_F(GatewayTest, AClientFindsTheTargetArnFromAVolume) {
  const std::string gateway = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B";
  const Answer list = Read(gw_.Handle(Signed("ListVolumes", json{{"GatewayARN", gateway}})));
  ASSERT_EQ(list.status, 200) << list.body.dump();
  ASSERT_EQ(list.body["VolumeInfos"].size(), 2u);
  const Answer page = Read(gw_.Handle(Signed("ListVolumes", json{{"GatewayARN", gateway}, {"Limit", 1}})));
  ASSERT_EQ(page.body["VolumeInfos"].size(), 1u);
  ASSERT_EQ(page.body["Marker"], "1");
  const Answer next = Read(gw_.Handle(Signed("ListVolumes", json{{"GatewayARN", gateway}, {"Limit", 1}, {"Marker", "1"}})));
  EXPECT_EQ(next.body["VolumeInfos"][0]["VolumeARN"], list.body["VolumeInfos"][1]["VolumeARN"]);
  EXPECT_FALSE(next.body.contains("Marker"));
  EXPECT_EQ(Read(gw_.Handle(Signed("ListVolumes", json{{"Limit", 0}}))).code, "InvalidParameters");

  const json volume = list.body["VolumeInfos"][0]["VolumeARN"];
  const Answer desc = Read(gw_.Handle(Signed("DescribeStorediSCSIVolumes", json{{"VolumeARNs", json::array({volume})}})));
  ASSERT_EQ(desc.status, 200) << desc.body.dump();
  EXPECT_EQ(desc.body["StorediSCSIVolumes"][0]["VolumeiSCSIAttributes"]["TargetARN"], kModelArn);
  EXPECT_EQ(desc.body["StorediSCSIVolumes"][0]["VolumeiSCSIAttributes"]["ChapEnabled"], true);
  EXPECT_EQ(Read(gw_.Handle(Signed("DescribeStorediSCSIVolumes", json{{"VolumeARNs", json::array({"arn:nope"})}}))).code,
            "VolumeNotFound");
}

TEST(GatewayConcurrency, UpdatesOfOneCredentialAreSerialisedAndReadersSeeWholeUpdates) {
  Gateway gw(DefaultFixture(), Options());
  std::atomic<bool> done{false}, reading{false};
  std::atomic<int> torn{0}, reads{0}, writer_pairs{0};
  // Writers store matching pairs: initiator "aaaaaaaaaaaN", target "bbbbbbbbbbbN". They start
  // once the reader reads (800 updates can be over before a thread is scheduled).
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&gw, &reading, w] {
      while (!reading) std::this_thread::yield();
      for (int i = 0; i < 200; ++i) {
        const std::string n = std::to_string((w * 200 + i) % 10);
        const auto r = gw.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, std::string(11, 'a') + n, std::string(11, 'b') + n)));
        ASSERT_EQ(r.status, 200) << r.body;
      }
    });
  }
  std::thread reader([&] {
    // Reads while the writers write (most reads fall among their updates, though the test cannot
    // force that) and once more after: that last read must see a writer's pair.
    for (bool last = false; !last;) {
      last = done;
      auto c = gw.state().Credential(kModelArn, kInitiator);
      ++reads;
      reading = true;
      // The fixture's own credential (111.../222...) is not one of the writers' pairs.
      if (!c || !c->secret_to_authenticate_target || c->secret_to_authenticate_initiator.Reveal()[0] != 'a') continue;
      ++writer_pairs;
      if (c->secret_to_authenticate_initiator.Reveal().back() != c->secret_to_authenticate_target->Reveal().back()) ++torn;
    }
  });
  for (auto& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 1);
  EXPECT_GT(writer_pairs.load(), 0);
}

TEST(Fixture, ParsesTheDefaultAndRejectsBrokenOnesWithAPath) {
  auto f = ParseFixture(DefaultFixtureText());
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->gateways.size(), 4u);
  EXPECT_EQ(f->volumes[1].target_arn, kModelArn);
  const std::string described = DescribeFixture(*f);
  EXPECT_EQ(described.find("wJalrXUtnFEMI"), std::string::npos) << "--print-fixture must not print secrets";
  EXPECT_EQ(described.find("111111111111"), std::string::npos);
  EXPECT_NE(described.find("AKIDEXAMPLE"), std::string::npos);
  for (const auto& [text, where] : std::vector<std::pair<std::string, std::string>>{
           {"[]", "$"},
           {"{}", "$"},
           {R"({"region":"r","gateways":[{"arn":"nope"}]})", "$.gateways[0].arn"},
           {R"({"region":"r","volumes":[{"arn":"arn:x:gateway/g/volume/v","targetIqn":"i"}]})", "$.volumes[0].arn"},
           {R"({"region":"r","accessKeys":[{"accessKeyId":"A"}]})", "$.accessKeys[0]"}}) {
    auto bad = ParseFixture(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().where, where) << text << ": " << bad.error().ToString();
  }
  EXPECT_FALSE(ParseFixture("{").ok());
}

// HandleRawHttp (mocks/raw_http.h), the fuzz target's way in: found by fuzz_mock_http's smoke,
// an empty input reached Beast's put_eof, whose precondition (some bytes seen) aborts in builds
// with assertions.
TEST_F(GatewayTest, RawHttpWithoutBytesOrWithPartOfARequestIsIncomplete) {
  for (std::string_view bytes : {std::string_view(), std::string_view("POS"), std::string_view("POST / HTTP/1.1\r\n")}) {
    const RawHttpResult r = HandleRawHttp(gw_, bytes);
    EXPECT_TRUE(r.incomplete) << bytes;
    EXPECT_FALSE(r.answered) << bytes;
    EXPECT_TRUE(r.response.body.empty()) << bytes;
  }
  const RawHttpResult bad = HandleRawHttp(gw_, "\x01\x02 nonsense\r\n\r\n");
  EXPECT_FALSE(bad.incomplete);
  EXPECT_FALSE(bad.answered);
  EXPECT_EQ(bad.response.status, 400);
  EXPECT_TRUE(log_.calls.empty());
}

// Handle into a used response writes the whole answer: the header list shrinks and grows with
// the defects that shape it, and nothing of the last answer stays.
TEST_F(GatewayTest, AnAnswerIntoAUsedResponseIsAFreshAnswer) {
  DefectSet no_id, json_type;
  no_id.Enable(Defect::kNoRequestId);
  json_type.Enable(Defect::kWrongContentType);
  Gateway without_id(DefaultFixture(), Options(no_id)), wrong_type(DefaultFixture(), Options(json_type));
  const HttpRequest ok = Signed("UpdateChapCredentials", UpdateBody(kModelArn, "abcdefghijkl", "mnopqrstuvwx"));
  const HttpRequest bad = Signed("UpdateChapCredentials", UpdateBody(kModelArn, "short", "mnopqrstuvwx"));
  HttpResponse used;
  used.status = 599;
  used.headers = {{"X-Left", "over"}, {"A", std::string(40, 'a')}, {"B", "b"}};
  used.body = std::string(300, 'z');
  int round = 0;
  for (Gateway* g : {&gw_, &without_id, &wrong_type, &gw_, &wrong_type, &without_id}) {
    for (const HttpRequest* r : {&ok, &bad}) {
      g->Handle(*r, used);
      const HttpResponse fresh = g->Handle(*r);
      EXPECT_EQ(used.status, fresh.status) << round;
      EXPECT_EQ(used.body, fresh.body) << round;
      ASSERT_EQ(used.headers.size(), fresh.headers.size()) << round;
      for (std::size_t i = 0; i < fresh.headers.size(); ++i) {
        EXPECT_EQ(used.headers[i].first, fresh.headers[i].first) << round;
        if (fresh.headers[i].first == "x-amzn-RequestId") {
          EXPECT_EQ(used.headers[i].second.size(), 52u) << round;
        } else {
          EXPECT_EQ(used.headers[i].second, fresh.headers[i].second) << round;
        }
      }
      ++round;
    }
  }
  EXPECT_EQ(without_id.Handle(ok).headers.size(), 1u);
  EXPECT_EQ(*wrong_type.Handle(ok).Header("Content-Type"), "application/json");
}

std::string OnTheWire(const HttpRequest& r, bool chunked = false) {
  std::string out = r.method + " " + r.target + " HTTP/1.1\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  if (chunked) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx", r.body.size());
    return out + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n" + r.body + "\r\n0\r\n\r\n";
  }
  return out + "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
}

// The reusing form answers each request as a fresh call does, whatever the one before it left
// in the result: more or fewer headers, a body or none, a refusal, too few bytes.
TEST_F(GatewayTest, RawHttpIntoAReusedResultAnswersAsAFreshCall) {
  HttpRequest many = Signed("DescribeChapCredentials", json{{"TargetARN", kModelArn}});
  many.headers.emplace_back("X-Extra-One", std::string(40, 'x'));
  many.headers.emplace_back("X-Extra-Two", "y");
  HttpRequest bodiless = Sign(Unsigned("UpdateChapCredentials", ""));
  const std::vector<std::string> inputs = {
      OnTheWire(many),
      OnTheWire(Signed("UpdateChapCredentials", UpdateBody(kModelArn, "abcdefghijkl", "mnopqrstuvwx"))),
      OnTheWire(bodiless),
      "\x01\x02 nonsense\r\n\r\n",
      OnTheWire(many, /*chunked=*/true),
      "POST / HTTP/1.1\r\n",
      OnTheWire(Signed("UpdateChapCredentials", UpdateBody(kModelArn, "short", "mnopqrstuvwx"))),
      "",
      OnTheWire(bodiless),
  };
  RawHttpResult reused;
  for (int round = 0; round < 2; ++round) {
    for (const auto& bytes : inputs) {
      HandleRawHttp(gw_, bytes, reused);
      const RawHttpResult fresh = HandleRawHttp(gw_, bytes);
      EXPECT_EQ(reused.incomplete, fresh.incomplete) << bytes;
      EXPECT_EQ(reused.answered, fresh.answered) << bytes;
      EXPECT_EQ(reused.response.status, fresh.response.status) << bytes;
      EXPECT_EQ(reused.response.body, fresh.response.body) << bytes;
      ASSERT_EQ(reused.response.headers.size(), fresh.response.headers.size()) << bytes;
      for (std::size_t i = 0; i < fresh.response.headers.size(); ++i) {
        EXPECT_EQ(reused.response.headers[i].first, fresh.response.headers[i].first) << bytes;
      }
      if (!fresh.answered) continue;
      EXPECT_EQ(reused.request.method, fresh.request.method) << bytes;
      EXPECT_EQ(reused.request.target, fresh.request.target) << bytes;
      EXPECT_EQ(reused.request.headers, fresh.request.headers) << bytes;
      EXPECT_EQ(reused.request.body, fresh.request.body) << bytes;
    }
  }
  // The request as the gateway saw it: the last input's headers only, and no body.
  bodiless.headers.emplace_back("Content-Length", "0");
  EXPECT_EQ(reused.request.headers, bodiless.headers);
  EXPECT_TRUE(reused.request.body.empty());
}

}  // namespace
}  // namespace chapcheck::mocks
