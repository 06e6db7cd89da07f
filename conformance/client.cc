#include "conformance/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <fstream>

#include "base/strings.h"
#include "conformance/signing.h"
#include "protocol/awsjson.h"

namespace chapcheck::conformance {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Client::Connection {
  asio::io_context ioc;
  ssl::context tls_ctx{ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool open = false;

  beast::tcp_stream& Tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs the event loop until the pending operation completes (its deadline is on the stream).
  void Run() {
    ioc.restart();
    ioc.run();
  }

  void Close() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    plain.reset();
    secure.reset();
    buffer.clear();
    open = false;
  }
};

const std::string* Exchange::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreAsciiCase(k, name)) return &v;
  }
  return nullptr;
}

Client::Client(EndpointConfig config) : config_(std::move(config)), connection_(std::make_unique<Connection>()) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Create(EndpointConfig config) {
  std::string url = config.url;
  bool tls;
  if (url.rfind("http://", 0) == 0) {
    tls = false;
    url = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    tls = true;
    url = url.substr(8);
  } else {
    return Error{"", "--endpoint must start with http:// or https:// (got \"" + config.url + "\")"};
  }
  const auto slash = url.find('/');
  if (slash != std::string::npos && url.substr(slash) != "/") {
    return Error{"", "--endpoint takes no path: awsJson1_1 requests go to /"};
  }
  url = url.substr(0, slash);
  std::string host = url, port = tls ? "443" : "80";
  if (!url.empty() && url.front() == '[') {  // [v6]:port
    const auto close = url.find(']');
    if (close == std::string::npos) return Error{"", "--endpoint: unclosed '[' in the host"};
    host = url.substr(1, close - 1);
    if (close + 1 < url.size() && url[close + 1] == ':') port = url.substr(close + 2);
  } else if (const auto colon = url.rfind(':'); colon != std::string::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return Error{"", "--endpoint: \"" + config.url + "\" has no usable host and port"};
  }
  if (!config.clock) config.clock = [] { return std::chrono::system_clock::now(); };
  auto client = std::unique_ptr<Client>(new Client(std::move(config)));
  client->host_ = host;
  client->port_ = port;
  client->tls_ = tls;
  if (tls) {
    auto& ctx = client->connection_->tls_ctx;
    if (client->config_.verify_tls) {
      ctx.set_default_verify_paths();
      ctx.set_verify_mode(ssl::verify_peer);
    } else {
      ctx.set_verify_mode(ssl::verify_none);
    }
  }
  return client;
}

Exchange Client::Send(const spec::Request& request, generators::AuthMode auth) {
  Exchange ex;
  ex.request = SignForCase(request, auth, config_.credentials, config_.region, config_.service, config_.clock(),
                           HostHeader());

  http::request<http::string_body> req;
  const http::verb verb = http::string_to_verb(ex.request.method);
  if (verb == http::verb::unknown) {
    req.method_string(ex.request.method);
  } else {
    req.method(verb);
  }
  req.target(ex.request.target);
  req.version(11);
  for (const auto& [k, v] : ex.request.headers) req.insert(k, v);
  req.body() = ex.request.body;
  req.prepare_payload();

  Connection& c = *connection_;
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = c.open;
    beast::error_code ec;
    if (!c.open) {
      ex.transport_error = Open();
      if (!ex.transport_error.empty()) return ex;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(16u << 20);
    auto exchange = [&](auto& stream) {
      c.Tcp().expires_after(config_.timeout);
      http::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
      c.Run();
      if (ec) return;
      c.Tcp().expires_after(config_.timeout);
      http::async_read(stream, c.buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
      c.Run();
    };
    if (tls_) {
      exchange(*c.secure);
    } else {
      exchange(*c.plain);
    }
    if (ec) {
      c.Close();
      // A kept-alive connection the server had closed: try once more on a new one.
      if (reused && ec != beast::error::timeout) continue;
      ex.transport_error = (ec == beast::error::timeout ? "no answer within the timeout: " : "connection failed: ") +
                           ec.message();
      return ex;
    }
    auto& res = parser.get();
    ex.status = static_cast<int>(res.result_int());
    for (const auto& field : res) ex.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    ex.body = std::move(res.body());
    if (!res.keep_alive()) c.Close();
    break;
  }
  ex.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  return ex;
}

std::string Client::Open() {
  Connection& c = *connection_;
  beast::error_code ec;
  tcp::resolver resolver(c.ioc);
  const auto results = resolver.resolve(host_, port_, ec);
  if (ec) return "cannot resolve " + host_ + ": " + ec.message();
  if (tls_) {
    c.secure.emplace(c.ioc, c.tls_ctx);
    if (!SSL_set_tlsext_host_name(c.secure->native_handle(), host_.c_str())) return "TLS: cannot set the server name";
    if (config_.verify_tls) c.secure->set_verify_callback(ssl::host_name_verification(host_));
  } else {
    c.plain.emplace(c.ioc);
  }
  c.Tcp().expires_after(config_.timeout);
  c.Tcp().async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
  c.Run();
  if (!ec && tls_) {
    c.Tcp().expires_after(config_.timeout);
    c.secure->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    c.Run();
  }
  if (ec) {
    c.Close();
    return (ec == beast::error::timeout ? "timed out connecting to " : "cannot connect to ") + config_.url + ": " +
           ec.message();
  }
  c.open = true;
  return "";
}

std::string Client::HostHeader() const {
  const bool default_port = (!tls_ && port_ == "80") || (tls_ && port_ == "443");
  return (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + (default_port ? "" : ":" + port_);
}

std::vector<Exchange> Client::SendPipelined(const std::vector<std::pair<const spec::Request*, generators::AuthMode>>& requests) {
  std::vector<Exchange> out(requests.size());
  // The wire text of every request, in one buffer. TLS, and header text HTTP cannot carry, go
  // one at a time through Send().
  std::string wire;
  bool plain_text = !tls_;
  const std::string host = HostHeader();
  const auto now = config_.clock();
  for (std::size_t i = 0; i < requests.size() && plain_text; ++i) {
    out[i].request = SignForCase(*requests[i].first, requests[i].second, config_.credentials, config_.region,
                                 config_.service, now, host);
    const sigv4::Request& r = out[i].request;
    auto clean = [](const std::string& t) { return t.find_first_of("\r\n") == std::string::npos; };
    plain_text &= clean(r.method) && clean(r.target) && !r.method.empty() && r.method != "HEAD";
    wire += r.method + " " + r.target + " HTTP/1.1\r\n";
    for (const auto& [k, v] : r.headers) {
      plain_text &= clean(k) && clean(v) && !k.empty();
      wire += k + ": " + v + "\r\n";
    }
    wire += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  }
  std::size_t done = 0;
  Connection& c = *connection_;
  const auto start = std::chrono::steady_clock::now();
  if (plain_text && !requests.empty()) {
    std::string error = c.open ? "" : Open();
    beast::error_code ec;
    if (error.empty()) {
      c.Tcp().expires_after(config_.timeout);
      asio::async_write(*c.plain, asio::buffer(wire), [&](beast::error_code e, std::size_t) { ec = e; });
      c.Run();
    }
    // Answers in order, for as long as the connection gives them.
    while (error.empty() && !ec && done < requests.size()) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(16u << 20);
      c.Tcp().expires_after(config_.timeout);
      http::async_read(*c.plain, c.buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
      c.Run();
      if (ec) {
        if (ec == beast::error::timeout) {
          out[done].transport_error = "no answer within the timeout: " + ec.message();
          ++done;
        }
        break;
      }
      auto& res = parser.get();
      Exchange& ex = out[done++];
      ex.status = static_cast<int>(res.result_int());
      for (const auto& field : res) ex.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      ex.body = std::move(res.body());
      ex.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
      if (!res.keep_alive()) break;
    }
    if (!error.empty() || ec || done < requests.size()) c.Close();
    if (!error.empty()) {
      for (auto& ex : out) ex.transport_error = error;
      return out;
    }
  }
  // What the connection lost (it closed or failed before answering): one at a time.
  for (; done < requests.size(); ++done) out[done] = Send(*requests[done].first, requests[done].second);
  return out;
}

Exchange Client::Call(const std::string& target_prefix, const std::string& operation, const std::string& body) {
  spec::Request r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", target_prefix + "." + operation}};
  r.body = body;
  return Send(r, generators::AuthMode::kSigned);
}

bool IsTransient(const Exchange& ex) {
  if (ex.status == 503) return true;
  if (ex.status < 400) return false;
  const std::string* header = ex.Header("X-Amzn-Errortype");
  const bool named = (header && header->find("Throttling") != std::string::npos) ||
                     ex.body.find("Throttling") != std::string::npos || ex.body.find("ConnectionBusy") != std::string::npos;
  if (!named) return false;  // most refusals: no need to parse them
  auto e = awsjson::ParseError(ex.body, header ? *header : "");
  return e.ok() && (e->type == "ThrottlingException" || e->error_code == "GatewayProxyNetworkConnectionBusy");
}

Result<sigv4::Credentials> CredentialsFromEnvironment(const std::optional<std::string>& profile) {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (!profile && !env("AWS_ACCESS_KEY_ID").empty()) {
    if (env("AWS_SECRET_ACCESS_KEY").empty()) return Error{"", "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"};
    return sigv4::Credentials{env("AWS_ACCESS_KEY_ID"), Secret(env("AWS_SECRET_ACCESS_KEY")), env("AWS_SESSION_TOKEN")};
  }
  const std::string name = profile ? *profile : (env("AWS_PROFILE").empty() ? "default" : env("AWS_PROFILE"));
  std::string path = env("AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty()) path = env("HOME") + "/.aws/credentials";
  std::ifstream in(path);
  if (!in) return Error{"", "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give --profile (" + path + " is not readable)"};
  std::string line, section;
  sigv4::Credentials creds;
  std::string secret;
  while (std::getline(in, line)) {
    const std::string_view t = TrimSpaces(line);
    if (t.empty() || t.front() == '#' || t.front() == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      section = std::string(TrimSpaces(t.substr(1, t.size() - 2)));
      continue;
    }
    if (section != name) continue;
    const auto eq = t.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key = AsciiLower(TrimSpaces(t.substr(0, eq)));
    const std::string value(TrimSpaces(t.substr(eq + 1)));
    if (key == "aws_access_key_id") creds.access_key_id = value;
    if (key == "aws_secret_access_key") secret = value;
    if (key == "aws_session_token") creds.session_token = value;
  }
  if (creds.access_key_id.empty() || secret.empty()) {
    return Error{"", "profile \"" + name + "\" in " + path + " has no aws_access_key_id and aws_secret_access_key"};
  }
  creds.secret_access_key = Secret(secret);
  return creds;
}

}  // namespace chapcheck::conformance
