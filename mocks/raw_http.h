// RawHttp: one HTTP/1.1 request as raw bytes in, the mock's answer out, with no socket. It parses
// with Beast's request parser under the same limits MockServer applies (ServerOptions: body and
// header limits), refuses what the HTTP layer refuses (400 malformed, 413 body too large, 431
// headers too large, each a SerializationException awsJson1_1 answer, as the server sends) and
// hands everything else to Gateway::Handle. A stable entry point for fuzz targets and tests, so
// they do not depend on the server's session code.
// Thread-safety: as Gateway::Handle (any thread); the functions keep no state, and a kept result
// belongs to one caller at a time.
#pragma once

#include <cstddef>
#include <string_view>

#include "mocks/gateway.h"
#include "mocks/server.h"

namespace chapcheck::mocks {

struct RawHttpResult {
  // The request as read. What the gateway saw when `answered`; otherwise what the parser had
  // read when it stopped (nothing to rely on).
  HttpRequest request;
  // The gateway answered: the HTTP layer read a whole request and did not refuse it.
  bool answered = false;
  HttpResponse response;
  // The bytes did not hold a whole request (the server would wait for more); `response` is empty.
  bool incomplete = false;
};

// Parses the first request in `bytes` (trailing bytes, a pipelined next request, are ignored).
RawHttpResult HandleRawHttp(Gateway& gateway, std::string_view bytes, const ServerOptions& limits = {});

// The same into `out`, every field of which is set again. Its request's and response's strings and
// header lists keep their capacity from one call to the next (Gateway::Handle into a response), as
// a server session's request does: a caller that handles many requests (a fuzz target) reads and
// answers each without allocating what the last one had.
void HandleRawHttp(Gateway& gateway, std::string_view bytes, RawHttpResult& out, const ServerOptions& limits = {});

// The HTTP layer's refusal as the server sends it: status, awsJson1_1 content type, a request id,
// a SerializationException body with `message`.
HttpResponse HttpRefusal(int status, std::string_view message);

}  // namespace chapcheck::mocks
