// Defect switches: each makes the mock break one clause of the contract the way a real
// implementation might, so that every check of the harness can be shown to fail. `chapcheck mock
// --defect NAME` turns one on; `--list-defects` prints this table.
// The set is fixed at start-up and read-only afterwards; any thread.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chapcheck::mocks {

enum class Defect {
  // input validation
  kSecretMax17,            // accepts 17-byte secrets
  kSecretMin11,            // accepts 11-byte secrets
  kSecretCountsCharacters, // measures secrets in characters, not UTF-8 bytes
  kIqnRejectsColon,        // the 2012 guide's prose charset: ':' refused
  kIqnAllowsUppercase,     // upper-case letters accepted in InitiatorName
  kEqualSecretsAccepted,   // RFC 7143 12.1.3 not enforced (a should-level clause)
  kArnNotValidated,        // a malformed TargetARN is looked up (TargetNotFound) instead of TargetInvalid
  kLookupBeforeValidation, // an unknown gateway is reported before invalid members
  kLegacyPrefixRejected,   // StorageGateway_20120630 not accepted
  // errors and envelope
  kWrongErrorCode,         // look-up failures all say InvalidParameters
  kWrongStatus,            // InvalidGatewayRequestException sent with status 500
  kMalformedJsonAsInvalidParameters,  // a body that is not JSON gets InvalidParameters, not SerializationException
  kNamespacedErrorType,    // __type sent as "com.amazonaws.storagegateway.v20130630#Type" (servers send it bare)
  kNoErrorCode,            // InvalidGatewayRequestException without error.errorCode
  kNoMessage,              // error bodies without "message"
  kNoRequestId,            // no x-amzn-RequestId header
  kWrongContentType,       // responses say application/json
  // success responses
  kNoEcho,                 // success body is {}
  kEchoSecret,             // success body also carries SecretToAuthenticateInitiator
  kSecretInErrorMessage,   // length errors quote the offending secret
  // authentication
  kNoAuth,                 // requests without SigV4 are served
  kIgnoreSignature,        // any signature from a known key is accepted
  kNoClockSkewCheck,       // expired requests are accepted
  // state
  kPartialUpdate,          // a request refused for its target secret still stores the initiator secret
  kUnknownTargetCreated,   // an unknown target on a known gateway is created, not TargetNotFound
  kOfflineGatewayAccepted, // an offline gateway takes the update
  // data plane (what the control plane asks of the iSCSI side)
  kKeepConnections,        // an accepted update closes no connection
  kDropOnReject,           // a rejected update closes the target's connections
  kDropOtherTargets,       // an accepted update closes connections on every target
  kDropOnlyUpdatedInitiator,  // an accepted update closes only the updated initiator's connections
  kDropLate,               // connections are closed 10 s after the response, not before it
  // iSCSI portal (what the target accepts at login)
  kKeepOldSecrets,         // after an update the previous initiator secret still logs in
  kIgnoreTargetSecret,     // mutual CHAP is answered with a stale target secret
  kCount,
};

struct DefectInfo {
  Defect defect;
  std::string_view name;    // for --defect
  std::string_view breaks;  // the clause it breaks, one line
};

const std::vector<DefectInfo>& AllDefects();
std::optional<Defect> DefectByName(std::string_view name);
std::string_view NameOf(Defect d);

class DefectSet {
 public:
  void Enable(Defect d) { bits_.set(static_cast<std::size_t>(d)); }
  bool Has(Defect d) const { return bits_.test(static_cast<std::size_t>(d)); }
  bool empty() const { return bits_.none(); }
  std::vector<Defect> Enabled() const;

 private:
  std::bitset<static_cast<std::size_t>(Defect::kCount)> bits_;
};

}  // namespace chapcheck::mocks
