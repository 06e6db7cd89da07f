// TargetGates: who may touch a target's state at the same time, when the suite runs cases in
// parallel (--jobs). A pass is shared (a read-only call, or a case the spec rejects, bracketed by
// the DescribeChapCredentials snapshots rejected_changes_nothing compares), exclusive on one
// target (a case that may change that target's credentials: nothing else on that target runs
// meanwhile, so no snapshot pair there can see its change), or global (nothing else runs at all;
// used to re-judge a case alone). A waiting exclusive or global pass keeps new passes out, so
// state-changing work is not starved by a stream of shared ones.
// Each pass records whether any other pass was held during its lifetime (Overlapped): a snapshot
// pair that saw a change while others ran cannot say which request made it, and is re-judged alone.
// Any thread; a thread holds at most one pass at a time (holding two can deadlock).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace chapcheck::conformance {

class TargetGates {
 public:
  enum class Mode { kShared, kExclusive, kGlobal };

  // Held while alive; movable, not copyable.
  class Pass {
   public:
    Pass() = default;
    Pass(Pass&& other) noexcept;
    Pass& operator=(Pass&& other) noexcept;
    ~Pass();
    // Lets go of the pass; returns whether another pass was held at some moment while this one was.
    bool Release();

   private:
    friend class TargetGates;
    TargetGates* gates_ = nullptr;
    std::uint64_t ticket_ = 0;
  };

  // Blocks until the pass may be held. `target` is ignored for kGlobal.
  Pass Enter(Mode mode, const std::string& target);

 private:
  struct Target {
    int shared = 0;
    bool exclusive = false;
    int exclusive_waiting = 0;
  };
  struct Held {
    Mode mode;
    std::string target;
    bool overlapped = false;
  };
  bool Leave(std::uint64_t ticket);

  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Target> targets_;
  std::map<std::uint64_t, Held> held_;
  int global_waiting_ = 0;
  bool global_ = false;
  std::uint64_t next_ticket_ = 1;
};

}  // namespace chapcheck::conformance
