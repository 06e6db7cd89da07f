#include "mocks/server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "mocks/mock_test_support.h"

namespace chapcheck::mocks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace chapcheck::mocks::testing;

// The wire form of a signed request.
std::string Wire(const HttpRequest& r, bool keep_alive = true) {
  std::string out = r.method + " " + r.target + " HTTP/1.1\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!keep_alive) out += "Connection: close\r\n";
  return out + "\r\n" + r.body;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(ServerOptions{}); }

  void Start(ServerOptions options) {
    server_.reset();
    gateway_ = std::make_unique<Gateway>(DefaultFixture(), Options());
    auto s = MockServer::Start(*gateway_, options);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    server_ = std::move(s).value();
  }

  tcp::socket Connect() {
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return s;
  }

  static http::response<http::string_body> ReadResponse(tcp::socket& s, beast::flat_buffer& buf) {
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return res;
  }

  // A valid signed request answered on a fresh connection: the server still serves.
  void ExpectStillServing() {
    tcp::socket s = Connect();
    asio::write(s, asio::buffer(Wire(Signed("UpdateChapCredentials", UpdateBody()), false)));
    beast::flat_buffer buf;
    EXPECT_EQ(ReadResponse(s, buf).result_int(), 200u);
  }

  asio::io_context io_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<MockServer> server_;
};

TEST_F(ServerTest, ListensOnAnEphemeralLoopbackPort) {
  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  tcp::socket s = Connect();
  beast::flat_buffer buf;
  for (int i = 0; i < 3; ++i) {
    asio::write(s, asio::buffer(Wire(Signed("UpdateChapCredentials", UpdateBody()))));
    const auto res = ReadResponse(s, buf);
    EXPECT_EQ(res.result_int(), 200u) << res.body();
    EXPECT_TRUE(res.keep_alive());
    EXPECT_FALSE(res["x-amzn-RequestId"].empty());
  }
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  tcp::socket s = Connect();
  const std::string batch = Wire(Signed("UpdateChapCredentials", UpdateBody())) + Wire(Signed("Frobnicate", nlohmann::json::object())) +
                            Wire(Signed("DescribeChapCredentials", nlohmann::json{{"TargetARN", kModelArn}}));
  asio::write(s, asio::buffer(batch));
  beast::flat_buffer buf;
  EXPECT_EQ(ReadResponse(s, buf).result_int(), 200u);
  const auto second = ReadResponse(s, buf);
  EXPECT_EQ(second.result_int(), 400u);
  EXPECT_NE(second.body().find("UnknownOperationException"), std::string::npos);
  const auto third = ReadResponse(s, buf);
  EXPECT_NE(third.body().find("ChapCredentials"), std::string::npos);
}

TEST_F(ServerTest, MalformedHttpGets400AndTheConnectionCloses) {
  for (const std::string garbage : {"HELLO\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                                    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    tcp::socket s = Connect();
    asio::write(s, asio::buffer(garbage));
    beast::flat_buffer buf;
    const auto res = ReadResponse(s, buf);
    EXPECT_EQ(res.result_int(), 400u) << garbage;
    EXPECT_FALSE(res.keep_alive());
    beast::error_code ec;
    char c;
    s.read_some(asio::buffer(&c, 1), ec);
    EXPECT_EQ(ec, asio::error::eof) << garbage;
  }
  ExpectStillServing();
}

TEST_F(ServerTest, OversizedBodiesAndHeadersAreRefused) {
  {
    tcp::socket s = Connect();
    beast::error_code ec;  // the server may refuse before it has read everything
    asio::write(s, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n") +
                                std::string(1 << 16, 'a')), ec);
    beast::flat_buffer buf;
    EXPECT_EQ(ReadResponse(s, buf).result_int(), 413u);
  }
  {
    tcp::socket s = Connect();
    beast::error_code ec;
    asio::write(s, asio::buffer("POST / HTTP/1.1\r\nX-Big: " + std::string(64 << 10, 'a') + "\r\n\r\n"), ec);
    beast::flat_buffer buf;
    EXPECT_EQ(ReadResponse(s, buf).result_int(), 431u);
  }
  ExpectStillServing();
}

TEST_F(ServerTest, EndlessChunkExtensionsAreCutOffNotBuffered) {
  // Beast's header and body limits do not cover chunk extensions: only the bounded read buffer
  // stops this from growing without end. The server must refuse (431) once its buffer is full,
  // not keep reading.
  tcp::socket s = Connect();
  beast::error_code ec;
  asio::write(s, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;")), ec);
  const std::string junk(64 << 10, 'a');
  for (int i = 0; i < 32 && !ec; ++i) asio::write(s, asio::buffer(junk), ec);  // 2 MiB, more than the buffer holds
  timeval tv{5, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res, ec);
  ASSERT_FALSE(ec) << "no refusal within 5 s: " << ec.message();
  EXPECT_EQ(res.result_int(), 431u);
  ExpectStillServing();
}

TEST_F(ServerTest, ASecondServerCannotShareTheListeningPort) {
  Gateway g(DefaultFixture(), Options());
  ServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(server_->port());
  auto second = MockServer::Start(g, o);
  EXPECT_FALSE(second.ok()) << "a stale mock on the same port would answer half the requests";
}

TEST_F(ServerTest, ASlowClientDoesNotStallOthersAndTimesOut) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  Start(o);
  tcp::socket slow = Connect();
  asio::write(slow, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\n")));  // and never finishes
  ExpectStillServing();
  beast::error_code ec;
  char c;
  slow.read_some(asio::buffer(&c, 1), ec);  // the server gives up on it
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

// A kept-alive connection is closed once it has idled for idle_timeout after an answer, whether
// that is shorter or longer than the deadline for the first request's headers (the server's timer
// is armed for one deadline and moved to the other).
TEST_F(ServerTest, AKeptAliveConnectionIdlesOutAfterItsAnswer) {
  using std::chrono::milliseconds;
  for (const auto& [header, idle] : {std::pair{milliseconds(5000), milliseconds(200)},
                                     std::pair{milliseconds(200), milliseconds(1500)}}) {
    ServerOptions o;
    o.header_timeout = header;
    o.idle_timeout = idle;
    Start(o);
    tcp::socket s = Connect();
    beast::flat_buffer buf;
    asio::write(s, asio::buffer(Wire(Signed("UpdateChapCredentials", UpdateBody()))));
    EXPECT_EQ(ReadResponse(s, buf).result_int(), 200u);
    if (idle > header) {
      // Past the first request's header deadline, within the idle timeout: still served.
      std::this_thread::sleep_for(header + milliseconds(200));
      asio::write(s, asio::buffer(Wire(Signed("UpdateChapCredentials", UpdateBody()))));
      EXPECT_EQ(ReadResponse(s, buf).result_int(), 200u) << "closed at the header deadline";
    }
    // Then the server closes it (the read is bounded: a server that never closes fails, not hangs).
    beast::error_code result = asio::error::timed_out;
    char c;
    s.async_read_some(asio::buffer(&c, 1), [&](beast::error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(result == asio::error::eof || result == asio::error::connection_reset) << result.message();
    s.close();
    io_.restart();
    io_.run();
  }
}

TEST_F(ServerTest, SurvivesRandomAndTruncatedInput) {
  std::mt19937 rng(12345);
  const std::string valid = Wire(Signed("UpdateChapCredentials", UpdateBody()));
  for (int i = 0; i < 150; ++i) {
    std::string bytes;
    switch (i % 3) {
      case 0: bytes.resize(rng() % 512); for (char& b : bytes) b = static_cast<char>(rng()); break;
      case 1: bytes = valid.substr(0, rng() % valid.size()); break;  // truncated, then closed
      case 2: bytes = valid; bytes[rng() % bytes.size()] = static_cast<char>(rng()); break;  // one byte flipped
    }
    tcp::socket s = Connect();
    beast::error_code ec;
    asio::write(s, asio::buffer(bytes), ec);
    s.shutdown(tcp::socket::shutdown_send, ec);
    // Whatever it makes of it: an answer (never 5xx from the HTTP layer) or a close, never a hang.
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res, ec);
    if (!ec) {
      EXPECT_LT(res.result_int(), 500u) << "input " << i;
    }
  }
  ExpectStillServing();
}

TEST_F(ServerTest, ManyConcurrentConnections) {
  std::vector<tcp::socket> sockets;
  for (int i = 0; i < 200; ++i) sockets.push_back(Connect());
  for (auto& s : sockets) asio::write(s, asio::buffer(Wire(Signed("DescribeChapCredentials", nlohmann::json{{"TargetARN", kModelArn}}))));
  for (auto& s : sockets) {
    beast::flat_buffer buf;
    EXPECT_EQ(ReadResponse(s, buf).result_int(), 200u);
  }
  EXPECT_GE(server_->open_connections(), 200u);
}

TEST_F(ServerTest, StopIsIdempotentAndRefusesNewConnections) {
  const auto port = server_->port();
  server_->Stop();
  server_->Stop();
  tcp::socket s(io_);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "connected to a stopped server";
}

TEST(ServerOptionsTest, BadAddressesAreErrors) {
  Gateway g(DefaultFixture(), Options());
  for (const char* listen : {"nonsense", "127.0.0.1:99999", "example.com:80", "127.0.0.1:"}) {
    ServerOptions o;
    o.listen = listen;
    EXPECT_FALSE(MockServer::Start(g, o).ok()) << listen;
  }
  ServerOptions half;
  half.tls_cert_file = "/nonexistent";
  EXPECT_FALSE(MockServer::Start(g, half).ok());
  half.tls_key_file = "/nonexistent";
  EXPECT_FALSE(MockServer::Start(g, half).ok());
}

TEST(ServerTls, HttpsClientsWork) {
  const auto dir = std::filesystem::temp_directory_path() / ("mock-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
                          " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
  Gateway g(DefaultFixture(), Options());
  ServerOptions o;
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  auto server = MockServer::Start(g, o);
  ASSERT_TRUE(server.ok()) << server.error().ToString();
  EXPECT_EQ((*server)->url().rfind("https://", 0), 0u);

  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::get_lowest_layer(stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), (*server)->port()));
  stream.handshake(asio::ssl::stream_base::client);
  const std::string wire = Wire(Signed("UpdateChapCredentials", UpdateBody()), false);
  asio::write(stream, asio::buffer(wire));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  EXPECT_EQ(res.result_int(), 200u) << res.body();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chapcheck::mocks
