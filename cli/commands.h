// The chapcheck subcommands, callable in process (tests do) as well as from main().
// Each takes its arguments (after the subcommand words) and the streams to write to, and returns
// the process exit code:
//   0  success, nothing to report
//   1  findings: lint errors, new differences from AWS's model, contract violations
//   2  usage or configuration error (bad flag, unreadable or malformed spec or input file)
// Nothing here calls exit(); main() does. One call at a time per stream pair.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace chapcheck::cli {

using Args = std::vector<std::string>;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

// chapcheck spec <lint|diff-aws|verdict|show|dump> ...
int SpecCommand(const Args& args, std::ostream& out, std::ostream& err);

// chapcheck mock [--listen HOST:PORT] [--fixture F] [--defect NAME]... [--tls-cert F --tls-key F]
// Serves until SIGINT or SIGTERM (blocks the calling thread).
int MockCommand(const Args& args, std::ostream& out, std::ostream& err);

// chapcheck generate --out DIR [--spec F] [--target-arn ARN] ...: writes DIR/cases.jsonl.
int GenerateCommand(const Args& args, std::ostream& out, std::ostream& err);

// chapcheck run [--endpoint URL --target-arn ARN ...]: the suite and its reports.
// Exit 0 all pass, 1 violations, 2 usage, 3 endpoint unreachable, 130/143 interrupted (SIGINT/SIGTERM).
int RunCommand(const Args& args, std::ostream& out, std::ostream& err);

// chapcheck fuzz [--endpoint URL --target-arn ARN] [--duration D] [--seed N] [--jobs N] ...:
// spec-guided black-box fuzzing. Exit 0 no findings, 1 findings, 2 usage, 3 endpoint unreachable.
int FuzzCommand(const Args& args, std::ostream& out, std::ostream& err);

// chapcheck replay FILE [--endpoint URL] [--defect NAME]...: re-sends one case.
int ReplayCommand(const Args& args, std::ostream& out, std::ostream& err);

// chapcheck iscsi-probe login|hold ...: the iSCSI probe by hand (hidden; tests and bench/).
int IscsiProbeCommand(const Args& args, std::ostream& out, std::ostream& err);

// chapcheck <command> ...: dispatches on args[0]; prints help for "help", "--help", nothing.
int Main(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace chapcheck::cli
