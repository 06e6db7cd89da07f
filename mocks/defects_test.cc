// Every defect switch is off by default and, when on, breaks exactly the clause it names: for each
// one a probe states the clause, which must hold on a clean mock and fail on the defective one.
#include "mocks/defects.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <map>

#include "mocks/iscsi_backend.h"
#include "mocks/iscsi_test_initiator.h"
#include "mocks/mock_test_support.h"

namespace chapcheck::mocks {
namespace {

using namespace chapcheck::mocks::testing;
using json = nlohmann::json;

using Probe = std::function<bool(Gateway&, CloseLog&)>;

Answer Update(Gateway& g, const json& body) { return Read(g.Handle(Signed("UpdateChapCredentials", body))); }

const char* kUnknownTarget =
    "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:nope";
const char* kUnknownGateway = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-00000000/target/iqn.x";

// One iSCSI login at gateway sgw-12A3456B's portal, in memory.
testing::LoginResult IscsiLogin(Gateway& g, const std::string& secret, std::optional<std::string> target_secret = {}) {
  IscsiSession session(MakeIscsiConfig(g, "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B", "127.0.0.1:3260"));
  testing::TestInitiator initiator(testing::SessionExchange(session));
  testing::LoginParams p;
  p.secret = Secret(secret);
  if (target_secret) p.target_secret = Secret(*target_secret);
  return initiator.Login(p);
}

const std::map<Defect, Probe>& Probes() {
  static const std::map<Defect, Probe> probes = {
      {Defect::kSecretMax17, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kModelArn, std::string(17, 'a'))).status == 400; }},
      {Defect::kSecretMin11, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kModelArn, std::string(11, 'a'))).status == 400; }},
      {Defect::kSecretCountsCharacters, [](Gateway& g, CloseLog&) {
         // 6 two-byte characters are 12 bytes: valid, though only 6 characters.
         return Update(g, UpdateBody(kModelArn, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9")).status == 200;
       }},
      {Defect::kIqnRejectsColon, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kModelArn, "111111111111", "", "iqn.a:b")).status == 200; }},
      {Defect::kIqnAllowsUppercase, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kModelArn, "111111111111", "", "iqn.A")).status == 400; }},
      {Defect::kEqualSecretsAccepted, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kModelArn, "111111111111", "111111111111")).status == 400; }},
      {Defect::kArnNotValidated, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(std::string(60, 'x'))).code == "TargetInvalid"; }},
      {Defect::kLookupBeforeValidation, [](Gateway& g, CloseLog&) {
         return Update(g, UpdateBody(kUnknownGateway, std::string(17, 'a'))).code == "InvalidParameters";
       }},
      {Defect::kLegacyPrefixRejected, [](Gateway& g, CloseLog&) {
         return Read(g.Handle(Signed("UpdateChapCredentials", UpdateBody(kGuideArn), "StorageGateway_20120630"))).status == 200;
       }},
      {Defect::kWrongErrorCode, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kUnknownTarget)).code == "TargetNotFound"; }},
      {Defect::kWrongStatus, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kUnknownTarget)).status == 400; }},
      {Defect::kMalformedJsonAsInvalidParameters, [](Gateway& g, CloseLog&) {
         return Read(g.Handle(Sign(Unsigned("UpdateChapCredentials", "{")))).type == "SerializationException";
       }},
      {Defect::kNamespacedErrorType, [](Gateway& g, CloseLog&) {
         return Update(g, UpdateBody(kUnknownTarget)).type == "InvalidGatewayRequestException";
       }},
      {Defect::kNoErrorCode, [](Gateway& g, CloseLog&) { return !Update(g, UpdateBody(kUnknownTarget)).code.empty(); }},
      {Defect::kNoMessage, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kUnknownTarget)).body.contains("message"); }},
      {Defect::kNoRequestId, [](Gateway& g, CloseLog&) {
         return g.Handle(Signed("UpdateChapCredentials", UpdateBody())).Header("x-amzn-RequestId") != nullptr;
       }},
      {Defect::kWrongContentType, [](Gateway& g, CloseLog&) {
         return *g.Handle(Signed("UpdateChapCredentials", UpdateBody())).Header("Content-Type") == "application/x-amz-json-1.1";
       }},
      {Defect::kNoEcho, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody()).body.value("TargetARN", "") == kModelArn; }},
      {Defect::kEchoSecret, [](Gateway& g, CloseLog&) {
         return g.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, "Zq7secretABC"))).body.find("Zq7") == std::string::npos;
       }},
      {Defect::kSecretInErrorMessage, [](Gateway& g, CloseLog&) {
         return g.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, "Zq7secretABCDEFGHIJ"))).body.find("Zq7") == std::string::npos;
       }},
      {Defect::kNoAuth, [](Gateway& g, CloseLog&) {
         return Read(g.Handle(Unsigned("UpdateChapCredentials", UpdateBody().dump()))).status == 403;
       }},
      {Defect::kIgnoreSignature, [](Gateway& g, CloseLog&) {
         const sigv4::Credentials wrong{"AKIDEXAMPLE", Secret("wrong"), ""};
         return Read(g.Handle(Sign(Unsigned("UpdateChapCredentials", UpdateBody().dump()), Now(), wrong))).type ==
                "InvalidSignatureException";
       }},
      {Defect::kNoClockSkewCheck, [](Gateway& g, CloseLog&) {
         return Read(g.Handle(Sign(Unsigned("UpdateChapCredentials", UpdateBody().dump()), Now() - std::chrono::minutes(16))))
                    .type == "InvalidSignatureException";
       }},
      {Defect::kPartialUpdate, [](Gateway& g, CloseLog&) {
         const auto before = g.state().Credential(kModelArn, kInitiator);
         Update(g, UpdateBody(kModelArn, "abcdefghijkl", std::string(17, 'x')));
         const auto after = g.state().Credential(kModelArn, kInitiator);
         return before->secret_to_authenticate_initiator == after->secret_to_authenticate_initiator;
       }},
      {Defect::kUnknownTargetCreated, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kUnknownTarget)).code == "TargetNotFound"; }},
      {Defect::kOfflineGatewayAccepted, [](Gateway& g, CloseLog&) { return Update(g, UpdateBody(kOfflineArn)).code == "GatewayNotConnected"; }},
      {Defect::kKeepConnections, [](Gateway& g, CloseLog& log) {
         Update(g, UpdateBody());
         return log.calls.size() == 1;
       }},
      {Defect::kDropOnReject, [](Gateway& g, CloseLog& log) {
         Update(g, UpdateBody(kModelArn, std::string(17, 'a')));
         return log.calls.empty();
       }},
      {Defect::kDropOtherTargets, [](Gateway& g, CloseLog& log) {
         Update(g, UpdateBody());
         return log.calls.size() == 1 && !log.calls[0].all_targets;
       }},
      {Defect::kDropOnlyUpdatedInitiator, [](Gateway& g, CloseLog& log) {
         Update(g, UpdateBody());
         return log.calls.size() == 1 && !log.calls[0].initiator.has_value();
       }},
      {Defect::kDropLate, [](Gateway& g, CloseLog& log) {
         Update(g, UpdateBody());
         return log.calls.size() == 1 && log.calls[0].delay.count() == 0;
       }},
      {Defect::kKeepOldSecrets, [](Gateway& g, CloseLog&) {
         Update(g, UpdateBody(kModelArn, "333333333333", "444444444444"));
         return !IscsiLogin(g, "111111111111").ok && IscsiLogin(g, "333333333333").ok;
       }},
      {Defect::kIgnoreTargetSecret, [](Gateway& g, CloseLog&) {
         return IscsiLogin(g, "111111111111", "222222222222").target_verified;
       }},
  };
  return probes;
}

TEST(Defects, NamesAreUniqueAndRoundTrip) {
  std::set<std::string_view> names;
  for (const auto& d : AllDefects()) {
    EXPECT_TRUE(names.insert(d.name).second) << d.name;
    EXPECT_EQ(DefectByName(d.name), d.defect);
    EXPECT_EQ(NameOf(d.defect), d.name);
    EXPECT_FALSE(d.breaks.empty());
  }
  EXPECT_EQ(AllDefects().size(), static_cast<std::size_t>(Defect::kCount));
  EXPECT_FALSE(DefectByName("no-such-defect").has_value());
}

TEST(Defects, EachBreaksItsClauseAndOnlyWhenOn) {
  for (const auto& info : AllDefects()) {
    auto probe = Probes().find(info.defect);
    ASSERT_NE(probe, Probes().end()) << "no probe for defect " << info.name;
    {
      CloseLog log;
      Gateway clean(DefaultFixture(), Options());
      clean.SetConnectionCloser(log.Closer());
      EXPECT_TRUE(probe->second(clean, log)) << info.name << ": the clause does not hold on a clean mock";
    }
    {
      CloseLog log;
      DefectSet set;
      set.Enable(info.defect);
      Gateway broken(DefaultFixture(), Options(set));
      broken.SetConnectionCloser(log.Closer());
      EXPECT_FALSE(probe->second(broken, log)) << info.name << ": the defect does not break " << info.breaks;
    }
  }
}

}  // namespace
}  // namespace chapcheck::mocks
