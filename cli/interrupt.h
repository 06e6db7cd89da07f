// StopOnSignals: while one is alive, SIGINT and SIGTERM ask the current run to stop instead of
// killing the process. The first signal sets the flag (the runner then starts no new case, and
// the caller restores what it changed and writes its partial reports) and prints one line to
// stderr; a second one ends the process at once with 128 + the signal number, saying that the
// credentials were not restored. It unblocks both signals in the constructing thread (threads
// started later inherit that); the previous dispositions and mask come back when it is destroyed.
// Construct and destroy on one thread, one at a time per process; the flag may be read anywhere.
#pragma once

#include <atomic>
#include <string>

namespace chapcheck::cli {

// 128 + signal number: the shell's convention for a process a signal stopped.
inline constexpr int kExitSigint = 130;
inline constexpr int kExitSigterm = 143;

class StopOnSignals {
 public:
  explicit StopOnSignals(std::string command);  // "chapcheck run": the prefix of its messages
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  const std::atomic<bool>& flag() const;
  int signal() const;        // the first signal received, 0 for none
  int exit_code() const;     // kExitSigint or kExitSigterm for the first signal; 0 for none
  const char* name() const;  // "SIGINT", "SIGTERM" or ""
};

}  // namespace chapcheck::cli
