// Gateway: the mock's control plane, one HTTP request in, one HTTP response out, independent of
// any transport (mocks/server.h serves it over HTTP/1.1 and TLS; tests and fuzz targets call it
// directly). A second, hand-written implementation of the awsJson1_1 contract of AWS Storage
// Gateway's CHAP operations: it does not read spec/, so harness-versus-mock is a cross-check.
//
// Order of judgement (FACTS.md): SigV4, then the operation (method, path, X-Amz-Target), then
// serialization, then member rules (InvalidParameters), then the ARN form (TargetInvalid), then
// the look-ups (gateway, then target). Defect switches (mocks/defects.h) bend one clause each.
//
// When UpdateChapCredentials is accepted the gateway asks the data plane to close the target's
// connections (ConnectionCloser) before it returns the response.
// Thread-safety: Handle() may be called from any number of threads at once (with the response
// form, each with its own response). Set the closer and the clock before serving.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mocks/defects.h"
#include "mocks/gateway_state.h"
#include "protocol/sigv4.h"

namespace chapcheck::mocks {

using HttpRequest = sigv4::Request;

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  const std::string* Header(std::string_view name) const;  // case-insensitive
};

// What the control plane asks of the data plane when credentials change.
struct CloseRequest {
  std::string target_arn;                // the target whose connections close
  bool all_targets = false;              // every target (a defect)
  std::optional<std::string> initiator;  // only this initiator's connections (a defect)
  std::chrono::milliseconds delay{0};    // close this long after the response (a defect)
  std::string reason;                    // for logs
};
using ConnectionCloser = std::function<void(const CloseRequest&)>;

struct GatewayOptions {
  DefectSet defects;
  // The clock SigV4 checks request times against; the system clock unless a test sets one.
  std::function<std::chrono::system_clock::time_point()> clock;
  // Where DescribeStorediSCSIVolumes says the iSCSI portal is.
  std::string portal_address = "127.0.0.1";
  int portal_port = 3260;
};

class Gateway {
 public:
  Gateway(Fixture fixture, GatewayOptions options);

  HttpResponse Handle(const HttpRequest& request);
  // The same answer written into `response`, whose header list and strings are reused (their
  // capacity kept): for a caller that answers request after request with one response.
  void Handle(const HttpRequest& request, HttpResponse& response);

  void SetConnectionCloser(ConnectionCloser closer) { closer_ = std::move(closer); }
  void SetPortal(std::string address, int port);
  // Where one gateway's own portal listens (mocks/iscsi_portal.h); DescribeStorediSCSIVolumes
  // reports it for that gateway's volumes, SetPortal's address for the others. Any thread.
  void SetGatewayPortal(const std::string& gateway_arn, std::string address, int port);
  GatewayState& state() { return state_; }
  const DefectSet& defects() const { return options_.defects; }

 private:
  struct Call;  // one request in flight (gateway.cc)
  HttpResponse Answer(Call& call);
  HttpResponse UpdateChapCredentials(Call& call);
  HttpResponse DescribeChapCredentials(Call& call);
  HttpResponse DeleteChapCredentials(Call& call);
  HttpResponse ListVolumes(Call& call);
  HttpResponse DescribeStorediSCSIVolumes(Call& call);
  // The target look-ups of the read and delete operations: nullopt when the target is there.
  std::optional<HttpResponse> FindTarget(Call& call, const std::string& arn);
  void Close(const CloseRequest& request);

  GatewayState state_;
  GatewayOptions options_;
  ConnectionCloser closer_;
  mutable std::mutex portals_mu_;
  std::map<std::string, std::pair<std::string, int>> portals_;  // gateway ARN -> address, port
};

}  // namespace chapcheck::mocks
