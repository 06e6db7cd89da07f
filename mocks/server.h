// MockServer: serves a Gateway over HTTP/1.1 (keep-alive, pipelined requests answered in order),
// optionally over TLS, on an address of the caller's choosing (port 0 picks a free one).
//
// Built on Boost.Beast in the style of its async examples: one session object per connection,
// do_read/on_read/do_write/on_write, each connection on its own strand. Limits protect the other
// clients: a request body limit (413), a header size limit (431), a deadline for each request's
// headers and an idle timeout between keep-alive requests; a malformed request gets 400 and the
// connection is closed.
//
// Start() may be called from any thread; the server runs on its own threads until Stop() (or
// destruction). Stop() is idempotent: it stops accepting and joins the threads; connections still
// open are closed when the server is destroyed. The Gateway must outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "mocks/gateway.h"

namespace chapcheck::mocks {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT
  std::optional<std::string> tls_cert_file;  // PEM; both or neither
  std::optional<std::string> tls_key_file;
  std::size_t body_limit = 1 << 20;
  std::size_t header_limit = 16 << 10;
  std::chrono::milliseconds header_timeout{10000};  // to receive a request's headers
  std::chrono::milliseconds idle_timeout{60000};    // between requests on a kept-alive connection
  int threads = 2;
};

// HOST:PORT as --listen takes it (IPv6 in brackets, "localhost" is 127.0.0.1); the host is not
// resolved here.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(const std::string& listen);

class MockServer {
 public:
  static Result<std::unique_ptr<MockServer>> Start(Gateway& gateway, const ServerOptions& options);
  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // "http://127.0.0.1:41234" or "https://...".
  std::string url() const;
  std::uint16_t port() const;
  // Connections currently open (for tests and benchmarks).
  std::size_t open_connections() const;
  void Stop();

  struct Impl;

 private:
  explicit MockServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chapcheck::mocks
