// IscsiProbe: an iSCSI initiator (libiscsi) that logs sessions in with CHAP, holds them open
// with NOP-Out keep-alives, and records when each one was closed by the target, so that the
// connection scenarios can judge "an accepted update closes every connection on the target".
// All sessions are driven by one poll() loop (Pump); each login uses a fresh libiscsi context
// with auto-reconnect off, so a drop is seen as a drop and never papered over. Results are
// values (LoginResult, Session state), never exceptions or exits; secrets go to libiscsi only
// and never into any text the probe produces.
//
// Thread-safety: an IscsiProbe is used by one thread at a time (it is not synchronized; the
// libiscsi contexts it owns are not thread-safe). Another thread may do other work (e.g. send
// the HTTP update) while the owner pumps. TryLogin is a free function; any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/secret.h"

namespace chapcheck::conformance {

using ProbeClock = std::chrono::steady_clock;

// What one login presents. The CHAP name of the initiator is its IQN unless chap_user says
// otherwise; with target_secret set the initiator also challenges the target (mutual CHAP) and
// expects it to answer as target_user (default: the target IQN) with that secret.
struct IscsiLogin {
  std::string portal;          // HOST:PORT
  std::string target_iqn;
  std::string initiator_name;  // the initiator's IQN
  std::string chap_user;       // "" = initiator_name
  Secret chap_secret;          // empty: no CHAP offered
  std::optional<Secret> target_secret;
  std::string target_user;     // "" = target_iqn
};

enum class LoginOutcome {
  kOk,                 // logged in
  kAuthFailure,        // the target refused the initiator: login status 0x0201
  kTargetAuthFailure,  // mutual CHAP: the target's answer (name or CHAP_R) did not verify
  kOtherStatus,        // the target refused with another login status (see status)
  kProtocolError,      // the exchange failed otherwise (e.g. no CHAP_R where mutual CHAP was asked)
  kConnectError,       // no TCP connection
  kTimeout,            // no verdict before the deadline
};
std::string_view ToString(LoginOutcome o);

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::kTimeout;
  int status = 0;      // the login response's status class and detail (0x0201), when one came
  std::string detail;  // libiscsi's words, secret-free
  std::chrono::microseconds elapsed{0};
  bool ok() const { return outcome == LoginOutcome::kOk; }
  std::string Describe() const;  // one line, e.g. "auth failure (login status 0x0201)"
};

enum class SessionState {
  kLoggingIn,  // connect or login under way
  kOpen,       // logged in and held
  kFailed,     // the login did not succeed (see LoginResult)
  kClosed,     // was open; the target closed it (closed_at says when)
  kReleased,   // closed by the probe (Release or destruction)
};
std::string_view ToString(SessionState s);

struct ProbeOptions {
  std::chrono::milliseconds keepalive{1000};  // NOP-Out interval per open session
  std::chrono::milliseconds login_timeout{5000};
};

class IscsiProbe {
 public:
  using SessionId = std::size_t;

  explicit IscsiProbe(ProbeOptions options = {});
  ~IscsiProbe();  // releases every session (no logout; the sockets are closed)
  IscsiProbe(const IscsiProbe&) = delete;
  IscsiProbe& operator=(const IscsiProbe&) = delete;

  // Starts a login without waiting (connect and login proceed as Pump runs); the session's
  // deadline is now + login_timeout.
  SessionId Start(const IscsiLogin& login);
  // Starts a login and pumps until it has a verdict (never past its deadline).
  LoginResult Open(const IscsiLogin& login, SessionId* id = nullptr);

  // Drives every session once: waits at most `wait` for socket activity, services it, sends
  // keep-alives that are due, expires logins past their deadline. Records closes.
  void Pump(std::chrono::milliseconds wait);
  // Pumps until stop() is true or `deadline` passes; returns stop()'s last value.
  bool PumpUntil(const std::function<bool()>& stop, ProbeClock::time_point deadline);
  // Runs `work` on a second thread (it must not touch this probe) while this thread pumps, so
  // closes are timed as they happen; returns once `work` has finished and either stop() holds or
  // `after` has passed since it finished. Returns the time `work` finished.
  ProbeClock::time_point PumpDuring(const std::function<void()>& work, const std::function<bool()>& stop,
                                    std::chrono::milliseconds after);
  // Pumps until every listed session has left kLoggingIn and kOpen, or until `deadline`.
  bool WaitClosed(const std::vector<SessionId>& ids, ProbeClock::time_point deadline);

  // Sends a NOP-Out on an open session now and pumps until the target answers it (true), the
  // session closes or `deadline` passes (false): "still up" means still served, not just a socket.
  bool Ping(SessionId id, ProbeClock::time_point deadline);

  SessionState state(SessionId id) const;
  const LoginResult& login(SessionId id) const;
  // When the probe saw the target close the session (kClosed only).
  std::optional<ProbeClock::time_point> closed_at(SessionId id) const;
  // The libiscsi words of the close (secret-free), kClosed only.
  const std::string& close_reason(SessionId id) const;
  std::size_t keepalives_answered(SessionId id) const;

  // Closes a session from our side (kReleased).
  void Release(SessionId id);
  std::size_t size() const;

  struct Session;  // opaque; named here only so libiscsi's callbacks can reach it

 private:
  void Fail(Session& s, LoginOutcome outcome, std::string detail);
  void Closed(Session& s, std::string reason, ProbeClock::time_point seen);
  void Service(Session& s, short revents, ProbeClock::time_point seen);
  ProbeOptions options_;
  std::vector<std::unique_ptr<Session>> sessions_;
};

// One login, then the session is closed again: the verdict only. Any thread.
LoginResult TryLogin(const IscsiLogin& login, std::chrono::milliseconds timeout);

}  // namespace chapcheck::conformance
