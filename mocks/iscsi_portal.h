// IscsiPortals: the mock gateway's data plane, an iSCSI portal (RFC 7143 over TCP) for every
// online gateway that speaks iSCSI (STORED, CACHED, VTL), each on its own address.
//
// Why one portal per gateway: the default fixture's gateways mygateway and sgw-12A3456B both
// have a volume with the target IQN iqn.1997-05.com.amazon:myvolume. A real AWS gateway is its own
// host with its own portal, so a TargetName is unique only per portal; the mock does the same.
// Each portal serves the targets of its gateway's volumes (one LUN 0 each, sparse in memory).
// An offline gateway or one without iSCSI serves no portal. DescribeStorediSCSIVolumes reports
// each volume's gateway portal (Gateway::SetGatewayPortal).
//
// Start() installs the portals as the Gateway's ConnectionCloser: when UpdateChapCredentials is
// accepted, Close() closes the TCP connections on that target (honouring all_targets, initiator
// and delay from the CloseRequest) and returns only once they are closed, so the HTTP response
// goes out after the close. Discovery sessions and other targets are not touched.
//
// Threads: Start() from any thread; the portals run on their own threads (one event loop each;
// a connection lives on one loop from accept to close) until Stop() or destruction. Close() may
// be called from any thread, including a portal thread. Destroy the portals only after the HTTP
// server in front of the same Gateway has stopped; the Gateway must outlive them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "mocks/gateway.h"

namespace chapcheck::mocks {

struct PortalOptions {
  // HOST:PORT. Port 0: a free port for each gateway. Port P: the gateways, in fixture order,
  // get P, P+1, ...
  std::string listen = "127.0.0.1:0";
  int threads = 2;
  std::chrono::milliseconds login_timeout{15000};  // a connection must log in within this
  std::chrono::milliseconds close_wait{5000};      // Close() waits at most this long
  std::size_t memory_budget = 64u << 20;           // stored data per volume
};

struct PortalAddress {
  std::string gateway_arn;
  std::string gateway_id;  // e.g. sgw-12A3456B
  std::string host;
  std::uint16_t port = 0;
  std::string HostPort() const;  // "127.0.0.1:3260" ("[::1]:3260")
};

class IscsiPortals {
 public:
  static Result<std::unique_ptr<IscsiPortals>> Start(Gateway& gateway, const PortalOptions& options);
  ~IscsiPortals();
  IscsiPortals(const IscsiPortals&) = delete;
  IscsiPortals& operator=(const IscsiPortals&) = delete;

  // One per serving gateway, in fixture order.
  const std::vector<PortalAddress>& addresses() const;
  // By gateway id ("sgw-12A3456B") or ARN.
  std::optional<PortalAddress> Find(std::string_view gateway) const;

  // The ConnectionCloser (see above).
  void Close(const CloseRequest& request);

  // Open TCP connections, and those among them in the full feature phase (tests, benchmarks).
  std::size_t open_connections() const;
  std::size_t logged_in() const;

  void Stop();

  struct Impl;

 private:
  explicit IscsiPortals(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chapcheck::mocks
