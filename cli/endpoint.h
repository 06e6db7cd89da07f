// Where `run` and `replay` send requests: the caller's endpoint (credentials from the AWS
// environment or a profile), or the built-in mock started in process on a free port with the
// default fixture, its first access key, and the given defect switches; with `iscsi`, also its
// iSCSI portals (one per online iSCSI gateway, free ports). The mock lives as long as the Endpoint.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "conformance/client.h"
#include "mocks/gateway.h"
#include "mocks/iscsi_portal.h"
#include "mocks/server.h"

namespace chapcheck::cli {

struct EndpointOptions {
  std::optional<std::string> url;  // none: the built-in mock
  std::optional<std::string> profile;
  std::string region = "us-east-1";
  bool insecure = false;
  mocks::DefectSet defects;  // the built-in mock only
  bool iscsi = false;        // the built-in mock only: serve its iSCSI portals too
};

struct Endpoint {
  conformance::EndpointConfig config;
  std::optional<mocks::Fixture> fixture;  // the built-in mock's
  std::unique_ptr<mocks::Gateway> gateway;
  std::unique_ptr<mocks::IscsiPortals> portals;  // destroyed after the server, before the gateway
  std::unique_ptr<mocks::MockServer> server;
  bool built_in() const { return server != nullptr; }
};

Result<Endpoint> OpenEndpoint(const EndpointOptions& options);

// Takes args[i] (and its value, advancing i) when it is a flag every endpoint command shares:
// --endpoint URL, --region R, --profile P, --insecure, --defect NAME. Returns false when args[i]
// is none of them; sets `error` when it is one with a bad or missing value.
bool TakeEndpointFlag(const std::vector<std::string>& args, std::size_t& i, EndpointOptions& options, std::string& error);

}  // namespace chapcheck::cli
