#include "conformance/iscsi_probe.h"

#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

extern "C" {
#include <iscsi/iscsi.h>
}

namespace chapcheck::conformance {
namespace {

constexpr int kAuthFailure = 0x0201;

// libiscsi reports a refused login only as text: "Failed to log in to target. Status: <words>(<n>)".
LoginResult Classify(const std::string& text) {
  LoginResult r;
  r.detail = text;
  if (text.find("CHAP_R response from the target") != std::string::npos ||
      text.find("Wrong CHAP targetname") != std::string::npos || text.find("Wrong size of CHAP_R") != std::string::npos) {
    r.outcome = LoginOutcome::kTargetAuthFailure;
    return r;
  }
  const auto at = text.find("Status: ");
  const auto open = at == std::string::npos ? std::string::npos : text.rfind('(');
  if (open != std::string::npos && open > at) {
    int status = 0;
    if (std::sscanf(text.c_str() + open, "(%d)", &status) == 1) {
      r.status = status;
      r.outcome = status == kAuthFailure ? LoginOutcome::kAuthFailure : LoginOutcome::kOtherStatus;
      return r;
    }
  }
  r.outcome = LoginOutcome::kProtocolError;
  return r;
}

std::string ErrorOf(iscsi_context* ctx) {
  const char* e = ctx ? iscsi_get_error(ctx) : nullptr;
  return e && *e ? std::string(e) : std::string("(libiscsi gave no reason)");
}

}  // namespace

std::string_view ToString(LoginOutcome o) {
  switch (o) {
    case LoginOutcome::kOk: return "ok";
    case LoginOutcome::kAuthFailure: return "auth failure";
    case LoginOutcome::kTargetAuthFailure: return "target failed to authenticate";
    case LoginOutcome::kOtherStatus: return "refused";
    case LoginOutcome::kProtocolError: return "protocol error";
    case LoginOutcome::kConnectError: return "connect error";
    case LoginOutcome::kTimeout: return "timeout";
  }
  return "?";
}

std::string_view ToString(SessionState s) {
  switch (s) {
    case SessionState::kLoggingIn: return "logging in";
    case SessionState::kOpen: return "open";
    case SessionState::kFailed: return "login failed";
    case SessionState::kClosed: return "closed by the target";
    case SessionState::kReleased: return "released";
  }
  return "?";
}

std::string LoginResult::Describe() const {
  std::string out(ToString(outcome));
  if (status != 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04x", static_cast<unsigned>(status));
    out += std::string(" (login status ") + hex + ")";
  }
  if (outcome != LoginOutcome::kOk && !detail.empty()) out += ": " + detail;
  return out;
}

struct IscsiProbe::Session {
  IscsiProbe* probe = nullptr;
  iscsi_context* ctx = nullptr;
  std::string portal;
  SessionState state = SessionState::kLoggingIn;
  LoginResult result;
  ProbeClock::time_point started, deadline, next_keepalive;
  std::optional<ProbeClock::time_point> closed_at;
  std::string close_reason;
  std::size_t keepalives = 0;
  bool nop_outstanding = false;
  // Set by libiscsi callbacks; acted on after iscsi_service returns (a context must not be
  // destroyed from inside its own callback).
  bool connect_failed = false, login_done = false, login_ok = false;
};

namespace {

void OnLogin(iscsi_context* ctx, int status, void*, void* data) {
  auto* s = static_cast<IscsiProbe::Session*>(data);
  s->login_done = true;
  s->login_ok = status == SCSI_STATUS_GOOD;
  if (!s->login_ok) s->result.detail = ErrorOf(ctx);
}

void OnConnect(iscsi_context* ctx, int status, void*, void* data) {
  auto* s = static_cast<IscsiProbe::Session*>(data);
  if (status != SCSI_STATUS_GOOD) {
    s->connect_failed = true;
    s->result.detail = ErrorOf(ctx);
    return;
  }
  if (iscsi_login_async(ctx, OnLogin, s) != 0) {
    s->login_done = true;
    s->result.detail = ErrorOf(ctx);
  }
}

void OnNop(iscsi_context*, int status, void*, void* data) {
  auto* s = static_cast<IscsiProbe::Session*>(data);
  s->nop_outstanding = false;
  if (status == SCSI_STATUS_GOOD) ++s->keepalives;
}

}  // namespace

IscsiProbe::IscsiProbe(ProbeOptions options) : options_(options) {
  // libiscsi writes with writev, which raises SIGPIPE on a socket the target closed; a probe
  // must outlive the drops it is there to see.
  struct sigaction old {};
  if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
}

IscsiProbe::~IscsiProbe() {
  for (auto& s : sessions_) Release(static_cast<SessionId>(&s - sessions_.data()));
}

IscsiProbe::SessionId IscsiProbe::Start(const IscsiLogin& login) {
  auto owned = std::make_unique<Session>();
  Session& s = *owned;
  sessions_.push_back(std::move(owned));
  s.probe = this;
  s.portal = login.portal;
  s.started = ProbeClock::now();
  s.deadline = s.started + options_.login_timeout;
  s.ctx = iscsi_create_context(login.initiator_name.c_str());
  if (!s.ctx) {
    Fail(s, LoginOutcome::kProtocolError, "libiscsi cannot create a context for this initiator name");
    return sessions_.size() - 1;
  }
  iscsi_set_noautoreconnect(s.ctx, 1);
  iscsi_set_session_type(s.ctx, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(s.ctx, ISCSI_HEADER_DIGEST_NONE);
  bool set = iscsi_set_targetname(s.ctx, login.target_iqn.c_str()) == 0;
  if (set && !login.chap_secret.empty()) {
    const std::string& user = login.chap_user.empty() ? login.initiator_name : login.chap_user;
    set = iscsi_set_initiator_username_pwd(s.ctx, user.c_str(), login.chap_secret.Reveal().c_str()) == 0;
    if (set && login.target_secret) {
      const std::string& tuser = login.target_user.empty() ? login.target_iqn : login.target_user;
      set = iscsi_set_target_username_pwd(s.ctx, tuser.c_str(), login.target_secret->Reveal().c_str()) == 0;
    }
  }
  if (!set) {
    Fail(s, LoginOutcome::kProtocolError, "libiscsi refused the login parameters: " + ErrorOf(s.ctx));
    return sessions_.size() - 1;
  }
  if (iscsi_connect_async(s.ctx, login.portal.c_str(), OnConnect, &s) != 0) {
    Fail(s, LoginOutcome::kConnectError, "cannot connect to " + login.portal + ": " + ErrorOf(s.ctx));
  }
  return sessions_.size() - 1;
}

LoginResult IscsiProbe::Open(const IscsiLogin& login, SessionId* id) {
  const SessionId sid = Start(login);
  if (id) *id = sid;
  Session& s = *sessions_[sid];
  PumpUntil([&] { return s.state != SessionState::kLoggingIn; }, s.deadline + std::chrono::milliseconds(50));
  if (s.state == SessionState::kLoggingIn) Fail(s, LoginOutcome::kTimeout, "no login verdict within the deadline");
  return s.result;
}

void IscsiProbe::Fail(Session& s, LoginOutcome outcome, std::string detail) {
  LoginResult r = outcome == LoginOutcome::kTimeout || outcome == LoginOutcome::kConnectError
                      ? LoginResult{outcome, 0, std::move(detail), {}}
                      : Classify(detail);
  if (r.outcome == LoginOutcome::kProtocolError && outcome != LoginOutcome::kProtocolError) r.outcome = outcome;
  r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(ProbeClock::now() - s.started);
  s.result = std::move(r);
  s.state = SessionState::kFailed;
  if (s.ctx) iscsi_destroy_context(s.ctx);
  s.ctx = nullptr;
}

void IscsiProbe::Closed(Session& s, std::string reason, ProbeClock::time_point seen) {
  s.state = SessionState::kClosed;
  s.closed_at = seen;
  s.close_reason = std::move(reason);
  if (s.ctx) iscsi_destroy_context(s.ctx);
  s.ctx = nullptr;
}

void IscsiProbe::Release(SessionId id) {
  Session& s = *sessions_.at(id);
  if (s.ctx) iscsi_destroy_context(s.ctx);
  s.ctx = nullptr;
  if (s.state == SessionState::kOpen || s.state == SessionState::kLoggingIn) s.state = SessionState::kReleased;
}

void IscsiProbe::Service(Session& s, short revents, ProbeClock::time_point seen) {
  const bool failed = iscsi_service(s.ctx, revents) < 0;
  if (s.state == SessionState::kLoggingIn) {
    if (s.connect_failed) return Fail(s, LoginOutcome::kConnectError, "cannot connect to " + s.portal + ": " + s.result.detail);
    if (s.login_done && s.login_ok) {
      s.state = SessionState::kOpen;
      s.result = LoginResult{LoginOutcome::kOk, 0, "",
                             std::chrono::duration_cast<std::chrono::microseconds>(ProbeClock::now() - s.started)};
      s.next_keepalive = ProbeClock::now() + options_.keepalive;
    } else if (s.login_done) {
      return Fail(s, LoginOutcome::kProtocolError, s.result.detail);
    } else if (failed) {
      return Fail(s, LoginOutcome::kProtocolError, ErrorOf(s.ctx));
    }
  }
  if (failed && s.state == SessionState::kOpen) Closed(s, ErrorOf(s.ctx), seen);
}

void IscsiProbe::Pump(std::chrono::milliseconds wait) {
  auto now = ProbeClock::now();
  auto next = now + wait;
  std::vector<pollfd> fds;
  std::vector<Session*> owners;
  for (auto& p : sessions_) {
    Session& s = *p;
    if (!s.ctx) continue;
    if (s.state == SessionState::kLoggingIn) next = std::min(next, s.deadline);
    if (s.state == SessionState::kOpen) next = std::min(next, s.next_keepalive);
    fds.push_back(pollfd{iscsi_get_fd(s.ctx), static_cast<short>(iscsi_which_events(s.ctx)), 0});
    owners.push_back(&s);
  }
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(std::max(next - now, ProbeClock::duration::zero()));
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(ms.count()));
  // A close is dated when poll() reported it, not when its turn in the loop below came (with a
  // thousand sessions closing at once, servicing them takes milliseconds).
  const auto seen = ProbeClock::now();
  for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
    if (fds[i].revents != 0 && owners[i]->ctx) Service(*owners[i], fds[i].revents, seen);
  }
  now = ProbeClock::now();
  for (Session* s : owners) {
    if (!s->ctx) continue;
    if (s->state == SessionState::kLoggingIn && now >= s->deadline) {
      Fail(*s, LoginOutcome::kTimeout, "no login verdict within the deadline");
    } else if (s->state == SessionState::kOpen && now >= s->next_keepalive) {
      s->next_keepalive = now + options_.keepalive;
      if (!s->nop_outstanding && iscsi_nop_out_async(s->ctx, OnNop, nullptr, 0, s) == 0) s->nop_outstanding = true;
    }
  }
}

bool IscsiProbe::PumpUntil(const std::function<bool()>& stop, ProbeClock::time_point deadline) {
  while (!stop()) {
    const auto now = ProbeClock::now();
    if (now >= deadline) return stop();
    Pump(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), std::chrono::milliseconds(10)));
  }
  return true;
}

ProbeClock::time_point IscsiProbe::PumpDuring(const std::function<void()>& work, const std::function<bool()>& stop,
                                              std::chrono::milliseconds after) {
  std::atomic<bool> done{false};
  ProbeClock::time_point finished;
  std::thread worker([&] {
    work();
    finished = ProbeClock::now();
    done.store(true, std::memory_order_release);
  });
  while (!done.load(std::memory_order_acquire)) Pump(std::chrono::milliseconds(10));
  worker.join();
  PumpUntil(stop, finished + after);
  return finished;
}

bool IscsiProbe::Ping(SessionId id, ProbeClock::time_point deadline) {
  Session& s = *sessions_.at(id);
  if (s.state != SessionState::kOpen || !s.ctx) return false;
  const std::size_t before = s.keepalives;
  if (!s.nop_outstanding) {
    if (iscsi_nop_out_async(s.ctx, OnNop, nullptr, 0, &s) != 0) return false;
    s.nop_outstanding = true;
  }
  return PumpUntil([&] { return s.keepalives > before || s.state != SessionState::kOpen; }, deadline) &&
         s.keepalives > before;
}

bool IscsiProbe::WaitClosed(const std::vector<SessionId>& ids, ProbeClock::time_point deadline) {
  return PumpUntil(
      [&] {
        return std::all_of(ids.begin(), ids.end(), [&](SessionId id) {
          const SessionState st = state(id);
          return st != SessionState::kOpen && st != SessionState::kLoggingIn;
        });
      },
      deadline);
}

SessionState IscsiProbe::state(SessionId id) const { return sessions_.at(id)->state; }
const LoginResult& IscsiProbe::login(SessionId id) const { return sessions_.at(id)->result; }
std::optional<ProbeClock::time_point> IscsiProbe::closed_at(SessionId id) const { return sessions_.at(id)->closed_at; }
const std::string& IscsiProbe::close_reason(SessionId id) const { return sessions_.at(id)->close_reason; }
std::size_t IscsiProbe::keepalives_answered(SessionId id) const { return sessions_.at(id)->keepalives; }
std::size_t IscsiProbe::size() const { return sessions_.size(); }

LoginResult TryLogin(const IscsiLogin& login, std::chrono::milliseconds timeout) {
  ProbeOptions options;
  options.login_timeout = timeout;
  IscsiProbe probe(options);
  return probe.Open(login);
}

}  // namespace chapcheck::conformance
