// What `run` and `fuzz` write about a failing case: the reproducer files `chapcheck replay`
// reads (DIR/<id>.json with the secrets masked, and DIR/<id>.secrets.json, mode 0600, with the
// exact case), and the request and response as wire text for the reports (the Authorization
// header cut after its credential scope). Nothing here writes a secret anywhere but the 0600 file.
// Any thread; files are written by the caller's thread.
#pragma once

#include <filesystem>
#include <string>

#include "conformance/client.h"
#include "generators/cases.h"
#include "reports/junit.h"
#include "spec/spec.h"

namespace chapcheck::cli {

// The body with every sensitive member's string value replaced by "***" (unchanged when the body
// is not a JSON object: the caller's Redactor masks the values inside it).
std::string RedactedBody(const spec::Spec& spec, const std::string& body);

// "POST / HTTP/1.1\nHeader: value\n...\n\nbody" as sent, and the answer in the same form.
std::string WireRequest(const sigv4::Request& request);
std::string WireResponse(const conformance::Exchange& exchange);

// Writes DIR/<id>.json (masked, through `redact`) and DIR/<id>.secrets.json (exact, 0600);
// returns the first one's path.
std::string WriteReproducer(const spec::Spec& spec, const generators::Case& c, const std::filesystem::path& dir,
                            const reports::Redactor& redact);

}  // namespace chapcheck::cli
