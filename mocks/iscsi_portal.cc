#include "mocks/iscsi_portal.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "mocks/event_loops.h"
#include "mocks/iscsi_backend.h"
#include "mocks/iscsi_session.h"
#include "mocks/server.h"

namespace chapcheck::mocks {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Counts closes down; Wait() returns when all are done or the time is up.
class Latch {
 public:
  explicit Latch(std::size_t n) : left_(n) {}
  void Done() {
    std::lock_guard lock(mu_);
    if (left_ > 0 && --left_ == 0) cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return left_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t left_;
};

}  // namespace

class PortalConnection;

struct IscsiPortals::Impl {
  struct Listener {
    PortalAddress address;
    std::shared_ptr<const IscsiSessionConfig> config;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<asio::steady_timer> retry;
  };

  Gateway& gateway;
  PortalOptions options;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> logged_in{0};
  std::mutex registry_mu;
  std::unordered_map<PortalConnection*, std::weak_ptr<PortalConnection>> registry;
  EventLoops loops{options.threads};                 // mocks/event_loops.h
  std::vector<std::unique_ptr<Listener>> listeners;  // their acceptors live on loops.First()
  std::vector<PortalAddress> addresses;
  std::atomic<bool> stopped{false};

  Impl(Gateway& g, PortalOptions o) : gateway(g), options(std::move(o)) {}
  ~Impl() {
    listeners.clear();
    loops.Clear();  // destroys the remaining connections, which still use registry and counters
  }
  void Accept(Listener& l);
  void Close(const CloseRequest& request, bool wait);
};

// One TCP connection: bytes go through an IscsiSession; in the style of the HTTP server, one
// object per connection, do_read/on_read/do_write/on_write, living on one loop.
class PortalConnection : public std::enable_shared_from_this<PortalConnection> {
 public:
  PortalConnection(IscsiPortals::Impl& portal, asio::io_context& ioc, tcp::socket socket,
                   std::shared_ptr<const IscsiSessionConfig> config)
      : portal_(portal), ioc_(ioc), socket_(std::move(socket)), timer_(ioc), session_(std::move(config)) {
    ++portal_.connections;
  }
  ~PortalConnection() {
    {
      std::lock_guard lock(portal_.registry_mu);
      portal_.registry.erase(this);
    }
    if (counted_) --portal_.logged_in;
    --portal_.connections;
  }

  void Start() {
    {
      std::lock_guard lock(portal_.registry_mu);
      portal_.registry.emplace(this, weak_from_this());
    }
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    timer_.expires_after(portal_.options.login_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && !self->session_.full_feature()) self->Finish();
    });
    DoRead();
  }

  asio::io_context& ioc() { return ioc_; }

  bool Matches(const CloseRequest& r) {
    std::lock_guard lock(id_mu_);
    if (target_.empty()) return false;  // discovery sessions, or not yet named
    if (!r.all_targets && target_ != r.target_arn) return false;
    return !r.initiator || *r.initiator == initiator_;
  }

  // On this connection's loop: close the socket now (the initiator sees the TCP close).
  void Finish() {
    if (finished_) return;
    finished_ = true;
    error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void DoRead() {
    socket_.async_read_some(asio::buffer(in_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->OnRead(ec, n);
    });
  }

  void OnRead(error_code ec, std::size_t n) {
    if (ec || finished_) return Finish();
    IscsiSession::Output o = session_.Feed(std::span<const std::uint8_t>(in_.data(), n));
    Publish();
    if (o.bytes.empty()) {
      if (o.close) return Finish();
      return DoRead();
    }
    out_ = std::move(o.bytes);
    close_after_write_ = o.close;
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](error_code e, std::size_t) {
      self->OnWrite(e);
    });
  }

  void OnWrite(error_code ec) {
    if (ec || close_after_write_ || finished_) return Finish();
    DoRead();
  }

  // Tells the registry who this connection is, once known.
  void Publish() {
    if (!published_ && !session_.initiator().empty()) {
      std::lock_guard lock(id_mu_);
      target_ = session_.target_arn();
      initiator_ = session_.initiator();
      published_ = true;
    }
    if (!counted_ && session_.full_feature()) {
      counted_ = true;
      ++portal_.logged_in;
      timer_.cancel();
    }
  }

  IscsiPortals::Impl& portal_;
  asio::io_context& ioc_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  IscsiSession session_;
  std::array<std::uint8_t, 16384> in_;
  std::vector<std::uint8_t> out_;
  bool close_after_write_ = false;
  bool finished_ = false;
  bool published_ = false;
  bool counted_ = false;
  std::mutex id_mu_;
  std::string target_, initiator_;
};

void IscsiPortals::Impl::Accept(Listener& l) {
  asio::io_context& ioc = loops.Next();  // on loops.First() only
  l.acceptor->async_accept(ioc, [this, &l, &ioc](error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopped) return;
      // e.g. too many open files: wait a little rather than spin, keep serving.
      l.retry->expires_after(std::chrono::milliseconds(50));
      l.retry->async_wait([this, &l](error_code e) {
        if (!e && !stopped) Accept(l);
      });
      return;
    }
    auto c = std::make_shared<PortalConnection>(*this, ioc, std::move(socket), l.config);
    asio::post(ioc, [c] { c->Start(); });
    Accept(l);
  });
}

void IscsiPortals::Impl::Close(const CloseRequest& request, bool wait) {
  if (stopped) return;
  if (request.delay.count() > 0) {
    auto timer = std::make_shared<asio::steady_timer>(loops.First(), request.delay);
    CloseRequest now = request;
    now.delay = std::chrono::milliseconds(0);
    timer->async_wait([this, timer, now](error_code ec) {
      if (!ec) Close(now, false);
    });
    return;
  }
  std::vector<std::shared_ptr<PortalConnection>> matching;
  {
    std::lock_guard lock(registry_mu);
    for (auto& [raw, weak] : registry) {
      if (auto c = weak.lock(); c && c->Matches(request)) matching.push_back(std::move(c));
    }
  }
  auto latch = std::make_shared<Latch>(matching.size());
  for (auto& c : matching) {
    if (c->ioc().get_executor().running_in_this_thread()) {
      c->Finish();  // already on its loop: waiting for a posted close would deadlock
      latch->Done();
    } else {
      asio::post(c->ioc(), [c, latch] {
        c->Finish();
        latch->Done();
      });
    }
  }
  if (wait) latch->Wait(options.close_wait);
}

std::string PortalAddress::HostPort() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

IscsiPortals::IscsiPortals(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IscsiPortals::~IscsiPortals() {
  Stop();
  impl_->gateway.SetConnectionCloser({});
}

Result<std::unique_ptr<IscsiPortals>> IscsiPortals::Start(Gateway& gateway, const PortalOptions& options) {
  auto listen = ParseListenAddress(options.listen);
  if (!listen) return Error{"", "--iscsi-listen: " + listen.error().message};
  error_code ec;
  const auto address = asio::ip::make_address(listen->host, ec);
  if (ec) return Error{"", "--iscsi-listen: \"" + listen->host + "\" is not an IP address"};
  auto impl = std::make_unique<Impl>(gateway, options);

  std::uint16_t next_port = listen->port;
  for (const GatewayInfo& g : gateway.state().Gateways()) {
    if (!g.online || !g.HasIscsi()) continue;
    auto l = std::make_unique<Impl::Listener>();
    l->acceptor = std::make_unique<tcp::acceptor>(impl->loops.First());
    l->retry = std::make_unique<asio::steady_timer>(impl->loops.First());
    const tcp::endpoint endpoint(address, next_port);
    l->acceptor->open(endpoint.protocol(), ec);
    if (!ec) l->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) l->acceptor->bind(endpoint, ec);
    if (!ec) l->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error{"", "cannot listen on " + listen->host + ":" + std::to_string(next_port) + " for gateway " + g.id +
                           ": " + ec.message()};
    }
    if (next_port != 0) ++next_port;
    l->address = PortalAddress{g.arn, g.id, listen->host, l->acceptor->local_endpoint().port()};
    l->config = MakeIscsiConfig(gateway, g.arn, l->address.HostPort(), options.memory_budget);
    gateway.SetGatewayPortal(g.arn, l->address.host, l->address.port);
    impl->addresses.push_back(l->address);
    impl->listeners.push_back(std::move(l));
  }
  for (auto& l : impl->listeners) impl->Accept(*l);
  if (auto why = impl->loops.Start()) return Error{"", "cannot start the portal's threads: " + *why};
  Impl* raw = impl.get();
  gateway.SetConnectionCloser([raw](const CloseRequest& r) { raw->Close(r, true); });
  return std::unique_ptr<IscsiPortals>(new IscsiPortals(std::move(impl)));
}

const std::vector<PortalAddress>& IscsiPortals::addresses() const { return impl_->addresses; }

std::optional<PortalAddress> IscsiPortals::Find(std::string_view gateway) const {
  for (const auto& a : impl_->addresses) {
    if (a.gateway_id == gateway || a.gateway_arn == gateway) return a;
  }
  return std::nullopt;
}

void IscsiPortals::Close(const CloseRequest& request) { impl_->Close(request, true); }

std::size_t IscsiPortals::open_connections() const { return impl_->connections.load(); }
std::size_t IscsiPortals::logged_in() const { return impl_->logged_in.load(); }

void IscsiPortals::Stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->loops.Stop();
  error_code ignored;
  for (auto& l : impl_->listeners) l->acceptor->close(ignored);
}

}  // namespace chapcheck::mocks
