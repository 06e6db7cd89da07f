#include "mocks/server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "mocks/event_loops.h"
#include "mocks/request_reader.h"
#include "protocol/awsjson.h"

namespace chapcheck::mocks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// One event loop per thread (mocks/event_loops.h). One listener (on the first loop) hands each
// accepted connection to the loops in turn. (Listeners of their own with SO_REUSEPORT would let a
// second, stale mock bind the same port and silently answer half the requests.)

struct MockServer::Impl {
  Gateway& gateway;
  ServerOptions options;
  std::atomic<std::size_t> connections{0};
  std::optional<ssl::context> tls;
  EventLoops loops{options.threads};         // destroyed before `connections`: sessions decrement it
  std::unique_ptr<tcp::acceptor> acceptor;   // on loops.First()
  std::unique_ptr<asio::steady_timer> retry;  // re-arms accepting after a failure (e.g. no free fds)
  std::atomic<bool> stopped{false};
  std::string scheme = "http";
  tcp::endpoint bound;

  Impl(Gateway& g, ServerOptions o) : gateway(g), options(std::move(o)) {}
  ~Impl() {
    retry.reset();
    acceptor.reset();
    loops.Clear();
  }
  void Accept();
  void StartSession(tcp::socket socket);
};

namespace {

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// Writes an HTTP/1.x response into `out` (cleared first, its capacity reused): the status line,
// `headers` in order, then Connection when the version's default needs overriding, then
// Content-Length, then the body; `version` is the request's (10 for HTTP/1.0). These are the
// bytes Beast's serializer wrote for a response built with set(), keep_alive() and
// prepare_payload(), without building a message per request.
void WriteResponse(std::string& out, unsigned version, int status,
                   const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
                   bool keep_alive) {
  out.clear();
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10 % 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  out += std::to_string(status);
  out += ' ';
  out += View(http::obsolete_reason(static_cast<http::status>(status)));
  out += "\r\n";
  for (const auto& [name, value] : headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
  out += "Content-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
}

// An error answer for requests the HTTP layer refuses before the gateway sees them; the
// connection closes after it.
void WriteRefusal(std::string& out, http::status status, std::string_view message) {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", std::string(awsjson::kContentType)}, {"x-amzn-RequestId", "http-layer"}};
  WriteResponse(out, 11, static_cast<int>(status), headers, awsjson::ErrorBody("SerializationException", message, ""),
                /*keep_alive=*/false);
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
        buffer_(server.options.header_limit + server.options.body_limit + (64u << 10)),
        timer_(stream_.get_executor()) {
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

  // Deadlines. Each phase (TLS handshake, request, response, lingering) moves deadline_; one timer
  // per connection wakes at the earliest deadline it was armed for, closes the socket if the
  // current deadline has passed (the pending operation then fails), and otherwise sleeps again
  // until it. Moving a deadline later, as every kept-alive request does, costs no timer operation
  // (Beast's stream timeouts armed and cancelled a timer wait for every read and write). The
  // timer holds the session weakly: a connection whose I/O has ended is freed at once.
  void SetDeadline(std::chrono::steady_clock::duration after) {
    deadline_ = std::chrono::steady_clock::now() + after;
    if (!timer_armed_ || deadline_ < timer_.expiry()) ArmTimer();
  }

  void ArmTimer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);  // cancels an earlier wait: its handler sees operation_aborted
    timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      const auto self = weak.lock();
      if (!self || ec == asio::error::operation_aborted) return;
      self->timer_armed_ = false;
      if (std::chrono::steady_clock::now() < self->deadline_) return self->ArmTimer();
      beast::error_code ignored;
      self->Tcp().socket().close(ignored);
    });
  }

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      DoRead();
    } else {
      SetDeadline(server_.options.header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return;  // not TLS, or timed out: drop the connection
    DoRead();
  }

  void DoRead() {
    parser_.emplace(in_);  // reads into in_, reusing the capacity of its strings
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    // The first request must arrive within the header deadline; a kept-alive connection may idle
    // longer before its next one.
    // One read for header and body, under one deadline (one timer update per request: re-arming
    // timers is a syscall when the earliest deadline moves).
    SetDeadline(first_ ? server_.options.header_timeout : server_.options.idle_timeout);
    first_ = false;
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return Refuse(ec);
    keep_alive_ = parser_->keep_alive();  // every Connection field counts (request_reader.h)
    const HttpResponse out = server_.gateway.Handle(in_);
    // The next request reuses the body's capacity, unless it was large: an idle connection
    // should not hold a megabyte.
    if (in_.body.capacity() > kKeepBodyBytes) {
      std::string().swap(in_.body);
    } else {
      in_.body.clear();
    }
    WriteResponse(out_, static_cast<unsigned>(parser_->version()), out.status, out.headers, out.body, keep_alive_);
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
      WriteRefusal(out_, http::status::payload_too_large, "The request body is too large");
    } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      WriteRefusal(out_, http::status::request_header_fields_too_large, "The request headers are too large");
    } else {
      WriteRefusal(out_, http::status::bad_request, "Malformed HTTP request");
    }
    DoWrite();
  }

  // One buffer: header and body leave in one sendmsg. Over plain TCP the response is first
  // offered to the (non-blocking) socket directly, which takes all of it unless the client has
  // stopped reading; only the rest goes through the event loop, under the deadline. (An
  // asynchronous write costs a reactor operation and a timer wait per response.)
  void DoWrite() {
    std::size_t sent = 0;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ec;
      sent = stream_.socket().write_some(asio::buffer(out_), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        sent = 0;
      } else if (ec || sent == out_.size()) {
        // Completed (or failed) now; continue from the loop, as an asynchronous write would.
        asio::post(stream_.get_executor(),
                   beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), ec, sent));
        return;
      }
    }
    SetDeadline(server_.options.header_timeout);
    asio::async_write(stream_, asio::buffer(out_) + sent,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (refused_) return Linger();
    if (!keep_alive_) return Shutdown();
    DoRead();
  }

  // After refusing a request the client may still be sending it; closing now with unread input
  // makes the kernel reset the connection, and the client may lose the refusal. So stop sending,
  // then read and discard for a moment (at most 1 s and 1 MiB) before closing.
  void Linger() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      SetDeadline(std::chrono::seconds(1));
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
      SetDeadline(std::chrono::seconds(1));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    }
  }

  MockServer::Impl& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestReader> parser_;
  static constexpr std::size_t kKeepBodyBytes = 64 * 1024;
  HttpRequest in_;    // the request being served, its strings reused from one request to the next
  std::string out_;   // the response being written
  bool keep_alive_ = false;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_;
  bool timer_armed_ = false;  // a wait on timer_ is pending for its current expiry
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
  socket.non_blocking(true, ignored);  // Session::DoWrite writes directly first
  if (tls) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls)->Run();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->Run();
  }
}

void MockServer::Impl::Accept() {
  acceptor->async_accept(loops.Next(), [this](beast::error_code ec, tcp::socket socket) {
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
      tcp::socket next = acceptor->accept(loops.Next(), ec);
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
  impl->acceptor = std::make_unique<tcp::acceptor>(impl->loops.First());
  impl->retry = std::make_unique<asio::steady_timer>(impl->loops.First());
  beast::error_code ec;
  impl->acceptor->open(endpoint->protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(*endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) impl->acceptor->non_blocking(true, ec);
  if (ec) return Error{"", "cannot listen on " + options.listen + ": " + ec.message()};
  impl->bound = impl->acceptor->local_endpoint();
  impl->Accept();
  if (auto why = impl->loops.Start()) return Error{"", "cannot start the server's threads: " + *why};
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
  impl_->loops.Stop();
  // No thread runs a loop now: close the listener here. Open connections close when the server
  // is destroyed (with the io_contexts and the sessions they still hold).
  beast::error_code ignored;
  impl_->acceptor->close(ignored);
}

}  // namespace chapcheck::mocks
