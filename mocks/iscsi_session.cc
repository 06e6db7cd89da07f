#include "mocks/iscsi_session.h"

#include <algorithm>
#include <atomic>

namespace chapcheck::mocks {

using iscsi::KeyValues;
using iscsi::Opcode;
using iscsi::Pdu;
using iscsi::Stage;

namespace {

constexpr std::uint16_t kLoginUnsupportedVersion = 0x0205;
constexpr std::uint16_t kLoginSessionDoesNotExist = 0x020a;

std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    out.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::uint16_t DefaultTsih() {
  static std::atomic<std::uint16_t> next{0};
  std::uint16_t t;
  do {
    t = ++next;
  } while (t == 0);
  return t;
}

bool IsAuthKey(const std::string& key) {
  return key == "AuthMethod" || key.rfind("CHAP_", 0) == 0;
}

// Keys the login's first PDU declares; no answer is due.
bool IsDeclaration(const std::string& key) {
  return key == "InitiatorName" || key == "TargetName" || key == "SessionType" || key == "InitiatorAlias";
}

}  // namespace

IscsiSession::IscsiSession(std::shared_ptr<const IscsiSessionConfig> config)
    : config_(std::move(config)), reader_(config_->max_recv_data_segment) {
  unit_attention_ = config_->unit_attention_on_login;
}

IscsiSession::Output IscsiSession::Feed(std::span<const std::uint8_t> in) {
  Output out;
  if (phase_ == Phase::kClosed) {
    out.close = true;
    return out;
  }
  reader_.Feed(in);
  while (phase_ != Phase::kClosed) {
    auto next = reader_.Next();
    if (!next) {  // a framing error: no reply can be trusted to parse, just close
      phase_ = Phase::kClosed;
      break;
    }
    if (!next->has_value()) break;
    Handle(std::move(**next), out);
  }
  out.close = phase_ == Phase::kClosed;
  return out;
}

void IscsiSession::Emit(const Pdu& pdu, Output& out) { iscsi::AppendSerialized(pdu, out.bytes); }

void IscsiSession::StampResponse(Pdu& pdu, bool advance_stat_sn) {
  pdu.SetU32(24, stat_sn_);
  if (advance_stat_sn) ++stat_sn_;
  pdu.SetU32(28, exp_cmd_sn_);
  pdu.SetU32(32, exp_cmd_sn_ + kWindow - 1);
}

Pdu IscsiSession::Answer(Opcode opcode, const Pdu& request) {
  Pdu r;
  r.SetOpcode(opcode);
  r.SetFlags(0x80);
  r.SetLun(request.lun());
  r.SetItt(request.itt());
  r.SetTtt(iscsi::kReservedTag);
  StampResponse(r, true);
  return r;
}

const IscsiTarget* IscsiSession::Target() const {
  if (discovery_ || target_arn_.empty()) return nullptr;
  return &config_->targets[target_index_];
}

void IscsiSession::Handle(Pdu pdu, Output& out) {
  if (phase_ == Phase::kLogin) {
    if (pdu.opcode() != Opcode::kLoginRequest) {
      phase_ = Phase::kClosed;  // RFC 7143 6.2: only Login PDUs until the login completes
      return;
    }
    HandleLogin(pdu, out);
    return;
  }
  switch (pdu.opcode()) {
    case Opcode::kNopOut: {
      if (!AcceptCmdSn(pdu)) return;
      if (pdu.itt() == iscsi::kReservedTag) return;  // a reply to a target ping, or no answer wanted
      Pdu in = Answer(Opcode::kNopIn, pdu);
      in.data.assign(pdu.data.begin(), pdu.data.begin() + std::min<std::size_t>(pdu.data.size(), initiator_mrdsl_));
      Emit(in, out);
      return;
    }
    case Opcode::kScsiCommand:
      if (discovery_) return Reject(pdu, iscsi::kRejectProtocolError, out);
      if (!AcceptCmdSn(pdu)) return;
      return ScsiCommand(pdu, out);
    case Opcode::kDataOut: return DataOut(pdu, out);
    case Opcode::kTextRequest:
      if (!AcceptCmdSn(pdu)) return;
      return TextRequest(pdu, out);
    case Opcode::kTaskManagement: {
      if (!AcceptCmdSn(pdu)) return;
      // Every task completes before the next PDU is read, except writes waiting for data.
      if ((pdu.flags() & 0x7f) == 1) writes_.erase(pdu.U32(20));
      if ((pdu.flags() & 0x7f) >= 2) writes_.clear();
      Pdu r = Answer(Opcode::kTaskManagementResponse, pdu);
      r.SetLun(0);
      r.SetTtt(0);
      r.bhs[2] = 0;  // function complete
      Emit(r, out);
      return;
    }
    case Opcode::kLogoutRequest: {
      AcceptCmdSn(pdu);
      const std::uint8_t reason = pdu.flags() & 0x7f;
      Pdu r = Answer(Opcode::kLogoutResponse, pdu);
      r.SetLun(0);
      r.SetTtt(0);
      r.bhs[2] = reason <= 1 ? 0 : 2;  // closed; recovery not supported
      Emit(r, out);
      phase_ = Phase::kClosed;
      return;
    }
    case Opcode::kLoginRequest: return Reject(pdu, iscsi::kRejectProtocolError, out);
    default: return Reject(pdu, iscsi::kRejectCommandNotSupported, out);
  }
}

// --- login phase ------------------------------------------------------------------------

void IscsiSession::LoginReply(const Pdu& req, Output& out, std::uint16_t status, bool transit, Stage nsg,
                              const KeyValues& keys) {
  Pdu r;
  r.SetOpcode(Opcode::kLoginResponse);
  r.SetLoginFlags(transit, false, stage_, transit ? nsg : Stage::kSecurity);
  r.bhs[2] = 0;  // version-max
  r.bhs[3] = 0;  // version-active
  const auto isid = req.isid();
  std::copy(isid.begin(), isid.end(), r.bhs.begin() + 8);
  r.SetTsih(status == iscsi::kLoginSuccess && transit && nsg == Stage::kFullFeature ? tsih_ : 0);
  r.SetItt(req.itt());
  StampResponse(r, true);
  r.SetLoginStatus(status);
  if (status == iscsi::kLoginSuccess) r.data = iscsi::FormatText(keys);
  last_login_status_ = status;
  Emit(r, out);
  if (status != iscsi::kLoginSuccess) phase_ = Phase::kClosed;
}

void IscsiSession::HandleLogin(const Pdu& pdu, Output& out) {
  auto fail = [&](std::uint16_t status) { LoginReply(pdu, out, status, false, Stage::kSecurity, {}); };
  if (first_pdu_) {
    isid_ = pdu.isid();
    login_itt_ = pdu.itt();
    exp_cmd_sn_ = pdu.sn24();  // the login is immediate: its CmdSN is the next one expected
    if (pdu.bhs[3] > 0) return fail(kLoginUnsupportedVersion);
    if (pdu.tsih() != 0) return fail(kLoginSessionDoesNotExist);  // one connection per session
  } else if (pdu.isid() != isid_ || pdu.tsih() != 0) {
    return fail(iscsi::kLoginInitiatorError);
  }
  if (pdu.csg() != stage_ || pdu.csg() == Stage::kFullFeature || static_cast<int>(pdu.csg()) == 2 ||
      (pdu.transit() && (static_cast<int>(pdu.nsg()) == 2 || static_cast<int>(pdu.nsg()) <= static_cast<int>(pdu.csg()))) ||
      (pdu.transit() && pdu.continue_bit())) {
    return fail(iscsi::kLoginInitiatorError);
  }
  // Text spread over several PDUs (C bit): collect, answer each part with an empty response.
  if (pending_text_.size() + pdu.data.size() > (64u << 10)) return fail(iscsi::kLoginInitiatorError);
  pending_text_.insert(pending_text_.end(), pdu.data.begin(), pdu.data.end());
  if (pdu.continue_bit()) {
    LoginReply(pdu, out, iscsi::kLoginSuccess, false, Stage::kSecurity, {});
    return;
  }
  auto parsed = iscsi::ParseText(pending_text_);
  pending_text_.clear();
  if (!parsed) return fail(iscsi::kLoginInitiatorError);
  const KeyValues& keys = *parsed;

  std::uint16_t status = iscsi::kLoginSuccess;
  KeyValues reply;
  if (first_pdu_) {
    first_pdu_ = false;
    if (!FirstLoginPdu(keys, status)) return fail(status);
    if (!discovery_) {
      reply.emplace_back("TargetPortalGroupTag", "1");
      sent_portal_group_ = true;
    }
  }
  const bool has_auth_keys = std::any_of(keys.begin(), keys.end(), [](const auto& kv) { return IsAuthKey(kv.first); });
  if (stage_ == Stage::kSecurity) {
    if (!Authenticate(keys, reply, status)) return fail(status);
  } else if (has_auth_keys) {
    return fail(iscsi::kLoginInitiatorError);  // security keys outside the security stage
  }
  Negotiate(keys, reply, status);
  if (status != iscsi::kLoginSuccess) return fail(status);

  bool transit = pdu.transit();
  if (transit && stage_ == Stage::kSecurity && auth_ != Auth::kDone) {
    // Leaving the security stage without authenticating: allowed only where None would be.
    if (auth_ == Auth::kStart && !SecretsFor(initiator_).chap_required && !has_auth_keys) {
      auth_ = Auth::kDone;
    } else if (auth_ == Auth::kStart) {
      return fail(iscsi::kLoginAuthenticationFailure);
    } else {
      transit = false;  // still exchanging CHAP keys
    }
  }
  const Stage nsg = pdu.nsg();
  if (transit && nsg == Stage::kFullFeature) {
    tsih_ = config_->next_tsih ? config_->next_tsih() : DefaultTsih();
    if (tsih_ == 0) tsih_ = 1;
  }
  LoginReply(pdu, out, iscsi::kLoginSuccess, transit, nsg, reply);
  if (transit) {
    stage_ = nsg;
    if (nsg == Stage::kFullFeature) phase_ = Phase::kFullFeature;
  }
}

bool IscsiSession::FirstLoginPdu(const KeyValues& keys, std::uint16_t& status) {
  const std::string* name = iscsi::FindKey(keys, "InitiatorName");
  if (name == nullptr || name->empty()) {
    status = iscsi::kLoginMissingParameter;
    return false;
  }
  initiator_ = *name;
  const std::string* type = iscsi::FindKey(keys, "SessionType");
  if (type != nullptr && *type != "Normal" && *type != "Discovery") {
    status = iscsi::kLoginSessionTypeNotSupported;
    return false;
  }
  discovery_ = type != nullptr && *type == "Discovery";
  if (discovery_) return true;
  const std::string* target = iscsi::FindKey(keys, "TargetName");
  if (target == nullptr || target->empty()) {
    status = iscsi::kLoginMissingParameter;
    return false;
  }
  for (std::size_t i = 0; i < config_->targets.size(); ++i) {
    if (config_->targets[i].iqn == *target) {
      target_index_ = i;
      target_arn_ = config_->targets[i].arn;
      return true;
    }
  }
  status = iscsi::kLoginNotFound;
  return false;
}

LoginSecrets IscsiSession::SecretsFor(const std::string& initiator) const {
  if (!config_->secrets) return {};
  if (!discovery_) return config_->secrets(target_arn_, initiator);
  // Discovery sessions: no CHAP of their own; an initiator that insists on CHAP may prove itself
  // with its secret of any target on this portal.
  LoginSecrets all;
  for (const auto& t : config_->targets) {
    LoginSecrets s = config_->secrets(t.arn, initiator);
    all.initiator_secrets.insert(all.initiator_secrets.end(), s.initiator_secrets.begin(), s.initiator_secrets.end());
    if (!all.target_secret && !s.initiator_secrets.empty()) all.target_secret = s.target_secret;
  }
  return all;
}

bool IscsiSession::Authenticate(const KeyValues& keys, KeyValues& reply, std::uint16_t& status) {
  status = iscsi::kLoginAuthenticationFailure;
  const std::string* method = iscsi::FindKey(keys, "AuthMethod");
  const bool chap_keys = std::any_of(keys.begin(), keys.end(), [](const auto& kv) { return kv.first.rfind("CHAP_", 0) == 0; });
  if (method != nullptr) {
    if (auth_ != Auth::kStart) return false;  // offered twice
    const auto offered = SplitList(*method);
    const LoginSecrets secrets = SecretsFor(initiator_);
    const bool can_chap = !secrets.initiator_secrets.empty() || secrets.chap_required;
    std::string chosen;
    if (secrets.chap_required) {
      if (Contains(offered, "CHAP")) chosen = "CHAP";
    } else if (Contains(offered, "None")) {
      chosen = "None";
    } else if (Contains(offered, "CHAP") && can_chap) {
      chosen = "CHAP";
    }
    if (chosen.empty()) return false;
    reply.emplace_back("AuthMethod", chosen);
    chap_ = chosen == "CHAP";
    auth_ = chap_ ? Auth::kWaitAlgorithm : Auth::kDone;
  }
  if (!chap_keys) {
    status = iscsi::kLoginSuccess;
    return true;
  }
  if (!chap_) return false;  // CHAP keys without CHAP chosen
  if (auth_ == Auth::kWaitAlgorithm) {
    const std::string* a = iscsi::FindKey(keys, "CHAP_A");
    if (a == nullptr || iscsi::FindKey(keys, "CHAP_R") != nullptr) return false;
    std::optional<chap::Algorithm> pick;
    for (const auto& code : SplitList(*a)) {
      const auto n = iscsi::ParseNumber(code);
      if (n && (pick = chap::AlgorithmFromCode(*n))) break;
    }
    if (!pick) return false;
    algorithm_ = *pick;
    chap_id_ = chap::RandomBytes(1)[0];
    challenge_ = chap::RandomBytes(16);
    reply.emplace_back("CHAP_A", std::to_string(chap::CodeOf(algorithm_)));
    reply.emplace_back("CHAP_I", std::to_string(chap_id_));
    reply.emplace_back("CHAP_C", chap::EncodeHex(challenge_));
    auth_ = Auth::kWaitResponse;
    status = iscsi::kLoginSuccess;
    return true;
  }
  if (auth_ != Auth::kWaitResponse) return false;
  const std::string* n = iscsi::FindKey(keys, "CHAP_N");
  const std::string* r = iscsi::FindKey(keys, "CHAP_R");
  const std::string* i = iscsi::FindKey(keys, "CHAP_I");
  const std::string* c = iscsi::FindKey(keys, "CHAP_C");
  if (n == nullptr || r == nullptr || (i == nullptr) != (c == nullptr)) return false;
  if (iscsi::FindKey(keys, "CHAP_A") != nullptr) return false;
  if (*n != initiator_) return false;  // CHAP_N is the initiator's IQN
  auto response = chap::DecodeBinary(*r, 64);
  if (!response) return false;
  const LoginSecrets secrets = SecretsFor(initiator_);
  const Secret* matched = nullptr;
  for (const Secret& s : secrets.initiator_secrets) {
    // Check every secret, so the time taken does not say which one (or whether any) matched.
    if (chap::ConstantTimeEqual(chap::Response(algorithm_, chap_id_, s, challenge_), *response) && matched == nullptr) {
      matched = &s;
    }
  }
  if (matched == nullptr) return false;
  if (c != nullptr) {
    // Mutual CHAP: the initiator challenges the target.
    const auto id = iscsi::ParseNumber(*i);
    auto their_challenge = chap::DecodeBinary(*c, 1024);
    if (!id || *id > 255 || !their_challenge || !secrets.target_secret) return false;
    if (chap::ConstantTimeEqual(*their_challenge, challenge_)) return false;  // reflected challenge
    if (secrets.target_secret->Equals(*matched)) return false;                // one secret both ways
    const auto answer = chap::Response(algorithm_, static_cast<std::uint8_t>(*id), *secrets.target_secret, *their_challenge);
    reply.emplace_back("CHAP_N", config_->targets.empty() || discovery_ ? std::string("iqn.mock:discovery")
                                                                         : config_->targets[target_index_].iqn);
    reply.emplace_back("CHAP_R", chap::EncodeHex(answer));
  }
  auth_ = Auth::kDone;
  status = iscsi::kLoginSuccess;
  return true;
}

void IscsiSession::Negotiate(const KeyValues& keys, KeyValues& reply, std::uint16_t& status) {
  auto yes_no = [](const std::string& v) -> std::optional<bool> {
    if (v == "Yes") return true;
    if (v == "No") return false;
    return std::nullopt;
  };
  auto number = [&](const std::string& v, std::uint64_t lo, std::uint64_t hi) -> std::optional<std::uint32_t> {
    auto n = iscsi::ParseNumber(v);
    if (!n || *n < lo || *n > hi) return std::nullopt;
    return static_cast<std::uint32_t>(*n);
  };
  bool declared_mrdsl = false;
  for (const auto& [key, value] : keys) {
    if (IsAuthKey(key) || IsDeclaration(key)) continue;
    const bool session_key = key == "InitialR2T" || key == "ImmediateData" || key == "MaxBurstLength" ||
                             key == "FirstBurstLength" || key == "MaxOutstandingR2T" || key == "DataPDUInOrder" ||
                             key == "DataSequenceInOrder" || key == "MaxConnections";
    if (discovery_ && session_key) {
      reply.emplace_back(key, "Irrelevant");
      continue;
    }
    if (key == "HeaderDigest" || key == "DataDigest") {
      if (!Contains(SplitList(value), "None")) {
        status = iscsi::kLoginInitiatorError;  // this target offers no digests
        return;
      }
      reply.emplace_back(key, "None");
    } else if (key == "MaxRecvDataSegmentLength") {
      auto n = number(value, 512, 16777215);
      if (!n) {
        status = iscsi::kLoginInitiatorError;
        return;
      }
      initiator_mrdsl_ = *n;
      declared_mrdsl = true;
    } else if (key == "MaxBurstLength" || key == "FirstBurstLength") {
      auto n = number(value, 512, 16777215);
      if (!n) {
        status = iscsi::kLoginInitiatorError;
        return;
      }
      std::uint32_t& mine = key == "MaxBurstLength" ? max_burst_ : first_burst_;
      mine = std::min(*n, key == "MaxBurstLength" ? config_->max_burst : config_->first_burst);
      reply.emplace_back(key, std::to_string(mine));
    } else if (key == "InitialR2T" || key == "DataPDUInOrder" || key == "DataSequenceInOrder") {
      if (!yes_no(value)) {
        status = iscsi::kLoginInitiatorError;
        return;
      }
      reply.emplace_back(key, "Yes");  // OR with this target's Yes
    } else if (key == "ImmediateData") {
      auto v = yes_no(value);
      if (!v) {
        status = iscsi::kLoginInitiatorError;
        return;
      }
      immediate_data_ = *v;
      reply.emplace_back(key, *v ? "Yes" : "No");  // AND with this target's Yes
    } else if (key == "MaxOutstandingR2T" || key == "MaxConnections" || key == "ErrorRecoveryLevel" ||
               key == "DefaultTime2Retain" || key == "DefaultTime2Wait") {
      auto n = number(value, 0, 65535);
      if (!n) {
        status = iscsi::kLoginInitiatorError;
        return;
      }
      if (key == "ErrorRecoveryLevel") {
        reply.emplace_back(key, "0");
      } else if (key == "DefaultTime2Wait") {
        reply.emplace_back(key, std::to_string(std::max<std::uint32_t>(*n, 2)));
      } else if (key == "DefaultTime2Retain") {
        reply.emplace_back(key, "0");
      } else {
        reply.emplace_back(key, "1");
      }
    } else if (key == "IFMarker" || key == "OFMarker") {
      reply.emplace_back(key, "No");
    } else if (key == "IFMarkInt" || key == "OFMarkInt") {
      reply.emplace_back(key, "Reject");
    } else if (key == "TargetAlias" || key == "TargetAddress" || key == "TargetPortalGroupTag") {
      status = iscsi::kLoginInitiatorError;  // target-only keys
      return;
    } else {
      reply.emplace_back(key, "NotUnderstood");
    }
  }
  if (declared_mrdsl || (stage_ == Stage::kOperational && !sent_mrdsl_)) {
    reply.emplace_back("MaxRecvDataSegmentLength", std::to_string(config_->max_recv_data_segment));
    sent_mrdsl_ = true;
  }
}

// --- full feature phase -----------------------------------------------------------------

bool IscsiSession::AcceptCmdSn(const Pdu& pdu) {
  if (pdu.immediate()) return true;
  const std::uint32_t sn = pdu.sn24();
  if (sn == exp_cmd_sn_) {
    ++exp_cmd_sn_;
    return true;
  }
  // Outside the window (old or too far ahead): silently dropped (RFC 7143 4.2.2.1).
  if (iscsi::SerialLess(sn, exp_cmd_sn_) || !iscsi::SerialLess(sn, exp_cmd_sn_ + kWindow)) return false;
  exp_cmd_sn_ = sn + 1;  // a gap on a single connection: nothing will fill it, move on
  return true;
}

void IscsiSession::Reject(const Pdu& pdu, std::uint8_t reason, Output& out) {
  Pdu r;
  r.SetOpcode(Opcode::kReject);
  r.SetFlags(0x80);
  r.bhs[2] = reason;
  r.SetItt(iscsi::kReservedTag);
  StampResponse(r, true);
  r.data.assign(pdu.bhs.begin(), pdu.bhs.end());
  Emit(r, out);
}

void IscsiSession::ScsiCommand(const Pdu& pdu, Output& out) {
  const std::uint32_t expected = pdu.expected_length();
  if (!pdu.write_bit()) return Complete(pdu, {}, out);
  if (pdu.data.size() > expected || pdu.data.size() > first_burst_ || (!pdu.data.empty() && !immediate_data_)) {
    return Reject(pdu, iscsi::kRejectProtocolError, out);
  }
  if (pdu.data.size() == expected) return Complete(pdu, pdu.data, out);
  if (expected > ScsiLun::kMaxTransferBytes || writes_.size() >= config_->max_pending_writes ||
      writes_.count(pdu.itt()) != 0) {
    // Answered without asking for the data; the initiator sends none unsolicited (InitialR2T=Yes).
    return Complete(pdu, {}, out);
  }
  PendingWrite& w = writes_[pdu.itt()];
  w.command = pdu;
  w.expected = expected;
  w.data = pdu.data;
  w.data.reserve(std::min<std::size_t>(expected, 1u << 20));
  SendR2T(w, out);
}

void IscsiSession::SendR2T(PendingWrite& w, Output& out) {
  const auto have = static_cast<std::uint32_t>(w.data.size());
  w.ttt = next_ttt_++;
  if (w.ttt == iscsi::kReservedTag) w.ttt = next_ttt_++;
  w.burst_end = have + std::min(w.expected - have, max_burst_);
  Pdu r;
  r.SetOpcode(Opcode::kR2T);
  r.SetFlags(0x80);
  r.SetLun(w.command.lun());
  r.SetItt(w.command.itt());
  r.SetTtt(w.ttt);
  StampResponse(r, false);
  r.SetU32(36, w.r2t_sn++);
  r.SetU32(40, have);
  r.SetU32(44, w.burst_end - have);
  Emit(r, out);
}

void IscsiSession::DataOut(const Pdu& pdu, Output& out) {
  auto it = writes_.find(pdu.itt());
  if (it == writes_.end() || pdu.ttt() != it->second.ttt) return Reject(pdu, iscsi::kRejectInvalidPduField, out);
  PendingWrite& w = it->second;
  // In order (DataPDUInOrder=Yes): each PDU continues where the last ended, within the burst.
  if (pdu.buffer_offset() != w.data.size() || pdu.data.size() > w.burst_end - w.data.size()) {
    writes_.erase(it);
    return Reject(pdu, iscsi::kRejectProtocolError, out);
  }
  w.data.insert(w.data.end(), pdu.data.begin(), pdu.data.end());
  if (w.data.size() < w.burst_end) {
    if (!pdu.final()) return;
    writes_.erase(it);  // the burst ended short
    return Reject(pdu, iscsi::kRejectProtocolError, out);
  }
  if (w.data.size() < w.expected) return SendR2T(w, out);
  PendingWrite done = std::move(w);
  writes_.erase(it);
  Complete(done.command, done.data, out);
}

void IscsiSession::Complete(const Pdu& command, std::span<const std::uint8_t> data_out, Output& out) {
  const IscsiTarget* target = Target();
  ScsiOutcome o;
  if (target == nullptr || !target->lun) {
    o = ScsiOutcome::Check(0x05, 0x25, 0x00);
  } else if (command.lun() != 0) {
    o = target->lun->ExecuteMissingLun(command.cdb());
  } else if (command.write_bit() && data_out.size() < command.expected_length()) {
    o = ScsiOutcome::Check(0x05, 0x24, 0x00);  // the data was not asked for (too large or too many)
  } else {
    o = target->lun->Execute(command.cdb(), data_out, unit_attention_);
  }
  const std::uint32_t expected = command.expected_length();
  std::uint8_t residual_flags = 0;
  std::uint32_t residual = 0;
  std::span<const std::uint8_t> data_in = o.data_in;
  if (!command.read_bit()) data_in = {};
  if (command.read_bit() && o.status == 0) {
    if (data_in.size() > expected) {
      residual_flags = 0x04;  // overflow
      residual = static_cast<std::uint32_t>(data_in.size() - expected);
      data_in = data_in.first(expected);
    } else if (data_in.size() < expected) {
      residual_flags = 0x02;  // underflow
      residual = static_cast<std::uint32_t>(expected - data_in.size());
    }
  } else if (command.write_bit() && data_out.size() < expected) {
    residual_flags = 0x02;
    residual = static_cast<std::uint32_t>(expected - data_out.size());
  }
  std::uint32_t data_sn = 0;
  if (o.status == 0 && !data_in.empty()) {
    std::size_t offset = 0;
    while (offset < data_in.size()) {
      const std::size_t n = std::min<std::size_t>(data_in.size() - offset, initiator_mrdsl_);
      const bool last = offset + n == data_in.size();
      const bool burst_end = last || (offset + n) % max_burst_ == 0;
      Pdu d;
      d.SetOpcode(Opcode::kDataIn);
      d.SetFlags(static_cast<std::uint8_t>((burst_end ? 0x80 : 0) | (last ? 0x01 | residual_flags : 0)));
      d.SetItt(command.itt());
      d.SetTtt(iscsi::kReservedTag);
      StampResponse(d, last);
      if (!last) d.SetU32(24, 0);
      d.SetU32(36, data_sn++);
      d.SetU32(40, static_cast<std::uint32_t>(offset));
      if (last) d.SetU32(44, residual);
      d.data.assign(data_in.begin() + static_cast<std::ptrdiff_t>(offset),
                    data_in.begin() + static_cast<std::ptrdiff_t>(offset + n));
      Emit(d, out);
      offset += n;
    }
    return;
  }
  Pdu r;
  r.SetOpcode(Opcode::kScsiResponse);
  r.SetFlags(static_cast<std::uint8_t>(0x80 | (o.status == 0 ? residual_flags : 0)));
  r.bhs[2] = 0;  // command completed at target
  r.bhs[3] = o.status;
  r.SetItt(command.itt());
  StampResponse(r, true);
  r.SetU32(36, data_sn);
  if (o.status == 0) r.SetU32(44, residual);
  if (!o.sense.empty()) {
    r.data.push_back(static_cast<std::uint8_t>(o.sense.size() >> 8));
    r.data.push_back(static_cast<std::uint8_t>(o.sense.size()));
    r.data.insert(r.data.end(), o.sense.begin(), o.sense.end());
  }
  Emit(r, out);
}

void IscsiSession::TextRequest(const Pdu& pdu, Output& out) {
  KeyValues reply;
  auto keys = iscsi::ParseText(pdu.data);
  if (!keys) return Reject(pdu, iscsi::kRejectProtocolError, out);
  for (const auto& [key, value] : *keys) {
    if (key != "SendTargets") {
      reply.emplace_back(key, "NotUnderstood");
      continue;
    }
    for (const auto& t : config_->targets) {
      // A normal session learns only about its own target (RFC 7143 13.3: "" means this one).
      const bool wanted = discovery_ ? (value == "All" || value == t.iqn) : (t.arn == target_arn_ && (value.empty() || value == t.iqn));
      if (!wanted) continue;
      reply.emplace_back("TargetName", t.iqn);
      reply.emplace_back("TargetAddress", config_->portal + ",1");
    }
  }
  Pdu r = Answer(Opcode::kTextResponse, pdu);
  r.data = iscsi::FormatText(reply);
  if (r.data.size() > initiator_mrdsl_) r.data.resize(0);  // never more than the initiator accepts
  Emit(r, out);
}

}  // namespace chapcheck::mocks
