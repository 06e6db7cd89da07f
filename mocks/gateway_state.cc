#include "mocks/gateway_state.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

namespace chapcheck::mocks {
namespace {

using json = nlohmann::json;

struct FixtureError {
  std::string path, message;
};

const json& Need(const json& j, const char* key, const std::string& path) {
  if (!j.is_object() || !j.contains(key)) throw FixtureError{path, std::string("missing \"") + key + "\""};
  return j.at(key);
}

std::string Str(const json& j, const char* key, const std::string& path) {
  const json& v = Need(j, key, path);
  if (!v.is_string() || v.get<std::string>().empty()) throw FixtureError{path + "." + key, "expected a non-empty string"};
  return v.get<std::string>();
}

const json& Array(const json& j, const char* key, const std::string& path) {
  if (!j.contains(key)) {
    static const json empty = json::array();
    return empty;
  }
  const json& v = j.at(key);
  if (!v.is_array()) throw FixtureError{path + "." + key, "expected an array"};
  return v;
}

// "arn:...:gateway/<id>" -> "<id>"; empty when the ARN has no gateway part.
std::string GatewayIdOf(const std::string& arn) {
  const auto at = arn.find(":gateway/");
  if (at == std::string::npos) return "";
  std::string rest = arn.substr(at + 9);
  return rest.substr(0, rest.find('/'));
}

Fixture Build(const json& j) {
  if (!j.is_object()) throw FixtureError{"$", "a fixture is a JSON object"};
  Fixture f;
  f.region = Str(j, "region", "$");
  const json& keys = Array(j, "accessKeys", "$");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string p = "$.accessKeys[" + std::to_string(i) + "]";
    f.access_keys.push_back({Str(keys[i], "accessKeyId", p), Secret(Str(keys[i], "secretAccessKey", p))});
  }
  const json& gws = Array(j, "gateways", "$");
  for (std::size_t i = 0; i < gws.size(); ++i) {
    const std::string p = "$.gateways[" + std::to_string(i) + "]";
    GatewayInfo g;
    g.arn = Str(gws[i], "arn", p);
    g.id = GatewayIdOf(g.arn);
    if (g.id.empty() || g.arn.rfind("arn:", 0) != 0) throw FixtureError{p + ".arn", "not a gateway ARN (arn:...:gateway/<id>)"};
    g.type = gws[i].value("type", "STORED");
    g.online = gws[i].value("online", true);
    f.gateways.push_back(g);
  }
  const json& vols = Array(j, "volumes", "$");
  for (std::size_t i = 0; i < vols.size(); ++i) {
    const std::string p = "$.volumes[" + std::to_string(i) + "]";
    Volume v;
    v.arn = Str(vols[i], "arn", p);
    const auto at = v.arn.find("/volume/");
    if (at == std::string::npos) throw FixtureError{p + ".arn", "not a volume ARN (<gateway arn>/volume/<id>)"};
    v.gateway_arn = v.arn.substr(0, at);
    v.id = v.arn.substr(at + 8);
    if (std::none_of(f.gateways.begin(), f.gateways.end(), [&](const GatewayInfo& g) { return g.arn == v.gateway_arn; })) {
      throw FixtureError{p + ".arn", "its gateway is not in gateways"};
    }
    v.target_iqn = Str(vols[i], "targetIqn", p);
    v.target_arn = v.gateway_arn + "/target/" + v.target_iqn;
    v.size_bytes = vols[i].value("sizeBytes", std::uint64_t{1} << 30);
    v.disk_id = vols[i].value("diskId", "");
    f.volumes.push_back(v);
  }
  const json& creds = Array(j, "chapCredentials", "$");
  for (std::size_t i = 0; i < creds.size(); ++i) {
    const std::string p = "$.chapCredentials[" + std::to_string(i) + "]";
    ChapCredential c;
    c.target_arn = Str(creds[i], "targetArn", p);
    c.initiator = Str(creds[i], "initiatorName", p);
    c.secret_to_authenticate_initiator = Secret(Str(creds[i], "secretToAuthenticateInitiator", p));
    if (creds[i].contains("secretToAuthenticateTarget")) {
      c.secret_to_authenticate_target = Secret(Str(creds[i], "secretToAuthenticateTarget", p));
    }
    if (std::none_of(f.volumes.begin(), f.volumes.end(), [&](const Volume& v) { return v.target_arn == c.target_arn; })) {
      throw FixtureError{p + ".targetArn", "no volume has this target"};
    }
    f.credentials.push_back(std::move(c));
  }
  return f;
}

}  // namespace

Result<Fixture> ParseFixture(std::string_view text) {
  try {
    return Build(json::parse(text.begin(), text.end()));
  } catch (const FixtureError& e) {
    return Error{e.path, e.message};
  } catch (const json::exception& e) {
    return Error{"", std::string("not a fixture: ") + (e.id == 101 ? "not valid JSON" : "wrong JSON type")};
  }
}

std::string DescribeFixture(const Fixture& f) {
  json j;
  j["region"] = f.region;
  j["accessKeys"] = json::array();
  for (const auto& k : f.access_keys) j["accessKeys"].push_back({{"accessKeyId", k.id}, {"secretAccessKey", "***"}});
  j["gateways"] = json::array();
  for (const auto& g : f.gateways) {
    j["gateways"].push_back({{"arn", g.arn}, {"type", g.type}, {"online", g.online}, {"iscsi", g.HasIscsi()}});
  }
  j["volumes"] = json::array();
  for (const auto& v : f.volumes) {
    j["volumes"].push_back({{"arn", v.arn}, {"targetArn", v.target_arn}, {"sizeBytes", v.size_bytes}});
  }
  j["chapCredentials"] = json::array();
  for (const auto& c : f.credentials) {
    json e{{"targetArn", c.target_arn}, {"initiatorName", c.initiator}, {"secretToAuthenticateInitiator", "***"}};
    if (c.secret_to_authenticate_target) e["secretToAuthenticateTarget"] = "***";
    j["chapCredentials"].push_back(e);
  }
  return j.dump(2);
}

GatewayState::GatewayState(Fixture f)
    : region_(std::move(f.region)), keys_(std::move(f.access_keys)), gateways_(std::move(f.gateways)),
      volumes_(std::move(f.volumes)) {
  for (auto& c : f.credentials) {
    auto key = std::make_pair(c.target_arn, c.initiator);
    credentials_[key] = std::move(c);
  }
}

const Secret* GatewayState::FindAccessKey(std::string_view id) const {
  for (const auto& k : keys_) {
    if (k.id == id) return &k.secret;
  }
  return nullptr;
}

std::optional<GatewayInfo> GatewayState::FindGateway(std::string_view arn) const {
  std::shared_lock lock(mu_);
  for (const auto& g : gateways_) {
    if (g.arn == arn) return g;
  }
  return std::nullopt;
}

bool GatewayState::TargetExists(std::string_view target_arn) const {
  std::shared_lock lock(mu_);
  return std::any_of(volumes_.begin(), volumes_.end(), [&](const Volume& v) { return v.target_arn == target_arn; }) ||
         std::find(extra_targets_.begin(), extra_targets_.end(), target_arn) != extra_targets_.end();
}

std::vector<std::string> GatewayState::Targets() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out = extra_targets_;
  for (const auto& v : volumes_) {
    if (std::find(out.begin(), out.end(), v.target_arn) == out.end()) out.push_back(v.target_arn);
  }
  return out;
}

std::vector<GatewayInfo> GatewayState::Gateways() const {
  std::shared_lock lock(mu_);
  return gateways_;
}

std::vector<Volume> GatewayState::Volumes() const {
  std::shared_lock lock(mu_);
  return volumes_;
}

std::optional<Volume> GatewayState::FindVolume(std::string_view arn) const {
  std::shared_lock lock(mu_);
  for (const auto& v : volumes_) {
    if (v.arn == arn) return v;
  }
  return std::nullopt;
}

std::vector<ChapCredential> GatewayState::CredentialsOf(std::string_view target_arn) const {
  std::shared_lock lock(mu_);
  std::vector<ChapCredential> out;
  for (const auto& [key, c] : credentials_) {
    if (key.first == target_arn) out.push_back(c);
  }
  return out;
}

std::optional<ChapCredential> GatewayState::Credential(std::string_view target_arn, std::string_view initiator) const {
  std::shared_lock lock(mu_);
  auto it = credentials_.find({std::string(target_arn), std::string(initiator)});
  if (it == credentials_.end()) return std::nullopt;
  return it->second;
}

void GatewayState::Put(ChapCredential c) {
  std::unique_lock lock(mu_);
  auto key = std::make_pair(c.target_arn, c.initiator);
  auto old = credentials_.find(key);
  if (old != credentials_.end()) {
    auto& past = history_[key];
    past.push_back(std::move(old->second));
    if (past.size() > 8) past.erase(past.begin());  // bounded: a fuzzer may update forever
  }
  credentials_[key] = std::move(c);
  changes_.fetch_add(1, std::memory_order_release);
}

std::vector<ChapCredential> GatewayState::History(std::string_view target_arn, std::string_view initiator) const {
  std::shared_lock lock(mu_);
  auto it = history_.find({std::string(target_arn), std::string(initiator)});
  return it == history_.end() ? std::vector<ChapCredential>{} : it->second;
}

bool GatewayState::Delete(std::string_view target_arn, std::string_view initiator) {
  std::unique_lock lock(mu_);
  const bool erased = credentials_.erase({std::string(target_arn), std::string(initiator)}) > 0;
  if (erased) changes_.fetch_add(1, std::memory_order_release);
  return erased;
}

void GatewayState::AddTarget(const std::string& target_arn) {
  std::unique_lock lock(mu_);
  if (std::find(extra_targets_.begin(), extra_targets_.end(), target_arn) == extra_targets_.end()) {
    extra_targets_.push_back(target_arn);
    changes_.fetch_add(1, std::memory_order_release);
  }
}

}  // namespace chapcheck::mocks
