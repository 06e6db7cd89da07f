#include "mocks/defects.h"

namespace chapcheck::mocks {

const std::vector<DefectInfo>& AllDefects() {
  static const std::vector<DefectInfo> all = {
      {Defect::kSecretMax17, "secret-max-17", "secrets are at most 16 UTF-8 bytes (accepts 17)"},
      {Defect::kSecretMin11, "secret-min-11", "secrets are at least 12 UTF-8 bytes (accepts 11)"},
      {Defect::kSecretCountsCharacters, "secret-counts-characters", "secret lengths are UTF-8 bytes (counts characters)"},
      {Defect::kIqnRejectsColon, "iqn-rejects-colon", "InitiatorName may contain ':' (refuses it)"},
      {Defect::kIqnAllowsUppercase, "iqn-allows-uppercase", "InitiatorName is [0-9a-z:.-] (accepts upper case)"},
      {Defect::kEqualSecretsAccepted, "equal-secrets-accepted", "the two secrets differ, RFC 7143 12.1.3 (should)"},
      {Defect::kArnNotValidated, "arn-not-validated", "a malformed TargetARN is TargetInvalid (says TargetNotFound)"},
      {Defect::kLookupBeforeValidation, "lookup-before-validation", "member rules are checked before look-ups"},
      {Defect::kLegacyPrefixRejected, "legacy-prefix-rejected", "the StorageGateway_20120630 prefix is accepted"},
      {Defect::kWrongErrorCode, "wrong-error-code", "look-up failures carry their own errorCode (all say InvalidParameters)"},
      {Defect::kWrongStatus, "wrong-status", "InvalidGatewayRequestException is status 400 (sends 500)"},
      {Defect::kMalformedJsonAsInvalidParameters, "malformed-json-invalid-parameters",
       "a body that is not JSON is a SerializationException (says InvalidParameters)"},
      {Defect::kNamespacedErrorType, "namespaced-error-type", "servers send a bare __type (sends namespace#Type)"},
      {Defect::kNoErrorCode, "no-error-code", "InvalidGatewayRequestException carries error.errorCode (omits it)"},
      {Defect::kNoMessage, "no-message", "error bodies carry a message (omit it)"},
      {Defect::kNoRequestId, "no-request-id", "every response has x-amzn-RequestId (omits it)"},
      {Defect::kWrongContentType, "wrong-content-type", "responses are application/x-amz-json-1.1 (says application/json)"},
      {Defect::kNoEcho, "no-echo", "a success echoes TargetARN and InitiatorName (body is {})"},
      {Defect::kEchoSecret, "echo-secret", "no response carries a secret (the success body echoes it)"},
      {Defect::kSecretInErrorMessage, "secret-in-error-message", "no response carries a secret (length errors quote it)"},
      {Defect::kNoAuth, "no-auth", "unsigned requests are refused (serves them)"},
      {Defect::kIgnoreSignature, "ignore-signature", "a wrong signature is refused (accepts any)"},
      {Defect::kNoClockSkewCheck, "no-clock-skew-check", "requests more than 15 minutes off are refused (accepts them)"},
      {Defect::kPartialUpdate, "partial-update", "a rejected request changes nothing (stores the initiator secret)"},
      {Defect::kUnknownTargetCreated, "unknown-target-created", "an unknown target is TargetNotFound (creates it)"},
      {Defect::kOfflineGatewayAccepted, "offline-gateway-accepted", "an offline gateway is GatewayNotConnected (updates it)"},
      {Defect::kKeepConnections, "keep-connections", "an accepted update closes the target's connections (keeps them)"},
      {Defect::kDropOnReject, "drop-on-reject", "a rejected update closes nothing (closes the target's connections)"},
      {Defect::kDropOtherTargets, "drop-other-targets", "other targets are untouched (closes every target's connections)"},
      {Defect::kDropOnlyUpdatedInitiator, "drop-only-updated-initiator",
       "every initiator's connections close (only the updated initiator's do)"},
      {Defect::kDropLate, "drop-late", "connections close before the response (10 s after it)"},
      {Defect::kKeepOldSecrets, "keep-old-secrets",
       "after an update only the new initiator secret logs in (the previous one still does)"},
      {Defect::kIgnoreTargetSecret, "ignore-target-secret",
       "mutual CHAP proves the target with SecretToAuthenticateTarget (answers with a stale or wrong one)"},
  };
  return all;
}

std::optional<Defect> DefectByName(std::string_view name) {
  for (const auto& d : AllDefects()) {
    if (d.name == name) return d.defect;
  }
  return std::nullopt;
}

std::string_view NameOf(Defect d) {
  for (const auto& info : AllDefects()) {
    if (info.defect == d) return info.name;
  }
  return "?";
}

std::vector<Defect> DefectSet::Enabled() const {
  std::vector<Defect> out;
  for (std::size_t i = 0; i < bits_.size(); ++i) {
    if (bits_.test(i)) out.push_back(static_cast<Defect>(i));
  }
  return out;
}

}  // namespace chapcheck::mocks
