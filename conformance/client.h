// Client: sends requests to an endpoint (http:// or https://) over one kept-alive connection,
// signing them with SigV4 as each case asks, and returns what came back. Used by the suite for
// cases and for the read-only calls around them (DescribeChapCredentials snapshots).
//
// One Client per thread; it reconnects when the server closed the connection. Errors (refused,
// reset, timed out, TLS failure) are values, never exceptions. Nothing here prints secrets.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "generators/cases.h"
#include "protocol/sigv4.h"

namespace chapcheck::conformance {

struct EndpointConfig {
  std::string url;  // http://HOST:PORT or https://HOST[:PORT]
  std::string region = "us-east-1";
  std::string service = "storagegateway";
  sigv4::Credentials credentials;
  bool verify_tls = true;  // verify the server's certificate (off for a self-signed test server)
  std::chrono::milliseconds timeout{10000};
  // The clock requests are signed with; the system clock unless a test sets one.
  std::function<std::chrono::system_clock::time_point()> clock;
};

struct Exchange {
  sigv4::Request request;  // as sent, signed (Authorization included)
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::microseconds elapsed{0};
  std::string transport_error;  // non-empty: no HTTP answer (refused, reset, timeout, TLS)

  const std::string* Header(std::string_view name) const;  // case-insensitive
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> Create(EndpointConfig config);
  ~Client();

  // Signs the request as `auth` says and sends it. `request.path` is the request-target.
  Exchange Send(const spec::Request& request, generators::AuthMode auth);
  // Sends the requests pipelined on the kept-alive connection (written together, answers read in
  // order; one signing time for all) and returns one Exchange per request. What the connection
  // loses (it closes or fails before answering) is sent again one at a time; an answer that does
  // not come within the timeout is that request's transport error. Over TLS, one at a time.
  std::vector<Exchange> SendPipelined(const std::vector<std::pair<const spec::Request*, generators::AuthMode>>& requests);
  // Sends an awsJson1_1 call of another operation (e.g. DescribeChapCredentials), signed.
  Exchange Call(const std::string& target_prefix, const std::string& operation, const std::string& body);

  const EndpointConfig& config() const { return config_; }

 private:
  struct Connection;
  explicit Client(EndpointConfig config);
  std::string Open();  // connects (and handshakes); the error text, or "" when open
  std::string HostHeader() const;
  EndpointConfig config_;
  std::string host_, port_;
  bool tls_ = false;
  std::unique_ptr<Connection> connection_;
};

// An answer worth sending again after a pause, not judging: 503, ThrottlingException, or the
// gateway's GatewayProxyNetworkConnectionBusy.
bool IsTransient(const Exchange& exchange);

// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or, with a
// profile name, from ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE overrides the path).
Result<sigv4::Credentials> CredentialsFromEnvironment(const std::optional<std::string>& profile);

}  // namespace chapcheck::conformance
