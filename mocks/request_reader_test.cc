#include "mocks/request_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <random>
#include <string>
#include <vector>

#include "base/strings.h"

namespace chapcheck::mocks {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

// What a parser made of some bytes: the request, or the error that ended the reading.
struct Reading {
  std::string error;  // empty when a whole request was read
  HttpRequest request;
  int version = 0;
  bool keep_alive = false;
  std::size_t used = 0;
};

// A Reading as text, for comparing and for a readable difference.
std::string Describe(const Reading& r) {
  std::string out = "used " + std::to_string(r.used) + "\n";
  if (!r.error.empty()) return out + "error: " + r.error;
  out += r.request.method + " " + r.request.target + " version " + std::to_string(r.version) +
         (r.keep_alive ? " keep-alive\n" : " close\n");
  // By name, stably: Beast's basic_fields moves a repeated name up to its first occurrence,
  // RequestReader keeps the order of arrival (FieldsStayInArrivalOrder); the order within a name
  // is the same in both.
  std::vector<std::pair<std::string, std::string>> fields = r.request.headers;
  std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) {
    return AsciiLower(a.first) < AsciiLower(b.first);
  });
  for (const auto& [name, value] : fields) out += "[" + name + "]: [" + value + "]\n";
  return out + "body [" + r.request.body + "]";
}

constexpr std::uint64_t kBodyLimit = 1000;
constexpr std::uint32_t kHeaderLimit = 400;

// Feeds `bytes` to `parser` as HandleRawHttp does, then closes the stream.
template <class Parser>
std::string Feed(Parser& parser, std::string_view bytes, std::size_t& used) {
  parser.eager(true);
  parser.body_limit(kBodyLimit);
  parser.header_limit(kHeaderLimit);
  beast::error_code ec;
  while (!ec && !parser.is_done() && used < bytes.size()) {
    const std::size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (n == 0 && !ec) break;
    used += n;
  }
  if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
  if (!ec && !parser.is_done()) return "incomplete";
  return ec ? ec.message() : "";
}

// Beast's own request parser, the reference: what the mock read before RequestReader.
Reading WithBeastParser(std::string_view bytes) {
  http::request_parser<http::string_body> parser;
  Reading r;
  r.error = Feed(parser, bytes, r.used);
  if (!r.error.empty()) return r;
  const auto& m = parser.get();
  r.request.method = std::string(m.method_string());
  r.request.target = std::string(m.target());
  for (const auto& f : m) r.request.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  r.request.body = m.body();
  r.version = static_cast<int>(m.version());
  r.keep_alive = parser.keep_alive();
  return r;
}

// RequestReader into `into` (a fresh request, or one holding an earlier request).
Reading WithReader(std::string_view bytes, HttpRequest& into) {
  RequestReader parser(into);
  Reading r;
  r.error = Feed(parser, bytes, r.used);
  if (!r.error.empty()) return r;
  r.request = into;
  r.version = parser.version();
  r.keep_alive = parser.keep_alive();
  return r;
}

const std::vector<std::string>& Requests() {
  static const std::vector<std::string> requests = {
      "POST / HTTP/1.1\r\nHost: h\r\nX-Amz-Target: StorageGateway_20130630.UpdateChapCredentials\r\n"
      "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 14\r\n\r\n{\"a\":\"b\",\"c\":1}",
      "GET /?x=1&y HTTP/1.0\r\nhost: a\r\nConnection: keep-alive\r\n\r\n",
      "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
      "3;ext=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\n",
      "PUT / HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\nX-Folded: a\r\n b\r\n\r\nxyz",
      "FROB * HTTP/1.1\r\nX-Empty:\r\nX-Spaces:   v  \r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n",
      "POST / HTTP/1.1\r\nX-Long: " + std::string(500, 'v') + "\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab",
      "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabPOST / HTTP/1.1\r\n\r\n",
      "POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\na: 3\r\nContent-Length: 0\r\n\r\n",
      "POST / HTTP/2.0\r\n\r\n",
      "\x01\x02 nonsense\r\n\r\n",
  };
  return requests;
}

TEST(RequestReaderTest, ReadsWhatBeastsRequestParserReads) {
  for (const std::string& bytes : Requests()) {
    HttpRequest fresh;
    EXPECT_EQ(Describe(WithReader(bytes, fresh)), Describe(WithBeastParser(bytes))) << bytes;
  }
}

// Byte flips, insertions and cuts of the requests above, read by both parsers: the fuzz target
// and the server read with RequestReader, and it must not differ from Beast's parser anywhere.
TEST(RequestReaderTest, MutatedRequestsReadAlike) {
  std::mt19937 rng(20261203);
  const std::string alphabet = ":\r\n ;0123456789abcdefABCDEF\t,=-";
  int whole = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string bytes = Requests()[rng() % Requests().size()];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0 && !bytes.empty(); --edits) {
      const std::size_t at = rng() % bytes.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: bytes[at] = c; break;
        case 1: bytes.insert(at, 1, c); break;
        default: bytes.erase(at, 1 + rng() % 3); break;
      }
    }
    HttpRequest fresh;
    const Reading reader = WithReader(bytes, fresh);
    ASSERT_EQ(Describe(reader), Describe(WithBeastParser(bytes))) << "input " << i << ": " << bytes;
    whole += reader.error.empty();
  }
  EXPECT_GT(whole, 400);  // the mutations leave many requests whole, so bodies and headers are compared
}

TEST(RequestReaderTest, FieldsStayInArrivalOrder) {
  HttpRequest r;
  const Reading read = WithReader("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\na: 3\r\n\r\n", r);
  ASSERT_EQ(read.error, "");
  const std::vector<std::pair<std::string, std::string>> expected = {{"A", "1"}, {"B", "2"}, {"a", "3"}};
  EXPECT_EQ(r.headers, expected);
}

// Whether the server keeps the connection open: every Connection field counts (RFC 9110 joins
// repeated fields into one list), as does Proxy-Connection in Beast's parser; closing is the
// safe side of each.
TEST(RequestReaderTest, KeepAliveReadsEveryConnectionField) {
  const struct {
    const char* request;
    bool keep_alive;
  } cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: foo\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: foo\r\nConnection: keep-alive\r\n\r\n", true},
      {"POST / HTTP/1.1\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\nConnection: close\r\n\r\n",
       false},
  };
  for (const auto& c : cases) {
    HttpRequest r;
    const Reading read = WithReader(c.request, r);
    ASSERT_EQ(read.error, "") << c.request;
    EXPECT_EQ(read.keep_alive, c.keep_alive) << c.request;
  }
}

// The server reads every request of a connection into the same HttpRequest: nothing of a
// longer earlier request (headers, body) may remain.
TEST(RequestReaderTest, AReusedRequestHoldsOnlyTheLatest) {
  for (const std::string& first : Requests()) {
    for (const std::string& second : Requests()) {
      HttpRequest scratch;
      WithReader(first, scratch);
      const Reading again = WithReader(second, scratch);
      const Reading reference = WithBeastParser(second);
      if (reference.error.empty()) {
        EXPECT_EQ(Describe(again), Describe(reference)) << first << "\nthen\n" << second;
      }
    }
  }
}

}  // namespace
}  // namespace chapcheck::mocks
