// AWS Signature Version 4 (AWS4-HMAC-SHA256): signing for the harness's client and verification
// for the mock gateway, one implementation shared by both sides so that they cannot disagree on
// canonicalisation. Passes the official test vectors (tests/data/sigv4/, Apache-2.0, from
// awslabs/aws-c-auth).
//
// Header signing is what awsJson1_1 clients use; query ("presigned") signing is supported for the
// vectors and for completeness. Nothing here logs or formats a secret: messages name the access
// key id (public) at most.
// Pure functions (Verify takes the clock as an argument); any thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/secret.h"

namespace chapcheck::sigv4 {

struct Credentials {
  std::string access_key_id;
  Secret secret_access_key;
  std::string session_token;  // empty: none
};

// A request as it is on the wire. `target` is the request-target exactly as sent (path and raw
// query string, e.g. "/?a=b%20c"); header names keep their case and order; duplicates allowed.
struct Request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Scope {
  std::string date;     // YYYYMMDD
  std::string region;   // e.g. us-east-1
  std::string service;  // e.g. storagegateway
  std::string ToString() const;
  void AppendTo(std::string& out) const;  // appends ToString()
};

// --- the steps, exposed for tests, the fuzz target and diagnostics --------------------------

// The canonical request (SigV4 step 1). `signed_headers` are lower-case names; the values of
// each are trimmed, inner runs of spaces folded, duplicates joined with ','. With
// `normalize_path` (every service except S3) "." and ".." segments and repeated '/' are removed.
// `payload_hash` is the hex SHA-256 of the body unless given (e.g. "UNSIGNED-PAYLOAD").
std::string CanonicalRequest(const Request& request, const std::vector<std::string>& signed_headers,
                             bool normalize_path, std::optional<std::string_view> payload_hash = std::nullopt);

// The string to sign (step 2). `amz_date` is YYYYMMDDTHHMMSSZ.
std::string StringToSign(std::string_view amz_date, const Scope& scope, std::string_view canonical_request);

// The hex signature (steps 3 and 4).
std::string Signature(const Secret& secret_access_key, const Scope& scope, std::string_view string_to_sign);

// Hex SHA-256, lower case.
std::string Sha256Hex(std::string_view data);

// Hex HMAC-SHA256 (RFC 2104) of `data` under `key`, lower case: the primitive of steps 3 and 4.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// --- signing -------------------------------------------------------------------------------

struct SignOptions {
  std::string region;
  std::string service;
  std::string amz_date;  // YYYYMMDDTHHMMSSZ; the caller supplies the clock
  // Header names to sign, lower case. Empty: "host", "x-amz-date", every "x-amz-*" header and
  // "content-type" present on the request (the set the AWS CLI signs for awsJson1_1).
  std::vector<std::string> signed_headers;
  bool normalize_path = true;
};

// Adds X-Amz-Date (unless present), X-Amz-Security-Token (when the credentials have a session
// token) and Authorization to `request`. The request must already carry Host.
void SignHeaders(Request& request, const Credentials& credentials, const SignOptions& options);

// --- verification --------------------------------------------------------------------------

struct Authorization {
  std::string algorithm;  // "AWS4-HMAC-SHA256"
  std::string access_key_id;
  Scope scope;
  std::vector<std::string> signed_headers;
  std::string signature;  // hex
};

// Parses "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<64 hex>". Error messages quote no signature.
Result<Authorization> ParseAuthorization(std::string_view header_value);

enum class Status { kValid, kMissing, kMalformed, kUnknownKey, kBadSignature, kExpired };
std::string_view ToString(Status s);

struct Verdict {
  Status status = Status::kMissing;
  std::string message;        // why it is not valid, one secret-free sentence, e.g. "Signature
                              // expired: ..."; empty when it is
  std::string access_key_id;  // when it could be parsed
};

// Looks up the secret for an access key id; nullptr when the key is unknown.
using KeyLookup = std::function<const Secret*(std::string_view access_key_id)>;

struct VerifyOptions {
  std::string service;                               // expected signing name
  std::optional<std::string> region;                 // expected region, when the server has one
  std::chrono::seconds max_skew{900};                // more than this from `now` is kExpired
  bool normalize_path = true;
};

// Verifies a header-signed request (Authorization header, X-Amz-Date or Date header):
//   no Authorization header                                   -> kMissing
//   not parseable, wrong algorithm, X-Amz-Date missing/invalid, scope date != X-Amz-Date's date,
//   scope service/region not the expected ones, a signed header absent from the request,
//   "host" not signed                                         -> kMalformed
//   access key unknown                                        -> kUnknownKey
//   X-Amz-Date more than max_skew from now                    -> kExpired
//   signature mismatch (constant-time compare)                -> kBadSignature
Verdict Verify(const Request& request, const KeyLookup& keys, const VerifyOptions& options,
               std::chrono::system_clock::time_point now);

// Formats a time as YYYYMMDDTHHMMSSZ (UTC).
std::string AmzDate(std::chrono::system_clock::time_point t);
// The same into `out` (its capacity kept: for a caller that signs request after request).
void AssignAmzDate(std::string& out, std::chrono::system_clock::time_point t);

}  // namespace chapcheck::sigv4
