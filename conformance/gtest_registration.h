// The suite as GoogleTest tests: every selected case and every scenario check is registered at
// run time (testing::RegisterTest) and run by RUN_ALL_TESTS, so GoogleTest's own flags choose
// what runs and how: --gtest_filter (RunOptions::filter is the same thing), --gtest_repeat,
// --gtest_shuffle, --gtest_random_seed, --gtest_list_tests, --gtest_output. (--gtest_fail_fast
// skips the tests after a failure, but their cases are still sent: a plan starts with its suite.)
//
// Names: a case's test is its case name split at the first '.', so the full name GoogleTest
// filters on is the case name itself ("SecretToAuthenticateInitiator.bytes.17.rejected" is test
// "bytes.17.rejected" of suite "SecretToAuthenticateInitiator"); a scenario is
// "scenario.<check name>".
//
// Execution: when GoogleTest starts a test suite (in its order, after filter and shuffle), the
// suite's tests become one Session plan run on RunOptions::jobs workers (runner.h); each test body
// awaits its own case and turns each failed check into a GoogleTest failure naming the check with
// the expected and actual outcome (secret-free), a should-level finding into the property
// "should.<check>", a skipped check or an unsent case into a skip. The answer's status, __type and
// errorCode are recorded as test properties (they reach --gtest_output files). GoogleTest's console
// printer is removed: the caller prints progress and its own summary.
//
// Results: every execution is folded into one CaseResult per case (MergeExecution: with
// --gtest_repeat=N a case counts N executions, and is represented by its first failing one), in
// case order whatever the shuffle; SuiteResult::repetitions and shuffle_seed say what GoogleTest
// did. The credentials are snapshotted before the first iteration and restored after the last.
//
// GoogleTest keeps one registry per process and cannot forget a test: RunSuiteWithGtest may run
// once per process, on the main thread, and only in a process with no other GoogleTest tests
// (GtestAvailable says so; a unit test calling `chapcheck run` in process uses RunSuite instead).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "conformance/runner.h"

namespace chapcheck::conformance {

// Whether RunSuiteWithGtest may be called in this process.
bool GtestAvailable();

struct GtestRun {
  SuiteResult result;
  bool listed_only = false;  // --gtest_list_tests: the tests were listed (on stdout), none ran
};

// `gtest_flags` are GoogleTest's own arguments ("--gtest_repeat=3"); one it does not know, or
// with a bad value, is an error (nothing runs). RunOptions::filter, when set, is the filter.
Result<GtestRun> RunSuiteWithGtest(const spec::Spec& spec, const std::vector<generators::Case>& cases, Client& client,
                                   const RunOptions& options, const std::vector<std::string>& gtest_flags,
                                   const Progress& progress = nullptr);

}  // namespace chapcheck::conformance
