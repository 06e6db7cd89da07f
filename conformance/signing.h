// SignForCase: turns a generated case's unsigned request into what goes on the wire: a Host
// header, then SigV4 as the case's AuthMode asks (valid, none, malformed, an unknown key, a wrong
// secret, or a time more than 15 minutes ago). Any thread: the signing options each thread keeps
// are written afresh for every request.
#pragma once

#include <chrono>
#include <string>

#include "generators/cases.h"
#include "protocol/sigv4.h"

namespace chapcheck::conformance {

// `request` by value: a caller done with its request moves it in, and no header is copied.
sigv4::Request SignForCase(spec::Request request, generators::AuthMode auth, const sigv4::Credentials& credentials,
                           const std::string& region, const std::string& service,
                           std::chrono::system_clock::time_point now, const std::string& host);

// The same in place: `request` holds the case's method, target, headers and body, and is signed
// where it stands, so a caller that signs input after input (a fuzz target) keeps the capacity
// of its strings and header list.
void SignForCaseInPlace(sigv4::Request& request, generators::AuthMode auth, const sigv4::Credentials& credentials,
                        const std::string& region, const std::string& service,
                        std::chrono::system_clock::time_point now, const std::string& host);

}  // namespace chapcheck::conformance
