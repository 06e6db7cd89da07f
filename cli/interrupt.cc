#include "cli/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace chapcheck::cli {
namespace {

// Signal handlers may touch only lock-free atomics and async-signal-safe calls.
std::atomic<bool> stop_requested{false};
std::atomic<int> first_signal{0};
char first_message[256];
char second_message[256];
struct sigaction previous_int, previous_term;
sigset_t previous_mask;
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

void Say(const char* text) {
  const std::size_t n = std::strlen(text);
  [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, text, n);
}

void OnSignal(int sig) {
  int none = 0;
  if (first_signal.compare_exchange_strong(none, sig)) {
    stop_requested.store(true);
    Say(first_message);
    return;
  }
  Say(second_message);
  ::_exit(128 + first_signal.load());
}

}  // namespace

StopOnSignals::StopOnSignals(std::string command) {
  stop_requested.store(false);
  first_signal.store(0);
  std::snprintf(first_message, sizeof first_message,
                "\n%s: stopping: no new cases; finishing those in flight, restoring the credentials, writing the "
                "reports (again to abort at once)\n",
                command.c_str());
  std::snprintf(second_message, sizeof second_message,
                "\n%s: aborted: credentials NOT restored, reports NOT written\n", command.c_str());
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &previous_int);
  ::sigaction(SIGTERM, &sa, &previous_term);
  // A caller that blocked them (as `chapcheck mock` does, for sigwait) would never see them.
  sigset_t ours;
  sigemptyset(&ours);
  sigaddset(&ours, SIGINT);
  sigaddset(&ours, SIGTERM);
  ::pthread_sigmask(SIG_UNBLOCK, &ours, &previous_mask);
}

StopOnSignals::~StopOnSignals() {
  ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  ::sigaction(SIGINT, &previous_int, nullptr);
  ::sigaction(SIGTERM, &previous_term, nullptr);
}

const std::atomic<bool>& StopOnSignals::flag() const { return stop_requested; }
int StopOnSignals::signal() const { return first_signal.load(); }
int StopOnSignals::exit_code() const { return signal() ? 128 + signal() : 0; }
const char* StopOnSignals::name() const {
  switch (signal()) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "";
  }
}

}  // namespace chapcheck::cli
