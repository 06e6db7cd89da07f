// Test support for mocks/: signed requests against a Gateway with a fixed clock.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mocks/gateway.h"

namespace chapcheck::mocks::testing {

inline constexpr const char* kModelArn =
    "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume";
inline constexpr const char* kGuideArn =
    "arn:aws:storagegateway:us-east-1:111122223333:gateway/mygateway/target/iqn.1997-05.com.amazon:myvolume";
inline constexpr const char* kOtherArn =
    "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:othervolume";
inline constexpr const char* kOfflineArn =
    "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-0FF11E00/target/iqn.1997-05.com.amazon:offlinevolume";
inline constexpr const char* kInitiator = "iqn.1991-05.com.microsoft:computername.domain.example.com";

inline std::chrono::system_clock::time_point Now() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));  // fixed: 2026-11-19
}

inline Fixture DefaultFixture() { return std::move(ParseFixture(DefaultFixtureText())).value(); }

inline sigv4::Credentials Creds() {
  return sigv4::Credentials{"AKIDEXAMPLE", Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), ""};
}

inline HttpRequest Unsigned(const std::string& operation, const std::string& body,
                            const std::string& prefix = "StorageGateway_20130630") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "127.0.0.1:8080"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", prefix + "." + operation}};
  r.body = body;
  return r;
}

inline HttpRequest Sign(HttpRequest r, std::chrono::system_clock::time_point at = Now(),
                        const sigv4::Credentials& creds = Creds()) {
  sigv4::SignOptions o;
  o.region = "us-east-1";
  o.service = "storagegateway";
  o.amz_date = sigv4::AmzDate(at);
  sigv4::SignHeaders(r, creds, o);
  return r;
}

inline HttpRequest Signed(const std::string& operation, const nlohmann::json& body,
                          const std::string& prefix = "StorageGateway_20130630") {
  return Sign(Unsigned(operation, body.dump(), prefix));
}

inline nlohmann::json UpdateBody(const std::string& arn = kModelArn, const std::string& init = "111111111111",
                                 const std::string& target = "222222222222",
                                 const std::string& initiator = kInitiator) {
  nlohmann::json b{{"TargetARN", arn}, {"SecretToAuthenticateInitiator", init}, {"InitiatorName", initiator}};
  if (!target.empty()) b["SecretToAuthenticateTarget"] = target;
  return b;
}

// The error type and code of a response ("" when absent).
struct Answer {
  int status;
  std::string type, code, message;
  nlohmann::json body;
};

inline Answer Read(const HttpResponse& r) {
  Answer a{r.status, "", "", "", nlohmann::json()};
  try {
    a.body = nlohmann::json::parse(r.body);
  } catch (...) {
    return a;
  }
  if (a.body.is_object()) {
    a.type = a.body.value("__type", "");
    a.message = a.body.value("message", "");
    if (a.body.contains("error") && a.body["error"].is_object()) a.code = a.body["error"].value("errorCode", "");
  }
  return a;
}

// Records what the gateway asks of the data plane.
struct CloseLog {
  std::vector<CloseRequest> calls;
  ConnectionCloser Closer() {
    return [this](const CloseRequest& r) { calls.push_back(r); };
  }
};

inline GatewayOptions Options(DefectSet defects = {}) {
  GatewayOptions o;
  o.defects = defects;
  o.clock = Now;
  return o;
}

}  // namespace chapcheck::mocks::testing
