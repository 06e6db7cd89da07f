#include "conformance/target_gates.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

namespace chapcheck::conformance {
namespace {

using Mode = TargetGates::Mode;

TEST(TargetGates, SharedPassesOnOneTargetCoexistAndKnowTheyOverlapped) {
  TargetGates gates;
  TargetGates::Pass a = gates.Enter(Mode::kShared, "t1");
  TargetGates::Pass b = gates.Enter(Mode::kShared, "t1");  // does not block: both shared
  EXPECT_TRUE(b.Release());
  EXPECT_TRUE(a.Release());
  TargetGates::Pass alone = gates.Enter(Mode::kShared, "t1");
  EXPECT_FALSE(alone.Release()) << "nothing else was held meanwhile";
  EXPECT_FALSE(alone.Release()) << "a released pass stays released";
}

TEST(TargetGates, ExclusiveOnAnotherTargetDoesNotWaitButCountsAsOverlap) {
  TargetGates gates;
  TargetGates::Pass reader = gates.Enter(Mode::kShared, "t1");
  TargetGates::Pass writer = gates.Enter(Mode::kExclusive, "t2");  // another target: no wait
  EXPECT_TRUE(writer.Release());
  EXPECT_TRUE(reader.Release());
}

// A shared pass on a target waits for the exclusive holder of that target to leave.
TEST(TargetGates, SharedWaitsForTheExclusiveHolder) {
  TargetGates gates;
  std::atomic<bool> released{false};
  bool entered_after_release = false;
  TargetGates::Pass writer = gates.Enter(Mode::kExclusive, "t1");
  std::thread reader([&] {
    TargetGates::Pass p = gates.Enter(Mode::kShared, "t1");
    entered_after_release = released.load();
  });
  std::this_thread::yield();
  released = true;
  writer.Release();
  reader.join();
  EXPECT_TRUE(entered_after_release);
}

// Many threads, random modes: an exclusive holder never shares its target, a global holder never
// shares anything. Counters are checked by each thread as it holds its pass.
TEST(TargetGates, NoPassEverSharesWhatItMustHoldAlone) {
  TargetGates gates;
  std::mutex mu;
  std::map<std::string, int> shared, exclusive;
  int global = 0, total = 0;
  std::atomic<int> violations{0};
  auto worker = [&](unsigned seed) {
    for (int i = 0; i < 300; ++i) {
      seed = seed * 1103515245u + 12345u;
      const Mode mode = (seed >> 8) % 10 == 0 ? Mode::kGlobal : (seed >> 8) % 10 < 4 ? Mode::kExclusive : Mode::kShared;
      const std::string target = (seed >> 12) % 2 ? "t1" : "t2";
      TargetGates::Pass p = gates.Enter(mode, target);
      {
        std::lock_guard lock(mu);
        ++total;
        if (mode == Mode::kShared) ++shared[target];
        if (mode == Mode::kExclusive) ++exclusive[target];
        if (mode == Mode::kGlobal) ++global;
        const bool ok = mode == Mode::kGlobal ? total == 1
                        : mode == Mode::kExclusive ? exclusive[target] == 1 && shared[target] == 0 && global == 0
                                                   : exclusive[target] == 0 && global == 0;
        if (!ok) ++violations;
      }
      std::this_thread::yield();
      {
        std::lock_guard lock(mu);
        --total;
        if (mode == Mode::kShared) --shared[target];
        if (mode == Mode::kExclusive) --exclusive[target];
        if (mode == Mode::kGlobal) --global;
      }
      p.Release();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 6; ++i) threads.emplace_back(worker, i + 1);
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
}

}  // namespace
}  // namespace chapcheck::conformance
