// GatewayState: what the mock gateway knows (gateways, volumes and their iSCSI targets, CHAP
// credentials per target and initiator, access keys), loaded from a JSON fixture.
//
// Thread-safety: every method may be called from any thread. Credential writes are serialised
// (one writer at a time); readers get a consistent copy, never half an update.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secret.h"

namespace chapcheck::mocks {

struct AccessKey {
  std::string id;
  Secret secret;
};

struct GatewayInfo {
  std::string arn;   // arn:aws:storagegateway:<region>:<account>:gateway/<id>
  std::string id;    // the part after "gateway/"
  std::string type;  // STORED, CACHED, VTL, FILE_S3, FILE_FSX_SMB, ...
  bool online = true;
  bool HasIscsi() const { return type == "STORED" || type == "CACHED" || type == "VTL"; }
};

struct Volume {
  std::string arn;          // <gateway arn>/volume/<id>
  std::string id;
  std::string gateway_arn;
  std::string target_iqn;
  std::string target_arn;   // <gateway arn>/target/<iqn>
  std::uint64_t size_bytes = 0;
  std::string disk_id;
};

struct ChapCredential {
  std::string target_arn;
  std::string initiator;
  Secret secret_to_authenticate_initiator;
  std::optional<Secret> secret_to_authenticate_target;  // present: mutual CHAP
};

struct Fixture {
  std::string region;
  std::vector<AccessKey> access_keys;
  std::vector<GatewayInfo> gateways;
  std::vector<Volume> volumes;
  std::vector<ChapCredential> credentials;
};

// Parses a fixture; errors name the JSON path. DefaultFixtureText() is mocks/fixtures/default.json.
Result<Fixture> ParseFixture(std::string_view text);
std::string_view DefaultFixtureText();
// The fixture as JSON with every secret replaced by "***" (for --print-fixture).
std::string DescribeFixture(const Fixture& fixture);

class GatewayState {
 public:
  explicit GatewayState(Fixture fixture);

  const std::string& region() const { return region_; }
  // The secret of an access key, or nullptr. The returned pointer lives as long as the state.
  const Secret* FindAccessKey(std::string_view id) const;
  std::optional<GatewayInfo> FindGateway(std::string_view gateway_arn) const;
  bool TargetExists(std::string_view target_arn) const;
  std::vector<std::string> Targets() const;
  std::vector<GatewayInfo> Gateways() const;
  std::vector<Volume> Volumes() const;
  std::optional<Volume> FindVolume(std::string_view volume_arn) const;

  std::vector<ChapCredential> CredentialsOf(std::string_view target_arn) const;
  std::optional<ChapCredential> Credential(std::string_view target_arn, std::string_view initiator) const;
  void Put(ChapCredential credential);
  // The credentials Put() replaced for this pair, oldest first (at most 8; for the data plane's
  // keep-old-secrets and ignore-target-secret defects).
  std::vector<ChapCredential> History(std::string_view target_arn, std::string_view initiator) const;
  bool Delete(std::string_view target_arn, std::string_view initiator);
  // For the unknown-target-created defect: a target that no volume backs.
  void AddTarget(const std::string& target_arn);

  // How many times Put, Delete (of a credential that was there) and AddTarget (of a new target)
  // changed the state since construction. Equal counts mean an equal state: a caller that keeps
  // one state across independent requests (a fuzz target) starts afresh only after a change.
  std::uint64_t changes() const { return changes_.load(std::memory_order_acquire); }

 private:
  std::string region_;
  std::vector<AccessKey> keys_;  // immutable after construction
  mutable std::shared_mutex mu_;
  std::vector<GatewayInfo> gateways_;
  std::vector<Volume> volumes_;
  std::vector<std::string> extra_targets_;
  std::map<std::pair<std::string, std::string>, ChapCredential> credentials_;
  std::map<std::pair<std::string, std::string>, std::vector<ChapCredential>> history_;
  std::atomic<std::uint64_t> changes_{0};
};

}  // namespace chapcheck::mocks
