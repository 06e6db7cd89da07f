#include "conformance/signing.h"

namespace chapcheck::conformance {

sigv4::Request SignForCase(spec::Request request, generators::AuthMode auth, const sigv4::Credentials& credentials,
                           const std::string& region, const std::string& service,
                           std::chrono::system_clock::time_point now, const std::string& host) {
  sigv4::Request r{std::move(request.method), std::move(request.path), std::move(request.headers),
                   std::move(request.body)};
  SignForCaseInPlace(r, auth, credentials, region, service, now, host);
  return r;
}

void SignForCaseInPlace(sigv4::Request& r, generators::AuthMode auth, const sigv4::Credentials& credentials,
                        const std::string& region, const std::string& service,
                        std::chrono::system_clock::time_point now, const std::string& host) {
  using generators::AuthMode;
  r.headers.reserve(r.headers.size() + 4);  // Host, and what signing adds (date, token, Authorization)
  r.headers.emplace(r.headers.begin(), "Host", host);
  // Kept by each thread, its strings written over: a fuzz target signs input after input.
  thread_local sigv4::SignOptions o;
  o.region.assign(region);
  o.service.assign(service);
  sigv4::AssignAmzDate(o.amz_date, now);
  switch (auth) {
    case AuthMode::kSigned: sigv4::SignHeaders(r, credentials, o); break;
    case AuthMode::kNone: break;
    case AuthMode::kMalformed:
      r.headers.emplace_back("X-Amz-Date", o.amz_date);
      r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id);
      break;
    case AuthMode::kUnknownKey: {
      // Never destroyed: a client thread may still be signing while the program exits.
      static const sigv4::Credentials& unknown =
          *new sigv4::Credentials{"AKIACHAPCHECKUNKNOWN", Secret("chapcheck-unknown-key"), ""};
      sigv4::SignHeaders(r, unknown, o);
      break;
    }
    case AuthMode::kWrongSignature:
      sigv4::SignHeaders(r, sigv4::Credentials{credentials.access_key_id, Secret("chapcheck-wrong-secret"), ""}, o);
      break;
    case AuthMode::kExpired:
      sigv4::AssignAmzDate(o.amz_date, now - std::chrono::minutes(16));
      sigv4::SignHeaders(r, credentials, o);
      break;
  }
}

}  // namespace chapcheck::conformance
