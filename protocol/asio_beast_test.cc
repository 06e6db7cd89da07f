// Proves the one-TU build of Asio/Beast links and works: an HTTP/1.1 round trip on loopback.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <thread>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

TEST(AsioBeast, HttpRoundTripOnLoopbackWithSeparateCompilation) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();

  std::string seen_target, seen_body;
  std::thread server([&] {
    tcp::socket s = acceptor.accept();
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(s, buf, req);
    seen_target = std::string(req[ "X-Amz-Target" ]);
    seen_body = req.body();
    http::response<http::string_body> res{http::status::ok, 11};
    res.body() = "{}";
    res.prepare_payload();
    http::write(s, res);
  });

  asio::io_context cio;
  tcp::socket c(cio);
  c.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::post, "/", 11};
  req.set("X-Amz-Target", "StorageGateway_20130630.UpdateChapCredentials");
  req.body() = "{\"a\":1}";
  req.prepare_payload();
  http::write(c, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(c, buf, res);
  server.join();

  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "{}");
  EXPECT_EQ(seen_target, "StorageGateway_20130630.UpdateChapCredentials");
  EXPECT_EQ(seen_body, "{\"a\":1}");
}

}  // namespace
