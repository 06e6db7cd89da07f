#include "spec/verdict.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "spec/loader.h"

namespace chapcheck::spec {
namespace {

using json = nlohmann::json;

const char* kArn =
    "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume";
const char* kGateway = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B";

json ValidBody() {
  return json{{"TargetARN", kArn},
              {"SecretToAuthenticateInitiator", "111111111111"},
              {"InitiatorName", "iqn.1991-05.com.microsoft:computername.domain.example.com"},
              {"SecretToAuthenticateTarget", "222222222222"}};
}

Request Req(const std::string& body) {
  Request r;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "StorageGateway_20130630.UpdateChapCredentials"},
               {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/storagegateway/aws4_request"}};
  r.body = body;
  return r;
}

Verdict Judge(const json& body, AuthStatus auth = AuthStatus::kUnchecked, const World* world = nullptr) {
  return Decide(EmbeddedSpec(), Req(body.dump()), auth, world);
}

Verdict JudgeRaw(const std::string& body) { return Decide(EmbeddedSpec(), Req(body), AuthStatus::kUnchecked, nullptr); }

json With(const char* member, json value) {
  json b = ValidBody();
  b[member] = std::move(value);
  return b;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

void ExpectAccept(const Verdict& v) {
  EXPECT_EQ(v.outcome.decision, Decision::kAccept) << v.outcome.Summary() << ": " << v.outcome.reason;
  EXPECT_EQ(v.outcome.status, 200);
}

void ExpectReject(const Verdict& v, const std::string& rule, const std::string& type, const std::string& code,
                  int status = 400) {
  EXPECT_EQ(v.outcome.decision, Decision::kReject) << v.outcome.Summary();
  EXPECT_EQ(v.outcome.rule, rule) << v.outcome.reason;
  EXPECT_EQ(v.outcome.error_type, type);
  EXPECT_EQ(v.outcome.error_code, code);
  EXPECT_EQ(v.outcome.status, status);
}

void ExpectInvalidParameters(const Verdict& v, const std::string& rule) {
  ExpectReject(v, rule, "InvalidGatewayRequestException", "InvalidParameters");
}

// --- acceptance and echo ------------------------------------------------------------------

TEST(Verdict, AcceptsBothDocumentedExamplesWithEcho) {
  for (const Example& ex : EmbeddedSpec().examples) {
    const Verdict v = Decide(EmbeddedSpec(), RequestFromExample(ex));
    ExpectAccept(v);
    const json response = json::parse(ex.response_body);
    ASSERT_EQ(v.echo.size(), 2u) << ex.id;
    for (const auto& [name, value] : v.echo) EXPECT_EQ(response.at(name), value) << ex.id;
  }
}

TEST(Verdict, AcceptsBothTargetPrefixesAndRecordsWhichWasUsed) {
  for (const char* prefix : {"StorageGateway_20130630", "StorageGateway_20120630"}) {
    Request r = Req(ValidBody().dump());
    r.headers[1].second = std::string(prefix) + ".UpdateChapCredentials";
    const Verdict v = Decide(EmbeddedSpec(), r);
    ExpectAccept(v);
    EXPECT_EQ(v.target_prefix, prefix);
  }
}

TEST(Verdict, EchoNeverCarriesSecrets) {
  const Verdict v = Judge(ValidBody());
  for (const auto& [name, value] : v.echo) {
    EXPECT_NE(value, "111111111111");
    EXPECT_NE(value, "222222222222");
  }
}

// --- secret lengths: UTF-8 bytes, not characters ----------------------------------------

struct SecretCase {
  std::string value;
  bool accepted;
  const char* what;
};

class SecretLength : public ::testing::TestWithParam<const char*> {};

TEST_P(SecretLength, CountsUtf8BytesAtEveryEdge) {
  const char* member = GetParam();
  const std::string e2 = "\xC3\xA9";          // é: 2 bytes
  const std::string e3 = "\xE2\x82\xAC";      // €: 3 bytes
  const std::string e4 = "\xF0\x9F\x98\x80";  // 😀: 4 bytes
  const SecretCase cases[] = {
      {std::string(11, 'a'), false, "11 ASCII bytes"},
      {std::string(12, 'a'), true, "12 ASCII bytes"},
      {std::string(13, 'a'), true, "13 ASCII bytes"},
      {std::string(15, 'a'), true, "15 ASCII bytes"},
      {std::string(16, 'a'), true, "16 ASCII bytes"},
      {std::string(17, 'a'), false, "17 ASCII bytes"},
      {std::string(1000, 'a'), false, "far beyond"},
      {"", false, "empty"},
      {Repeat(e2, 6), true, "6 two-byte characters = 12 bytes"},
      {Repeat(e2, 5) + "a", false, "5 two-byte + 1 = 11 bytes (6 characters)"},
      {Repeat(e2, 8), true, "8 two-byte characters = 16 bytes"},
      {Repeat(e2, 8) + "a", false, "8 two-byte + 1 = 17 bytes"},
      {Repeat(e2, 12), false, "12 two-byte characters = 24 bytes (12 characters!)"},
      {Repeat(e3, 4), true, "4 three-byte characters = 12 bytes"},
      {Repeat(e3, 5) + "a", true, "5 three-byte + 1 = 16 bytes"},
      {Repeat(e3, 5) + "ab", false, "5 three-byte + 2 = 17 bytes"},
      {Repeat(e4, 4), true, "4 four-byte characters = 16 bytes"},
      {Repeat(e4, 3), true, "3 four-byte characters = 12 bytes"},
      {Repeat(e4, 2) + "abc", false, "2 four-byte + 3 = 11 bytes"},
      {std::string("abcdefghijk\0", 12), true, "12 bytes ending in NUL (no charset rule on secrets)"},
  };
  for (const auto& c : cases) {
    json body = With(member, c.value);
    if (std::string(member) == "SecretToAuthenticateTarget") body["SecretToAuthenticateInitiator"] = "zzzzzzzzzzzz";
    const Verdict v = Judge(body);
    if (c.accepted) {
      EXPECT_EQ(v.outcome.decision, Decision::kAccept) << member << ": " << c.what << ": " << v.outcome.reason;
    } else {
      EXPECT_EQ(v.outcome.rule, std::string(member) + ".length") << member << ": " << c.what;
      EXPECT_EQ(v.outcome.error_code, "InvalidParameters") << c.what;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothSecrets, SecretLength,
                         ::testing::Values("SecretToAuthenticateInitiator", "SecretToAuthenticateTarget"));

// --- InitiatorName: charset and length ---------------------------------------------------

TEST(Verdict, InitiatorNameRejectsEveryForbiddenCharacterClass) {
  const std::pair<std::string, const char*> forbidden[] = {
      {"iqn.A", "upper case"},     {"iqn. x", "space"},        {"iqn._x", "underscore"},
      {"iqn./x", "slash"},         {"iqn.\x01x", "control"},   {"iqn.\tx", "tab"},
      {"iqn.\x7fx", "DEL"},        {"iqn.\xC3\xA9", "non-ASCII"}, {std::string("iqn.\0x", 6), "NUL"},
      {"iqn.@x", "at"},            {"iqn.x,y", "comma"},       {"iqn.x+y", "plus"},
  };
  for (const auto& [value, what] : forbidden) {
    const Verdict v = Judge(With("InitiatorName", value));
    ExpectInvalidParameters(v, "InitiatorName.pattern");
    EXPECT_NE(v.outcome.reason.find("outside [0-9a-z:.-]+"), std::string::npos) << what << ": " << v.outcome.reason;
  }
}

TEST(Verdict, InitiatorNameAcceptsEachAllowedClassAtItsEdges) {
  for (const char* value : {"0", "9", "a", "z", ":", ".", "-", "iqn.1991-05.com.microsoft:x", "0123456789",
                            "abcdefghijklmnopqrstuvwxyz", "-.:"}) {
    ExpectAccept(Judge(With("InitiatorName", value)));
  }
}

TEST(Verdict, InitiatorNameLengthIsOneTo255Characters) {
  ExpectInvalidParameters(Judge(With("InitiatorName", "")), "InitiatorName.length");
  ExpectAccept(Judge(With("InitiatorName", "a")));
  ExpectAccept(Judge(With("InitiatorName", std::string(2, 'a'))));
  ExpectAccept(Judge(With("InitiatorName", std::string(254, 'a'))));
  ExpectAccept(Judge(With("InitiatorName", std::string(255, 'a'))));
  ExpectInvalidParameters(Judge(With("InitiatorName", std::string(256, 'a'))), "InitiatorName.length");
  ExpectInvalidParameters(Judge(With("InitiatorName", std::string(5000, 'a'))), "InitiatorName.length");
}

// --- TargetARN: length and grammar --------------------------------------------------------

std::string Arn(const std::string& partition, const std::string& service, const std::string& account,
                const std::string& resource) {
  return "arn:" + partition + ":" + service + ":us-east-1:" + account + ":" + resource;
}

TEST(Verdict, TargetArnLengthBoundsComeBeforeItsForm) {
  // The shortest well-formed target ARN is 56 characters, so the minimum of 50 shows only on
  // malformed values: 49 characters is a length error, 50 passes length and fails the form.
  ExpectInvalidParameters(Judge(With("TargetARN", std::string(49, 'x'))), "TargetARN.length");
  ExpectReject(Judge(With("TargetARN", std::string(50, 'x'))), "TargetARN.format", "InvalidGatewayRequestException",
               "TargetInvalid");
  ExpectReject(Judge(With("TargetARN", std::string(51, 'x'))), "TargetARN.format", "InvalidGatewayRequestException",
               "TargetInvalid");
  ExpectInvalidParameters(Judge(With("TargetARN", std::string(801, 'x'))), "TargetARN.length");
  const std::string head = "arn:aws:storagegateway:r:111122223333:gateway/g/target/";
  ExpectAccept(Judge(With("TargetARN", head + "q")));
  EXPECT_EQ(head.size() + 1, 56u);
  // The maximum, on well-formed values: 799 and 800 pass, 801 and far beyond do not.
  ExpectAccept(Judge(With("TargetARN", head + std::string(799 - head.size(), 'q'))));
  ExpectAccept(Judge(With("TargetARN", head + std::string(800 - head.size(), 'q'))));
  ExpectInvalidParameters(Judge(With("TargetARN", head + std::string(801 - head.size(), 'q'))), "TargetARN.length");
  ExpectInvalidParameters(Judge(With("TargetARN", head + std::string(100000, 'q'))), "TargetARN.length");
}

TEST(Verdict, TargetArnLengthCountsCharacters) {
  // 401 two-byte characters: 802 bytes but 401 characters, within 50..800, so the length rule
  // holds and the form decides. A byte-counting oracle would say InvalidParameters.
  ExpectReject(Judge(With("TargetARN", Repeat("\xC3\xA9", 401))), "TargetARN.format",
               "InvalidGatewayRequestException", "TargetInvalid");
  // 25 two-byte characters: 50 bytes but 25 characters, below the minimum.
  ExpectInvalidParameters(Judge(With("TargetARN", Repeat("\xC3\xA9", 25))), "TargetARN.length");
}

TEST(Verdict, MalformedArnsAreTargetInvalid) {
  const std::string res = "gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume";
  const std::pair<std::string, const char*> bad[] = {
      {Arn("aws-xx", "storagegateway", "111122223333", res), "partition"},
      {Arn("aws", "s3", "111122223333", res), "service"},
      {Arn("aws", "storagegateway", "11112222333", res), "11-digit account"},
      {Arn("aws", "storagegateway", "1111222233334", res), "13-digit account"},
      {Arn("aws", "storagegateway", "11112222333x", res), "non-digit account"},
      {Arn("aws", "storagegateway", "111122223333", "gateway/sgw-12A3456B/volume/vol-1122AABB0000000"), "no /target/"},
      {Arn("aws", "storagegateway", "111122223333", "gateway/sgw-12A3456B/target/"), "empty IQN"},
      {Arn("aws", "storagegateway", "111122223333", "gateway/sgw-12A3456B/target/iqn.UPPER"), "IQN charset"},
      {Arn("aws", "storagegateway", "111122223333", "gateway//target/iqn.1997-05.com.amazon:x"), "empty gateway id"},
      {Arn("aws", "storagegateway", "111122223333", "gateway/sgw_1/target/iqn.1997-05.com.amazon:x"), "gateway id charset"},
      {Arn("aws", "storagegateway", "111122223333", res + "/extra"), "extra resource part"},
      {"nra:aws:storagegateway:us-east-1:111122223333:" + res, "not arn:"},
      {"arn:aws:storagegateway:us-east-1-111122223333-" + res, "too few colons"},
  };
  for (const auto& [value, what] : bad) {
    ASSERT_GE(value.size(), 50u) << what;
    const Verdict v = Judge(With("TargetARN", value));
    ExpectReject(v, "TargetARN.format", "InvalidGatewayRequestException", "TargetInvalid");
    EXPECT_FALSE(v.outcome.reason.empty()) << what;
  }
}

TEST(Verdict, WellFormedArnVariantsAreAccepted) {
  const std::string res = "gateway/mygateway/target/iqn.1997-05.com.amazon:myvolume";
  for (const char* partition : {"aws", "aws-cn", "aws-us-gov"}) {
    ExpectAccept(Judge(With("TargetARN", Arn(partition, "storagegateway", "111122223333", res))));
  }
}

// --- structure: missing, null, wrong JSON types, unknown members --------------------------

TEST(Verdict, MissingOrNullRequiredMembersAreInvalidParameters) {
  for (const char* m : {"TargetARN", "SecretToAuthenticateInitiator", "InitiatorName"}) {
    json missing = ValidBody();
    missing.erase(m);
    ExpectInvalidParameters(Judge(missing), std::string(m) + ".required");
    const Verdict null_v = Judge(With(m, nullptr));
    ExpectInvalidParameters(null_v, std::string(m) + ".required");
    EXPECT_NE(null_v.outcome.reason.find("null"), std::string::npos);
  }
}

TEST(Verdict, OptionalTargetSecretMayBeMissingOrNull) {
  json b = ValidBody();
  b.erase("SecretToAuthenticateTarget");
  ExpectAccept(Judge(b));
  ExpectAccept(Judge(With("SecretToAuthenticateTarget", nullptr)));
}

TEST(Verdict, WrongJsonTypesAreSerializationExceptions) {
  const json wrong[] = {json(12), json(1.5), json(true), json::array({"a"}), json::object({{"a", 1}}),
                        json(-1), json(18446744073709551615ull)};
  for (const char* m : {"TargetARN", "SecretToAuthenticateInitiator", "InitiatorName", "SecretToAuthenticateTarget"}) {
    for (const json& w : wrong) {
      ExpectReject(Judge(With(m, w)), std::string(m) + ".type", "SerializationException", "");
    }
  }
}

TEST(Verdict, UnknownMembersAreIgnoredAndNamesAreCaseSensitive) {
  json b = ValidBody();
  b["Extra"] = json::array({1, 2, 3});
  b["targetarn"] = 5;
  ExpectAccept(Judge(b));
  json lower = ValidBody();
  lower.erase("TargetARN");
  lower["targetArn"] = kArn;
  ExpectInvalidParameters(Judge(lower), "TargetARN.required");
}

// --- serialization: raw bytes -------------------------------------------------------------

TEST(Verdict, MalformedJsonIsSerializationException) {
  const std::string valid = ValidBody().dump();
  const std::string bad[] = {
      valid.substr(0, valid.size() - 1),                  // truncated
      "{\"TargetARN\": \"x\",}",                           // trailing comma
      "{'TargetARN': 'x'}",                                // single quotes
      "{/*c*/\"TargetARN\": \"x\"}",                       // comment
      "{\"TargetARN\": \"\xff\xfe\"}",                     // invalid UTF-8 in a string
      "{\"TargetARN\": \"\\ud800\"}",                      // lone surrogate escape
      "{\"TargetARN\": \"a\x01\"}",                        // raw control character
      valid + "x",                                          // trailing garbage
      valid + valid,                                        // two documents
      "{\"a\": 1e99999}",                                   // number overflow
      "{\"a\": NaN}",
      "   ",                                                // whitespace is not "empty"
      std::string("\0", 1),
      "\xEF\xBB",                                           // half a BOM
  };
  for (const auto& body : bad) {
    const Verdict v = JudgeRaw(body);
    ExpectReject(v, "serialization.json", "SerializationException", "");
    EXPECT_EQ(v.broken.size(), 1u) << "member rules must not be evaluated on an unreadable body";
  }
}

TEST(Verdict, BodiesThatAreNotObjectsAreSerializationExceptions) {
  for (const char* body : {"[]", "[{}]", "\"x\"", "12", "null", "true"}) {
    ExpectReject(JudgeRaw(body), "serialization.object", "SerializationException", "");
  }
}

TEST(Verdict, EmptyBodyIsAnEmptyObject) {
  const Verdict v = JudgeRaw("");
  ExpectInvalidParameters(v, "TargetARN.required");
  ExpectInvalidParameters(JudgeRaw("{}"), "TargetARN.required");
}

TEST(Verdict, DuplicateKeysAreAShouldRuleWithLastValueWinsLeniency) {
  const std::string base = ValidBody().dump();
  // Last value valid: strict says SerializationException, lenient accepts.
  std::string dup = "{\"InitiatorName\":\"BAD\"," + base.substr(1);
  Verdict v = JudgeRaw(dup);
  ExpectReject(v, "serialization.duplicate-keys", "SerializationException", "");
  EXPECT_EQ(v.outcome.severity, Severity::kShould);
  ASSERT_TRUE(v.lenient.has_value());
  EXPECT_EQ(v.lenient->decision, Decision::kAccept);
  // Last value invalid: lenient is InvalidParameters.
  std::string dup2 = base.substr(0, base.size() - 1) + ",\"InitiatorName\":\"BAD\"}";
  v = JudgeRaw(dup2);
  EXPECT_EQ(v.outcome.rule, "serialization.duplicate-keys");
  ASSERT_TRUE(v.lenient.has_value());
  EXPECT_EQ(v.lenient->rule, "InitiatorName.pattern");
  // Duplicates deep inside an unknown member count too.
  v = JudgeRaw(base.substr(0, base.size() - 1) + ",\"x\":{\"a\":1,\"a\":2}}");
  EXPECT_EQ(v.outcome.rule, "serialization.duplicate-keys");
  EXPECT_NE(v.outcome.reason.find("$.x.a"), std::string::npos) << v.outcome.reason;
}

TEST(Verdict, SurvivesDeepNestingAndHugeInputs) {
  const std::string base = ValidBody().dump();
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  ExpectAccept(JudgeRaw(base.substr(0, base.size() - 1) + ",\"deep\":" + deep + "}"));
  ExpectReject(JudgeRaw(std::string(200000, '[')), "serialization.json", "SerializationException", "");
  std::string objs;
  for (int i = 0; i < 50000; ++i) objs += "{\"a\":";
  objs += "1" + std::string(50000, '}');
  ExpectAccept(JudgeRaw(base.substr(0, base.size() - 1) + ",\"o\":" + objs + "}"));
  // Large numbers parse while finite (a 300-digit integer is about 1e300); one that overflows a
  // double is outside serialization.json's "numbers must be finite".
  ExpectAccept(JudgeRaw(base.substr(0, base.size() - 1) + ",\"n\":" + std::string(300, '9') + "}"));
  ExpectReject(JudgeRaw(base.substr(0, base.size() - 1) + ",\"n\":" + std::string(400, '9') + "}"),
               "serialization.json", "SerializationException", "");
  ExpectInvalidParameters(Judge(With("InitiatorName", std::string(1 << 20, 'a'))), "InitiatorName.length");
}

TEST(Verdict, IsDeterministic) {
  const std::string inputs[] = {ValidBody().dump(), "{", "", "[1]", With("InitiatorName", "X").dump()};
  for (const auto& body : inputs) {
    const Verdict a = JudgeRaw(body), b = JudgeRaw(body);
    EXPECT_EQ(a.outcome.Summary(), b.outcome.Summary());
    EXPECT_EQ(a.broken.size(), b.broken.size());
  }
}

// --- cross-member rule ---------------------------------------------------------------------

TEST(Verdict, EqualSecretsAreAShouldLevelRejection) {
  const Verdict v = Judge(With("SecretToAuthenticateTarget", "111111111111"));
  ExpectInvalidParameters(v, "secrets.distinct");
  EXPECT_EQ(v.outcome.severity, Severity::kShould);
  ASSERT_TRUE(v.lenient.has_value());
  EXPECT_EQ(v.lenient->decision, Decision::kAccept);
  EXPECT_TRUE(v.Allows(Decision::kAccept, "", "", 200, /*allow_lenient=*/true));
  EXPECT_FALSE(v.Allows(Decision::kAccept, "", "", 200, /*allow_lenient=*/false));
  EXPECT_TRUE(v.Allows(Decision::kReject, "InvalidGatewayRequestException", "InvalidParameters", 400, false));
  // The right error with a status its type does not allow.
  EXPECT_FALSE(v.Allows(Decision::kReject, "InvalidGatewayRequestException", "InvalidParameters", 500, false));
  EXPECT_FALSE(v.Allows(Decision::kAccept, "", "", 201, /*allow_lenient=*/true));
  // Different secrets of the same length are fine.
  ExpectAccept(Judge(With("SecretToAuthenticateTarget", "111111111112")));
}

// --- protocol: authentication, operation, content type -----------------------------------

TEST(Verdict, AuthenticationDecidesFirst) {
  Request r = Req("not json at all");
  r.headers.pop_back();  // no Authorization
  r.headers[1].second = "Nope.Nothing";
  const Verdict v = Decide(EmbeddedSpec(), r);
  ExpectReject(v, "auth.missing", "MissingAuthenticationTokenException", "", 403);
  EXPECT_GE(v.broken.size(), 3u);  // auth, operation, serialization all recorded
}

TEST(Verdict, EachAuthFailureHasItsOwnRule) {
  const std::tuple<AuthStatus, const char*, const char*, int> cases[] = {
      {AuthStatus::kMissing, "auth.missing", "MissingAuthenticationTokenException", 403},
      {AuthStatus::kMalformed, "auth.malformed", "IncompleteSignatureException", 400},
      {AuthStatus::kUnknownKey, "auth.unknown-key", "UnrecognizedClientException", 400},
      {AuthStatus::kBadSignature, "auth.signature", "InvalidSignatureException", 400},
      {AuthStatus::kExpired, "auth.expired", "InvalidSignatureException", 400},
  };
  for (const auto& [auth, rule, type, status] : cases) ExpectReject(Judge(ValidBody(), auth), rule, type, "", status);
  ExpectAccept(Judge(ValidBody(), AuthStatus::kValid));
}

TEST(Verdict, PresignedQueryCountsAsAuthentication) {
  Request r = Req(ValidBody().dump());
  r.headers.pop_back();
  r.path = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc";
  ExpectAccept(Decide(EmbeddedSpec(), r));
}

TEST(Verdict, OperationMustBePostSlashWithAKnownTarget) {
  Request r = Req(ValidBody().dump());
  r.method = "GET";
  ExpectReject(Decide(EmbeddedSpec(), r), "operation.method", "UnknownOperationException", "");
  r = Req(ValidBody().dump());
  r.path = "/other";
  ExpectReject(Decide(EmbeddedSpec(), r), "operation.method", "UnknownOperationException", "");
  for (const char* target : {"StorageGateway_20130630.Nothing", "Other_20130630.UpdateChapCredentials",
                             "UpdateChapCredentials", "", "StorageGateway_20130630.updatechapcredentials"}) {
    r = Req(ValidBody().dump());
    r.headers[1].second = target;
    ExpectReject(Decide(EmbeddedSpec(), r), "operation.target", "UnknownOperationException", "");
  }
  r = Req(ValidBody().dump());
  r.headers.erase(r.headers.begin() + 1);
  ExpectReject(Decide(EmbeddedSpec(), r), "operation.target", "UnknownOperationException", "");
  r = Req(ValidBody().dump());
  r.headers.push_back(r.headers[1]);
  ExpectReject(Decide(EmbeddedSpec(), r), "operation.target", "UnknownOperationException", "");
}

TEST(Verdict, HeaderNamesAreCaseInsensitive) {
  Request r = Req(ValidBody().dump());
  r.headers = {{"content-type", "application/x-amz-json-1.1"},
               {"x-amz-target", "StorageGateway_20120630.UpdateChapCredentials"},
               {"AUTHORIZATION", "x"}};
  ExpectAccept(Decide(EmbeddedSpec(), r));
}

TEST(Verdict, SiblingOperationsAreOutOfScope) {
  Request r = Req("{}");
  r.headers[1].second = "StorageGateway_20130630.DescribeChapCredentials";
  const Verdict v = Decide(EmbeddedSpec(), r);
  EXPECT_EQ(v.outcome.decision, Decision::kOutOfScope);
  EXPECT_TRUE(v.broken.empty());
  // ... but authentication still comes first.
  r.headers.pop_back();
  EXPECT_EQ(Decide(EmbeddedSpec(), r).outcome.rule, "auth.missing");
}

TEST(Verdict, ContentTypeIsAShouldRuleAndIgnoresParameters) {
  Request r = Req(ValidBody().dump());
  r.headers[0].second = "application/x-amz-json-1.1; charset=utf-8";
  ExpectAccept(Decide(EmbeddedSpec(), r));
  r.headers[0].second = "APPLICATION/X-AMZ-JSON-1.1";
  ExpectAccept(Decide(EmbeddedSpec(), r));
  r.headers[0].second = "application/json";
  Verdict v = Decide(EmbeddedSpec(), r);
  ExpectReject(v, "serialization.content-type", "SerializationException", "");
  EXPECT_EQ(v.outcome.severity, Severity::kShould);
  ASSERT_TRUE(v.lenient.has_value());
  EXPECT_EQ(v.lenient->decision, Decision::kAccept);
  r.headers.erase(r.headers.begin());
  v = Decide(EmbeddedSpec(), r);
  EXPECT_EQ(v.outcome.rule, "serialization.content-type");
  EXPECT_NE(v.outcome.reason.find("missing"), std::string::npos);
}

// --- precedence between phases --------------------------------------------------------------

TEST(Verdict, PhasesDecideInTheDocumentedOrder) {
  // serialization beats validation
  json b = With("TargetARN", 5);
  b["SecretToAuthenticateInitiator"] = "short";
  EXPECT_EQ(Judge(b).outcome.rule, "TargetARN.type");
  // validation beats format: a malformed (but long enough) ARN and a short secret
  b = With("TargetARN", std::string(60, 'x'));
  b["SecretToAuthenticateInitiator"] = "short";
  const Verdict v = Judge(b);
  EXPECT_EQ(v.outcome.rule, "SecretToAuthenticateInitiator.length");
  ASSERT_EQ(v.broken.size(), 2u);
  EXPECT_EQ(v.broken[1].rule, "TargetARN.format");
  // equal secrets (validation, should) come before the ARN form: strict InvalidParameters,
  // lenient TargetInvalid
  b = With("TargetARN", std::string(60, 'x'));
  b["SecretToAuthenticateTarget"] = b["SecretToAuthenticateInitiator"];
  const Verdict v2 = Judge(b);
  EXPECT_EQ(v2.outcome.rule, "secrets.distinct");
  ASSERT_TRUE(v2.lenient.has_value());
  EXPECT_EQ(v2.lenient->error_code, "TargetInvalid");
}

// --- lookups --------------------------------------------------------------------------------

TEST(Verdict, LookupsFollowTheWorldGatewayFirst) {
  World world;
  world.gateways[kGateway] = World::Gateway{true, true};
  world.targets.insert(kArn);
  ExpectAccept(Judge(ValidBody(), AuthStatus::kValid, &world));

  World empty;
  ExpectReject(Judge(ValidBody(), AuthStatus::kValid, &empty), "lookup.gateway-exists",
               "InvalidGatewayRequestException", "GatewayNotFound");

  World offline = world;
  offline.gateways[kGateway].online = false;
  ExpectReject(Judge(ValidBody(), AuthStatus::kValid, &offline), "lookup.gateway-online",
               "InvalidGatewayRequestException", "GatewayNotConnected");

  World file_gateway = world;
  file_gateway.gateways[kGateway].iscsi = false;
  ExpectReject(Judge(ValidBody(), AuthStatus::kValid, &file_gateway), "lookup.gateway-iscsi",
               "InvalidGatewayRequestException", "NotSupported");

  World no_target = world;
  no_target.targets.clear();
  ExpectReject(Judge(ValidBody(), AuthStatus::kValid, &no_target), "lookup.target-exists",
               "InvalidGatewayRequestException", "TargetNotFound");

  // Without a world, lookups are assumed and said to be.
  const Verdict assumed = Judge(ValidBody());
  ExpectAccept(assumed);
  EXPECT_TRUE(assumed.lookups_assumed);
  EXPECT_FALSE(Judge(ValidBody(), AuthStatus::kValid, &world).lookups_assumed);
}

TEST(Verdict, MalformedArnIsNeverLookedUp) {
  World empty;
  const Verdict v = Judge(With("TargetARN", std::string(60, 'x')), AuthStatus::kValid, &empty);
  EXPECT_EQ(v.outcome.error_code, "TargetInvalid");
  for (const auto& b : v.broken) EXPECT_EQ(b.rule.rfind("lookup.", 0), std::string::npos) << b.rule;
}

// --- secrets never reach a reason -------------------------------------------------------

TEST(Verdict, ReasonsNeverQuoteSecrets) {
  const std::string secret = "Zq7!unique-secret-value";  // 23 bytes: too long
  std::vector<json> bodies = {With("SecretToAuthenticateInitiator", secret),
                              With("SecretToAuthenticateTarget", secret)};
  json equal = ValidBody();
  equal["SecretToAuthenticateTarget"] = equal["SecretToAuthenticateInitiator"] = "Zq7!uniqsecret";
  bodies.push_back(equal);
  for (const json& b : bodies) {
    const Verdict v = Judge(b);
    ASSERT_EQ(v.outcome.decision, Decision::kReject);
    for (const auto& r : v.broken) {
      EXPECT_EQ(r.reason.find("Zq7"), std::string::npos) << r.reason;
    }
  }
  // Malformed JSON whose bad byte sits inside a secret: the error names only a position.
  const Verdict v = JudgeRaw("{\"SecretToAuthenticateInitiator\": \"Zq7!\x01secret\"}");
  EXPECT_EQ(v.outcome.reason.find("Zq7"), std::string::npos) << v.outcome.reason;
}

TEST(Verdict, PatternReasonsOnSensitiveMembersDoNotShowTheCharacter) {
  // A spec variant that gives the initiator secret a charset rule.
  json doc = json::parse(EmbeddedSpecText());
  doc["input"]["members"][1]["rules"].push_back({{"kind", "pattern"}, {"pattern", "[a-z]+"},
                                                 {"phase", "validation"}, {"outcome", "InvalidParameters"},
                                                 {"source", "convention"}, {"severity", "must"}});
  auto spec = ParseSpec(doc.dump(), "variant");
  ASSERT_TRUE(spec.ok()) << spec.error().ToString();
  const Verdict v = Decide(*spec, Req(With("SecretToAuthenticateInitiator", "abcdefghijkQ").dump()));
  EXPECT_EQ(v.outcome.rule, "SecretToAuthenticateInitiator.pattern");
  EXPECT_EQ(v.outcome.reason.find('Q'), std::string::npos) << v.outcome.reason;
  json other = With("InitiatorName", "Q");
  other["SecretToAuthenticateInitiator"] = "abcdefghijkl";
  const Verdict ok = Decide(*spec, Req(other.dump()));
  EXPECT_EQ(ok.outcome.rule, "InitiatorName.pattern");
  EXPECT_NE(ok.outcome.reason.find("'Q'"), std::string::npos) << "non-sensitive members name the character";
}

}  // namespace
}  // namespace chapcheck::spec
