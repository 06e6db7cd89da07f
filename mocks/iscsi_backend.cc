#include "mocks/iscsi_backend.h"

#include <set>

namespace chapcheck::mocks {
namespace {

// A target secret that is not the current one: the newest earlier one that differs, or (never
// updated) the current one with its last byte changed.
Secret StaleTargetSecret(const Secret& current, const std::vector<ChapCredential>& history) {
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->secret_to_authenticate_target && !it->secret_to_authenticate_target->Equals(current)) {
      return *it->secret_to_authenticate_target;
    }
  }
  std::string bytes = current.Reveal();
  if (bytes.empty()) return Secret("stale-target-secret");
  bytes.back() = static_cast<char>(bytes.back() ^ 0x01);
  return Secret(std::move(bytes));
}

}  // namespace

std::shared_ptr<IscsiSessionConfig> MakeIscsiConfig(Gateway& gateway, const std::string& gateway_arn,
                                                    const std::string& portal, std::size_t memory_budget) {
  auto config = std::make_shared<IscsiSessionConfig>();
  config->portal = portal;
  std::set<std::string> seen;
  for (const Volume& v : gateway.state().Volumes()) {
    if (v.gateway_arn != gateway_arn || !seen.insert(v.target_iqn).second) continue;
    auto disk = std::make_shared<SparseDisk>(v.size_bytes, memory_budget);
    config->targets.push_back(IscsiTarget{v.target_iqn, v.target_arn, std::make_shared<ScsiLun>(disk, v.id)});
  }
  GatewayState* state = &gateway.state();
  const DefectSet defects = gateway.defects();
  config->secrets = [state, defects](const std::string& target_arn, const std::string& initiator) {
    LoginSecrets s;
    s.chap_required = !state->CredentialsOf(target_arn).empty();
    const auto current = state->Credential(target_arn, initiator);
    if (!current) return s;
    s.initiator_secrets.push_back(current->secret_to_authenticate_initiator);
    s.target_secret = current->secret_to_authenticate_target;
    if (defects.Has(Defect::kKeepOldSecrets) || defects.Has(Defect::kIgnoreTargetSecret)) {
      const auto history = state->History(target_arn, initiator);
      if (defects.Has(Defect::kKeepOldSecrets)) {
        for (const auto& old : history) s.initiator_secrets.push_back(old.secret_to_authenticate_initiator);
      }
      if (defects.Has(Defect::kIgnoreTargetSecret) && s.target_secret) {
        s.target_secret = StaleTargetSecret(*s.target_secret, history);
      }
    }
    return s;
  };
  return config;
}

}  // namespace chapcheck::mocks
