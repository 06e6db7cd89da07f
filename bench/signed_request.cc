#include "bench/signed_request.h"

#include <chrono>
#include <string>
#include <string_view>

#include "base/secret.h"

namespace chapcheck::bench {
namespace {

constexpr std::string_view kBody =
    R"({"TargetARN":"arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume",)"
    R"("SecretToAuthenticateInitiator":"111111111111",)"
    R"("InitiatorName":"iqn.1991-05.com.microsoft:computername.domain.example.com",)"
    R"("SecretToAuthenticateTarget":"222222222222"})";

}  // namespace

sigv4::Request SignedUpdateRequest(int port) {
  sigv4::Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "127.0.0.1:" + std::to_string(port)},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "StorageGateway_20130630.UpdateChapCredentials"}};
  r.body = std::string(kBody);
  const sigv4::Credentials credentials{"AKIDEXAMPLE", Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), ""};
  sigv4::SignOptions options;
  options.region = "us-east-1";
  options.service = "storagegateway";
  options.amz_date = sigv4::AmzDate(std::chrono::system_clock::now());
  sigv4::SignHeaders(r, credentials, options);
  return r;
}

}  // namespace chapcheck::bench
