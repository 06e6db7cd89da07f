// chapcheck-iscsi-sessions: how many concurrent logged-in iSCSI sessions a portal holds, and how
// fast. Logs in N sessions with CHAP (one TCP connection each, all kept open), pings each once,
// and against the built-in mock also times the UpdateChapCredentials that closes them all.
// Prints numbers; bench/iscsi_sessions runs it against the mock and against tgtd.
//
// usage: chapcheck-iscsi-sessions [--sessions N] [--portal HOST:PORT --target IQN
//                                  --initiator IQN --secret S]
// Without --portal it starts the mock's portals in process (default fixture, 2 threads).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "mocks/iscsi_portal.h"
#include "mocks/iscsi_test_client.h"
#include "mocks/iscsi_test_initiator.h"
#include "mocks/mock_test_support.h"

using namespace chapcheck;
using namespace chapcheck::mocks;
using namespace chapcheck::mocks::testing;
using Clock = std::chrono::steady_clock;

namespace {

struct Session {
  Client client;
  TestInitiator initiator;
  LoginResult login;
  Session(const std::string& host, std::uint16_t port) : client(port, host), initiator(client.exchange()) {}
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Rss() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return line.substr(6);
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1000;
  std::string host = "127.0.0.1", target = kMyVolumeIqn, initiator = kFixtureInitiator, secret = "111111111111";
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--sessions") {
      n = std::stoi(v);
    } else if (a == "--portal") {
      host = v.substr(0, v.rfind(':'));
      port = std::stoi(v.substr(v.rfind(':') + 1));
    } else if (a == "--target") {
      target = v;
    } else if (a == "--initiator") {
      initiator = v;
    } else if (a == "--secret") {
      secret = v;
    } else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<IscsiPortals> portals;
  if (port == 0) {
    gateway = std::make_unique<Gateway>(DefaultFixture(), Options());
    auto started = IscsiPortals::Start(*gateway, PortalOptions{});
    if (!started) {
      std::cerr << started.error().ToString() << "\n";
      return 1;
    }
    portals = std::move(started).value();
    port = portals->Find("sgw-12A3456B")->port;
  }
  std::cout << "portal " << host << ":" << port << (portals ? " (chapcheck mock, in process, 2 threads)" : "") << "\n";

  LoginParams p;
  p.initiator = initiator;
  p.target = target;
  p.secret = Secret(secret);
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<double> login_ms;
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    auto s = std::make_unique<Session>(host, static_cast<std::uint16_t>(port));
    s->login = s->initiator.Login(p);
    login_ms.push_back(Ms(Clock::now() - t0));
    if (!s->login.ok) {
      std::cout << "login " << i << " failed: " << s->login.failure << "\n";
      return 1;
    }
    sessions.push_back(std::move(s));
  }
  const double total = Ms(Clock::now() - start);
  std::sort(login_ms.begin(), login_ms.end());
  std::cout << "logins: " << n << " concurrent sessions in " << total << " ms (" << n / (total / 1000) << "/s), p50 "
            << login_ms[login_ms.size() / 2] << " ms, p99 " << login_ms[login_ms.size() * 99 / 100] << " ms\n";
  if (portals) std::cout << "portal says logged in: " << portals->logged_in() << "\n";

  const auto ping0 = Clock::now();
  int pinged = 0;
  for (auto& s : sessions) pinged += s->initiator.Ping() ? 1 : 0;
  std::cout << "pings: " << pinged << "/" << n << " answered in " << Ms(Clock::now() - ping0) << " ms\n";
  std::cout << "RSS of this process" << (portals ? " (portal and clients)" : " (clients)") << ":" << Rss() << "\n";

  if (gateway) {
    const auto u0 = Clock::now();
    const auto answer = gateway->Handle(Signed("UpdateChapCredentials", UpdateBody()));
    const double update = Ms(Clock::now() - u0);
    int closed = 0;
    for (auto& s : sessions) closed += s->client.ClosedWithin(1000) ? 1 : 0;
    std::cout << "UpdateChapCredentials: status " << answer.status << ", closing " << n << " connections took "
              << update << " ms; clients that saw their connection closed: " << closed << "/" << n << "\n";
  }
  return 0;
}
