#include "mocks/server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <vector>

#include "protocol/awsjson.h"

namespace chapcheck::mocks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// One event loop per thread. One listener (on the first loop) hands each accepted connection to
// the loops in turn; a connection then lives on one thread from accept to close, so no strand or
// lock is needed on the I/O path. (Listeners of their own with SO_REUSEPORT would let a second,
// stale mock bind the same port and silently answer half the requests.)
struct Loop {
  asio::io_context ioc{1};
  // Keeps run() going while the loop has no connection yet (only the first loop listens).
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  std::thread thread;
};

struct MockServer::Impl {
  Gateway& gateway;
  ServerOptions options;
  std::atomic<std::size_t> connections{0};
  std::optional<ssl::context> tls;
  std::vector<std::unique_ptr<Loop>> loops;  // destroyed before `connections`: sessions decrement it
  std::unique_ptr<tcp::acceptor> acceptor;   // on loops[0]
  std::unique_ptr<asio::steady_timer> retry;  // re-arms accepting after a failure (e.g. no free fds)
  std::size_t next_loop = 0;
  std::atomic<bool> stopped{false};
  std::string scheme = "http";
  tcp::endpoint bound;

  Impl(Gateway& g, ServerOptions o) : gateway(g), options(std::move(o)) {}
  ~Impl() {
    retry.reset();
    acceptor.reset();
    loops.clear();
  }
  asio::io_context& NextLoop() { return loops[next_loop++ % loops.size()]->ioc; }
  void Accept();
  void StartSession(tcp::socket socket);
};

namespace {

// An error answer for requests the HTTP layer refuses before the gateway sees them.
http::response<http::string_body> Refusal(http::status status, std::string_view message) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, std::string(awsjson::kContentType));
  res.set("x-amzn-RequestId", "http-layer");
  res.body() = awsjson::ErrorBody("SerializationException", message, "");
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

// One connection. Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(MockServer::Impl& server, Args&&... args)
      : server_(server),
        stream_(std::forward<Args>(args)...),
        // Bounded: Beast's limits do not cover chunk extensions and trailers, so without a cap
        // one connection could grow this buffer until memory runs out.
        buffer_(server.options.header_limit + server.options.body_limit + (64u << 10)) {
    ++server_.connections;
    // Room for a typical request in one read: a small initial buffer splits every request over
    // two recvmsg calls.
    buffer_.reserve(4096);
  }
  ~Session() { --server_.connections; }

  void Run() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::Start, this->shared_from_this()));
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      DoRead();
    } else {
      Tcp().expires_after(server_.options.header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return;  // not TLS, or timed out: drop the connection
    DoRead();
  }

  void DoRead() {
    parser_.emplace();
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    // The first request must arrive within the header deadline; a kept-alive connection may idle
    // longer before its next one.
    // One read for header and body, under one deadline (one timer update per request: re-arming
    // timers is a syscall when the earliest deadline moves).
    Tcp().expires_after(first_ ? server_.options.header_timeout : server_.options.idle_timeout);
    first_ = false;
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return Refuse(ec);
    auto& req = parser_->get();
    HttpRequest in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    for (const auto& field : req) in.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    in.body = std::move(req.body());
    const bool keep_alive = req.keep_alive();
    HttpResponse out = server_.gateway.Handle(in);

    res_ = {};
    res_.version(req.version());
    res_.result(static_cast<unsigned>(out.status));
    for (const auto& [k, v] : out.headers) res_.set(k, v);
    res_.body() = std::move(out.body);
    res_.keep_alive(keep_alive);
    res_.prepare_payload();
    DoWrite();
  }

  // The HTTP layer refuses: answer when the client can still read an answer, then close.
  void Refuse(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || ec == http::error::partial_message) {
      return Shutdown();
    }
    refused_ = true;
    if (ec == http::error::body_limit) {
      res_ = Refusal(http::status::payload_too_large, "The request body is too large");
    } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      res_ = Refusal(http::status::request_header_fields_too_large, "The request headers are too large");
    } else {
      res_ = Refusal(http::status::bad_request, "Malformed HTTP request");
    }
    DoWrite();
  }

  void DoWrite() {
    Tcp().expires_after(server_.options.header_timeout);
    http::async_write(stream_, res_, beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (refused_) return Linger();
    if (!res_.keep_alive()) return Shutdown();
    DoRead();
  }

  // After refusing a request the client may still be sending it; closing now with unread input
  // makes the kernel reset the connection, and the client may lose the refusal. So stop sending,
  // then read and discard for a moment (at most 1 s and 1 MiB) before closing.
  void Linger() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      Tcp().expires_after(std::chrono::seconds(1));
      DrainSome();
    } else {
      Shutdown();
    }
  }

  void DrainSome() {
    stream_.async_read_some(asio::buffer(drain_), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (!ec && self->drained_ < (1u << 20)) self->DrainSome();
    });
  }

  void Shutdown() {
    beast::error_code ignored;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    } else {
      Tcp().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    }
  }

  MockServer::Impl& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  bool first_ = true;
  bool refused_ = false;
  std::size_t drained_ = 0;
  std::array<char, 4096> drain_;
};

Result<tcp::endpoint> ParseListen(const std::string& listen) {
  auto parsed = ParseListenAddress(listen);
  if (!parsed) return Error{"", "--listen: " + parsed.error().message};
  beast::error_code ec;
  const auto address = asio::ip::make_address(parsed->host, ec);
  if (ec) return Error{"", "--listen: \"" + parsed->host + "\" is not an IP address"};
  return tcp::endpoint(address, parsed->port);
}

}  // namespace

void MockServer::Impl::StartSession(tcp::socket socket) {
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls)->Run();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->Run();
  }
}

void MockServer::Impl::Accept() {
  acceptor->async_accept(NextLoop(), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopped) return;
      // e.g. too many open files: retrying at once would spin; wait a little, keep serving.
      retry->expires_after(std::chrono::milliseconds(50));
      retry->async_wait([this](beast::error_code e) {
        if (!e && !stopped) Accept();
      });
      return;
    }
    StartSession(std::move(socket));
    // Drain the backlog now rather than one connection per trip through the event loop, so that a
    // burst of new clients is not queued behind every busy connection's handlers.
    for (int i = 0; i < 256; ++i) {
      tcp::socket next = acceptor->accept(NextLoop(), ec);
      if (ec) break;  // would_block: the backlog is empty
      StartSession(std::move(next));
    }
    Accept();
  });
}

Result<ListenAddress> ParseListenAddress(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Error{"", "takes HOST:PORT, e.g. 127.0.0.1:0"};
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535) {
    return Error{"", "\"" + port + "\" is not a port (0..65535)"};
  }
  return ListenAddress{host, static_cast<std::uint16_t>(std::stoul(port))};
}

MockServer::MockServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MockServer::~MockServer() { Stop(); }

Result<std::unique_ptr<MockServer>> MockServer::Start(Gateway& gateway, const ServerOptions& options) {
  auto endpoint = ParseListen(options.listen);
  if (!endpoint) return endpoint.error();
  if (options.tls_cert_file.has_value() != options.tls_key_file.has_value()) {
    return Error{"", "--tls-cert and --tls-key go together"};
  }
  auto impl = std::make_unique<Impl>(gateway, options);
  if (options.tls_cert_file) {
    impl->tls.emplace(ssl::context::tls_server);
    beast::error_code ec;
    impl->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    impl->tls->use_certificate_chain_file(*options.tls_cert_file, ec);
    if (ec) return Error{"", "--tls-cert " + *options.tls_cert_file + ": " + ec.message()};
    impl->tls->use_private_key_file(*options.tls_key_file, ssl::context::pem, ec);
    if (ec) return Error{"", "--tls-key " + *options.tls_key_file + ": " + ec.message()};
    impl->scheme = "https";
  }
  const int threads = std::max(1, options.threads);
  for (int i = 0; i < threads; ++i) impl->loops.push_back(std::make_unique<Loop>());
  impl->acceptor = std::make_unique<tcp::acceptor>(impl->loops[0]->ioc);
  impl->retry = std::make_unique<asio::steady_timer>(impl->loops[0]->ioc);
  beast::error_code ec;
  impl->acceptor->open(endpoint->protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(*endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) impl->acceptor->non_blocking(true, ec);
  if (ec) return Error{"", "cannot listen on " + options.listen + ": " + ec.message()};
  impl->bound = impl->acceptor->local_endpoint();
  impl->Accept();
  for (auto& loop : impl->loops) {
    try {
      loop->thread = std::thread([io = &loop->ioc] { io->run(); });
    } catch (const std::system_error& e) {
      // Could not start a thread (a process limit): stop the ones that did start, then report.
      for (auto& l : impl->loops) l->ioc.stop();
      for (auto& l : impl->loops) {
        if (l->thread.joinable()) l->thread.join();
      }
      return Error{"", std::string("cannot start the server's threads: ") + e.what()};
    }
  }
  return std::unique_ptr<MockServer>(new MockServer(std::move(impl)));
}

std::string MockServer::url() const {
  const auto& ep = impl_->bound;
  const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  return impl_->scheme + "://" + host + ":" + std::to_string(ep.port());
}

std::uint16_t MockServer::port() const { return impl_->bound.port(); }

std::size_t MockServer::open_connections() const { return impl_->connections.load(); }

void MockServer::Stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  for (auto& loop : impl_->loops) loop->ioc.stop();
  for (auto& loop : impl_->loops) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  // No thread runs a loop now: close the listener here. Open connections close when the server
  // is destroyed (with the io_contexts and the sessions they still hold).
  beast::error_code ignored;
  impl_->acceptor->close(ignored);
}

}  // namespace chapcheck::mocks
