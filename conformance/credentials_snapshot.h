// The CHAP credentials of one target, read with DescribeChapCredentials, and putting them back:
// the suite and the fuzzer snapshot the target before they start and restore it at the end
// (UpdateChapCredentials for what changed or was deleted, DeleteChapCredentials for what the run
// created), and say what they changed. A snapshot holds secrets: never show its text.
// One call at a time per Client.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/client.h"

namespace chapcheck::conformance {

struct CredentialsSnapshot {
  bool ok = false;
  std::string text;  // comparable form (sorted); holds secrets
  nlohmann::json credentials = nlohmann::json::array();
};

CredentialsSnapshot DescribeCredentials(Client& client, const std::string& target_prefix, const std::string& target_arn);

struct RestoreReport {
  std::vector<std::string> restored;  // what the run changed and restored, secret-free
  std::vector<std::string> changed;   // what the run changed and could not restore, secret-free
};

// Puts the target's credentials back as `initial` had them (nothing when either read failed).
RestoreReport RestoreCredentials(Client& client, const std::string& target_prefix, const std::string& target_arn,
                                 const CredentialsSnapshot& initial);

}  // namespace chapcheck::conformance
