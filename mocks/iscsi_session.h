// IscsiSession: one iSCSI connection of the mock's portal as a transport-free state machine:
// bytes from the initiator in, bytes to send and a "close now" flag out. It runs the login phase
// (SecurityNegotiation with CHAP or None, LoginOperationalNegotiation, discovery and normal
// sessions) and the full feature phase (NOP, Text/SendTargets, SCSI commands on LUN 0 with
// Data-In, R2T and Data-Out, task management, Logout), RFC 7143. MaxConnections=1 and
// ErrorRecoveryLevel=0: any protocol violation ends the connection.
//
// CHAP (RFC 7143 12.1.3): CHAP_A 5/6/7/8 as the initiator lists them, CHAP_N must be the
// InitiatorName, the challenge is 16 random bytes with a random identifier; mutual CHAP answers as
// the target IQN with the target secret, and is refused when the target has none, when the
// initiator reflects the target's own challenge, or when one secret would serve both directions.
// Every authentication failure is login status 0x0201 and a close. AuthMethod=None is accepted
// only while the target has no CHAP credentials at all.
//
// The session never decides who may log in: it asks IscsiSessionConfig::secrets, so defects and
// credential changes live in the caller (mocks/iscsi_backend.h). The fuzz target drives Feed()
// with arbitrary bytes; nothing it sends may crash or hang the session.
//
// Thread-safety: one session is used by one thread at a time. The config is shared read-only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/secret.h"
#include "mocks/scsi_lun.h"
#include "protocol/chap.h"
#include "protocol/iscsi_pdu.h"

namespace chapcheck::mocks {

struct IscsiTarget {
  std::string iqn;
  std::string arn;
  std::shared_ptr<const ScsiLun> lun;  // LUN 0
};

// What the session may know about one (target, initiator) pair when it authenticates.
struct LoginSecrets {
  bool chap_required = false;              // the target has CHAP credentials: None is refused
  std::vector<Secret> initiator_secrets;   // any of these proves the initiator; empty: unknown
  std::optional<Secret> target_secret;     // mutual CHAP answers with this; none: no mutual
};
using SecretsLookup = std::function<LoginSecrets(const std::string& target_arn, const std::string& initiator)>;

struct IscsiSessionConfig {
  std::vector<IscsiTarget> targets;  // the portal's targets
  std::string portal = "127.0.0.1:3260";  // for SendTargets (TargetAddress=<portal>,1)
  SecretsLookup secrets;
  std::function<std::uint16_t()> next_tsih;  // unset: a process-wide counter
  bool unit_attention_on_login = true;  // the first command reports POWER ON/RESET, as real targets do
  std::uint32_t max_recv_data_segment = 262144;  // what the target accepts (declared)
  std::uint32_t max_burst = 262144;
  std::uint32_t first_burst = 65536;
  std::size_t max_pending_writes = 4;
};

class IscsiSession {
 public:
  explicit IscsiSession(std::shared_ptr<const IscsiSessionConfig> config);

  struct Output {
    std::vector<std::uint8_t> bytes;  // to send, in order
    bool close = false;               // close the connection once `bytes` are sent
  };
  // Consumes `in` (any split of the stream). After close was returned, further input is ignored.
  Output Feed(std::span<const std::uint8_t> in);

  // Who this connection is (empty until the first login PDU named them; target empty for
  // discovery sessions).
  const std::string& target_arn() const { return target_arn_; }
  const std::string& initiator() const { return initiator_; }
  bool full_feature() const { return phase_ == Phase::kFullFeature; }
  bool discovery() const { return discovery_; }
  bool closed() const { return phase_ == Phase::kClosed; }
  // The status of the last login response (0 success; 0x0201 authentication failure ...).
  std::uint16_t last_login_status() const { return last_login_status_; }

 private:
  enum class Phase { kLogin, kFullFeature, kClosed };
  enum class Auth { kStart, kWaitAlgorithm, kWaitResponse, kDone };
  struct PendingWrite {
    iscsi::Pdu command;
    std::vector<std::uint8_t> data;
    std::uint32_t expected = 0;
    std::uint32_t ttt = 0;
    std::uint32_t burst_end = 0;  // offset the current R2T asked up to
    std::uint32_t r2t_sn = 0;
  };

  void Handle(iscsi::Pdu pdu, Output& out);
  // Login phase.
  void HandleLogin(const iscsi::Pdu& pdu, Output& out);
  bool FirstLoginPdu(const iscsi::KeyValues& keys, std::uint16_t& status);
  // Security keys; false with `status` set on failure.
  bool Authenticate(const iscsi::KeyValues& keys, iscsi::KeyValues& reply, std::uint16_t& status);
  LoginSecrets SecretsFor(const std::string& initiator) const;
  void Negotiate(const iscsi::KeyValues& keys, iscsi::KeyValues& reply, std::uint16_t& status);
  void LoginReply(const iscsi::Pdu& req, Output& out, std::uint16_t status, bool transit, iscsi::Stage nsg,
                  const iscsi::KeyValues& keys);
  // Full feature phase.
  bool AcceptCmdSn(const iscsi::Pdu& pdu);
  void ScsiCommand(const iscsi::Pdu& pdu, Output& out);
  void DataOut(const iscsi::Pdu& pdu, Output& out);
  void SendR2T(PendingWrite& w, Output& out);
  void Complete(const iscsi::Pdu& command, std::span<const std::uint8_t> data_out, Output& out);
  void TextRequest(const iscsi::Pdu& pdu, Output& out);
  void Reject(const iscsi::Pdu& pdu, std::uint8_t reason, Output& out);
  void StampResponse(iscsi::Pdu& pdu, bool advance_stat_sn);
  // A final response to `request` with its LUN and ITT, no TTT, sequence numbers stamped.
  iscsi::Pdu Answer(iscsi::Opcode opcode, const iscsi::Pdu& request);
  void Emit(const iscsi::Pdu& pdu, Output& out);
  const IscsiTarget* Target() const;

  std::shared_ptr<const IscsiSessionConfig> config_;
  iscsi::PduReader reader_;
  Phase phase_ = Phase::kLogin;

  // Login state.
  bool first_pdu_ = true;
  iscsi::Stage stage_ = iscsi::Stage::kSecurity;
  Auth auth_ = Auth::kStart;
  bool chap_ = false;
  std::vector<std::uint8_t> pending_text_;  // login/text data continued with the C bit
  std::array<std::uint8_t, 6> isid_{};
  std::uint16_t tsih_ = 0;
  std::uint32_t login_itt_ = 0;
  bool sent_portal_group_ = false;
  bool sent_mrdsl_ = false;
  std::string initiator_;
  std::string target_arn_;
  std::size_t target_index_ = 0;
  bool discovery_ = false;
  chap::Algorithm algorithm_ = chap::Algorithm::kMd5;
  std::uint8_t chap_id_ = 0;
  std::vector<std::uint8_t> challenge_;
  std::uint16_t last_login_status_ = 0;

  // Negotiated (initiator's view of what it accepts).
  std::uint32_t initiator_mrdsl_ = 8192;
  std::uint32_t max_burst_ = 262144;
  std::uint32_t first_burst_ = 65536;
  bool immediate_data_ = true;

  // Sequence numbers.
  std::uint32_t stat_sn_ = 1;
  std::uint32_t exp_cmd_sn_ = 0;
  static constexpr std::uint32_t kWindow = 32;

  bool unit_attention_ = true;
  std::uint32_t next_ttt_ = 1;
  std::map<std::uint32_t, PendingWrite> writes_;  // by ITT
};

}  // namespace chapcheck::mocks
