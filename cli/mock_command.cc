// chapcheck mock: the built-in mock gateway as a process.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "mocks/defects.h"
#include "mocks/gateway.h"
#include "mocks/iscsi_portal.h"
#include "mocks/server.h"

namespace chapcheck::cli {
namespace {

constexpr const char* kMockUsage =
    "usage: chapcheck mock [options]\n"
    "\n"
    "Serves the mock Storage Gateway (awsJson1_1 with SigV4) until SIGINT or SIGTERM. The first\n"
    "line printed is the address: \"chapcheck mock: listening on http://127.0.0.1:PORT\".\n"
    "\n"
    "  --listen HOST:PORT      where to listen (default 127.0.0.1:0, a free port)\n"
    "  --fixture FILE          the gateways, volumes, credentials and access keys to serve\n"
    "                          (default: the built-in fixture, see --print-fixture)\n"
    "  --defect NAME           break one clause of the contract (repeatable; see --list-defects)\n"
    "  --tls-cert FILE --tls-key FILE   serve HTTPS with this PEM certificate and key\n"
    "  --threads N             I/O threads (default 2)\n"
    "  --iscsi-listen HOST:PORT   also serve iSCSI: one portal per online iSCSI gateway, each on\n"
    "                          its own port (port 0: free ports; P: P, P+1, ... in fixture order),\n"
    "                          printed as \"chapcheck mock: iSCSI portal on HOST:PORT for gateway ID\"\n"
    "  --print-fixture         print what would be served (secrets shown as ***) and exit\n"
    "  --list-defects          print the defect switches and exit\n";

}  // namespace

int MockCommand(const Args& args, std::ostream& out, std::ostream& err) {
  mocks::ServerOptions server;
  mocks::GatewayOptions gateway_options;
  std::optional<std::string> fixture_file;
  bool print_fixture = false;
  std::optional<mocks::PortalOptions> portal;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--help" || a == "-h") {
      out << kMockUsage;
      return kExitOk;
    } else if (a == "--list-defects") {
      for (const auto& d : mocks::AllDefects()) out << d.name << "\n    breaks: " << d.breaks << "\n";
      return kExitOk;
    } else if (a == "--print-fixture") {
      print_fixture = true;
    } else if (a == "--listen" && has_value) {
      server.listen = args[++i];
    } else if (a == "--fixture" && has_value) {
      fixture_file = args[++i];
    } else if (a == "--defect" && has_value) {
      auto d = mocks::DefectByName(args[++i]);
      if (!d) {
        err << "chapcheck mock: unknown defect \"" << args[i] << "\" (see --list-defects)\n";
        return kExitUsage;
      }
      gateway_options.defects.Enable(*d);
    } else if (a == "--iscsi-listen" && has_value) {
      portal.emplace();
      portal->listen = args[++i];
    } else if (a == "--tls-cert" && has_value) {
      server.tls_cert_file = args[++i];
    } else if (a == "--tls-key" && has_value) {
      server.tls_key_file = args[++i];
    } else if (a == "--threads" && has_value) {
      const std::string& n = args[++i];
      if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos || std::stoi(n) < 1) {
        err << "chapcheck mock: --threads takes a number from 1 to 999\n";
        return kExitUsage;
      }
      server.threads = std::stoi(n);
    } else {
      err << "chapcheck mock: unknown option or missing value: " << a << "\n" << kMockUsage;
      return kExitUsage;
    }
  }

  std::string fixture_text(mocks::DefaultFixtureText());
  if (fixture_file) {
    std::ifstream in(*fixture_file, std::ios::binary);
    if (!in) {
      err << "chapcheck mock: cannot open " << *fixture_file << "\n";
      return kExitUsage;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    fixture_text = ss.str();
  }
  auto fixture = mocks::ParseFixture(fixture_text);
  if (!fixture) {
    err << "chapcheck mock: fixture " << (fixture_file ? *fixture_file : "<built-in>") << ": "
        << fixture.error().ToString() << "\n";
    return kExitUsage;
  }
  if (print_fixture) {
    out << mocks::DescribeFixture(*fixture) << "\n";
    return kExitOk;
  }

  // Block the stop signals before any thread starts, so that only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  mocks::Gateway gateway(std::move(fixture).value(), gateway_options);
  // The portals first: DescribeStorediSCSIVolumes reports their ports from the first request on.
  std::unique_ptr<mocks::IscsiPortals> portals;
  if (portal) {
    portal->threads = server.threads;
    auto p = mocks::IscsiPortals::Start(gateway, *portal);
    if (!p) {
      err << "chapcheck mock: " << p.error().ToString() << "\n";
      return kExitUsage;
    }
    portals = std::move(p).value();
  }
  auto started = mocks::MockServer::Start(gateway, server);
  if (!started) {
    err << "chapcheck mock: " << started.error().ToString() << "\n";
    return kExitUsage;
  }
  out << "chapcheck mock: listening on " << (*started)->url() << std::endl;
  if (portals) {
    for (const auto& a : portals->addresses()) {
      out << "chapcheck mock: iSCSI portal on " << a.HostPort() << " for gateway " << a.gateway_id << std::endl;
    }
  }
  for (auto d : gateway_options.defects.Enabled()) out << "chapcheck mock: defect on: " << mocks::NameOf(d) << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*started)->Stop();
  if (portals) portals->Stop();
  out << "chapcheck mock: stopped (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
  return kExitOk;
}

}  // namespace chapcheck::cli
