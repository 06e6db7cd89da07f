// The iSCSI portals over real TCP sockets, and the close hook the Gateway calls on an
// accepted UpdateChapCredentials.
#include "mocks/iscsi_portal.h"

#include <gtest/gtest.h>

#include "mocks/iscsi_test_client.h"
#include "mocks/iscsi_test_initiator.h"
#include "mocks/mock_test_support.h"

namespace chapcheck::mocks {
namespace {

using namespace chapcheck::mocks::testing;

// A logged-in connection.
struct Session {
  Client client;
  TestInitiator initiator;
  LoginResult login;
  Session(std::uint16_t port, const LoginParams& p) : client(port), initiator(client.exchange()) {
    login = initiator.Login(p);
  }
};

LoginParams Chap(const std::string& secret = "111111111111") {
  LoginParams p;
  p.secret = Secret(secret);
  return p;
}

LoginParams NoAuth(const std::string& target) {
  LoginParams p;
  p.target = target;
  return p;
}

class IscsiPortalTest : public ::testing::Test {
 protected:
  explicit IscsiPortalTest(PortalOptions options = {}) : gateway_(DefaultFixture(), Options()) {
    auto started = IscsiPortals::Start(gateway_, options);
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().ToString());
    if (started.ok()) portals_ = std::move(started).value();
  }
  std::uint16_t Port(const char* gateway_id) { return portals_->Find(gateway_id)->port; }

  Gateway gateway_;
  std::unique_ptr<IscsiPortals> portals_;
};

TEST_F(IscsiPortalTest, OnePortalPerOnlineIscsiGateway) {
  ASSERT_TRUE(portals_);
  std::vector<std::string> ids;
  for (const auto& a : portals_->addresses()) ids.push_back(a.gateway_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"mygateway", "sgw-12A3456B"}));  // not the offline or file gateway
  EXPECT_NE(Port("mygateway"), Port("sgw-12A3456B"));
  EXPECT_FALSE(portals_->Find("sgw-0FF11E00").has_value());
  EXPECT_EQ(portals_->Find("arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B")->port, Port("sgw-12A3456B"));
  // DescribeStorediSCSIVolumes reports the volume's own gateway's portal.
  const auto r = Read(gateway_.Handle(Signed(
      "DescribeStorediSCSIVolumes",
      {{"VolumeARNs", {"arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/volume/vol-1122AABB"}}})));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const auto& attrs = r.body["StorediSCSIVolumes"][0]["VolumeiSCSIAttributes"];
  EXPECT_EQ(attrs["NetworkInterfacePort"].get<int>(), Port("sgw-12A3456B"));
  EXPECT_EQ(attrs["NetworkInterfaceId"].get<std::string>(), "127.0.0.1");
}

TEST_F(IscsiPortalTest, LoginAndScsiOverTcp) {
  Session s(Port("sgw-12A3456B"), Chap());
  ASSERT_TRUE(s.login.ok) << s.login.failure;
  EXPECT_EQ(portals_->logged_in(), 1u);
  EXPECT_EQ(s.initiator.Command({0x00}, 0, false).status, 2);  // unit attention
  std::vector<std::uint8_t> data(300 * 1024);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i % 251);
  EXPECT_EQ(s.initiator.Command({0x2a, 0, 0, 0, 0, 64, 0, 0x02, 0x58}, static_cast<std::uint32_t>(data.size()), false, data).status, 0);
  auto back = s.initiator.Command({0x28, 0, 0, 0, 0, 64, 0, 0x02, 0x58}, static_cast<std::uint32_t>(data.size()), true);
  EXPECT_EQ(back.status, 0);
  EXPECT_EQ(back.data, data);
  EXPECT_TRUE(s.initiator.Logout());
  EXPECT_TRUE(s.client.ClosedWithin(2000));
  // The same IQN at the other gateway's portal is another target: no credentials there.
  Session other(Port("mygateway"), NoAuth(kMyVolumeIqn));
  EXPECT_TRUE(other.login.ok) << other.login.failure;
  EXPECT_EQ(other.initiator.Command({0x00}, 0, false).status, 2);  // its own unit attention
  auto elsewhere = other.initiator.Command({0x28, 0, 0, 0, 0, 64, 0, 0, 1}, 512, true);
  EXPECT_EQ(elsewhere.status, 0);
  EXPECT_EQ(elsewhere.data, std::vector<std::uint8_t>(512, 0)) << "each gateway's volume has its own data";
}

TEST_F(IscsiPortalTest, DiscoveryReportsThisPortal) {
  LoginParams p;
  p.target = "";
  Session d(Port("sgw-12A3456B"), p);
  ASSERT_TRUE(d.login.ok) << d.login.failure;
  auto targets = d.initiator.SendTargets();
  ASSERT_TRUE(targets.has_value());
  const std::string address = "127.0.0.1:" + std::to_string(Port("sgw-12A3456B")) + ",1";
  EXPECT_EQ(*targets, (iscsi::KeyValues{{"TargetName", kMyVolumeIqn},
                                        {"TargetAddress", address},
                                        {"TargetName", kOtherVolumeIqn},
                                        {"TargetAddress", address}}));
}

TEST_F(IscsiPortalTest, WrongSecretFailsAndCloses) {
  Session s(Port("sgw-12A3456B"), Chap("999999999999"));
  EXPECT_FALSE(s.login.ok);
  EXPECT_EQ(s.login.status, 0x0201);
  EXPECT_TRUE(s.client.ClosedWithin(2000));
}

TEST_F(IscsiPortalTest, AnAcceptedUpdateClosesOnlyThatTargetsConnectionsBeforeItAnswers) {
  const auto sgw = Port("sgw-12A3456B");
  Session updated(sgw, Chap());
  LoginParams mutual = Chap();
  mutual.target_secret = Secret("222222222222");
  Session updated_mutual(sgw, mutual);
  Session other_target(sgw, NoAuth(kOtherVolumeIqn));
  Session other_gateway(Port("mygateway"), NoAuth(kMyVolumeIqn));  // same IQN, another gateway
  LoginParams disc;
  disc.target = "";
  Session discovery(sgw, disc);
  for (Session* s : {&updated, &updated_mutual, &other_target, &other_gateway, &discovery}) {
    ASSERT_TRUE(s->login.ok) << s->login.failure;
  }

  const auto answer = Read(gateway_.Handle(Signed("UpdateChapCredentials", UpdateBody(kModelArn, "333333333333", "444444444444"))));
  ASSERT_EQ(answer.status, 200);
  // Closed by the time the answer exists (the FIN is already here; no 10 s drop-late wait).
  EXPECT_TRUE(updated.client.ClosedWithin(500));
  EXPECT_TRUE(updated_mutual.client.ClosedWithin(500));
  EXPECT_TRUE(other_target.initiator.Ping());
  EXPECT_TRUE(other_gateway.initiator.Ping());
  EXPECT_TRUE(discovery.initiator.SendTargets().has_value());

  Session old_secret(sgw, Chap());
  EXPECT_EQ(old_secret.login.status, 0x0201);
  Session new_secret(sgw, Chap("333333333333"));
  EXPECT_TRUE(new_secret.login.ok) << new_secret.login.failure;
}

TEST_F(IscsiPortalTest, CloseRequestFilters) {
  const auto sgw = Port("sgw-12A3456B");
  Session a(sgw, Chap());
  Session b(sgw, NoAuth(kOtherVolumeIqn));
  ASSERT_TRUE(a.login.ok && b.login.ok);
  // Only another initiator's connections: nothing here closes.
  portals_->Close(CloseRequest{kModelArn, false, std::string("iqn.2000-01.com.example:other"), {}, "test"});
  EXPECT_TRUE(a.initiator.Ping());
  // A delayed close returns at once and closes later.
  portals_->Close(CloseRequest{kModelArn, false, std::nullopt, std::chrono::milliseconds(300), "test"});
  EXPECT_TRUE(a.initiator.Ping());
  EXPECT_TRUE(a.client.ClosedWithin(5000));
  EXPECT_TRUE(b.initiator.Ping());
  // Every target (a defect's request).
  Session c(sgw, Chap());
  ASSERT_TRUE(c.login.ok);
  portals_->Close(CloseRequest{kModelArn, true, std::nullopt, {}, "test"});
  EXPECT_TRUE(b.client.ClosedWithin(500));
  EXPECT_TRUE(c.client.ClosedWithin(500));
}

TEST_F(IscsiPortalTest, TwoHundredConcurrentSessions) {
  const auto sgw = Port("sgw-12A3456B");
  std::vector<std::unique_ptr<Session>> sessions;
  for (int i = 0; i < 200; ++i) {
    LoginParams p = Chap();
    p.algorithms = std::to_string(5 + i % 4);
    sessions.push_back(std::make_unique<Session>(sgw, p));
    ASSERT_TRUE(sessions.back()->login.ok) << i << ": " << sessions.back()->login.failure;
  }
  EXPECT_EQ(portals_->logged_in(), 200u);
  for (int i = 0; i < 200; i += 20) EXPECT_TRUE(sessions[static_cast<std::size_t>(i)]->initiator.Ping());
  ASSERT_EQ(Read(gateway_.Handle(Signed("UpdateChapCredentials", UpdateBody()))).status, 200);
  for (auto& s : sessions) EXPECT_TRUE(s->client.ClosedWithin(500));
}

class IscsiPortalLoginTimeoutTest : public IscsiPortalTest {
 protected:
  static PortalOptions Short() {
    PortalOptions o;
    o.login_timeout = std::chrono::milliseconds(100);
    return o;
  }
  IscsiPortalLoginTimeoutTest() : IscsiPortalTest(Short()) {}
};

TEST_F(IscsiPortalLoginTimeoutTest, SilentConnectionsAreClosed) {
  Client idle(Port("sgw-12A3456B"));
  ASSERT_TRUE(idle.connected());
  EXPECT_TRUE(idle.ClosedWithin(5000));
}

TEST(IscsiPortalStart, BadListenAddressIsAnError) {
  Gateway g(DefaultFixture(), Options());
  PortalOptions o;
  o.listen = "not-an-ip:0";
  EXPECT_FALSE(IscsiPortals::Start(g, o).ok());
  o.listen = "127.0.0.1";
  EXPECT_FALSE(IscsiPortals::Start(g, o).ok());
}

}  // namespace
}  // namespace chapcheck::mocks
