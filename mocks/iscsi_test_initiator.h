// Test support: a small iSCSI initiator built on protocol/ (not libiscsi), for driving the mock's
// session state machine directly or its portal over a socket. It logs in (None, CHAP, mutual CHAP,
// with knobs to misbehave: a reflected challenge, a wrong CHAP_N) and sends SCSI commands,
// answering R2Ts with Data-Out. One initiator per thread.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/secret.h"
#include "mocks/iscsi_session.h"
#include "protocol/chap.h"
#include "protocol/iscsi_pdu.h"

namespace chapcheck::mocks::testing {

inline constexpr const char* kMyVolumeIqn = "iqn.1997-05.com.amazon:myvolume";
inline constexpr const char* kOtherVolumeIqn = "iqn.1997-05.com.amazon:othervolume";
inline constexpr const char* kFixtureInitiator = "iqn.1991-05.com.microsoft:computername.domain.example.com";

// Sends one PDU and returns what the target answered up to and including the next PDU that ends
// an exchange (a response, R2T or reject); nullopt when the connection closed instead.
using Exchange = std::function<std::optional<std::vector<iscsi::Pdu>>(const iscsi::Pdu&)>;

// True for PDUs after which the target waits for the initiator.
inline bool EndsExchange(const iscsi::Pdu& p) {
  using iscsi::Opcode;
  switch (p.opcode()) {
    case Opcode::kDataIn: return (p.flags() & 0x01) != 0;
    case Opcode::kAsyncMessage: return false;
    default: return true;
  }
}

// Cuts a session's output into PDUs.
inline std::vector<iscsi::Pdu> Cut(const std::vector<std::uint8_t>& bytes) {
  iscsi::PduReader r;
  r.Feed(bytes);
  std::vector<iscsi::Pdu> out;
  while (true) {
    auto n = r.Next();
    if (!n || !n->has_value()) break;
    out.push_back(std::move(**n));
  }
  return out;
}

// Drives an IscsiSession in memory.
inline Exchange SessionExchange(IscsiSession& session) {
  return [&session](const iscsi::Pdu& pdu) -> std::optional<std::vector<iscsi::Pdu>> {
    auto out = session.Feed(iscsi::Serialize(pdu));
    auto pdus = Cut(out.bytes);
    if (pdus.empty() && out.close) return std::nullopt;
    return pdus;
  };
}

struct LoginParams {
  std::string initiator = kFixtureInitiator;
  std::string target = kMyVolumeIqn;  // empty: a discovery session
  std::optional<Secret> secret;         // none: AuthMethod=None
  std::optional<Secret> target_secret;  // mutual CHAP: challenge the target and check its answer
  std::string algorithms = "5";
  std::string auth_methods;             // default "CHAP,None" with a secret, "None" without
  bool reflect_challenge = false;       // send the target's own challenge back as CHAP_C
  std::string chap_name;                // CHAP_N; default the initiator name
};

struct LoginResult {
  bool ok = false;
  std::uint16_t status = 0;      // of the last login response
  bool closed = false;           // the target closed the connection
  bool target_verified = false;  // mutual CHAP: the target's CHAP_R matched target_secret
  std::string failure;           // what went wrong, for test messages
  std::uint16_t tsih = 0;
  std::string chap_algorithm;    // the CHAP_A the target chose
};

class TestInitiator {
 public:
  explicit TestInitiator(Exchange exchange) : exchange_(std::move(exchange)) {}

  LoginResult Login(const LoginParams& p) {
    LoginResult r;
    using iscsi::Stage;
    iscsi::KeyValues first = {{"InitiatorName", p.initiator}};
    if (p.target.empty()) {
      first.emplace_back("SessionType", "Discovery");
    } else {
      first.emplace_back("TargetName", p.target);
      first.emplace_back("SessionType", "Normal");
    }
    const std::string methods = !p.auth_methods.empty() ? p.auth_methods : p.secret ? "CHAP,None" : "None";
    first.emplace_back("AuthMethod", methods);
    const bool none = methods == "None";
    auto reply = Step(Stage::kSecurity, none ? Stage::kOperational : Stage::kSecurity, none, first, r);
    if (!reply) return r;
    const std::string* chosen = iscsi::FindKey(*reply, "AuthMethod");
    if (chosen != nullptr && *chosen == "CHAP") {
      if (!p.secret) return Fail(r, "the target chose CHAP but the test has no secret");
      reply = Step(Stage::kSecurity, Stage::kSecurity, false, {{"CHAP_A", p.algorithms}}, r);
      if (!reply) return r;
      const std::string *a = iscsi::FindKey(*reply, "CHAP_A"), *i = iscsi::FindKey(*reply, "CHAP_I"),
                        *c = iscsi::FindKey(*reply, "CHAP_C");
      if (!a || !i || !c) return Fail(r, "no CHAP_A/CHAP_I/CHAP_C from the target");
      r.chap_algorithm = *a;
      const auto alg = chap::AlgorithmFromCode(iscsi::ParseNumber(*a).value_or(0));
      const auto id = iscsi::ParseNumber(*i);
      auto challenge = chap::DecodeBinary(*c);
      if (!alg || !id || *id > 255 || !challenge) return Fail(r, "malformed CHAP challenge");
      iscsi::KeyValues answer = {
          {"CHAP_N", p.chap_name.empty() ? p.initiator : p.chap_name},
          {"CHAP_R", chap::EncodeHex(chap::Response(*alg, static_cast<std::uint8_t>(*id), *p.secret, *challenge))}};
      std::vector<std::uint8_t> mine;
      const std::uint8_t my_id = 77;
      if (p.target_secret || p.reflect_challenge) {
        mine = p.reflect_challenge ? *challenge : chap::RandomBytes(16);
        answer.emplace_back("CHAP_I", std::to_string(my_id));
        answer.emplace_back("CHAP_C", chap::EncodeHex(mine));
      }
      reply = Step(Stage::kSecurity, Stage::kOperational, true, answer, r);
      if (!reply) return r;
      if (p.target_secret) {
        const std::string *n = iscsi::FindKey(*reply, "CHAP_N"), *resp = iscsi::FindKey(*reply, "CHAP_R");
        if (!n || !resp) return Fail(r, "the target did not answer the mutual challenge");
        auto got = chap::DecodeBinary(*resp);
        r.target_verified = got && *n == p.target &&
                            chap::ConstantTimeEqual(*got, chap::Response(*alg, my_id, *p.target_secret, mine));
        if (!r.target_verified) return Fail(r, "the target's CHAP_R does not prove the target secret");
      }
    } else if (!none) {
      // AuthMethod=None chosen from a list: move on.
      reply = Step(Stage::kSecurity, Stage::kOperational, true, {}, r);
      if (!reply) return r;
    }
    iscsi::KeyValues op = {{"HeaderDigest", "None"},        {"DataDigest", "None"},
                           {"MaxRecvDataSegmentLength", "65536"}, {"DefaultTime2Wait", "2"},
                           {"DefaultTime2Retain", "0"},     {"ErrorRecoveryLevel", "0"}};
    if (!p.target.empty()) {
      op.insert(op.end(), {{"InitialR2T", "Yes"},
                           {"ImmediateData", "Yes"},
                           {"MaxBurstLength", "262144"},
                           {"FirstBurstLength", "65536"},
                           {"MaxOutstandingR2T", "1"},
                           {"MaxConnections", "1"},
                           {"DataPDUInOrder", "Yes"},
                           {"DataSequenceInOrder", "Yes"}});
    }
    reply = Step(Stage::kOperational, Stage::kFullFeature, true, op, r);
    if (!reply) return r;
    if (!last_.transit() || last_.nsg() != Stage::kFullFeature) return Fail(r, "the target did not enter full feature");
    r.tsih = last_.tsih();
    r.ok = r.tsih != 0;
    if (!r.ok) return Fail(r, "no TSIH");
    return r;
  }

  // One SCSI command on LUN 0; returns the read data and the final status (SCSI status, or -1 when
  // the connection closed or the target rejected it).
  struct CommandResult {
    int status = -1;
    std::vector<std::uint8_t> data;
    std::vector<std::uint8_t> sense;
    std::uint32_t stat_sn = 0;
    std::uint32_t r2ts = 0;
  };
  CommandResult Command(std::vector<std::uint8_t> cdb, std::uint32_t expected, bool read,
                        const std::vector<std::uint8_t>& write = {}, std::uint64_t lun = 0) {
    CommandResult out;
    iscsi::Pdu c;
    c.SetOpcode(iscsi::Opcode::kScsiCommand);
    c.SetFlags(static_cast<std::uint8_t>(0x80 | (read ? 0x40 : 0) | (!write.empty() ? 0x20 : 0) | 0x01));
    c.SetLun(lun);
    const std::uint32_t itt = ++itt_;
    c.SetItt(itt);
    c.SetU32(20, expected);
    c.SetU32(24, cmd_sn_++);
    c.SetU32(28, exp_stat_sn_);
    cdb.resize(16, 0);
    std::copy(cdb.begin(), cdb.end(), c.bhs.begin() + 32);
    const std::size_t immediate = std::min<std::size_t>(write.size(), 65536);
    c.data.assign(write.begin(), write.begin() + static_cast<std::ptrdiff_t>(immediate));
    auto pdus = exchange_(c);
    while (pdus) {
      std::optional<iscsi::Pdu> r2t;
      for (const auto& p : *pdus) {
        if (p.opcode() == iscsi::Opcode::kDataIn) {
          out.data.insert(out.data.end(), p.data.begin(), p.data.end());
          if (p.flags() & 0x01) {
            out.status = p.bhs[3];
            Track(p);
            return out;
          }
        } else if (p.opcode() == iscsi::Opcode::kScsiResponse) {
          out.status = p.bhs[3];
          if (p.data.size() >= 2) out.sense.assign(p.data.begin() + 2, p.data.end());
          Track(p);
          return out;
        } else if (p.opcode() == iscsi::Opcode::kR2T) {
          r2t = p;
        } else {
          return out;  // reject or something unexpected
        }
      }
      if (!r2t) return out;
      ++out.r2ts;
      // Answer the R2T with Data-Out PDUs of 64 KiB.
      const std::uint32_t offset = r2t->buffer_offset(), length = r2t->desired_length();
      std::optional<std::vector<iscsi::Pdu>> next;
      for (std::uint32_t done = 0, sn = 0; done < length; ++sn) {
        const std::uint32_t n = std::min<std::uint32_t>(length - done, 65536);
        iscsi::Pdu d;
        d.SetOpcode(iscsi::Opcode::kDataOut);
        d.SetFlags(done + n == length ? 0x80 : 0);
        d.SetItt(itt);
        d.SetTtt(r2t->ttt());
        d.SetU32(28, exp_stat_sn_);
        d.SetU32(36, sn);
        d.SetU32(40, offset + done);
        d.data.assign(write.begin() + offset + done, write.begin() + offset + done + n);
        done += n;
        if (done < length) {
          auto mid = exchange_(d);
          if (!mid || !mid->empty()) return out;  // nothing is due before the burst ends
        } else {
          next = exchange_(d);
        }
      }
      pdus = std::move(next);
    }
    return out;
  }

  // NOP-Out ping; true when the target answered with a NOP-In echoing the data.
  bool Ping() {
    iscsi::Pdu p;
    p.SetOpcode(iscsi::Opcode::kNopOut, true);
    p.SetFlags(0x80);
    p.SetItt(++itt_);
    p.SetTtt(iscsi::kReservedTag);
    p.SetU32(24, cmd_sn_);
    p.SetU32(28, exp_stat_sn_);
    p.data = {'p', 'i', 'n', 'g'};
    auto r = exchange_(p);
    if (!r || r->size() != 1) return false;
    Track(r->front());
    return r->front().opcode() == iscsi::Opcode::kNopIn && r->front().itt() == itt_ && r->front().data == p.data;
  }

  // Text request (SendTargets=All); the answer's pairs, repeats allowed.
  std::optional<iscsi::KeyValues> SendTargets(const std::string& value = "All") {
    iscsi::Pdu t;
    t.SetOpcode(iscsi::Opcode::kTextRequest, true);
    t.SetFlags(0x80);
    t.SetItt(++itt_);
    t.SetTtt(iscsi::kReservedTag);
    t.SetU32(24, cmd_sn_);
    t.SetU32(28, exp_stat_sn_);
    t.data = iscsi::FormatText({{"SendTargets", value}});
    auto r = exchange_(t);
    if (!r || r->size() != 1 || r->front().opcode() != iscsi::Opcode::kTextResponse) return std::nullopt;
    Track(r->front());
    iscsi::TextLimits limits;
    limits.allow_repeats = true;
    auto kv = iscsi::ParseText(r->front().data, limits);
    if (!kv) return std::nullopt;
    return *kv;
  }

  // Logout; true when the target answered "closed".
  bool Logout() {
    iscsi::Pdu l;
    l.SetOpcode(iscsi::Opcode::kLogoutRequest, true);
    l.SetFlags(0x80);
    l.SetItt(++itt_);
    l.SetU32(24, cmd_sn_);
    l.SetU32(28, exp_stat_sn_);
    auto r = exchange_(l);
    return r && r->size() == 1 && r->front().opcode() == iscsi::Opcode::kLogoutResponse && r->front().bhs[2] == 0;
  }

  std::uint32_t cmd_sn() const { return cmd_sn_; }
  std::uint32_t exp_stat_sn() const { return exp_stat_sn_; }
  const iscsi::Pdu& last() const { return last_; }

 private:
  LoginResult& Fail(LoginResult& r, std::string why) {
    r.ok = false;
    r.failure = std::move(why);
    return r;
  }

  void Track(const iscsi::Pdu& p) {
    last_ = p;
    exp_stat_sn_ = p.sn24() + 1;
  }

  // One login request/response; the response's keys, or nullopt (r says why).
  std::optional<iscsi::KeyValues> Step(iscsi::Stage csg, iscsi::Stage nsg, bool transit, const iscsi::KeyValues& keys,
                                       LoginResult& r) {
    iscsi::Pdu p;
    p.SetOpcode(iscsi::Opcode::kLoginRequest, true);
    p.SetLoginFlags(transit, false, csg, transit ? nsg : iscsi::Stage::kSecurity);
    // ISID: "random" format, distinct per initiator object: a second session with the same ISID
    // and InitiatorName would reinstate (end) the first one on targets that implement it (tgtd).
    p.bhs[8] = 0x80;
    p.SetU32(10, isid_);
    p.SetItt(0x1000);
    p.SetU32(24, cmd_sn_);
    p.SetU32(28, exp_stat_sn_);
    p.data = iscsi::FormatText(keys);
    auto answer = exchange_(p);
    if (!answer) {
      r.closed = true;
      Fail(r, "the target closed the connection");
      return std::nullopt;
    }
    if (answer->size() != 1 || answer->front().opcode() != iscsi::Opcode::kLoginResponse) {
      Fail(r, "not one login response");
      return std::nullopt;
    }
    Track(answer->front());
    r.status = last_.login_status();
    if (r.status != 0) {
      Fail(r, "login status " + std::to_string(r.status));
      return std::nullopt;
    }
    auto kv = iscsi::ParseText(last_.data);
    if (!kv) {
      Fail(r, "malformed login response text");
      return std::nullopt;
    }
    return *kv;
  }

  static std::uint32_t NextIsid() {
    static std::atomic<std::uint32_t> next{1};
    return next++;
  }

  Exchange exchange_;
  const std::uint32_t isid_ = NextIsid();
  iscsi::Pdu last_;
  std::uint32_t itt_ = 0;
  std::uint32_t cmd_sn_ = 1;
  std::uint32_t exp_stat_sn_ = 0;
};

}  // namespace chapcheck::mocks::testing
