#include "mocks/raw_http.h"

#include <cstdint>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "mocks/request_reader.h"
#include "protocol/awsjson.h"

namespace chapcheck::mocks {

namespace beast = boost::beast;
namespace http = beast::http;

HttpResponse HttpRefusal(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers.reserve(2);
  r.headers.emplace_back("Content-Type", awsjson::kContentType);
  r.headers.emplace_back("x-amzn-RequestId", "http-layer");
  r.body = awsjson::ErrorBody("SerializationException", message, "");
  return r;
}

RawHttpResult HandleRawHttp(Gateway& gateway, std::string_view bytes, const ServerOptions& limits) {
  RawHttpResult out;
  HandleRawHttp(gateway, bytes, out, limits);
  return out;
}

void HandleRawHttp(Gateway& gateway, std::string_view bytes, RawHttpResult& out, const ServerOptions& limits) {
  out.answered = false;
  out.incomplete = false;
  HttpRequest& in = out.request;
  // A body buffer grown past 64 KiB by one large request is not kept for all the next ones (the
  // parser reserves what Content-Length declares), as the server's sessions do not keep it.
  if (in.body.capacity() > 64 * 1024) std::string().swap(in.body);
  RequestReader parser(in);
  parser.eager(true);
  parser.body_limit(limits.body_limit);
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  beast::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < bytes.size()) {
    const std::size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (n == 0 && !ec) break;
    used += n;
  }
  if (!ec && !parser.is_done() && !parser.got_some()) {
    // No byte at all (an empty input): nothing to answer, as a server reading a closed stream.
    // (Beast's put_eof requires that the parser has seen something.)
    ec = http::error::need_more;
  } else if (!ec && !parser.is_done()) {
    // What the server's read does at end of stream: a message whose end is the close is done.
    parser.put_eof(ec);
    if (!ec && !parser.is_done()) ec = http::error::partial_message;
  }
  if (ec == http::error::partial_message || ec == http::error::need_more) {
    out.incomplete = true;
    out.response.status = HttpResponse{}.status;
    out.response.headers.clear();
    out.response.body.clear();
    return;
  }
  if (ec == http::error::body_limit) {
    out.response = HttpRefusal(413, "The request body is too large");
  } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    out.response = HttpRefusal(431, "The request headers are too large");
  } else if (ec) {
    out.response = HttpRefusal(400, "Malformed HTTP request");
  }
  if (ec) return;
  gateway.Handle(in, out.response);
  out.answered = true;
}

}  // namespace chapcheck::mocks
