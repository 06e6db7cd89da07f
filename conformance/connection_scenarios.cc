#include "conformance/connection_scenarios.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "conformance/credentials_state.h"
#include "conformance/iscsi_probe.h"
#include "protocol/awsjson.h"

namespace chapcheck::conformance {
namespace {

using json = nlohmann::json;
using Ms = std::chrono::milliseconds;
using SessionId = IscsiProbe::SessionId;

constexpr std::string_view kClosedOnUpdate = "connections_closed_on_update";
constexpr std::string_view kOtherInitiators = "other_initiators_closed_on_update";
constexpr std::string_view kOtherTargets = "other_targets_untouched";
constexpr std::string_view kOldNew = "old_secret_refused_new_accepted";
constexpr std::string_view kTargetProves = "target_authenticates_with_target_secret";
constexpr std::string_view kMutualOff = "mutual_chap_off_without_target_secret";
constexpr std::string_view kRejectedKeeps = "rejected_keeps_connections";

// The scenarios' own initiators, distinct from anything a fixture or a real site would use.
const std::string kInitiatorA = "iqn.2026-11.org.chapcheck:probe-a";  // the one updated
const std::string kInitiatorB = "iqn.2026-11.org.chapcheck:probe-b";  // same target, not updated
const std::string kInitiatorC = "iqn.2026-11.org.chapcheck:probe-c";  // the other target

Finding Pass(std::string message) { return Finding{Status::kPass, std::move(message), "", ""}; }
Finding Skip(std::string message) { return Finding{Status::kSkip, std::move(message), "", ""}; }
Finding Fail(std::string message, std::string expected, std::string actual) {
  return Finding{Status::kFail, std::move(message), std::move(expected), std::move(actual)};
}

// 14 letters and digits, fresh per run: within 12..16 bytes, and nothing a reader could reuse.
Secret RandomSecret(std::mt19937_64& rng) {
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string s;
  for (int i = 0; i < 14; ++i) s += kAlphabet[pick(rng)];
  return Secret(std::move(s));
}

std::string Answer(const Exchange& ex) {
  if (!ex.transport_error.empty()) return "no answer: " + ex.transport_error;
  std::string out = "HTTP " + std::to_string(ex.status);
  if (ex.status >= 300) {
    const std::string* header = ex.Header("X-Amzn-Errortype");
    auto e = awsjson::ParseError(ex.body, header ? *header : "");
    if (e.ok()) out += " " + e->type + (e->error_code.empty() ? "" : "/" + e->error_code);
  }
  return out;
}

bool Accepted(const Exchange& ex) { return ex.transport_error.empty() && ex.status >= 200 && ex.status < 300; }

std::string Millis(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ms);
  return buf;
}

struct Held {
  std::string label;  // "A#1": initiator letter and session number
  SessionId id = 0;
};

class Scenarios {
 public:
  Scenarios(Client& client, const ScenarioOptions& o, std::string iqn, std::optional<std::string> other_iqn)
      : client_(client), o_(o), iqn_(std::move(iqn)), other_iqn_(std::move(other_iqn)),
        probe_(ProbeOptions{Ms(1000), o.login_timeout}), rng_(std::random_device{}()) {
    a1_ = RandomSecret(rng_), a2_ = RandomSecret(rng_), a3_ = RandomSecret(rng_), b1_ = RandomSecret(rng_);
    c1_ = RandomSecret(rng_), t2_ = RandomSecret(rng_), wrong_target_ = RandomSecret(rng_);
  }

  void Run(ScenarioResults& out) {
    if (!SetUp(out)) return;
    if (!HoldSessions(out)) return;
    RejectedUpdate(out);
    if (!AllOpen() && (!Update(o_.target_arn, kInitiatorA, a1_, std::nullopt, out) || !HoldSessions(out))) return;
    if (!AcceptedUpdate(out)) return;
    Secrets(out);
  }

 private:
  IscsiLogin LoginAs(const std::string& target_iqn, const std::string& initiator, const Secret& secret,
                     const std::optional<Secret>& target_secret = std::nullopt) const {
    IscsiLogin l;
    l.portal = *o_.iscsi_portal;
    l.target_iqn = target_iqn;
    l.initiator_name = initiator;
    l.chap_secret = secret;
    l.target_secret = target_secret;
    return l;
  }

  Exchange Send(const std::string& target_arn, const std::string& initiator, const std::string& secret,
                const std::optional<Secret>& target_secret) {
    json body{{"TargetARN", target_arn}, {"SecretToAuthenticateInitiator", secret}, {"InitiatorName", initiator}};
    if (target_secret) body["SecretToAuthenticateTarget"] = target_secret->Reveal();
    return client_.Call(o_.prefix, "UpdateChapCredentials", body.dump());
  }

  // An update the scenarios need to succeed; on failure every finding not yet made is skipped.
  bool Update(const std::string& target_arn, const std::string& initiator, const Secret& secret,
              const std::optional<Secret>& target_secret, ScenarioResults& out) {
    const Exchange ex = Send(target_arn, initiator, secret.Reveal(), target_secret);
    if (Accepted(ex)) return true;
    SkipRest(out, "UpdateChapCredentials for " + initiator + " on " + target_arn + " (a valid request) answered " +
                      Answer(ex) + "; the connection scenarios need it accepted");
    return false;
  }

  void SkipRest(ScenarioResults& out, const std::string& why) {
    for (std::string_view name : ConnectionScenarioNames()) {
      if (!out.findings.count(name)) out.findings.emplace(std::string(name), Skip(why));
    }
  }

  bool SetUp(ScenarioResults& out) {
    if (!Update(o_.target_arn, kInitiatorA, a1_, std::nullopt, out)) return false;
    if (!Update(o_.target_arn, kInitiatorB, b1_, std::nullopt, out)) return false;
    return !o_.other_target_arn || Update(*o_.other_target_arn, kInitiatorC, c1_, std::nullopt, out);
  }

  // Two sessions of A and one of B on the target, one of C on the other target (fresh ones).
  bool HoldSessions(ScenarioResults& out) {
    for (const Held& h : held_) probe_.Release(h.id);
    held_.clear();
    struct Want {
      const char* label;
      const std::string* iqn;
      const std::string* initiator;
      const Secret* secret;
    };
    std::vector<Want> wants = {{"A#1", &iqn_, &kInitiatorA, &a1_}, {"A#2", &iqn_, &kInitiatorA, &a1_},
                               {"B#1", &iqn_, &kInitiatorB, &b1_}};
    if (other_iqn_) wants.push_back({"C#1", &*other_iqn_, &kInitiatorC, &c1_});
    for (const Want& w : wants) {
      SessionId id = 0;
      const LoginResult r = probe_.Open(LoginAs(*w.iqn, *w.initiator, *w.secret), &id);
      if (!r.ok()) {
        const std::string what = std::string("session ") + w.label + " (" + *w.initiator + " on " + *w.iqn +
                                 ") with the secret just set does not log in: " + r.Describe();
        if (r.outcome != LoginOutcome::kConnectError && r.outcome != LoginOutcome::kTimeout) {
          out.findings.emplace(std::string(kOldNew), Fail(what, "login ok", r.Describe()));
        }
        SkipRest(out, "the probe cannot hold sessions on " + *o_.iscsi_portal + ": " + what);
        return false;
      }
      held_.push_back(Held{w.label, id});
    }
    return true;
  }

  // How long a session that must stay up is watched for an unwanted close: a fifth of the drop
  // deadline, at most 1 s (a close caused by the update comes with it, not seconds later).
  Ms Quiet() const { return std::min(o_.drop_deadline / 5, Ms(1000)); }

  bool AllOpen() const {
    return std::all_of(held_.begin(), held_.end(), [&](const Held& h) { return probe_.state(h.id) == SessionState::kOpen; });
  }

  struct Timed {
    Exchange ex;
    ProbeClock::time_point response_at;
  };

  // Sends the update while the probe pumps, so closes are seen as they happen; stops once every
  // session in `watch` has closed, or `wait` after the response.
  Timed UpdateWhilePumping(const std::string& initiator, const std::string& secret,
                           const std::optional<Secret>& target_secret, const std::vector<Held>& watch, Ms wait) {
    Timed t;
    t.response_at = probe_.PumpDuring([&] { t.ex = Send(o_.target_arn, initiator, secret, target_secret); },
                                      [&] {
                                        return std::none_of(watch.begin(), watch.end(), [&](const Held& h) {
                                          return probe_.state(h.id) == SessionState::kOpen;
                                        });
                                      },
                                      wait);
    return t;
  }

  // "A#1 closed 0.3 ms before the response" or "A#1 still open"; latency also as a property.
  std::string Latency(const Held& h, ProbeClock::time_point response_at, Finding* f) const {
    const auto at = probe_.closed_at(h.id);
    if (!at) return h.label + " " + std::string(ToString(probe_.state(h.id)));
    const double ms = std::chrono::duration<double, std::milli>(*at - response_at).count();
    if (f) f->properties.emplace_back("drop_latency_ms." + h.label, Millis(ms));
    return h.label + " closed " + (ms < 0 ? Millis(-ms) + " ms before" : Millis(ms) + " ms after") + " the response";
  }

  std::vector<Held> Labelled(char initiator) const {
    std::vector<Held> out;
    for (const Held& h : held_) {
      if (h.label[0] == initiator) out.push_back(h);
    }
    return out;
  }

  // Every session in `group` closed within the drop deadline of the response.
  Finding ClosedWithinDeadline(const std::vector<Held>& group, const Timed& t, const std::string& who) const {
    Finding f = Pass("");
    std::string lines;
    bool all = true;
    for (const Held& h : group) {
      lines += (lines.empty() ? "" : ", ") + Latency(h, t.response_at, &f);
      const auto at = probe_.closed_at(h.id);
      all &= at && *at - t.response_at <= o_.drop_deadline;
    }
    const std::string deadline = "within " + std::to_string(o_.drop_deadline.count()) + " ms of the response";
    if (!all) return Fail(who + " not all closed " + deadline + ": " + lines, "every session closed " + deadline, lines);
    f.message = who + " closed: " + lines;
    return f;
  }

  void RejectedUpdate(ScenarioResults& out) {
    const Timed t = UpdateWhilePumping(kInitiatorA, "short", std::nullopt, held_, Quiet());
    if (Accepted(t.ex)) {
      out.findings.emplace(std::string(kRejectedKeeps),
                           Fail("a 5-byte SecretToAuthenticateInitiator was accepted, so no rejection could be watched",
                                "a rejection", Answer(t.ex)));
      return;
    }
    Finding f = Pass("");
    std::string closed;
    for (const Held& h : held_) {
      if (probe_.state(h.id) != SessionState::kOpen) closed += (closed.empty() ? "" : ", ") + Latency(h, t.response_at, &f);
    }
    std::string silent;
    for (const Held& h : held_) {
      if (probe_.state(h.id) == SessionState::kOpen && !probe_.Ping(h.id, ProbeClock::now() + o_.login_timeout)) {
        if (probe_.state(h.id) != SessionState::kOpen) {
          closed += (closed.empty() ? "" : ", ") + Latency(h, t.response_at, &f);
        } else {
          silent += (silent.empty() ? "" : ", ") + h.label;
        }
      }
    }
    if (!closed.empty()) {
      out.findings.emplace(std::string(kRejectedKeeps),
                           Fail("a rejected update (" + Answer(t.ex) + ") closed sessions: " + closed, "no session closed", closed));
      return;
    }
    if (!silent.empty()) {
      out.findings.emplace(std::string(kRejectedKeeps),
                           Fail("after a rejected update (" + Answer(t.ex) + ") these sessions no longer answer a NOP-Out: " + silent,
                                "every session still served", silent + " silent"));
      return;
    }
    const LoginResult old = TryLogin(LoginAs(iqn_, kInitiatorA, a1_), o_.login_timeout);
    if (!old.ok()) {
      out.findings.emplace(std::string(kRejectedKeeps),
                           Fail("after a rejected update the old secret no longer logs in: " + old.Describe(), "login ok",
                                old.Describe()));
      return;
    }
    f.message = std::to_string(held_.size()) + " sessions stayed up (each answered a NOP-Out) through a rejected update (" +
                Answer(t.ex) + ") and the old secret still logs in";
    out.findings.emplace(std::string(kRejectedKeeps), std::move(f));
  }

  bool AcceptedUpdate(ScenarioResults& out) {
    std::vector<Held> watch = Labelled('A');
    for (const Held& h : Labelled('B')) watch.push_back(h);
    const Timed t = UpdateWhilePumping(kInitiatorA, a2_.Reveal(), t2_, watch, o_.drop_deadline);
    if (!Accepted(t.ex)) {
      const std::string why = "a valid update (new secrets for " + kInitiatorA + ") answered " + Answer(t.ex);
      for (auto name : {kClosedOnUpdate, kOtherInitiators}) {
        out.findings.emplace(std::string(name), Fail(why, "accepted, and the target's sessions closed", Answer(t.ex)));
      }
      SkipRest(out, why + "; nothing to judge after it");
      return false;
    }
    out.findings.emplace(std::string(kClosedOnUpdate),
                         ClosedWithinDeadline(Labelled('A'), t, "the updated initiator's sessions (" + kInitiatorA + ")"));
    out.findings.emplace(std::string(kOtherInitiators),
                         ClosedWithinDeadline(Labelled('B'), t, "another initiator's session on the target (" + kInitiatorB + ")"));
    const std::vector<Held> others = Labelled('C');
    if (others.empty()) {
      out.findings.emplace(std::string(kOtherTargets), Skip("needs --other-target-arn (a second target on the same portal)"));
      return true;
    }
    // Give a wrongly dropped session on the other target a moment to show.
    probe_.PumpUntil([&] { return probe_.state(others[0].id) != SessionState::kOpen; },
                     ProbeClock::now() + Quiet());
    Finding f = Pass("");
    const bool served = probe_.Ping(others[0].id, ProbeClock::now() + o_.login_timeout);
    const std::string line = Latency(others[0], t.response_at, &f);
    if (probe_.state(others[0].id) == SessionState::kOpen && !served) {
      out.findings.emplace(std::string(kOtherTargets),
                           Fail("after an update of " + o_.target_arn + " the session on " + *o_.other_target_arn +
                                    " no longer answers a NOP-Out",
                                "the other target's session still served", "open but silent"));
    } else if (probe_.state(others[0].id) != SessionState::kOpen) {
      out.findings.emplace(std::string(kOtherTargets),
                           Fail("an update of " + o_.target_arn + " dropped a session on " + *o_.other_target_arn + ": " + line,
                                "the other target's session stays up", line));
    } else {
      f.message = "the session on " + *o_.other_target_arn + " stayed up and answers a NOP-Out (" + line + ")";
      out.findings.emplace(std::string(kOtherTargets), std::move(f));
    }
    return true;
  }

  // After the accepted update (A: a2_, target secret t2_): which secrets log in, and mutual CHAP.
  void Secrets(ScenarioResults& out) {
    const LoginResult old = TryLogin(LoginAs(iqn_, kInitiatorA, a1_), o_.login_timeout);
    const LoginResult now = TryLogin(LoginAs(iqn_, kInitiatorA, a2_), o_.login_timeout);
    const std::string seen = "old secret: " + old.Describe() + "; new secret: " + now.Describe();
    out.findings.emplace(std::string(kOldNew), old.outcome == LoginOutcome::kAuthFailure && now.ok()
                                                   ? Pass(seen)
                                                   : Fail("after an update " + seen,
                                                          "old secret: auth failure (0x0201); new secret: ok", seen));

    const LoginResult right = TryLogin(LoginAs(iqn_, kInitiatorA, a2_, t2_), o_.login_timeout);
    const LoginResult wrong = TryLogin(LoginAs(iqn_, kInitiatorA, a2_, wrong_target_), o_.login_timeout);
    const std::string mutual = "mutual login expecting SecretToAuthenticateTarget: " + right.Describe() +
                               "; expecting another target secret: " + wrong.Describe();
    out.findings.emplace(std::string(kTargetProves),
                         right.ok() && wrong.outcome == LoginOutcome::kTargetAuthFailure
                             ? Pass(mutual)
                             : Fail(mutual, "ok; target failed to authenticate", mutual));

    if (!Update(o_.target_arn, kInitiatorA, a3_, std::nullopt, out)) return;
    const LoginResult one_way = TryLogin(LoginAs(iqn_, kInitiatorA, a3_), o_.login_timeout);
    const LoginResult still = TryLogin(LoginAs(iqn_, kInitiatorA, a3_, t2_), o_.login_timeout);
    const std::string off = "after an update without SecretToAuthenticateTarget, one-way login: " + one_way.Describe() +
                            "; mutual login expecting the previous target secret: " + still.Describe();
    const bool verdict = still.outcome != LoginOutcome::kConnectError && still.outcome != LoginOutcome::kTimeout;
    out.findings.emplace(std::string(kMutualOff), one_way.ok() && verdict && !still.ok()
                                                      ? Pass(off)
                                                      : Fail(off, "one-way ok; mutual refused", off));
  }

  Client& client_;
  const ScenarioOptions& o_;
  std::string iqn_;
  std::optional<std::string> other_iqn_;
  IscsiProbe probe_;
  std::mt19937_64 rng_;
  Secret a1_, a2_, a3_, b1_, c1_, t2_, wrong_target_;
  std::vector<Held> held_;
};

}  // namespace

const std::vector<std::string_view>& ConnectionScenarioNames() {
  static const std::vector<std::string_view> names = {kClosedOnUpdate, kOtherInitiators, kOtherTargets, kOldNew,
                                                      kTargetProves,   kMutualOff,       kRejectedKeeps};
  return names;
}

std::optional<std::string> TargetIqnOf(const std::string& target_arn) {
  const auto at = target_arn.find("/target/");
  if (at == std::string::npos || at + 8 >= target_arn.size()) return std::nullopt;
  return target_arn.substr(at + 8);
}

ScenarioResults RunConnectionScenarios(Client& client, const ScenarioOptions& o) {
  ScenarioResults out;
  auto skip_all = [&](const std::string& why) {
    for (std::string_view name : ConnectionScenarioNames()) out.findings.emplace(std::string(name), Skip(why));
    return out;
  };
  if (!o.iscsi_portal) {
    return skip_all(o.no_portal_reason.empty() ? "needs the iSCSI portal of the target's gateway: pass --iscsi-portal HOST:PORT"
                                               : o.no_portal_reason);
  }
  if (!o.allowed) return skip_all("changes CHAP credentials and drops iSCSI connections: pass --disruptive");
  const auto iqn = TargetIqnOf(o.target_arn);
  if (!iqn) return skip_all("the TargetARN names no target IQN (no /target/ part)");
  std::optional<std::string> other_iqn;
  if (o.other_target_arn) {
    other_iqn = TargetIqnOf(*o.other_target_arn);
    if (!other_iqn) return skip_all("--other-target-arn names no target IQN (no /target/ part)");
  }

  const CredentialsSnapshot target_before = DescribeCredentials(client, o.prefix, o.target_arn);
  const CredentialsSnapshot other_before =
      o.other_target_arn ? DescribeCredentials(client, o.prefix, *o.other_target_arn) : CredentialsSnapshot{};
  {
    Scenarios scenarios(client, o, *iqn, other_iqn);
    scenarios.Run(out);
  }  // sessions released before the credentials go back
  if (!target_before.ok || (o.other_target_arn && !other_before.ok)) {
    out.changed.push_back("credentials of the scenarios' initiators (" + kInitiatorA + ", " + kInitiatorB + ", " + kInitiatorC +
                          "): DescribeChapCredentials failed before the scenarios, so they could not be restored");
  }
  RestoreCredentials(client, o.prefix, o.target_arn, target_before, out.restored, out.changed);
  if (o.other_target_arn) RestoreCredentials(client, o.prefix, *o.other_target_arn, other_before, out.restored, out.changed);
  for (std::string_view name : ConnectionScenarioNames()) {
    if (!out.findings.count(name)) out.findings.emplace(std::string(name), Skip("not reached"));
  }
  return out;
}

}  // namespace chapcheck::conformance
