// chapcheck: the top-level dispatcher.
#include <ostream>

#include "cli/commands.h"

namespace chapcheck::cli {
namespace {

constexpr const char* kUsage =
    "usage: chapcheck <command> [options]\n"
    "\n"
    "Contract tests and fuzzing for AWS Storage Gateway's UpdateChapCredentials.\n"
    "\n"
    "commands:\n"
    "  run       the conformance suite against an endpoint or the built-in mock, with reports\n"
    "  fuzz      spec-guided black-box fuzzing of an endpoint or the built-in mock\n"
    "  replay    re-send one case (a reproducer) and compare the answer with the spec\n"
    "  spec      the machine-readable contract: lint, diff-aws, verdict, show, dump\n"
    "  mock      serve the built-in mock gateway (awsJson1_1, SigV4, defect switches)\n"
    "  generate  write the spec-derived test cases as JSON lines (--out DIR)\n"
    "  version   print the version\n"
    "  help      this text\n"
    "\n"
    "exit codes: 0 ok, 1 findings (contract violations, lint errors, new differences),\n"
    "            2 usage or configuration error, 3 endpoint unreachable (run, fuzz)\n";

}  // namespace

int Main(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  const std::string& cmd = args[0];
  const Args rest(args.begin() + 1, args.end());
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    out << kUsage;
    return kExitOk;
  }
  if (cmd == "version" || cmd == "--version") {
    out << "chapcheck " CHAPCHECK_VERSION "\n";
    return kExitOk;
  }
  if (cmd == "spec") return SpecCommand(rest, out, err);
  if (cmd == "run") return RunCommand(rest, out, err);
  if (cmd == "fuzz") return FuzzCommand(rest, out, err);
  if (cmd == "replay") return ReplayCommand(rest, out, err);
  if (cmd == "mock") return MockCommand(rest, out, err);
  if (cmd == "generate") return GenerateCommand(rest, out, err);
  if (cmd == "iscsi-probe") return IscsiProbeCommand(rest, out, err);  // hidden: tests and bench/
  err << "chapcheck: unknown command \"" << cmd << "\"\n" << kUsage;
  return kExitUsage;
}

}  // namespace chapcheck::cli
