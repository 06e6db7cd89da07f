// The CHAP credentials of one target as DescribeChapCredentials returns them, and putting them
// back: the suite and the connection scenarios snapshot a target before they change it and
// restore it afterwards, reporting what they restored and what they could not.
// The snapshot holds secrets: compare it, never show it. One call at a time per Client.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/client.h"

namespace chapcheck::conformance {

struct CredentialsSnapshot {
  bool ok = false;                                      // DescribeChapCredentials answered 200
  std::string text;                                     // comparable (sorted) form
  nlohmann::json credentials = nlohmann::json::array();
  std::string transport_error;                          // why no answer came, when none did
};

CredentialsSnapshot DescribeCredentials(Client& client, const std::string& prefix, const std::string& target_arn);

// Makes the target's credentials what `initial` holds again (updates changed or deleted ones,
// deletes ones created since), appending secret-free lines to `restored` or `changed`.
void RestoreCredentials(Client& client, const std::string& prefix, const std::string& target_arn,
                        const CredentialsSnapshot& initial, std::vector<std::string>& restored,
                        std::vector<std::string>& changed);

// The same, returning what it did (the black-box fuzzer restores now and then while it runs).
struct RestoreReport {
  std::vector<std::string> restored;  // what the run changed and restored, secret-free
  std::vector<std::string> changed;   // what the run changed and could not restore, secret-free
};
RestoreReport RestoreCredentials(Client& client, const std::string& prefix, const std::string& target_arn,
                                 const CredentialsSnapshot& initial);

}  // namespace chapcheck::conformance
