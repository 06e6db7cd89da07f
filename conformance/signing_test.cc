// SignForCase and SignForCaseInPlace: the signing options each thread keeps are written afresh for
// every request, so every mode, in any order, signs as on a thread that never signed before, and
// the signed mode as SignHeaders does with options of its own.
#include "conformance/signing.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "mocks/mock_test_support.h"

namespace chapcheck::conformance {
namespace {

using generators::AuthMode;
using mocks::testing::Creds;
using mocks::testing::Now;

spec::Request Unsigned() {
  spec::Request r;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "StorageGateway_20130630.UpdateChapCredentials"}};
  r.body = R"({"TargetARN":"arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:t"})";
  return r;
}

sigv4::Request Signed(AuthMode mode) {
  return SignForCase(Unsigned(), mode, Creds(), "us-east-1", "storagegateway", Now(), "127.0.0.1:8080");
}

void ExpectSame(const sigv4::Request& a, const sigv4::Request& b, AuthMode mode) {
  EXPECT_EQ(a.method, b.method) << generators::ToString(mode);
  EXPECT_EQ(a.target, b.target) << generators::ToString(mode);
  EXPECT_EQ(a.headers, b.headers) << generators::ToString(mode);
  EXPECT_EQ(a.body, b.body) << generators::ToString(mode);
}

TEST(SignForCase, EveryModeInAnyOrderSignsAsOnAFreshThread) {
  const std::vector<AuthMode> modes = {AuthMode::kSigned,     AuthMode::kNone,           AuthMode::kMalformed,
                                       AuthMode::kUnknownKey, AuthMode::kWrongSignature, AuthMode::kExpired};
  std::vector<sigv4::Request> fresh(modes.size());
  for (std::size_t i = 0; i < modes.size(); ++i) {
    std::thread([&, i] { fresh[i] = Signed(modes[i]); }).join();
  }
  for (int round = 0; round < 2; ++round) {
    for (std::size_t k = 0; k < modes.size(); ++k) {
      const std::size_t i = round == 0 ? k : modes.size() - 1 - k;  // forwards, then backwards
      ExpectSame(Signed(modes[i]), fresh[i], modes[i]);
    }
  }
  // In place, into one request used for every mode.
  sigv4::Request used;
  for (std::size_t i = 0; i < modes.size(); ++i) {
    const spec::Request u = Unsigned();
    used.method = u.method;
    used.target = u.path;
    used.headers = u.headers;
    used.body = u.body;
    SignForCaseInPlace(used, modes[i], Creds(), "us-east-1", "storagegateway", Now(), "127.0.0.1:8080");
    ExpectSame(used, fresh[i], modes[i]);
  }
  // The signed mode is SignHeaders with options of its own, after a Host header; the expired one
  // is dated 16 minutes earlier.
  sigv4::Request by_hand{"POST", "/", Unsigned().headers, Unsigned().body};
  by_hand.headers.insert(by_hand.headers.begin(), {"Host", "127.0.0.1:8080"});
  sigv4::SignOptions o;
  o.region = "us-east-1";
  o.service = "storagegateway";
  o.amz_date = sigv4::AmzDate(Now());
  sigv4::Request expired_by_hand = by_hand;
  sigv4::SignHeaders(by_hand, Creds(), o);
  ExpectSame(Signed(AuthMode::kSigned), by_hand, AuthMode::kSigned);
  o.amz_date = sigv4::AmzDate(Now() - std::chrono::minutes(16));
  sigv4::SignHeaders(expired_by_hand, Creds(), o);
  ExpectSame(Signed(AuthMode::kExpired), expired_by_hand, AuthMode::kExpired);
  EXPECT_NE(fresh[0].headers, fresh[5].headers);  // the two dates differ
}

}  // namespace
}  // namespace chapcheck::conformance
