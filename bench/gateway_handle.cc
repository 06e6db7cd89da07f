// chapcheck-bench-gateway: the mock gateway's own cost per request, without the network.
//
// Loops, on one thread, over Gateway::Handle with the model UpdateChapCredentials request
// (bench/signed_request.h) against the default fixture, and over sigv4::Verify alone, and prints
// microseconds of CPU time per call. A benchmark tool for profiling (perf, callgrind); nothing checks its
// numbers, and bench/mock_http measures the server as a whole.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

#include "bench/signed_request.h"
#include "mocks/gateway.h"

namespace {

constexpr const char* kUsage =
    "usage: chapcheck-bench-gateway [--iterations N]\n"
    "\n"
    "Prints the microseconds of CPU time per call of Gateway::Handle for a valid, signed UpdateChapCredentials\n"
    "(default fixture) and of sigv4::Verify alone, each over N calls (default 200000).\n";

// This thread's CPU time in microseconds: on a shared machine, wall time would count the time
// other processes ran.
double ThreadCpuMicros() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

template <class F>
double MicrosPerCall(long iterations, F&& call) {
  const double start = ThreadCpuMicros();
  for (long i = 0; i < iterations; ++i) call();
  return (ThreadCpuMicros() - start) / static_cast<double>(iterations);
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 200000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) {
      const std::string n = argv[++i];
      if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos || std::stol(n) < 1) {
        std::cerr << "chapcheck-bench-gateway: --iterations takes a number from 1 to 999999999\n";
        return 2;
      }
      iterations = std::stol(n);
    } else {
      std::cerr << (a == "--help" || a == "-h" ? "" : "chapcheck-bench-gateway: unknown option: " + a + "\n") << kUsage;
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  auto fixture = chapcheck::mocks::ParseFixture(chapcheck::mocks::DefaultFixtureText());
  if (!fixture) {
    std::cerr << "chapcheck-bench-gateway: the default fixture does not parse: " << fixture.error().message << "\n";
    return 1;
  }
  chapcheck::mocks::Gateway gateway(std::move(fixture).value(), chapcheck::mocks::GatewayOptions{});
  const chapcheck::sigv4::Request request = chapcheck::bench::SignedUpdateRequest(8080);
  const chapcheck::mocks::HttpResponse first = gateway.Handle(request);
  if (first.status != 200) {
    std::cerr << "chapcheck-bench-gateway: the gateway answered " << first.status << ": " << first.body << "\n";
    return 1;
  }
  std::size_t sink = 0;
  const double handle = MicrosPerCall(iterations, [&] { sink += gateway.Handle(request).body.size(); });
  chapcheck::sigv4::VerifyOptions options;
  options.service = "storagegateway";
  options.region = "us-east-1";
  const chapcheck::sigv4::KeyLookup keys = [&](std::string_view id) { return gateway.state().FindAccessKey(id); };
  const double verify = MicrosPerCall(iterations, [&] {
    const auto v = chapcheck::sigv4::Verify(request, keys, options, std::chrono::system_clock::now());
    sink += static_cast<std::size_t>(v.status) + v.access_key_id.size();  // (a valid verdict has no message)
  });
  std::printf("Gateway::Handle, valid signed UpdateChapCredentials  %8.2f us\n", handle);
  std::printf("sigv4::Verify of the same request                     %8.2f us\n", verify);
  return sink == 0 ? 1 : 0;
}
