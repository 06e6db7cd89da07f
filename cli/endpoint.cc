#include "cli/endpoint.h"

namespace chapcheck::cli {

Result<Endpoint> OpenEndpoint(const EndpointOptions& options) {
  Endpoint e;
  e.config.region = options.region;
  e.config.verify_tls = !options.insecure;
  if (options.url) {
    if (!options.defects.empty()) return Error{"", "--defect applies to the built-in mock only"};
    auto creds = conformance::CredentialsFromEnvironment(options.profile);
    if (!creds) return creds.error();
    e.config.credentials = std::move(creds).value();
    e.config.url = *options.url;
    return e;
  }
  auto fixture = mocks::ParseFixture(mocks::DefaultFixtureText());
  if (!fixture || fixture->access_keys.empty()) return Error{"", "the built-in fixture does not load"};
  e.config.credentials =
      sigv4::Credentials{fixture->access_keys.front().id, fixture->access_keys.front().secret, ""};
  e.config.region = fixture->region;
  e.fixture = *fixture;
  mocks::GatewayOptions gateway_options;
  gateway_options.defects = options.defects;
  e.gateway = std::make_unique<mocks::Gateway>(std::move(fixture).value(), gateway_options);
  if (options.iscsi) {  // before the HTTP server: DescribeStorediSCSIVolumes reports the portals
    auto portals = mocks::IscsiPortals::Start(*e.gateway, mocks::PortalOptions{});
    if (!portals) return Error{"", "cannot start the built-in mock's iSCSI portals: " + portals.error().ToString()};
    e.portals = std::move(portals).value();
  }
  auto started = mocks::MockServer::Start(*e.gateway, mocks::ServerOptions{});
  if (!started) return Error{"", "cannot start the built-in mock: " + started.error().ToString()};
  e.server = std::move(started).value();
  e.config.url = e.server->url();
  return e;
}

bool TakeEndpointFlag(const std::vector<std::string>& args, std::size_t& i, EndpointOptions& options, std::string& error) {
  const std::string& a = args[i];
  if (a == "--insecure") {
    options.insecure = true;
    return true;
  }
  if (a != "--endpoint" && a != "--region" && a != "--profile" && a != "--defect") return false;
  if (i + 1 >= args.size()) {
    error = a + " needs a value";
    return true;
  }
  const std::string& value = args[++i];
  if (a == "--endpoint") {
    options.url = value;
  } else if (a == "--region") {
    options.region = value;
  } else if (a == "--profile") {
    options.profile = value;
  } else if (auto d = mocks::DefectByName(value)) {
    options.defects.Enable(*d);
  } else {
    error = "unknown defect \"" + value + "\" (chapcheck mock --list-defects)";
  }
  return true;
}

}  // namespace chapcheck::cli
