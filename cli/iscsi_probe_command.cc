// chapcheck iscsi-probe: the conformance suite's iSCSI probe by hand (hidden from the command
// list; the tgt integration test and bench/ drive it). Secrets come from environment variables
// named on the command line, never from argv, and are never printed.
//   login --portal P --target IQN --initiator IQN [--secret-env V] [--target-secret-env V]
//         [--timeout-ms N]                          one login; exit 0 ok, 1 refused/failed
//   hold  ... [--sessions N] [--seconds S]          logs N sessions in, prints "open K", then
//                                                   holds them until all close or S seconds pass
//                                                   and prints each close ("closed ID after MS ms")
#include <cstdlib>
#include <ostream>

#include "cli/commands.h"
#include "conformance/iscsi_probe.h"

namespace chapcheck::cli {
namespace {

constexpr const char* kProbeUsage =
    "usage: chapcheck iscsi-probe login|hold --portal HOST:PORT --target IQN --initiator IQN\n"
    "         [--secret-env VAR] [--target-secret-env VAR] [--timeout-ms N]\n"
    "         [--sessions N] [--seconds S] (hold)\n";

bool Number(const std::string& s, long max, long& out) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stol(s);
  return out >= 1 && out <= max;
}

}  // namespace

int IscsiProbeCommand(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || (args[0] != "login" && args[0] != "hold")) {
    err << kProbeUsage;
    return kExitUsage;
  }
  const bool hold = args[0] == "hold";
  conformance::IscsiLogin login;
  long timeout_ms = 5000, sessions = 1, seconds = 10;
  for (std::size_t i = 1; i < args.size(); i += 2) {  // every option takes a value
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    const std::string value = has_value ? args[i + 1] : "";
    if (a == "--portal" && has_value) {
      login.portal = value;
    } else if (a == "--target" && has_value) {
      login.target_iqn = value;
    } else if (a == "--initiator" && has_value) {
      login.initiator_name = value;
    } else if ((a == "--secret-env" || a == "--target-secret-env") && has_value) {
      const char* v = std::getenv(value.c_str());
      if (!v) {
        err << "chapcheck iscsi-probe: " << a << ": the variable " << value << " is not set\n";
        return kExitUsage;
      }
      (a == "--secret-env" ? login.chap_secret : login.target_secret.emplace()) = Secret(v);
    } else if (a == "--timeout-ms" && has_value && Number(value, 600000, timeout_ms)) {
    } else if (a == "--sessions" && has_value && Number(value, 100000, sessions)) {
    } else if (a == "--seconds" && has_value && Number(value, 3600, seconds)) {
    } else {
      err << "chapcheck iscsi-probe: unknown option or bad value: " << a << "\n" << kProbeUsage;
      return kExitUsage;
    }
  }
  if (login.portal.empty() || login.target_iqn.empty() || login.initiator_name.empty()) {
    err << "chapcheck iscsi-probe: --portal, --target and --initiator are required\n";
    return kExitUsage;
  }
  conformance::ProbeOptions options;
  options.login_timeout = std::chrono::milliseconds(timeout_ms);
  conformance::IscsiProbe probe(options);
  if (!hold) {
    const conformance::LoginResult r = probe.Open(login);
    out << "login: " << r.Describe() << " in " << r.elapsed.count() << " us\n";
    return r.ok() ? kExitOk : kExitFindings;
  }
  std::vector<conformance::IscsiProbe::SessionId> ids;
  const auto begin = conformance::ProbeClock::now();
  for (long i = 0; i < sessions; ++i) ids.push_back(probe.Start(login));
  probe.PumpUntil(
      [&] {
        for (auto id : ids) {
          if (probe.state(id) == conformance::SessionState::kLoggingIn) return false;
        }
        return true;
      },
      begin + options.login_timeout + std::chrono::milliseconds(100));
  std::size_t open = 0;
  for (auto id : ids) {
    if (probe.state(id) == conformance::SessionState::kOpen) {
      ++open;
    } else {
      out << "login " << id << ": " << probe.login(id).Describe() << "\n";
    }
  }
  const double login_seconds = std::chrono::duration<double>(conformance::ProbeClock::now() - begin).count();
  out << "open " << open << " in " << static_cast<long>(login_seconds * 1000) << " ms\n" << std::flush;
  const auto held = conformance::ProbeClock::now();
  probe.WaitClosed(ids, held + std::chrono::seconds(seconds));
  std::size_t closed = 0;
  for (auto id : ids) {
    if (auto at = probe.closed_at(id)) {
      ++closed;
      out << "closed " << id << " after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(*at - held).count() << " ms ("
          << probe.close_reason(id) << "), keep-alives answered " << probe.keepalives_answered(id) << "\n";
    }
  }
  out << "closed " << closed << " of " << open << ", still open " << open - closed << "\n";
  return open == static_cast<std::size_t>(sessions) ? kExitOk : kExitFindings;
}

}  // namespace chapcheck::cli
