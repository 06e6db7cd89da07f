// RequestReader: Beast's HTTP/1.1 request parser, writing the request straight into the
// HttpRequest that Gateway::Handle reads. Both ways into the mock read requests with it: the
// server's sessions (server.cc) and HandleRawHttp (raw_http.cc, the fuzz targets' way in), so what
// is fuzzed is what is served.
//
// Beast's own request_parser<string_body> keeps the header in basic_fields, one heap block per
// field, which the mock then copied into the HttpRequest: two allocations per header where one
// (or, for a reused HttpRequest, none) does. The parsing and its limits are basic_parser's, the
// same as request_parser's; what this class adds only stores what the parser hands over: names
// as sent, the body appended, chunked bodies without their framing, and the fields in the order
// they arrived. (request_parser's basic_fields moves a repeated name up to its first occurrence;
// the order among the fields of one name is the same. SigV4 and the gateway read fields by name.)
//
// Keep-alive is basic_parser::keep_alive(), which reads every Connection field (and, as Beast
// does, Proxy-Connection): "Connection: foo" then "Connection: close" closes. The message's
// keep_alive(), which the server used before, read only the first Connection field.
//
// The target HttpRequest is overwritten field by field, keeping the capacity of its strings:
// a connection's requests usually carry the same headers, so after the first one the server
// allocates nothing for them. Only after the parser is done does it hold the request; after an
// error it holds a part of one.
//
// Beast is in this header: include it only where Beast is compiled anyway (server.cc,
// raw_http.cc), never from a widely included header.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "mocks/gateway.h"

namespace chapcheck::mocks {

class RequestReader final : public boost::beast::http::basic_parser<true> {
 public:
  explicit RequestReader(HttpRequest& out) : out_(out) {}

  // The HTTP version of the request line: 10 or 11.
  int version() const { return version_; }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  static void Assign(std::string& to, string_view from) { to.assign(from.data(), from.size()); }

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int version,
                       error_code&) override {
    Assign(out_.method, method);
    Assign(out_.target, target);
    out_.body.clear();  // the parser calls on_body_init_impl only for a request with a body
    if (out_.headers.capacity() == 0) out_.headers.reserve(kTypicalFields);  // not 1, 2, 4, then 8
    version_ = version;
  }

  void on_response_impl(int, string_view, int, error_code& ec) override {
    ec = boost::beast::http::error::bad_version;  // unreachable: this parser reads requests
  }

  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    if (fields_ == out_.headers.size()) out_.headers.emplace_back();
    Assign(out_.headers[fields_].first, name);
    Assign(out_.headers[fields_].second, value);
    ++fields_;
  }

  void on_header_impl(error_code&) override { out_.headers.resize(fields_); }

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override {
    if (!content_length) return;
    if (*content_length > out_.body.max_size()) {
      ec = boost::beast::http::error::buffer_overflow;
      return;
    }
    // The parser has checked the length against its body limit; the reservation is capped all
    // the same, so that a parser without a limit grows the body as it arrives.
    out_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*content_length, kReserveCap)));
  }

  std::size_t on_body_impl(string_view body, error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  static constexpr std::uint64_t kReserveCap = 1 << 20;
  static constexpr std::size_t kTypicalFields = 8;  // a signed awsJson request has 6 or 7

  HttpRequest& out_;
  std::size_t fields_ = 0;
  int version_ = 11;
};

}  // namespace chapcheck::mocks
