#include "conformance/credentials_state.h"

#include <algorithm>
#include <map>

namespace chapcheck::conformance {

using json = nlohmann::json;

CredentialsSnapshot DescribeCredentials(Client& client, const std::string& prefix, const std::string& target_arn) {
  CredentialsSnapshot s;
  const Exchange ex = client.Call(prefix, "DescribeChapCredentials", json{{"TargetARN", target_arn}}.dump());
  s.transport_error = ex.transport_error;
  if (ex.status != 200) return s;
  try {
    json body = json::parse(ex.body);
    json list = body.value("ChapCredentials", json::array());
    std::sort(list.begin(), list.end(), [](const json& a, const json& b) { return a.dump() < b.dump(); });
    s.ok = true;
    s.text = list.dump();
    s.credentials = list;
  } catch (const std::exception&) {
  }
  return s;
}

void RestoreCredentials(Client& client, const std::string& prefix, const std::string& target_arn,
                        const CredentialsSnapshot& initial, std::vector<std::string>& restored,
                        std::vector<std::string>& changed) {
  const CredentialsSnapshot final_state = DescribeCredentials(client, prefix, target_arn);
  if (!initial.ok || !final_state.ok || initial.text == final_state.text) return;
  std::map<std::string, json> was, now;
  for (const auto& c : initial.credentials) was[c.value("InitiatorName", "")] = c;
  for (const auto& c : final_state.credentials) now[c.value("InitiatorName", "")] = c;
  for (const auto& [initiator, cred] : now) {
    if (was.count(initiator) && was[initiator] == cred) continue;
    Exchange ex;
    std::string what;
    if (was.count(initiator)) {
      json body = was[initiator];
      body["TargetARN"] = target_arn;
      ex = client.Call(prefix, "UpdateChapCredentials", body.dump());
      what = "credentials of " + initiator + " on " + target_arn;
    } else {
      ex = client.Call(prefix, "DeleteChapCredentials", json{{"TargetARN", target_arn}, {"InitiatorName", initiator}}.dump());
      what = "credentials the run created for " + initiator + " on " + target_arn;
    }
    (ex.status == 200 ? restored : changed).push_back(what);
  }
  for (const auto& [initiator, cred] : was) {
    if (now.count(initiator)) continue;
    json body = cred;
    body["TargetARN"] = target_arn;
    const Exchange ex = client.Call(prefix, "UpdateChapCredentials", body.dump());
    (ex.status == 200 ? restored : changed).push_back("deleted credentials of " + initiator + " on " + target_arn);
  }
}

RestoreReport RestoreCredentials(Client& client, const std::string& prefix, const std::string& target_arn,
                                 const CredentialsSnapshot& initial) {
  RestoreReport out;
  RestoreCredentials(client, prefix, target_arn, initial, out.restored, out.changed);
  return out;
}

}  // namespace chapcheck::conformance
