// FuzzInput: the byte layout shared by the fuzz targets that take a request (fuzz_mock_http,
// fuzz_spec_verdict), by their seed corpora and by the structure-aware mutator, so one corpus
// serves every request target:
//   byte 0       mode. 0..5 (mod 8): a structured request the harness signs with that AuthMode;
//                6 and 7: raw, the rest is one HTTP/1.1 request exactly as sent (its signature,
//                if any, left as it is)
//   structured   header lines "Name: value\n" up to the first empty line, then the body. The
//                method and path are the protocol's (POST /); Host and SigV4 are the harness's.
// Pure functions but the decoder into a kept FuzzInput (which writes that input); any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "generators/cases.h"
#include "spec/spec.h"

namespace chapcheck::generators {

inline constexpr unsigned char kRawHttpMode = 6;

struct FuzzInput {
  bool raw = false;
  AuthMode auth = AuthMode::kSigned;
  spec::Request request;  // structured: method/path defaults, headers, body
  std::string raw_http;   // raw: the bytes after the mode byte
};

// Never fails: every byte string is some input (a header line without ':' is dropped).
FuzzInput DecodeFuzzInput(std::string_view bytes);
// The same into `into`, every field of which is set again; its strings and header list keep
// their capacity, so a caller decoding input after input (a fuzz target) does not allocate again
// what the last input had. `bytes` must not point into `into`.
void DecodeFuzzInput(std::string_view bytes, FuzzInput& into);
// True when DecodeFuzzInput reads `bytes` as raw HTTP (its raw_http is then bytes.substr(1)).
bool IsRawHttpInput(std::string_view bytes);

// A structured input for a request and how to sign it.
std::string EncodeFuzzInput(const spec::Request& request, AuthMode auth);

// Where the body starts in a structured input (bytes.size() when there is none, or for raw).
std::size_t FuzzBodyOffset(std::string_view bytes);

// A libFuzzer dictionary (one "token" a line, \xNN escapes) from the spec: member names,
// target prefixes with operations, header names, content type, error types and codes, ARN
// literals and choices, the characters at each charset's edges and just outside them, and
// multi-byte UTF-8 characters.
std::string FuzzDictionary(const spec::Spec& spec);

// Writes one seed file per case (named by the case id) into `dir`, plus a few raw-HTTP seeds;
// returns how many files were written.
Result<std::size_t> WriteFuzzCorpus(const std::vector<Case>& cases, const std::string& dir);

}  // namespace chapcheck::generators
