#include "conformance/credentials_snapshot.h"

#include <algorithm>
#include <map>

namespace chapcheck::conformance {

using json = nlohmann::json;

CredentialsSnapshot DescribeCredentials(Client& client, const std::string& prefix, const std::string& target) {
  CredentialsSnapshot s;
  const Exchange ex = client.Call(prefix, "DescribeChapCredentials", json{{"TargetARN", target}}.dump());
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

RestoreReport RestoreCredentials(Client& client, const std::string& prefix, const std::string& target,
                                 const CredentialsSnapshot& initial) {
  RestoreReport out;
  const CredentialsSnapshot final_state = DescribeCredentials(client, prefix, target);
  if (!initial.ok || !final_state.ok || initial.text == final_state.text) return out;
  std::map<std::string, json> was, now;
  for (const auto& c : initial.credentials) was[c.value("InitiatorName", "")] = c;
  for (const auto& c : final_state.credentials) now[c.value("InitiatorName", "")] = c;
  for (const auto& [initiator, cred] : now) {
    if (was.count(initiator) && was[initiator] == cred) continue;
    Exchange ex;
    std::string what;
    if (was.count(initiator)) {
      json body = was[initiator];
      body["TargetARN"] = target;
      ex = client.Call(prefix, "UpdateChapCredentials", body.dump());
      what = "credentials of " + initiator + " on " + target;
    } else {
      ex = client.Call(prefix, "DeleteChapCredentials", json{{"TargetARN", target}, {"InitiatorName", initiator}}.dump());
      what = "credentials the run created for " + initiator + " on " + target;
    }
    (ex.status == 200 ? out.restored : out.changed).push_back(what);
  }
  for (const auto& [initiator, cred] : was) {
    if (now.count(initiator)) continue;
    json body = cred;
    body["TargetARN"] = target;
    const Exchange ex = client.Call(prefix, "UpdateChapCredentials", body.dump());
    (ex.status == 200 ? out.restored : out.changed).push_back("deleted credentials of " + initiator + " on " + target);
  }
  return out;
}

}  // namespace chapcheck::conformance
