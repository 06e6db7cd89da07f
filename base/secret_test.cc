#include "base/secret.h"

#include <gtest/gtest.h>

#include <sstream>

namespace chapcheck {
namespace {

TEST(Secret, PrintsAsStarsAndComparesInConstantTime) {
  Secret s("hunter2hunter2");
  std::ostringstream os;
  os << "secret=" << s;
  EXPECT_EQ(os.str(), "secret=***");
  EXPECT_EQ(s.Reveal(), "hunter2hunter2");
  EXPECT_TRUE(s == Secret("hunter2hunter2"));
  EXPECT_FALSE(s == Secret("hunter2hunter3"));
  EXPECT_FALSE(s == Secret("hunter2"));
  EXPECT_TRUE(Secret().empty());
}

}  // namespace
}  // namespace chapcheck
