#include "conformance/iscsi_probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chapcheck::conformance {
namespace {

// A loopback TCP socket on an ephemeral port; listening (the kernel completes connects, nobody
// answers) or, after Close(), a port nobody listens on.
class LoopbackPort {
 public:
  LoopbackPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~LoopbackPort() { Close(); }
  void Listen() { EXPECT_EQ(::listen(fd_, 8), 0); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::string portal() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

IscsiLogin LoginTo(const std::string& portal) {
  IscsiLogin l;
  l.portal = portal;
  l.target_iqn = "iqn.2026-11.test:probe";
  l.initiator_name = "iqn.2026-11.test:initiator";
  l.chap_secret = Secret("123456789012");
  return l;
}

TEST(IscsiProbe, RefusedConnectionIsAConnectError) {
  LoopbackPort port;
  const std::string portal = port.portal();
  port.Close();
  const LoginResult r = TryLogin(LoginTo(portal), std::chrono::milliseconds(2000));
  EXPECT_EQ(r.outcome, LoginOutcome::kConnectError) << r.Describe();
  EXPECT_FALSE(r.ok());
}

TEST(IscsiProbe, SilentTargetEndsInTimeoutNotAHang) {
  LoopbackPort port;
  port.Listen();  // connects complete in the kernel's backlog; no login response ever comes
  IscsiProbe probe(ProbeOptions{std::chrono::milliseconds(1000), std::chrono::milliseconds(200)});
  IscsiProbe::SessionId id = 99;
  const LoginResult r = probe.Open(LoginTo(port.portal()), &id);
  EXPECT_EQ(r.outcome, LoginOutcome::kTimeout) << r.Describe();
  EXPECT_EQ(id, 0u);
  EXPECT_EQ(probe.state(id), SessionState::kFailed);
  EXPECT_FALSE(probe.closed_at(id).has_value());
}

TEST(IscsiProbe, DescribeNamesTheLoginStatusAndNeverASecret) {
  LoopbackPort port;
  port.Listen();
  IscsiLogin l = LoginTo(port.portal());
  l.target_secret = Secret("abcdefghijkl");
  const LoginResult r = TryLogin(l, std::chrono::milliseconds(100));
  const std::string text = r.Describe();
  EXPECT_EQ(text.find("123456789012"), std::string::npos);
  EXPECT_EQ(text.find("abcdefghijkl"), std::string::npos);
  EXPECT_NE(text.find("timeout"), std::string::npos) << text;
  LoginResult refused{LoginOutcome::kAuthFailure, 0x0201, "Failed to log in", {}};
  EXPECT_NE(refused.Describe().find("0x0201"), std::string::npos) << refused.Describe();
}

TEST(IscsiProbe, ReleaseOfAPendingLoginLeavesNothingRunning) {
  LoopbackPort port;
  port.Listen();
  IscsiProbe probe;
  const auto id = probe.Start(LoginTo(port.portal()));
  EXPECT_EQ(probe.state(id), SessionState::kLoggingIn);
  probe.Release(id);
  EXPECT_EQ(probe.state(id), SessionState::kReleased);
  probe.Pump(std::chrono::milliseconds(0));
  EXPECT_EQ(probe.state(id), SessionState::kReleased);
}

}  // namespace
}  // namespace chapcheck::conformance
