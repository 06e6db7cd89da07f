#include "cli/interrupt.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace chapcheck::cli {
namespace {

TEST(StopOnSignals, TheFirstSignalOnlyAsksToStop) {
  {
    StopOnSignals stopper("t");
    EXPECT_FALSE(stopper.flag().load());
    EXPECT_EQ(stopper.exit_code(), 0);
    ::raise(SIGTERM);  // handled: the process goes on
    EXPECT_TRUE(stopper.flag().load());
    EXPECT_EQ(stopper.exit_code(), kExitSigterm);
    EXPECT_STREQ(stopper.name(), "SIGTERM");
  }
  struct sigaction now {};
  ::sigaction(SIGTERM, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL) << "the previous disposition is back";
}

TEST(StopOnSignals, ASecondSignalAbortsAtOnceWith128PlusTheFirst) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        StopOnSignals stopper("chapcheck run");
        ::raise(SIGINT);
        if (!stopper.flag().load()) ::_exit(1);
        ::raise(SIGTERM);
        ::_exit(2);  // not reached
      },
      testing::ExitedWithCode(kExitSigint), "aborted: credentials NOT restored");
}

}  // namespace
}  // namespace chapcheck::cli
